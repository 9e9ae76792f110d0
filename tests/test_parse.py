"""The parse stage: one table of cases run against both front-ends, tree-sitter-only cases
through parse_line, errors, and a property test."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safesh.model import ParsedLine, ParseError, Redirect, SimpleCommand, Span, Word
from safesh.parse import parse_line
from safesh.parse.bashlex_front import parse_bashlex
from safesh.parse.treesitter_front import parse_treesitter
from safesh.parse.words import FrontendError
from safesh.record import replace

FRONTENDS: dict[str, Callable[[str], ParsedLine]] = {
    "bashlex": parse_bashlex,
    "tree-sitter": parse_treesitter,
}


def argvs(parsed: ParsedLine) -> list[list[str]]:
    return [[w.text for w in c.argv] for c in parsed.commands]


def only(parsed: ParsedLine) -> SimpleCommand:
    assert len(parsed.commands) == 1, argvs(parsed)
    return parsed.commands[0]


def redirect(parsed: ParsedLine, index: int = 0) -> Redirect:
    return only(parsed).redirects[index]


@dataclass(frozen=True)
class Case:
    name: str
    source: str
    argv: list[list[str]]
    check: Callable[[ParsedLine], object] | None = None


def _words(parsed: ParsedLine) -> list[tuple[str, bool, bool]]:
    return [(w.text, w.static, w.glob) for w in only(parsed).argv]


SHARED = [
    # quoting normalisation
    Case("quotes-removed-from-command-word", "r''m \"x\" \\rm", [["rm", "x", "rm"]]),
    Case(
        "single-quotes-keep-dollar-literal",
        'echo \'$(rm x)\' "a\\"b"',
        [["echo", "$(rm x)", 'a"b']],
        lambda p: (
            _words(p) == [("echo", True, False), ("$(rm x)", True, False), ('a"b', True, False)]
        ),
    ),
    Case(
        "expansions-make-words-dynamic",
        'echo $x ${y}z "$HOME"',
        [["echo", "$x", "${y}z", '"$HOME"']],
        lambda p: [w.static for w in only(p).argv] == [True, False, False, False],
    ),
    Case(
        "unquoted-glob-detected-quoted-not",
        "ls *.log '*.txt' a\\?b [ab]c",
        [["ls", "*.log", "*.txt", "a?b", "[ab]c"]],
        lambda p: [w.glob for w in only(p).argv] == [False, True, False, False, True],
    ),
    Case(
        "lone-bracket-is-not-a-glob",
        "[ -f x ]",
        [["[", "-f", "x", "]"]],
        lambda p: not any(w.glob for w in only(p).argv),
    ),
    Case(
        "ansi-c-string-decoded",
        "$'\\x72m' -rf $'a\\tb'",
        [["rm", "-rf", "a\tb"]],
        lambda p: all(w.static for w in only(p).argv),
    ),
    Case("tilde-kept-in-text", "cd ~/src", [["cd", "~/src"]], lambda p: only(p).argv[1].static),
    Case(
        "word-raw-and-span-point-into-source",
        "echo  'a b'",
        [["echo", "a b"]],
        lambda p: only(p).argv[1] == Word("a b", "'a b'", Span(6, 11)),
    ),
    # lists and pipelines
    Case(
        "combined-list-in-source-order",
        "a && b || c; d",
        [["a"], ["b"], ["c"], ["d"]],
        lambda p: [c.pipeline for c in p.commands] == [(0, 0, 1), (1, 0, 1), (2, 0, 1), (3, 0, 1)],
    ),
    Case(
        "pipeline-shares-id-with-indexes",
        "curl x | sh; ls | wc -l | cat",
        [["curl", "x"], ["sh"], ["ls"], ["wc", "-l"], ["cat"]],
        lambda p: (
            [c.pipeline for c in p.commands]
            == [(0, 0, 2), (0, 1, 2), (1, 0, 3), (1, 1, 3), (1, 2, 3)]
        ),
    ),
    Case("negated-pipeline-is-walked", "! grep x f", [["grep", "x", "f"]]),
    Case(
        "command-span-covers-its-words",
        "true; rm -rf /tmp/x",
        [["true"], ["rm", "-rf", "/tmp/x"]],
        lambda p: p.commands[1].span == Span(6, 19),
    ),
    # substitutions
    Case(
        "command-substitution-nested",
        'echo "$(a "$(b)")"',
        [["echo", '"$(a "$(b)")"'], ["a", '"$(b)"'], ["b"]],
        lambda p: [c.nesting for c in p.commands] == [(), ("$(…)",), ("$(…)", "$(…)")],
    ),
    Case(
        "backticks-are-command-substitution",
        "echo `rm -rf x`",
        [["echo", "`rm -rf x`"], ["rm", "-rf", "x"]],
        lambda p: p.commands[1].nesting == ("$(…)",) and not p.commands[0].argv[1].static,
    ),
    Case(
        "process-substitution-both-directions",
        "diff <(ls a) >(tee b)",
        [["diff", "<(ls a)", ">(tee b)"], ["ls", "a"], ["tee", "b"]],
        lambda p: [c.nesting for c in p.commands] == [(), ("<(…)",), (">(…)",)],
    ),
    Case(
        "substitution-in-assignment-is-a-command",
        "X=$(curl x) make",
        [["make"], ["curl", "x"]],
        lambda p: (
            p.commands[0].assignments[0][0] == "X" and not p.commands[0].assignments[0][1].static
        ),
    ),
    Case(
        "substitution-gets-its-own-pipeline",
        "echo $(a | b) | c",
        [["echo", "$(a | b)"], ["a"], ["b"], ["c"]],
        lambda p: [c.pipeline for c in p.commands] == [(0, 0, 2), (1, 0, 2), (1, 1, 2), (0, 1, 2)],
    ),
    # heredocs and redirections
    Case(
        "heredoc-body-recorded-not-parsed",
        "cat <<EOF > out\nrm -rf $(pwd)\nEOF\necho after",
        [["cat"], ["echo", "after"]],
        lambda p: (
            p.commands[0].redirects[0]
            == Redirect("<<", None, Span(4, 9), None, "rm -rf $(pwd)\n", False)
        ),
    ),
    Case(
        "heredoc-dash-strips-tabs",
        "cat <<-END\n\tx\n\tEND\n",
        [["cat"]],
        lambda p: redirect(p).heredoc == "x\n" and redirect(p).op == "<<-",
    ),
    Case(
        "heredoc-feeds-a-pipeline",
        "cat <<EOF | sh\nrm x\nEOF",
        [["cat"], ["sh"]],
        lambda p: (
            [c.pipeline for c in p.commands] == [(0, 0, 2), (0, 1, 2)]
            and p.commands[0].redirects[0].heredoc == "rm x\n"
        ),
    ),
    Case(
        "here-string-word-is-heredoc-text",
        "bash <<< 'rm -rf x'",
        [["bash"]],
        lambda p: redirect(p).op == "<<<" and redirect(p).heredoc == "rm -rf x",
    ),
    Case(
        "redirections-with-fds",
        "cmd 2>&1 >>log 2>/dev/null <in",
        [["cmd"]],
        lambda p: (
            [(r.op, r.fd, r.target.text if r.target else None) for r in only(p).redirects]
            == [(">&", 2, "1"), (">>", None, "log"), (">", 2, "/dev/null"), ("<", None, "in")]
        ),
    ),
    Case(
        "fd-duplication-target-has-span",
        "ls >&2",
        [["ls"]],
        lambda p: redirect(p).target == Word("2", "2", Span(5, 6)),
    ),
    Case(
        "all-output-redirect",
        "make &> build.log",
        [["make"]],
        lambda p: (
            (redirect(p).op, redirect(p).target.text if redirect(p).target else "")
            == ("&>", "build.log")
        ),
    ),
    Case(
        "bare-redirection-is-an-empty-command",
        "> /dev/sda",
        [[]],
        lambda p: redirect(p).target is not None and redirect(p).target.text == "/dev/sda",
    ),
    # assignments
    Case(
        "assignments-before-command",
        "FOO=bar X='a b' env",
        [["env"]],
        lambda p: [(k, v.text) for k, v in only(p).assignments] == [("FOO", "bar"), ("X", "a b")],
    ),
    Case("bare-assignment-has-empty-argv", "x=1", [[]], lambda p: only(p).assignments[0][0] == "x"),
    Case("assignment-after-command-is-a-word", "make CC=gcc", [["make", "CC=gcc"]]),
    # functions and compound commands
    Case(
        "function-bodies-are-commands",
        "f() { rm -rf /; }; function g { ls; }; f",
        [["rm", "-rf", "/"], ["ls"], ["f"]],
        lambda p: (
            p.functions == ("f", "g")
            and [c.nesting for c in p.commands] == [("function f",), ("function g",), ()]
        ),
    ),
    Case(
        "fork-bomb-shape",
        ":(){ :|:& };:",
        [[":"], [":"], [":"]],
        lambda p: (
            [c.background for c in p.commands] == [True, True, False] and p.functions == (":",)
        ),
    ),
    Case(
        "loops-and-conditionals",
        "for i in $(ls); do rm $i; done; while a; do b; done; until c; do d; done; "
        "if e; then f; elif g; then h; else i; fi",
        [["ls"], ["rm", "$i"], ["a"], ["b"], ["c"], ["d"], ["e"], ["f"], ["g"], ["h"], ["i"]],
        lambda p: (
            [c.nesting for c in p.commands]
            == [("for", "$(…)"), ("for",)] + [("while",)] * 2 + [("until",)] * 2 + [("if",)] * 5
        ),
    ),
    Case(
        "subshell-and-group",
        "(cd x && ls); { a; b; }",
        [["cd", "x"], ["ls"], ["a"], ["b"]],
        lambda p: [c.nesting for c in p.commands] == [("subshell",)] * 2 + [("group",)] * 2,
    ),
    Case(
        "group-redirect-applies-inside",
        "{ a; b; } > /dev/sda",
        [["a"], ["b"]],
        lambda p: all(
            c.redirects and c.redirects[0].target and c.redirects[0].target.text == "/dev/sda"
            for c in p.commands
        ),
    ),
    Case(
        "compound-in-pipeline-inherits-element",
        "curl x | (cd /; sh)",
        [["curl", "x"], ["cd", "/"], ["sh"]],
        lambda p: [c.pipeline for c in p.commands] == [(0, 0, 2), (0, 1, 2), (0, 1, 2)],
    ),
    # background, comments, scripts
    Case(
        "background-marks-whole-and-or-list",
        "a && b & c",
        [["a"], ["b"], ["c"]],
        lambda p: [c.background for c in p.commands] == [True, True, False],
    ),
    Case("comments-ignored", "# setup\nls # list\necho '#x'", [["ls"], ["echo", "#x"]]),
    Case("empty-input-has-no-commands", "", []),
    Case("comment-only-input-has-no-commands", "  # nothing\n\n", []),
    Case(
        "multi-line-script",
        "#!/bin/bash\nset -e\n\ncd build\nmake \\\n  all\n",
        [["set", "-e"], ["cd", "build"], ["make", "all"]],
    ),
    Case(
        "non-ascii-offsets-are-characters",
        "echo é; rm x",
        [["echo", "é"], ["rm", "x"]],
        lambda p: p.commands[1].span == Span(8, 12),
    ),
]


@pytest.mark.parametrize("frontend", FRONTENDS)
@pytest.mark.parametrize("case", SHARED, ids=[c.name for c in SHARED])
def test_shared_case(case: Case, frontend: str) -> None:
    parsed = FRONTENDS[frontend](case.source)
    assert parsed.frontend == frontend
    assert argvs(parsed) == case.argv
    if case.check is not None:
        assert case.check(parsed)


@pytest.mark.parametrize("case", SHARED, ids=[c.name for c in SHARED])
def test_frontends_agree_exactly(case: Case) -> None:
    bashlex, treesitter = parse_bashlex(case.source), parse_treesitter(case.source)
    assert replace(bashlex, frontend="x") == replace(treesitter, frontend="x")


def test_parse_line_prefers_bashlex() -> None:
    assert parse_line("ls -l").frontend == "bashlex"


# ----- cases only tree-sitter handles ---------------------------------------------------------


def ts(source: str) -> ParsedLine:
    parsed = parse_line(source)
    assert parsed.frontend == "tree-sitter"
    return parsed


def test_double_bracket_test_is_not_a_command_but_its_substitution_is() -> None:
    parsed = ts("[[ -f $(rm x) ]] && echo ok")
    assert argvs(parsed) == [["rm", "x"], ["echo", "ok"]]
    assert parsed.commands[0].nesting == ("$(…)",)


def test_case_arms_are_commands() -> None:
    parsed = ts("case $1 in a|b) ls;; *) rm -f y;; esac")
    assert argvs(parsed) == [["ls"], ["rm", "-f", "y"]]
    assert {c.nesting for c in parsed.commands} == {("case",)}


def test_arithmetic_expansion_is_not_static() -> None:
    word = only(ts("echo $((1+2))")).argv[1]
    assert (word.text, word.static) == ("$((1+2))", False)


def test_arithmetic_command_runs_only_its_substitutions() -> None:
    assert argvs(ts("(( $(id -u) == 0 )) && rm x")) == [["id", "-u"], ["rm", "x"]]


def test_array_assignment_is_an_assignment() -> None:
    name, value = only(ts('x=(a "b c")')).assignments[0]
    assert (name, value.text, value.static) == ("x", '(a "b c")', True)


def test_time_yields_its_command() -> None:
    command = only(ts("time -p rm -rf x"))
    assert [w.text for w in command.argv] == ["rm", "-rf", "x"]


def test_select_body_is_a_command() -> None:
    assert only(ts("select x in a b; do rm $x; done")).nesting == ("select",)


def test_c_style_for_body_is_a_command() -> None:
    assert only(ts("for ((i=0; i<3; i++)); do rm f$i; done")).nesting == ("for",)


def test_quoted_heredoc_delimiter_recorded() -> None:
    parsed = ts("cat <<'EOF' > run.sh\nrm -rf $(pwd)\nEOF\nsh run.sh")
    assert argvs(parsed) == [["cat"], ["sh", "run.sh"]]
    heredoc = parsed.commands[0].redirects[0]
    assert (heredoc.heredoc, heredoc.heredoc_quoted) == ("rm -rf $(pwd)\n", True)


def test_quoted_heredoc_ends_only_at_unindented_terminator() -> None:
    # tree-sitter would end `<<` at "\tEOF"; bash does not, so the line is refused.
    with pytest.raises(ParseError):
        parse_line("cat <<'EOF'\nx\n\tEOF\nEOF\n")


def test_parameter_default_substitution_is_a_command() -> None:
    parsed = ts("echo ${x:-$(rm -rf y)}")
    assert argvs(parsed)[1] == ["rm", "-rf", "y"]


def test_substitution_between_single_quotes_is_found() -> None:
    # bashlex drops this substitution (it sees a word that starts and ends with a quote).
    assert argvs(ts("echo 'a'$(rm -rf x)'b'"))[1] == ["rm", "-rf", "x"]


def test_single_quoted_substitution_is_not_a_command() -> None:
    # bashlex would invent a command here.
    assert argvs(ts("echo a'$(rm x)'")) == [["echo", "a$(rm x)"]]


def test_locale_string_is_one_word() -> None:
    assert argvs(ts('echo $"a b" $((1))')) == [["echo", "a b", "$((1))"]]


# ----- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["echo )", "ls ;; ls", "fi", "a | | b"])
def test_unparsable_input_raises_with_position(source: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_line(source)
    assert info.value.position is not None
    assert 0 <= info.value.position <= len(source)
    assert not info.value.incomplete
    assert info.value.source == source


@pytest.mark.parametrize(
    "source",
    ['echo "abc', "echo 'abc", "cat <<EOF\nhello", "if true; then", "ls |", "a &&", "echo $(ls"],
)
def test_incomplete_input_flagged(source: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_line(source)
    assert info.value.incomplete
    assert "unexpected EOF" in info.value.message


def test_nested_backtick_escapes_are_refused_not_missed() -> None:
    with pytest.raises(ParseError):
        parse_line("echo `echo \\`rm x\\``")


def test_frontend_errors_are_frontend_errors() -> None:
    with pytest.raises(FrontendError):
        parse_bashlex("[[ -f x ]]")
    with pytest.raises(FrontendError):
        parse_treesitter("echo )")


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        st.characters(min_codepoint=32, max_codepoint=126) | st.sampled_from("\n\t"), max_size=40
    )
)
def test_random_printable_never_raises_other_than_parse_error(source: str) -> None:
    with contextlib.suppress(ParseError):
        parse_line(source)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from([*"ab $'\"`\\(){}[]<>|&;#*?=!\n\t-~", "<<", "$(", "EOF"]), max_size=30
    ).map("".join)
)
def test_shell_syntax_soup_never_raises_other_than_parse_error(source: str) -> None:
    try:
        parsed = parse_line(source)
    except ParseError:
        return
    for command in parsed.commands:
        assert 0 <= command.span.start <= command.span.end <= len(source)
