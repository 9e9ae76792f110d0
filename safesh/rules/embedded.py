"""Commands an inline program runs: the shell lines of `os.system(...)`, `execSync(...)`,
awk's `system(...)`, parsed and unwrapped like a line of their own, so the matcher judges
them as commands. Each inner command records the interpreter in `via` (`python3 runs`) and
inherits where the outer one runs. May import model, parse, unwrap and inline (the matcher
imports this lazily: parsing is needed only when there is a program to read).
"""

from __future__ import annotations

from safesh.model import Command, Context, ParseError
from safesh.record import replace

MAX_DEPTH = 6


def embedded_commands(
    command: Command, context: Context
) -> tuple[tuple[Command, ...], list[str]] | None:
    """(the commands an inline program runs, what could not be read), or None when the
    command is no inline program."""
    from safesh.rules.programs import program_text

    if program_text(command) is None:
        return None
    from safesh.rules.inline import shell_strings

    inner: list[Command] = []
    problems: list[str] = []
    for text in shell_strings(command):
        if command.depth >= MAX_DEPTH:
            problems.append(f"nested too deep: {text}")
            continue
        found = _commands_of(text, command, context)
        if isinstance(found, str):
            problems.append(found)
        else:
            inner.extend(found[0])
            problems.extend(found[1])
    return tuple(inner), problems


def _commands_of(
    text: str, outer: Command, context: Context
) -> tuple[tuple[Command, ...], list[str]] | str:
    from safesh.parse import parse_line
    from safesh.unwrap import unwrap

    try:
        unwrapped = unwrap(parse_line(text), context)
    except ParseError as error:
        return f"cannot parse {text!r}: {error}"
    tag = f"{outer.name} runs"
    commands = tuple(
        replace(
            c,
            via=(*outer.via, tag, *c.via),
            depth=outer.depth + 1 + c.depth,
            remote_host=c.remote_host or outer.remote_host,
            cwd=c.cwd if c.cwd is not None else outer.cwd,
            cwd_known=c.cwd_known and outer.cwd_known,
        )
        for c in unwrapped.commands
    )
    return commands, [problem.message for problem in unwrapped.unparsed]
