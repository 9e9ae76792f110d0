"""Entry point for `safesh` and `python -m safesh`.

The outermost guard: a fault that escapes every front end's own guard (an import that fails,
say) still ends in a refusal, never in a traceback and exit status 1 that a caller would read
as "the command failed" or an agent as "the hook crashed, run it anyway".

Once the answer is written, the process ends with os._exit: tearing the interpreter down
(freeing every module, running finalisers) costs more than judging a command, and nothing
is left to do. The interactive shell is the exception: it ends the normal way, so its
terminal, child processes and history are cleaned up by their own finalisers.

Before anything else, safesh's own modules get a shorter way in (`safesh.quickimport`): a
plain line loads some eighty of them, and the standard import's search and bytecode checks,
in Python, cost more per module than most of those modules do.
"""

import os
import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from safesh.judge.client import Sent

# Modules whose presence means a human's interactive session ran in this process.
_INTERACTIVE = ("safesh.interactive.repl", "safesh.interactive.bash_session")


# The cyclic garbage collector's first threshold for this program (Python's default: 700).
# Starting safesh allocates some 20 000 objects that live as long as the process (modules,
# classes, the rules); at 700 the collector ran ~30 times over them during start-up, ~4 ms
# of `safesh -c true`. At this threshold a one-command process rarely collects at all, and
# a long-lived one (the interactive shell, `safesh serve`) still collects regularly.
GC_THRESHOLD = 100_000


def main() -> None:
    import gc

    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    try:
        from safesh.quickimport import install

        install()
    except Exception:
        pass  # the standard import serves, as it always can
    argv = sys.argv[1:]
    try:
        early = _send_early(argv)
        from safesh.cli.main import main as cli_main

        code = cli_main(argv, thin_client=True, early=early)
    except BaseException as error:
        from safesh.cli.failsafe import last_resort

        code = last_resort(argv, error)
    if any(name in sys.modules for name in _INTERACTIVE):
        sys.exit(code)
    exit_now(code)


def _send_early(argv: list[str]) -> "Sent | None":
    """An agent's `-c` line sent to the resident judge first thing: the judge works on it
    while this process loads the front end, which reads the reply (`send_early`). Any fault
    here only means the front end sends it itself."""
    try:
        from safesh.judge.client import send_early

        return send_early(argv)
    except Exception:
        return None


def exit_now(code: int) -> None:
    """sys.exit(code)'s meaning, without the interpreter's tear-down."""
    status = code & 0xFF
    try:
        sys.stdout.flush()
    except Exception:
        status = status or 1  # an answer that could not be written is not a success
    try:  # noqa: SIM105 - contextlib is not loaded on the start-up path
        sys.stderr.flush()
    except Exception:
        pass
    os._exit(status)


if __name__ == "__main__":
    main()
