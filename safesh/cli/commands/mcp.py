"""`safesh mcp`: a guarded shell for agents that speak MCP but have no pre-exec hook.

An MCP server on stdio (the official `mcp` Python SDK, the optional `safesh[mcp]` extra) with
one tool, `run_command(command, cwd?, timeout_s?)`. The command is judged exactly as
`safesh -c` judges it: allowed and notify lines run in the real bash and the tool returns
their output and exit status; a blocked line returns the refusal; an `ask` line returns the
refusal with a pending approval id (no human can answer a dialog here), and once a human ran
`safesh approve ID` the identical command in the same directory runs once. Every call is in
the audit log with mode `mcp`.

`run_guarded` is the whole tool without MCP (tests and other front ends call it directly).
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import time
from collections.abc import Mapping
from typing import Any

import click

DEFAULT_TIMEOUT_S = 600.0
# Output beyond this is cut (the model reads the tool result; the tail says what was cut).
MAX_OUTPUT_CHARS = 100_000
TOOL_DESCRIPTION = (
    "Run a bash command line through safesh, which judges every command in it first. Returns "
    "stdout, stderr and exit_status when it ran. When safesh refuses it, ran is false and "
    "refusal says why; when a human must approve it, approval_id names the waiting request: "
    "ask the user to run `safesh approve <id>`, then call again with the identical command "
    "and directory. Do not try to get the same effect another way."
)


def run_guarded(
    command: str,
    cwd: str | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    env: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Judge `command`, run it when allowed, and say what happened (a JSON-ready dict)."""
    from safesh.api import check
    from safesh.model import Tier
    from safesh.store.recorder import Recorder

    environment = dict(os.environ if env is None else env)
    directory = os.path.abspath(cwd) if cwd else os.getcwd()
    if not os.path.isdir(directory):
        return _refused(command, "ask", f"no such directory: {directory}")
    report = check(command, cwd=directory, env=environment)
    recorder = Recorder(agent="mcp")
    try:
        approval_id: str | None = None
        outcome = "ran"
        if report.tier is Tier.ASK:
            if recorder.consume_grant(report):
                outcome = "approved"
            else:
                approval_id = recorder.request_approval(report)
        if not report.runs and outcome != "approved":
            recorder.record(report, "refuse", "mcp", approval_id)
            return _refused(
                command, report.decision, report.refusal_message(approval_id), approval_id
            )
        record_id = recorder.record(report, "run", "mcp", outcome=outcome)
        started = time.monotonic()
        result = _execute(command, directory, timeout_s, environment, report.setting("shell"))
        recorder.finish(record_id, int(result["exit_status"]), time.monotonic() - started)
        return {**result, "decision": report.decision, "approved": outcome == "approved"}
    finally:
        recorder.close()


def _refused(
    command: str, decision: str, message: str, approval_id: str | None = None
) -> dict[str, Any]:
    return {
        "ran": False,
        "command": command,
        "decision": decision,
        "refusal": message.strip(),
        "approval_id": approval_id,
        "exit_status": 77,
    }


def _execute(
    command: str,
    cwd: str,
    timeout_s: float,
    env: Mapping[str, str],
    configured_shell: str | None,
) -> dict[str, Any]:
    from safesh.execute import ShellNotFound, find_real_shell

    try:
        shell = find_real_shell("bash", env, configured=configured_shell)
    except ShellNotFound as error:
        return {
            "ran": False,
            "command": command,
            "exit_status": 127,
            "stdout": "",
            "stderr": str(error),
        }
    try:
        # The judged line itself is handed to bash as its -c argument, exactly as `safesh -c`
        # hands it over: judged first, unchanged after.
        completed = subprocess.run(
            [shell, "-c", command],
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired as expired:
        return {
            "ran": True,
            "command": command,
            "exit_status": 124,
            "stdout": _text(expired.stdout),
            "stderr": _text(expired.stderr) + f"\nsafesh: stopped after {timeout_s:g} s",
        }
    return {
        "ran": True,
        "command": command,
        "exit_status": completed.returncode,
        "stdout": _text(completed.stdout),
        "stderr": _text(completed.stderr),
    }


def _text(data: bytes | str | None) -> str:
    if data is None:
        return ""
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    if len(text) <= MAX_OUTPUT_CHARS:
        return text
    return (
        text[:MAX_OUTPUT_CHARS] + f"\n[safesh: {len(text) - MAX_OUTPUT_CHARS} more characters cut]"
    )


def build_server() -> Any:
    """The MCP server object (mcp 2.x `MCPServer`, or 1.x `FastMCP`)."""
    try:
        server_class = importlib.import_module("mcp.server.mcpserver").MCPServer
    except ImportError:
        server_class = importlib.import_module("mcp.server.fastmcp").FastMCP
    server = server_class("safesh")

    def run_command(
        command: str, cwd: str | None = None, timeout_s: float = DEFAULT_TIMEOUT_S
    ) -> dict[str, Any]:
        return run_guarded(command, cwd, timeout_s)

    server.add_tool(run_command, name="run_command", description=TOOL_DESCRIPTION)
    return server


@click.command(name="mcp")
def command() -> None:
    """Serve one MCP tool, run_command, on stdio: commands run only as safesh allows.

    Needs the `mcp` package (pip install 'safesh[mcp]')."""
    try:
        server = build_server()
    except ImportError:
        click.echo("safesh mcp: the `mcp` package is missing: pip install 'safesh[mcp]'", err=True)
        sys.exit(2)
    server.run()
