"""Unit tests for the interactive shell's pure parts and its decision loop, with an injected
checker and runner (no terminal, no rules)."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safesh.api import Report
from safesh.interactive.bash_session import (
    RunResult,
    ansi_c_quote,
    bash_arguments,
    read_env_snapshot,
    trigger_line,
)
from safesh.interactive.relay import Marker, MarkerScanner, parse_marker
from safesh.interactive.repl import (
    AuditTrail,
    History,
    Session,
    display_path,
    exit_request,
    is_incomplete,
    needs_more,
    render_prompt,
)
from safesh.model import Analysis, Context, Finding, ParseError, Tier
from safesh.parse import parse_line

BASH = shutil.which("bash")

# -- incomplete input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "echo 'abc",
        'echo "abc',
        "if true; then",
        "if true\nthen echo x",
        "echo a |",
        "echo a &&",
        "echo a \\",
        "cat <<EOF",
        "cat <<EOF\nhello",
        "for i in 1 2; do",
        "f() {",
        "echo $(ls",
    ],
)
def test_unfinished_input_needs_more(text: str) -> None:
    assert needs_more(text, parse_line)


@pytest.mark.parametrize(
    "text",
    ["ls", "echo 'a b'", "if true\nthen echo x\nfi", "cat <<EOF\nhello\nEOF", "echo a \\\\", ""],
)
def test_finished_input_does_not(text: str) -> None:
    assert not needs_more(text, parse_line)


@pytest.mark.parametrize("text", ["echo )", "fi", "echo a; ;"])
def test_a_real_syntax_error_is_not_incomplete(text: str) -> None:
    # Otherwise the user would be stuck at `> ` with a line bash will never accept.
    assert not needs_more(text, parse_line)


def test_the_parsers_flag_says_incomplete() -> None:
    assert is_incomplete(ParseError("syntax error", "x", position=0, incomplete=True), "x")


def test_a_redirect_without_target_is_an_error_not_an_open_line() -> None:
    # The parser fails at the very end of `echo a >`, but bash rejects it: no `> ` prompt.
    assert not needs_more("echo a >", parse_line)


@pytest.mark.parametrize(
    ("message", "position", "expected"),
    [
        ("unexpected token ')'", 5, False),
        ("unexpected EOF while looking for matching `''", None, True),
        ("here-document delimited by end-of-file", 3, True),
        ("unexpected end of input", 0, True),
        ("syntax error", 9, False),  # the flag is there (False): position is no evidence
    ],
)
def test_the_wording_of_the_error_counts(
    message: str, position: int | None, expected: bool
) -> None:
    assert is_incomplete(ParseError(message, "echo 'abc", position), "echo 'abc") is expected


class FlaglessError(ParseError):
    """A ParseError from a parser that predates the `incomplete` flag."""

    def __getattribute__(self, name: str) -> object:
        if name == "incomplete":
            raise AttributeError(name)
        return super().__getattribute__(name)


@pytest.mark.parametrize(
    ("position", "expected"), [(9, True), (12, True), (4, False), (None, False)]
)
def test_without_the_flag_an_error_at_the_end_means_incomplete(
    position: int | None, expected: bool
) -> None:
    error = FlaglessError("syntax error", "echo 'abc", position)
    assert is_incomplete(error, "echo 'abc") is expected


def test_a_crashing_parser_does_not_trap_the_user() -> None:
    def broken(_text: str) -> object:
        raise RuntimeError("parser bug")

    assert not needs_more("echo hi", broken)


# -- prompt --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cwd", "home", "shown"),
    [
        ("/home/me", "/home/me", "~"),
        ("/home/me/project", "/home/me", "~/project"),
        ("/home/me/project", "/home/me/", "~/project"),
        ("/home/meadow", "/home/me", "/home/meadow"),
        ("/tmp", "/home/me", "/tmp"),
        ("/tmp", None, "/tmp"),
        ("/etc", "/", "/etc"),
    ],
)
def test_display_path(cwd: str, home: str | None, shown: str) -> None:
    assert display_path(cwd, home) == shown


def test_render_prompt() -> None:
    assert render_prompt("/home/me/project", "/home/me") == "safesh:~/project$ "
    assert render_prompt("/root", "/root", root=True) == "safesh:~# "


@pytest.mark.parametrize(
    ("text", "expected"),
    [("exit", -1), ("exit 3", 3), ("  exit 300 ", 44), ("logout", -1), ("exit; ls", None)],
)
def test_exit_request(text: str, expected: int | None) -> None:
    assert exit_request(text) == expected


# -- markers -------------------------------------------------------------------------------------

TOKEN = "0123abcd"


def marker(kind: str, serial: int, status: int = 0, cwd: str = "") -> bytes:
    return f"\x1eSAFESH:{TOKEN}:{kind}:{serial}:{status}:{cwd}\x1f".encode()


def test_scanner_separates_output_and_markers() -> None:
    data = b"before" + marker("go", 1) + b"out\r\n" + marker("end", 1, 2, "/tmp/x") + b"after"
    events = MarkerScanner(TOKEN).feed(data)
    assert events == [
        b"before",
        Marker("go", 1),
        b"out\r\n",
        Marker("end", 1, 2, "/tmp/x"),
        b"after",
    ]


def test_scanner_joins_a_marker_split_across_reads() -> None:
    data = b"out" + marker("end", 7, 130, "/a:b c")
    for cut in range(1, len(data)):
        scanner = MarkerScanner(TOKEN)
        events = scanner.feed(data[:cut]) + scanner.feed(data[cut:])
        output = b"".join(e for e in events if isinstance(e, bytes))
        assert output == b"out", cut
        assert [e for e in events if isinstance(e, Marker)] == [Marker("end", 7, 130, "/a:b c")]


def test_scanner_ignores_another_token_and_lone_separators() -> None:
    foreign = b"\x1eSAFESH:ffffffff:end:1:0:/\x1f"
    events = MarkerScanner(TOKEN).feed(b"a\x1eb" + foreign + b"\x1f")
    assert events == [b"a\x1eb" + foreign + b"\x1f"]


def test_scanner_shows_a_malformed_marker_as_output() -> None:
    bad = f"\x1eSAFESH:{TOKEN}:end:x:0:/\x1f".encode()
    assert MarkerScanner(TOKEN).feed(bad) == [bad]


def test_scanner_gives_up_on_a_marker_that_never_ends() -> None:
    scanner = MarkerScanner(TOKEN)
    head = f"\x1eSAFESH:{TOKEN}:end:1:0:".encode()
    assert scanner.feed(head) == []
    assert scanner.feed(b"x" * 20000) == [head + b"x" * 20000]


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (b"end:3:1:/tmp", Marker("end", 3, 1, "/tmp")),
        (b"go:4:0:", Marker("go", 4)),
        (b"end:3:1", None),
        (b"start:3:1:/", None),
        (b"end:-1:1:/", None),
    ],
)
def test_parse_marker(payload: bytes, expected: Marker | None) -> None:
    assert parse_marker(payload) == expected


# -- what is sent to bash ------------------------------------------------------------------------


@pytest.mark.skipif(BASH is None, reason="needs bash")
@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters="\x00", codec="utf-8"), max_size=40))
def test_ansi_c_quote_gives_bash_the_exact_text(text: str) -> None:
    assert BASH is not None
    quoted = ansi_c_quote(text)
    assert "\n" not in quoted
    printed = subprocess.run(
        [BASH, "--norc", "-c", f"printf %s {quoted}"], capture_output=True, check=True
    ).stdout
    assert printed == text.encode("utf-8")


def test_trigger_line_is_one_line_whatever_the_text() -> None:
    line = trigger_line(12, "cat <<EOF\nhi 'there'\nEOF")
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert b"__safesh_n=12 " in line


@pytest.mark.parametrize(
    ("passthrough", "expected"),
    [
        ([], ["--noediting", "--norc", "--noprofile", "-i"]),
        (["-i"], ["--noediting", "--norc", "--noprofile", "-i"]),
        (["--rcfile", "/x/rc"], ["--noediting", "--rcfile", "/x/rc", "-i"]),
        (["-l", "-o", "vi"], ["--noediting", "-l", "-o", "vi", "-i"]),
    ],
)
def test_bash_arguments(passthrough: list[str], expected: list[str]) -> None:
    assert bash_arguments(passthrough) == expected


def test_env_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "env"
    path.write_bytes(b"A=1\0MULTI=x\ny=z\0EMPTY=\0junk\0")
    assert read_env_snapshot(path) == {"A": "1", "MULTI": "x\ny=z", "EMPTY": ""}
    assert read_env_snapshot(tmp_path / "missing") is None


# -- the loop, with a fake checker and a fake runner ---------------------------------------------


def report_for(
    text: str, tier: Tier, *, confirm: str | None = None, target: str | None = None
) -> Report:
    findings: tuple[Finding, ...] = ()
    if tier is not Tier.ALLOW:
        findings = (
            Finding(
                rule_id=f"test.{tier.value}",
                tier=tier,
                reason=f"because {tier.value}",
                command=None,
                alternative="do it gently",
                confirm=confirm,
                target=target,
            ),
        )
    context = Context(cwd="/work", home="/home/me")
    return Report(Analysis(text, context, (), findings, tier, "bashlex"))


@dataclass
class FakeRunner:
    cwd: str = "/work"
    env: dict[str, str] = field(default_factory=lambda: {"HOME": "/home/me"})
    ran: list[str] = field(default_factory=list)
    next_status: int | None = None

    def run(self, text: str) -> RunResult:
        self.ran.append(text)
        if text.startswith("exit"):
            return RunResult(int(text.split()[1]) if " " in text else 0, exited=True)
        return RunResult(self.next_status or 0, exited=False)

    def set_status(self, status: int) -> None:
        self.next_status = status

    def show_pending(self) -> None:
        pass


@dataclass
class FakeStore:
    events: list[object] = field(default_factory=list)
    finished: list[tuple[int, int]] = field(default_factory=list)

    def record(self, event: object) -> int:
        self.events.append(event)
        return len(self.events)

    def finish(self, record_id: int, status: int, _duration: float) -> None:
        self.finished.append((record_id, status))

    def close(self) -> None:
        pass


def make_session(
    tiers: Mapping[str, Report],
    lines: list[str],
    answers: str = "",
    dry_run: bool = False,
) -> tuple[Session, FakeRunner, FakeStore, io.StringIO, list[tuple[str, str]]]:
    runner = FakeRunner()
    store = FakeStore()
    out = io.StringIO()
    checked: list[tuple[str, str]] = []
    feed = iter(lines)

    def check(text: str, cwd: str, _env: Mapping[str, str]) -> Report:
        checked.append((text, cwd))
        return tiers.get(text) or report_for(text, Tier.ALLOW)

    def read_line(_prompt: str) -> str:
        try:
            return next(feed)
        except StopIteration:
            raise EOFError from None

    session = Session(
        check=check,
        parse=parse_line,
        runner=None if dry_run else runner,
        read_line=read_line,
        out=out,
        tty_in=io.StringIO(answers),
        tty_out=out,
        audit=AuditTrail(warn=out.write, open_store=lambda: store),
        dry_run=dry_run,
    )
    return session, runner, store, out, checked


def test_allowed_lines_run_and_are_recorded_with_their_status() -> None:
    session, runner, store, _out, checked = make_session({}, ["echo hi", "exit 4"])
    assert session.loop() == 4
    assert runner.ran == ["echo hi", "exit 4"]
    assert checked[0] == ("echo hi", "/work")
    assert [e.outcome for e in store.events] == ["ran", "ran"]  # type: ignore[attr-defined]
    assert [e.mode for e in store.events] == ["interactive"] * 2  # type: ignore[attr-defined]
    assert store.finished == [(1, 0), (2, 4)]


def test_multi_line_input_is_judged_and_run_as_one_unit() -> None:
    session, runner, _store, _out, checked = make_session({}, ["if true", "then echo x", "fi"])
    session.loop()
    assert checked[0][0] == "if true\nthen echo x\nfi"
    assert runner.ran[0] == "if true\nthen echo x\nfi"


def test_notify_runs_with_a_note() -> None:
    tiers = {"npm publish": report_for("npm publish", Tier.NOTIFY)}
    session, runner, _store, out, _ = make_session(tiers, ["npm publish"])
    session.loop()
    assert runner.ran[0] == "npm publish"
    assert "note: [test.notify] because notify" in out.getvalue()


def test_ask_declined_does_not_run() -> None:
    tiers = {"git reset --hard": report_for("git reset --hard", Tier.ASK)}
    session, runner, store, out, _ = make_session(tiers, ["git reset --hard"], answers="n\n")
    session.loop()
    assert "git reset --hard" not in runner.ran
    text = out.getvalue()
    assert "[test.ask] because ask" in text and "safer: do it gently" in text
    assert "[y/N]" in text and "not run" in text
    assert store.events[0].outcome == "declined"  # type: ignore[attr-defined]


def test_ask_defaults_to_no_on_an_empty_answer() -> None:
    tiers = {"git reset --hard": report_for("git reset --hard", Tier.ASK)}
    session, runner, _store, _out, _ = make_session(tiers, ["git reset --hard"], answers="\n")
    session.loop()
    assert "git reset --hard" not in runner.ran


def test_ask_confirmed_runs() -> None:
    tiers = {"git reset --hard": report_for("git reset --hard", Tier.ASK)}
    session, runner, store, _out, _ = make_session(tiers, ["git reset --hard"], answers="y\n")
    session.loop()
    assert runner.ran[0] == "git reset --hard"
    assert store.events[0].outcome == "approved"  # type: ignore[attr-defined]


@pytest.mark.parametrize(("answer", "runs"), [("y\n", False), ("mai\n", False), ("main\n", True)])
def test_type_to_confirm_needs_the_target_typed(answer: str, runs: bool) -> None:
    line = "git push --force origin main"
    tiers = {line: report_for(line, Tier.ASK, confirm="type", target="main")}
    session, runner, _store, out, _ = make_session(tiers, [line], answers=answer)
    session.loop()
    assert (line in runner.ran) is runs
    assert "type 'main'" in out.getvalue()


def test_block_is_explained_and_not_offered() -> None:
    tiers = {"rm -rf /": report_for("rm -rf /", Tier.BLOCK)}
    session, runner, store, out, _ = make_session(tiers, ["rm -rf /"], answers="y\n")
    session.loop()
    assert "rm -rf /" not in runner.ran
    text = out.getvalue()
    assert "blocked" in text and "[test.block] because block" in text
    assert "[y/N]" not in text and "type '" not in text
    assert store.events[0].outcome == "refused"  # type: ignore[attr-defined]


def test_dry_run_reports_and_runs_nothing() -> None:
    tiers = {"git reset --hard": report_for("git reset --hard", Tier.ASK)}
    session, runner, store, out, _ = make_session(
        tiers, ["ls", "git reset --hard", "exit 5"], dry_run=True
    )
    assert session.loop() == 5
    assert runner.ran == []
    text = out.getvalue()
    assert "would run (allow): ls" in text and "would NOT run (ask): git reset --hard" in text
    assert store.events[1].outcome == "would-refuse"  # type: ignore[attr-defined]


def test_a_crashing_checker_means_ask_not_run() -> None:
    session, runner, _store, out, _ = make_session({}, [], answers="n\n")

    def crash(_text: str, _cwd: str, _env: Mapping[str, str]) -> Report:
        raise RuntimeError("rules exploded")

    session.check = crash
    assert session.handle("echo hi") is None
    assert runner.ran == []
    assert "rules exploded" in out.getvalue()


def test_ctrl_c_while_the_line_is_judged_cancels_it() -> None:
    session, runner, _store, out, _ = make_session({}, ["sleep 30", "echo after"])

    def interrupted(text: str, _cwd: str, _env: Mapping[str, str]) -> Report:
        if text == "sleep 30":
            raise KeyboardInterrupt
        return report_for(text, Tier.ALLOW)

    session.check = interrupted
    session.loop()
    assert runner.ran == ["echo after", "exit"]
    assert "cancelled; nothing was run" in out.getvalue()


def test_ctrl_c_cancels_the_line_being_typed() -> None:
    session, runner, _store, _out, checked = make_session({}, [])
    calls = iter([KeyboardInterrupt(), "echo after"])

    def read_line(_prompt: str) -> str:
        item = next(calls, None)
        if item is None:
            raise EOFError
        if isinstance(item, BaseException):
            raise item
        return item

    session.read_line = read_line
    session.loop()
    assert [text for text, _ in checked] == ["echo after"]
    assert runner.ran[0] == "echo after"


def test_ctrl_d_inside_a_multi_line_command_cancels_it() -> None:
    session, runner, _store, out, checked = make_session({}, ["echo 'open"])
    session.loop()
    assert checked == [] and runner.ran == ["exit"]
    assert "nothing was run" in out.getvalue()


def test_a_broken_store_is_said_for_every_unrecorded_command_and_the_shell_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))  # where the spool goes
    session, runner, _store, out, _ = make_session({}, ["echo 1", "echo 2"])

    def broken() -> object:
        raise OSError("disk full")

    assert session.audit is not None
    session.audit.open_store = broken
    session.loop()
    assert runner.ran == ["echo 1", "echo 2", "exit"]
    assert out.getvalue().count("was not written to the audit log") == 2


def test_one_store_failure_does_not_turn_recording_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))  # where the spool goes
    session, _runner, store, out, _ = make_session({}, ["echo 1", "echo 2"])
    attempts: list[int] = []

    def locked_once() -> object:
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("database is locked")
        return store

    assert session.audit is not None
    session.audit.open_store = locked_once
    session.loop()
    assert [getattr(e, "command", None) for e in store.events] == ["echo 2"]
    assert out.getvalue().count("was not written to the audit log") == 1


def test_history_failures_never_raise(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    warnings = io.StringIO()
    history = History(blocker / "sub" / "history", warnings.write)  # parent is a file
    history.add("echo hi")
    history.add("echo again")
    assert warnings.getvalue().count("history not saved") == 1


def test_history_is_appended_to_its_file(tmp_path: Path) -> None:
    path = tmp_path / "state" / "history"
    history = History(path, lambda _text: None)
    history.add("echo one")
    assert "echo one" in path.read_text()
    assert path.stat().st_mode & 0o077 == 0


def test_a_refused_line_hands_status_77_to_the_shell_for_the_next_line() -> None:
    tiers = {"rm -rf /": report_for("rm -rf /", Tier.BLOCK)}
    session, runner, _store, _out, _ = make_session(tiers, ["rm -rf /"])
    session.loop()
    assert "rm -rf /" not in runner.ran
    assert runner.next_status == 77


def test_a_declined_line_leaves_status_77() -> None:
    tiers = {"git reset --hard": report_for("git reset --hard", Tier.ASK)}
    session, runner, _store, _out, _ = make_session(tiers, ["git reset --hard"], answers="n\n")
    session.loop()
    assert runner.next_status == 77


class _InterruptedInput(io.StringIO):
    def readline(self, size: int | None = -1) -> str:
        raise KeyboardInterrupt


def test_ctrl_c_at_the_question_answers_no_on_a_new_line() -> None:
    from safesh.interactive.prompts import ask

    out = io.StringIO()
    assert ask("about to run x\n", tty_in=_InterruptedInput(), tty_out=out) is False
    assert out.getvalue().endswith("[y/N] \n")


def test_a_fault_while_deciding_stops_the_line_and_keeps_the_session(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 9: a bug between the check and the run is not a crash of the shell, and the
    line it was about does not run."""
    import safesh.interactive.repl as repl_module

    real_decide = repl_module.decide

    def broken_once(given: object) -> object:
        monkeypatch.setattr(repl_module, "decide", real_decide)
        raise RuntimeError("decision table bug")

    monkeypatch.setattr(repl_module, "decide", broken_once)
    session, runner, _store, out, _ = make_session({}, ["echo first", "echo after"])
    session.loop()
    assert runner.ran[:1] == ["echo after"]  # then Ctrl-D: exit
    assert "decision table bug" in out.getvalue() and "NOT run" in out.getvalue()
