"""The store under faults (issue 9, items 6 and 8): a store another process holds costs a front
end about a second and gives the fail-closed answer; allowed commands still run and their
records wait in the spool, sent later in order; a command with any bytes is recorded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_hook_end_to_end import ASKS, payload

from safesh.store import AuditEvent, LogQuery, Store, record_quietly

# Holds the store's write lock until its stdin closes (a writer stuck mid-transaction).
HOLD_LOCK = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()
conn.execute("ROLLBACK")
"""
# The old store waited 15 s per step, three steps on an ask path: an agent's hook timed out
# long before. The answer must come well inside this.
HOOK_BUDGET_S = 12


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SAFESH_", "XDG_"))},
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "SAFESH_NONINTERACTIVE": "1",
    }


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    path = tmp_path / "state" / "safesh" / "safesh.db"
    Store(path).close()
    return path


@pytest.fixture
def locked(store_path: Path) -> Iterator[subprocess.Popen[str]]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(store_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    yield holder
    if holder.poll() is None:
        holder.communicate("", timeout=30)


def release(holder: subprocess.Popen[str]) -> None:
    holder.communicate("", timeout=30)


def run(
    argv: list[str] | list[bytes], env: dict[str, str], cwd: Path, stdin: str = ""
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "safesh", *argv],  # type: ignore[list-item]
        env=env,
        cwd=cwd,
        input=stdin.encode(),
        capture_output=True,
        timeout=HOOK_BUDGET_S,
    )


def logged(env: dict[str, str], cwd: Path) -> list[dict[str, object]]:
    out = run(["log", "--json"], env, cwd).stdout.decode()
    return [json.loads(line) for line in out.splitlines()]


def test_an_ask_hook_on_a_locked_store_denies_within_its_budget(
    env: dict[str, str], tmp_path: Path, locked: subprocess.Popen[str]
) -> None:
    result = run(["hook", "codex"], env, tmp_path, payload("codex", ASKS, tmp_path))
    assert result.returncode == 2  # codex's deny: no grant could be read, so none is given


def test_an_ask_hook_on_a_locked_store_spools_its_record_after_one_wait(
    env: dict[str, str], tmp_path: Path, locked: subprocess.Popen[str]
) -> None:
    result = run(["hook", "codex"], env, tmp_path, payload("codex", ASKS, tmp_path))
    # One wait (the approval request), then the record goes straight to the spool: a second
    # attempt would report a second store failure.
    assert result.stderr.count(b"database is locked") == 1, result.stderr
    assert b"the audit record waits in the spool" in result.stderr
    release(locked)
    assert run(["-c", "echo after"], env, tmp_path).returncode == 0
    assert [r["command"] for r in logged(env, tmp_path)] == [ASKS, "echo after"]


def test_an_allowed_command_runs_on_a_locked_store_and_its_record_is_spooled(
    env: dict[str, str], tmp_path: Path, locked: subprocess.Popen[str]
) -> None:
    result = run(["-c", "echo ran"], env, tmp_path)
    assert result.stdout == b"ran\n"
    assert b"spool" in result.stderr
    release(locked)
    assert run(["-c", "echo second"], env, tmp_path).stdout == b"second\n"
    records = [(r["command"], r["note"]) for r in logged(env, tmp_path)]
    assert [command for command, _ in records] == ["echo ran", "echo second"]
    assert "spooled" in str(records[0][1])


def test_a_command_with_a_byte_that_is_not_utf8_is_recorded(
    env: dict[str, str], tmp_path: Path, store_path: Path
) -> None:
    result = run([b"-c", b"echo \xff"], env, tmp_path)
    assert result.returncode == 0
    assert [r["command"] for r in logged(env, tmp_path)] == ["echo \\xff"]


def test_a_hook_command_with_a_lone_surrogate_is_recorded(
    env: dict[str, str], tmp_path: Path, store_path: Path
) -> None:
    stdin = payload("claude-code", "echo \ud800", tmp_path).replace("\\\\ud800", "\\ud800")
    run(["hook", "claude-code"], env, tmp_path, stdin)
    assert [r["command"] for r in logged(env, tmp_path)] == ["echo \\xed\\xa0\\x80"]


def test_record_quietly_spools_then_sends_in_order(tmp_path: Path) -> None:
    with Store(tmp_path / "safesh.db") as opened:
        opened.spool.add(AuditEvent("echo 1", "/p", "allow"), "test")
        opened.spool.add(AuditEvent("echo 2", "/p", "allow"), "test")
        assert record_quietly(AuditEvent("echo 3", "/p", "allow"), store=opened) is not None
        assert [r.command for r in opened.records(LogQuery())] == ["echo 1", "echo 2", "echo 3"]
        assert not opened.spool.pending()
        assert opened.verify().ok
