"""A process that ends right after its decision leaves its store connection to its end
(`Store.leave`) instead of closing it, so the WAL is not checkpointed on every command:
what it recorded is committed and intact for every later reader, many such processes in a
row keep the chain verifiable, and a process that does not end holds at most one. A process
that goes on (a resident judge's child) takes the connection back for its next record, as
long as the path still names the file the connection is on."""

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


def test_a_process_that_goes_on_takes_its_left_connection_back(tmp_path: Path) -> None:
    path = tmp_path / "safesh.db"
    first = Store(path, user="alice")
    first.record(AuditEvent(command="ls", cwd="/", decision="allow"))
    first.leave()
    again = Store(path, user="alice")
    assert again._db._conn is first._db._conn  # type: ignore[attr-defined]
    again.record(AuditEvent(command="git status", cwd="/", decision="allow"))
    again.leave()
    with Store(path, user="alice") as reader:
        assert [r.command for r in reader.records()] == ["ls", "git status"]
        assert reader.verify().ok


@pytest.mark.parametrize("change", ["moved away", "replaced", "removed"])
def test_a_left_connection_is_not_used_once_its_file_is_gone_from_the_path(
    tmp_path: Path, change: str
) -> None:
    path = tmp_path / "state" / "safesh.db"
    store = Store(path, user="alice")
    store.record(AuditEvent(command="ls", cwd="/", decision="allow"))
    store.leave()
    moved = tmp_path / "moved"
    moved.mkdir()
    for part in path.parent.glob("safesh.db*"):
        part.rename(moved / part.name)
    if change == "replaced":
        with Store(path, user="alice") as other:
            other.record(AuditEvent(command="pwd", cwd="/", decision="allow"))
    elif change == "removed":
        for part in moved.glob("safesh.db*"):
            part.unlink()
    with Store(path, user="alice") as again:
        again.record(AuditEvent(command="git status", cwd="/", decision="allow"))
        expected = ["pwd", "git status"] if change == "replaced" else ["git status"]
        assert [r.command for r in again.records()] == expected
    if change != "removed":
        with Store(moved / "safesh.db", user="alice") as old:
            assert [r.command for r in old.records()] == ["ls"]
