"""What the interactive shell's bash holds between lines, read from what bash itself reports.

At each prompt the session's bash writes its aliases (`alias -p`), each function
(`declare -f NAME`, NUL-separated), its variables (`declare -p`), its command hash table
(`hash -l`) and its positional parameters into files only safesh reads (see
`safesh.interactive.bash_session.setup_script`). Each file starts with the serial number of
the line that prompt followed, so a file that was not rewritten is recognised as stale.
`read_state` turns them into a `SessionState`, the judge's view of the session; whatever
cannot be read becomes one of its `problems`, and every line judged with problems asks.

May use: `safesh.model`, `safesh.unwrap.definitions` and `.site` (the values),
`safesh.parse` and the standard library.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from safesh.model import ParsedLine
from safesh.unwrap.definitions import SessionState
from safesh.unwrap.site import ParseFn

Parsed = TypeVar("Parsed")
STATE_FILES = ("aliases", "functions", "variables", "hashed", "positional", "traps")
# safesh's own names in the session (its prompt functions and their variables), and IFS,
# which the dump itself sets locally.
_OWN_PREFIX = "__safesh_"
_SKIPPED_VARIABLES = frozenset({"IFS", "_"})
_ANSI_SIMPLE = {
    "a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n", "r": "\r",
    "t": "\t", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?",
}  # fmt: skip


class StateError(ValueError):
    """A state file that does not read as bash wrote it."""


def read_state(directory: Path, serial: int, parse: ParseFn | None = None) -> SessionState:
    """The session's definitions after line `serial`, as bash reported them at its prompt.
    `parse` parses a function's text when a line calls it (`ParseMemo`)."""
    texts: dict[str, str] = {}
    problems: list[str] = []
    for name in STATE_FILES:
        try:
            data = (directory / name).read_bytes()
        except OSError as error:
            problems.append(f"the shell's {name} could not be read ({error.strerror})")
            continue
        text = os.fsdecode(data)
        head, sep, body = text.partition("\0" if name in ("functions", "positional") else "\n")
        if not sep or head != str(serial):
            problems.append(f"the shell did not report its {name} at its last prompt")
            continue
        texts[name] = body
    aliases = _read(texts, "aliases", parse_aliases, problems) or ()
    functions = _read(texts, "functions", parse_functions, problems) or ()
    variables = _read(texts, "variables", parse_variables, problems) or ()
    hashed = _read(texts, "hashed", parse_hashed, problems) or ()
    positional = _read(texts, "positional", parse_positional, problems)
    traps = _read(texts, "traps", parse_traps, problems) or ()
    return SessionState(
        aliases, functions, variables, positional, hashed, tuple(problems), traps, parse
    )


class ParseMemo:
    """Parses of the session's function texts, kept between lines (the newest `limit`): a
    function called on every line is parsed once while its text stays the same."""

    def __init__(self, limit: int = 64) -> None:
        self._limit = limit
        self._parsed: dict[str, ParsedLine] = {}

    def __call__(self, text: str) -> ParsedLine:
        found = self._parsed.pop(text, None)
        if found is None:
            from safesh.parse import parse_line

            found = parse_line(text)  # a ParseError is not kept: the line asks each time
        while len(self._parsed) >= self._limit:
            self._parsed.pop(next(iter(self._parsed)))
        self._parsed[text] = found
        return found


def _read(
    texts: dict[str, str],
    name: str,
    reader: Callable[[str], Parsed],
    problems: list[str],
) -> Parsed | None:
    """`reader` applied to the text of file `name`; None (and a problem) when it fails."""
    if name not in texts:
        return None
    try:
        return reader(texts[name])
    except (StateError, ValueError) as error:
        problems.append(f"the shell's {name} could not be read ({error})")
        return None


# -- one reader per file -------------------------------------------------------------------------


def parse_aliases(text: str) -> tuple[tuple[str, str], ...]:
    """`alias -p`: `alias NAME='VALUE'` each, quoted by bash (`'\\''` for a quote)."""
    tokens = shlex.split(text, comments=False, posix=True)
    if len(tokens) % 2:
        raise StateError("an alias line is incomplete")
    found: list[tuple[str, str]] = []
    for keyword, definition in zip(tokens[::2], tokens[1::2], strict=True):
        name, eq, value = definition.partition("=")
        if keyword != "alias" or not eq or not name:
            raise StateError(f"unexpected alias text {definition[:40]!r}")
        found.append((name, value))
    return tuple(found)


def parse_traps(text: str) -> tuple[tuple[str, str], ...]:
    """`trap -p`: `trap -- 'ACTION' SIGNAL` each, quoted by bash like an alias."""
    tokens = shlex.split(text, comments=False, posix=True)
    if len(tokens) % 4:
        raise StateError("a trap line is incomplete")
    found: list[tuple[str, str]] = []
    for index in range(0, len(tokens), 4):
        keyword, dashes, action, signal = tokens[index : index + 4]
        if (keyword, dashes) != ("trap", "--"):
            raise StateError(f"unexpected trap text {keyword[:40]!r}")
        found.append((signal, action))
    return tuple(found)


def parse_functions(text: str) -> tuple[tuple[str, str], ...]:
    """NAME NUL DEFINITION NUL, for each function (bash strings cannot hold NUL)."""
    fields = text.split("\0")
    if fields and fields[-1] == "":
        fields.pop()
    if len(fields) % 2:
        raise StateError("a function's definition is missing")
    found: list[tuple[str, str]] = []
    for name, definition in zip(fields[::2], fields[1::2], strict=True):
        if not name.startswith(_OWN_PREFIX):
            found.append((name, definition))
    return tuple(found)


def parse_positional(text: str) -> tuple[str, ...]:
    """COUNT NUL ARG NUL …: `"$@"`."""
    fields = text.split("\0")
    if fields and fields[-1] == "":
        fields.pop()
    if not fields or not fields[0].isdigit() or int(fields[0]) != len(fields) - 1:
        raise StateError("the positional parameters do not add up")
    return tuple(fields[1:])


def parse_hashed(text: str) -> tuple[tuple[str, str], ...]:
    """`hash -l`: `builtin hash -p PATH NAME` each. Only names pointed at a program of
    another name matter (`hash -p /bin/rm ls`); bash's own lookups point at their own."""
    found: list[tuple[str, str]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        words = shlex.split(line, comments=False, posix=True)
        if words[:3] != ["builtin", "hash", "-p"] or len(words) != 5:
            raise StateError(f"unexpected hash table line {line[:40]!r}")
        path, name = words[3], words[4]
        if os.path.basename(path) != name:
            found.append((name, path))
    return tuple(found)


def parse_variables(text: str) -> tuple[tuple[str, tuple[str, ...] | None], ...]:
    """`declare -p`: `declare -FLAGS NAME[=VALUE]` each. A scalar is one word, an array its
    elements in order; a nameref (its value is another variable's) is unknown (None)."""
    reader = _Reader(text)
    found: list[tuple[str, tuple[str, ...] | None]] = []
    while True:
        reader.skip_blank(newlines=True)
        if reader.done:
            return tuple(found)
        keyword = reader.word()
        reader.skip_blank()
        flags = reader.word()
        if (keyword, flags) == ("local", "-"):
            continue  # the dump keeps its shell options local (`local -`)
        if keyword != "declare":
            raise StateError("a variable line does not start with `declare`")
        reader.skip_blank()
        name, value = _assignment(reader, flags)
        if not (name.startswith(_OWN_PREFIX) or name in _SKIPPED_VARIABLES):
            found.append((name, value))


def _assignment(reader: _Reader, flags: str) -> tuple[str, tuple[str, ...] | None]:
    start = reader.at
    while not reader.done and reader.peek() not in "= \t\n":
        reader.at += 1
    name = reader.text[start : reader.at]
    if not name or not flags.startswith("-"):
        raise StateError("a variable line has no name")
    if reader.done or reader.peek() != "=":
        return name, None  # declared without a value (unset): nobody can say what it holds
    reader.at += 1
    if reader.peek() == "(":
        reader.at += 1
        elements = _elements(reader)
        value: tuple[str, ...] | None = elements
    else:
        value = (reader.word(),)
    if "n" in flags or "A" in flags:
        value = None  # a nameref reads another variable; an associative array has no order
    return name, value


def _elements(reader: _Reader) -> tuple[str, ...]:
    """`[0]="a" [1]="b" )`: the values in order (the keys of an associative array dropped)."""
    values: list[str] = []
    while True:
        reader.skip_blank(newlines=True)
        if reader.done:
            raise StateError("an array does not end")
        if reader.peek() == ")":
            reader.at += 1
            return tuple(values)
        if reader.peek() != "[":
            raise StateError("an array element has no key")
        reader.at += 1
        reader.word(stop="]")
        if reader.peek() != "]":
            raise StateError("an array key does not end")
        reader.at += 1
        if reader.peek() != "=":
            raise StateError("an array element has no value")
        reader.at += 1
        values.append(reader.word())


class _Reader:
    """Reads words as bash quotes them in `declare -p`: "…", $'…', '…' and plain text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    @property
    def done(self) -> bool:
        return self.at >= len(self.text)

    def peek(self) -> str:
        return self.text[self.at] if not self.done else ""

    def skip_blank(self, newlines: bool = False) -> None:
        blanks = " \t\n" if newlines else " \t"
        while not self.done and self.text[self.at] in blanks:
            self.at += 1

    def word(self, stop: str = "") -> str:
        out: list[str] = []
        while not self.done:
            char = self.text[self.at]
            if char in " \t\n)" or char in stop:
                break
            if char == '"':
                out.append(self._double())
            elif char == "'":
                out.append(self._single())
            elif self.text.startswith("$'", self.at):
                self.at += 1
                out.append(self._ansi())
            elif char == "\\":
                out.append(self.text[self.at + 1 : self.at + 2])
                self.at += 2
            else:
                out.append(char)
                self.at += 1
        return "".join(out)

    def _single(self) -> str:
        end = self.text.find("'", self.at + 1)
        if end < 0:
            raise StateError("a quote does not end")
        value = self.text[self.at + 1 : end]
        self.at = end + 1
        return value

    def _double(self) -> str:
        out: list[str] = []
        i = self.at + 1
        while i < len(self.text):
            char = self.text[i]
            if char == '"':
                self.at = i + 1
                return "".join(out)
            if char == "\\" and i + 1 < len(self.text) and self.text[i + 1] in '$`"\\\n':
                if self.text[i + 1] != "\n":
                    out.append(self.text[i + 1])
                i += 2
                continue
            out.append(char)
            i += 1
        raise StateError("a quote does not end")

    def _ansi(self) -> str:
        """$'…': escapes of bytes (`\\302\\200`, `\\xff`) are bytes of the UTF-8 text."""
        out = bytearray()
        i = self.at + 1
        text = self.text
        while i < len(text):
            char = text[i]
            if char == "'":
                self.at = i + 1
                return out.decode("utf-8", "surrogateescape")
            if char != "\\" or i + 1 >= len(text):
                out += _utf8(char)
                i += 1
                continue
            code = text[i + 1]
            if code in _ANSI_SIMPLE:
                out += _utf8(_ANSI_SIMPLE[code])
                i += 2
            elif code in "01234567":
                digits = _run(text, i + 1, "01234567", 3)
                out.append(int(digits, 8) & 0xFF)
                i += 1 + len(digits)
            elif code == "x":
                digits = _run(text, i + 2, "0123456789abcdefABCDEF", 2)
                if not digits:
                    raise StateError("an escape has no digits")
                out.append(int(digits, 16))
                i += 2 + len(digits)
            elif code in "uU":
                digits = _run(text, i + 2, "0123456789abcdefABCDEF", 4 if code == "u" else 8)
                if not digits:
                    raise StateError("an escape has no digits")
                out += _utf8(chr(int(digits, 16)))
                i += 2 + len(digits)
            elif code == "c" and i + 2 < len(text):
                out.append(ord(text[i + 2]) & 0x1F)
                i += 3
            else:
                out += _utf8("\\" + code)
                i += 2
        raise StateError("a quote does not end")


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def _run(text: str, start: int, allowed: str, limit: int) -> str:
    end = start
    while end < len(text) and end - start < limit and text[end] in allowed:
        end += 1
    return text[start:end]
