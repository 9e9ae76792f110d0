"""`safesh hook AGENT`: the pre-exec hook an agent runs before each shell command.

stdin -> `hooks.decode_payload` -> `safesh.check` -> `hooks.encode_response` -> stdout / exit.

The agents run the command when a hook crashes, times out or prints something unreadable, so
nothing here may raise: every failure becomes an explicit deny in the agent's own format.
Only cheap modules are imported up front (not click, not typing: the click command is
`safesh.cli.commands.hook_cli`); `safesh.check` is imported when a shell command actually has
to be judged.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from collections.abc import Callable, Mapping, Sequence

from safesh.agents.protocols import (
    LIVE_INPUT,
    NATIVE_ASK,
    Concern,
    HookPayloadError,
    HookRequest,
    HookResponse,
    UnknownAgentError,
    ask_on_the_spot,
    canonical_agent,
    compose_reason,
    decode_payload,
    encode_response,
    error_reason,
)
from safesh.cli.failsafe import Answer, describe, guarded, printable, write_answer

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (an agent's every call)

if TYPE_CHECKING:
    from typing import Protocol

    from safesh.agents.protocols import HookDecision
    from safesh.api import Report
    from safesh.judge.budget import Deadline
    from safesh.rules import RuleSet
    from safesh.store import AuditEvent
    from safesh.unwrap.definitions import SessionState

    class FindingLike(Protocol):
        @property
        def rule_id(self) -> str: ...
        @property
        def reason(self) -> str: ...
        @property
        def alternative(self) -> str | None: ...
        @property
        def tier(self) -> object: ...

    class ReportLike(Protocol):
        """The parts of `safesh.api.Report` the hook reads."""

        @property
        def decision(self) -> str: ...
        @property
        def findings(self) -> Sequence[FindingLike]: ...
        def refusal_message(self) -> str: ...

    class Checker(Protocol):
        def __call__(
            self, command: str, cwd: str | None = None, env: Mapping[str, str] | None = None
        ) -> ReportLike: ...

    class Recorder(Protocol):
        def __call__(self, request: HookRequest, report: ReportLike, outcome: str) -> None: ...

    class ResultRecorder(Protocol):
        def __call__(self, request: HookRequest) -> None: ...


def _default_checker(
    command: str,
    cwd: str | None = None,
    env: Mapping[str, str] | None = None,
    *,
    live_input: bool = False,
) -> Report:
    # Bounded: a line too large, or not judged by the deadline, is asked about in time
    # rather than left to the agent's hook timeout (which would run it unjudged).
    from safesh.judge.budget import bounded_check

    # The preview (what an ask/block line would destroy) has its own small time budget.
    report = bounded_check(command, cwd=cwd, env=env, live_input=live_input)
    return report.with_preview()


# Agents whose shell sources files before each command that define aliases and functions
# (shell snapshots, session scripts): `safesh.agents.shell_state` reads them.
SNAPSHOT_AGENTS = frozenset({"claude-code", "codex"})


def _judge_in_agent_shell(
    agent: str, request: HookRequest, command: str, env: Mapping[str, str]
) -> ReportLike:
    """The default judgement, made with what the agent's shell defines before it runs the
    command: each candidate shell state that matters to the line is judged, and the scripts
    the agent runs before every command are judged too; the worst answer wins. Without any
    (other agents, no snapshot names a word of the line) this is `_default_checker`. For an
    agent that can type into what the command starts (`LIVE_INPUT`), a program that runs what
    is typed at it asks."""
    live = agent in LIVE_INPUT
    if agent not in SNAPSHOT_AGENTS:
        return _default_checker(command, cwd=request.cwd, env=env, live_input=live)
    from safesh.agents.shell_state import shell_context
    from safesh.judge.budget import Deadline

    # One deadline for reading the agent's shell and all the readings: the agent waits for
    # their sum. Taking the shell's definitions may use a third of it.
    due = Deadline.from_env(env)
    seconds = due.remaining() / 3
    context = shell_context(agent, request.session_id, command, env, request.cwd, seconds)
    if not context.sessions and not context.scripts:
        return _default_checker(command, cwd=request.cwd, env=env, live_input=live)
    lines: list[tuple[str, SessionState | None]] = [(command, s) for s in context.sessions]
    lines = lines or [(command, None)]
    if context.scripts:
        # Run before the command on every call: judged as a line of its own.
        lines += [(context.scripts, s) for s in context.scripts_sessions or (None,)]
    reports = [_checked_in(line, request.cwd, env, session, due, live) for line, session in lines]
    return max(reports, key=lambda report: report.tier.severity).with_preview()


def _checked_in(
    command: str,
    cwd: str | None,
    env: Mapping[str, str],
    session: SessionState | None,
    due: Deadline,
    live_input: bool = False,
) -> Report:
    """`safesh.check` of `command` in the shell state `session`, bounded like
    `_default_checker` (an answer past the deadline asks)."""
    from safesh.api import check
    from safesh.judge.budget import bounded

    def judged(ruleset: RuleSet | None) -> Report:
        return check(
            command, cwd=cwd, env=env, ruleset=ruleset, session=session, live_input=live_input
        )

    return bounded(
        command,
        judged,
        lambda unjudged: unjudged,
        cwd,
        env,
        due,
    )


def run_hook(
    agent: str,
    raw: str,
    env: Mapping[str, str],
    checker: Checker | None = None,
    record: Recorder | None = None,
    record_result: ResultRecorder | None = None,
) -> HookResponse:
    """One hook call, start to finish. Never raises (except for an unknown agent name, where
    no answer format exists); every failure is a deny the agent can read.

    `checker` and `record` default to `safesh.check` and the audit store."""
    agent = canonical_agent(agent)
    try:
        request = decode_payload(agent, raw)
    except HookPayloadError as error:
        return encode_response(agent, "block", error_reason(f"unreadable hook payload: {error}"))
    except Exception as error:  # a bug in the decoder must still fail closed
        return fault_response(agent, error)
    if request.command is None:
        return encode_response(agent, "abstain", "")
    if request.is_post:
        # After the tool ran: record what happened; the agent expects no decision here.
        with contextlib.suppress(Exception):
            (record_result or _record_result)(request)
        return encode_response(agent, "abstain", "")
    try:
        if checker is None:
            report = _judge_in_agent_shell(agent, request, request.command, env)
        else:
            report = checker(request.command, cwd=request.cwd, env=env)
        approval_id: str | None = None
        native = ask_on_the_spot(agent, env)
        if checker is None and report.decision == "ask":
            # A human's earlier grant lets the identical command through once (whatever the
            # agent); where no one can answer the agent's own dialog now, a request waits.
            granted, approval_id, store_down = _approval(
                request, report, leave_request=not native or agent == "cursor"
            )
            if store_down and record is None:
                # The store already made this decision wait once: the record goes straight
                # to the spool rather than waiting a second time while the agent waits.
                record = _spool_record
            if granted:
                with contextlib.suppress(Exception):
                    (record or _record)(request, report, "approved")
                kept = _keep_snapshot(report)
                return encode_response(agent, "allow", "safesh: approved by a human" + kept)
        kept = ""
        if checker is None and report.decision == "ask" and native:
            # The agent asks its user itself, and runs the command if they confirm: keep the
            # snapshot now, the last moment safesh sees the command before it may run.
            kept = _keep_snapshot(report)
        response = respond(request, report, approval_id, native, kept)
    except (Exception, SystemExit) as error:  # sys.exit() deep inside must not fail open
        return fault_response(agent, error)
    # The answer is already decided; a failing audit write must not change it.
    with contextlib.suppress(Exception):
        (record or _record)(request, report, hook_outcome(agent, report.decision, native))
    return response


def respond(
    request: HookRequest,
    report: ReportLike,
    approval_id: str | None = None,
    native_ask: bool | None = None,
    extra: str = "",
) -> HookResponse:
    """Turn a Report into the agent's answer. `native_ask` (default: the agent's protocol has
    one) says whether the agent's own dialog asks a human now; `extra` is a line about the
    snapshot kept."""
    decision = _hook_decision(report.decision)
    concerns = concerns_for(report)
    fallback = ""
    if not concerns and decision in ("ask", "block"):
        fallback = report.refusal_message()
    reason = compose_reason(
        request.agent, decision, concerns, fallback, approval_id, native_ask=native_ask
    )
    preview = getattr(report, "preview", None) if decision in ("ask", "block") else None
    if preview is not None and not fallback:
        # What the command would destroy, for the agent and for a user its agent asks.
        reason = reason.rstrip("\n") + "\n" + "\n".join(preview.lines()) + "\n"
    if extra:
        reason = reason.rstrip("\n") + extra + "\n"
    return encode_response(
        request.agent, decision, reason, native_ask=native_ask, approval_id=approval_id
    )


def _keep_snapshot(report: ReportLike) -> str:
    """Keep what an approved (or about to be confirmed) destructive command destroys, for
    `safesh undo`; a line saying what was kept or why not, or "" when nothing applies."""
    from safesh.api import Report

    if not isinstance(report, Report):
        return ""
    from safesh.undo import take

    taken = take(report)
    return "" if taken is None else "\n" + taken.message().rstrip("\n")


def _approval(
    request: HookRequest, report: ReportLike, *, leave_request: bool
) -> tuple[bool, str | None, bool]:
    """(granted, pending request id, the store failed) from safesh's approval store for this
    agent's command. A store that failed (busy past the front end's wait, unreachable) gives
    no grant and no request."""
    from safesh.api import Report
    from safesh.store.recorder import Recorder

    if not isinstance(report, Report):
        return False, None, False
    recorder = Recorder(agent=request.agent, session=request.session_id)
    try:
        if recorder.consume_grant(report):
            return True, None, False
        pending = recorder.request_approval(report) if leave_request else None
        return False, pending, recorder.unavailable
    finally:
        recorder.close()


def concerns_for(report: ReportLike) -> tuple[Concern, ...]:
    """The findings that decided the outcome (those at the report's tier), as message parts."""
    concerns: list[Concern] = []
    for finding in report.findings:
        tier = getattr(finding.tier, "value", finding.tier)
        if tier != report.decision:
            continue
        concern = Concern(finding.rule_id, finding.reason, finding.alternative)
        if concern not in concerns:
            concerns.append(concern)
    return tuple(concerns)


def _hook_decision(decision: str) -> HookDecision:
    if decision == "allow":
        return "allow"
    if decision == "notify":
        return "notify"
    if decision == "ask":
        return "ask"
    if decision == "block":
        return "block"
    raise ValueError(f"safesh.check returned an unknown decision {decision!r}")


def hook_outcome(agent: str, decision: str, native_ask: bool | None = None) -> str:
    """What the hook's answer did, in the audit log's words."""
    if decision in ("allow", "notify"):
        return "allowed"
    if decision == "ask" and (agent in NATIVE_ASK if native_ask is None else native_ask):
        return "asked"
    return "refused"


def _record_result(request: HookRequest) -> None:
    """The post-execution record: what the agent says happened to the command."""
    from safesh.store import AuditEvent, record_quietly

    result = request.result
    if result is None:
        return
    event = AuditEvent(
        command=request.command or "",
        cwd=request.cwd or os.getcwd(),
        decision="allow",  # the agent ran (or tried to run) it, so something let it through
        mode=f"hook:{request.agent}:{request.event}",
        outcome=result.outcome,
        agent=request.agent,
        session=request.session_id,
        exit_status=result.exit_status,
        note=result.detail,
    )
    record_quietly(event, settings=None)  # the user's configured store


def _spool_record(request: HookRequest, report: ReportLike, outcome: str) -> None:
    """The audit record, put straight in the spool (sent, in order, by the next write that
    reaches the store): for a decision in which the store has already failed once."""
    from safesh.store import spool_event

    event = _event(request, report, outcome)
    spooled = spool_event(None, event, RuntimeError("the store failed earlier in this decision"))
    tail = "waits in the spool" if spooled else "is LOST"
    sys.stderr.write(f"safesh: the audit record {tail}\n")


def _event(request: HookRequest, report: ReportLike, outcome: str) -> AuditEvent:
    from safesh.store import AuditEvent

    return AuditEvent(
        command=request.command or "",
        cwd=request.cwd or os.getcwd(),
        decision=report.decision,
        rules=tuple(sorted({f.rule_id for f in report.findings})),
        mode=f"hook:{request.agent}",
        outcome=outcome,
        agent=request.agent,
        session=request.session_id,
    )


def _record(request: HookRequest, report: ReportLike, outcome: str) -> None:
    """Audit record call point: what safesh decided, and who asked (agent, session).

    `safesh.store` is written separately; if it is not importable, nothing is recorded.
    Recording must never change the answer, so any failure here is swallowed (record_quietly
    already turns store errors into one line on stderr, which the agents ignore on exit 0).
    """
    try:
        store = importlib.import_module("safesh.store")
    except ImportError:
        return
    with contextlib.suppress(Exception):
        event = _event(request, report, outcome)
        # The hook ends once it has answered: its store connection is left, not closed.
        store.record_quietly(event, settings=getattr(report, "settings", ()), process_ends=True)


def answer(agent: str, read_payload: Callable[[], bytes], env: Mapping[str, str]) -> Answer:
    """The whole hook call for a known `agent`: read the payload, judge, and the bytes to
    write. Never raises and is never cut short by a signal: any fault is a deny."""

    def compute() -> HookResponse:
        raw = read_payload().decode("utf-8", errors="replace")
        return run_hook(agent, raw, env)

    def on_fault(error: BaseException) -> HookResponse:
        return fault_response(agent, error)

    return _as_bytes(guarded(compute, on_fault))


def fault_response(agent: str, error: BaseException) -> HookResponse:
    """The deny for a hook call that could not be judged (crash, signal, unreadable input)."""
    return encode_response(agent, "block", error_reason(describe(error)))


def _as_bytes(response: HookResponse) -> Answer:
    # encode_response already makes its text UTF-8-safe; escaping again costs nothing and
    # keeps a future encoder from turning one odd character into an empty answer.
    return Answer(
        printable(response.stdout).encode("utf-8"),
        printable(response.stderr).encode("utf-8"),
        response.exit_code,
    )


def main(agent_name: str, payload: bytes | None = None) -> int:
    """`safesh hook AGENT` as a process: stdin in (or `payload`, when the judge's thin client
    already read it), the agent's answer out, its exit status."""
    read = _read_stdin if payload is None else (lambda: payload)
    return write_answer(answer_named(agent_name, read, dict(os.environ)))


def answer_named(
    agent_name: str, read_payload: Callable[[], bytes], env: Mapping[str, str]
) -> Answer:
    """`answer` for an agent as named on the command line (the resident judge's entry)."""
    try:
        agent = canonical_agent(agent_name)
    except UnknownAgentError as error:
        # No answer format exists for an unknown agent; exit 2 is a deny for Claude Code,
        # Codex and Gemini CLI, and `safesh doctor` reports the misconfiguration.
        return Answer(b"", f"safesh hook: {printable(str(error))}\n".encode(), 2)
    return answer(agent, read_payload, env)


def fault_answer(agent_name: str, error: BaseException) -> Answer:
    """The deny for a hook call that could not be judged, for an agent as named on the
    command line (an unknown name has no format: exit 2 and a line on stderr)."""
    try:
        agent = canonical_agent(agent_name)
    except UnknownAgentError as unknown:
        return Answer(b"", f"safesh hook: {printable(str(unknown))}\n".encode(), 2)
    return _as_bytes(fault_response(agent, error))


def _read_stdin() -> bytes:
    return sys.stdin.buffer.read() if sys.stdin is not None else b""
