"""`safesh hook AGENT` wiring: stdin -> decode -> check -> encode, failing closed everywhere.

safesh.check is replaced by a fake here so these tests pin the hook's own behaviour; the
end-to-end tests through `python3 -m safesh` are in test_hook_end_to_end.py."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hookkit import FIXTURES, INPUTS

from safesh.agents.protocols import AGENTS, HookRequest
from safesh.cli.commands import hook as hook_module
from safesh.cli.commands.hook import hook_outcome, run_hook
from safesh.cli.commands.hook_cli import command
from safesh.model import Finding, Tier


@dataclass(frozen=True)
class FakeReport:
    decision: str
    findings: tuple[Finding, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"decision": self.decision}

    def refusal_message(self) -> str:
        return "safesh: refused to run: the command\n  fallback reason"


def finding(rule_id: str, tier: Tier, reason: str, alternative: str | None = None) -> Finding:
    return Finding(rule_id=rule_id, tier=tier, reason=reason, command=None, alternative=alternative)


REPORTS = {
    "allow": FakeReport("allow"),
    "notify": FakeReport("notify", (finding("net.fetch", Tier.NOTIFY, "Downloads a file"),)),
    "ask": FakeReport(
        "ask",
        (
            finding("fs.rm-recursive", Tier.ASK, "Recursive delete", "git clean -n first"),
            finding("net.fetch", Tier.NOTIFY, "Downloads a file"),
        ),
    ),
    "block": FakeReport("block", (finding("fs.rm-root", Tier.BLOCK, "Deletes the whole disk"),)),
}


@dataclass
class FakeChecker:
    report: FakeReport | None = None
    error: BaseException | None = None
    calls: list[tuple[str, str | None, Mapping[str, str] | None]] = field(default_factory=list)

    def __call__(
        self,
        command: str,
        cwd: str | None = None,
        env: Mapping[str, str] | None = None,
        live_input: bool = False,
    ) -> FakeReport:
        self.calls.append((command, cwd, env))
        if self.error is not None:
            raise self.error
        assert self.report is not None
        return self.report


@dataclass
class FakeRecorder:
    seen: list[tuple[HookRequest, Any]] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)

    def __call__(self, request: HookRequest, report: Any, outcome: str) -> None:
        self.seen.append((request, report))
        self.outcomes.append(outcome)


def payload(agent: str) -> str:
    return (FIXTURES / INPUTS[agent]).read_text()


def decide(agent: str, decision: str) -> tuple[dict[str, Any], int]:
    checker = FakeChecker(REPORTS[decision])
    response = run_hook(agent, payload(agent), {}, checker, FakeRecorder())
    return (json.loads(response.stdout) if response.stdout else {}), response.exit_code


def claude_decision(output: dict[str, Any]) -> str:
    return str(output["hookSpecificOutput"]["permissionDecision"])


# ------------------------------------------------------------------ decisions per agent


@pytest.mark.parametrize(
    ("decision", "expected", "exit_code"),
    [("allow", "allow", 0), ("notify", "allow", 0), ("ask", "ask", 0), ("block", "deny", 2)],
)
def test_claude_answers_each_decision(decision: str, expected: str, exit_code: int) -> None:
    output, code = decide("claude-code", decision)
    assert (claude_decision(output), code) == (expected, exit_code)


@pytest.mark.parametrize(
    ("decision", "expected", "exit_code"),
    [("allow", None, 0), ("notify", None, 0), ("ask", "deny", 2), ("block", "deny", 2)],
)
def test_codex_answers_each_decision(decision: str, expected: str | None, exit_code: int) -> None:
    output, code = decide("codex", decision)
    got = claude_decision(output) if output else None
    assert (got, code) == (expected, exit_code)


@pytest.mark.parametrize(
    ("decision", "expected"),
    # Gemini's hook `ask` dead-ends under --approval-mode yolo and the hook cannot tell the
    # modes apart, so an ask is a deny that names an approval request.
    [("allow", "allow"), ("notify", "allow"), ("ask", "deny"), ("block", "deny")],
)
def test_gemini_answers_each_decision(decision: str, expected: str) -> None:
    output, _ = decide("gemini-cli", decision)
    assert output["decision"] == expected


@pytest.mark.parametrize(
    ("decision", "expected"),
    [("allow", "allow"), ("notify", "allow"), ("ask", "ask"), ("block", "deny")],
)
def test_cursor_answers_each_decision(decision: str, expected: str) -> None:
    output, code = decide("cursor", decision)
    assert (output["permission"], code) == (expected, 0)


@pytest.mark.parametrize(
    ("decision", "expected"),
    [("allow", None), ("notify", None), ("ask", "deny"), ("block", "deny")],
)
def test_copilot_answers_each_decision(decision: str, expected: str | None) -> None:
    output, code = decide("copilot-cli", decision)
    assert (output.get("permissionDecision"), code) == (expected, 0)


def test_codex_ask_reason_names_the_rule_and_asks_for_a_human() -> None:
    output, _ = decide("codex", "ask")
    reason = output["hookSpecificOutput"]["permissionDecisionReason"]
    assert "[fs.rm-recursive] Recursive delete." in reason
    assert "needs human approval" in reason
    assert "Safer alternative: git clean -n first." in reason
    assert "net.fetch" not in reason  # only the findings that decided the outcome


def test_block_reason_reaches_claude_on_stderr() -> None:
    response = run_hook(
        "claude-code", payload("claude-code"), {}, FakeChecker(REPORTS["block"]), FakeRecorder()
    )
    assert "[fs.rm-root] Deletes the whole disk." in response.stderr
    assert "rephrasing" in response.stderr


def test_report_without_findings_explains_with_its_refusal_message() -> None:
    response = run_hook(
        "gemini-cli", payload("gemini-cli"), {}, FakeChecker(FakeReport("block")), FakeRecorder()
    )
    assert "fallback reason" in json.loads(response.stdout)["reason"]


# ------------------------------------------------------------------ what check is given


def test_check_gets_the_command_cwd_and_env_from_the_hook() -> None:
    checker = FakeChecker(REPORTS["allow"])
    run_hook("claude-code", payload("claude-code"), {"KUBECONFIG": "prod"}, checker, FakeRecorder())
    assert checker.calls == [
        ("rm -rf build/ && npm run build", "/home/user/my-project", {"KUBECONFIG": "prod"})
    ]


@pytest.mark.parametrize("agent", ["claude-code", "codex", "gemini-cli", "copilot-cli"])
def test_another_tool_is_allowed_without_calling_check(agent: str) -> None:
    data = json.loads(payload(agent))
    data["toolName" if agent == "copilot-cli" else "tool_name"] = "Read"
    checker = FakeChecker(REPORTS["block"])
    response = run_hook(agent, json.dumps(data), {}, checker, FakeRecorder())
    assert (response.stdout, response.exit_code, checker.calls) == ("", 0, [])


# ------------------------------------------------------------------ failing closed


@pytest.mark.parametrize("agent", AGENTS)
def test_bad_json_is_denied_in_the_agents_format(agent: str) -> None:
    checker = FakeChecker(REPORTS["allow"])
    response = run_hook(agent, "{not json", {}, checker, FakeRecorder())
    assert checker.calls == []
    assert _is_deny(agent, response.stdout)
    assert "unreadable hook payload" in response.stdout


@pytest.mark.parametrize("agent", ["claude-code", "codex", "gemini-cli"])
def test_missing_command_is_denied(agent: str) -> None:
    data = json.loads(payload(agent))
    del data["tool_input"]["command"]
    response = run_hook(agent, json.dumps(data), {}, FakeChecker(REPORTS["allow"]), FakeRecorder())
    assert _is_deny(agent, response.stdout)
    assert response.exit_code == 2


@pytest.mark.parametrize("agent", AGENTS)
def test_exception_inside_check_is_denied(agent: str) -> None:
    checker = FakeChecker(error=RuntimeError("parser exploded"))
    response = run_hook(agent, payload(agent), {}, checker, FakeRecorder())
    assert _is_deny(agent, response.stdout)
    assert "RuntimeError: parser exploded" in response.stdout


def test_sys_exit_inside_check_is_denied_not_propagated() -> None:
    checker = FakeChecker(error=SystemExit(0))
    response = run_hook("claude-code", payload("claude-code"), {}, checker, FakeRecorder())
    assert (claude_decision(json.loads(response.stdout)), response.exit_code) == ("deny", 2)


def test_unknown_decision_from_check_is_denied() -> None:
    checker = FakeChecker(FakeReport("maybe"))
    response = run_hook("codex", payload("codex"), {}, checker, FakeRecorder())
    assert claude_decision(json.loads(response.stdout)) == "deny"


def test_failing_audit_record_does_not_change_the_answer() -> None:
    def broken(request: HookRequest, report: Any) -> None:
        raise OSError("disk full")

    response = run_hook(
        "claude-code", payload("claude-code"), {}, FakeChecker(REPORTS["allow"]), broken
    )
    assert claude_decision(json.loads(response.stdout)) == "allow"


def _is_deny(agent: str, stdout: str) -> bool:
    output = json.loads(stdout)
    if agent in ("claude-code", "codex"):
        return bool(output["hookSpecificOutput"]["permissionDecision"] == "deny")
    if agent == "gemini-cli":
        return bool(output["decision"] == "deny")
    if agent == "cursor":
        return bool(output["permission"] == "deny")
    return bool(output["permissionDecision"] == "deny")


# ------------------------------------------------------------------ identity and audit


def test_the_recorder_gets_the_agent_and_session() -> None:
    recorder = FakeRecorder()
    run_hook("claude-code", payload("claude-code"), {}, FakeChecker(REPORTS["ask"]), recorder)
    [(request, report)] = recorder.seen
    assert (request.agent, request.session_id, report.decision) == ("claude-code", "abc123", "ask")


def test_audit_record_in_the_store_names_agent_session_and_outcome(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = pytest.importorskip("safesh.store")
    path = tmp_path / "audit.db"
    monkeypatch.setattr("safesh.locations.store_path", lambda: str(path))
    run_hook("codex", payload("codex"), {}, FakeChecker(REPORTS["ask"]))
    with store.Store(path) as opened:
        [record] = opened.records()
    assert (record.agent, record.session, record.mode, record.outcome, record.rules) == (
        "codex",
        "0198c2a4-7b1e-7c3d-9e8f-0a1b2c3d4e5f",
        "hook:codex",
        "refused",
        ("fs.rm-recursive", "net.fetch"),
    )


def test_hook_outcome_is_asked_only_where_the_agent_can_ask() -> None:
    assert [hook_outcome(a, "ask") for a in ("claude-code", "codex")] == ["asked", "refused"]


# ------------------------------------------------------------------ the click command


def test_command_writes_stdout_and_exits_with_the_answers_code(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A user with no shell files: the hook has no agent shell state to read (which would be
    # judged by the real check, not the fake one).
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(hook_module, "_default_checker", FakeChecker(REPORTS["block"]))
    monkeypatch.setattr(hook_module, "_record", FakeRecorder())
    result = CliRunner().invoke(command, ["claude"], input=payload("claude-code"))
    assert result.exit_code == 2
    assert claude_decision(json.loads(result.stdout)) == "deny"
    assert "[fs.rm-root]" in result.stderr


def test_command_rejects_an_unknown_agent_with_exit_2() -> None:
    result = CliRunner().invoke(command, ["aider"], input="{}")
    assert result.exit_code == 2
    assert "unknown agent" in result.stderr
