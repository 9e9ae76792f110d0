"""Code a line stores in the shell to run on a later line, judged where it is stored, as a
function body already is: an alias's value (`alias ll='…'`, `BASH_ALIASES[ll]=…`), a trap's
action (`trap '…' EXIT`), and a command name pointed at another program (`BASH_CMDS[ls]=…`,
the same as `hash -p`, which a rule judges).

Also `SessionState`: what a persistent shell already holds when a line is judged in it (the
interactive shell runs every line in one bash, so an alias, a function, a variable or the
positional parameters set on one line are there on the next). The walker starts from it.

May use: `safesh.model`, `.site` and the standard library.
"""

from __future__ import annotations

from safesh.lazy_re import later, re
from safesh.model import ParsedLine, ParseError, SimpleCommand, Span, Word
from safesh.record import field, frozen
from safesh.unwrap.site import Frame, ParseFn, Site

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from safesh.unwrap.site import Walk


@frozen
class SessionState:
    """What the shell a line runs in already defines, as that shell reported it.

    `functions` holds each function's whole definition as `declare -f NAME` prints it (parsed
    only when a line calls it). A variable's value is its words (one for a scalar, the
    elements of an array) or None when it cannot be known here (a nameref, a value that did
    not decode). `positional` is `"$@"`. `problems` says what the shell reported but could
    not be read: every line judged with them asks, since a name may mean anything."""

    aliases: tuple[tuple[str, str], ...] = ()
    functions: tuple[tuple[str, str], ...] = ()
    variables: tuple[tuple[str, tuple[str, ...] | None], ...] = ()
    positional: tuple[str, ...] | None = ()
    # Names `hash -p` (or BASH_CMDS) points at another program: name -> path.
    hashed: tuple[tuple[str, str], ...] = ()
    problems: tuple[str, ...] = ()
    # `trap -p`: signal -> the action the shell runs on it.
    traps: tuple[tuple[str, str], ...] = ()
    # How to parse a function's text, when the shell's owner keeps parses between lines
    # (a big function is otherwise parsed again at every line that calls it).
    parse: ParseFn | None = field(default=None, compare=False)


# A shell that holds nothing the line does not define (any shell but the interactive one).
NO_SESSION = SessionState()
# The trap that runs when the shell leaves. Every other may run while any line runs: DEBUG
# before each command, ERR on a failure, RETURN after a function, CHLD when a child ends, INT
# at a ^C, HUP when the terminal goes away.
EXIT_TRAP = "EXIT"
# Commands that end the shell, which then runs its EXIT trap.
LEAVERS = frozenset({"exit", "logout", "exec"})


def session_traps(session: SessionState, leaving: bool) -> list[tuple[str, str]]:
    """The session's trap actions that run when it leaves (`leaving`), or else those that may
    run while any line runs, in the order the shell reported them."""
    return [(signal, code) for signal, code in session.traps if (signal == EXIT_TRAP) == leaving]


# `NAME[KEY]=VALUE` on the special arrays that define aliases and the command hash table.
_SPECIAL_ELEMENT = later(
    r"(?P<array>BASH_ALIASES|BASH_CMDS)\[(?P<key>[^\]]*)\]\+?=(?P<value>.*)", re.S
)


def alias_builtin(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`alias NAME=VALUE …`: each value runs wherever NAME is typed later, so it is judged
    now as a line of its own (`alias ll='rm -rf ~/'` is as destructive as what it names)."""
    w.emit(words, site)
    for word in words[1:]:
        if word.static and (word.text.startswith("-") or "=" not in word.text):
            continue  # `alias -p`, `alias ll`: they only print
        judge_alias_value(w, word, site)


def judge_alias_value(w: Walk, word: Word, site: Site) -> None:
    """The `NAME=VALUE` word of an alias definition, its value judged as a line."""
    key, _, value = word.text.partition("=")
    if not word.static:
        w.note_unparsed(
            site.frame,
            f"the alias {key or '?'} gets a value computed when the line runs",
            word.raw,
            kind="unseen",
        )
        return
    if value.strip():
        w.walk_source(value, site.nested(f"alias {key}"), f"alias {key}")


def trap_builtin(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`trap ACTION SIGNAL…`: ACTION runs later in this shell (at exit, on an error, before
    every command with DEBUG), so it is judged now."""
    w.emit(words, site)
    args = words[1:]
    if args and args[0].static and args[0].text == "--":
        args = args[1:]
    elif args and args[0].static and args[0].text.startswith("-"):
        return  # `trap -l`, `trap -p`: they only print
    if len(args) < 2:
        return  # `trap SIGNAL` resets it
    action = args[0]
    if not action.static:
        message = "a trap runs code computed when the line runs"
        w.note_unparsed(site.frame, message, action.raw, kind="unseen")
        return
    if action.text.strip() and action.text != "-":
        w.walk_source(action.text, site.nested("trap"), "trap action")


def defines_anything(simple: SimpleCommand) -> bool:
    """Whether `special_elements` or `prompt_assignments` may find something in `simple`:
    it assigns, or its command word is `BASH_…` or a declarer (most commands: no)."""
    if simple.assignments:
        return True
    if not simple.argv:
        return False
    head = simple.argv[0]
    return head.text.startswith("BASH_") or head.raw.startswith("BASH_") or head.text in _DECLARERS


def special_elements(w: Walk, site: Site) -> None:
    """`BASH_ALIASES[ll]=VALUE` defines an alias; `BASH_CMDS[ls]=PATH` makes `ls` run PATH
    (`hash -p PATH ls`). bash takes them as assignments; a parser may leave them as words."""
    simple = site.simple
    if not simple.assignments:
        # Only the command word can be one (the loop below ends at the first other word).
        head = simple.argv[0] if simple.argv else None
        if head is None or not (
            head.text.startswith("BASH_") or head.raw.startswith(("BASH_ALIASES[", "BASH_CMDS["))
        ):
            return
    assigned = [
        Word(f"{name}={value.text}", f"{name}={value.raw}", value.span, value.static)
        for name, value in simple.assignments
    ]
    for word in [*assigned, *simple.argv]:
        # The pattern begins `BASH_ALIASES[` / `BASH_CMDS[`: other words need no match.
        special = word.static and word.text.startswith("BASH_")
        match = _SPECIAL_ELEMENT.fullmatch(word.text) if special else None
        if match is None:
            if not word.raw.startswith(("BASH_ALIASES[", "BASH_CMDS[")):
                if word in assigned:
                    continue
                return
            w.note_unparsed(site.frame, "a computed alias or command path", word.raw, kind="unseen")
            continue
        key, value = match.group("key"), match.group("value")
        if match.group("array") == "BASH_ALIASES":
            judge_alias_value(w, Word(f"{key}={value}", word.raw, word.span, static=True), site)
        else:
            spelled = ("hash", "-p", value, key)
            w.emit([_word(text, word.span) for text in spelled], site.inner("BASH_CMDS"))


# bash's builtins and keywords (`compgen -b`, `compgen -k`): found without a PATH lookup.
BASH_BUILTINS = frozenset(
    {
        ".", ":", "[", "alias", "bg", "bind", "break", "builtin", "caller", "cd", "command",
        "compgen", "complete", "compopt", "continue", "declare", "dirs", "disown", "echo", "enable",
        "eval", "exec", "exit", "export", "false", "fc", "fg", "getopts", "hash", "help", "history",
        "jobs", "kill", "let", "local", "logout", "mapfile", "popd", "printf", "pushd", "pwd",
        "read", "readarray", "readonly", "return", "set", "shift", "shopt", "source", "suspend",
        "test", "times", "trap", "true", "type", "typeset", "ulimit", "umask", "unalias", "unset",
        "wait", "if", "then", "else", "elif", "fi", "case", "esac", "for", "select", "while",
        "until", "do", "done", "in", "function", "time", "{", "}", "!", "[[", "]]", "coproc",
    }
)  # fmt: skip
NOT_FOUND_HANDLER = "command_not_found_handle"
# Prompt strings bash expands (`$(…)` included) each time it shows them; PS4 before every
# command `set -x` traces.
_PROMPTS = frozenset({"PS0", "PS1", "PS2", "PS3", "PS4"})
_DECLARERS = frozenset({"export", "declare", "typeset", "local", "readonly"})


def runs_not_found_handler(session: SessionState, name: str, path: str | None) -> bool:
    """Whether bash would run the session's `command_not_found_handle` for `name`: it defines
    one, and `name` is no builtin and no program on PATH (functions and aliases were
    looked up before)."""
    if "/" in name or name in BASH_BUILTINS or not name:
        return False
    if NOT_FOUND_HANDLER not in session_functions(session):
        return False
    import shutil

    return shutil.which(name, path=path or "") is None


def shadowed_builtin(w: Walk, functions: tuple[str, ...], frame: Frame) -> None:
    """A function named `builtin` stands between safesh and the interactive shell's report of
    what it defines (every line of that report goes through `builtin`): it asks."""
    if "builtin" in functions:
        message = "a function named `builtin` would let the shell misreport what it defines"
        w.note_unparsed(frame, message, "builtin", kind="session")


def prompt_assignments(w: Walk, site: Site) -> None:
    """`PS4='$(…)'`: the command substitutions in a prompt string run each time bash shows it;
    they are judged where the prompt is set."""
    simple = site.simple
    head = simple.argv[0] if simple.argv else None
    declares = head is not None and head.static and head.text in _DECLARERS
    if not simple.assignments and not declares:
        return  # nothing assigned (most commands)
    from safesh.unwrap.feeds import heredoc_substitutions

    assigned = [(name, value.raw) for name, value in simple.assignments]
    if declares:
        # `export PS4='…'`, `declare -x PS1=…`: the value as written after the `=`
        for word in simple.argv[1:]:
            name, eq, raw = word.raw.partition("=")
            if eq:
                assigned.append((name, raw))
    for name, raw in assigned:
        if name not in _PROMPTS:
            continue
        found = heredoc_substitutions(raw) if "$(" in raw or "`" in raw else []
        if found is None:
            w.note_unparsed(site.frame, f"an unterminated $( or ` in {name}", raw)
            continue
        for source in found:
            w.walk_source(source, site.nested(name), f"{name} substitution")


def session_functions(session: SessionState) -> frozenset[str]:
    return frozenset(name for name, _ in session.functions)


def rerouted(session: SessionState, name: str) -> list[str]:
    """The program the session's hash table points `name` at, when it is another one."""
    return [path for hashed, path in session.hashed if hashed == name]


def session_body(
    session: SessionState, name: str, parse: ParseFn, frame: Frame, w: Walk
) -> tuple[ParsedLine, list[SimpleCommand]] | None:
    """The body of the session's function `name`, parsed from its `declare -f` text; a text
    that does not parse as that one function is noted (the line asks)."""
    text = next((text for known, text in session.functions if known == name), None)
    if text is None:
        return None
    try:
        parsed = (session.parse or parse)(text)
    except ParseError as error:
        message = f"cannot parse the shell's function {name}: {error}"
        w.note_unparsed(frame, message, text, kind="session")
        return None
    label = f"function {name}"
    if name not in parsed.functions or any(label not in c.nesting for c in parsed.commands):
        message = f"the shell's function {name} does not read as one function"
        w.note_unparsed(frame, message, text, kind="session")
        return None
    return parsed, list(parsed.commands)


def _word(text: str, span: Span) -> Word:
    return Word(text, text, span, static=True)
