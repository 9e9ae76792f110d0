"""Family: project task runners whose task, target or program arguments name a destroying verb.

`make destroy`, `just db-reset`, `deno task db:reset`, `nx run infra:destroy`, `./gradlew
flywayClean`, `nox -s teardown_env`, `earthly +destroy`, and the project's own program run by its
build tool (`cargo run -- delete-all`, `go run ./cmd/admin purge-users`) ask, like the same
verb in any CLI; a project's task is not production, so outside a production context they ask
rather than block. Building, testing, linting and cleaning build output pass.
"""

from __future__ import annotations

import pytest
from effects_helpers import STOPPED, explain, judge

from safesh.model import Tier

DESTROYING_TASKS = [
    "make destroy-env",
    "make -C infra tf-destroy",
    "just drop-database",
    "task db:nuke",
    "mage db:drop",
    "invoke db.drop",
    "deno task db:reset",
    "composer run-script db-drop",
    "nx run infra:destroy",
    "turbo run db:drop",
    "npm run drop-tables",
    "yarn run db:wipe",
    "npm run db:reset:hard",
    "yarn db:nuke:all",
    "./gradlew flywayClean",
    "gradle dropSchema",
    "mvn flyway:clean",
    "sbt dropTables",
    "earthly +teardown",
    "nox -s destroy_env",
    "tox -e teardown",
    "flask db downgrade base",
    "hatch run db:drop",
    "cargo run -- delete-all",
    "cargo run --release --bin admin -- purge-users --yes",
    "go run ./cmd/admin drop-tables",
    "go run -tags prod main.go delete --all",
    "dotnet run -- wipe-data",
]

EVERYDAY_TASKS = [
    "make",
    "make test",
    "make clean",
    "make -n destroy",
    "just --list",
    "deno task dev",
    "nx run web:build",
    "turbo run lint",
    "./gradlew test",
    "mvn clean install",
    "mvn dependency:purge-local-repository",
    "sbt compile",
    "earthly +build",
    "nox -s tests",
    "tox -e py312",
    "cargo run",
    "cargo run -- serve --port 8080",
    "go run ./cmd/server",
    "go run main.go",
    "dotnet run --project src/Api",
    "npm run clean",
]


@pytest.mark.parametrize("line", DESTROYING_TASKS)
def test_a_task_named_for_destroying_asks(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision is Tier.ASK, explain(analysis)


@pytest.mark.parametrize("line", EVERYDAY_TASKS)
def test_everyday_tasks_pass(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision not in STOPPED, explain(analysis)


def test_the_program_a_build_tool_runs_is_judged_as_a_command_of_its_own() -> None:
    analysis = judge("cargo run --bin admin -- delete-all")
    commands = [c.name for c in analysis.commands]
    assert "admin" in commands, commands
