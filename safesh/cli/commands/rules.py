"""`safesh rules list|test`: show the effective rules and run their examples."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from safesh.rules.schema import RuleSet


def _effective() -> RuleSet:
    from safesh.rules import RulesError, load_ruleset
    from safesh.rules.trust import trusted_files

    try:
        return load_ruleset(os.getcwd(), trusted_files=trusted_files())
    except RulesError as error:
        raise click.ClickException(str(error)) from None


@click.group("rules")
def group() -> None:
    """Inspect and test the rules (built-in, the user's, the project's)."""


@group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_command(as_json: bool) -> None:
    """Every rule with its effective tier, pack and reason."""
    ruleset = _effective()
    rows: list[dict[str, str | bool]] = [
        {
            "id": rule.id,
            "tier": rule.tier.value,
            "pack": rule.pack,
            "reason": rule.reason,
            "enabled": rule.pack not in ruleset.disabled_packs,
            "source": rule.source,
        }
        for rule in ruleset.rules
    ]
    if as_json:
        document = {"profile": ruleset.profile, "warnings": list(ruleset.warnings), "rules": rows}
        click.echo(json.dumps(document, indent=2))
        return
    for warning in ruleset.warnings:
        click.echo(f"warning: {warning}", err=True)
    width = max((len(rule.id) for rule in ruleset.rules), default=0)
    for row in rows:
        off = "" if row["enabled"] else " (pack disabled)"
        click.echo(
            f"{row['id']:<{width}}  {row['tier']:<6}  {row['pack']:<8}  {row['reason']}{off}"
        )


@group.command("test")
@click.argument("file", required=False, type=click.Path(exists=True, path_type=Path))
@click.pass_context
def test_command(ctx: click.Context, file: Path | None) -> None:
    """Run every rule's match/not_match examples through the full analysis.

    With FILE, test the rules defined in that file (on top of the built-in rules).
    """
    from safesh.rules import RulesError
    from safesh.rules.examples import run_examples
    from safesh.rules.loader import validate_file

    if file is None:
        ruleset = _effective()
        rules = ruleset.active_rules()
    else:
        try:
            ruleset = validate_file(file)
        except RulesError as error:
            raise click.ClickException(str(error)) from None
        rules = tuple(r for r in ruleset.rules if Path(r.source).resolve() == file.resolve())
    results = run_examples(rules, ruleset)
    failed = [result for result in results if not result.passed]
    for result in failed:
        click.echo(f"FAIL {result.describe()}")
    click.echo(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    ctx.exit(1 if failed else 0)
