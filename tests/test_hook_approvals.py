"""Agents without an "ask" of their own (Codex, Copilot CLI) use safesh's approvals: the
hook leaves a request, a human approves it, and the identical command is then allowed once."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from human_terminal import in_a_terminal, needs_human_session
from test_hook_end_to_end import ASKS, hook, payload

pytestmark = needs_human_session

ROOT = Path(__file__).resolve().parent.parent


def user_env(tmp_path: Path) -> dict[str, str]:
    """The hook tests' user: home and safesh's directories under `tmp_path`."""
    return {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }


def listing(tmp_path: Path, *args: str) -> str:
    """What `safesh ARGS` prints for that user (it must succeed)."""
    listed = subprocess.run(
        [sys.executable, "-m", "safesh", *args],
        capture_output=True,
        text=True,
        env=user_env(tmp_path),
        timeout=60,
        check=True,
    )
    return listed.stdout


def approvals(tmp_path: Path) -> list[dict[str, str]]:
    result: list[dict[str, str]] = json.loads(listing(tmp_path, "approvals", "--json"))
    return result


def approve(approval_id: str, tmp_path: Path) -> None:
    command = [sys.executable, "-m", "safesh", "approve", approval_id]
    result = in_a_terminal(command, user_env(tmp_path))
    assert result.returncode == 0, result.stderr


def test_codex_ask_leaves_a_request_named_in_the_deny_reason(tmp_path: Path) -> None:
    result = hook("codex", payload("codex", ASKS, tmp_path), tmp_path)
    pending = approvals(tmp_path)
    assert [p["command"] for p in pending] == [ASKS]
    assert f"safesh approve {pending[0]['id']}" in result.stdout + result.stderr


def test_codex_command_runs_once_after_a_human_approves(tmp_path: Path) -> None:
    hook("codex", payload("codex", ASKS, tmp_path), tmp_path)
    approve(approvals(tmp_path)[0]["id"], tmp_path)
    allowed = hook("codex", payload("codex", ASKS, tmp_path), tmp_path)
    assert allowed.returncode == 0
    assert "deny" not in allowed.stdout
    again = hook("codex", payload("codex", ASKS, tmp_path), tmp_path)
    assert again.returncode == 2


def test_claude_code_asks_its_own_user_and_leaves_no_request(tmp_path: Path) -> None:
    result = hook("claude-code", payload("claude-code", ASKS, tmp_path), tmp_path)
    assert json.loads(result.stdout)["hookSpecificOutput"]["permissionDecision"] == "ask"
    assert approvals(tmp_path) == []
