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
from dataclasses import dataclass, field

from safesh.cli.failsafe import guarded, refuse_on_fault, settle_std_streams
from safesh.decide import (
    EXIT_REFUSED,
    EXIT_USAGE,
    Action,
    DecisionInput,
    Mode,
    decide,
    exit_code,
)
from safesh.model import Tier

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from safesh.api import Report

# bash's single-letter options (`bash --help`, `set --help`); any other letter is an error.
_SHORT_OPTIONS = frozenset("abefhkmnoptuvxBCEHPTilrsDcO")
_LONG_OPTIONS = frozenset(
    {
        "--login",
        "--norc",
        "--noprofile",
        "--posix",
        "--restricted",
        "--verbose",
        "--noediting",
        "--debugger",
        "--dump-strings",
        "--dump-po-strings",
        "--protected",
        "--pretty-print",
    }
)
_LONG_WITH_VALUE = frozenset({"--rcfile", "--init-file"})

USAGE = """\
usage: safesh [bash options] -c 'COMMAND' [NAME [ARGS...]]
       safesh [bash options] SCRIPT [ARGS...]
       safesh [bash options] -s [ARGS...]
       safesh [-i]                            interactive shell
       safesh --dry-run -c 'COMMAND'          judge and report; run nothing
       safesh SUBCOMMAND ...                  check, rules, trust, approvals, approve, deny,
                                              log, hook, install-hook, doctor, shims, paths,
                                              serve, mcp
Refused commands exit with status 77 and explain why on stderr.
"""


class UsageError(Exception):
    pass


@dataclass
class Invocation:
    """bash's command line, split into what safesh needs and what it passes on."""

    passthrough: list[str] = field(default_factory=list)  # options for the real shell
    command: str | None = None  # -c
    script: str | None = None
    args: list[str] = field(default_factory=list)  # NAME ARGS... / SCRIPT's ARGS
    read_stdin: bool = False  # -s
    interactive: bool = False  # -i
    dry_run: bool = False
    show_help: bool = False
    show_version: bool = False


def parse_invocation(argv: list[str]) -> Invocation:
    """Split argv as bash does: options first; with -c the first operand is the command."""
    inv = Invocation()
    want_command = False
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--" or arg == "-":
            i += 1
            break
        if arg == "--dry-run":
            inv.dry_run = True
        elif arg == "--help":
            inv.show_help = True
        elif arg == "--version":
            inv.show_version = True
        elif arg in _LONG_OPTIONS:
            inv.passthrough.append(arg)
        elif arg in _LONG_WITH_VALUE:
            if i + 1 >= len(argv):
                raise UsageError(f"{arg}: option requires an argument")
            inv.passthrough += [arg, argv[i + 1]]
            i += 1
        elif arg.startswith("--"):
            raise UsageError(f"{arg}: invalid option")
        elif len(arg) > 1 and arg[0] in "-+":
            consumed = _short_cluster(arg, argv, i, inv)
            want_command = want_command or ("c" in arg[1:] and arg[0] == "-")
            i += consumed
            continue
        else:
            break
        i += 1
    operands = argv[i:]
    if want_command:
        if not operands:
            raise UsageError("-c: option requires an argument")
        inv.command, inv.args = operands[0], operands[1:]
    elif operands and not inv.read_stdin:
        inv.script, inv.args = operands[0], operands[1:]
    else:
        inv.args = operands
    return inv


def _short_cluster(arg: str, argv: list[str], i: int, inv: Invocation) -> int:
    """Handle `-euxo pipefail`, `-lc`, `+o posix`; returns how many words were used."""
    sign, letters = arg[0], arg[1:]
    used = 1
    kept = ""
    for letter in letters:
        if letter not in _SHORT_OPTIONS:
            raise UsageError(f"{sign}{letter}: invalid option")
        if letter in "oO":
            if i + used >= len(argv):
                raise UsageError(f"{sign}{letter}: option requires an argument")
            if kept:
                inv.passthrough.append(sign + kept)
                kept = ""
            inv.passthrough += [f"{sign}{letter}", argv[i + used]]
            used += 1
        elif letter == "c" and sign == "-":
            pass
        elif letter == "s" and sign == "-":
            inv.read_stdin = True
        elif letter == "i" and sign == "-":
            inv.interactive = True
            kept += letter
        else:
            kept += letter
    if kept:
        inv.passthrough.append(sign + kept)
    return used


def main(argv: list[str]) -> int:
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
    dry_run = inv.dry_run or os.environ.get("SAFESH_DRY_RUN", "") not in {"", "0"}
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
            return _hand_over(inv, [inv.script, *inv.args], None)
        return run_script(inv, dry_run)
    # Commands on standard input: read them all so the whole script is judged before any of
    # it runs, then hand it over as `-c` with $0 set as bash would set it. Bytes that are not
    # UTF-8 are kept as they are (surrogate escapes), judged, and handed over unchanged.
    source = _read_stdin()
    return run_line(source, inv, ["-c", source, _shell_name(), *inv.args], dry_run)


def _read_stdin() -> str:
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


def _shell_name() -> str:
    return os.path.basename(os.environ.get("SAFESH_REAL_SHELL", "") or "bash")


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
    from safesh.interactive.prompts import terminal_available
    from safesh.judge.budget import bounded_check
    from safesh.store.recorder import Recorder

    # Bounded: a line too large, or not judged by the deadline, is asked about in time.
    if agent_lines:
        from safesh.agents.agent_line import JudgedLine, judge_line
        from safesh.judge.budget import bounded

        judged = bounded(
            source, lambda _ruleset: judge_line(source), lambda late: JudgedLine(late, None)
        )
        report = judged.report
        agent = judged.agent_line.agent if judged.agent_line else None
    else:
        report, agent = bounded_check(source), None
    recorder = Recorder(agent=agent)
    mode = Mode.DRY_RUN if dry_run else Mode.EXEC
    asks = report.tier is Tier.ASK
    terminal = mode is Mode.EXEC and asks and terminal_available()
    granted = mode is Mode.EXEC and asks and not terminal and recorder.consume_grant(report)
    action = decide(DecisionInput(report.tier, mode, terminal, granted))
    approval_id: str | None = None
    declined = False
    if action is Action.PROMPT:
        action = _prompt(report)
        declined = not action.runs
    elif action is Action.REQUEST_APPROVAL:
        approval_id = recorder.request_approval(report)
    recorder.record(
        report, action.value, mode.value, approval_id, outcome="declined" if declined else None
    )
    recorder.close()
    if action in (Action.WOULD_RUN, Action.WOULD_REFUSE):
        sys.stdout.write(_dry_run_text(report, action))
        return exit_code(action)
    if not action.runs:
        sys.stderr.write(report.refusal_message(approval_id, declined=declined))
        return EXIT_REFUSED
    return _hand_over(inv, shell_args, report.setting("shell"))


def _hand_over(inv: Invocation, shell_args: list[str], configured: str | None) -> int:
    from safesh.execute import ShellNotFound, exec_shell, find_real_shell

    try:
        shell = find_real_shell(_shell_name(), configured=configured)
    except ShellNotFound as error:
        sys.stderr.write(f"safesh: {error}\n")
        return 127
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        exec_shell(shell, [*inv.passthrough, *shell_args])
    except OSError as error:
        sys.stderr.write(f"safesh: cannot run {shell}: {error.strerror}\n")
        return 126
    return 126  # not reached: exec replaced the process


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
    verdict = "would run" if action is Action.WOULD_RUN else "would NOT run"
    lines = [f"safesh: {verdict} ({report.decision}): {report.command.strip()}"]
    for finding in report.decisive_findings():
        if finding.tier.value != "allow":
            lines.append(f"  [{finding.rule_id}] {finding.tier.value}: {finding.reason}")
    return "\n".join(lines) + "\n"
