"""`safesh trust` and its record (safesh/rules/trust.py, safesh/commands/trust.py)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from safesh.cli.commands.trust import command
from safesh.rules import trust


@pytest.fixture(autouse=True)
def human_at_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests play a human in a terminal of their own (who may grant: test_grants.py)."""
    from safesh.agents import session

    monkeypatch.setattr(session, "agent_session", lambda *_args, **_kwargs: None)
    monkeypatch.setattr(session, "has_terminal", lambda: True)


@pytest.fixture
def record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path / "state" / "safesh" / "trusted.json"


def project(tmp_path: Path, text: str = 'profile = "strict"\n') -> Path:
    path = tmp_path / "repo" / ".safesh.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_trust_records_the_place_and_the_sha256(tmp_path: Path, record: Path) -> None:
    path = project(tmp_path)
    result = CliRunner().invoke(command, [str(path)])
    assert result.exit_code == 0, result.output
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert trust.trusted_files(record) == {(str(path.resolve()), digest)}


def test_trust_defaults_to_the_project_file_above_cwd(
    tmp_path: Path, record: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = project(tmp_path)
    (path.parent / "sub").mkdir()
    monkeypatch.chdir(path.parent / "sub")
    assert CliRunner().invoke(command, []).exit_code == 0
    assert json.loads(record.read_text())["trusted"][0]["path"] == str(path.resolve())


def test_trust_keeps_existing_entries(tmp_path: Path, record: Path) -> None:
    first = project(tmp_path / "a")
    second = project(tmp_path / "b", 'profile = "default"\n')
    trust.trust(first, record)
    trust.trust(second, record)
    assert len(trust.read_entries(record)) == 2


def test_trust_refuses_an_invalid_file(tmp_path: Path, record: Path) -> None:
    path = project(tmp_path, "profile = 'lax'\n")
    result = CliRunner().invoke(command, [str(path)])
    assert result.exit_code != 0 and "unknown profile" in result.output
    assert not record.exists()


def test_list_shows_entries(tmp_path: Path, record: Path) -> None:
    path = project(tmp_path)
    trust.trust(path, record)
    assert str(path.resolve()) in CliRunner().invoke(command, ["--list"]).output


def test_revoke_removes_the_files_entries(tmp_path: Path, record: Path) -> None:
    path = project(tmp_path)
    trust.trust(path, record)
    path.write_text('profile = "default"\n')  # edited since: the old entry is found by path
    result = CliRunner().invoke(command, ["--revoke", str(path)])
    assert result.exit_code == 0 and trust.read_entries(record) == ()


def test_damaged_record_trusts_nothing(record: Path) -> None:
    record.parent.mkdir(parents=True)
    record.write_text("{not json")
    assert trust.trusted_files(record) == frozenset()


def test_no_project_file_is_a_usage_error(
    tmp_path: Path, record: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(command, []).exit_code == 2
