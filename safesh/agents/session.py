"""Is this process part of an AI agent's session? Asked before safesh grants anything (an
approval, trust in a rules file, removing a hook): a grant must come from a human, and an agent
that could grant could approve its own `git push --force`.

A process counts as an agent's when it, or any process it descends from, carries a marker:
- an environment variable the agents set for the commands they run (`CLAUDECODE`,
  `GEMINI_CLI`, `CODEX_CI`, `CURSOR_AGENT`, ...), or `SAFESH_AGENT_SESSION`, which safesh's
  own `-c` / script / `-s` route sets for everything it hands over to the real shell;
- for ancestors, the environment they were started with is read from /proc, which a
  descendant cannot rewrite, so `env -u CLAUDECODE safesh approve 3` is still recognised;
- a process named like an agent's own program (`claude`, `codex`, `gemini`, ...).
Grants also need a controlling terminal: agents run their tools without one.

This is a same-user heuristic, not a boundary (docs/threat-model.md): a determined process of
the same user can start a fresh session elsewhere. It closes the routes an agent takes in
practice: running `safesh approve` or the store's API from its own tool calls.

Imports only the standard library; no stage imports this module.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

# Defined beside exec, which sets it on every command's (hot) path; re-exported from here.
from safesh.execute import SESSION_MARKER
from safesh.record import frozen

# Variables an agent sets in its tools' environment, and whose session that is.
AGENT_VARIABLES: Mapping[str, str] = {
    SESSION_MARKER: "an agent's `safesh -c` shell",
    "CLAUDECODE": "Claude Code",
    "CLAUDE_CODE_ENTRYPOINT": "Claude Code",
    "GEMINI_CLI": "Gemini CLI",
    "CODEX_CI": "Codex",
    "CODEX_SANDBOX": "Codex",
    "CODEX_THREAD_ID": "Codex",
    "CURSOR_AGENT": "Cursor",
    "COPILOT_CLI": "GitHub Copilot CLI",
    "AGENT": "an AI agent (AGENT)",
    "AI_AGENT": "an AI agent (AI_AGENT)",
}
# Process names of the agents' own programs (`/proc/PID/comm`, at most 15 characters).
AGENT_PROGRAMS: Mapping[str, str] = {
    "claude": "Claude Code",
    "codex": "Codex",
    "gemini": "Gemini CLI",
    "cursor-agent": "Cursor",
    "copilot": "GitHub Copilot CLI",
}
_MAX_ANCESTORS = 64


@frozen
class AgentSession:
    """Why this process counts as an agent's: which agent, and what gave it away."""

    agent: str
    evidence: str


def agent_session(
    env: Mapping[str, str] | None = None, pid: int | None = None, proc: str = "/proc"
) -> AgentSession | None:
    """The agent session this process belongs to, or None when nothing marks one."""
    environment = os.environ if env is None else env
    found = _marked(environment, "this process")
    if found is not None:
        return found
    current = os.getpid() if pid is None else pid
    for _ in range(_MAX_ANCESTORS):
        parent = _parent(current, proc)
        if parent is None or parent <= 1:
            return None
        name = _read(f"{proc}/{parent}/comm").strip()
        if name in AGENT_PROGRAMS:
            return AgentSession(AGENT_PROGRAMS[name], f"process {parent} is `{name}`")
        found = _marked(_environ(parent, proc), f"process {parent} ({name or '?'})")
        if found is not None:
            return found
        current = parent
    return None


def has_terminal() -> bool:
    """Whether a human could be at this process's controlling terminal."""
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return False
    os.close(fd)
    return True


def grant_refusal(action: str, env: Mapping[str, str] | None = None) -> str | None:
    """Why `action` (approve, trust, ...) must not be done from here, or None when it may."""
    session = agent_session(env)
    if session is not None:
        return (
            f"refusing to {action} from inside an AI agent's session ({session.agent}: "
            f"{session.evidence}). A human must do it in a terminal of their own."
        )
    if not has_terminal():
        return (
            f"refusing to {action} without a terminal: agents run commands without one. "
            "A human must do it in a terminal of their own."
        )
    return None


def _marked(environment: Mapping[str, str], where: str) -> AgentSession | None:
    for name, agent in AGENT_VARIABLES.items():
        if environment.get(name):
            return AgentSession(agent, f"{where} has {name} set")
    return None


def _parent(pid: int, proc: str) -> int | None:
    stat = _read(f"{proc}/{pid}/stat")
    # The name in parentheses may hold spaces and parentheses: the fields follow the last ')'.
    fields = stat.rpartition(")")[2].split()
    try:
        return int(fields[1])
    except (IndexError, ValueError):
        return None


def _environ(pid: int, proc: str) -> dict[str, str]:
    raw = _read(f"{proc}/{pid}/environ")
    entries = (item.partition("=") for item in raw.split("\0") if "=" in item)
    return {name: value for name, _, value in entries}


def _read(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            return handle.read(1 << 20).decode("utf-8", "surrogateescape")
    except OSError:
        return ""
