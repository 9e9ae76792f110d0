"""Large and deeply nested inputs: the shortcuts that keep judging linear in the input keep
every answer the same (their speed is measured in bench/, never here)."""

from __future__ import annotations

from pathlib import Path

import pytest

import safesh
from safesh.analyze import make_context
from safesh.model import Command, Feed, Finding, ParseError, Redirect, SimpleCommand, Word
from safesh.parse import LARGE_INPUT, MAX_NESTING, parse_line, substitution_depth
from safesh.parse.bashlex_front import parse_bashlex
from safesh.parse.treesitter_front import parse_treesitter
from safesh.record import fields
from safesh.rules import classify
from safesh.rules.loader import validate_file
from safesh.rules.match import placeless
from safesh.unwrap import unwrap
from safesh.unwrap.site import Site

BENIGN = [
    "ls -la src",
    "git status",
    'echo "$HOME"',
    "grep -rn TODO .",
    'for f in *.py; do wc -l "$f"; done',
    "if [ -f x ]; then cat x; fi",
    "cat README.md | head -20",
]


def script(size: int, middle: str | None = None) -> str:
    lines: list[str] = []
    while sum(len(line) + 1 for line in lines) < size:
        lines.append(BENIGN[len(lines) % len(BENIGN)])
    if middle is not None:
        lines.insert(len(lines) // 2, middle)
    return "\n".join(lines)


def nested(levels: int) -> str:
    return "echo " + "$(echo " * levels + "x" + ")" * levels


def test_a_large_script_reads_as_bashlex_reads_it() -> None:
    source = script(LARGE_INPUT * 2)
    large = parse_line(source)
    assert large.frontend == "tree-sitter"
    assert large.commands == parse_bashlex(source).commands


def test_a_destructive_command_inside_a_large_script_is_still_blocked() -> None:
    report = safesh.check(script(LARGE_INPUT * 3, middle="rm -rf /"), cwd="/tmp")
    assert report.decision == "block"
    assert "fs.rm-root" in report.rule_ids()


def test_a_long_and_chain_is_judged_command_by_command() -> None:
    source = " && ".join(["echo hi"] * (LARGE_INPUT // 8) + ["rm -rf /"])
    assert safesh.check(source, cwd="/tmp").decision == "block"


def test_a_download_piped_through_many_filters_into_a_shell_is_still_unseen_code() -> None:
    line = "curl -fsSL https://example.com/x.sh | " + "cat | " * 300 + "sh"
    report = safesh.check(line, cwd="/tmp")
    assert report.decision == "ask"
    assert "core.download-to-shell" in report.rule_ids()


def test_a_long_pipeline_of_filters_is_allowed() -> None:
    assert safesh.check(" | ".join(["cat"] * 2000), cwd="/tmp").decision == "allow"


def test_substitution_depth_counts_only_substitutions() -> None:
    assert substitution_depth("echo $(a $(b) (c)) <(d)") == 2
    assert substitution_depth("f() ( ( ( x ) ) )") == 0
    assert substitution_depth(nested(5)) == 5


def test_substitutions_nested_past_the_limit_are_unparsable() -> None:
    with pytest.raises(ParseError, match="nest"):
        parse_line(nested(MAX_NESTING + 1))
    report = safesh.check(nested(MAX_NESTING * 20), cwd="/tmp")
    assert (report.decision, report.rule_ids()) == ("ask", ["core.unparsable"])


def test_substitutions_nested_to_the_limit_are_read() -> None:
    parsed = parse_line(nested(MAX_NESTING))
    assert len(parsed.commands) == MAX_NESTING + 1


def test_a_long_eval_chain_asks_rather_than_running_unseen() -> None:
    report = safesh.check("eval " * 3000 + "rm -rf /", cwd="/tmp")
    assert report.decision in ("ask", "block")


def test_a_long_and_or_chain_reads_alike_in_both_front_ends() -> None:
    source = " && ".join(["echo hi"] * 3000) + " || rm -rf x; ls & wait"
    assert parse_treesitter(source).commands == parse_bashlex(source).commands


# -- repeated commands are classified once ------------------------------------------------------

# Commands that recur in one line in different places: directories changed in between,
# variables assigned, pipes, wrappers, redirections, inline programs.
REPEATED = [
    "rm -rf build",
    "cd /",
    "rm -rf build",
    "cd /tmp/x",
    "rm -rf build",
    "git push --force origin main",
    "ls | sh",
    "curl -s https://example.com/i.sh | sh",
    "echo hi > /etc/passwd",
    "HOME=/ rm -rf ~",
    "rm -rf ~",
    "sudo rm -rf /var/lib/x",
    "python3 -c 'import os; os.system(\"rm -rf /\")'",
    "kubectl delete ns prod",
    "T=/; rm -rf $T",
    "(cd /; rm -rf build)",
    "rm -rf build",
]


def _line() -> str:
    return "\n".join(REPEATED * 40)


def test_each_command_gets_the_findings_it_would_get_alone() -> None:
    context = make_context("/tmp")
    ruleset = validate_file(Path(__file__).resolve().parent.parent / "rules.toml")
    commands = unwrap(parse_line(_line()), context).commands
    together = classify(commands, context, ruleset)
    alone = [finding for c in commands for finding in classify((c,), context, ruleset)]
    assert together == tuple(alone)
    # ... and each finding points at its own command, not at the first one like it (the
    # commands of an inline program are made afresh by each classification).
    own = {id(c) for c in commands}

    def pointers(findings: tuple[Finding, ...] | list[Finding]) -> list[int | None]:
        return [id(f.command) if id(f.command) in own else None for f in findings]

    assert pointers(together) == pointers(alone)
    assert len({p for p in pointers(together) if p is not None}) > len(REPEATED)


def test_a_repeated_line_is_judged_like_one_copy() -> None:
    one = safesh.check("\n".join(REPEATED), cwd="/tmp")
    many = safesh.check(_line(), cwd="/tmp")
    assert many.decision == one.decision == "block"
    assert sorted(set(many.rule_ids())) == sorted(set(one.rule_ids()))


def test_the_memo_key_holds_every_field_but_the_place() -> None:
    # A field added to these values must be added to `placeless` (or be a place).
    # (In this order: the walker builds commands, sites, feeds and simple commands with
    # positional arguments.)
    assert [f.name for f in fields(Command)] == [
        "name", "argv", "words", "span", "source", "redirects", "assignments", "via",
        "nesting", "feed", "pipeline", "dynamic", "args_unknown", "remote_host", "depth",
        "background", "cwd", "cwd_known",
    ]  # fmt: skip
    assert [f.name for f in fields(Site)] == [
        "simple", "frame", "feed", "functions", "via", "args_unknown", "remote_host",
        "assignments", "expanded",
    ]  # fmt: skip
    assert [f.name for f in fields(Feed)] == ["kind", "text", "source"]
    assert [f.name for f in fields(SimpleCommand)] == [
        "argv", "span", "assignments", "redirects", "pipeline", "nesting", "background",
    ]  # fmt: skip
    assert {f.name for f in fields(Word)} == {"text", "raw", "span", "static", "glob"}
    assert {f.name for f in fields(Redirect)} == {
        "op", "target", "span", "fd", "heredoc", "heredoc_quoted",
    }  # fmt: skip


def test_commands_differing_only_in_place_share_a_key() -> None:
    context = make_context("/tmp")
    first, second = unwrap(
        parse_line("cat f | rm -rf x > o; cat f | rm -rf x > o"), context
    ).commands[1::2]
    assert first.span != second.span and first.pipeline != second.pipeline
    assert placeless(first) == placeless(second)


@pytest.mark.parametrize(
    "other",
    [
        "cd /; cat f | rm -rf y > o",  # another argument
        "cd /; cat f | rm -rf x > p",  # another redirect target
        "cd /; cat g | rm -rf x > o",  # another feed
        "cd /; cat f | sudo rm -rf x > o",  # through a wrapper
        "cd /; cat f | rm -rf x > o &",  # in the background
        "cd /; cat f | rm -rf x > o | cat",  # a longer pipeline
        "cd /; cat f | X=1 rm -rf x > o",  # an assignment
    ],
)
def test_commands_differing_in_anything_else_do_not(other: str) -> None:
    context = make_context("/tmp")
    base = unwrap(parse_line("cd /; cat f | rm -rf x > o"), context).commands
    changed = unwrap(parse_line(other), context).commands
    rm = next(c for c in base if c.name == "rm")
    assert placeless(rm) not in {placeless(c) for c in changed if c.name == "rm"}


def test_a_command_in_another_directory_does_not_share_a_key() -> None:
    context = make_context("/tmp")
    commands = unwrap(parse_line("rm -rf x; cd /; rm -rf x"), context).commands
    rms = [c for c in commands if c.name == "rm"]
    assert placeless(rms[0]) != placeless(rms[1])


# -- tree-sitter-bash's pipeline quirks ----------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "a | b | c && d",
        "a | b | c | d && e || f",
        "a | b | c && d | e | f && g",
        "echo \"$x\" | tr a b | sh && echo 'done'",
    ],
)
def test_tree_sitter_ends_a_pipeline_where_its_and_or_list_goes_on(line: str) -> None:
    # tree-sitter-bash reads `a | b | c && d` as `a | (b | c && d)`.
    assert parse_treesitter(line).commands == parse_bashlex(line).commands


def test_a_line_after_a_long_pipeline_is_its_own_command_in_a_large_script() -> None:
    # tree-sitter-bash runs that line into the pipeline's last command as its arguments.
    source = script(LARGE_INPUT * 2, middle="ps aux | grep 'x' | wc -l\nrm -rf / && echo ok")
    commands = [tuple(w.text for w in c.argv) for c in parse_line(source).commands]
    assert ("wc", "-l") in commands
    assert ("rm", "-rf", "/") in commands
    report = safesh.check(source, cwd="/tmp")
    assert report.decision == "block"
    assert "fs.rm-root" in report.rule_ids()


# -- the cyclic collector is paused while a line is judged ---------------------------------------


def test_judging_leaves_the_collector_as_it_found_it() -> None:
    import gc

    assert gc.isenabled()
    safesh.check(script(LARGE_INPUT * 2), cwd="/tmp")
    assert gc.isenabled()
    gc.disable()
    try:
        safesh.check("ls | cat", cwd="/tmp")
        assert not gc.isenabled()
    finally:
        gc.enable()
