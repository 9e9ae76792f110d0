"""One request, served in a child of the resident judge (`safesh.judge.server`).

A child takes on the caller's environment, working directory and remaining budget, runs
exactly the in-process code (`safesh.cli.shell.decide_line`, `safesh.cli.commands.hook
.answer_named`), which writes the audit record, and only then replies. `serve` says whether the
child may serve another request: not after a fault, a `stop`, a stale stamp, or while a thread
is still judging a line abandoned at its deadline (the child then ends, and that with it). A
request whose handshake is not the judge's own, or one that comes after the code changed (the
judge's watch saw it, or, without a watch, the full code stamp now differs from the judge's),
gets "stale" and tells the judge to step down (the client judges in-process and starts a new
judge).

`warm_up` is what a spare child does right after it is forked, before it waits for a request:
a throw-away judgement of a trivial line through the same code, recording it in the judge's
scratch store (never the user's audit log). Forked memory is shared copy-on-write, and Python
writes to every object it touches (reference counts), so the first judgement in a new process
pays for copying those pages: about three times the judgement itself, half of it in the
store's code. The spare pays it before anyone waits on it.

May import what the in-process front ends import (`safesh.cli.shell`, `safesh.cli.commands
.hook`), and `safesh.judge`'s own modules.
"""

from __future__ import annotations

import os
import signal
import sys

from safesh.judge import protocol
from safesh.judge.budget import DEADLINE_ENV, deadline_seconds

_DEADLINE_NAME = os.fsencode(DEADLINE_ENV)
REQUEST_READ_TIMEOUT = 5.0
MAX_RSS_BYTES = 160 * 1024 * 1024
WARM_UP_LINE = "true"
# The scratch store keeps this many warm-up records (pruned by the store's own retention, every
# thousandth record), so it stays small however long the judge lives.
SCRATCH_RECORDS = 100

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from socket import socket

    from safesh.agents.protocols import HookRequest
    from safesh.api import Report
    from safesh.cli.commands.hook import ReportLike


def serve(
    connection: socket, stamp: str, info: dict[str, object], recheck: str | None = None
) -> bool:
    """Serve one request on `connection` (`info` is what a `status` request is told about the
    judge, and whether its watch saw the code change), then close it. `stamp`: the judge's
    handshake; `recheck`: the judge's full code stamp, compared with the files now (after the
    request was read) when no watch does it. Whether this process may serve another request:
    only when this one went through cleanly (answered, not stale, not `stop`) and no judging
    thread is still running (a line abandoned at its deadline). Never raises."""
    reusable = False
    try:
        changed = info.pop("changed", False) is not False
        connection.settimeout(REQUEST_READ_TIMEOUT)
        request = protocol.receive(connection)
        if (
            request.get("protocol") != protocol.PROTOCOL
            or request.get("stamp") != stamp
            or changed
            or (recheck is not None and protocol.code_stamp() != recheck)
        ):
            protocol.send(connection, {"status": "stale", "stamp": stamp})
            os.kill(os.getppid(), signal.SIGTERM)
        else:
            reply = _answer_capturing_stderr(request, info)
            reply.update(stamp=stamp)
            connection.settimeout(None)
            protocol.send(connection, reply)
            if reply.get("stopping"):
                os.kill(os.getppid(), signal.SIGTERM)
            else:
                reusable = True
    except BaseException:
        pass  # the client sees the connection close and judges in its own process
    try:
        connection.close()
        sys.stdout.flush()
        sys.stderr.flush()
        from safesh.judge.budget import settled

        return reusable and settled() and not _grew_large()
    except BaseException:
        return False


def _grew_large() -> bool:
    """This process once held more than MAX_RSS_BYTES (a large line's parse): it ends rather
    than keep that memory while it waits."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 > MAX_RSS_BYTES


def warm_up(scratch_store: str | None) -> None:
    """Judge WARM_UP_LINE the way a request would, record it in `scratch_store` (a store of
    the judge's own; None: record nothing), and build the pieces a reply is made of: the pages
    a request touches are this process's own afterwards. Never raises (a spare that could not
    warm up is merely slower)."""
    try:
        from safesh.agents.agent_line import JudgedLine, judge_line
        from safesh.decide import DecisionInput, Mode, decide
        from safesh.judge.budget import bounded

        judged = bounded(
            WARM_UP_LINE,
            lambda _ruleset: judge_line(WARM_UP_LINE),
            lambda late: JudgedLine(late, None),
        )
        report = judged.report
        action = decide(DecisionInput(report.tier, Mode.EXEC, False, False))
        if scratch_store is not None:
            _record_scratch(scratch_store, report, action.value)
        _warm_up_hook()
        _captured_stderr()
        protocol.encode({"status": "ok", "stdout": "", "stderr": "", "exit": 0, "runs": True})
    except BaseException:
        pass


def _warm_up_hook() -> None:
    """The hook's own path (payload, answer format) for WARM_UP_LINE, recording nothing."""
    import json

    from safesh.cli.commands.hook import run_hook

    payload: dict[str, object] = {"hook_event_name": "PreToolUse", "tool_name": "Bash"}
    payload.update(cwd=os.getcwd(), tool_input={"command": WARM_UP_LINE})
    run_hook("claude-code", json.dumps(payload), dict(os.environ), record=_record_nothing)


def _record_nothing(request: HookRequest, report: ReportLike, outcome: str) -> None:
    pass


def _record_scratch(path: str, report: Report, action: str) -> None:
    from safesh.store import FRONT_END_WAIT_S, AuditEvent, Store, StoreSettings, record_or_spool

    store = Store(path, busy_timeout_s=FRONT_END_WAIT_S)
    try:
        event = AuditEvent(
            command=report.command,
            cwd=report.analysis.context.cwd,
            decision=report.decision,
            rules=tuple(report.rule_ids()),
            mode="exec",
            outcome=action,
        )
        record_or_spool(store, event, StoreSettings(max_records=SCRATCH_RECORDS))
    finally:
        store.close()


def _captured_stderr() -> tuple[object, object]:
    import io

    raw = io.BytesIO()
    return raw, io.TextIOWrapper(raw, encoding="utf-8", errors="backslashreplace")


def _answer_capturing_stderr(
    request: dict[str, object], info: dict[str, object]
) -> dict[str, object]:
    """`_answer`, with what the judgement wrote to stderr on the way (a store it cannot
    write, a warning) put before the answer's own stderr, where the caller would have seen it."""
    import io

    raw = io.BytesIO()
    captured = io.TextIOWrapper(raw, encoding="utf-8", errors="backslashreplace")
    original, sys.stderr = sys.stderr, captured
    try:
        reply = _answer(request, info)
    finally:
        sys.stderr = original
    captured.flush()
    written = raw.getvalue()
    stderr = reply.get("stderr")
    if written and isinstance(stderr, bytes):
        reply["stderr"] = written + stderr
    elif written and isinstance(stderr, str):
        reply["stderr"] = written.decode("utf-8", "surrogateescape") + stderr
    return reply


def _argv(request: dict[str, object]) -> tuple[str, ...]:
    """The client's shell arguments (part of what a grant is bound to); anything but a list of
    text binds to none, which no grant given with arguments matches."""
    value = request.get("argv")
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    return ()


def _answer(request: dict[str, object], info: dict[str, object]) -> dict[str, object]:
    kind = protocol.text(request, "kind")
    if kind == "status":
        return {"status": "ok", **info, "child": os.getpid()}
    if kind == "stop":
        return {"status": "ok", "stopping": True}
    _become_caller(request)
    if kind == "shell":
        from safesh.cli.shell import decide_line

        outcome = decide_line(
            protocol.text(request, "source"),
            dry_run=protocol.flag(request, "dry_run"),
            agent_lines=protocol.flag(request, "agent_lines"),
            terminal=protocol.flag(request, "terminal"),
            may_prompt=False,
            argv=_argv(request),
            leave_store=True,  # for this child's next request (the hook's record does so too)
        )
        if outcome is None:
            return {"status": "prompt"}  # the caller prompts at its own terminal
        return {"status": "ok", **outcome.as_message()}
    if kind == "hook":
        from safesh.cli.commands.hook import answer_named

        raw = request.get("raw")
        if not isinstance(raw, bytes):
            raise protocol.ProtocolError("'raw' is not bytes")
        answer = answer_named(protocol.text(request, "agent"), lambda: raw, dict(os.environ))
        reply: dict[str, object] = {"status": "ok", "stdout": answer.stdout}
        reply.update(stderr=answer.stderr, exit=answer.exit_code)
        return reply
    raise protocol.ProtocolError(f"unknown request {kind!r}")


def _become_caller(request: dict[str, object]) -> None:
    """Take on the caller's environment, directory and remaining time budget."""
    env = dict(protocol.environment(request))
    budget = request.get("budget")
    if not isinstance(budget, (int, float)) or isinstance(budget, bool):
        raise protocol.ProtocolError("'budget' is not a number")
    # Only ever shortens the deadline (see budget.deadline_seconds).
    asked = env.get(_DEADLINE_NAME)
    wanted = deadline_seconds({} if asked is None else {DEADLINE_ENV: os.fsdecode(asked)})
    env[_DEADLINE_NAME] = repr(max(0.0, min(float(budget), wanted))).encode()
    # Only the differences, found in the tables of bytes (decoding each name and value costs
    # more than judging a short line): every assignment is a putenv() as well, and a child
    # mostly serves the caller it served before (and the rest are the judge's own user).
    current = protocol.environment_table()
    if env != current:
        for name in [name for name in current if name not in env]:
            del os.environb[name]
        for name, value in env.items():
            if current.get(name) != value:
                os.environb[name] = value
    os.chdir(protocol.text(request, "cwd"))
