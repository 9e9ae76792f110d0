"""The audit chain is anchored outside the database (issue 9, item 8): someone who can write the
file can cut its tail and move the head, or edit a record and re-hash everything after it;
`verify` still notices. Pruning keeps the chain verifiable from a signed checkpoint."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from safesh.store import GENESIS_HASH, AuditEvent, LogQuery, Store, StoreError, chain_hash


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "state" / "safesh.db", user="alice") as opened:
        for n in range(1, 7):
            opened.record(AuditEvent(f"echo {n}", "/work/p", "allow", ("r",)))
        yield opened


def rows(path: Path) -> list[dict[str, object]]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    found = [dict(row) for row in conn.execute("SELECT * FROM audit ORDER BY id")]
    conn.close()
    return found


def rewrite_from(path: Path, record_id: int, command: str) -> None:
    """A forger with the file and the code: edit one record, re-hash it and every record after
    it, and move the head - a bare hash chain reads as intact afterwards."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    previous = GENESIS_HASH
    with conn:
        for row in [dict(r) for r in conn.execute("SELECT * FROM audit ORDER BY id")]:
            if row["id"] == record_id:
                row["command"] = command
            if row["id"] >= record_id:
                row["prev_hash"] = previous
                fields = {**row, "rules": json.loads(str(row["rules"]))}
                row["hash"] = chain_hash(fields)
                conn.execute(
                    "UPDATE audit SET command = ?, prev_hash = ?, hash = ? WHERE id = ?",
                    (row["command"], row["prev_hash"], row["hash"], row["id"]),
                )
            previous = str(row["hash"])
        conn.execute("UPDATE chain_head SET hash = ?", (previous,))
    conn.close()


def cut_tail(path: Path, keep: int) -> None:
    """Delete the newest records and move the head back onto the last one kept."""
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("DELETE FROM audit WHERE id > ?", (keep,))
        (digest,) = conn.execute("SELECT hash FROM audit WHERE id = ?", (keep,)).fetchone()
        (mac,) = conn.execute("SELECT mac FROM audit WHERE id = ?", (keep,)).fetchone()
        conn.execute("UPDATE chain_head SET id = ?, hash = ?, mac = ?", (keep, digest, mac))
    conn.close()


def test_a_rewritten_and_rehashed_chain_fails_verify(store: Store) -> None:
    rewrite_from(store.path, 3, "echo innocent")
    result = store.verify()
    assert (result.ok, result.bad_record) == (False, 3)


def test_a_cut_tail_with_the_head_moved_fails_verify(store: Store) -> None:
    cut_tail(store.path, keep=4)
    result = store.verify()
    assert result.ok is False
    assert result.bad_record in (4, 5)


def test_a_cut_tail_is_caught_by_the_anchor_file_even_with_a_valid_head(store: Store) -> None:
    """The head MAC of record 4 was once valid (when 4 was the newest); a copy of the database
    taken then and put back still fails, because the anchor file saw record 6."""
    conn = sqlite3.connect(store.path)
    with conn:
        conn.execute("DELETE FROM audit WHERE id > 4")
        (digest,) = conn.execute("SELECT hash FROM audit WHERE id = 4").fetchone()
        conn.execute(
            "UPDATE chain_head SET id = 4, hash = ?, mac = ?",
            (digest, store.anchor.mac("head", 4, digest)),
        )
    conn.close()
    result = store.verify()
    assert result.ok is False
    assert "anchor" in (result.problem or "")


def test_the_key_is_a_private_file_beside_the_store(store: Store) -> None:
    key = store.path.parent / "audit.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert (store.path.parent / "safesh.db.anchor").is_file()


def test_a_key_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state" / "safesh.db"
    Store(path).close()
    (path.parent / "audit.key").chmod(0o644)
    with pytest.raises(StoreError, match="readable or writable by others"):
        Store(path)


def test_verify_from_the_command_line_names_a_rewrite(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rewrite_from(store.path, 2, "echo nothing to see")
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "xdg"), "XDG_CONFIG_HOME": str(tmp_path)}
    # The default store of that user is this one.
    (tmp_path / "xdg").mkdir()
    (tmp_path / "xdg" / "safesh").symlink_to(store.path.parent)
    result = subprocess.run(
        [sys.executable, "-m", "safesh", "log", "--verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "record 2" in result.stdout + result.stderr


# -- pruning ------------------------------------------------------------------------------------


def test_prune_keeps_the_newest_records_and_the_chain_verifiable(store: Store) -> None:
    assert store.prune(keep=2) == 4
    assert [r.command for r in store.records()] == ["echo 5", "echo 6"]
    result = store.verify()
    assert result.ok, result.message()
    store.record(AuditEvent("echo 7", "/work/p", "allow"))
    assert store.verify().ok


def test_prune_by_age_removes_older_records(tmp_path: Path) -> None:
    moment = [datetime(2026, 1, 1, tzinfo=UTC)]
    with Store(tmp_path / "safesh.db", now=lambda: moment[0]) as opened:
        for day in range(10):
            opened.record(AuditEvent(f"echo {day}", "/p", "allow"))
            moment[0] += timedelta(days=1)
        pruned = opened.prune(before=moment[0] - timedelta(days=3))
        assert pruned == 7
        assert [r.command for r in opened.records()] == ["echo 7", "echo 8", "echo 9"]
        assert opened.verify().ok


def test_an_edited_checkpoint_fails_verify(store: Store) -> None:
    store.prune(keep=3)
    conn = sqlite3.connect(store.path)
    with conn:
        conn.execute("UPDATE checkpoint SET hash = ?", ("f" * 64,))
    conn.close()
    assert store.verify().ok is False


def test_a_tampered_chain_is_not_pruned(store: Store) -> None:
    conn = sqlite3.connect(store.path)
    with conn:
        conn.execute("UPDATE audit SET command = 'echo x' WHERE id = 2")
    conn.close()
    with pytest.raises(StoreError, match="not pruning"):
        store.prune(keep=1)
    assert len(rows(store.path)) == 6


def test_log_prune_follows_the_retention_settings(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SAFESH_", "XDG_"))},
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    rules = tmp_path / "config" / "safesh" / "rules.toml"
    rules.parent.mkdir(parents=True)
    rules.write_text('[settings]\naudit_max_records = "3"\n')
    with Store(tmp_path / "state" / "safesh" / "safesh.db") as opened:
        for n in range(8):
            opened.record(AuditEvent(f"echo {n}", "/p", "allow"))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "safesh", "log", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert run("--prune").returncode == 0
    listed = [json.loads(line)["command"] for line in run("--json").stdout.splitlines()]
    assert listed == ["echo 5", "echo 6", "echo 7"]  # the prune's own record is not listed
    assert run("--verify").returncode == 0


# -- an existing store is upgraded and sealed ----------------------------------------------------

V1_SCHEMA = [
    "CREATE TABLE audit (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, ref INTEGER, time TEXT "
    "NOT NULL, cwd TEXT, user TEXT, command TEXT, decision TEXT, rules TEXT, mode TEXT, agent "
    "TEXT, session TEXT, approval_id TEXT, outcome TEXT, exit_status INTEGER, duration_s REAL, "
    "note TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)",
    "CREATE TABLE chain_head (one INTEGER PRIMARY KEY CHECK (one = 1), id INTEGER NOT NULL, "
    "hash TEXT NOT NULL)",
    "CREATE TABLE approvals (id TEXT PRIMARY KEY, command TEXT NOT NULL, cwd TEXT NOT NULL, "
    "fingerprint TEXT NOT NULL, rule_ids TEXT NOT NULL, reason TEXT NOT NULL, tier TEXT NOT "
    "NULL, agent TEXT, session TEXT, created TEXT NOT NULL, expires TEXT NOT NULL, status TEXT "
    "NOT NULL, decided_at TEXT, decided_by TEXT, grant_kind TEXT, grant_until TEXT, deny_reason "
    "TEXT, used_at TEXT)",
]


def test_a_version_1_store_is_upgraded_and_still_verifies(tmp_path: Path) -> None:
    path = tmp_path / "safesh.db"
    conn = sqlite3.connect(path)
    for statement in V1_SCHEMA:
        conn.execute(statement)
    fields: dict[str, object] = dict.fromkeys(
        ("ref", "cwd", "user", "decision", "mode", "agent", "session", "approval_id"), None
    )
    fields.update(
        id=1,
        kind="command",
        time="2025-01-01T00:00:00.000Z",
        command="ls",
        rules=[],
        outcome="ran",
        exit_status=None,
        duration_s=None,
        note=None,
        prev_hash=GENESIS_HASH,
    )
    digest = chain_hash(fields)
    conn.execute(
        "INSERT INTO audit (id, kind, time, command, rules, outcome, prev_hash, hash) "
        "VALUES (1, 'command', ?, 'ls', '[]', 'ran', ?, ?)",
        (fields["time"], GENESIS_HASH, digest),
    )
    conn.execute("INSERT INTO chain_head VALUES (1, 1, ?)", (digest,))
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with Store(path) as opened:
        assert opened.verify().ok
        opened.record(AuditEvent("pwd", "/", "allow"))
        assert [r.command for r in opened.records(LogQuery())] == ["ls", "pwd"]
        assert opened.verify().ok
