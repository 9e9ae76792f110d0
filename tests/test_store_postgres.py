"""A team's shared store on PostgreSQL (issue 14, parts 2 and 3), against a real server started
for the test: two state directories stand for two machines sharing one database; a request
made on one is approved on the other and runs once; both machines' records are one log that
verifies, and stops verifying after a record is edited; a server killed mid-run loses no
record, and an ask gets no grant while it is down.

Skipped, with the reason, only outside CI when PostgreSQL or psycopg is not installed; in CI
(env CI set) a missing server is a failure: scripts/postgres.sh installs it."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from human_terminal import in_a_terminal, needs_human_session
from postgres_server import Server, find_binaries, why_unavailable

from safesh.store import ApprovalError, AuditEvent, Store

REFUSED = 77
ASKS = "kubectl delete ns web"
PRODUCTION_ASKS = "kubectl --context prod-eu apply -f app.yaml"

_reason = why_unavailable()
if _reason is not None and not os.environ.get("CI"):
    pytest.skip(_reason, allow_module_level=True)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    assert _reason is None, f"CI must be able to start PostgreSQL: {_reason}"
    binaries = find_binaries()
    assert binaries is not None
    directory = Path(tempfile.mkdtemp(prefix="safesh-pg-"))  # outside pytest's 0700 tree
    running = Server(binaries, directory)
    running.init()
    running.start()
    try:
        yield running
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # a test stopped it
            running.stop("immediate")
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def database(server: Server) -> Iterator[str]:
    """A fresh schema for each test: every table dropped, so each starts from first use."""
    import psycopg

    with psycopg.connect(server.url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS audit, chain_head, checkpoint, approvals, safesh_meta")
    yield server.url


class Machine:
    """One machine: its own state directory (key, anchor, spool), the team's store setting,
    and stubs in place of the programs the tests' commands would run."""

    def __init__(self, root: Path, url: str, settings: str = "") -> None:
        self.root = root
        root.mkdir(parents=True)
        stubs = root / "bin"
        stubs.mkdir()
        for name in ("kubectl", "rm"):
            stub = stubs / name
            stub.write_text(f'#!/bin/sh\necho "$0 $*" >> "{root}/stub-ran"\n')
            stub.chmod(0o755)
        rules = root / "config" / "safesh" / "rules.toml"
        rules.parent.mkdir(parents=True)
        rules.write_text(f'[settings]\nstore = "{url}"\n{settings}')
        home = root / "home"
        home.mkdir()
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SAFESH_", "XDG_"))},
            "PATH": f"{stubs}{os.pathsep}{os.environ.get('PATH', os.defpath)}",
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(root / "config"),
            "XDG_STATE_HOME": str(root / "state"),
            "XDG_CACHE_HOME": str(root / "cache"),
            "SAFESH_NONINTERACTIVE": "1",
        }

    def safesh(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "safesh", *args],
            env=self.env,
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )

    def approve(self, approval_id: object) -> subprocess.CompletedProcess[str]:
        """`safesh approve ID` typed by a human in a terminal of their own."""
        argv = [sys.executable, "-m", "safesh", "approve", str(approval_id)]
        return in_a_terminal(argv, self.env, self.root)

    def pending(self) -> list[dict[str, object]]:
        listed = self.safesh("approvals", "--json")
        assert listed.returncode == 0, listed.stderr
        result: list[dict[str, object]] = json.loads(listed.stdout)
        return result

    def log(self) -> list[dict[str, object]]:
        listed = self.safesh("log", "--json")
        assert listed.returncode == 0, listed.stderr
        return [json.loads(line) for line in listed.stdout.splitlines()]

    def stub_runs(self) -> int:
        marks = self.root / "stub-ran"
        return len(marks.read_text().splitlines()) if marks.exists() else 0


@pytest.fixture
def machines(tmp_path: Path, database: str) -> tuple[Machine, Machine]:
    # The two machines' commands run in directories of the same name, as a shared checkout.
    return Machine(tmp_path / "a", database), Machine(tmp_path / "b", database)


@needs_human_session
def test_a_refusal_on_one_machine_is_approved_on_the_other_and_runs_once(
    machines: tuple[Machine, Machine],
) -> None:
    a, b = machines
    assert a.safesh("-c", ASKS).returncode == REFUSED
    (request,) = b.pending()
    assert request["command"] == ASKS
    assert b.approve(request["id"]).returncode == 0
    assert a.safesh("-c", ASKS).returncode == 0
    assert a.stub_runs() == 1
    assert a.safesh("-c", ASKS).returncode == REFUSED
    assert a.stub_runs() == 1


@needs_human_session
def test_both_machines_records_are_one_log_that_verifies(
    machines: tuple[Machine, Machine],
) -> None:
    a, b = machines
    a.safesh("-c", "echo from a")
    b.safesh("-c", "echo from b")
    a.safesh("-c", ASKS)
    b.approve(b.pending()[0]["id"])
    for machine in (a, b):
        commands = [r["command"] for r in machine.log()]
        assert commands == ["echo from a", "echo from b", ASKS, ASKS]
        verified = machine.safesh("log", "--verify")
        assert verified.returncode == 0, verified.stdout + verified.stderr


def test_an_edited_record_fails_verify_on_every_machine(
    machines: tuple[Machine, Machine], database: str
) -> None:
    import psycopg

    a, b = machines
    a.safesh("-c", "echo one")
    b.safesh("-c", "echo two")
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute("UPDATE audit SET command = 'echo innocent' WHERE id = 1")
    for machine in (a, b):
        result = machine.safesh("log", "--verify")
        assert result.returncode == 1
        assert "record 1" in result.stdout + result.stderr


@needs_human_session
def test_the_approver_is_recorded_with_user_host_and_route(
    machines: tuple[Machine, Machine],
) -> None:
    a, b = machines
    a.safesh("-c", ASKS)
    b.approve(b.pending()[0]["id"])
    (decision,) = [r for r in a.log() if r["kind"] == "approval"]
    assert decision["outcome"] == "approved"
    assert "via cli" in str(decision["note"]) and " on " in str(decision["note"])


@needs_human_session
def test_a_production_finding_needs_two_different_approvers(tmp_path: Path, database: str) -> None:
    a = Machine(tmp_path / "a", database, 'production_approvers = "2"\n')
    b = Machine(tmp_path / "b", database, 'production_approvers = "2"\n')
    assert a.safesh("-c", PRODUCTION_ASKS).returncode == REFUSED
    (request,) = b.pending()
    assert request["required_approvers"] == 2
    first = b.approve(request["id"])
    assert "another person must approve" in first.stdout
    assert a.safesh("-c", PRODUCTION_ASKS).returncode == REFUSED  # one approval is not enough
    again = b.approve(request["id"])  # the same person twice does not count
    assert again.returncode != 0
    with Store(tmp_path / "web" / "safesh.db", url=database) as web:
        web.approve(str(request["id"]), by="second-reviewer", host="laptop", route="web")
    assert a.safesh("-c", PRODUCTION_ASKS).returncode == 0
    assert a.stub_runs() == 1


def test_killing_postgresql_mid_run_loses_no_record(
    machines: tuple[Machine, Machine], server: Server
) -> None:
    a, _b = machines
    assert a.safesh("-c", "echo before").returncode == 0
    server.kill()
    try:
        during = a.safesh("-c", "echo during")
        assert (during.returncode, during.stdout) == (0, "during\n")
        assert "spool" in during.stderr
        assert a.safesh("-c", ASKS).returncode == REFUSED  # no grant without the store
        assert a.stub_runs() == 0
    finally:
        server.start()
    assert a.safesh("-c", "echo after").returncode == 0
    commands = [r["command"] for r in a.log()]
    assert commands == ["echo before", "echo during", ASKS, "echo after"]
    assert a.safesh("log", "--verify").returncode == 0


def test_the_schema_is_created_on_first_use_and_a_grant_is_consumed_once(
    tmp_path: Path, database: str
) -> None:
    with (
        Store(tmp_path / "one" / "safesh.db", url=database, user="agent") as one,
        Store(tmp_path / "two" / "safesh.db", url=database, user="human") as two,
    ):
        request = one.request_approval(ASKS, "/srv", "fp", ["k8s"], "deletes a namespace")
        two.approve(request.id)
        assert one.consume_grant(ASKS, "/srv", "fp") is not None
        assert two.consume_grant(ASKS, "/srv", "fp") is None
        with pytest.raises(ApprovalError):
            two.approve(request.id)
        one.record(AuditEvent("echo x", "/srv", "allow"))
        assert one.verify().ok and two.verify().ok
