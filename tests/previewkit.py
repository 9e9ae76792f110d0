"""Helpers for the preview and undo tests: throwaway git repositories and a safesh user
whose config and state live under the test's temporary directory.

Destructive programs other than the real `rm` (which the undo tests need, and only ever run
inside a temporary directory under /tmp) are shadowed by stubs that leave a mark."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from userkit import NOT_INHERITED, safesh, user_environment

STUBBED = ("dd", "mkfs", "shred", "wipefs", "terraform", "kubectl", "helm")


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo)},
    )
    return result.stdout


def make_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.email", "dev@example.test")
    git(path, "config", "user.name", "Dev")
    git(path, "config", "commit.gpgsign", "false")
    return path


def commit_file(repo: Path, name: str, text: str, message: str) -> str:
    target = repo / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    git(repo, "add", name)
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def user_env(
    tmp_path: Path, settings: dict[str, str] | None = None, rules: str = ""
) -> dict[str, str]:
    """A user with empty config and state, no terminal, stubs first on PATH, and the given
    `[settings]` and extra `rules` (TOML) in their own rules file."""
    env = user_environment(
        tmp_path, STUBBED, not_inherited=(*NOT_INHERITED, "GIT_"), GIT_CONFIG_NOSYSTEM="1"
    )
    # A generous budget by default: these tests specify what a preview says, and a loaded
    # machine must not turn that into "cut short" (the budget has tests of its own).
    settings = {"preview_budget": "60s", **(settings or {})}
    path = tmp_path / "config" / "safesh" / "rules.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "".join(f"{key} = {json.dumps(value)}\n" for key, value in settings.items())
    path.write_text("[settings]\n" + body + rules)
    return env


def check_json(line: str, cwd: Path, env: dict[str, str]) -> dict[str, Any]:
    result = safesh("check", "--json", "--cwd", str(cwd), line, env=env)
    assert result.returncode in (0, 77), result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under `root` with its content, to compare a tree byte for byte."""
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }
