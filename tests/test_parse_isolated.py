"""tree-sitter runs in a forked child: its answers come back unchanged, and a child that
crashes or ends without an answer is a line that was not understood (it asks), never a dead
process (which every agent would read as "go ahead")."""

from __future__ import annotations

import os
import signal

import pytest

import safesh
from safesh.model import ParsedLine
from safesh.parse import treesitter_front
from safesh.parse.isolated import parse_in_child
from safesh.parse.words import FrontendError

# Lines bashlex cannot parse, so the real entry points reach tree-sitter.
TREE_SITTER_LINES = [
    "[[ -f a ]] && echo yes",
    "case $x in a) echo a;; *) echo other;; esac",
    "arr=(one two); echo ${arr[@]}",
    "echo $(( 1 + 2 ))",
]


@pytest.mark.parametrize("line", TREE_SITTER_LINES)
def test_the_child_answers_exactly_what_tree_sitter_answers_here(line: str) -> None:
    assert treesitter_front.parse_treesitter(line) == treesitter_front.parse_here(line)


def test_a_syntax_error_in_the_child_comes_back_with_its_details() -> None:
    with pytest.raises(FrontendError) as here:
        treesitter_front.parse_here("if [[ x ]]; then")
    with pytest.raises(FrontendError) as child:
        treesitter_front.parse_treesitter("if [[ x ]]; then")
    assert (child.value.message, child.value.position, child.value.incomplete) == (
        here.value.message,
        here.value.position,
        here.value.incomplete,
    )


@pytest.mark.parametrize("signal_number", [signal.SIGSEGV, signal.SIGKILL, signal.SIGABRT])
def test_a_child_killed_by_a_signal_is_a_parse_failure(signal_number: int) -> None:
    def crash(source: str) -> ParsedLine:
        os.kill(os.getpid(), signal_number)
        raise AssertionError("unreachable")

    with pytest.raises(FrontendError, match="crashed"):
        parse_in_child(crash, "[[ x ]]")


def test_a_child_that_exits_without_an_answer_is_a_parse_failure() -> None:
    def leave(source: str) -> ParsedLine:
        os._exit(0)

    with pytest.raises(FrontendError, match="without an answer"):
        parse_in_child(leave, "[[ x ]]")


def test_any_other_error_in_the_child_is_a_parse_failure() -> None:
    def fail(source: str) -> ParsedLine:
        raise MemoryError

    with pytest.raises(FrontendError, match="MemoryError"):
        parse_in_child(fail, "[[ x ]]")


def test_a_crash_while_parsing_makes_the_line_ask(monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(source: str) -> ParsedLine:
        os.kill(os.getpid(), signal.SIGSEGV)
        raise AssertionError("unreachable")

    monkeypatch.setattr(treesitter_front, "parse_here", crash)
    report = safesh.check("[[ -f a ]] && ls", cwd="/tmp")
    assert report.decision == "ask"
    assert "core.unparsable" in report.rule_ids()


def test_the_parent_keeps_running_after_a_crash() -> None:
    def crash(source: str) -> ParsedLine:
        os.kill(os.getpid(), signal.SIGSEGV)
        raise AssertionError("unreachable")

    with pytest.raises(FrontendError):
        parse_in_child(crash, "[[ x ]]")
    assert treesitter_front.parse_treesitter("[[ -f a ]] && echo yes").commands


def _child_pid(source: str) -> ParsedLine:
    """A 'parse' that answers with the pid of the process it ran in."""
    return ParsedLine(str(os.getpid()), (), "pid", ())


def test_the_child_stays_for_the_next_line() -> None:
    first = parse_in_child(_child_pid, "a").source
    second = parse_in_child(_child_pid, "b").source
    assert first == second != str(os.getpid())


def test_a_child_that_crashed_is_replaced_for_the_next_line() -> None:
    calls: list[str] = []

    def crash_once(source: str) -> ParsedLine:
        if source == "crash":
            os.kill(os.getpid(), signal.SIGSEGV)
        calls.append(source)
        return ParsedLine(str(os.getpid()), (), "pid", ())

    before = parse_in_child(crash_once, "ok").source
    with pytest.raises(FrontendError, match="crashed"):
        parse_in_child(crash_once, "crash")
    after = parse_in_child(crash_once, "ok").source
    assert after != before


def test_a_forked_process_does_not_ask_its_parents_child() -> None:
    parents = parse_in_child(_child_pid, "a").source
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the forked process
        os.close(read_end)
        try:
            os.write(write_end, parse_in_child(_child_pid, "b").source.encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        forked = pipe.read().decode()
    os.waitpid(pid, 0)
    assert forked and forked != parents
    assert parse_in_child(_child_pid, "c").source == parents  # the parent's is still its own


def test_the_child_keeps_none_of_the_parents_files_open() -> None:
    def open_files(source: str) -> ParsedLine:
        names = sorted(os.listdir("/proc/self/fd"), key=int)
        targets = [os.readlink(f"/proc/self/fd/{n}") for n in names if int(n) <= 2]
        return ParsedLine(" ".join(targets), (), "fds", tuple(names))

    line = parse_in_child(open_files, "x")
    assert set(line.source.split()) == {os.devnull}
    assert len(line.functions) <= 6  # stdin/out/err, its two pipes, listdir's own
