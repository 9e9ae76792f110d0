"""Variables the line assigns that change what a word means: HOME, TMPDIR and PWD set earlier
in the line (`export HOME=/; rm -rf ~`) or before the command (`TMPDIR=/x rm -rf $TMPDIR/y`);
and those that change what code runs (BASH_ENV, ENV) or where safesh's settings come from.

May use: `safesh.model`, `.words` and the standard library.
"""

from __future__ import annotations

from dataclasses import replace

from safesh.model import SimpleCommand, Word
from safesh.unwrap.words import command_name

PATH_VARS = frozenset({"HOME", "TMPDIR", "PWD"})
DECLARERS = frozenset({"export", "declare", "typeset", "local", "readonly", "unset"})


def path_assignments(simple: SimpleCommand) -> list[tuple[str, str]]:
    """The HOME / TMPDIR / PWD values `simple` sets for the rest of the line (`export HOME=/`,
    `TMPDIR=/x` alone); "$?" stands for a value that is not static."""
    return [(key, value) for key, value in _line_assignments(simple) if key in PATH_VARS]


# Variables that choose code a shell runs before its command (BASH_ENV, ENV), or what safesh
# itself is and where its settings come from (SAFESH_*, XDG_*, PATH, PYTHON*).
STARTUP_VARS = frozenset({"BASH_ENV", "ENV"})


def is_guarded_variable(name: str) -> bool:
    return name in STARTUP_VARS or name == "PATH" or name.startswith(("SAFESH_", "XDG_", "PYTHON"))


def guarded_assignments(simple: SimpleCommand) -> list[tuple[str, str]]:
    """The guarded variables (`is_guarded_variable`) `simple` sets for the rest of the line."""
    return [(key, value) for key, value in _line_assignments(simple) if is_guarded_variable(key)]


def _line_assignments(simple: SimpleCommand) -> list[tuple[str, str]]:
    pairs = [(k, v.text if v.static else "$?") for k, v in simple.assignments]
    if simple.argv:
        pairs = []
        if command_name(simple.argv[0].text) in DECLARERS:
            for word in simple.argv[1:]:
                key, _, value = word.text.partition("=")
                pairs.append((key, value if word.static else "$?"))
    return pairs


def reassigned_word(word: Word, names: frozenset[str], values: dict[str, str]) -> Word:
    """The word read with the value the line assigned to HOME, TMPDIR or PWD (a value that is
    itself an expansion leaves the word unknown)."""
    text = word.text if word.static else word.text.replace('"', "")
    for name in names:
        value = values.get(name, "")
        for form in (f"${{{name}}}", f"${name}"):
            if text == form or text.startswith(form + "/"):
                new = value + text[len(form) :]
                return replace(word, text=new, static="$" not in new and "`" not in new)
        if name == "HOME" and (text == "~" or text.startswith("~/")):
            new = value + text[1:]
            return replace(word, text=new, static="$" not in new and "`" not in new)
    return word
