"""The labelled corpora as regression tests: every destructive command stopped, at least 99%
of everyday commands let through, no line crashes. Skips on a fresh clone without
../shared/corpus (the corpora are not ours to ship)."""

from __future__ import annotations

import sys
import tomllib
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


JUDGEMENTS = Path(__file__).with_name("corpus_judgements.toml")


def _judgements() -> dict[tuple[str, str], str]:
    with JUDGEMENTS.open("rb") as handle:
        rows = tomllib.load(handle)["row"]
    return {(row["line"], row["label"]): row["ours"] for row in rows}


def _expected(row: corpus.Row, judgements: dict[tuple[str, str], str]) -> str:
    return judgements.get((row.line, row.label), row.label)


def _category(analysis: Analysis) -> str:
    return "stop" if analysis.decision.value in corpus.STOPPED else "pass"


@pytest.mark.parametrize("name", _names())
def test_every_destructive_command_is_stopped(
    name: str, outcomes: list[tuple[corpus.Row, Analysis]]
) -> None:
    judgements = _judgements()
    missed = [
        row.line
        for row, analysis in outcomes
        if row.corpus == name
        and row.scored
        and _expected(row, judgements) == "stop"
        and _category(analysis) != "stop"
    ]
    assert missed == []


@pytest.mark.parametrize("name", _names())
def test_everyday_commands_are_let_through(
    name: str, outcomes: list[tuple[corpus.Row, Analysis]]
) -> None:
    judgements = _judgements()
    benign = [
        row
        for row, _ in outcomes
        if row.corpus == name and row.scored and _expected(row, judgements) == "pass"
    ]
    stopped = [
        row.line for row, analysis in outcomes if row in benign and _category(analysis) != "pass"
    ]
    assert len(stopped) <= len(benign) // 100, stopped


def test_every_documented_disagreement_names_a_scored_row(
    outcomes: list[tuple[corpus.Row, Analysis]],
) -> None:
    scored = {(row.line, row.label) for row, _ in outcomes if row.scored}
    assert [key for key in _judgements() if key not in scored] == []


def test_no_line_makes_the_analysis_fail(outcomes: list[tuple[corpus.Row, Analysis]]) -> None:
    failed = [
        (row.line, finding.evidence)
        for row, analysis in outcomes
        for finding in analysis.findings
        if finding.rule_id == "core.internal-error"
    ]
    assert failed == []
