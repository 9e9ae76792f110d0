"""What a sed script runs and writes besides its output (GNU sed): the `e COMMAND` command and
the `e` flag of `s///` run shell commands (`sed 's/.*/rm -rf ~/e'` runs `rm -rf ~`); `w FILE`,
`W FILE` and the `w FILE` flag of `s///` write files. `--sandbox` refuses all of them.

A small reader of sed's grammar (addresses, `{}` blocks, `;` and newlines, the commands whose
argument runs to the end of the line), not a sed. May use the standard library only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SedActs:
    """The shell commands a script runs, what it runs that cannot be read, the files it writes."""

    shell: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    writes: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.shell or self.unknown or self.writes)


def sed_scripts(argv: Sequence[str]) -> list[str] | None:
    """The scripts of a sed command line (`-e`, `--expression`, or the first operand), or
    None with `--sandbox` (sed then refuses to run or write anything)."""
    scripts: list[str] = []
    operands: list[str] = []
    files = False
    args = list(argv[1:])
    i = 0
    while i < len(args):
        word = args[i]
        i += 1
        if word == "--":
            operands.extend(args[i:])
            break
        if word == "--sandbox":
            return None
        if word in {"--expression", "--file"} and i < len(args):
            scripts.extend([args[i]] if word == "--expression" else [])
            files = files or word == "--file"
            i += 1
            continue
        if word.startswith(("--expression=", "--file=")):
            scripts.extend([word.partition("=")[2]] if word.startswith("--e") else [])
            files = files or word.startswith("--file=")
            continue
        if word.startswith("--") or not word.startswith("-") or word == "-":
            if not word.startswith("-") or word == "-":
                operands.append(word)
            continue
        # a cluster of short options: -n, -E, -s, -u, -z, -r; -i takes the rest as its
        # suffix (`-ie` is -i with suffix e); -e, -f and -l take the rest or the next word
        for index, letter in enumerate(word[1:], start=1):
            if letter == "i":
                break
            if letter in "efl":
                value = word[index + 1 :]
                if not value and i < len(args):
                    value = args[i]
                    i += 1
                if letter == "e":
                    scripts.append(value)
                files = files or letter == "f"
                break
    if not scripts and not files and operands:
        scripts.append(operands[0])
    return scripts


def sed_acts(script: str) -> SedActs:
    """What `script` runs and writes."""
    acts = SedActs()
    i = 0
    n = len(script)
    while i < n:
        char = script[i]
        if char in " \t\n;{}!":
            i += 1
            continue
        if char == "#":
            i = _line_end(script, i)
            continue
        i = _skip_address(script, i)
        if i >= n:
            break
        command = script[i]
        i += 1
        if command in "sy":
            i = _substitution(script, i, acts, command == "s")
        elif command == "e":
            text, i = _rest_of_line(script, i)
            if text:
                acts.shell.append(text)
            else:
                acts.unknown.append("sed runs its pattern space as a command (e)")
        elif command in "wW":
            text, i = _rest_of_line(script, i)
            acts.writes.append(text)
        elif command in "aicrRbtTv:qQlLF=":
            i = _argument_end(script, i, command)
    return acts


def _line_end(script: str, i: int) -> int:
    end = script.find("\n", i)
    return len(script) if end < 0 else end


def _rest_of_line(script: str, i: int) -> tuple[str, int]:
    end = _line_end(script, i)
    return script[i:end].strip(), end


def _argument_end(script: str, i: int, command: str) -> int:
    """Past the argument of a command that has one: text and file names run to the end of the
    line; labels, exit codes and widths to a `;` or `}` as well."""
    if command in "aicrRvF":
        return _line_end(script, i)
    end = i
    while end < len(script) and script[end] not in ";\n}":
        end += 1
    return end


def _skip_address(script: str, i: int) -> int:
    """Past one or two addresses (`3`, `$`, `/re/I`, `\\%re%`, `1~2`, `/a/,+3`) and a `!`."""
    for _ in range(2):
        i = _skip_blanks(script, i)
        if i < len(script) and (script[i].isdigit() or script[i] in "$~+"):
            while i < len(script) and (script[i].isdigit() or script[i] in "$~+"):
                i += 1
        elif i < len(script) and script[i] in "/\\":
            delimiter = script[i] if script[i] == "/" else script[i + 1 : i + 2]
            i = _delimited_end(script, i + (1 if script[i] == "/" else 2), delimiter)
            while i < len(script) and script[i] in "IM":
                i += 1
        i = _skip_blanks(script, i)
        if i < len(script) and script[i] == ",":
            i += 1
            continue
        break
    i = _skip_blanks(script, i)
    while i < len(script) and script[i] in "! \t":
        i += 1
    return i


def _skip_blanks(script: str, i: int) -> int:
    while i < len(script) and script[i] in " \t":
        i += 1
    return i


def _delimited_end(script: str, i: int, delimiter: str) -> int:
    """Past the part that ends at an unescaped `delimiter` (and past the delimiter)."""
    while i < len(script):
        if script[i] == "\\":
            i += 2
            continue
        if script[i] == delimiter:
            return i + 1
        i += 1
    return i


def _substitution(script: str, i: int, acts: SedActs, flags_allowed: bool) -> int:
    if i >= len(script):
        return i
    delimiter = script[i]
    i = _delimited_end(script, i + 1, delimiter)
    start = i
    i = _delimited_end(script, i, delimiter)
    replacement = script[start : max(start, i - 1)]
    if not flags_allowed:
        return i
    flags_start = i
    while i < len(script) and script[i] in "gpiImMe0123456789":
        i += 1
    flags = script[flags_start:i]
    if "e" in flags:
        text = replacement.replace("\\" + delimiter, delimiter)
        if "&" in text.replace("\\&", "") or any(f"\\{d}" in text for d in "123456789"):
            acts.unknown.append(f"sed runs a command built from its input: {text}")
        else:
            acts.shell.append(text.replace("\\n", "\n"))
            # the rest of the line outside the match is part of the command too
            acts.unknown.append("sed runs the substituted pattern space as a command (s///e)")
    if i < len(script) and script[i] in "wW":
        text, i = _rest_of_line(script, i + 1)
        acts.writes.append(text)
    return i
