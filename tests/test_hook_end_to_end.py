"""`python3 -m safesh hook AGENT < payload` with the real rules: exact output and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import hookkit
import pytest

ROOT = Path(__file__).resolve().parent.parent
ALLOWED = "ls -la"
ASKS = "git push --force origin main"
BLOCKED = "rm -rf /"


def payload(agent: str, command: str, cwd: Path) -> str:
    return json.dumps(hookkit.payload(agent, command, cwd))


def hook(agent: str, stdin: str, tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    """The hook as the agent starts it; `extra` is what the agent adds to the environment
    (e.g. CLAUDE_CODE_ENTRYPOINT), and nothing of the kind leaks in from this process."""
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("CLAUDE_CODE_ENTRYPOINT", "CI")},
        **extra,
        "PYTHONPATH": str(ROOT),
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }
    return subprocess.run(
        [sys.executable, "-m", "safesh", "hook", agent],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )


def claude_output(decision: str, reason_part: str, result: Any) -> None:
    output = json.loads(result.stdout)
    assert set(output) == {"hookSpecificOutput"}
    inner = output["hookSpecificOutput"]
    assert set(inner) == {"hookEventName", "permissionDecision", "permissionDecisionReason"}
    assert (inner["hookEventName"], inner["permissionDecision"]) == ("PreToolUse", decision)
    assert reason_part in inner["permissionDecisionReason"]


def test_claude_allow(tmp_path: Path) -> None:
    result = hook("claude-code", payload("claude-code", ALLOWED, tmp_path), tmp_path)
    claude_output("allow", "safesh", result)
    assert (result.returncode, result.stderr) == (0, "")


def test_claude_ask(tmp_path: Path) -> None:
    result = hook("claude-code", payload("claude-code", ASKS, tmp_path), tmp_path)
    claude_output("ask", "[git.push-force]", result)
    assert result.returncode == 0


def test_claude_deny_exits_2_with_the_reason_on_stderr(tmp_path: Path) -> None:
    result = hook("claude-code", payload("claude-code", BLOCKED, tmp_path), tmp_path)
    claude_output("deny", "[fs.rm-root]", result)
    assert result.returncode == 2
    assert "[fs.rm-root]" in result.stderr


def test_claude_bad_payload_is_denied(tmp_path: Path) -> None:
    result = hook("claude-code", "this is not json", tmp_path)
    claude_output("deny", "unreadable hook payload", result)
    assert result.returncode == 2


def test_claude_short_alias_works(tmp_path: Path) -> None:
    result = hook("claude", payload("claude-code", ALLOWED, tmp_path), tmp_path)
    claude_output("allow", "safesh", result)


def test_codex_allow_is_an_empty_object(tmp_path: Path) -> None:
    result = hook("codex", payload("codex", ALLOWED, tmp_path), tmp_path)
    assert (result.stdout, result.returncode) == ("{}\n", 0)


def test_codex_ask_is_a_deny_asking_for_a_human(tmp_path: Path) -> None:
    result = hook("codex", payload("codex", ASKS, tmp_path), tmp_path)
    claude_output("deny", "needs human approval", result)
    assert result.returncode == 2


def test_gemini_deny(tmp_path: Path) -> None:
    result = hook("gemini-cli", payload("gemini-cli", BLOCKED, tmp_path), tmp_path)
    output = json.loads(result.stdout)
    assert (set(output), output["decision"], result.returncode) == (
        {"decision", "reason"},
        "deny",
        2,
    )


def test_cursor_allow(tmp_path: Path) -> None:
    result = hook("cursor", payload("cursor", ALLOWED, tmp_path), tmp_path)
    assert (json.loads(result.stdout), result.returncode) == ({"permission": "allow"}, 0)


def test_cursor_deny(tmp_path: Path) -> None:
    result = hook("cursor", payload("cursor", BLOCKED, tmp_path), tmp_path)
    output = json.loads(result.stdout)
    assert (output["permission"], result.returncode) == ("deny", 0)
    assert "[fs.rm-root]" in output["agent_message"]


def test_copilot_allow_prints_nothing(tmp_path: Path) -> None:
    result = hook("copilot-cli", payload("copilot-cli", ALLOWED, tmp_path), tmp_path)
    assert (result.stdout, result.returncode) == ("", 0)


def test_copilot_deny(tmp_path: Path) -> None:
    result = hook("copilot-cli", payload("copilot-cli", BLOCKED, tmp_path), tmp_path)
    output = json.loads(result.stdout)
    assert (output["permissionDecision"], result.returncode) == ("deny", 0)


@pytest.mark.parametrize("agent", list(hookkit.INPUTS))
def test_non_shell_tool_gets_no_decision(agent: str, tmp_path: Path) -> None:
    data = json.loads(payload(agent, ALLOWED, tmp_path))
    if agent == "cursor":
        data["hook_event_name"] = "beforeReadFile"
    else:
        data["toolName" if agent == "copilot-cli" else "tool_name"] = "Read"
    result = hook(agent, json.dumps(data), tmp_path)
    assert result.returncode == 0
    assert result.stdout in ("", "{}\n")
