"""The click group for `safesh SUBCOMMAND`, loading each subcommand only when it is used."""

from __future__ import annotations

from typing import Any

import click

from safesh import __version__
from safesh.cli.subcommands import SUBCOMMANDS, load_subcommand


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in SUBCOMMANDS:
            return None
        command = load_subcommand(cmd_name)
        if not isinstance(command, click.Command):
            raise TypeError(f"{SUBCOMMANDS[cmd_name]} is not a click command")
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="safesh")
def group() -> None:
    """safesh: judge shell commands before they run.

    Used as a shell (`safesh -c 'CMD'`), it runs allowed commands with the real bash and
    refuses the rest with exit status 77. These subcommands inspect and manage it.
    """


def run_group(argv: list[str]) -> int:
    try:
        result: Any = group.main(args=argv, prog_name="safesh", standalone_mode=False)
    except click.exceptions.Exit as done:
        return int(done.exit_code)
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except click.exceptions.Abort:
        click.echo("Aborted!", err=True)
        return 1
    return int(result) if isinstance(result, int) else 0
