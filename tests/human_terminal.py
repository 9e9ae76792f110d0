"""Running a command the way a human does: in a terminal of their own, outside any AI agent's
session. `safesh approve` and `safesh trust` grant only from there (safesh/agents/session.py).
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import termios
from pathlib import Path

import pytest

from safesh.agents.session import AGENT_VARIABLES, agent_session

# Tests that grant something need a process tree free of agent markers. Inside an agent's
# session (a developer running the suite from Claude Code, say) every ancestor carries one,
# which is exactly what must refuse; those tests are skipped there.
needs_human_session = pytest.mark.skipif(
    agent_session() is not None, reason="the test suite itself runs inside an agent's session"
)


def human_env(env: dict[str, str]) -> dict[str, str]:
    """`env` without any agent's markers."""
    return {k: v for k, v in env.items() if k not in AGENT_VARIABLES}


def in_a_terminal(
    argv: list[str],
    env: dict[str, str],
    cwd: Path | None = None,
    timeout: float = 60,
    as_human: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run `argv` with a pseudo-terminal as its controlling terminal and stdin; stdout and
    stderr are captured. `as_human` drops any agent's markers from `env`."""
    leader, follower = os.openpty()

    def take_the_terminal() -> None:
        os.setsid()
        fcntl.ioctl(follower, termios.TIOCSCTTY, 0)

    try:
        return subprocess.run(
            argv,
            stdin=follower,
            capture_output=True,
            text=True,
            env=human_env(env) if as_human else env,
            cwd=cwd,
            timeout=timeout,
            preexec_fn=take_the_terminal,
        )
    finally:
        os.close(follower)
        os.close(leader)
