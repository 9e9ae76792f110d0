"""Every hook route leaves a way forward when no human is at the agent's dialog: the ask
becomes a pending approval whose id reaches the model in the agent's own format, and the
identical command runs once after a human approves. What the agent reports afterwards
(PostToolUse, PostToolUseFailure, AfterTool) is recorded in the audit log."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from test_hook_approvals import approvals, approve, listing
from test_hook_end_to_end import ASKS, hook, payload

from safesh.agents.protocols import ask_on_the_spot, decode_payload, tool_result

ROOT = Path(__file__).resolve().parent.parent
POST = json.loads(
    (Path(__file__).parent / "fixtures" / "agent-lines" / "post-events.json").read_text()
)
HEADLESS_CLAUDE = {"CLAUDE_CODE_ENTRYPOINT": "sdk-cli"}  # what `claude -p` 2.1.197 sets


def log(tmp_path: Path) -> list[dict[str, Any]]:
    listed = listing(tmp_path, "log", "--json")
    return [json.loads(line) for line in listed.splitlines() if line.strip()]


def claude_answer(result: subprocess.CompletedProcess[str]) -> tuple[str, str]:
    output = json.loads(result.stdout)["hookSpecificOutput"]
    return output["permissionDecision"], output["permissionDecisionReason"]


# ------------------------------------------------------------------ who can answer an ask


def test_claude_asks_its_dialog_when_run_interactively() -> None:
    assert ask_on_the_spot("claude-code", {"CLAUDE_CODE_ENTRYPOINT": "cli"})


@pytest.mark.parametrize("entrypoint", ["sdk-cli", "sdk-ts", "sdk-py"])
def test_claude_headless_and_sdk_runs_have_no_one_at_the_dialog(entrypoint: str) -> None:
    assert not ask_on_the_spot("claude-code", {"CLAUDE_CODE_ENTRYPOINT": entrypoint})


@pytest.mark.parametrize("agent", ["gemini-cli", "codex", "copilot-cli"])
def test_agents_whose_hook_cannot_ask_a_human_now(agent: str) -> None:
    assert not ask_on_the_spot(agent, {})


# ------------------------------------------------------------------ headless ask, approve, rerun


def test_claude_headless_ask_is_a_deny_naming_the_request(tmp_path: Path) -> None:
    result = hook(
        "claude-code", payload("claude-code", ASKS, tmp_path), tmp_path, **HEADLESS_CLAUDE
    )
    decision, reason = claude_answer(result)
    [pending] = approvals(tmp_path)
    assert decision == "deny" and result.returncode == 2
    assert f"safesh approve {pending['id']}" in reason
    assert "run the identical command again" in reason


def test_claude_headless_command_runs_once_after_approval(tmp_path: Path) -> None:
    hook("claude-code", payload("claude-code", ASKS, tmp_path), tmp_path, **HEADLESS_CLAUDE)
    approve(approvals(tmp_path)[0]["id"], tmp_path)
    again = hook("claude-code", payload("claude-code", ASKS, tmp_path), tmp_path, **HEADLESS_CLAUDE)
    assert claude_answer(again)[0] == "allow"
    third = hook("claude-code", payload("claude-code", ASKS, tmp_path), tmp_path, **HEADLESS_CLAUDE)
    assert claude_answer(third)[0] == "deny"


def test_an_approved_command_passing_a_hook_is_recorded_as_approved(tmp_path: Path) -> None:
    hook("codex", payload("codex", ASKS, tmp_path), tmp_path)
    approve(approvals(tmp_path)[0]["id"], tmp_path)
    hook("codex", payload("codex", ASKS, tmp_path), tmp_path)
    hook_records = [r for r in log(tmp_path) if r.get("mode") == "hook:codex"]
    assert [r["outcome"] for r in hook_records] == ["refused", "approved"]


def test_gemini_ask_in_any_mode_is_a_deny_naming_the_request(tmp_path: Path) -> None:
    result = hook("gemini-cli", payload("gemini-cli", ASKS, tmp_path), tmp_path)
    output = json.loads(result.stdout)
    [pending] = approvals(tmp_path)
    assert output["decision"] == "deny"
    assert f"safesh approve {pending['id']}" in output["reason"]


def test_gemini_command_runs_once_after_approval(tmp_path: Path) -> None:
    hook("gemini-cli", payload("gemini-cli", ASKS, tmp_path), tmp_path)
    approve(approvals(tmp_path)[0]["id"], tmp_path)
    again = json.loads(hook("gemini-cli", payload("gemini-cli", ASKS, tmp_path), tmp_path).stdout)
    assert again["decision"] == "allow"


def test_cursor_asks_and_tells_the_model_the_request_for_when_no_one_answers(
    tmp_path: Path,
) -> None:
    output = json.loads(hook("cursor", payload("cursor", ASKS, tmp_path), tmp_path).stdout)
    [pending] = approvals(tmp_path)
    assert output["permission"] == "ask"
    assert f"safesh approve {pending['id']}" in output["agent_message"]


def test_copilot_command_runs_once_after_approval(tmp_path: Path) -> None:
    first = json.loads(hook("copilot-cli", payload("copilot-cli", ASKS, tmp_path), tmp_path).stdout)
    [pending] = approvals(tmp_path)
    assert pending["id"] in first["permissionDecisionReason"]
    approve(pending["id"], tmp_path)
    again = hook("copilot-cli", payload("copilot-cli", ASKS, tmp_path), tmp_path)
    assert again.stdout == "" and again.returncode == 0


# ------------------------------------------------------------------ what happened afterwards


@pytest.mark.parametrize(
    ("name", "agent", "outcome", "exit_status"),
    [
        ("claude-post-tool-use", "claude-code", "ran", 0),
        ("claude-post-tool-use-failure", "claude-code", "ran", 2),
        ("gemini-after-tool", "gemini-cli", "ran", 0),
        ("gemini-after-tool-failure", "gemini-cli", "ran", 2),
        ("codex-post-tool-use", "codex", "ran", None),
    ],
)
def test_recorded_post_execution_payloads_give_the_outcome(
    name: str, agent: str, outcome: str, exit_status: int | None
) -> None:
    request = decode_payload(agent, json.dumps(POST[name]))
    assert request.is_post
    assert request.result is not None
    assert (request.result.outcome, request.result.exit_status) == (outcome, exit_status)


def test_an_interrupted_claude_command_is_recorded_as_interrupted() -> None:
    data = {**POST["claude-post-tool-use-failure"], "is_interrupt": True}
    assert tool_result("PostToolUseFailure", data).outcome == "interrupted"


def test_post_hook_answers_nothing_and_records_the_exit_status(tmp_path: Path) -> None:
    data = {**POST["claude-post-tool-use-failure"], "cwd": str(tmp_path)}
    result = hook("claude-code", json.dumps(data), tmp_path)
    assert (result.stdout, result.returncode) == ("", 0)
    [record] = log(tmp_path)
    assert record["command"] == "ls /nonexistent-dir-xyz"
    assert (record["outcome"], record["exit"]) == ("ran", 2)
    assert record["mode"] == "hook:claude-code:PostToolUseFailure"
