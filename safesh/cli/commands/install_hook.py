"""`safesh install-hook AGENT [--project] [--uninstall]`: put `safesh hook AGENT` into the
agent's settings file, or take it out again. The work is `safesh.agents.install`; this module
only wires it to click."""

from __future__ import annotations

from pathlib import Path

import click

from safesh.agents.install import SettingsFileError, install_hook
from safesh.agents.protocols import UnknownAgentError


@click.command(name="install-hook")
@click.argument("agent")
@click.option("--project", is_flag=True, help="Edit the project's settings (current directory).")
@click.option("--uninstall", is_flag=True, help="Remove safesh's hook, and nothing else.")
def command(agent: str, project: bool, uninstall: bool) -> None:
    """Add `safesh hook AGENT` to AGENT's settings (claude-code, gemini-cli, cursor, codex,
    copilot-cli). User settings under HOME unless --project."""
    if uninstall:
        from safesh.cli.commands.approvals import refuse_grant_from_agent

        refuse_grant_from_agent("remove safesh's hook")
    try:
        outcome = install_hook(agent, Path.home(), Path.cwd(), project=project, uninstall=uninstall)
    except UnknownAgentError as error:
        raise click.UsageError(str(error)) from None
    except (SettingsFileError, OSError) as error:
        raise click.ClickException(str(error)) from None
    for line in outcome.lines:
        click.echo(line)
