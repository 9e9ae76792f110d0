"""Every example of the built-in rules.toml, through the whole analysis (parse, unwrap,
classify): a `match` line must yield a finding of its rule, a `not_match` line must not."""

from __future__ import annotations

import pytest

from safesh.analyze import analyze
from safesh.model import Tier
from safesh.rules.examples import example_context, iter_examples, run_example
from safesh.rules.loader import builtin_rules_file, validate_file
from safesh.rules.schema import Example, Rule

RULESET = validate_file(builtin_rules_file())
CASES = list(iter_examples(RULESET.rules))


@pytest.mark.parametrize(
    ("rule", "expect", "example"),
    CASES,
    ids=[f"{r.id}:{'match' if m else 'not_match'}:{e.line}" for r, m, e in CASES],
)
def test_example(rule: Rule, expect: bool, example: Example) -> None:
    result = run_example(rule, expect, example, RULESET)
    assert result.passed, result.describe()


EVERYDAY = [
    'git commit -m "remove rm -rf"',
    "echo 'DROP TABLE'",
    "rm notes.txt",
    "rm -rf /tmp/build-123",
    "kubectl get pods",
    "terraform plan",
    "git push origin feature",
    "git push --force-with-lease",
    "ls -la && git status",
    "python -m pytest -q",
]


@pytest.mark.parametrize("line", EVERYDAY)
def test_everyday_line_is_allowed(line: str) -> None:
    analysis = analyze(line, example_context(Example(line)), RULESET)
    assert analysis.decision is Tier.ALLOW, analysis.findings


def test_every_rule_has_a_reason_and_examples() -> None:
    for rule in RULESET.rules:
        assert rule.reason
        assert rule.match or rule.conditions.check in {"internal-error"}
