"""A line of plain words is parsed without a front end (safesh.parse.plain_line): what it
builds must be exactly what bashlex and tree-sitter give for the same line, and every line
that is not plain words must still go to them."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safesh.parse import LARGE_INPUT, plain_line
from safesh.parse.bashlex_front import parse_bashlex
from safesh.parse.treesitter_front import parse_here

_FIRST = "abcxyzABZ019_./:+,-"
_LATER = _FIRST + "="

first_words = st.text(alphabet=_FIRST, min_size=1, max_size=8)
later_words = st.text(alphabet=_LATER, min_size=1, max_size=8)
blanks = st.text(alphabet=" \t", min_size=1, max_size=3)
edges = st.text(alphabet=" \t", max_size=2)


@st.composite
def plain_lines(draw: st.DrawFn) -> str:
    words = [draw(first_words), *draw(st.lists(later_words, max_size=6))]
    line = words[0]
    for word in words[1:]:
        line += draw(blanks) + word
    return draw(edges) + line + draw(edges)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(plain_lines())
def test_a_plain_line_is_what_bashlex_reads(line: str) -> None:
    assert plain_line(line) == parse_bashlex(line)


_LARGE = "abcxyzABZ019_./-"


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(st.text(alphabet=_LARGE, min_size=1, max_size=6), min_size=1, max_size=6))
def test_a_large_plain_line_is_what_tree_sitter_reads(words: list[str]) -> None:
    padding = " ls" * (LARGE_INPUT // 3 + 1)
    line = " ".join(words) + padding
    assert plain_line(line) == parse_here(line)


@pytest.mark.parametrize(
    "line",
    [
        "ls -la src",
        "git push origin main",
        "dd if=/dev/zero of=out bs=1M count=1",
        "  make -j4 all  ",
        "rm -rf /",
        "kubectl --context=prod delete ns x",
    ],
)
def test_common_plain_lines_are_read_as_the_front_ends_read_them(line: str) -> None:
    built = plain_line(line)
    assert built is not None
    assert built == parse_bashlex(line)
    assert built.commands == parse_here(line).commands


def test_a_large_plain_line_reads_as_tree_sitter_reads_it() -> None:
    line = "eval " * (LARGE_INPUT // 5 + 10) + "ls"
    built = plain_line(line)
    assert built is not None
    assert built == parse_here(line)


@pytest.mark.parametrize(
    "line",
    [
        "",
        "   ",
        "A=1 ls",  # an assignment
        "ls; rm x",  # a list
        "ls | sh",
        "ls > f",
        "echo $HOME",
        "echo 'a b'",
        'echo "a"',
        "echo \\;",
        "ls *.py",
        "ls ~/x",
        "echo {a,b}",
        "ls # comment",
        "ls\nrm x",  # two commands
        "! ls",
        "time ls",
        "coproc ls",
        "if x",
        "then x",
        "do x",
        "done",
        "in x",
        "function f",
        "echo é",  # not ASCII
        "echo a@b",
        "echo 50%",
        "ls &",
        "echo `id`",
        "echo $(id)",
    ],
)
def test_anything_but_plain_words_goes_to_the_front_ends(line: str) -> None:
    assert plain_line(line) is None


def test_eval_of_plain_words_is_still_judged_at_every_level() -> None:
    import safesh

    assert safesh.check("eval eval rm -rf /", cwd="/tmp").decision == "block"
    deep = safesh.check("eval " * 50 + "rm -rf /", cwd="/tmp")
    assert deep.decision in ("ask", "block")
