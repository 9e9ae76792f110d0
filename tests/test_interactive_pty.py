"""End-to-end: drive the real `python3 -m safesh -i` through a pty with pexpect, with the real
parser and rules, and a real bash behind it."""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")

REPO = Path(__file__).resolve().parents[1]
PROMPT = re.compile(r"safesh:([^\r\n]*)[$#] ")
CONTINUATION = re.compile(r"\n> ")
TIMEOUT = 10


def environment(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {
        "HOME": str(home),
        "PATH": os.environ.get("PATH", os.defpath),
        "TERM": "xterm",
        "LANG": "C.UTF-8",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "PYTHONPATH": str(REPO),
    }
    return env


class Shell:
    """A running safesh -i and the directory it started in."""

    def __init__(self, tmp_path: Path) -> None:
        self.home = tmp_path / "home"
        self.work = self.home / "work"
        self.work.mkdir(parents=True, exist_ok=True)
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "safesh", "-i"],
            env=environment(tmp_path),
            cwd=str(self.work),
            encoding="utf-8",
            timeout=TIMEOUT,
            dimensions=(24, 80),
        )
        self.expect_prompt()

    def expect_prompt(self) -> str:
        """The prompt's directory part."""
        self.child.expect(PROMPT)
        return str(self.child.match.group(1))

    def run(self, line: str) -> list[str]:
        """Send `line`, wait for the next prompt, return the output lines (without the echo)."""
        self.child.sendline(line)
        self.expect_prompt()
        text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", str(self.child.before))
        return text.replace("\r", "").split("\n")[1:]

    def close(self) -> None:
        if self.child.isalive():
            self.child.close(force=True)


@pytest.fixture
def shell(tmp_path: Path) -> Iterator[Shell]:
    running = Shell(tmp_path)
    yield running
    running.close()


def decision(line: str, cwd: Path) -> str:
    from safesh.api import check

    return check(line, cwd=str(cwd)).decision


# -- bash state lives on between lines -----------------------------------------------------------


def test_cd_persists_and_the_prompt_follows(shell: Shell) -> None:
    assert shell.run("cd /tmp") == [""]
    assert "/tmp" in shell.run("pwd")
    shell.child.sendline("true")
    assert shell.expect_prompt() == "/tmp"


def test_the_prompt_shows_home_as_tilde(shell: Shell) -> None:
    shell.child.sendline("cd ~")
    assert shell.expect_prompt() == "~"
    shell.child.sendline("cd work")
    assert shell.expect_prompt() == "~/work"


def test_exported_variables_functions_and_aliases_persist(shell: Shell) -> None:
    shell.run("export X=1")
    assert "1" in shell.run("echo $X")
    shell.run("greet() { echo hello-$1; }")
    assert "hello-you" in shell.run("greet you")
    shell.run("alias sayit='echo said-it'")
    assert "said-it" in shell.run("sayit")


def test_exit_status_persists(shell: Shell) -> None:
    shell.run("false")
    assert "1" in shell.run("echo $?")
    assert "0" in shell.run("echo $?")


# -- multi-line input ----------------------------------------------------------------------------


def test_an_if_spread_over_lines_is_gathered(shell: Shell) -> None:
    shell.child.sendline("if true")
    shell.child.expect(CONTINUATION)
    shell.child.sendline("then echo yes-it-ran")
    shell.child.expect(CONTINUATION)
    shell.child.sendline("fi")
    shell.expect_prompt()
    assert "yes-it-ran" in str(shell.child.before)


def test_an_open_quote_continues_on_the_next_line(shell: Shell) -> None:
    shell.child.sendline("echo 'first")
    shell.child.expect(CONTINUATION)
    shell.child.sendline("second'")
    shell.expect_prompt()
    output = str(shell.child.before).replace("\r", "")
    assert "first\nsecond" in output


def test_a_heredoc_is_gathered_and_passed_whole(shell: Shell) -> None:
    shell.child.sendline("cat <<'EOF'")
    shell.child.expect(CONTINUATION)
    shell.child.sendline("it's $HOME")
    shell.child.expect(CONTINUATION)
    shell.child.sendline("EOF")
    shell.expect_prompt()
    assert "it's $HOME" in str(shell.child.before)


# -- decisions -----------------------------------------------------------------------------------


def test_ask_no_refuses_and_yes_runs(shell: Shell) -> None:
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


def test_status_after_a_declined_or_blocked_line_is_77(shell: Shell) -> None:
    shell.child.sendline("git reset --hard; touch reset-ran")
    shell.child.expect(r"\[y/N\] ")
    shell.child.sendline("n")
    shell.expect_prompt()
    assert "status=77" in shell.run("echo status=$?")
    shell.run("kubectl delete namespace prod; touch blocked-ran")
    assert "status=77" in shell.run("echo status=$?")
    assert not (shell.work / "reset-ran").exists()
    assert not (shell.work / "blocked-ran").exists()


def test_ctrl_c_at_the_question_declines_on_a_new_line(shell: Shell) -> None:
    shell.child.sendline("git reset --hard; touch reset-ran")
    shell.child.expect(r"\[y/N\] ")
    shell.child.sendintr()
    shell.expect_prompt()
    # What follows the question starts on a line of its own.
    assert re.search(r"\^C\r?\nsafesh: not run", str(shell.child.before))
    assert not (shell.work / "reset-ran").exists()


def test_type_to_confirm_wants_the_target_name(shell: Shell) -> None:
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


def test_block_is_explained_and_not_offered(shell: Shell) -> None:
    line = "kubectl delete namespace prod; touch blocked-ran"
    assert decision(line, shell.work) == "block"
    output = "\n".join(shell.run(line))
    assert "blocked" in output and "k8s.delete" in output
    assert "[y/N]" not in output
    assert not (shell.work / "blocked-ran").exists()


# -- the terminal --------------------------------------------------------------------------------


def test_ctrl_c_interrupts_the_command_not_the_shell(shell: Shell) -> None:
    # The sleeping process announces itself, so the ^C cannot land between bash's fork and
    # the exec (a window where plain bash loses a ^C too). `+` keeps the echoed line from
    # matching the announcement.
    sleeper = "import time; print('sleep' + 'ing', flush=True); time.sleep(30)"
    shell.child.sendline(f'{sys.executable} -c "{sleeper}"')
    shell.child.expect("sleeping\r\n")
    shell.child.sendintr()
    shell.expect_prompt()
    assert "130" in shell.run("echo $?")
    assert "still-here" in shell.run("echo still-here")


def test_ctrl_c_at_the_prompt_cancels_the_line(shell: Shell) -> None:
    shell.child.send("touch cancelled")
    # Ctrl-C only once the line is on screen: sent earlier (a loaded machine), it can reach
    # the terminal before the text, which then joins the next line.
    shell.child.expect("touch cancelled")
    shell.child.sendintr()
    shell.expect_prompt()
    assert "fresh" in shell.run("echo fresh")
    assert not (shell.work / "cancelled").exists()


def test_keys_typed_while_a_command_runs_go_to_it(shell: Shell) -> None:
    shell.child.sendline('read -r answer; echo "got:$answer"')
    shell.child.sendline("forty-two")
    shell.expect_prompt()
    assert "got:forty-two" in str(shell.child.before)


def test_typeahead_never_runs_unjudged(shell: Shell) -> None:
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
    shell.run("true")
    assert not (shell.work / "typed-ahead").exists()


def test_window_size_reaches_the_command(shell: Shell) -> None:
    assert "24 80" in shell.run("stty size")
    shell.child.setwinsize(30, 100)
    assert "30 100" in shell.run("stty size")
    # Resized while a command runs: SIGWINCH is passed on at once.
    shell.child.sendline("read -r -p ready: _; stty size")
    shell.child.expect("ready:")
    shell.child.setwinsize(40, 120)
    shell.child.sendline("")
    shell.expect_prompt()
    assert "40 120" in str(shell.child.before)


@pytest.mark.skipif(shutil.which("vim") is None, reason="needs vim")
def test_a_full_screen_editor_works(shell: Shell) -> None:
    shell.child.sendline("vim -u NONE -N -n notes.txt")
    shell.child.expect("notes.txt")
    shell.child.send("iwritten in vim\x1b")
    shell.child.send(":wq\r")
    shell.expect_prompt()
    assert (shell.work / "notes.txt").read_text() == "written in vim\n"


@pytest.mark.skipif(shutil.which("less") is None, reason="needs less")
def test_a_pager_works(shell: Shell) -> None:
    (shell.work / "pages.txt").write_text("".join(f"line {n}\n" for n in range(200)))
    shell.child.sendline("less pages.txt")
    shell.child.expect("line 10")
    shell.child.send("q")
    shell.expect_prompt()
    assert "after-less" in shell.run("echo after-less")


# -- leaving -------------------------------------------------------------------------------------


def test_ctrl_d_leaves(shell: Shell) -> None:
    shell.child.sendeof()
    shell.child.expect(pexpect.EOF)
    shell.child.close()
    assert shell.child.exitstatus == 0


def test_exit_leaves_with_its_status(shell: Shell) -> None:
    shell.child.sendline("exit 3")
    shell.child.expect(pexpect.EOF)
    shell.child.close()
    assert shell.child.exitstatus == 3


# -- what is left behind -------------------------------------------------------------------------


def test_decisions_and_results_are_recorded(shell: Shell, tmp_path: Path) -> None:
    from safesh.store import Store

    shell.run("false")
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


def test_history_is_saved(shell: Shell, tmp_path: Path) -> None:
    shell.run("echo remembered")
    history = tmp_path / "state" / "safesh" / "history"
    assert "echo remembered" in history.read_text()
