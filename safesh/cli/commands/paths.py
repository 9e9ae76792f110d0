"""`safesh paths`: where safesh keeps its configuration, state and cache."""

from __future__ import annotations

import json

import click

from safesh import locations


def collect_paths() -> dict[str, str]:
    """Every location safesh reads or writes, by name (the keys of `--json`)."""
    return {
        "config_dir": str(locations.config_dir()),
        "user_rules": str(locations.user_rules_file()),
        "state_dir": str(locations.state_dir()),
        "store": str(locations.store_file()),
        "history": str(locations.history_file()),
        "cache_dir": str(locations.cache_dir()),
    }


_LABELS = {
    "config_dir": "config dir",
    "user_rules": "user rules",
    "state_dir": "state dir",
    "store": "store (log, approvals)",
    "history": "history",
    "cache_dir": "cache dir",
}


@click.command(name="paths")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def command(as_json: bool) -> None:
    """Print where safesh keeps its configuration, state and cache."""
    paths = collect_paths()
    if as_json:
        click.echo(json.dumps(paths, indent=2))
        return
    width = max(len(label) for label in _LABELS.values())
    for key, value in paths.items():
        click.echo(f"{_LABELS[key]:<{width}}  {value}")
