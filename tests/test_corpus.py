"""The labelled corpora as regression tests: every destructive command stopped, at least 99%
of everyday commands let through, no line crashes. Skips on a fresh clone without
../shared/corpus (the corpora are not ours to ship)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import corpus

from safesh.analyze import analyze
from safesh.model import Analysis
from safesh.rules import load_ruleset

pytestmark = pytest.mark.skipif(
    not corpus.available(),
    reason="the labelled corpora live in ../shared/corpus, beside a development checkout",
)


@pytest.fixture(scope="module")
def outcomes() -> list[tuple[corpus.Row, Analysis]]:
    ruleset = load_ruleset("/nonexistent-project", user_file=Path("/nonexistent/rules.toml"))
    return [(row, analyze(row.line, row.context, ruleset)) for row in corpus.rows()]


def _names() -> list[str]:
    return sorted({row.corpus for row in corpus.rows()}) if corpus.available() else []


@pytest.mark.parametrize("name", _names())
def test_every_destructive_command_is_stopped(
    name: str, outcomes: list[tuple[corpus.Row, Analysis]]
) -> None:
    missed = [
        row.line
        for row, analysis in outcomes
        if row.corpus == name
        and row.scored
        and row.label == "stop"
        and analysis.decision.value not in corpus.STOPPED
    ]
    assert missed == []


@pytest.mark.parametrize("name", _names())
def test_everyday_commands_are_let_through(
    name: str, outcomes: list[tuple[corpus.Row, Analysis]]
) -> None:
    benign = [
        row for row, _ in outcomes if row.corpus == name and row.scored and row.label == "pass"
    ]
    stopped = [
        row.line
        for row, analysis in outcomes
        if row.corpus == name
        and row.scored
        and row.label == "pass"
        and analysis.decision.value not in corpus.PASSED
    ]
    assert len(stopped) <= len(benign) // 100, stopped


def test_no_line_makes_the_analysis_fail(outcomes: list[tuple[corpus.Row, Analysis]]) -> None:
    failed = [
        (row.line, finding.evidence)
        for row, analysis in outcomes
        for finding in analysis.findings
        if finding.rule_id == "core.internal-error"
    ]
    assert failed == []
