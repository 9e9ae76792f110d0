"""The in-process rules memo: reused while every rules file keeps its identity, never after an
edit, a new project file or a change of trust."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import safesh
from safesh.rules import memo

OLD = 1_600_000_000  # an mtime far in the past
NO_LS = '[[rule]]\nid = "{id}"\nreason = "no"\ntier = "block"\ncommand = ["ls"]\nmatch = ["ls"]\n'


@pytest.fixture
def user_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("HOME", str(tmp_path))
    memo.clear()
    path = tmp_path / "config" / "safesh" / "rules.toml"
    path.parent.mkdir(parents=True)
    return path


def write(path: Path, text: str, mtime: int) -> None:
    path.write_text(text)
    os.utime(path, (mtime, mtime))


def test_an_unchanged_rules_file_is_loaded_once(
    user_rules: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Just written, the file's ctime is young (and cannot be set back): trust it at once.
    monkeypatch.setattr(memo, "RACY_SECONDS", 0.0)
    write(user_rules, "profile = 'default'\n", OLD)
    first = memo.load_ruleset_memoised(str(tmp_path))
    assert memo.load_ruleset_memoised(str(tmp_path)) is first


def test_an_edited_rules_file_is_read_again(user_rules: Path, tmp_path: Path) -> None:
    write(user_rules, "profile = 'default'\n", OLD)
    assert safesh.check("ls", cwd=str(tmp_path)).decision == "allow"
    rule = NO_LS.format(id="my.no-ls")
    write(user_rules, rule, OLD + 1)
    assert safesh.check("ls", cwd=str(tmp_path)).decision == "block"


def test_an_edit_keeping_size_and_mtime_is_seen_while_the_file_is_young(
    user_rules: Path, tmp_path: Path
) -> None:
    """Within one mtime tick an edit may keep size and mtime: a young file is never memoised."""
    allow = '[overrides]\n"git.push-force" = "allow"\n'
    block = '[overrides]\n"git.push-force" = "block"\n'
    assert len(allow) == len(block)
    now = int(os.stat(user_rules.parent).st_mtime)
    write(user_rules, allow, now)
    assert safesh.check("git push --force", cwd=str(tmp_path)).decision == "allow"
    write(user_rules, block, now)
    assert safesh.check("git push --force", cwd=str(tmp_path)).decision == "block"


def test_an_edit_that_sets_the_old_mtime_back_is_seen(user_rules: Path, tmp_path: Path) -> None:
    """`cp -p`, `touch -d` or a tool restoring times: same size, same mtime, new content."""
    allow = '[overrides]\n"git.push-force" = "allow"\n'
    block = '[overrides]\n"git.push-force" = "block"\n'
    write(user_rules, allow, OLD)
    assert safesh.check("git push --force", cwd=str(tmp_path)).decision == "allow"
    write(user_rules, block, OLD)
    assert safesh.check("git push --force", cwd=str(tmp_path)).decision == "block"


def test_a_new_project_file_is_seen(user_rules: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    assert safesh.check("ls", cwd=str(project)).decision == "allow"
    rule = NO_LS.format(id="proj.no-ls")
    write(project / ".safesh.toml", rule, OLD)
    assert safesh.check("ls", cwd=str(project)).decision == "block"


def test_removing_a_rules_file_is_seen(user_rules: Path, tmp_path: Path) -> None:
    rule = NO_LS.format(id="my.no-ls")
    write(user_rules, rule, OLD)
    assert safesh.check("ls", cwd=str(tmp_path)).decision == "block"
    user_rules.unlink()
    assert safesh.check("ls", cwd=str(tmp_path)).decision == "allow"
