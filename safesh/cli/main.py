"""Command-line wiring. `safesh SUBCOMMAND …` goes to click (loaded lazily);
anything else is bash's own command line and goes to `safesh.cli.shell`.

The judging front ends answer fail-closed under any fault (`safesh.cli.failsafe`): `safesh hook
AGENT` is dispatched without click so nothing but the agent's answer reaches stdout, and
`safesh check` refuses (77) when it cannot report.
"""

from __future__ import annotations

from collections.abc import Sequence

from safesh.cli.failsafe import guarded, refuse_on_fault, settle_std_streams, tolerant_std_streams
from safesh.cli.subcommands import SUBCOMMANDS
from safesh.decide import EXIT_REFUSED


def main(argv: Sequence[str]) -> int:
    tolerant_std_streams()
    args = list(argv)
    if len(args) == 2 and args[0] == "hook" and not args[1].startswith("-"):
        from safesh.cli.commands.hook import main as hook_main

        return hook_main(args[1])
    if args and args[0] == "check":
        return _check(args)
    if args and args[0] in SUBCOMMANDS:
        from safesh.cli.group import run_group

        return run_group(args)
    from safesh.cli.shell import main as shell_main

    return shell_main(args)


def _check(args: list[str]) -> int:
    from safesh.cli.group import run_group

    code = guarded(lambda: run_group(args), refuse_on_fault("check", EXIT_REFUSED))
    if not settle_std_streams() and code == 0:
        return EXIT_REFUSED  # the report was not delivered: do not claim the line may run
    return code
