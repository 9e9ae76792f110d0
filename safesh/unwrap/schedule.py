"""Code scheduled to run later: `at`/`batch` read a shell program from standard input or
`-f FILE`; `crontab FILE` / `crontab -` installs a table whose entries are shell command lines, and
`crontab -e` whatever EDITOR leaves in it. What will run is judged now, as a command line of its
own; a program or table that cannot be read here (or written by an EDITOR that is a program,
not an editor a human types into) is unseen code.

May use: `safesh.model`, `.site`, `.shells` and the standard library.
"""

from __future__ import annotations

import re

from safesh.model import Word
from safesh.unwrap.shells import read_local_file, run_stdin_program, walk_script_file

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from collections.abc import Callable

    from safesh.unwrap.site import Site, Walk

# `at` options that only look at or remove queued jobs, and those that take a value.
_AT_QUERIES = frozenset({"-l", "-r", "-d", "-c", "-V", "--help", "--version"})
_AT_VALUES = frozenset({"-q", "-f", "-t"})


def at(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`at [-f FILE] TIME`, `batch`: the program comes from FILE or standard input."""
    i, script = 1, None
    while i < len(words) and words[i].text.startswith("-"):
        text = words[i].text
        if text in _AT_QUERIES or (name == "at" and text.startswith("-l")):
            w.emit(words, site)
            return
        if text == "-f" and i + 1 < len(words):
            script = words[i + 1]
        elif text.startswith("-f") and len(text) > 2:
            script = Word(text[2:], text[2:], words[i].span, words[i].static)
        i += 2 if text in _AT_VALUES else 1
    if script is None:
        run_stdin_program(w, name, words, site)
        return
    w.emit(words, site)
    _run_file(w, name, script, site, None)


def crontab(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`crontab FILE` / `crontab -` replaces the table: each entry's command will run."""
    i, operand = 1, None
    while i < len(words):
        text = words[i].text
        if text in {"-l", "-e", "-r", "-i", "-T", "-V", "--help", "--version"}:
            w.emit(words, site)
            if text == "-e":
                _editor_program(w, site)
            return
        if text in {"-u", "-s"}:
            i += 2
            continue
        if text == "-" or not text.startswith("-"):
            operand = words[i]
            break
        i += 1
    if operand is None or operand.text == "-":
        run_stdin_program(w, name, words, site, cron_commands)
        return
    w.emit(words, site)
    _run_file(w, name, operand, site, cron_commands)


# Editors a human types into: `crontab -e` with one of them installs what that human saved.
_INTERACTIVE_EDITORS = frozenset(
    {"vi", "vim", "nvim", "gvim", "view", "nano", "pico", "emacs", "emacsclient", "micro", "joe",
     "jed", "mcedit", "ne", "hx", "helix", "kak", "code", "codium", "subl", "gedit", "kate",
     "mousepad", "xed", "mate", "zed", "editor", "sensible-editor", "vis", "mg", "jove"}
)  # fmt: skip


def _editor_program(w: Walk, site: Site) -> None:
    """`EDITOR=PROGRAM crontab -e`: crontab hands the table to PROGRAM and installs what it
    leaves there. PROGRAM is judged as a command (walker); when it is not an editor a human
    types into (`sed -i …`, `tee`, `cp jobs`), the table it writes is not on the line."""
    own = [(k, v.text if v.static else "$") for k, v in site.simple.assignments]
    for key, value in [*site.assignments, *own]:
        if key not in {"EDITOR", "VISUAL"}:
            continue
        program = value.split()[0].rpartition("/")[2] if value.split() else ""
        if program not in _INTERACTIVE_EDITORS:
            message = f"crontab -e with {key}={value}: {program or 'it'} writes the table, unseen"
            w.note_unparsed(site.frame, message, value, kind="unseen")
            return


def _run_file(
    w: Walk, name: str, path: Word, site: Site, translate: Callable[[str], str] | None
) -> None:
    """Judge the program in `path`; when it cannot be read here, it is unseen code."""
    inner = site.inner(f"{name} {path.text}")
    readable = path.static and (
        w.written_script(path.text, inner) is not None
        or read_local_file(w, path.text, inner) is not None
    )
    if readable:
        walk_script_file(w, path.text, inner, translate)
        return
    w.note_unparsed(
        site.frame,
        f"{name} schedules what {path.text} holds, which safesh cannot read",
        path.text,
        kind="unseen",
    )


def cron_commands(table: str, user_field: bool = False) -> str:
    """The command lines of a crontab's entries, one a line (`m h dom mon dow CMD`,
    `@reboot CMD`; with `user_field`, the system tables' `m h dom mon dow USER CMD`);
    comments, blank lines and variable settings are not commands."""
    commands: list[str] = []
    for line in table.splitlines():
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        head, _, _ = entry.partition(" ")
        name, eq, _ = head.partition("=")
        if eq and name.isidentifier():
            continue  # SHELL=/bin/bash, MAILTO=…
        splits = (1 if entry.startswith("@") else 5) + user_field
        fields = entry.split(None, splits)
        if len(fields) == splits + 1:
            # An unescaped `%` ends the command; what follows is its standard input, which
            # is code when the command is a shell: it is judged as lines of its own.
            commands.append(re.sub(r"(?<!\\)%", "\n", fields[-1]))
        else:
            commands.append(entry)  # not an entry cron understands: judge it as written
    return "\n".join(commands)
