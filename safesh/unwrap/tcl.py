"""Tcl programs that run commands (`expect`, `tclsh`, `wish`): the command lines a script's
`spawn`, `exec` and `system` run, and what `send` types into a shell or ssh session it spawned,
as shell text for the walk. A reader of Tcl's words, not an interpreter: braces, quotes,
backslashes, `[…]` substitution, `;`, newlines and comments. A braced word is read as a script
too (the bodies of `if`, `proc`, `expect { pattern { … } }`); a `[…]` or `$name` in a command
word becomes an expansion the shell cannot know either.

May use: the standard library only.
"""

from __future__ import annotations

import shlex

# Options of `spawn` (one of them takes a value), `exec` and `send`.
_SPAWN_FLAGS = frozenset(
    {"-noecho", "-console", "-nottycopy", "-nottyinit", "-pty", "-leaveopen", "-open"}
)
_SPAWN_VALUES = frozenset({"-ignore"})
_EXEC_FLAGS = frozenset({"-ignorestderr", "-keepnewline"})
_SEND_FLAGS = frozenset({"-raw", "-s", "-h", "-null", "-break"})
_SEND_VALUES = frozenset({"-i"})
# Programs into which `send` types command lines: a shell, or a session on another host or
# in a container (the typed text runs there).
_TYPED_INTO = frozenset(
    {"sh", "bash", "zsh", "dash", "ksh", "fish", "ssh", "su", "sudo", "docker", "podman",
     "kubectl", "telnet", "login", "lxc", "vagrant", "screen", "tmux", "rlogin"}
)  # fmt: skip
# Words of Tcl's `exec` that are its pipeline and redirection syntax, kept as they are.
_EXEC_SYNTAX = ("|", "<", ">", "2>", "&")
_UNKNOWN = "$TCL_VALUE"  # stands for what a `[…]` substitution computes
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_MAX_DEPTH = 8


def shell_lines(code: str) -> str:
    """The shell command lines a Tcl/expect script runs, one per line ("" when none)."""
    lines: list[str] = []
    session: list[str] | None = None  # the program `send` types into, once spawned
    for words in _commands(code, 0):
        head, args = words[0], words[1:]
        if head == "spawn":
            program = _skip_options(args, _SPAWN_FLAGS, _SPAWN_VALUES)
            if program:
                lines.append(_join(program))
                name = program[0].rpartition("/")[2]
                session = program if name in _TYPED_INTO else None
        elif head == "exec":
            program = _skip_options(args, _EXEC_FLAGS, frozenset())
            if program:
                lines.append(_join(program, keep_syntax=True))
        elif head == "system" and args:
            lines.append(" ".join(args))
        elif head in {"send", "exp_send"} and session is not None:
            typed = _skip_options(args, _SEND_FLAGS, _SEND_VALUES)
            if typed:
                lines.extend(_typed_lines(typed[-1], session))
    return "\n".join(lines)


def _typed_lines(text: str, session: list[str]) -> list[str]:
    """The command lines `send TEXT` types: one per line ended by Enter (\\r or \\n); on an
    ssh session they run on its host."""
    found: list[str] = []
    for line in text.replace("\r", "\n").split("\n"):
        if not line.strip():
            continue
        if session[0].rpartition("/")[2] == "ssh":
            found.append(f"{_join(session)} {shlex.quote(line)}")
        else:
            found.append(line)
    return found


def _skip_options(words: list[str], flags: frozenset[str], values: frozenset[str]) -> list[str]:
    i = 0
    while i < len(words):
        if words[i] == "--":
            return words[i + 1 :]
        if words[i] in values:
            i += 2
        elif words[i] in flags:
            i += 1
        else:
            break
    return words[i:]


def _join(words: list[str], keep_syntax: bool = False) -> str:
    parts: list[str] = []
    for word in words:
        if _UNKNOWN in word:
            parts.append(word)  # unquoted: the shell sees an expansion it cannot know
        elif keep_syntax and "@" in word and word.startswith(_EXEC_SYNTAX):
            # `2>@1`, `>@stdout`: a redirect onto a channel, not a file
            parts.append("2>&1" if word.startswith("2>") else "")
        elif keep_syntax and word.startswith(_EXEC_SYNTAX):
            parts.append(word)
        else:
            parts.append(shlex.quote(word))
    return " ".join(parts)


def _commands(code: str, depth: int) -> list[list[str]]:
    """The commands of a Tcl script, each as its words; the scripts of braced words and of
    `[…]` substitutions come after the command that holds them."""
    if depth > _MAX_DEPTH:
        return []
    reader = _Reader(code)
    found: list[list[str]] = []
    while True:
        words, nested = reader.command()
        if words is None:
            break
        if words:
            found.append(words)
        for script in nested:
            found.extend(_commands(script, depth + 1))
    return found


class _Reader:
    """Reads one Tcl command at a time: its words (quotes, braces and escapes removed) and
    the scripts nested in it (braced words, `[…]`)."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.i = 0

    def command(self) -> tuple[list[str] | None, list[str]]:
        code = self.code
        while self.i < len(code) and (code[self.i].isspace() or code[self.i] == ";"):
            self.i += 1
        if self.i >= len(code):
            return None, []
        if code[self.i] == "#":
            while self.i < len(code) and code[self.i] != "\n":
                self.i += 1
            return [], []
        words: list[str] = []
        nested: list[str] = []
        while self.i < len(code):
            char = code[self.i]
            if char in "\n;":
                self.i += 1
                break
            if char == "\\" and code[self.i + 1 : self.i + 2] == "\n":
                self.i += 2
                continue
            if char.isspace():
                self.i += 1
                continue
            words.append(self.word(nested))
        return words, nested

    def word(self, nested: list[str]) -> str:
        code = self.code
        if code[self.i] == "{":
            body = self.braced()
            nested.append(body)
            return body
        quoted = code[self.i] == '"'
        if quoted:
            self.i += 1
        out: list[str] = []
        while self.i < len(code):
            char = code[self.i]
            if quoted and char == '"':
                self.i += 1
                break
            if not quoted and (char.isspace() or char == ";"):
                break
            if char == "\\" and self.i + 1 < len(code):
                following = code[self.i + 1]
                out.append(_ESCAPES.get(following, " " if following == "\n" else following))
                self.i += 2
                continue
            if char == "[":
                nested.append(self.bracketed())
                out.append(_UNKNOWN)
                continue
            if char == "$":
                out.append(_UNKNOWN)
                self.i += 1
                while self.i < len(code) and (code[self.i].isalnum() or code[self.i] in "_:"):
                    self.i += 1
                continue
            out.append(char)
            self.i += 1
        return "".join(out)

    def braced(self) -> str:
        return self._balanced("{", "}")

    def bracketed(self) -> str:
        return self._balanced("[", "]")

    def _balanced(self, opening: str, closing: str) -> str:
        code = self.code
        depth = 0
        start = self.i + 1
        while self.i < len(code):
            char = code[self.i]
            if char == "\\":
                self.i += 2
                continue
            if char == opening:
                depth += 1
            elif char == closing:
                depth -= 1
                if depth == 0:
                    self.i += 1
                    return code[start : self.i - 1]
            self.i += 1
        return code[start:]
