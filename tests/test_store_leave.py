"""A process that ends right after its decision leaves its store connection to its end
(`Store.leave`) instead of closing it, so the WAL is not checkpointed on every command:
what it recorded is committed and intact for every later reader, many such processes in a
row keep the chain verifiable, and a process that does not end holds at most one."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from safesh.store import AuditEvent, Store

# A process that records one event, leaves the connection and ends without any tear-down,
# as `safesh -c` does before it execs the command or exits.
_RECORD_AND_END = """
import os, sys
from safesh.store import AuditEvent, Store
store = Store(sys.argv[1], user="alice")
store.record(AuditEvent(command=sys.argv[2], cwd="/work/p", decision="allow"))
store.leave()
os._exit(0)
"""


def _record_in_a_process_that_ends(path: Path, command: str) -> None:
    subprocess.run([sys.executable, "-c", _RECORD_AND_END, str(path), command], check=True)


def test_what_a_process_recorded_before_leaving_is_read_by_the_next(tmp_path: Path) -> None:
    path = tmp_path / "state" / "safesh.db"
    for command in ("ls", "git status", "pytest -q"):
        _record_in_a_process_that_ends(path, command)
    with Store(path, user="alice") as store:
        assert [r.command for r in store.records()] == ["ls", "git status", "pytest -q"]
        result = store.verify()
    assert result.ok, result.message()


def test_a_process_that_does_not_end_keeps_at_most_one_connection(tmp_path: Path) -> None:
    path = tmp_path / "safesh.db"
    first, second = Store(path, user="alice"), Store(path, user="alice")
    first.record(AuditEvent(command="ls", cwd="/", decision="allow"))
    first.leave()
    second.leave()
    with pytest.raises(sqlite3.ProgrammingError):  # the first was closed by the second leave
        first._db._conn.execute("SELECT 1")  # type: ignore[attr-defined]
    with Store(path, user="alice") as reader:
        assert [r.command for r in reader.records()] == ["ls"]
