"""bash's command line as safesh splits it, and the hand-over to the real shell.

Shared by the full shell front end (`safesh.cli.shell`) and the judge's thin client
(`safesh.judge.client`), so it imports only `os`, `sys` and, to hand over, `safesh.execute`.
"""

import os
import sys

# bash's single-letter options (`bash --help`, `set --help`); any other letter is an error.
_SHORT_OPTIONS = frozenset("abefhkmnoptuvxBCEHPTilrsDcO")
_LONG_OPTIONS = frozenset(
    {
        "--login",
        "--norc",
        "--noprofile",
        "--posix",
        "--restricted",
        "--verbose",
        "--noediting",
        "--debugger",
        "--dump-strings",
        "--dump-po-strings",
        "--protected",
        "--pretty-print",
    }
)
_LONG_WITH_VALUE = frozenset({"--rcfile", "--init-file"})

USAGE = """\
usage: safesh [bash options] -c 'COMMAND' [NAME [ARGS...]]
       safesh [bash options] SCRIPT [ARGS...]
       safesh [bash options] -s [ARGS...]
       safesh [-i]                            interactive shell
       safesh --dry-run -c 'COMMAND'          judge and report; run nothing
       safesh SUBCOMMAND ...                  check, rules, trust, approvals, approve, deny,
                                              log, hook, install-hook, doctor, shims, paths,
                                              serve, mcp, daemon, snapshots, undo
Refused commands exit with status 77 and explain why on stderr.
"""


class UsageError(Exception):
    pass


class Invocation:
    """bash's command line, split into what safesh needs and what it passes on.

    A plain class rather than a dataclass: creating dataclasses costs more at start-up than
    the client's whole round trip to the judge."""

    __slots__ = (
        "args",
        "command",
        "dry_run",
        "interactive",
        "passthrough",
        "read_stdin",
        "script",
        "show_help",
        "show_version",
    )

    def __init__(self) -> None:
        self.passthrough: list[str] = []  # options for the real shell
        self.command: str | None = None  # -c
        self.script: str | None = None
        self.args: list[str] = []  # NAME ARGS... / SCRIPT's ARGS
        self.read_stdin = False  # -s
        self.interactive = False  # -i
        self.dry_run = False
        self.show_help = False
        self.show_version = False


def parse_invocation(argv: list[str]) -> "Invocation":
    """Split argv as bash does: options first; with -c the first operand is the command."""
    inv = Invocation()
    want_command = False
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--" or arg == "-":
            i += 1
            break
        if arg == "--dry-run":
            inv.dry_run = True
        elif arg == "--help":
            inv.show_help = True
        elif arg == "--version":
            inv.show_version = True
        elif arg in _LONG_OPTIONS:
            inv.passthrough.append(arg)
        elif arg in _LONG_WITH_VALUE:
            if i + 1 >= len(argv):
                raise UsageError(f"{arg}: option requires an argument")
            inv.passthrough += [arg, argv[i + 1]]
            i += 1
        elif arg.startswith("--"):
            raise UsageError(f"{arg}: invalid option")
        elif len(arg) > 1 and arg[0] in "-+":
            consumed = _short_cluster(arg, argv, i, inv)
            want_command = want_command or ("c" in arg[1:] and arg[0] == "-")
            i += consumed
            continue
        else:
            break
        i += 1
    operands = argv[i:]
    if want_command:
        if not operands:
            raise UsageError("-c: option requires an argument")
        inv.command, inv.args = operands[0], operands[1:]
    elif operands and not inv.read_stdin:
        inv.script, inv.args = operands[0], operands[1:]
    else:
        inv.args = operands
    return inv


def _short_cluster(arg: str, argv: list[str], i: int, inv: "Invocation") -> int:
    """Handle `-euxo pipefail`, `-lc`, `+o posix`; returns how many words were used."""
    sign, letters = arg[0], arg[1:]
    used = 1
    kept = ""
    for letter in letters:
        if letter not in _SHORT_OPTIONS:
            raise UsageError(f"{sign}{letter}: invalid option")
        if letter in "oO":
            if i + used >= len(argv):
                raise UsageError(f"{sign}{letter}: option requires an argument")
            if kept:
                inv.passthrough.append(sign + kept)
                kept = ""
            inv.passthrough += [f"{sign}{letter}", argv[i + used]]
            used += 1
        elif letter == "c" and sign == "-":
            pass
        elif letter == "s" and sign == "-":
            inv.read_stdin = True
        elif letter == "i" and sign == "-":
            inv.interactive = True
            kept += letter
        else:
            kept += letter
    if kept:
        inv.passthrough.append(sign + kept)
    return used


def bound_argv(inv: "Invocation", shell_args: list[str]) -> tuple[str, ...]:
    """What a grant is bound to besides the command: `rm -rf "$1"` approved with ./build is
    not approved with /. The `-c` text itself is left out: the judged command is bound
    already, and an agent's wrapper around it differs on every call."""
    arguments = shell_args[:1] + shell_args[2:] if shell_args[:1] == ["-c"] else shell_args
    return (*inv.passthrough, *arguments)


def shell_name() -> str:
    return os.path.basename(os.environ.get("SAFESH_REAL_SHELL", "") or "bash")


def dry_run_requested(inv: "Invocation") -> bool:
    return inv.dry_run or os.environ.get("SAFESH_DRY_RUN", "") not in {"", "0"}


def hand_over(inv: "Invocation", shell_args: list[str], configured: str | None) -> int:
    """exec the real shell with bash's own options and `shell_args`; returns only on failure."""
    from safesh.execute import ShellNotFound, exec_shell, find_real_shell

    try:
        shell = find_real_shell(shell_name(), configured=configured)
    except ShellNotFound as error:
        sys.stderr.write(f"safesh: {error}\n")
        return 127
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        exec_shell(shell, [*inv.passthrough, *shell_args])
    except OSError as error:
        sys.stderr.write(f"safesh: cannot run {shell}: {error.strerror}\n")
        return 126
    return 126  # not reached: exec replaced the process
