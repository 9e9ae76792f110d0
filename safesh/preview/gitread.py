"""Running git for a preview: read-only, local, and never past the budget.

`GIT_OPTIONAL_LOCKS=0` stops `git status` from refreshing (writing) the index; the `-c`
options and `--no-ext-diff`/`--no-textconv` keep git from starting the helper programs a
repository's configuration may name; no command used here talks to a remote. Each call gets
what is left of the budget as its timeout, so a huge repository costs the budget, no more.

Imports: the standard library and `safesh.preview.types`.
"""

from __future__ import annotations

import os
import subprocess

from safesh.preview.types import Budget, BudgetExceeded

_SAFE_CONFIG = (
    "-c",
    "core.fsmonitor=false",
    "-c",
    "core.untrackedCache=false",
    "-c",
    "diff.external=",
    "-c",
    "core.pager=cat",
)


def git_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_TRACE")}
    env.update(
        {
            "GIT_OPTIONAL_LOCKS": "0",
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_PAGER": "cat",
            "LC_ALL": "C",
        }
    )
    return env


def git(args: list[str], cwd: str, budget: Budget, stdin: str | None = None) -> str | None:
    """git's standard output, or None when git failed (not a repository, unknown ref).
    Raises BudgetExceeded when the budget ran out before or during the call."""
    budget.check()
    try:
        result = subprocess.run(
            ["git", *_SAFE_CONFIG, *args],
            cwd=cwd,
            env=git_env(),
            input=stdin,
            capture_output=True,
            text=True,
            errors="surrogateescape",
            timeout=max(0.01, budget.remaining()),
            stdin=None if stdin is not None else subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as error:
        raise BudgetExceeded from error
    except OSError:
        return None
    return result.stdout if result.returncode == 0 else None


def resolve(ref: str, cwd: str, budget: Budget) -> str | None:
    """The commit `ref` names, or None."""
    out = git(
        ["rev-parse", "--verify", "--quiet", "--end-of-options", ref + "^{commit}"], cwd, budget
    )
    if out is None:
        return None
    return out.strip() or None


def commits_lost(tip: str, keep: list[str], cwd: str, budget: Budget) -> list[str] | None:
    """One line per commit reachable from `tip` but from none of `keep` (newest first):
    `abc1234 subject`. None when git cannot tell."""
    # `^ref` on standard input: rev-list's `--not` there needs a newer git than `^` does.
    lines = [f"^{ref}" for ref in keep]
    out = git(
        ["rev-list", "--max-count=10000", "--format=%h %s", "--stdin"],
        cwd,
        budget,
        stdin="\n".join([tip, *lines]) + "\n",
    )
    if out is None:
        return None
    return _formatted_commits(out)


def _formatted_commits(out: str) -> list[str]:
    # `rev-list --format` prints a "commit <sha>" header line before each formatted line.
    return [line for line in out.splitlines() if line and not line.startswith("commit ")]


def local_refs(cwd: str, budget: Budget, patterns: tuple[str, ...]) -> list[str] | None:
    out = git(["for-each-ref", "--format=%(refname)", *patterns], cwd, budget)
    return None if out is None else [line for line in out.splitlines() if line]
