"""Command-line wiring. `safesh SUBCOMMAND …` goes to click (loaded lazily); anything else is
bash's own command line. The two hot paths, bash's command line and `safesh hook AGENT`, go
to the resident judge's thin client (`safesh.judge.client`), which falls back to the full
front ends (`safesh.cli.shell`, `safesh.cli.commands.hook`) in this process.

The judging front ends answer fail-closed under any fault (`safesh.cli.failsafe`): `safesh hook
AGENT` is dispatched without click so nothing but the agent's answer reaches stdout, and
`safesh check` refuses (77) when it cannot report.
"""

from safesh.cli.failsafe import guarded, refuse_on_fault, settle_std_streams, tolerant_std_streams

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from collections.abc import Sequence

    from safesh.judge.client import Sent


def main(argv: "Sequence[str]", *, thin_client: bool = False, early: "Sent | None" = None) -> int:
    """Run safesh's command line. `thin_client` (the program's entry point sets it) lets the
    resident judge answer the hot paths; called in-process, everything is judged here.
    `early`: the thin client's request already sent (`safesh.judge.client.send_early`)."""
    tolerant_std_streams()
    args = list(argv)
    if len(args) == 2 and args[0] == "hook" and not args[1].startswith("-"):
        if thin_client:
            from safesh.judge.client import hook_main

            return hook_main(args[1])
        from safesh.cli.commands.hook import main as hook_main_here

        return hook_main_here(args[1])
    if args and args[0] == "check":
        return _check(args)
    if args and _subcommand(args[0]):
        from safesh.cli.group import run_group

        return run_group(args)
    if thin_client:
        from safesh.judge.client import shell_main

        status = shell_main(args, early)
        if status is not None:
            return status
    from safesh.cli.shell import main as full_shell_main

    return full_shell_main(args)


def _subcommand(word: str) -> bool:
    """Whether `word` names a subcommand. Bash's options (`-c`, the hot path) never do, and
    need not load the table."""
    if word.startswith("-"):
        return False
    from safesh.cli.subcommands import SUBCOMMANDS

    return word in SUBCOMMANDS


def _check(args: list[str]) -> int:
    from safesh.cli.group import run_group
    from safesh.decide import EXIT_REFUSED

    code = guarded(lambda: run_group(args), refuse_on_fault("check", EXIT_REFUSED))
    if not settle_std_streams() and code == 0:
        return EXIT_REFUSED  # the report was not delivered: do not claim the line may run
    return code
