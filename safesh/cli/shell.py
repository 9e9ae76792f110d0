"""`safesh` used where `bash` is used: the same command line, judged before it runs.

    safesh -c 'CMD' [NAME [ARGS...]]    safesh SCRIPT [ARGS...]    safesh -s [ARGS...]
    safesh [-i]                          (an interactive shell for humans)

bash's own options (-l, -e, -u, -x, -o pipefail, --norc, ...) are passed to the real shell
unchanged. safesh adds `--dry-run` (or SAFESH_DRY_RUN=1): judge and report, run nothing.

This module is the hot path of every command an agent runs, so it avoids click and imports
only what the decision needs.
"""

from __future__ import annotations

import os
import sys

from safesh.cli.bashline import (
    USAGE,
    Invocation,
    UsageError,
    bound_argv,
    dry_run_requested,
    hand_over,
    parse_invocation,
    shell_name,
)
from safesh.cli.failsafe import guarded, refuse_on_fault, settle_std_streams

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from safesh.api import Report
    from safesh.decide import Action
    from safesh.judge.budget import Deadline
    from safesh.undo import Taken

__all__ = ["USAGE", "Invocation", "LineOutcome", "UsageError", "decide_line", "finish", "main"]
__all__ += ["parse_invocation", "run_line"]


def main(argv: list[str]) -> int:
    from safesh.decide import EXIT_REFUSED, EXIT_USAGE

    try:
        inv = parse_invocation(argv)
    except UsageError as error:
        sys.stderr.write(f"safesh: {error}\n{USAGE}")
        return EXIT_USAGE
    if inv.show_help:
        sys.stdout.write(USAGE)
        return 0
    if inv.show_version:
        from safesh import __version__

        sys.stdout.write(f"safesh {__version__}\n")
        return 0
    dry_run = dry_run_requested(inv)
    if inv.command is None and inv.script is None and _interactive(inv):
        from safesh.interactive.repl import main as interactive_main

        # The session handles Ctrl-C itself (it cancels the line at the prompt), so only
        # exceptions are guarded here, not signals.
        return guarded(
            lambda: interactive_main(inv.passthrough, dry_run=dry_run),
            refuse_on_fault("interactive", EXIT_REFUSED),
            signals=False,
        )
    code = guarded(lambda: _run(inv, dry_run), refuse_on_fault("safesh", EXIT_REFUSED))
    if not settle_std_streams() and code == 0:
        return EXIT_REFUSED  # a dry run's report was not delivered
    return code


def _interactive(inv: Invocation) -> bool:
    return inv.interactive or (not inv.read_stdin and sys.stdin is not None and sys.stdin.isatty())


def _run(inv: Invocation, dry_run: bool) -> int:
    """`-c`, a script or `-s`: judge, then exec the real shell or refuse."""
    if inv.command is not None:
        return run_line(inv.command, inv, ["-c", inv.command, *inv.args], dry_run, agent_lines=True)
    if inv.script is not None:
        if os.environ.get("SAFESH_SHIM_DEPTH") and not dry_run:
            # A shim reached by a `#!/usr/bin/env bash` script: an installed program (pyenv's
            # wrappers, build tools), not a command an agent typed. The line that started it
            # was judged where it was typed; judging every such script would refuse tools the
            # agent did not write.
            return hand_over(inv, [inv.script, *inv.args], None)
        return run_script(inv, dry_run)
    # Commands on standard input: read them all so the whole script is judged before any of
    # it runs, then hand it over as `-c` with $0 set as bash would set it. Bytes that are not
    # UTF-8 are kept as they are (surrogate escapes), judged, and handed over unchanged.
    source = read_stdin()
    return run_line(source, inv, ["-c", source, shell_name(), *inv.args], dry_run)


def read_stdin() -> str:
    if sys.stdin is None:
        return ""
    return sys.stdin.buffer.read().decode("utf-8", "surrogateescape")


def run_script(inv: Invocation, dry_run: bool) -> int:
    assert inv.script is not None
    try:
        with open(inv.script, encoding="utf-8", errors="surrogateescape") as handle:
            source = handle.read()
    except OSError as error:
        # Same words and status as bash, so callers see what they would have seen.
        sys.stderr.write(f"safesh: {inv.script}: {error.strerror}\n")
        return 127 if isinstance(error, FileNotFoundError) else 126
    return run_line(source, inv, [inv.script, *inv.args], dry_run)


class LineOutcome:
    """What judging a line decided, before anything is written or run: the text for stdout
    and stderr, the exit status when it does not run, and the configured shell when it does.
    The resident judge sends it to its client as a message (`as_message`)."""

    __slots__ = ("runs", "shell", "status", "stderr", "stdout")

    def __init__(
        self, runs: bool, stdout: str, stderr: str, status: int, shell: str | None
    ) -> None:
        self.runs = runs
        self.stdout = stdout
        self.stderr = stderr
        self.status = status
        self.shell = shell

    def as_message(self) -> dict[str, object]:
        return {
            "runs": self.runs,
            "stdout": self.stdout,
            "stderr": self.stderr,
            "exit": self.status,
            "shell": self.shell,
        }


def run_line(
    source: str,
    inv: Invocation,
    shell_args: list[str],
    dry_run: bool,
    *,
    agent_lines: bool = False,
) -> int:
    """Judge `source`; then exec the real shell, or refuse. Returns only when not exec'ing.

    With `agent_lines`, a coding agent's own wrapper line (Claude Code's prefix line, Gemini
    CLI's background-pid wrapper) is judged, approved and recorded by the agent's command
    inside it; the whole line still runs unchanged."""
    outcome = decide_line(
        source,
        dry_run,
        agent_lines=agent_lines,
        argv=bound_argv(inv, shell_args),
        leave_store=True,
    )
    assert outcome is not None  # may_prompt: a prompt is answered here
    return finish(outcome, inv, shell_args)


def finish(outcome: LineOutcome, inv: Invocation, shell_args: list[str]) -> int:
    """Write what the judgement says, then hand over to the real shell or return the status."""
    if outcome.stdout:
        sys.stdout.write(outcome.stdout)
    if outcome.stderr:
        sys.stderr.write(outcome.stderr)
    if not outcome.runs:
        return outcome.status
    return hand_over(inv, shell_args, outcome.shell)


def decide_line(
    source: str,
    dry_run: bool,
    *,
    agent_lines: bool = False,
    terminal: bool | None = None,
    may_prompt: bool = True,
    deadline: Deadline | None = None,
    argv: tuple[str, ...] = (),
    leave_store: bool = False,
) -> LineOutcome | None:
    """Judge `source` in this process's environment and directory, ask or record what the
    decision needs (approval request, grant, audit record), and say what to do.

    `terminal`: whether a human can answer a prompt (None: look at this process's terminal).
    With `may_prompt` False, a line that needs a prompt returns None, recording nothing: the
    resident judge has no terminal, its client prompts. `deadline`: when the answer is due
    (default: the judge's deadline from now). A line too large, or not judged by the
    deadline, is asked about in time (safesh.judge.budget). `argv`: the shell's own arguments
    besides the command text (`bound_argv`), part of what an approval is bound to.
    `leave_store`: the store's connection is left open (`Store.leave`), not closed: this
    process execs the command or exits right after (the command-line front end), where a
    close would checkpoint the store for nothing, or records its next line in the same store
    (a resident judge's child, which takes the connection back)."""
    from safesh.decide import EXIT_REFUSED, Action, DecisionInput, Mode, decide, exit_code
    from safesh.judge.budget import bounded, bounded_check
    from safesh.model import Tier
    from safesh.store.recorder import Recorder

    if agent_lines:
        from safesh.agents.agent_line import JudgedLine, judge_line

        judged = bounded(
            source,
            lambda ruleset: judge_line(source, ruleset=ruleset),
            lambda late: JudgedLine(late, None),
            deadline=deadline,
        )
        report = judged.report
        agent = judged.agent_line.agent if judged.agent_line else None
    else:
        report, agent = bounded_check(source, deadline=deadline), None
    mode = Mode.DRY_RUN if dry_run else Mode.EXEC
    asks = mode is Mode.EXEC and report.tier is Tier.ASK
    if terminal is None and asks:  # only a line that asks needs to know (and the module)
        from safesh.interactive.prompts import terminal_available

        terminal = terminal_available()
    terminal = asks and bool(terminal)
    if terminal and not may_prompt:
        return None
    recorder = Recorder(agent=agent, argv=argv)
    granted = asks and not terminal and recorder.consume_grant(report)
    action = decide(DecisionInput(report.tier, mode, terminal, granted))
    if not action.runs and action is not Action.WOULD_RUN:
        # A human (or the agent) is about to read why: show what it would destroy.
        report = report.with_preview()
    approval_id: str | None = None
    declined = False
    if action is Action.PROMPT:
        action = _prompt(report)
        declined = not action.runs
    elif action is Action.REQUEST_APPROVAL:
        approval_id = recorder.request_approval(report)
    taken = _keep_snapshot(report) if action is Action.RUN_APPROVED else None
    recorder.record(
        report,
        action.value,
        mode.value,
        approval_id,
        outcome="declined" if declined else None,
        note=_audit_note(report, taken),
    )
    if leave_store:
        recorder.leave()
    else:
        recorder.close()
    if action in (Action.WOULD_RUN, Action.WOULD_REFUSE):
        return LineOutcome(False, _dry_run_text(report, action), "", exit_code(action), None)
    if not action.runs:
        message = report.refusal_message(approval_id, declined=declined)
        return LineOutcome(False, "", message, EXIT_REFUSED, None)
    kept = "" if taken is None else taken.message()
    return LineOutcome(True, "", kept, 0, report.setting("shell"))


def _keep_snapshot(report: Report) -> Taken | None:
    """A human approved a destructive command: keep what it destroys, so `safesh undo` can
    put it back (`Taken.message` says so, or why not, before it runs)."""
    from safesh.undo import take

    return take(report)


def _audit_note(report: Report, taken: Taken | None) -> str | None:
    if report.preview is None and taken is None:
        return None
    from safesh.undo import audit_note

    return audit_note(report, taken)


def _prompt(report: Report) -> Action:
    from safesh.decide import after_prompt
    from safesh.interactive.prompts import ask, confirm_target

    decisive = report.decisive_findings()
    target = next((t for t in (confirm_target(f) for f in decisive) if t), None)
    explanation = report.refusal_message().replace("refused to run", "about to run", 1)
    explanation = "\n".join(
        line for line in explanation.splitlines() if "approv" not in line and "Do not" not in line
    )
    return after_prompt(ask(explanation + "\n", type_to_confirm=target))


def _dry_run_text(report: Report, action: Action) -> str:
    from safesh.decide import Action

    verdict = "would run" if action is Action.WOULD_RUN else "would NOT run"
    lines = [f"safesh: {verdict} ({report.decision}): {report.command.strip()}"]
    for finding in report.decisive_findings():
        if finding.tier.value != "allow":
            lines.append(f"  [{finding.rule_id}] {finding.tier.value}: {finding.reason}")
    if report.preview is not None:
        lines.extend(report.preview.lines())
    return "\n".join(lines) + "\n"
