"""Shared by the effect-model test files: judge whole lines with the built-in rules, in the
default example context (a project at /home/user/project)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from safesh.analyze import analyze
from safesh.model import Analysis, Context, Tier
from safesh.rules import RuleSet, load_ruleset

CTX = Context(cwd="/home/user/project", home="/home/user", repo_root="/home/user/project")
STOPPED = frozenset({Tier.ASK, Tier.BLOCK})


@lru_cache(maxsize=1)
def builtin() -> RuleSet:
    return load_ruleset("/nonexistent-project", user_file=Path("/nonexistent/rules.toml"))


def judge(line: str, context: Context = CTX) -> Analysis:
    return analyze(line, context, builtin())


def explain(analysis: Analysis) -> str:
    found = ", ".join(f"{f.rule_id}={f.tier.value}" for f in analysis.findings) or "nothing"
    return f"{analysis.source!r} -> {analysis.decision.value} ({found})"
