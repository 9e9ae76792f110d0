"""`safesh hook AGENT` as a click command, for `safesh --help` and the click group.

The agents' hook itself is dispatched without click (`safesh.cli.main` calls
`safesh.cli.commands.hook.main`): click costs ~20 ms of an agent's every command.
"""

from __future__ import annotations

import sys

import click

from safesh.cli.commands.hook import main


@click.command(name="hook")
@click.argument("agent")
def command(agent: str) -> None:
    """Pre-exec hook for AGENT (claude-code, gemini-cli, cursor, codex, copilot-cli).

    Reads the agent's JSON payload on stdin and answers allow / ask / deny in that agent's
    format. Install it with `safesh install-hook AGENT`.
    """
    sys.exit(main(agent))
