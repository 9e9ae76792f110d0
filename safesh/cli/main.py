"""Command-line wiring. `safesh SUBCOMMAND …` goes to click (loaded lazily);
anything else is bash's own command line and goes to `safesh.cli.shell`."""

from __future__ import annotations

from collections.abc import Sequence

from safesh.cli.subcommands import SUBCOMMANDS


def main(argv: Sequence[str]) -> int:
    if argv and argv[0] in SUBCOMMANDS:
        from safesh.cli.group import run_group

        return run_group(list(argv))
    from safesh.cli.shell import main as shell_main

    return shell_main(list(argv))
