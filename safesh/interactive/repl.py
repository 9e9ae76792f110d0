"""The interactive shell for humans: `safesh` on a terminal, or `safesh -i`.

Every line typed is judged (`safesh.api.check`, with the session's own directory and
environment) before it runs; what is allowed runs in one persistent real bash, so `cd`,
`export`, aliases, functions and `$?` carry over exactly as in bash. How lines reach bash and
how the terminal is relayed is in `safesh.interactive.bash_session` and `safesh.interactive.relay`.

    input ──readline──▶ gather until complete ──▶ check ──▶ decide ──▶ (ask) ──▶ bash ──▶ record
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from safesh.decide import EXIT_REFUSED, Action, DecisionInput, Mode, after_prompt, decide
from safesh.lazy_re import later
from safesh.model import Analysis, Context, Finding, ParseError, Tier
from safesh.record import field, mutable

if TYPE_CHECKING:
    from safesh.api import Report
    from safesh.undo import Taken

CheckFn = Callable[[str, str, Mapping[str, str]], "Report"]
ParseFn = Callable[[str], object]

CONTINUATION_PROMPT = "> "
AUDIT_MODE = "interactive"
# Words in a parse error that mean "the input stopped too early" (bashlex, tree-sitter, bash).
_EOF_WORDS = ("eof", "end of input", "end of file", "end-of-file", "matching")
_EXIT_LINE = later(r"\s*(?:exit|logout)(?:\s+(\d+))?\s*;?\s*")

_OUTCOMES = {
    Action.RUN: "ran",
    Action.RUN_NOTIFY: "ran",
    Action.RUN_APPROVED: "approved",
    Action.REFUSE: "refused",
    Action.WOULD_RUN: "would-run",
    Action.WOULD_REFUSE: "would-refuse",
}


# -- pure helpers --------------------------------------------------------------------------------


def is_incomplete(error: ParseError, text: str) -> bool:
    """Whether a parse error only means the input ended too early (another line is needed).

    The parser says so with `incomplete`. Its wording ("unexpected EOF", "matching",
    "end-of-file") says so too. Only an error object without the flag at all (an older
    parser) is also judged by position: at or past the end of the text. With the flag, the
    position is not evidence: `echo a >` fails at its end and no further line would help.
    """
    flag = getattr(error, "incomplete", None)
    if flag is True:
        return True
    message = error.message.lower()
    if any(word in message for word in _EOF_WORDS):
        return True
    at_end = error.position is not None and error.position >= len(text.rstrip())
    return flag is None and at_end


def needs_more(text: str, parse: ParseFn) -> bool:
    """Whether `text` is an unfinished command (open quote, heredoc, `if`, trailing `|`…)."""
    try:
        parse(text)
    except ParseError as error:
        return is_incomplete(error, text)
    except Exception:  # a parser bug must not trap the user in `> `: the check reports it
        return False
    return False


def display_path(cwd: str, home: str | None) -> str:
    """`cwd` with the home directory shown as `~`, as bash's `\\w` does."""
    if home and home != "/":
        home = home.rstrip("/")
        if cwd == home:
            return "~"
        if cwd.startswith(home + "/"):
            return "~" + cwd[len(home) :]
    return cwd


def render_prompt(cwd: str, home: str | None, root: bool = False) -> str:
    return f"safesh:{display_path(cwd, home)}{'#' if root else '$'} "


def exit_request(text: str) -> int | None:
    """For dry runs, where nothing reaches bash: `exit [N]` still has to leave. -1 = no N."""
    match = _EXIT_LINE.fullmatch(text)
    if match is None:
        return None
    return int(match.group(1)) % 256 if match.group(1) else -1


def finding_lines(report: Report, limit: int = 5) -> list[str]:
    """The decisive findings as the user reads them: rule id, reason, safer alternative."""
    lines: list[str] = []
    for finding in report.decisive_findings()[:limit]:
        where = ""
        if finding.command is not None and finding.command.source.strip() != report.command.strip():
            where = f" (in `{_one_line(finding.command.source)}`)"
        lines.append(f"  [{finding.rule_id}] {finding.reason}{where}")
        if finding.alternative:
            lines.append(f"      safer: {finding.alternative}")
    return lines


def ask_text(report: Report) -> str:
    lines = ["safesh: this needs your confirmation before it runs:", *_quoted(report.command)]
    return "\n".join([*lines, *finding_lines(report), *preview_lines(report)]) + "\n"


def preview_lines(report: Report) -> list[str]:
    """What the line would destroy (`safesh.preview`), when the check previewed it."""
    preview = getattr(report, "preview", None)
    return [] if preview is None else list(preview.lines())


def block_text(report: Report) -> str:
    lines = ["safesh: blocked; this will not run:", *_quoted(report.command)]
    lines += finding_lines(report)
    lines += preview_lines(report)
    lines.append("  Blocked by policy: safesh does not offer to run it. Do it another way.")
    return "\n".join(lines) + "\n"


def note_text(report: Report) -> str:
    parts = [f"[{f.rule_id}] {f.reason}" for f in report.decisive_findings()[:2]]
    return "safesh: note: " + "; ".join(parts) + "\n"


def dry_run_text(report: Report, action: Action) -> str:
    verdict = "would run" if action is Action.WOULD_RUN else "would NOT run"
    lines = [f"safesh: {verdict} ({report.decision}): {_one_line(report.command)}"]
    if report.tier is not Tier.ALLOW:
        lines += finding_lines(report)
    return "\n".join(lines) + "\n"


def type_to_confirm(report: Report) -> str | None:
    from safesh.interactive.prompts import confirm_target

    for finding in report.decisive_findings():
        target = confirm_target(finding)
        if target:
            return target
    return None


def failed_check_report(text: str, cwd: str, env: Mapping[str, str], error: Exception) -> Report:
    """When the check itself crashes, the line is treated as `ask`, never as allowed."""
    from safesh.api import Report

    finding = Finding(
        rule_id="core.check-failed",
        tier=Tier.ASK,
        reason=f"safesh could not analyse this line ({type(error).__name__}: {error})",
        command=None,
    )
    context = Context(cwd=cwd, home=env.get("HOME", os.path.expanduser("~")))
    analysis = Analysis(text, context, (), (finding,), Tier.ASK, None, parse_error=str(error))
    return Report(analysis)


def _describe(error: BaseException) -> str:
    text = " ".join(str(error).split())[:200]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _quoted(command: str) -> list[str]:
    return [f"    {line}" for line in command.strip("\n").splitlines()] or ["    "]


def _one_line(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# -- collaborators -------------------------------------------------------------------------------


class Runner(Protocol):
    """The bash session as the loop sees it (`safesh.interactive.bash_session.BashSession`)."""

    @property
    def cwd(self) -> str: ...

    @property
    def env(self) -> dict[str, str]: ...

    def run(self, text: str) -> Any: ...  # RunResult: .status, .exited

    def set_status(self, status: int) -> None: ...

    def show_pending(self) -> None: ...


@mutable
class AuditTrail:
    """Records decisions and results in the store. A failing store never stops the shell and
    never turns recording off: every command tries again (a lock held for a moment must not
    leave the rest of the session unrecorded), a record that cannot be written goes to the
    spool to be sent later, and the human is told each time one could not be written."""

    warn: Callable[[str], None]
    session: str = field(default_factory=lambda: f"interactive-{os.getpid()}")
    open_store: Callable[[], Any] | None = None
    _store: Any = field(default=None, init=False)

    def record(self, report: Report, outcome: str, note: str | None = None) -> int | None:
        from safesh.store import AuditEvent

        event = AuditEvent(
            command=report.command,
            cwd=report.analysis.context.cwd,
            decision=report.decision,
            rules=tuple(report.rule_ids()),
            mode=AUDIT_MODE,
            outcome=outcome,
            session=self.session,
            note=note,
        )
        try:
            if self._store is None:
                self._store = self._open()
            return int(_record(self._store, event))
        except Exception as error:
            from safesh.store import spool_event

            spooled = spool_event(getattr(self._store, "path", None), event, error)
            self.close()  # reopened at the next command
            fate = "it waits in the spool and is sent later" if spooled else "it is LOST"
            self.warn(
                f"safesh: this command was not written to the audit log ({error}); {fate}. "
                "safesh tries again at the next command.\n"
            )
            return None

    def finish(self, record_id: int | None, status: int, duration_s: float) -> None:
        if record_id is None or self._store is None:
            return
        try:
            self._store.finish(record_id, status, duration_s)
        except Exception as error:
            self.close()
            self.warn(f"safesh: the exit status was not written to the audit log ({error})\n")

    def close(self) -> None:
        if self._store is not None:
            with contextlib.suppress(Exception):
                self._store.close()
            self._store = None

    def _open(self) -> Any:
        if self.open_store is not None:
            return self.open_store()
        from safesh.store import open_store

        return open_store(None)


def _record(store: Any, event: Any) -> int:
    """Send what the spool holds first, when the store has one (the real one does)."""
    from safesh.store import Store, record_or_spool

    if isinstance(store, Store):
        return record_or_spool(store, event)
    return int(store.record(event))


class History:
    """readline history in `safesh.locations.history_file()`. It is a convenience: any
    failure to read or write it is reported once and then ignored."""

    def __init__(self, path: Path | None, warn: Callable[[str], None]) -> None:
        self._path = path
        self._warn = warn
        self._warned = False
        try:
            import readline
        except ImportError:
            self._readline: Any = None
            return
        self._readline = readline
        # One entry per judged unit (a multi-line `if … fi` is one entry), added by `add`.
        readline.set_auto_history(False)
        readline.set_history_length(10000)
        if path is not None:
            self._guard(self._load)

    def add(self, entry: str) -> None:
        if self._readline is None or not entry.strip():
            return
        self._readline.add_history(entry)
        if self._path is not None:
            path = self._path
            self._guard(lambda: self._readline.append_history_file(1, str(path)))

    def _load(self) -> None:
        assert self._path is not None
        self._path.parent.mkdir(parents=True, exist_ok=True)
        # Commands can carry secrets: the file is the user's alone. append needs it to exist.
        fd = os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.close(fd)
        self._readline.read_history_file(str(self._path))

    def _guard(self, action: Callable[[], object]) -> None:
        try:
            action()
        except Exception as error:
            if not self._warned:
                self._warned = True
                self._warn(f"safesh: history not saved ({error})\n")


def install_completion(cwd: Callable[[], str]) -> None:
    """Tab completes file names relative to the *session's* directory (this process never
    changes its own: bash's `cd` happens in bash)."""
    try:
        import readline
    except ImportError:
        return
    import glob

    def complete(text: str, state: int) -> str | None:
        base = os.path.expanduser(text)
        pattern = base if os.path.isabs(base) else os.path.join(cwd(), base)
        matches = []
        for match in sorted(glob.glob(glob.escape(pattern) + "*")):
            shown = text + match[len(pattern) :]
            matches.append(shown + "/" if os.path.isdir(match) else shown + " ")
        return matches[state] if state < len(matches) else None

    readline.set_completer(complete)
    readline.set_completer_delims(" \t\n;|&<>()=\"'`")
    readline.parse_and_bind("tab: complete")


# -- the loop ------------------------------------------------------------------------------------


@mutable
class Session:
    """One interactive session. Everything it touches is injected, so the loop can be tested
    with a fake checker and a fake runner; `main` wires the real ones."""

    check: CheckFn
    parse: ParseFn
    runner: Runner | None  # None in a dry run: nothing is ever run
    read_line: Callable[[str], str]
    out: IO[str]
    tty_in: IO[str]
    tty_out: IO[str]
    audit: AuditTrail | None = None
    history: History | None = None
    dry_run: bool = False
    styled: bool = False
    # Keeps what an approved line destroys (`safesh.undo.take`); None: no snapshots.
    snapshot: Callable[[Report], Taken | None] | None = None
    last_status: int = 0

    @property
    def cwd(self) -> str:
        return self.runner.cwd if self.runner is not None else os.getcwd()

    @property
    def env(self) -> dict[str, str]:
        return self.runner.env if self.runner is not None else dict(os.environ)

    def loop(self) -> int:
        """Read, judge and run lines until the user leaves; the shell's exit status."""
        while True:
            try:
                status = self._one_command()
            except KeyboardInterrupt:
                # ^C while the line was being parsed or judged (before it ran): it is
                # cancelled, as bash cancels a line at its prompt. Once a command runs, ^C
                # is the command's (see `safesh.interactive.bash_session`).
                self._say("\nsafesh: cancelled; nothing was run\n")
                continue
            if status is not None:
                return status

    def _one_command(self) -> int | None:
        if self.runner is not None:
            self.runner.show_pending()
        try:
            text = self.read_command()
        except EOFError:
            self._say("exit\n" if self.runner is None else "")
            return self._leave()
        if text is None:
            return None
        return self.handle(text)

    def read_command(self) -> str | None:
        """One complete command, however many lines it takes; None when the user cancelled
        it (Ctrl-C, or Ctrl-D in the middle). Raises EOFError for Ctrl-D at an empty prompt."""
        env = self.env
        prompt = render_prompt(self.cwd, env.get("HOME"), os.geteuid() == 0)
        lines: list[str] = []
        while True:
            try:
                line = self.read_line(prompt if not lines else CONTINUATION_PROMPT)
            except KeyboardInterrupt:
                self._say("\n")
                return None
            except EOFError:
                if not lines:
                    raise
                self._say("\nsafesh: unexpected end of input; nothing was run\n")
                return None
            lines.append(line)
            text = "\n".join(lines)
            if not needs_more(text, self.parse):
                break
        if self.history is not None:
            self.history.add(text)
        return text

    def handle(self, text: str) -> int | None:
        """Judge and maybe run one command; an exit status when the shell should end."""
        if not text.strip():
            return None
        try:
            report, action, outcome = self._judge(text)
        except Exception as error:
            # Whatever failed (the question on a terminal that went away, a bug), the line
            # has not run and must not: say so and keep the session.
            self._say(f"safesh: could not judge this line ({_describe(error)}); it was NOT run\n")
            self._refused_status()
            return None
        if action in (Action.WOULD_RUN, Action.WOULD_REFUSE):
            self._say(dry_run_text(report, action))
            self._record(report, outcome)
            return self._dry_run_exit(text)
        if not action.runs:
            self._say("safesh: not run.\n" if outcome == "declined" else block_text(report))
            self._record(report, outcome)
            self._refused_status()
            return None
        if action is Action.RUN_NOTIFY:
            self._say(self._dim(note_text(report)))
        note = self._keep_snapshot(report) if outcome == "approved" else None
        return self._run(report, text, outcome, note)

    # -- steps ------------------------------------------------------------------------------

    def _refused_status(self) -> None:
        # As with `safesh -c`, a line that did not run fails with 77, and `$?` says so.
        self.last_status = EXIT_REFUSED
        if self.runner is not None:
            self.runner.set_status(EXIT_REFUSED)

    def _judge(self, text: str) -> tuple[Report, Action, str]:
        """The report, what to do with it and the audit outcome, the human asked if needed."""
        report = self._check(text)
        mode = Mode.DRY_RUN if self.dry_run else Mode.EXEC
        action = decide(DecisionInput(report.tier, mode, terminal=True, granted=False))
        outcome = _OUTCOMES.get(action, action.value)
        if action is Action.PROMPT:
            action = after_prompt(self._ask(report))
            outcome = "approved" if action.runs else "declined"
        return report, action, outcome

    def _check(self, text: str) -> Report:
        cwd, env = self.cwd, self.env
        try:
            return self.check(text, cwd, env)
        except Exception as error:
            return failed_check_report(text, cwd, env, error)

    def _ask(self, report: Report) -> bool:
        from safesh.interactive.prompts import ask

        self._discard_typeahead()
        return ask(
            ask_text(report),
            type_to_confirm=type_to_confirm(report),
            tty_in=self.tty_in,
            tty_out=self.tty_out,
        )

    def _keep_snapshot(self, report: Report) -> str | None:
        """The human said yes to a destructive line: keep what it destroys for `safesh undo`
        and say so; the audit note (preview and snapshot)."""
        if self.snapshot is None:
            return None
        taken = self.snapshot(report)
        if taken is not None:
            self._say(taken.message())
        from safesh.undo import audit_note

        return audit_note(report, taken)

    def _run(self, report: Report, text: str, outcome: str, note: str | None = None) -> int | None:
        assert self.runner is not None
        record_id = self._record(report, outcome, note)
        started = time.monotonic()
        result = self.runner.run(text)
        if self.audit is not None:
            self.audit.finish(record_id, int(result.status), time.monotonic() - started)
        self.last_status = int(result.status)
        return self.last_status if result.exited else None

    def _leave(self) -> int | None:
        """Ctrl-D at an empty prompt: `exit`, so bash's own rules apply (stopped jobs). When
        the session has an EXIT trap (or cannot say), it runs then: judged as a typed `exit`."""
        if self.runner is None:
            return self.last_status
        if _may_trap_exit(self.runner):
            return self.handle("exit")
        result = self.runner.run("exit")
        return int(result.status) if result.exited else None

    def _dry_run_exit(self, text: str) -> int | None:
        requested = exit_request(text)
        if requested is None:
            return None
        return self.last_status if requested < 0 else requested

    def _record(self, report: Report, outcome: str, note: str | None = None) -> int | None:
        return self.audit.record(report, outcome, note) if self.audit is not None else None

    def _discard_typeahead(self) -> None:
        """Keys typed before the question appeared (a pasted block, say) are not an answer."""
        import termios

        with contextlib.suppress(Exception):
            if self.tty_in.isatty():
                termios.tcflush(self.tty_in.fileno(), termios.TCIFLUSH)

    def _say(self, text: str) -> None:
        if text:
            self.out.write(text)
            self.out.flush()

    def _dim(self, text: str) -> str:
        return f"\x1b[2m{text.rstrip(chr(10))}\x1b[0m\n" if self.styled else text


def _may_trap_exit(runner: Runner) -> bool:
    """Whether the session's bash may run an EXIT trap when it leaves."""
    state = getattr(runner, "state", None)
    if state is None:
        return False  # a runner that keeps no state (tests' fakes)
    try:
        reported = state()
        return bool(reported.problems) or any(signal == "EXIT" for signal, _ in reported.traps)
    except Exception:
        return True


# -- entry point ---------------------------------------------------------------------------------


def main(passthrough_bash_options: list[str], dry_run: bool = False) -> int:
    """`safesh` with no command on a terminal, or `safesh -i`."""
    from safesh.api import check as api_check
    from safesh.execute import ShellNotFound, find_real_shell
    from safesh.interactive.bash_session import BashSession, SessionError
    from safesh.locations import history_file
    from safesh.parse import parse_line
    from safesh.undo import take as take_snapshot

    def warn(text: str) -> None:
        sys.stderr.write(text)
        sys.stderr.flush()

    runner: BashSession | None = None

    def check(text: str, cwd: str, env: Mapping[str, str]) -> Report:
        # Only a line that asks or is blocked is previewed; allowed lines pay nothing. The
        # line runs in a bash that keeps what earlier lines defined: it is judged with that.
        state = runner.state() if runner is not None else None
        return api_check(text, cwd=cwd, env=env, preview=True, session=state)

    if not dry_run:
        try:
            shell = find_real_shell("bash")
            runner = BashSession(shell, passthrough_bash_options, user_in=0, user_out=1)
        except (ShellNotFound, SessionError, OSError) as error:
            warn(f"safesh: {error}\n")
            return 127 if isinstance(error, ShellNotFound) else 1
    history_path: Path | None
    try:
        history_path = history_file()
    except Exception:
        history_path = None
    history = History(history_path, warn)
    session_runner = runner

    def session_cwd() -> str:
        return session_runner.cwd if session_runner is not None else os.getcwd()

    install_completion(session_cwd)
    audit = AuditTrail(warn)
    session = Session(
        check=check,
        parse=parse_line,
        runner=runner,
        read_line=input,
        out=sys.stderr,
        tty_in=sys.stdin,
        tty_out=sys.stderr,
        audit=audit,
        history=history,
        dry_run=dry_run,
        styled=sys.stderr.isatty() and os.environ.get("TERM", "dumb") != "dumb",
        snapshot=take_snapshot,
    )
    try:
        return session.loop()
    finally:
        audit.close()
        if runner is not None:
            runner.close()
