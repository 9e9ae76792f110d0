"""Variables the line assigns that change what a word means: HOME, TMPDIR and PWD set earlier
in the line (`export HOME=/; rm -rf ~`) or before the command (`TMPDIR=/x rm -rf $TMPDIR/y`);
and those that change what code runs (BASH_ENV, ENV) or where safesh's settings come from.

Also what the line assigns to any variable (`note_bindings`, for `.expand`), the aliases it
defines, and the bodies of the functions it calls.

May use: `safesh.model`, `.words`, `.expand` and the standard library.
"""

from __future__ import annotations

from collections.abc import Callable

from safesh.lazy_re import later, re
from safesh.model import ParsedLine, SimpleCommand, Word
from safesh.record import replace
from safesh.unwrap.expand import Bindings, Value, array_value
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
    if simple.argv:
        pairs: list[tuple[str, str]] = []
        if command_name(simple.argv[0].text) in DECLARERS:
            for word in simple.argv[1:]:
                key, _, value = word.text.partition("=")
                pairs.append((key, value if word.static else "$?"))
        return pairs
    return [(k, v.text if v.static else "$?") for k, v in simple.assignments]


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


# Constructs whose assignments may not happen, or not in this shell: the earlier value stays
# possible after them.
_MAYBE_NESTING = frozenset(
    {"if", "while", "until", "for", "case", "select", "subshell", "$(…)", "<(…)", ">(…)",
     "coproc"}
)  # fmt: skip
# Builtins that set the variables they name to values nobody can see here.
_READERS = frozenset({"read", "mapfile", "readarray", "getopts"})
# The command names `note_bindings` reads further.
BINDERS = DECLARERS | _READERS | {"printf", "set", "shift"}
_LOOP_VARIABLE = later(r"(?:^|[\s;&|(])(?:for|select)\s+([A-Za-z_][A-Za-z0-9_]*)\b")


# Expands an assignment's value that is not static (`OUT=${OUT_DIR:-dist}`) into the values
# it may have (None: unknown).
Resolve = Callable[[str], list[Value]]


def note_bindings(
    bindings: Bindings,
    simple: SimpleCommand,
    text: str,
    conditional: bool,
    resolve: Resolve | None = None,
) -> None:
    """Record what `simple` (whose source is `text`) assigns to variables for later commands:
    `x=v`, `a=(…)`, `export`/`declare`/`local x=v`, `set -- …`; `read x`, `x=$(…)`, `shift`,
    `+=` and element assignments leave a value nobody can know."""
    if simple.argv and (
        not simple.argv[0].static or command_name(simple.argv[0].text) not in BINDERS
    ):
        return  # a command that assigns no variable (most commands)
    maybe = conditional or simple.pipeline[2] > 1 or bool(_MAYBE_NESTING & set(simple.nesting))

    def assign(name: str, known: str | None, raw: str, maybe: bool) -> None:
        if known is None and resolve is not None and not raw.startswith("("):
            for index, value in enumerate(resolve(raw)):
                bindings.assign(name, value, maybe=maybe or index > 0)
            return
        bindings.assign(name, _value(known, raw), maybe=maybe)

    if not simple.argv:
        for name, word in simple.assignments:
            partial = re.search(rf"(?:^|\s){re.escape(name)}(?:\[[^\]]*\])?\+?=", text)
            appended = partial is not None and partial.group(0).rstrip("=").endswith(("+", "]"))
            if appended:
                bindings.assign(name, None, maybe=True)
            else:
                assign(name, word.text if word.static else None, word.raw, maybe)
        return
    head = simple.argv[0]
    if not head.static:
        return
    name = command_name(head.text)
    args = simple.argv[1:]
    if name in DECLARERS:
        for word in args:
            key, eq, assigned = word.text.partition("=")
            if word.text.startswith(("-", "+")) or not key.isidentifier():
                continue
            if name == "unset":
                bindings.assign(key, None, maybe=maybe)
            elif eq:
                assign(key, assigned if word.static else None, assigned, maybe)
    elif name in _READERS or (name == "printf" and any(w.text == "-v" for w in args)):
        for word in args:
            if word.static and word.text.isidentifier():
                bindings.assign(word.text, None, maybe=maybe)
    elif name == "set" and args and args[0].text == "--":
        rest = args[1:]
        value = tuple(w.text for w in rest) if all(w.static for w in rest) else None
        bindings.assign("@", value, maybe=maybe)
    elif name == "shift":
        bindings.assign("@", None, maybe=maybe)


def _value(text: str | None, raw: str) -> Value:
    if text is None:
        return None
    if raw.startswith("(") and raw.endswith(")"):
        return array_value(raw)
    return (text,)


def loop_variables(source: str) -> set[str]:
    """Names a `for`/`select` loop in `source` sets: their values come from the loop."""
    if "for" not in source and "select" not in source:
        return set()  # the pattern needs one of the words (most lines: no compile, no scan)
    return set(_LOOP_VARIABLE.findall(source))


def alias_definitions(simple: SimpleCommand) -> dict[str, str | None]:
    """`alias NAME=VALUE …`: the aliases `simple` defines (None: a value that expands)."""
    if not simple.argv or not simple.argv[0].static or simple.argv[0].text != "alias":
        return {}
    found: dict[str, str | None] = {}
    for word in simple.argv[1:]:
        name, eq, value = word.text.partition("=")
        if eq and name and not name.startswith("-"):
            found[name] = value if word.static else None
    return found


def called_bodies(parsed: ParsedLine) -> dict[str, list[SimpleCommand]]:
    """The bodies of the functions `parsed` defines and also calls (outside their own body):
    those are judged at each call, with its arguments."""
    if not parsed.functions:
        return {}
    # One pass over the commands, not one per function: a long script may define many.
    names = {f"function {name}": name for name in parsed.functions}
    bodies: dict[str, list[SimpleCommand]] = {name: [] for name in parsed.functions}
    called: set[str] = set()
    for c in parsed.commands:
        inside = {names[n] for n in c.nesting if n in names}  # whose bodies hold c
        for name in inside:
            bodies[name].append(c)
        if c.argv and c.argv[0].static:
            name = command_name(c.argv[0].text)
            if name in bodies and name not in inside:
                called.add(name)
    return {name: bodies[name] for name in parsed.functions if name in called and bodies[name]}


# Variables whose value programs run as a command line: pagers (man, git, systemctl, less's
# input preprocessor), editors (crontab -e, visudo, git commit), askpass helpers, browsers,
# and the line an interactive bash runs before each prompt (PROMPT_COMMAND).
COMMAND_VARS = frozenset(
    {"PAGER", "MANPAGER", "SYSTEMD_PAGER", "BAT_PAGER", "EDITOR", "VISUAL", "SUDO_EDITOR",
     "LESSOPEN", "LESSCLOSE", "SSH_ASKPASS", "SUDO_ASKPASS", "BROWSER", "RSYNC_RSH",
     "FCEDIT", "DIFFPROG", "PROMPT_COMMAND"}
)  # fmt: skip
# Variables whose value holds a command line somewhere inside: COMMAND_VARS and less's
# options (`LESS='+!CMD'`), read by `command_variables`.
HOLDS_COMMANDS = COMMAND_VARS | {"LESS"}


def _less_shell_command(options: str) -> str:
    """The shell command a `+` start-up command in less's options runs (`+!CMD`, `++!CMD`;
    a `$` ends an option there), or ""."""
    for index, char in enumerate(options):
        if char == "+" and (index == 0 or options[index - 1] == " "):
            command = options[index:].lstrip("+").lstrip(":").strip()
            if command.startswith("!"):
                return command[1:].split("$", 1)[0]
    return ""


def command_variables(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(name, command line) for each assignment of a COMMAND_VARS variable among `pairs`:
    less's `LESSOPEN='|lesspipe %s'` loses its pipe marks and names the file FILE."""
    found: list[tuple[str, str]] = []
    for name, value in pairs:
        if name == "LESS":  # `LESS='-R +!CMD'`: less runs its start-up `!CMD` in a shell
            value = _less_shell_command(value)
        elif name not in COMMAND_VARS:
            continue
        if not value.strip():
            continue
        if name in {"LESSOPEN", "LESSCLOSE"}:
            value = value.lstrip("|-").replace("%s", "FILE")
        found.append((name, value))
    return found
