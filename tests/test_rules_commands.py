"""`safesh rules list|test` (safesh/commands/rules.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from safesh.cli.commands.rules import group


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name))
    monkeypatch.chdir(tmp_path)


def test_list_json_has_every_rule() -> None:
    result = CliRunner().invoke(group, ["list", "--json"])
    rules = json.loads(result.output)["rules"]
    assert {"id", "tier", "pack", "reason"} <= set(rules[0])
    assert "git.push-force" in {r["id"] for r in rules}


def test_list_prints_id_tier_pack_reason() -> None:
    line = next(
        x for x in CliRunner().invoke(group, ["list"]).output.splitlines() if "git.push-force" in x
    )
    assert "ask" in line and "git" in line and "Force-pushing" in line


def test_test_passes_on_the_builtin_rules() -> None:
    result = CliRunner().invoke(group, ["test"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].endswith("passed, 0 failed")


def test_test_reports_a_failing_example_and_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        '[[rule]]\nid = "mine.ls"\nreason = "r"\ntier = "ask"\ncommand = ["ls"]\n'
        'match = ["ls -la", "pwd"]\nnot_match = ["ls"]\n'
    )
    result = CliRunner().invoke(group, ["test", str(path)])
    assert result.exit_code == 1
    assert "FAIL mine.ls: match example 'pwd'" in result.output
    assert "FAIL mine.ls: not_match example 'ls'" in result.output
    assert result.output.strip().splitlines()[-1] == "1 passed, 2 failed"


def test_test_reports_an_invalid_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[[rule]]\nid = "x.y"\n')
    result = CliRunner().invoke(group, ["test", str(path)])
    assert result.exit_code == 1 and "bad.toml:2: rule 'x.y'" in result.output
