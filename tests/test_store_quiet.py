"""`record_quietly` / `finish_quietly`: the log can fail, the allowed command must not."""

from __future__ import annotations

from pathlib import Path

import pytest

from safesh.store import AuditEvent, Store, finish_quietly, record_quietly

EVENT = AuditEvent("ls", "/work/p", "allow", outcome="ran")


def test_record_quietly_returns_the_record_id(tmp_path: Path) -> None:
    assert record_quietly(EVENT, path=tmp_path / "safesh.db") == 1


def test_record_quietly_uses_the_default_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    record_quietly(EVENT)
    with Store() as store:
        assert [r.command for r in store.records()] == ["ls"]


def test_unwritable_state_dir_is_reported_on_stderr_and_returns_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A file where the state directory should be: as unwritable as it gets, even for root.
    (tmp_path / "safesh").write_text("in the way")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert record_quietly(EVENT) is None
    err = capsys.readouterr().err
    assert err.startswith(
        f"safesh: could not write the audit log at {tmp_path / 'safesh' / 'safesh.db'}: "
    )
    assert err.count("\n") == 1


def test_corrupt_store_is_reported_and_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "safesh.db"
    path.write_bytes(b"garbage" * 1000)
    assert record_quietly(EVENT, path=path) is None
    assert "not a database" in capsys.readouterr().err
    assert path.read_bytes() == b"garbage" * 1000


def test_finish_quietly_ignores_a_missing_record_id(tmp_path: Path) -> None:
    finish_quietly(None, 0, 0.1, path=tmp_path / "nothing" / "safesh.db")
    assert not (tmp_path / "nothing").exists()


def test_finish_quietly_reports_an_unknown_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    finish_quietly(42, 0, 0.1, path=tmp_path / "safesh.db")
    assert "no command record 42" in capsys.readouterr().err


def test_finish_quietly_completes_a_record(tmp_path: Path) -> None:
    path = tmp_path / "safesh.db"
    finish_quietly(record_quietly(EVENT, path=path), 3, 0.2, path=path)
    with Store(path) as store:
        assert store.records()[0].exit_status == 3
