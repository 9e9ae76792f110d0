"""Issue 9, item 4: an agent cannot approve its own commands.

`safesh approve`, `safesh trust` and `safesh install-hook --uninstall` grant something; they
refuse (exit 77) from any process that descends from an AI agent's session, and without a
terminal. A session is marked by the agents' own variables (CLAUDECODE, GEMINI_CLI, …) and by
SAFESH_AGENT_SESSION, which safesh's `-c` route sets for the shell it hands over to; ancestors'
markers are read from /proc, so unsetting the variable in a child does not help.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from human_terminal import in_a_terminal, needs_human_session

from safesh.agents.session import agent_session
from safesh.store import Store

ROOT = Path(__file__).resolve().parent.parent
REFUSED = 77
SAFESH = [sys.executable, "-m", "safesh"]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "SAFESH_"))},
        "PYTHONPATH": str(ROOT),
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }


@pytest.fixture
def pending(env: dict[str, str]) -> str:
    """A request an agent left: `git push --force` waiting for a human."""
    previous = {k: os.environ.get(k) for k in ("XDG_STATE_HOME", "XDG_CONFIG_HOME")}
    os.environ.update({k: env[k] for k in previous})
    try:
        with Store() as store:
            request = store.request_approval(
                "git push --force origin main", "/work/p", "fp", ["git.push-force"], "force"
            )
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return request.id


def status(env: dict[str, str]) -> list[str]:
    listed = subprocess.run(
        [*SAFESH, "approvals", "--json"], capture_output=True, text=True, env=env, timeout=60
    )
    return [entry["status"] for entry in json.loads(listed.stdout)]


@needs_human_session
def test_a_human_in_their_own_terminal_can_approve(env: dict[str, str], pending: str) -> None:
    result = in_a_terminal([*SAFESH, "approve", pending], env)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("marker", ["CLAUDECODE", "GEMINI_CLI", "CODEX_CI", "SAFESH_AGENT_SESSION"])
def test_approve_refuses_inside_an_agents_session(
    env: dict[str, str], pending: str, marker: str
) -> None:
    result = in_a_terminal([*SAFESH, "approve", pending], {**env, marker: "1"}, as_human=False)
    assert result.returncode == REFUSED
    assert marker in result.stderr
    assert status(env) == ["pending"]


def test_unsetting_the_marker_in_a_child_does_not_help(env: dict[str, str], pending: str) -> None:
    """The agent's shell has CLAUDECODE=1; `env -u CLAUDECODE safesh approve` still descends
    from it, and the shell's start-up environment is read from /proc."""
    child = (
        "import os, subprocess, sys\n"
        "clean = {k: v for k, v in os.environ.items() if k != 'CLAUDECODE'}\n"
        f"sys.exit(subprocess.run({[*SAFESH, 'approve', pending]!r}, env=clean).returncode)\n"
    )
    result = in_a_terminal(
        [sys.executable, "-c", child], {**env, "CLAUDECODE": "1"}, as_human=False
    )
    assert result.returncode == REFUSED
    assert status(env) == ["pending"]


@needs_human_session
def test_approve_refuses_without_a_terminal(env: dict[str, str], pending: str) -> None:
    result = subprocess.run(
        [*SAFESH, "approve", pending],
        capture_output=True,
        text=True,
        env={k: v for k, v in env.items() if k != "CLAUDECODE"},
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # no controlling terminal, as agents run their tools
        timeout=60,
    )
    assert result.returncode == REFUSED
    assert "terminal" in result.stderr
    assert status(env) == ["pending"]


def test_trust_refuses_inside_an_agents_session(env: dict[str, str], tmp_path: Path) -> None:
    rules = tmp_path / ".safesh.toml"
    rules.write_text('disable_packs = ["fs"]\n')
    result = in_a_terminal(
        [*SAFESH, "trust", str(rules)], {**env, "CLAUDECODE": "1"}, as_human=False
    )
    assert result.returncode == REFUSED
    assert not (tmp_path / "state" / "safesh" / "trusted.json").exists()


def test_uninstalling_the_hook_refuses_inside_an_agents_session(
    env: dict[str, str], tmp_path: Path
) -> None:
    settings = tmp_path / ".claude" / "settings.json"
    settings.parent.mkdir()
    hooked = {
        "hooks": {
            "PreToolUse": [
                {"matcher": "Bash", "hooks": [{"type": "command", "command": "safesh hook claude"}]}
            ]
        }
    }
    settings.write_text(json.dumps(hooked))
    result = in_a_terminal(
        [*SAFESH, "install-hook", "claude-code", "--uninstall"],
        {**env, "GEMINI_CLI": "1"},
        as_human=False,
    )
    assert result.returncode == REFUSED
    assert json.loads(settings.read_text()) == hooked


def test_the_dash_c_route_marks_the_shell_it_hands_over_to(env: dict[str, str]) -> None:
    result = subprocess.run(
        [*SAFESH, "-c", "printenv SAFESH_AGENT_SESSION"],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert result.stdout == "1\n"


def write_proc(root: Path, pid: int, ppid: int, comm: str, environ: dict[str, str]) -> None:
    entry = root / str(pid)
    entry.mkdir(parents=True)
    (entry / "stat").write_text(f"{pid} ({comm}) S {ppid} {pid} {pid} 0 -1\n")
    (entry / "comm").write_text(comm + "\n")
    (entry / "environ").write_bytes(b"".join(f"{k}={v}\0".encode() for k, v in environ.items()))


def test_an_agent_program_among_the_ancestors_marks_the_session(tmp_path: Path) -> None:
    write_proc(tmp_path, 300, 200, "python3", {})
    write_proc(tmp_path, 200, 100, "bash", {})
    write_proc(tmp_path, 100, 1, "codex", {})
    found = agent_session(env={}, pid=300, proc=str(tmp_path))
    assert found is not None and found.agent == "Codex"


def test_no_marker_anywhere_is_no_agent_session(tmp_path: Path) -> None:
    write_proc(tmp_path, 300, 200, "python3", {"TERM": "xterm"})
    write_proc(tmp_path, 200, 1, "bash", {"HOME": "/home/u"})
    assert agent_session(env={"HOME": "/home/u"}, pid=300, proc=str(tmp_path)) is None
