"""Run the `match` / `not_match` examples of rules through the whole analysis."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from safesh.model import Context
from safesh.record import frozen
from safesh.rules.schema import Example, Rule, RuleSet


@frozen
class ExampleResult:
    rule_id: str
    expect_match: bool
    example: Example
    found: tuple[str, ...]  # the rule ids the analysis reported

    @property
    def passed(self) -> bool:
        return (self.rule_id in self.found) == self.expect_match

    def describe(self) -> str:
        kind = "match" if self.expect_match else "not_match"
        found = ", ".join(self.found) or "nothing"
        return f"{self.rule_id}: {kind} example {self.example.line!r} -> found {found}"


def example_context(example: Example) -> Context:
    return Context(cwd=example.cwd, home=example.home, env=example.env, repo_root=example.repo_root)


def iter_examples(rules: Iterable[Rule]) -> Iterator[tuple[Rule, bool, Example]]:
    for rule in rules:
        for example in rule.match:
            yield rule, True, example
        for example in rule.not_match:
            yield rule, False, example


def run_example(
    rule: Rule, expect_match: bool, example: Example, ruleset: RuleSet
) -> ExampleResult:
    from safesh.analyze import analyze

    analysis = analyze(example.line, example_context(example), ruleset)
    found = tuple(dict.fromkeys(f.rule_id for f in analysis.findings))
    return ExampleResult(rule.id, expect_match, example, found)


def run_examples(rules: Iterable[Rule], ruleset: RuleSet) -> tuple[ExampleResult, ...]:
    return tuple(run_example(r, m, e, ruleset) for r, m, e in iter_examples(rules))
