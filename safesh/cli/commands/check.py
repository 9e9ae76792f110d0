"""`safesh check [--json] [--cwd DIR] 'CMD'`: report the decision without running anything."""

from __future__ import annotations

import json
import sys

import click

from safesh.api import Report, check
from safesh.decide import EXIT_OK, EXIT_REFUSED

_COLOURS = {"allow": "green", "notify": "cyan", "ask": "yellow", "block": "red"}


@click.command(name="check")
@click.argument("line", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the stable JSON report.")
@click.option(
    "--cwd",
    type=click.Path(file_okay=False),
    default=None,
    help="Judge paths as if run in DIR (default: the current directory).",
)
def command(line: tuple[str, ...], as_json: bool, cwd: str | None) -> int:
    """Report what safesh would decide for LINE, and why, without running it.

    Exits 0 when the line would run (allow, notify) and 77 when it would not (ask, block).
    Several words are joined with spaces, so `safesh check rm -rf /` works; quote the line to
    keep its own quoting.
    """
    report = check(" ".join(line), cwd=cwd, preview=True)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, sort_keys=False))
    else:
        click.echo(render(report, colour=sys.stdout.isatty()))
    if not report.runs:
        return EXIT_REFUSED
    return EXIT_OK


def render(report: Report, colour: bool = False) -> str:
    """The human report: the decision, then each command with the rules that matched."""

    def paint(text: str, decision: str) -> str:
        return click.style(text, fg=_COLOURS.get(decision), bold=True) if colour else text

    data = report.to_dict()
    lines = [f"{paint(data['decision'].upper(), data['decision'])}  {data['command'].strip()}"]
    if data["parse_error"]:
        lines.append(f"  parse error: {data['parse_error']}")
    for index, cmd in enumerate(data["commands"]):
        via = f"  (via {' > '.join(cmd['via'])})" if cmd["via"] else ""
        start, end = cmd["span"]
        lines.append(
            f"  [{index}] {paint(cmd['decision'], cmd['decision']):<6} "
            f"{' '.join(cmd['argv'])}{via}  @{start}-{end}"
        )
        for rule in cmd["rules"]:
            lines.append(f"        {rule['id']} ({rule['tier']}): {rule['reason']}")
    for finding in data["findings"]:
        if finding["command_index"] is None:
            lines.append(f"  {finding['rule']} ({finding['tier']}): {finding['reason']}")
            if finding["evidence"]:
                lines.append(f"        {finding['evidence']}")
    for warning in data["warnings"]:
        lines.append(f"  warning: {warning}")
    if report.preview is not None:
        lines.extend(report.preview.lines())
    return "\n".join(lines)
