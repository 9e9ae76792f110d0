"""Reading the files an agent's shell sources before each command: what they define.

A snapshot (or a session's environment script) is read the way the shell would source it:
later definitions replace earlier ones, `unalias` removes. Read here:
- Claude Code, bash: `eval "$(echo 'BASE64' | base64 -d)" > /dev/null 2>&1` per function (the
  base64 of `declare -f NAME`), `alias -- NAME='VALUE'`, `function NAME {…}` helpers inside an
  `if … fi`, `shopt`/`set -o` lines, `unalias`, `export PATH=…`.
- Claude Code, zsh, and Codex: function definitions as `declare -f`/`typeset -f` print them
  (`NAME () {` … a `}` alone at the start of a line), `alias [--] NAME=VALUE`, `setopt`,
  `set -o`, `export`/`declare -x`/`typeset -x` lines (values may span lines), `# …` comments.
Anything else is kept as an unread line: code the shell runs while sourcing the file.
Encoded functions are only named when read (the first bytes decoded); their text stays
encoded (`ENCODED` + base64) until a line reaches them.

Claude's own `rg`/`find`/`grep` helpers are recognised line by line and left out: each runs
the program of its name (or Claude's embedded copy) on the same arguments.

Imports only the standard library, `safesh.lazy_re` and `safesh.record`.
"""

from __future__ import annotations

import binascii
import re
import shlex

from safesh.lazy_re import later
from safesh.record import frozen

# bash's handler for a command that is not found: it runs for words no snapshot names.
NOT_FOUND_HANDLER = "command_not_found_handle"

ENCODED_FUNCTION = later(
    r"""^eval "\$\(echo '(?P<b64>[A-Za-z0-9+/=\n]*)' \| base64 -d\)" > /dev/null 2>&1[ \t]*$""",
    re.M,
)
# `NAME () {`, `NAME ()`, `function NAME {`, `function NAME () {` at the start of a line.
_FUNCTION_HEAD = later(
    r"^[ \t]*(?:function[ \t]+(?P<kw>[^\s(){}]+)[ \t]*(?:\(\))?|(?P<plain>[^\s(){}=#'\"$`;&|<>]+)"
    r"[ \t]*\(\))[ \t]*\{?[ \t]*$"
)
_HARMLESS = later(
    r"^(?:#.*|\s*|(?:shopt -[su]|set -o|set \+o|setopt|unsetopt)( [\w-]+)+( 2>/dev/null)?"
    r"( \|\| true)?|fi|if ! \(unalias rg 2>/dev/null; command -v rg\) >/dev/null 2>&1; then)$"
)
# `alias NAME='VALUE'` as bash (`alias`, `alias -p`) and zsh (`alias -L`) print it; Claude
# adds `-- `. Quotes inside VALUE are written `'\''`.
_ALIAS = later(
    r"alias (?:-- )?(?P<name>[^\s=;&|<>()'\"`$\\]+)=(?P<value>'(?:[^']|'\\'')*'|[\w./:@%+,-]*)",
    re.S,
)
_UNALIAS = later(
    r"unalias (?:-- )?(?P<name>-a|[^\s=;&|<>()'\"`$\\]+)(?: 2>/dev/null)?(?: \|\| true)?"
)
# What runs while an assignment is sourced: command and process substitution.
_SUBSTITUTION = later(r"\$\(|`|<\(|>\(")
_ASSIGNMENT = later(r"^(?:export|declare -[a-zA-Z]*x[a-zA-Z]*|typeset -x|readonly)[ \t]")
# What ends a word in a line when looking for the names it mentions: blanks, operators, quotes,
# expansions and escapes (a superset: `'ll'` and `\ll` both mention `ll`).
_WORD_SPLIT = later(r"[\s;&|()<>`'\"$={}\\]+")
_MAX_CONTINUATION = 400
# Marks a function text still in base64 (no shell text starts with a NUL).
ENCODED = "\0base64:"
# How much of an encoded function is decoded to name it (a multiple of 4: whole groups).
_HEAD_CHARS = 344  # lines an alias or export value may span


@frozen
class Snapshot:
    """What one snapshot (or session script) defines, in the order it defines it.

    `unread` holds the lines safesh did not recognise: they may define anything, so a line
    that mentions one of their words asks. `broken` says a definition could not be decoded at
    all (its name is unknown): every line judged with it asks."""

    path: str
    aliases: tuple[tuple[str, str], ...] = ()
    functions: tuple[tuple[str, str], ...] = ()
    unread: tuple[str, ...] = ()
    broken: str | None = None
    # Whether the agent's shell sources this text (its unread lines then run before every
    # command); False for definitions safesh took itself (`shell_capture`).
    sourced: bool = True

    def names(self) -> frozenset[str]:
        return frozenset(name for name, _ in self.aliases) | frozenset(
            name for name, _ in self.functions
        )


def words_of(command: str) -> frozenset[str]:
    """Every word-like piece of `command`: a superset of the names it can call."""
    return frozenset(part for part in _WORD_SPLIT.split(command) if part)


def read_snapshot(path: str, text: str) -> Snapshot:
    """The aliases and functions `text` defines when a shell sources it (later definitions
    replace earlier ones, `unalias` removes, as in the shell). Encoded functions are only
    named here; their text stays encoded (`ENCODED` + base64) until a line uses the
    snapshot (`session_of`): most lines use none of them."""
    aliases: dict[str, str] = {}
    functions: dict[str, str] = {}
    unread: list[str] = []
    broken: list[str] = []
    done = 0
    for encoded in ENCODED_FUNCTION.finditer(text):
        _plain(text[done : encoded.start()], aliases, functions, unread)
        done = encoded.end()
        b64 = encoded.group("b64").replace("\n", "")
        name = _function_name(decode(b64[:_HEAD_CHARS]) or "")
        if name is not None:
            functions[name] = ENCODED + b64
            continue
        # Not a function: the shell runs whatever it decodes to when it sources the file.
        code = decode(b64)
        if code is None:
            broken.append("a line of the snapshot evaluates text that does not decode")
        else:
            unread.append(code)
    _plain(text[done:], aliases, functions, unread)
    return Snapshot(
        path,
        tuple(aliases.items()),
        tuple(functions.items()),
        tuple(unread),
        broken[0] if broken else None,
    )


def _plain(
    text: str, aliases: dict[str, str], functions: dict[str, str], unread: list[str]
) -> None:
    """The definitions in a stretch of text with no encoded function in it."""
    lines = text.split("\n")
    index = 0
    conditional = False  # inside Claude's `if ! (… command -v rg) …; then … fi`
    while index < len(lines):
        line = lines[index]
        head = _FUNCTION_HEAD.match(line)
        if head is not None:
            end = _closing_brace(lines, index)
            if end is None:
                unread.extend(lines[index:])
                return
            name = head.group("kw") or head.group("plain")
            body = lines[index : end + 1]
            if claude_helper(name, body):
                # Runs the program of its name with the same arguments: the word means
                # what it says. Defined only when rg is missing, it replaces nothing.
                if not conditional:
                    functions.pop(name, None)
            elif name in _EMBEDDED and any("_cc_bin" in line for line in body):
                # Claude's helper, changed: what it runs is hidden behind "$_cc_bin".
                unread.append("\n".join(body))
            else:
                functions[name] = "\n".join(body)
            index = end + 1
            continue
        if line.startswith("if ! (unalias rg "):
            conditional = True
        elif line == "fi":
            conditional = False
        statement, index = _statement(lines, index)
        _apply(statement, aliases, unread)


# Claude Code's own `rg`/`find`/`grep` functions (its snapshot writes them after the user's
# definitions): each runs the program of its name, or Claude's embedded copy of it (ripgrep,
# bfs, ugrep) with a few fixed search options, on the same arguments. A function is taken
# for one only when every line of it is one of these.
_OPTION = r"[\w.=/-]+"
_HELPER_LINES = tuple(
    later(pattern)
    for pattern in (
        r"function (?P<name>rg|find|grep) \{",
        r"local _cc_bin=\"\$\{CLAUDE_CODE_EXECPATH:-\}\"",
        # The real snapshot has the home directory written out; the sample has `$HOME`.
        r"\[\[ -x \$_cc_bin \]\] \|\| _cc_bin=(?:\$HOME|/[^\s;&|<>()'\"`$\\]*)/\.local/bin/claude",
        r"if \[\[ ! -x \$_cc_bin \]\]; then command (?P<same>\w+) \$\{1\+\"\$@\"\}; return; fi",
        r"if \[\[ -n \$\{ZSH_VERSION:-\} \]\]; then",
        rf"ARGV0=(?P<argv0>\w+) \"\$_cc_bin\"(?P<options>(?: {_OPTION})*) \$\{{1\+\"\$@\"\}}",
        r"elif \[\[ \"\$OSTYPE\" == \"msys\" \]\] \|\| \[\[ \"\$OSTYPE\" == \"cygwin\" \]\] "
        r"\|\| \[\[ \"\$OSTYPE\" == \"win32\" \]\]; then",
        r"else",
        rf"\(exec -a (?P<argv0>\w+) \"\$_cc_bin\"(?P<options>(?: {_OPTION})*) \$\{{1\+\"\$@\"\}}\)",
        r"fi",
        r"\}",
        r"local _cc_a",
        r"for _cc_a in \$\{1\+\"\$@\"\}; do",
        r"case \"\$_cc_a\" in [^;`$()]+\) command (?P<same>\w+) \$\{1\+\"\$@\"\}; return ;; esac",
        r"done",
    )
)
# The embedded program each helper may run in place of the one it is named after, and the
# options Claude gives it (search order and dialect, files to skip): none acts on files.
_EMBEDDED = {"rg": "rg", "find": "bfs", "grep": "ugrep"}
_FIXED_OPTIONS = later(
    r"-S|dfs|-regextype|findutils-default|-G|--ignore-files|--hidden|-I|--exclude-dir=[\w.]+"
)


def claude_helper(name: str, body: list[str]) -> bool:
    """Whether `body` (a function's lines) is Claude Code's helper for `name`."""
    if name not in _EMBEDDED:
        return False
    for line in body:
        stripped = line.strip()
        match = next((m for p in _HELPER_LINES if (m := p.fullmatch(stripped))), None)
        if match is None:
            return False
        found = match.groupdict()
        if found.get("name") not in (None, name) or found.get("same") not in (None, name):
            return False
        if found.get("argv0") not in (None, _EMBEDDED[name]):
            return False
        options = (found.get("options") or "").split()
        if not all(_FIXED_OPTIONS.fullmatch(option) for option in options):
            return False
    return True


def decode(b64: str) -> str | None:
    try:
        return binascii.a2b_base64(b64, strict_mode=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return None


def _function_name(text: str) -> str | None:
    first = text.split("\n", 1)[0].strip()
    head = _FUNCTION_HEAD.match(first)
    if head is None:
        return None
    return head.group("kw") or head.group("plain")


def _closing_brace(lines: list[str], start: int) -> int | None:
    """The line holding the `}` that ends the function starting at `start`: declare -f and
    typeset -f indent the body and put that brace alone at the start of a line."""
    if lines[start].rstrip().endswith("}"):
        return start
    for index in range(start + 1, len(lines)):
        if lines[index].rstrip() == "}":
            return index
    return None


def _statement(lines: list[str], index: int) -> tuple[str, int]:
    """One line, continued while its quotes are open (an alias or export value may hold
    newlines); the index after it."""
    statement = lines[index]
    end = index + 1
    if _HARMLESS.match(statement):
        return statement, end
    while not _complete(statement) and end < len(lines) and end - index < _MAX_CONTINUATION:
        statement += "\n" + lines[end]
        end += 1
    return statement, end


def _complete(statement: str) -> bool:
    try:
        shlex.split(statement, comments=True, posix=True)
    except ValueError:
        return False
    return True


def _apply(statement: str, aliases: dict[str, str], unread: list[str]) -> None:
    """One statement that is no function: a definition of a known shape, or code the shell
    runs while sourcing the file (kept in `unread`)."""
    if _HARMLESS.match(statement):
        return
    if _ASSIGNMENT.match(statement) and not _SUBSTITUTION.search(statement):
        return  # a variable's value; nothing runs (a substitution would, when sourced)
    alias = _ALIAS.fullmatch(statement)
    if alias is not None:
        value = alias.group("value")
        if value.startswith("'"):
            value = value[1:-1].replace("'\\''", "'")
        aliases[alias.group("name")] = value
        return
    unalias = _UNALIAS.fullmatch(statement)
    if unalias is not None:
        if unalias.group("name") == "-a":
            aliases.clear()
        else:
            aliases.pop(unalias.group("name"), None)
        return
    unread.append(statement)


def overlay(first: Snapshot, then: Snapshot) -> Snapshot:
    """What a shell holds after sourcing `first`, then `then` (its definitions win). Lines of
    `then` that safesh cannot read are not carried over: they are judged as code of their own
    (`ShellContext.scripts`), and a command word they mention asks (see `shell_context`)."""
    aliases = dict(first.aliases) | dict(then.aliases)
    functions = dict(first.functions) | dict(then.functions)
    broken = first.broken or then.broken
    return Snapshot(
        first.path,
        tuple(aliases.items()),
        tuple(functions.items()),
        first.unread,
        broken,
        first.sourced,
    )
