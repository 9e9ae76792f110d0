"""`safesh trust [FILE]`: let a project's .safesh.toml loosen the rules (this exact content,
at this place)."""

from __future__ import annotations

import os
from pathlib import Path

import click


@click.command("trust")
@click.argument("file", required=False, type=click.Path(path_type=Path))
@click.option("--list", "list_", is_flag=True, help="Show the trusted files.")
@click.option("--revoke", is_flag=True, help="Withdraw trust from FILE.")
def command(file: Path | None, list_: bool, revoke: bool) -> None:
    """Trust a project rules file (default: the .safesh.toml found from here upwards).

    Trust is recorded by place and SHA-256: any later edit of the file withdraws it, and a
    copy of it elsewhere is not trusted.
    """
    from safesh.rules import trust as store
    from safesh.rules.loader import find_project_file

    if list_:
        entries = store.read_entries()
        for entry in entries:
            click.echo(f"{entry.sha256}  {entry.path}")
        if not entries:
            click.echo("no trusted files")
        return
    target = file if file is not None else find_project_file(os.getcwd())
    if target is None:
        raise click.UsageError("no .safesh.toml here or above; name the file to trust")
    if revoke:
        removed = store.revoke(target)
        click.echo(f"revoked {len(removed)} entr{'y' if len(removed) == 1 else 'ies'} for {target}")
        return
    if not target.is_file():
        raise click.UsageError(f"{target} is not a file")
    from safesh.cli.commands.approvals import refuse_grant_from_agent

    refuse_grant_from_agent("trust a rules file")
    from safesh.rules.loader import RulesError, validate_file

    try:
        validate_file(target)
    except RulesError as error:
        raise click.ClickException(f"not trusting an invalid rules file: {error}") from None
    entry = store.trust(target)
    click.echo(f"trusted {entry.path} (sha256 {entry.sha256[:16]}…)")
