"""End-to-end: the interactive shell runs every line in one bash, so what a line defines
(an alias, a function, a variable, `"$@"`, the hash table, the directory) is there on the next.
Each line is judged with what the session's bash reports it holds, not only with what the
line itself defines. Driven through a pty (`python -m safesh -i`), with stubs of destructive
programs first on PATH that only leave a mark, asserted never to have run.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest
from ptykit import PtyShell

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")

STUBBED = ("rm", "rmdir", "shred", "dd", "mv", "find", "git", "kubectl", "truncate")


@pytest.fixture
def shell(tmp_path: Path) -> Iterator[PtyShell]:
    running = PtyShell(tmp_path, stubbed=STUBBED, size=(24, 200))
    yield running
    running.close()


def blocked(output: str) -> bool:
    return "safesh: blocked; this will not run" in output


# -- what an earlier line defined is judged on a later one ----------------------------------------


def test_an_alias_defined_by_an_approved_line_is_judged_by_its_value_when_called(
    shell: PtyShell,
) -> None:
    # The definition is opaque (eval of a file's text): a human approves it, and the alias
    # is then in the session. Calling it is judged as what it runs.
    (shell.work / "defs.txt").write_text("alias ll='rm -rf ~/'\n")
    shell.approve('eval "$(cat defs.txt)"')
    assert blocked(shell.run("ll"))
    assert shell.nothing_destroyed()


def test_an_alias_from_a_sourced_file_is_judged_at_the_source_line(shell: PtyShell) -> None:
    (shell.work / "defs.sh").write_text("alias ll='rm -rf ~/'\n")
    assert blocked(shell.run("source defs.sh"))
    assert shell.nothing_destroyed()


def test_a_variable_set_on_one_line_is_known_as_the_command_word_of_the_next(
    shell: PtyShell,
) -> None:
    shell.run("x='rm -rf'")
    output = shell.run("$x ~/")
    assert blocked(output) and "fs.rm-home" in output
    assert shell.nothing_destroyed()


def test_a_variable_set_on_one_line_is_known_as_an_argument_of_the_next(shell: PtyShell) -> None:
    shell.run("target=~/")
    assert blocked(shell.run('rm -rf "$target"'))
    assert shell.nothing_destroyed()


def test_a_benign_variable_from_an_earlier_line_lets_the_command_run_unasked(
    shell: PtyShell,
) -> None:
    shell.run("lister='echo listed'")
    assert "listed" in shell.run("$lister here")


def test_positional_parameters_set_on_one_line_are_known_on_the_next(shell: PtyShell) -> None:
    shell.run("set -- rm -rf ~/")
    assert blocked(shell.run('"$@"'))
    assert shell.nothing_destroyed()


def test_a_function_is_judged_with_variables_set_after_it_was_defined(shell: PtyShell) -> None:
    shell.approve("wipe() { $how ~/; }")  # what `$how` is cannot be known yet: asked
    shell.run("how='rm -rf'")
    assert blocked(shell.run("wipe"))
    assert shell.nothing_destroyed()


def test_a_function_whose_body_uses_a_session_alias_is_judged_where_it_is_defined(
    shell: PtyShell,
) -> None:
    (shell.work / "defs.txt").write_text("alias zap='rm -rf ~/'\n")
    shell.approve('eval "$(cat defs.txt)"')
    # bash expands the alias into the body as it reads the definition
    assert blocked(shell.run("tidy() { zap; }"))
    assert shell.nothing_destroyed()


def test_a_hashed_path_makes_a_harmless_name_run_what_it_points_at(shell: PtyShell) -> None:
    shell.approve(f"hash -p {shell.stubs / 'rm'} ls")
    assert blocked(shell.run("ls -rf ~/"))
    assert shell.nothing_destroyed()


def test_a_command_not_found_handler_is_judged_with_the_words_it_receives(
    shell: PtyShell,
) -> None:
    shell.approve('command_not_found_handle() { eval "$CNF"; }')  # opaque: asked
    shell.run("CNF='rm -rf ~/'")
    assert blocked(shell.run("no-such-program-here"))
    assert shell.nothing_destroyed()


def test_a_debug_trap_is_judged_with_the_values_a_line_gives_its_variables(
    shell: PtyShell,
) -> None:
    shell.run("HOOK='echo hooked'")
    assert "hooked" in shell.run("trap 'eval \"$HOOK\"' DEBUG")
    # The trap runs before every later command, with the value this line sets.
    assert blocked(shell.run("HOOK='rm -rf ~/'"))
    assert shell.nothing_destroyed()


def test_a_signal_trap_is_judged_with_every_line_it_may_interrupt(shell: PtyShell) -> None:
    shell.run("ON_INT='echo interrupted'")
    shell.run("trap 'eval \"$ON_INT\"' INT")
    # A ^C during any later command would run it, with the value this line sets.
    assert blocked(shell.run("ON_INT='rm -rf ~/'"))
    assert shell.nothing_destroyed()


def test_an_exported_bash_env_is_judged_in_every_shell_a_later_line_starts(
    shell: PtyShell,
) -> None:
    (shell.work / "setup.sh").write_text("rm -rf ~/\n")
    (shell.work / "build.sh").write_text("echo built\n")
    shell.run(f"export BASH_ENV={shell.work / 'setup.sh'}")
    assert blocked(shell.run("bash build.sh"))
    assert shell.nothing_destroyed()


def test_an_exit_trap_is_judged_when_a_line_leaves_the_shell(shell: PtyShell) -> None:
    shell.approve("trap 'eval \"$BYE\"' EXIT")  # opaque: asked
    shell.run("BYE='rm -rf ~/'")
    assert blocked(shell.run("exit"))
    assert shell.child.isalive()
    assert shell.nothing_destroyed()


def test_an_exit_trap_is_judged_when_ctrl_d_leaves_the_shell(shell: PtyShell) -> None:
    shell.approve("trap 'eval \"$BYE\"' EXIT")
    shell.run("BYE='rm -rf ~/'")
    shell.child.sendeof()
    shell.expect_prompt()
    assert "safesh: blocked; this will not run" in str(shell.child.before)
    assert shell.nothing_destroyed()


def test_a_harmless_exit_trap_lets_the_shell_leave(shell: PtyShell) -> None:
    shell.run("trap 'echo bye-now' EXIT")
    shell.child.sendline("exit")
    shell.child.expect("bye-now")
    shell.child.expect(pexpect.EOF)


def test_the_directory_is_bash_s_own_not_a_pwd_a_line_set(shell: PtyShell) -> None:
    shell.run("cd ~")
    shell.run(f"PWD={shell.work}")  # `$PWD` now claims the project; bash is in the home
    assert blocked(shell.run("rm -rf *"))
    assert shell.nothing_destroyed()


def test_everyday_definitions_keep_running_unasked(shell: PtyShell) -> None:
    shell.run("alias ll='ls -la' gs='git status'")
    assert "keep.txt" in shell.run("cd ~ && ll")
    shell.run("greet() { echo hello-$1; }")
    assert "hello-you" in shell.run("greet you")


def test_the_user_s_shell_options_do_not_keep_bash_from_reporting(shell: PtyShell) -> None:
    shell.run("set -o noclobber -o nounset -o noglob")
    shell.run("x='rm -rf'")
    output = shell.run("$x ~/")
    assert blocked(output) and "core.session-unknown" not in output
    assert shell.nothing_destroyed()


# -- what cannot be known asks --------------------------------------------------------------------


def test_when_the_session_s_definitions_cannot_be_read_a_line_asks(shell: PtyShell) -> None:
    state = next(shell.runtime.glob("safesh-*/state"))
    for path in state.iterdir():
        path.unlink()  # as if bash could not write them at its last prompt
    question = shell.asked("echo harmless")
    assert "core.session-unknown" in question
