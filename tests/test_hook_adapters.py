"""The pure hook adapters: each agent's real payload in, each agent's exact answer out.

Payload and answer shapes come from tests/fixtures/agent-protocols/ (copied from the protocol
notes; see the README there)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hookkit import FIXTURES, INPUTS

from safesh.agents.protocols import (
    AGENTS,
    Concern,
    HookPayloadError,
    UnknownAgentError,
    canonical_agent,
    compose_reason,
    decode_payload,
    encode_response,
)

FIXTURE_COMMAND = "rm -rf build/ && npm run build"
RM = Concern("fs.rm-recursive", "Recursive delete", "move it to the trash")


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def raw_input(agent: str) -> str:
    return (FIXTURES / INPUTS[agent]).read_text()


# ------------------------------------------------------------------ decoding real payloads


@pytest.mark.parametrize("agent", AGENTS)
def test_decode_reads_the_command_from_each_agents_real_payload(agent: str) -> None:
    request = decode_payload(agent, raw_input(agent))
    assert request.command == FIXTURE_COMMAND
    assert request.agent == agent


@pytest.mark.parametrize("agent", ["claude-code", "codex", "cursor", "copilot-cli"])
def test_decode_takes_cwd_from_the_payload(agent: str) -> None:
    assert decode_payload(agent, raw_input(agent)).cwd == "/home/user/my-project"


def test_decode_gemini_joins_dir_path_to_cwd() -> None:
    data = fixture(INPUTS["gemini-cli"])
    data["tool_input"]["dir_path"] = "packages/web"
    assert decode_payload("gemini-cli", json.dumps(data)).cwd == (
        "/home/user/my-project/packages/web"
    )


@pytest.mark.parametrize(
    ("agent", "session"),
    [
        ("claude-code", "abc123"),
        ("codex", "0198c2a4-7b1e-7c3d-9e8f-0a1b2c3d4e5f"),
        ("gemini-cli", "6f1c2d3e-4b5a-6789-abcd-ef0123456789"),
        ("cursor", "8c0f3b8e-2f4c-4a0e-9d55-1b2c3d4e5f60"),
    ],
)
def test_decode_exposes_the_session_id_for_the_audit_record(agent: str, session: str) -> None:
    assert decode_payload(agent, raw_input(agent)).session_id == session


def test_decode_copilot_accepts_tool_args_as_an_object() -> None:
    data = fixture(INPUTS["copilot-cli"])
    data["toolArgs"] = {"command": "ls -la"}
    assert decode_payload("copilot-cli", json.dumps(data)).command == "ls -la"


def test_decode_copilot_accepts_tool_args_as_a_json_string() -> None:
    data = fixture(INPUTS["copilot-cli"])
    assert isinstance(data["toolArgs"], str)
    assert decode_payload("copilot-cli", json.dumps(data)).command == FIXTURE_COMMAND


def test_decode_accepts_an_argv_list_as_the_line_it_runs() -> None:
    data = fixture(INPUTS["codex"])
    data["tool_input"]["command"] = ["bash", "-lc", "rm -rf /tmp/x"]
    assert decode_payload("codex", json.dumps(data)).command == "bash -lc 'rm -rf /tmp/x'"


@pytest.mark.parametrize(
    ("agent", "field", "value"),
    [
        ("claude-code", "tool_name", "Read"),
        ("codex", "tool_name", "apply_patch"),
        ("gemini-cli", "tool_name", "read_file"),
        ("copilot-cli", "toolName", "edit"),
    ],
)
def test_decode_another_tool_is_not_a_shell_command(agent: str, field: str, value: str) -> None:
    data = fixture(INPUTS[agent])
    data[field] = value
    request = decode_payload(agent, json.dumps(data))
    assert request.command is None
    assert request.tool_name == value


def test_decode_cursor_other_event_is_not_a_shell_command() -> None:
    data = fixture(INPUTS["cursor"])
    data["hook_event_name"] = "beforeReadFile"
    assert decode_payload("cursor", json.dumps(data)).command is None


@pytest.mark.parametrize("agent", AGENTS)
@pytest.mark.parametrize("raw", ["", "not json", "[1, 2]", '{"tool_name": '])
def test_decode_rejects_a_payload_that_is_not_a_json_object(agent: str, raw: str) -> None:
    with pytest.raises(HookPayloadError):
        decode_payload(agent, raw)


@pytest.mark.parametrize("agent", ["claude-code", "codex", "gemini-cli"])
def test_decode_rejects_a_shell_call_without_a_command(agent: str) -> None:
    data = fixture(INPUTS[agent])
    del data["tool_input"]["command"]
    with pytest.raises(HookPayloadError, match="command"):
        decode_payload(agent, json.dumps(data))


def test_decode_rejects_a_missing_tool_name() -> None:
    data = fixture(INPUTS["claude-code"])
    del data["tool_name"]
    with pytest.raises(HookPayloadError, match="tool_name"):
        decode_payload("claude-code", json.dumps(data))


def test_decode_rejects_cursor_payload_without_command() -> None:
    data = fixture(INPUTS["cursor"])
    del data["command"]
    with pytest.raises(HookPayloadError, match="command"):
        decode_payload("cursor", json.dumps(data))


def test_decode_rejects_copilot_tool_args_that_are_not_json() -> None:
    data = fixture(INPUTS["copilot-cli"])
    data["toolArgs"] = "{command: rm}"
    with pytest.raises(HookPayloadError, match="toolArgs"):
        decode_payload("copilot-cli", json.dumps(data))


def test_canonical_agent_accepts_the_short_names_in_the_protocol_examples() -> None:
    assert [canonical_agent(n) for n in ("claude", "gemini", "copilot", "codex", "cursor")] == [
        "claude-code",
        "gemini-cli",
        "copilot-cli",
        "codex",
        "cursor",
    ]


def test_canonical_agent_rejects_an_unknown_agent() -> None:
    with pytest.raises(UnknownAgentError):
        canonical_agent("aider")


# ------------------------------------------------------------------ encoding exact answers


def test_encode_claude_allow_matches_the_documented_shape() -> None:
    response = encode_response("claude-code", "allow", "safesh: read-only/low-risk command")
    assert json.loads(response.stdout) == fixture("claude-allow-output.json")
    assert (response.stderr, response.exit_code) == ("", 0)


def test_encode_claude_ask_matches_the_documented_shape() -> None:
    reason = "safesh: recursive delete (rm -rf build/) - confirm?"
    response = encode_response("claude-code", "ask", reason)
    assert json.loads(response.stdout) == fixture("claude-ask-output.json")
    assert response.exit_code == 0


def test_encode_claude_deny_is_json_plus_exit_2_with_the_reason_on_stderr() -> None:
    reason = fixture("claude-deny-output.json")["hookSpecificOutput"]["permissionDecisionReason"]
    response = encode_response("claude-code", "block", reason)
    assert json.loads(response.stdout) == fixture("claude-deny-output.json")
    assert response.exit_code == 2
    assert response.stderr == reason + "\n"


def test_encode_claude_notify_allows() -> None:
    response = encode_response("claude-code", "notify", "safesh: noted")
    assert json.loads(response.stdout)["hookSpecificOutput"]["permissionDecision"] == "allow"


def test_encode_codex_allow_is_an_empty_object_not_a_bare_allow() -> None:
    response = encode_response("codex", "allow", "safesh: fine")
    assert json.loads(response.stdout) == fixture("codex-allow-output.json") == {}
    assert response.exit_code == 0


def test_encode_codex_ask_falls_back_to_deny() -> None:
    response = encode_response("codex", "ask", "safesh: this command needs human approval")
    output = json.loads(response.stdout)
    assert output.keys() == fixture("codex-ask-fallback-output.json").keys()
    assert output["hookSpecificOutput"]["permissionDecision"] == "deny"
    assert response.exit_code == 2


def test_encode_codex_deny_matches_the_documented_shape() -> None:
    reason = fixture("codex-deny-output.json")["hookSpecificOutput"]["permissionDecisionReason"]
    response = encode_response("codex", "block", reason)
    assert json.loads(response.stdout) == fixture("codex-deny-output.json")
    assert (response.stderr, response.exit_code) == (reason + "\n", 2)


def test_encode_gemini_allow_matches_the_documented_shape() -> None:
    response = encode_response("gemini-cli", "allow", "safesh: fine")
    assert json.loads(response.stdout) == fixture("gemini-allow-output.json")
    assert response.exit_code == 0


def test_encode_gemini_ask_carries_the_system_message() -> None:
    reason = fixture("gemini-ask-output.json")["systemMessage"]
    output = json.loads(encode_response("gemini-cli", "ask", reason).stdout)
    assert {k: output[k] for k in ("decision", "systemMessage")} == fixture(
        "gemini-ask-output.json"
    )


def test_encode_gemini_deny_is_json_decided_and_exit_2() -> None:
    reason = fixture("gemini-deny-output.json")["reason"]
    response = encode_response("gemini-cli", "block", reason)
    assert json.loads(response.stdout) == fixture("gemini-deny-output.json")
    assert (response.stderr, response.exit_code) == (reason + "\n", 2)


def test_encode_cursor_allow_matches_the_documented_shape() -> None:
    response = encode_response("cursor", "allow", "safesh: fine")
    assert json.loads(response.stdout) == fixture("cursor-allow-output.json")
    assert response.exit_code == 0


def test_encode_cursor_ask_has_snake_case_messages() -> None:
    output = json.loads(encode_response("cursor", "ask", "safesh: confirm?").stdout)
    assert output.keys() == fixture("cursor-ask-output.json").keys()
    assert output["permission"] == "ask"
    assert output["user_message"] == "safesh: confirm?"


def test_encode_cursor_deny_gives_the_agent_the_full_reason_and_exits_0() -> None:
    reason = "safesh blocked this command; it was NOT run. [x] Because. More."
    response = encode_response("cursor", "block", reason, summary="safesh blocked: x")
    assert json.loads(response.stdout) == {
        "permission": "deny",
        "user_message": "safesh blocked: x",
        "agent_message": reason,
    }
    assert response.exit_code == 0


def test_encode_copilot_deny_matches_the_documented_shape() -> None:
    reason = fixture("copilot-deny-output.json")["permissionDecisionReason"]
    response = encode_response("copilot-cli", "block", reason)
    assert json.loads(response.stdout) == fixture("copilot-deny-output.json")
    assert response.exit_code == 0


def test_encode_copilot_ask_falls_back_to_deny() -> None:
    output = json.loads(encode_response("copilot-cli", "ask", "safesh: approve").stdout)
    assert output["permissionDecision"] == "deny"


def test_encode_copilot_allow_prints_nothing() -> None:
    assert encode_response("copilot-cli", "allow", "safesh: fine").stdout == ""


@pytest.mark.parametrize("agent", ["claude-code", "codex", "gemini-cli", "copilot-cli"])
def test_encode_abstain_prints_no_decision(agent: str) -> None:
    response = encode_response(agent, "abstain", "")
    assert (response.stdout, response.exit_code) == ("", 0)


@pytest.mark.parametrize("agent", AGENTS)
@pytest.mark.parametrize("decision", ["allow", "notify", "ask", "block", "abstain"])
def test_encode_always_writes_json_or_nothing(agent: str, decision: Any) -> None:
    stdout = encode_response(agent, decision, "safesh: reason").stdout
    assert stdout == "" or isinstance(json.loads(stdout), dict)


# ------------------------------------------------------------------ reasons for the model


def test_block_reason_names_rule_reason_alternative_and_forbids_detours() -> None:
    text = compose_reason("claude-code", "block", [RM])
    assert "[fs.rm-recursive] Recursive delete." in text
    assert "Safer alternative: move it to the trash." in text
    assert "NOT run" in text
    assert "rephrasing" in text and "splitting" in text and "wrapping" in text


def test_ask_reason_for_an_agent_without_ask_says_a_human_must_approve() -> None:
    text = compose_reason("codex", "ask", [RM])
    assert "human" in text and "approv" in text
    assert "[fs.rm-recursive]" in text
    assert "rephrasing" in text


def test_ask_reason_names_the_approval_command_when_there_is_a_request() -> None:
    text = compose_reason("copilot-cli", "ask", [RM], approval_id="a1b2")
    assert "`safesh approve a1b2`" in text
    assert "`safesh approvals`" in text


def test_native_ask_reason_is_a_question_for_the_human() -> None:
    text = compose_reason("claude-code", "ask", [RM])
    assert text.startswith("safesh: this command needs your confirmation.")
    assert "[fs.rm-recursive]" in text


def test_reason_without_findings_uses_the_fallback_text() -> None:
    text = compose_reason("gemini-cli", "block", [], fallback="safesh: refused to run: x\n  why")
    assert "safesh: refused to run: x why." in text
