"""Turning a command's words into the local paths it would touch, read-only.

Shared by the file probe and the snapshots (`safesh.undo`): both need the same answer to
"which files does this command delete?". A word whose value is only known when the command
runs (`$DIR`, `$(…)`) is reported as unknown, never guessed.

Imports: the standard library and `safesh.model`.
"""

from __future__ import annotations

import glob
import os

from safesh.model import Command, Context
from safesh.record import frozen

# Options of the deleting programs that take a value in the next word.
_VALUED = {
    "shred": frozenset({"-n", "-s", "--iterations", "--size", "--random-source"}),
    "srm": frozenset(),
    "rm": frozenset(),
    "unlink": frozenset(),
}
DELETERS = frozenset(_VALUED)


@frozen
class Operands:
    """The paths a command names: resolved (absolute, globs expanded against the real
    directory) and unknown (words with expansions that only happen at run time)."""

    paths: tuple[str, ...]
    unknown: tuple[str, ...]
    recursive: bool
    base: str


def base_dir(command: Command, context: Context) -> str | None:
    """Where relative paths point; None after a `cd` to a place only known at run time."""
    if not command.cwd_known:
        return None
    return command.cwd or context.cwd


def expand_word(text: str, is_glob: bool, base: str, context: Context) -> list[str] | None:
    """The absolute paths one static word names (a glob that matches nothing names
    itself, as bash passes it on unchanged); None when it holds a run-time expansion."""
    if "$" in text or "`" in text:
        return None
    if text == "~" or text.startswith("~/"):
        text = context.home + text[1:]
    elif text.startswith("~"):
        return None
    full = text if os.path.isabs(text) else os.path.join(base, text)
    if is_glob:
        matches = sorted(glob.glob(full, include_hidden=False))
        if matches:
            return [os.path.normpath(m) for m in matches]
    return [os.path.normpath(full)]


def deleter_operands(command: Command, context: Context) -> Operands | None:
    """What `rm`/`unlink`/`shred`/`srm` would delete; None for any other command."""
    if command.name not in DELETERS:
        return None
    valued = _VALUED[command.name]
    base = base_dir(command, context)
    recursive = False
    paths: list[str] = []
    unknown: list[str] = []
    options_done = False
    skip = False
    for index, arg in enumerate(command.argv[1:], start=1):
        if skip:
            skip = False
            continue
        if not options_done and arg == "--":
            options_done = True
            continue
        if not options_done and arg.startswith("-") and arg != "-":
            if arg in valued:
                skip = True
            elif arg in ("--recursive",) or (
                not arg.startswith("--") and ("r" in arg[1:] or "R" in arg[1:])
            ):
                recursive = True
            continue
        word = command.words[index] if index < len(command.words) else None
        static = word.static if word is not None else True
        is_glob = word.glob if word is not None else False
        if not static or (base is None and not os.path.isabs(arg)):
            unknown.append(arg)
            continue
        expanded = expand_word(arg, is_glob, base or "/", context)
        if expanded is None:
            unknown.append(arg)
        else:
            paths.extend(expanded)
    return Operands(tuple(dict.fromkeys(paths)), tuple(unknown), recursive, base or context.cwd)


def project_root(context: Context) -> str:
    return context.repo_root or context.cwd


def inside(path: str, directory: str) -> bool:
    directory = directory.rstrip("/") or "/"
    return path == directory or path.startswith(directory.rstrip("/") + "/")


def shown(path: str, base: str) -> str:
    """A path as the user would type it from `base`."""
    if path == base:
        return "."
    if inside(path, base):
        return os.path.relpath(path, base)
    return path
