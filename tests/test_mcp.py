"""`safesh mcp`: one MCP tool that runs a command through safesh and returns its output and
exit status, or the refusal with its approval id. Destructive programs are stubbed."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from human_terminal import needs_human_session
from test_shell_cli import approve_as_human, safesh, stub_bin

from safesh.cli.commands.mcp import run_guarded

mcp = pytest.importorskip("mcp")
ASKS = "git push --force origin main"


@pytest.fixture
def user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """This process's view of a user with empty state, and stubs first on PATH."""
    import os

    values = {
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "PATH": f"{stub_bin(tmp_path)}:{os.environ.get('PATH', os.defpath)}",
        "SAFESH_NONINTERACTIVE": "1",
    }
    (tmp_path / "home").mkdir()
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    git = Path(values["PATH"].split(":")[0]) / "git"
    git.write_text(f'#!/bin/sh\necho "git $*" >> "{tmp_path}/git-ran"\n')
    git.chmod(0o755)
    return {**os.environ, **values}


def test_an_allowed_command_returns_its_output_and_status(
    user: dict[str, str], tmp_path: Path
) -> None:
    result = run_guarded("echo hello; echo oops >&2; exit 3", cwd=str(tmp_path))
    assert result["ran"] is True
    assert (result["stdout"], result["stderr"], result["exit_status"]) == ("hello\n", "oops\n", 3)


def test_a_blocked_command_returns_the_refusal_and_does_not_run(
    user: dict[str, str], tmp_path: Path
) -> None:
    result = run_guarded("rm -rf ~", cwd=str(tmp_path))
    assert result["ran"] is False and result["decision"] == "block"
    assert "rm -rf ~" in result["refusal"]
    assert result["approval_id"] is None
    assert not (tmp_path / "stub-ran").exists()


@needs_human_session
def test_an_ask_returns_an_approval_id_and_runs_once_after_approval(
    user: dict[str, str], tmp_path: Path
) -> None:
    first = run_guarded(ASKS, cwd=str(tmp_path))
    assert first["ran"] is False and first["approval_id"]
    assert f"safesh approve {first['approval_id']}" in first["refusal"]
    approved = approve_as_human(first["approval_id"], user)
    assert approved.returncode == 0, approved.stderr
    second = run_guarded(ASKS, cwd=str(tmp_path))
    assert second["ran"] is True and second["approved"] is True
    assert (tmp_path / "git-ran").read_text() == "git push --force origin main\n"
    assert run_guarded(ASKS, cwd=str(tmp_path))["ran"] is False


def test_each_call_is_in_the_audit_log(user: dict[str, str], tmp_path: Path) -> None:
    run_guarded("echo logged", cwd=str(tmp_path))
    listed = safesh("log", "--json", env=user)
    [record] = [json.loads(line) for line in listed.stdout.splitlines() if line.strip()]
    assert (record["command"], record["mode"], record["exit"]) == ("echo logged", "mcp", 0)


def _call_over_stdio(env: dict[str, str], cwd: Path, command: str) -> tuple[list[str], Any]:
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    async def go() -> tuple[list[str], Any]:
        params = StdioServerParameters(
            command=sys.executable, args=["-m", "safesh", "mcp"], env=env, cwd=str(cwd)
        )
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            tools = [tool.name for tool in (await session.list_tools()).tools]
            result = await session.call_tool("run_command", {"command": command})
            return tools, result

    return asyncio.run(asyncio.wait_for(go(), timeout=60))


def test_the_server_speaks_mcp_on_stdio(user: dict[str, str], tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    env = {**user, "PYTHONPATH": str(root)}
    tools, result = _call_over_stdio(env, tmp_path, "echo over-mcp")
    assert tools == ["run_command"]
    structured = result.structured_content or json.loads(result.content[0].text)
    assert (structured["stdout"], structured["exit_status"]) == ("over-mcp\n", 0)
