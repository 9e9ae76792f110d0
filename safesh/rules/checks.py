"""Named analyses for what a rule's data cannot express.

A rule names one with `check = "NAME"`. Each check has a stable ID (like bandit's), the
severity it is meant to be used at, a message, and a predicate `(Command, Context) -> str |
None` that returns the evidence (the words that made it match) or None.

`parse-error` and `internal-error` never match a Command: the analysis stage emits findings
for those rule ids itself (a line that cannot be parsed has no commands). They exist so the
built-in rules can carry those ids, reasons and tiers like any other rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from safesh.model import Command, Context, Tier

Predicate = Callable[[Command, Context], "str | None"]


@dataclass(frozen=True)
class Check:
    name: str
    id: str
    severity: Tier
    message: str
    predicate: Predicate
    # True when the analysis stage emits the finding for the whole line: rules using it need
    # no match example that a Command could satisfy.
    line_level: bool = False


SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "mksh", "fish", "ash", "busybox"})
INTERPRETERS = frozenset(
    {
        "python", "perl", "ruby", "node", "nodejs", "php", "deno", "bun", "lua", "tclsh",
        "pwsh", "powershell", "osascript", "Rscript", "julia", "source", ".",
    }
)  # fmt: skip
_VERSIONED = re.compile(r"^(?P<base>[A-Za-z]+?)(?:[0-9][0-9.]*)?$")


def interpreter_base(name: str) -> str:
    """`python3.11` -> `python`, `bash` -> `bash`."""
    match = _VERSIONED.match(name)
    return match.group("base") if match else name


def dynamic_command(command: Command, context: Context) -> str | None:
    if not command.dynamic:
        return None
    return command.words[0].raw if command.words else command.name


def fork_bomb(command: Command, context: Context) -> str | None:
    """A function that calls itself, piped or in the background, multiplies without bound."""
    if f"function {command.name}" not in command.nesting:
        return None
    if command.pipeline[2] > 1 or command.background:
        return f"{command.name} calls itself from its own body"
    return None


def download_to_interpreter(command: Command, context: Context) -> str | None:
    feed = command.feed
    if feed is None or feed.kind not in {"download", "process-substitution-download"}:
        return None
    base = interpreter_base(command.name)
    if base not in SHELLS and base not in INTERPRETERS:
        return None
    source = " ".join(feed.source) if feed.source else "a download"
    return f"{source} | {command.name}"


# Options that take the program text, per interpreter.
_INLINE_OPTIONS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "python": frozenset({"-c"}),
        "node": frozenset({"-e", "--eval", "-p", "--print"}),
        "nodejs": frozenset({"-e", "--eval", "-p", "--print"}),
        "deno": frozenset({"eval"}),
        "bun": frozenset({"-e", "--eval"}),
        "perl": frozenset({"-e", "-E"}),
        "ruby": frozenset({"-e"}),
        "php": frozenset({"-r"}),
    }
)
_DANGEROUS_CODE = re.compile(
    r"""
    shutil\.rmtree | shutil\.move
    | os\.(remove|unlink|rmdir|removedirs|system|popen|exec\w*|spawn\w*)
    | \.unlink\( | \.rmdir\( | subprocess | child_process | execSync | spawnSync
    | \bsystem\s*\( | \bexec\s*\( | `[^`]+` | \bqx\s*[({/] | File\.delete | FileUtils\.rm
    | Dir\.rmdir | \bunlink\b | \brmtree\b | fs\.(rm|rmdir|unlink)\b
    | \b(rmSync|rmdirSync|unlinkSync|rimraf)\b
    | Deno\.(remove|run|Command) | Bun\.spawn | \bshell_exec\b | \bpassthru\b | \bproc_open\b
    | %x\{ | IO\.popen | Open3 | \brm\s+-[a-zA-Z]*r
    """,
    re.VERBOSE,
)


def inline_code(command: Command) -> str | None:
    """The program text given on the command line (`python -c CODE`), if any."""
    options = _INLINE_OPTIONS.get(interpreter_base(command.name))
    if options is None:
        return None
    args = command.argv[1:]
    for index, arg in enumerate(args):
        for option in options:
            if arg == option and index + 1 < len(args):
                return args[index + 1]
            # Short options glue their value: `-c'import os'`, perl's `-le 'code'`.
            if _short_cluster_has(arg, option):
                rest = arg[arg.index(option[1], 1) + 1 :]
                if rest:
                    return rest
                if index + 1 < len(args):
                    return args[index + 1]
    return None


def _short_cluster_has(arg: str, option: str) -> bool:
    if len(option) != 2 or not option.startswith("-"):
        return False
    return arg.startswith("-") and not arg.startswith("--") and option[1] in arg[1:]


def inline_program(command: Command, context: Context) -> str | None:
    code = inline_code(command)
    if code is None:
        return None
    found = _DANGEROUS_CODE.search(code)
    return found.group(0) if found else None


def args_unknown(command: Command, context: Context) -> str | None:
    if not command.args_unknown:
        return None
    wrapper = command.via[-1] if command.via else "a wrapper"
    return f"{wrapper} appends arguments to {command.name} that cannot be seen"


def never(command: Command, context: Context) -> str | None:
    return None


def _registry(*checks: Check) -> Mapping[str, Check]:
    return MappingProxyType({check.name: check for check in checks})


CHECKS: Mapping[str, Check] = _registry(
    Check(
        "dynamic-command", "S001", Tier.ASK,
        "The command word is computed at run time, so what runs cannot be known.",
        dynamic_command,
    ),
    Check(
        "fork-bomb", "S002", Tier.BLOCK,
        "A function that calls itself in a pipe or in the background exhausts the machine.",
        fork_bomb,
    ),
    Check(
        "download-to-interpreter", "S003", Tier.ASK,
        "Code downloaded from the network is run without anyone reading it.",
        download_to_interpreter,
    ),
    Check(
        "inline-program", "S004", Tier.ASK,
        "An inline program deletes files or runs other commands that cannot be judged.",
        inline_program,
    ),
    Check(
        "args-unknown", "S005", Tier.ASK,
        "A wrapper (xargs, find -exec, parallel) appends arguments the analysis cannot see.",
        args_unknown,
    ),
    Check(
        "parse-error", "S006", Tier.ASK,
        "The line cannot be parsed (emitted by the analysis stage).",
        never, line_level=True,
    ),
    Check(
        "internal-error", "S007", Tier.ASK,
        "The analysis failed (emitted by the analysis stage).",
        never, line_level=True,
    ),
)  # fmt: skip
