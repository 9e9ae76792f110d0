"""End-to-end: drive the real `python3 -m safesh -i` through a pty with pexpect, with the real
parser and rules, and a real bash behind it."""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest
from ptykit import CONTINUATION, PROMPT, PtyShell

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")


@pytest.fixture
def shell(tmp_path: Path) -> Iterator[PtyShell]:
    running = PtyShell(tmp_path)
    yield running
    running.close()


def decision(line: str, cwd: Path) -> str:
    from safesh.api import check

    return check(line, cwd=str(cwd)).decision


# -- bash state lives on between lines -----------------------------------------------------------


def test_cd_persists_and_the_prompt_follows(shell: PtyShell) -> None:
    assert shell.lines("cd /tmp") == [""]
    assert "/tmp" in shell.lines("pwd")
    shell.child.sendline("true")
    assert shell.expect_prompt() == "/tmp"


def test_the_prompt_shows_home_as_tilde(shell: PtyShell) -> None:
    shell.child.sendline("cd ~")
    assert shell.expect_prompt() == "~"
    shell.child.sendline("cd work")
    assert shell.expect_prompt() == "~/work"


def test_exported_variables_functions_and_aliases_persist(shell: PtyShell) -> None:
    shell.lines("export X=1")
    assert "1" in shell.lines("echo $X")
    shell.lines("greet() { echo hello-$1; }")
    assert "hello-you" in shell.lines("greet you")
    shell.lines("alias sayit='echo said-it'")
    assert "said-it" in shell.lines("sayit")


def test_exit_status_persists(shell: PtyShell) -> None:
    shell.lines("false")
    assert "1" in shell.lines("echo $?")
    assert "0" in shell.lines("echo $?")


# -- multi-line input ----------------------------------------------------------------------------


def test_an_if_spread_over_lines_is_gathered(shell: PtyShell) -> None:
    shell.child.sendline("if true")
    shell.child.expect(CONTINUATION)
    shell.child.sendline("then echo yes-it-ran")
    shell.child.expect(CONTINUATION)
    shell.child.sendline("fi")
    shell.expect_prompt()
    assert "yes-it-ran" in str(shell.child.before)


def test_an_open_quote_continues_on_the_next_line(shell: PtyShell) -> None:
    shell.child.sendline("echo 'first")
    shell.child.expect(CONTINUATION)
    shell.child.sendline("second'")
    shell.expect_prompt()
    output = str(shell.child.before).replace("\r", "")
    assert "first\nsecond" in output


def test_a_heredoc_is_gathered_and_passed_whole(shell: PtyShell) -> None:
    shell.child.sendline("cat <<'EOF'")
    shell.child.expect(CONTINUATION)
    shell.child.sendline("it's $HOME")
    shell.child.expect(CONTINUATION)
    shell.child.sendline("EOF")
    shell.expect_prompt()
    assert "it's $HOME" in str(shell.child.before)


# -- decisions -----------------------------------------------------------------------------------


def test_ask_no_refuses_and_yes_runs(shell: PtyShell) -> None:
    line = "git reset --hard; touch reset-ran"
    assert decision(line, shell.work) == "ask"
    shell.child.sendline(line)
    shell.child.expect(r"\[y/N\] ")
    assert "git.reset-hard" in str(shell.child.before)
    shell.child.sendline("n")
    shell.expect_prompt()
    assert not (shell.work / "reset-ran").exists()

    shell.child.sendline(line)
    shell.child.expect(r"\[y/N\] ")
    shell.child.sendline("y")
    shell.expect_prompt()
    assert (shell.work / "reset-ran").exists()


def test_status_after_a_declined_or_blocked_line_is_77(shell: PtyShell) -> None:
    shell.child.sendline("git reset --hard; touch reset-ran")
    shell.child.expect(r"\[y/N\] ")
    shell.child.sendline("n")
    shell.expect_prompt()
    assert "status=77" in shell.lines("echo status=$?")
    shell.lines("kubectl delete namespace prod; touch blocked-ran")
    assert "status=77" in shell.lines("echo status=$?")
    assert not (shell.work / "reset-ran").exists()
    assert not (shell.work / "blocked-ran").exists()


def test_ctrl_c_at_the_question_declines_on_a_new_line(shell: PtyShell) -> None:
    shell.child.sendline("git reset --hard; touch reset-ran")
    shell.child.expect(r"\[y/N\] ")
    shell.child.sendintr()
    shell.expect_prompt()
    # What follows the question starts on a line of its own.
    assert re.search(r"\^C\r?\nsafesh: not run", str(shell.child.before))
    assert not (shell.work / "reset-ran").exists()


def test_type_to_confirm_wants_the_target_name(shell: PtyShell) -> None:
    line = "git push --force origin main; touch pushed"
    assert decision(line, shell.work) == "ask"
    shell.child.sendline(line)
    shell.child.expect("type 'main'")
    shell.child.sendline("y")
    shell.expect_prompt()
    assert not (shell.work / "pushed").exists()

    shell.child.sendline(line)
    shell.child.expect("type 'main'")
    shell.child.sendline("main")
    shell.expect_prompt()
    assert (shell.work / "pushed").exists()


def test_block_is_explained_and_not_offered(shell: PtyShell) -> None:
    line = "kubectl delete namespace prod; touch blocked-ran"
    assert decision(line, shell.work) == "block"
    output = "\n".join(shell.lines(line))
    assert "blocked" in output and "k8s.delete" in output
    assert "[y/N]" not in output
    assert not (shell.work / "blocked-ran").exists()


# -- the terminal --------------------------------------------------------------------------------


def test_ctrl_c_interrupts_the_command_not_the_shell(shell: PtyShell) -> None:
    # The sleeping process announces itself, so the ^C cannot land between bash's fork and
    # the exec (a window where plain bash loses a ^C too). `+` keeps the echoed line from
    # matching the announcement.
    sleeper = "import time; print('sleep' + 'ing', flush=True); time.sleep(30)"
    shell.child.sendline(f'{sys.executable} -c "{sleeper}"')
    shell.child.expect("sleeping\r\n")
    shell.child.sendintr()
    shell.expect_prompt()
    assert "130" in shell.lines("echo $?")
    assert "still-here" in shell.lines("echo still-here")


def test_ctrl_c_at_the_prompt_cancels_the_line(shell: PtyShell) -> None:
    shell.child.send("touch cancelled")
    # Ctrl-C only once the line is on screen: sent earlier (a loaded machine), it can reach
    # the terminal before the text, which then joins the next line.
    shell.child.expect("touch cancelled")
    shell.child.sendintr()
    shell.expect_prompt()
    assert "fresh" in shell.lines("echo fresh")
    assert not (shell.work / "cancelled").exists()


def test_keys_typed_while_a_command_runs_go_to_it(shell: PtyShell) -> None:
    shell.child.sendline('read -r answer; echo "got:$answer"')
    shell.child.sendline("forty-two")
    shell.expect_prompt()
    assert "got:forty-two" in str(shell.child.before)


def test_typeahead_never_runs_unjudged(shell: PtyShell) -> None:
    """Keys typed while a command that does not read them runs must not become a command."""
    stop = shell.work / "stop"
    shell.child.sendline(f"while [ ! -e {stop} ]; do sleep 0.05; done")
    shell.child.expect("done")
    # If this reached bash it would run unjudged; if safesh reads it, it is asked about.
    shell.child.sendline("git reset --hard; touch typed-ahead")
    stop.touch()
    if shell.child.expect([PROMPT, r"\[y/N\] "]) == 1:
        shell.child.sendline("n")
        shell.expect_prompt()
    shell.lines("true")
    assert not (shell.work / "typed-ahead").exists()


def size_seen_within(size: str) -> str:
    """A line that asks the terminal its size until it reads `size` (the resize reaches the
    inner terminal through a signal, which a loaded machine may deliver a moment late, as a
    real terminal would), up to 10 s, then prints the last size read."""
    probe = f's=$(stty size); [ "$s" = "{size}" ] && break; sleep 0.1'
    return f'for _ in $(seq 100); do {probe}; done; echo "size=$s"'


def test_window_size_reaches_the_command(shell: PtyShell) -> None:
    assert "24 80" in shell.lines("stty size")
    shell.child.setwinsize(30, 100)
    assert "size=30 100" in shell.lines(size_seen_within("30 100"))
    # Resized while a command runs: SIGWINCH is passed on to it.
    shell.child.sendline(f"read -r -p ready: _; {size_seen_within('40 120')}")
    shell.child.expect("ready:")
    shell.child.setwinsize(40, 120)
    shell.child.sendline("")
    shell.expect_prompt()
    assert "size=40 120" in str(shell.child.before)


@pytest.mark.skipif(shutil.which("vim") is None, reason="needs vim")
def test_a_full_screen_editor_works(shell: PtyShell) -> None:
    shell.child.sendline("vim -u NONE -N -n notes.txt")
    shell.child.expect("notes.txt")
    shell.child.send("iwritten in vim\x1b")
    shell.child.send(":wq\r")
    shell.expect_prompt()
    assert (shell.work / "notes.txt").read_text() == "written in vim\n"


@pytest.mark.skipif(shutil.which("less") is None, reason="needs less")
def test_a_pager_works(shell: PtyShell) -> None:
    (shell.work / "pages.txt").write_text("".join(f"line {n}\n" for n in range(200)))
    shell.child.sendline("less pages.txt")
    shell.child.expect("line 10")
    shell.child.send("q")
    shell.expect_prompt()
    assert "after-less" in shell.lines("echo after-less")


# -- leaving -------------------------------------------------------------------------------------


def test_ctrl_d_leaves(shell: PtyShell) -> None:
    shell.child.sendeof()
    shell.child.expect(pexpect.EOF)
    shell.child.close()
    assert shell.child.exitstatus == 0


def test_exit_leaves_with_its_status(shell: PtyShell) -> None:
    shell.child.sendline("exit 3")
    shell.child.expect(pexpect.EOF)
    shell.child.close()
    assert shell.child.exitstatus == 3


# -- what is left behind -------------------------------------------------------------------------


def test_decisions_and_results_are_recorded(shell: PtyShell, tmp_path: Path) -> None:
    from safesh.store import Store

    shell.lines("false")
    shell.child.sendline("git reset --hard")
    shell.child.expect(r"\[y/N\] ")
    shell.child.sendline("n")
    shell.expect_prompt()
    shell.child.sendline("exit")
    shell.child.expect(pexpect.EOF)

    database = tmp_path / "state" / "safesh" / "safesh.db"
    with Store(database) as store:
        records = {r.command: r for r in store.records() if r.kind == "command"}
    assert records["false"].mode == "interactive"
    assert records["false"].outcome == "ran"
    assert records["false"].exit_status == 1
    assert records["git reset --hard"].outcome == "declined"
    assert records["git reset --hard"].exit_status is None


def test_history_is_saved(shell: PtyShell, tmp_path: Path) -> None:
    shell.lines("echo remembered")
    history = tmp_path / "state" / "safesh" / "history"
    assert "echo remembered" in history.read_text()
