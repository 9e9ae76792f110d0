"""`safesh paths`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from safesh.cli.commands.paths import command


@pytest.fixture(autouse=True)
def xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("CONFIG", "STATE", "CACHE"):
        monkeypatch.setenv(f"XDG_{name}_HOME", str(tmp_path / name.lower()))
    return tmp_path


def test_paths_json_follows_xdg_directories(xdg: Path) -> None:
    result = CliRunner().invoke(command, ["--json"])
    assert result.exit_code == 0
    assert json.loads(result.output) == {
        "config_dir": str(xdg / "config" / "safesh"),
        "user_rules": str(xdg / "config" / "safesh" / "rules.toml"),
        "state_dir": str(xdg / "state" / "safesh"),
        "store": str(xdg / "state" / "safesh" / "safesh.db"),
        "history": str(xdg / "state" / "safesh" / "history"),
        "cache_dir": str(xdg / "cache" / "safesh"),
    }


def test_paths_prints_one_labelled_line_each(xdg: Path) -> None:
    result = CliRunner().invoke(command, [])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert len(lines) == 6
    assert lines[3].startswith("store") and lines[3].endswith(str(xdg / "state/safesh/safesh.db"))


def test_paths_does_not_create_anything(xdg: Path) -> None:
    CliRunner().invoke(command, [])
    assert sorted(p.name for p in xdg.iterdir()) == []
