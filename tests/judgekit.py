"""The judgement of one line as the rules ship: the shipped rules alone (no project or user
file), in a project at /home/user/project, so family tests say only what a line is and what it
must get."""

from __future__ import annotations

from collections.abc import Mapping
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


def project_in(tmp_path: Path, files: Mapping[str, str] | None = None) -> Context:
    """The context of a line run in a new project directory `tmp_path/project` holding `files`
    (name -> text), with `tmp_path` as the home and no repository: for lines whose judgement
    reads the files they name."""
    cwd = tmp_path / "project"
    cwd.mkdir()
    for name, text in (files or {}).items():
        (cwd / name).write_text(text)
    return Context(cwd=str(cwd), home=str(tmp_path), repo_root=None)
