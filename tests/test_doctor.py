"""`safesh doctor`: reports whether agents' commands really go through safesh."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from safesh.agents.doctor import (
    Check,
    executable_of,
    hook_problem,
    run_checks,
    strict_failure,
)
from safesh.agents.settings import SPECS
from safesh.cli.commands.doctor import command
from safesh.cli.commands.shims import plan_shims, write_shims

SYSTEM_PATH = os.environ.get("PATH", os.defpath)


@pytest.fixture
def fake_safesh(tmp_path: Path) -> Path:
    path = tmp_path / "bin" / "safesh"
    path.parent.mkdir()
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return path


def claude_settings(home: Path, command_line: str) -> Path:
    path = home / ".claude/settings.json"
    path.parent.mkdir(parents=True)
    hook = {"type": "command", "command": command_line}
    path.write_text(json.dumps({"hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [hook]}]}}))
    return path


def by_area(checks: list[Check]) -> dict[str, Check]:
    return {c.area: c for c in checks}


def test_installed_hook_with_a_runnable_command_is_ok(tmp_path: Path, fake_safesh: Path) -> None:
    claude_settings(tmp_path, f"{fake_safesh} hook claude-code")
    check = by_area(run_checks(tmp_path, tmp_path, {"PATH": SYSTEM_PATH}))["claude-code (user)"]
    assert check.status == "ok"


def test_hook_whose_program_is_missing_is_a_problem(tmp_path: Path) -> None:
    claude_settings(tmp_path, "/nowhere/safesh hook claude-code")
    check = by_area(run_checks(tmp_path, tmp_path, {"PATH": SYSTEM_PATH}))["claude-code (user)"]
    assert check.status == "problem"
    assert "/nowhere/safesh" in check.message


def test_hook_for_another_agent_is_a_problem(fake_safesh: Path) -> None:
    problem = hook_problem(SPECS["claude-code"], f"{fake_safesh} hook gemini", SYSTEM_PATH)
    assert problem is not None and "claude-code" in problem


def test_hook_with_a_short_agent_name_is_fine(fake_safesh: Path) -> None:
    assert hook_problem(SPECS["claude-code"], f"{fake_safesh} hook claude", SYSTEM_PATH) is None


def test_invalid_settings_json_is_a_problem_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / ".codex/hooks.json"
    path.parent.mkdir()
    path.write_text("{\n  hooks: 1\n}\n")
    check = by_area(run_checks(tmp_path, tmp_path, {"PATH": SYSTEM_PATH}))["codex (user)"]
    assert check.status == "problem"
    assert f"{path}:2:" in check.message


def test_gemini_with_hooks_disabled_is_a_problem(tmp_path: Path, fake_safesh: Path) -> None:
    path = tmp_path / ".gemini/settings.json"
    path.parent.mkdir()
    hook = {"type": "command", "command": f"{fake_safesh} hook gemini-cli"}
    settings = {
        "hooksConfig": {"enabled": False},
        "hooks": {"BeforeTool": [{"matcher": "run_shell_command", "hooks": [hook]}]},
    }
    path.write_text(json.dumps(settings))
    check = by_area(run_checks(tmp_path, tmp_path, {"PATH": SYSTEM_PATH}))["gemini-cli (user)"]
    assert (check.status, "enabled is false" in check.message) == ("problem", True)


def test_shims_first_on_path_are_ok_with_their_real_shell(tmp_path: Path) -> None:
    shims = tmp_path / "shims"
    shims.mkdir()
    write_shims(plan_shims(shims, SYSTEM_PATH, ("/usr/bin/true",)))
    checks = by_area(run_checks(tmp_path, tmp_path, {"PATH": f"{shims}:{SYSTEM_PATH}"}))
    assert checks["PATH bash"].status == "ok"
    assert checks["PATH sh"].status == "ok"
    assert "->" in checks["PATH bash"].message


def test_no_shims_on_path_is_reported_off(tmp_path: Path) -> None:
    checks = by_area(run_checks(tmp_path, tmp_path, {"PATH": SYSTEM_PATH}))
    assert checks["PATH bash"].status == "off"


def test_rules_load_is_reported(tmp_path: Path) -> None:
    assert by_area(run_checks(tmp_path, tmp_path, {"PATH": SYSTEM_PATH}))["rules"].status == "ok"


def test_executable_of_looks_through_env_assignments() -> None:
    words = ["env", "PYTHONPATH=/src", "/usr/bin/python3", "-P", "-m", "safesh", "hook", "codex"]
    assert executable_of(words) == "/usr/bin/python3"


def test_strict_fails_when_nothing_routes_through_safesh() -> None:
    assert strict_failure([Check("claude-code (user)", "off", ""), Check("rules", "ok", "")])


def test_strict_passes_with_one_working_hook_and_no_problems() -> None:
    checks = [Check("claude-code (user)", "ok", ""), Check("PATH bash", "off", "")]
    assert not strict_failure(checks)


def test_command_exits_0_without_strict_and_1_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # no shims, whatever the developer's PATH
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(command, []).exit_code == 0
    assert CliRunner().invoke(command, ["--strict"]).exit_code == 1


def test_command_json_lists_every_agent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(command, ["--json"])
    areas = {row["area"].split(" ")[0] for row in json.loads(result.stdout)}
    assert set(SPECS) <= areas
