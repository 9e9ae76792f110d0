"""`Store.verify`: the hash chain names the first record that was edited, deleted or moved."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from safesh.store import AuditEvent, Store, chain_hash


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "safesh.db", user="alice") as opened:
        for n in range(1, 6):
            opened.record(AuditEvent(f"echo {n}", "/work/p", "allow", ("r",)))
        yield opened


def tamper(store: Store, sql: str, *params: object) -> None:
    """Edit the database behind the store's back, as someone with the file would."""
    conn = sqlite3.connect(store.path)
    with conn:
        conn.execute(sql, params)
    conn.close()


def rehash(store: Store, record_id: int) -> None:
    """Recompute one row's own hash after editing it (a smarter forger)."""
    conn = sqlite3.connect(store.path)
    conn.row_factory = sqlite3.Row
    row = dict(conn.execute("SELECT * FROM audit WHERE id = ?", (record_id,)).fetchone())
    row["rules"] = []
    with conn:
        conn.execute(
            "UPDATE audit SET rules = '[]', hash = ? WHERE id = ?", (chain_hash(row), record_id)
        )
    conn.close()


def test_intact_chain_verifies(store: Store) -> None:
    result = store.verify()
    assert (result.ok, result.checked, result.bad_record) == (True, 5, None)


def test_empty_log_verifies(tmp_path: Path) -> None:
    with Store(tmp_path / "empty.db") as empty:
        assert empty.verify().ok


def test_edited_command_is_named(store: Store) -> None:
    tamper(store, "UPDATE audit SET command = 'echo innocent' WHERE id = 3")
    result = store.verify()
    assert (result.ok, result.bad_record) == (False, 3)
    assert "edited" in (result.problem or "")


def test_edited_decision_is_named(store: Store) -> None:
    tamper(store, "UPDATE audit SET decision = 'block' WHERE id = 2")
    assert store.verify().bad_record == 2


def test_edited_and_rehashed_record_is_named_by_its_mac(store: Store) -> None:
    rehash(store, 3)
    result = store.verify()
    assert (result.ok, result.bad_record) == (False, 3)
    assert "MAC" in (result.problem or "")


def test_deleted_record_is_named(store: Store) -> None:
    tamper(store, "DELETE FROM audit WHERE id = 3")
    result = store.verify()
    assert (result.ok, result.bad_record) == (False, 3)
    assert "missing" in (result.problem or "")


def test_deleted_newest_record_is_detected(store: Store) -> None:
    tamper(store, "DELETE FROM audit WHERE id = 5")
    result = store.verify()
    assert (result.ok, result.bad_record) == (False, 5)


def test_deleted_first_record_is_detected(store: Store) -> None:
    tamper(store, "DELETE FROM audit WHERE id = 1")
    assert store.verify().bad_record == 1


def test_reordered_records_are_detected(store: Store) -> None:
    tamper(store, "UPDATE audit SET id = 100 WHERE id = 2")
    tamper(store, "UPDATE audit SET id = 2 WHERE id = 3")
    tamper(store, "UPDATE audit SET id = 3 WHERE id = 100")
    result = store.verify()
    assert (result.ok, result.bad_record) == (False, 2)


def test_edited_exit_status_is_detected(store: Store) -> None:
    store.finish(1, 1, 0.5)
    tamper(store, "UPDATE audit SET exit_status = 0 WHERE kind = 'finish'")
    assert store.verify().bad_record == 6


def test_records_after_tampering_keep_the_evidence(store: Store) -> None:
    tamper(store, "DELETE FROM audit WHERE id = 5")
    store.record(AuditEvent("echo later", "/work/p", "allow"))
    assert store.verify().bad_record == 5


def test_verify_message_names_the_record(store: Store) -> None:
    tamper(store, "UPDATE audit SET cwd = '/' WHERE id = 4")
    assert "record 4" in store.verify().message()
