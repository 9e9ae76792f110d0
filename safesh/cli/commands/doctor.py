"""`safesh doctor`: is safesh actually in the path of the commands agents run? The checks are
`safesh.agents.doctor`; this module only wires them to click. Exit 0 always (it is a report)
unless --strict, where a problem, or nothing routing commands through safesh, exits 1."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from safesh.agents.doctor import run_checks, strict_failure
from safesh.record import asdict


@click.command(name="doctor")
@click.option("--strict", is_flag=True, help="Exit 1 on any problem, or if nothing is set up.")
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON.")
def command(strict: bool, as_json: bool) -> None:
    """Check that agents' commands really go through safesh."""
    checks = run_checks(Path.home(), Path.cwd(), os.environ)
    if as_json:
        click.echo(json.dumps([asdict(c) for c in checks], indent=2))
    else:
        width = max(len(c.area) for c in checks)
        for check in checks:
            click.echo(f"{check.status:<8} {check.area:<{width}}  {check.message}")
    if strict and strict_failure(checks):
        raise SystemExit(1)
