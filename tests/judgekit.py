"""The judgement of one line as the rules ship: the shipped rules alone (no project or user
file), in a project at /home/user/project, so family tests say only what a line is and what it
must get."""

from __future__ import annotations

from pathlib import Path

from safesh.analyze import analyze
from safesh.model import Context, Tier
from safesh.rules import RuleSet, load_ruleset

CONTEXT = Context(cwd="/home/user/project", home="/home/user", repo_root="/home/user/project")
RULES: RuleSet = load_ruleset("/nonexistent-project", user_file=Path("/nonexistent/rules.toml"))


def decide(line: str, context: Context = CONTEXT) -> Tier:
    """The tier `line` gets in `context`."""
    return analyze(line, context, RULES).decision


def stops(line: str, context: Context = CONTEXT) -> bool:
    """Whether `line` does not run without a human (ask or block)."""
    return decide(line, context).severity >= Tier.ASK.severity
