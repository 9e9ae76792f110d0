"""Judge an agent's wrapper line by its parts: the model's command, and the agent's setup.

`judge_line(line, cwd, env)` returns the Report that decides (and keys approvals) for a line
that `safesh -c` received:
- an agent's wrapper line (`wrappers.recognise`) whose setup file judges allow or notify: the
  Report for the agent's own command, so approvals use the command, directory and rules and
  never the wrapper's per-call temp names;
- anything else (not a wrapper, a setup that is not plainly harmless, a command that does not
  parse on its own): the Report for the whole line, exactly as before.

The setup (Claude's shell snapshot: the user's functions and aliases plus Claude's rg / find
/ grep helpers) is judged by its content, once: the verdict is cached under safesh's cache
directory by a hash of the content and of the rules' fingerprint, so an unchanged snapshot
costs a file read per call. A cache that cannot be read or written only costs time.

May import safesh.api, safesh.locations and safesh.agents.wrappers; never a front end.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from safesh.agents.wrappers import AgentLine, neutral_setup, recognise
from safesh.record import frozen

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from safesh.api import Report
    from safesh.rules import RuleSet

# A snapshot is a few kilobytes; anything far larger is not one and is judged whole.
_MAX_SETUP_BYTES = 1 << 20
_HARMLESS = frozenset({"allow", "notify"})


@frozen
class JudgedLine:
    """The Report that decides, and the agent whose wrapper was taken apart (or None)."""

    report: Report
    agent_line: AgentLine | None


def judge_line(
    line: str,
    cwd: str | None = None,
    env: Mapping[str, str] | None = None,
    ruleset: RuleSet | None = None,
) -> JudgedLine:
    """`ruleset`: the rules for `cwd`, when the caller loaded them already (None: load)."""
    from safesh.api import check

    wrapped = recognise(line)
    if wrapped is None:
        return JudgedLine(check(line, cwd=cwd, env=env, ruleset=ruleset), None)
    inner = check(wrapped.command, cwd=cwd, env=env, ruleset=ruleset)
    if "core.unparsable" in inner.rule_ids() or not _setup_harmless(wrapped, inner, cwd, env):
        return JudgedLine(check(line, cwd=cwd, env=env, ruleset=ruleset), None)
    return JudgedLine(inner, wrapped)


def _setup_harmless(
    wrapped: AgentLine, inner: Report, cwd: str | None, env: Mapping[str, str] | None
) -> bool:
    if wrapped.setup is None:
        return True
    try:
        with open(wrapped.setup, "rb") as handle:
            raw = handle.read(_MAX_SETUP_BYTES + 1)
    except FileNotFoundError:
        return True  # `source … 2>/dev/null || true`: a missing snapshot sources nothing
    except OSError:
        return False
    if len(raw) > _MAX_SETUP_BYTES:
        return False
    text = neutral_setup(raw.decode("utf-8", errors="surrogateescape"))
    if text is None:
        return False
    return setup_decision(text, inner.rules_fingerprint, cwd, env) in _HARMLESS


def setup_decision(
    text: str, fingerprint: str | None, cwd: str | None, env: Mapping[str, str] | None
) -> str:
    """safesh's decision on a setup file's content, from the cache when it was judged before
    under the same rules."""
    from safesh.api import check

    key = _cache_key(text, fingerprint)
    cached = _read_cache(key) if key else None
    if cached is not None:
        return cached
    decision = check(text, cwd=cwd, env=env).decision
    if key:
        _write_cache(key, decision)
    return decision


def _cache_key(text: str, fingerprint: str | None) -> str | None:
    if not fingerprint:
        return None  # rules that did not load: nothing may be remembered under them
    from safesh.digest import sha256  # only for an agent's setup file

    digest = sha256()
    digest.update(fingerprint.encode())
    digest.update(b"\0")
    digest.update(text.encode("utf-8", errors="surrogateescape"))
    return digest.hexdigest()


def _cache_path(key: str) -> str:
    from safesh.locations import cache_dir

    return os.path.join(cache_dir(), "agent-setup", key)


def _read_cache(key: str) -> str | None:
    try:
        with open(_cache_path(key), encoding="ascii") as handle:
            value = handle.read().strip()
    except (OSError, ValueError):
        return None
    return value if value in ("allow", "notify", "ask", "block") else None


def _write_cache(key: str, decision: str) -> None:
    path = _cache_path(key)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        temporary = f"{path}.{os.getpid()}.tmp"
        with open(temporary, "w", encoding="ascii") as handle:
            handle.write(decision)
        os.replace(temporary, path)
    except OSError:
        return
