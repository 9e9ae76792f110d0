"""A line of plain words is parsed without a front end (safesh.parse.plain): what it builds
must be exactly what bashlex and tree-sitter give for the same line, and every line that is
not plain words must still go to them."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import safesh
from safesh.model import ParseError
from safesh.parse import LARGE_INPUT, parse_line, parse_plain
from safesh.parse.bashlex_front import parse_bashlex
from safesh.parse.treesitter_front import parse_here
from safesh.parse.words import FrontendError

_FIRST = "abcxyzABZ019_./:+,-"
_LATER = _FIRST + "="
# Above LARGE_INPUT only these count as plain (tree-sitter refuses some others).
_LARGE = "abcxyzABZ019_./-"
_RESERVED = ["if", "then", "fi", "do", "done", "for", "in", "time", "case", "while"]


@st.composite
def plain_lines(draw: st.DrawFn, first: str = _FIRST, later: str = _LATER) -> str:
    """Simple commands of plain words joined by |, &&, ||, ; and line breaks, spaced any way
    bash accepts."""
    blanks = st.text(alphabet=" \t", max_size=2)
    gaps = st.text(alphabet=" \t", min_size=1, max_size=2)

    def command() -> str:
        words = [draw(st.text(alphabet=first, min_size=1, max_size=6))]
        words += draw(st.lists(st.text(alphabet=later, min_size=1, max_size=6), max_size=3))
        return draw(gaps).join(words)

    statements = []
    for _ in range(draw(st.integers(1, 4))):
        text = command()
        for _ in range(draw(st.integers(0, 3))):
            operator = draw(st.sampled_from(["|", "&&", "||"]))
            text += draw(blanks) + operator + draw(blanks) + command()
        statements.append(draw(blanks) + text + draw(blanks))
    line = statements[0]
    for statement in statements[1:]:
        line += draw(st.sampled_from([";", "\n", "\n\n", ";\n"])) + statement
    return line + draw(st.sampled_from(["", ";", "\n", " "]))


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(plain_lines())
def test_a_plain_line_is_what_bashlex_reads(line: str) -> None:
    assert parse_plain(line) == parse_bashlex(line)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(plain_lines(first=_LARGE, later=_LARGE))
def test_a_plain_line_is_what_tree_sitter_reads(line: str) -> None:
    built = parse_plain(line)
    assert built is not None
    try:
        read = parse_here(line)
    except FrontendError:  # tree-sitter refuses what it misreads; bashlex reads it then
        read = parse_bashlex(line)
    assert (built.commands, built.functions) == (read.commands, read.functions)


@pytest.mark.parametrize(
    "line",
    [
        "ls -la src",
        "git push origin main",
        "dd if=/dev/zero of=out bs=1M count=1",
        "  make -j4 all  ",
        "rm -rf /",
        "kubectl --context=prod delete ns x",
        "git add . && git commit -m wip || echo failed",
        "cat a | grep x | sort | uniq -c",
        "cd /tmp; ls\nmake\n\nmake test;",
    ],
)
def test_common_plain_lines_are_read_as_both_front_ends_read_them(line: str) -> None:
    built = parse_plain(line)
    assert built is not None
    assert built == parse_bashlex(line)
    assert built.commands == parse_here(line).commands


@pytest.mark.parametrize(
    "line",
    [
        "eval " * (LARGE_INPUT // 5 + 10) + "ls",
        " | ".join(["cat"] * (LARGE_INPUT // 6 + 10)),
        " && ".join(["echo hi"] * (LARGE_INPUT // 11 + 10)) + " || rm -rf x",
        "\n".join(["make -j4 all", "ls -la src | head"] * (LARGE_INPUT // 20)),
    ],
)
def test_a_large_plain_line_is_what_tree_sitter_reads(line: str) -> None:
    built = parse_plain(line)
    assert built is not None and built.frontend == "tree-sitter"
    assert built == parse_here(line)


@pytest.mark.parametrize("word", _RESERVED)
def test_a_reserved_word_where_a_command_starts_goes_to_the_front_ends(word: str) -> None:
    assert parse_plain(f"{word} x") is None
    assert parse_plain(f"ls && {word} x") is None
    assert parse_plain(f"ls | {word}") is None
    assert parse_plain(f"ls\n{word} x") is None
    assert parse_plain(f"echo {word}") is not None  # only where a command starts


@pytest.mark.parametrize(
    "line",
    [
        "",
        "   ",
        "\n",
        "A=1 ls",  # an assignment
        "ls && A=1 make",
        "ls > f",
        "ls < f",
        "echo $HOME",
        "echo 'a b'",
        'echo "a"',
        "echo \\;",
        "ls *.py",
        "ls ?",
        "ls ~/x",
        "echo {a,b}",
        "ls # comment",
        "! ls",
        "ls &",
        "ls & rm x",
        "ls |& cat",
        "echo `id`",
        "echo $(id)",
        "(ls)",
        "{ ls; }",
        "echo é",  # not ASCII
        "echo a@b",
        "echo 50%",
        # not a complete, well-formed list
        "ls &&",
        "ls |",
        "ls ||",
        "| ls",
        "&& ls",
        "; ls",
        "ls ;; rm x",
        "ls ||| rm x",
        "ls &&& rm x",
        "ls | | rm x",
        "ls &&\nrm x",
        "ls |\nrm x",
        "ls\n| rm x",
        "ls\n;rm x",
    ],
)
def test_anything_but_a_plain_line_goes_to_the_front_ends(line: str) -> None:
    assert parse_plain(line) is None


@pytest.mark.parametrize("line", ["ls &&", "ls |", "ls ||"])
def test_a_plain_line_cut_short_is_still_incomplete(line: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse_line(line)
    assert raised.value.incomplete


def test_eval_of_plain_words_is_still_judged_at_every_level() -> None:
    assert safesh.check("eval eval rm -rf /", cwd="/tmp").decision == "block"
    deep = safesh.check("eval " * 50 + "rm -rf /", cwd="/tmp")
    assert deep.decision in ("ask", "block")


def test_a_destructive_command_in_a_long_plain_line_is_still_found() -> None:
    line = " && ".join(["make -j4 all"] * 4000 + ["rm -rf /"] + ["ls"] * 4000)
    assert parse_plain(line) is not None
    report = safesh.check(line, cwd="/tmp")
    assert report.decision == "block"
    assert "fs.rm-root" in report.rule_ids()
