"""Variables the line assigns that change what a word means: HOME, TMPDIR and PWD set earlier
in the line (`export HOME=/; rm -rf ~`) or before the command (`TMPDIR=/x rm -rf $TMPDIR/y`).

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
    pairs = [(k, v.text if v.static else "$?") for k, v in simple.assignments]
    if simple.argv:
        pairs = []
        if command_name(simple.argv[0].text) in DECLARERS:
            for word in simple.argv[1:]:
                key, _, value = word.text.partition("=")
                pairs.append((key, value if word.static else "$?"))
    return [(key, value) for key, value in pairs if key in PATH_VARS]


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
