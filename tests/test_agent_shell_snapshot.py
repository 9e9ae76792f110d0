"""Reading the agents' shell snapshots (`safesh.agents.snapshot_reader`, `.shell_state`):
what a shell holds after sourcing one, and when a line needs it at all. The hook's behaviour
end to end is in test_hook_agent_shell.py."""

from __future__ import annotations

from pathlib import Path

from safesh.agents.shell_state import read_file, session_of, shell_context
from safesh.agents.snapshot_reader import read_snapshot, words_of

SAMPLE = Path(__file__).parent / "fixtures" / "agent-protocols" / "claude-shell-snapshot-example.sh"


def test_a_later_alias_replaces_an_earlier_one() -> None:
    snapshot = read_snapshot("s", "alias -- ll='ls'\nalias -- ll='ls -alF'\n")
    assert dict(snapshot.aliases) == {"ll": "ls -alF"}


def test_unalias_removes_what_was_defined_before_it() -> None:
    text = "alias -- find='fd'\nalias -- gs='git status'\nunalias find 2>/dev/null || true\n"
    assert dict(read_snapshot("s", text).aliases) == {"gs": "git status"}


def test_unalias_all_clears_every_alias() -> None:
    assert read_snapshot("s", "alias -- ll='ls'\nunalias -a 2>/dev/null || true\n").aliases == ()


def test_an_alias_value_spanning_lines_is_read_whole() -> None:
    snapshot = read_snapshot("s", "alias -- two='echo one\necho two'\nalias -- gs='git status'\n")
    assert dict(snapshot.aliases) == {"two": "echo one\necho two", "gs": "git status"}
    assert snapshot.unread == ()


def test_codex_exports_spanning_lines_are_not_code() -> None:
    text = '# exports 2\ndeclare -x LESS="-R\n-X"\ndeclare -x HOME="/home/u"\n'
    assert read_snapshot("s", text).unread == ()


def test_a_zsh_function_is_read_to_its_closing_brace() -> None:
    snapshot = read_snapshot("s", "wipe () {\n\tlocal x=1\n\techo $x\n}\nsetopt nohup\n")
    assert dict(snapshot.functions) == {"wipe": "wipe () {\n\tlocal x=1\n\techo $x\n}"}


def test_claudes_own_helpers_define_nothing_that_changes_a_word() -> None:
    # The snapshot Claude Code 2.1.197 wrote (rg, find and grep helpers, no user rc file).
    snapshot = read_snapshot(str(SAMPLE), SAMPLE.read_text())
    assert (snapshot.functions, snapshot.unread, snapshot.broken) == ((), (), None)


def test_a_real_claude_snapshot_reads_as_the_users_function_only() -> None:
    # Written by Claude Code 2.1.197 in the e2e harness for a ~/.bashrc defining deploy_env
    # (its helpers there name the home directory instead of `$HOME`).
    real = SAMPLE.with_name("claude-shell-snapshot-real.sh")
    snapshot = read_snapshot(str(real), real.read_text())
    assert [name for name, _ in snapshot.functions] == ["deploy_env"]
    assert (snapshot.aliases, snapshot.unread, snapshot.broken) == ((), (), None)


def test_words_of_a_line_include_quoted_and_escaped_names() -> None:
    assert {"ll", "gs", "x"} <= words_of("'ll' && \\gs; echo $(x)")


def test_a_line_naming_nothing_in_the_snapshot_gets_no_session(tmp_path: Path) -> None:
    folder = tmp_path / ".claude" / "shell-snapshots"
    folder.mkdir(parents=True)
    (folder / "snapshot-bash-1-a.sh").write_text("alias -- ll='ls -alF'\n")
    context = shell_context("claude-code", "s", "git status", {"HOME": str(tmp_path)})
    assert (context.sessions, context.scripts) == ((), "")


def test_a_session_holds_only_the_functions_the_line_can_reach() -> None:
    text = "a () \n{ \n    b\n}\nb () \n{ \n    echo b\n}\nc () \n{ \n    echo c\n}\n"
    session = session_of(read_snapshot("s", text), words_of("a"))
    assert sorted(name for name, _ in session.functions) == ["a", "b"]


def test_a_rewritten_snapshot_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "snapshot-bash-1-a.sh"
    path.write_text("alias -- ll='ls'\n")
    assert dict(read_file(str(path)).aliases) == {"ll": "ls"}
    path.write_text("alias -- ll='ls -alF'\n")
    assert dict(read_file(str(path)).aliases) == {"ll": "ls -alF"}
