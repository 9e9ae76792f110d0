"""`safesh snapshots [--json]` and `safesh undo ID`: the snapshots safesh kept before approved
destructive commands ran, and putting one back (refused when anything changed since)."""

from __future__ import annotations

import json
import time

import click

from safesh.cli.commands.approvals import format_span


@click.command(name="snapshots")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def snapshots_command(as_json: bool) -> None:
    """List the snapshots kept before approved destructive commands ran, newest first."""
    from safesh.undo.keep import every, human

    manifests = every()
    if as_json:
        click.echo(json.dumps([m.to_dict() for m in manifests], indent=2))
        return
    if not manifests:
        click.echo("no snapshots")
        return
    now = time.time()
    blocks = []
    for manifest in manifests:
        lines = [f"{manifest.id}  {manifest.command.strip()}"]
        lines.append(f"  cwd:     {manifest.cwd}")
        lines.append(f"  kept:    {'; '.join(manifest.summary)} ({human(manifest.size)})")
        lines.append(f"  taken:   {format_span(now - manifest.created)} ago")
        if manifest.status == "restored":
            lines.append("  status:  restored")
        else:
            lines.append(f"  undo:    safesh undo {manifest.id}")
        blocks.append("\n".join(lines))
    click.echo("\n\n".join(blocks))


@click.command(name="undo")
@click.argument("snapshot_id", metavar="ID")
def undo_command(snapshot_id: str) -> None:
    """Put back what snapshot ID kept. Refuses, changing nothing, when anything it would
    restore has changed since the command ran."""
    from safesh.undo import undo

    result = undo(snapshot_id)
    if not result.ok:
        message = "\n".join(f"  {problem}" for problem in result.problems)
        raise click.ClickException(f"not restored; nothing was changed:\n{message}")
    click.echo(f"restored snapshot {snapshot_id.lower()}:")
    for item in result.restored:
        click.echo(f"  {item}")
