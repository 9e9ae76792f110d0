"""The SQLite store: where it lives, how it opens, what a record holds, how the log is read."""

from __future__ import annotations

import json
import re
import sqlite3
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from safesh.store import (
    GENESIS_HASH,
    SCHEMA_VERSION,
    AuditEvent,
    LogQuery,
    Store,
    StoreError,
    chain_hash,
    parse_duration,
)

T0 = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand, so nothing sleeps."""

    def __init__(self, start: datetime = T0) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[Store]:
    with Store(tmp_path / "state" / "safesh.db", now=clock, user="alice") as opened:
        yield opened


def event(command: str = "ls", **fields: object) -> AuditEvent:
    values: dict[str, object] = {"cwd": "/work/p", "decision": "allow"}
    values.update(fields)
    return AuditEvent(command=command, **values)  # type: ignore[arg-type]


def test_default_store_lives_under_xdg_state_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    with Store() as opened:
        opened.record(event())
        assert opened.path == tmp_path / "xdg-state" / "safesh" / "safesh.db"
    assert (tmp_path / "xdg-state" / "safesh" / "safesh.db").is_file()


def test_opening_creates_missing_directories(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "c" / "safesh.db"
    with Store(path):
        pass
    assert path.is_file()


def test_store_file_is_readable_only_by_its_owner(store: Store) -> None:
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


def test_database_is_in_wal_mode(store: Store) -> None:
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_schema_version_is_recorded(store: Store) -> None:
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_reopening_keeps_records(store: Store, clock: Clock) -> None:
    store.record(event("echo one"))
    with Store(store.path, now=clock) as again:
        assert [r.command for r in again.records()] == ["echo one"]


def test_corrupt_database_fails_closed_and_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "safesh.db"
    garbage = b"this is not an sqlite database\n" * 200
    path.write_bytes(garbage)
    with pytest.raises(StoreError) as caught:
        Store(path)
    message = str(caught.value)
    assert str(path) in message
    assert "not a database" in message
    assert path.read_bytes() == garbage
    assert not (tmp_path / "safesh.db-wal").exists()


def test_foreign_sqlite_database_is_refused_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "safesh.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE mine (x)")
        conn.execute("INSERT INTO mine VALUES (42)")
    conn.close()
    with pytest.raises(StoreError, match="not a safesh store"):
        Store(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT x FROM mine").fetchall() == [(42,)]
    conn.close()


def test_newer_schema_version_fails_closed(tmp_path: Path) -> None:
    path = tmp_path / "safesh.db"
    with Store(path):
        pass
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer than this safesh"):
        Store(path)


def test_store_path_under_a_file_raises_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    with pytest.raises(StoreError, match=re.escape(str(blocker))):
        Store(blocker / "safesh.db")


def test_record_keeps_every_field(store: Store) -> None:
    record_id = store.record(
        event(
            "git push --force",
            decision="ask",
            rules=("git.force-push", "git.remote"),
            mode="hook:claude-code",
            outcome="refused",
            agent="claude-code",
            session="s-1",
            approval_id="abcdefgh",
        )
    )
    (record,) = store.records()
    assert record.id == record_id
    assert record.to_dict() | {"hash": None} == {
        "id": record_id,
        "kind": "command",
        "time": "2024-05-01T12:00:00.123Z",
        "command": "git push --force",
        "cwd": "/work/p",
        "user": "alice",
        "decision": "ask",
        "rules": ["git.force-push", "git.remote"],
        "mode": "hook:claude-code",
        "outcome": "refused",
        "agent": "claude-code",
        "session": "s-1",
        "approval_id": "abcdefgh",
        "exit": None,
        "duration": None,
        "note": None,
        "hash": None,
    }


def test_record_time_is_utc_iso_with_milliseconds(store: Store, clock: Clock) -> None:
    clock.moment = datetime(2024, 5, 1, 14, 0, 0, 5000, tzinfo=UTC)
    store.record(event())
    assert store.records()[0].time == "2024-05-01T14:00:00.005Z"


def test_record_ids_increase_by_one(store: Store) -> None:
    ids = [store.record(event(f"echo {n}")) for n in range(5)]
    assert ids == [1, 2, 3, 4, 5]


def test_finish_adds_exit_status_and_duration_to_the_command(store: Store) -> None:
    record_id = store.record(event("make", outcome="ran"))
    store.finish(record_id, 2, 1.5)
    (record,) = store.records()
    assert (record.exit_status, record.duration_s) == (2, 1.5)


def test_finish_keeps_the_chain_verifiable(store: Store) -> None:
    first = store.record(event("make"))
    store.record(event("ls"))
    store.finish(first, 0, 0.25)
    assert store.verify().ok


def test_finish_of_an_unknown_record_raises(store: Store) -> None:
    with pytest.raises(StoreError, match="no command record 99"):
        store.finish(99, 0, 0.1)


def test_finish_records_are_not_listed_on_their_own(store: Store) -> None:
    store.finish(store.record(event("make")), 0, 0.1)
    assert [r.kind for r in store.records()] == ["command"]


def test_records_filter_by_decision(store: Store) -> None:
    store.record(event("ls"))
    store.record(event("rm -rf x", decision="ask"))
    assert [r.command for r in store.records(LogQuery(decision="ask"))] == ["rm -rf x"]


def test_records_filter_by_exact_rule_id(store: Store) -> None:
    store.record(event("a", rules=("fs.rm",)))
    store.record(event("b", rules=("fs.rm-recursive",)))
    store.record(event("c", rules=("fsXrm",)))
    assert [r.command for r in store.records(LogQuery(rule="fs.rm"))] == ["a"]


def test_records_filter_by_cwd_includes_subdirectories_not_siblings(store: Store) -> None:
    store.record(event("a", cwd="/work/p"))
    store.record(event("b", cwd="/work/p/sub"))
    store.record(event("c", cwd="/work/pp"))
    assert [r.command for r in store.records(LogQuery(cwd="/work/p"))] == ["a", "b"]


def test_records_filter_by_grep_ignores_case(store: Store) -> None:
    store.record(event("git STATUS"))
    store.record(event("ls"))
    assert [r.command for r in store.records(LogQuery(grep="status"))] == ["git STATUS"]


def test_records_filter_by_since(store: Store, clock: Clock) -> None:
    store.record(event("old"))
    clock.advance(7200)
    store.record(event("new"))
    since = clock() - timedelta(hours=1)
    assert [r.command for r in store.records(LogQuery(since=since))] == ["new"]


def test_records_limit_keeps_the_newest_oldest_first(store: Store) -> None:
    for n in range(5):
        store.record(event(f"echo {n}"))
    assert [r.command for r in store.records(LogQuery(limit=2))] == ["echo 3", "echo 4"]


def test_recent_prefers_the_same_session(store: Store) -> None:
    store.record(event("other", session="s-2", agent="a"))
    store.record(event("mine", session="s-1", agent="a"))
    recent = store.recent(agent="a", session="s-1", cwd="/work/p")
    assert [r.command for r in recent] == ["mine"]


def test_recent_falls_back_to_the_directory(store: Store) -> None:
    store.record(event("here", cwd="/work/p"))
    store.record(event("elsewhere", cwd="/srv"))
    assert [r.command for r in store.recent(cwd="/work/p")] == ["here"]


def test_export_writes_one_json_object_per_record(store: Store, tmp_path: Path) -> None:
    store.finish(store.record(event("make")), 0, 0.5)
    out = tmp_path / "export.jsonl"
    with out.open("w") as handle:
        assert store.export_jsonl(handle) == 2
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["kind"] for line in lines] == ["command", "finish"]


def test_export_can_be_verified_without_the_database(store: Store, tmp_path: Path) -> None:
    store.finish(store.record(event("make", rules=("r",))), 0, 0.5)
    store.record(event("ls"))
    out = tmp_path / "export.jsonl"
    with out.open("w") as handle:
        store.export_jsonl(handle)
    previous = GENESIS_HASH
    for line in out.read_text().splitlines():
        row = json.loads(line)
        assert row["prev_hash"] == previous
        assert chain_hash(row) == row["hash"]
        previous = row["hash"]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30m", 1800.0), ("1h", 3600.0), ("2d", 172800.0), ("90s", 90.0), ("45", 45.0)],
)
def test_parse_duration_accepts_units(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "h", "-1h", "0m", "soon", "1y"])
def test_parse_duration_rejects_nonsense(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)
