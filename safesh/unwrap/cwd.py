"""cd tracking: where a `cd`/`pushd` moves the shell, and which later commands it holds for
(`(cd /tmp); rm x` must not evaluate `x` under /tmp; `{ cd ..; }` moves the outer shell).

May use: `safesh.model`, `.site`, `.words` and the standard library.
"""

from __future__ import annotations

from safesh.model import Context, SimpleCommand
from safesh.unwrap.site import Frame
from safesh.unwrap.words import command_name, resolve_path


def cd_target(
    simple: SimpleCommand, frame: Frame, context: Context
) -> tuple[str | None, bool] | None:
    """Where `simple` moves the shell, when it is a `cd`/`pushd`: (directory, known), with
    directory None when it cannot be told; None when `simple` does not move the shell."""
    if not simple.argv:
        return None
    first = simple.argv[0].text
    if first not in _PREFIXES and command_name(first) not in _MOVERS:
        return None  # neither `cd` nor `builtin`/`command` before one (most commands)
    argv = list(simple.argv)
    while len(argv) > 1 and argv[0].static and argv[0].text in {"builtin", "command"}:
        argv = argv[1:]  # `builtin cd ..`
    if not argv or command_name(argv[0].text) not in _MOVERS:
        return None
    if simple.pipeline[2] > 1:
        return None  # a cd in a pipeline runs in a subshell
    args = [w for w in argv[1:] if not (w.text.startswith("-") and w.text != "-")]
    if not args:
        return context.home, True
    target = args[0]
    if not target.static or target.glob or target.text == "-":
        return None, False
    base = frame.cwd or context.cwd
    # An absolute target is known wherever the shell stood (a remote host too).
    known = frame.cwd_known or target.text.startswith("/")
    return resolve_path(target.text, base, context.home), known


_PREFIXES = frozenset({"builtin", "command"})
_MOVERS = frozenset({"cd", "pushd"})


def scope(nesting: tuple[str, ...]) -> tuple[str, ...]:
    """The constructs that start a new shell: `{ cd ..; }` and case branches do not, so a
    `cd` in them holds after them."""
    return tuple(n for n in nesting if n not in {"group", "case"})


def is_prefix(prefix: tuple[str, ...], nesting: tuple[str, ...]) -> bool:
    return nesting[: len(prefix)] == prefix
