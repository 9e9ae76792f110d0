"""The classify stage: rules (data, in rules.toml) matched against commands.

load_ruleset(cwd, ...) -> RuleSet        (loader.py: layers, validation, cache)
classify(commands, context, ruleset)     (match.py: conditions -> findings)
"""

from __future__ import annotations

from safesh.rules.loader import RulesError, builtin_rules_file, find_project_file, load_ruleset
from safesh.rules.match import classify
from safesh.rules.schema import Conditions, Example, Rule, RuleSet, ToolSpec

__all__ = [
    "Conditions",
    "Example",
    "Rule",
    "RuleSet",
    "RulesError",
    "ToolSpec",
    "builtin_rules_file",
    "classify",
    "find_project_file",
    "load_ruleset",
]
