"""The lines coding agents hand to a shell around their model's command, taken apart.

Claude Code (through `CLAUDE_CODE_SHELL_PREFIX`) and Gemini CLI (through a `bash` shim) do not
run the model's command as it is: they wrap it in a line of their own, with a shell snapshot
to source, temp files that carry the working directory or background pids back, and options.
Judged whole, such a line is refused for the wrapper's sake (the snapshot's helper functions
call `"$_cc_bin"`, a dynamic command word) and, because the temp names change on every call,
an approval never matches the next identical command.

`recognise(line)` returns the agent's own command and the setup file the wrapper sources
(Claude's snapshot), but only for a line that is exactly the agent's wrapper: anchored
patterns, a quoted word decoded exactly as bash would, and temp paths of the agent's own
shape. Anything else is not recognised and is judged whole, as before. The formats are the
ones recorded from the real clients (tests/fixtures/agent-lines/).

`neutral_setup(text)` turns a Claude snapshot into text safesh can judge by content: the
helper functions' `"$_cc_bin"` names Claude's own executable, and only when every assignment
to `_cc_bin` in the file is one of Claude's two forms.

Pure functions over strings; imports only `re` and `safesh.record` (hot path of `safesh -c`).
"""

from __future__ import annotations

from safesh.lazy_re import later, re
from safesh.record import frozen


@frozen
class AgentLine:
    """An agent's wrapper line, taken apart.

    `command` is the model's command exactly as the agent received it; `setup` is a file the
    wrapper sources before it (None when there is none).
    """

    agent: str
    command: str
    setup: str | None = None


# One shell word made of single-quoted parts and double-quoted parts without expansions
# (Claude quotes a `'` inside the command as '"'"').
_QUOTED_WORD = r"(?:'[^']*'|\"[^\"\\$`!]*\")+"
_PART = later(r"'([^']*)'|\"([^\"\\$`!]*)\"")

# The literal text each wrapper begins with (no pattern syntax in it): checked before the
# pattern is compiled and matched.
_CLAUDE_START = "source "
_GEMINI_START = "shopt -u promptvars nullglob extglob nocaseglob dotglob;"

# Claude Code's snapshot: <config dir>/shell-snapshots/snapshot-<shell>-<ms>-<id>.sh
_SNAPSHOT = r"/[^\s'\"\\;&|<>()$`]*/shell-snapshots/snapshot-(?:bash|zsh)-[0-9]+-[a-z0-9]+\.sh"
_CLAUDE = later(
    _CLAUDE_START + r"(?P<snapshot>" + _SNAPSHOT + r"|'" + _SNAPSHOT + r"') 2>/dev/null \|\| true"
    r" && \{ shopt -u extglob \|\| setopt NO_EXTENDED_GLOB NO_BARE_GLOB_QUAL; \}"
    r" >/dev/null 2>&1 \|\| true"
    r" && eval (?P<word>" + _QUOTED_WORD + r")(?: < /dev/null)?"
    r" && pwd -P >\| /[^\s'\"\\;&|<>()$`]*/claude-[0-9a-f]{4,}-cwd",
    re.DOTALL,
)

# Gemini CLI's background-pid wrapper around the command (a subshell whose EXIT trap writes
# the pids of background jobs to a temp file the CLI reads back).
_GEMINI = later(
    _GEMINI_START + r" _bgpids_file=/[^\s'\"\\;&|<>()$`]*/gemini-shell-[A-Za-z0-9]+/bgpids\.tmp\n"
    r"\(\n  trap 'jobs -p > \"\$_bgpids_file\"' EXIT\n"
    r"(?P<command>.*)\n"
    r"\)\n__code=\$\?\nexit \$__code\n?",
    re.DOTALL,
)

# Claude's snapshot helpers: `_cc_bin` is Claude's own executable or ~/.local/bin/claude.
_CC_ASSIGNMENT = later(r"_cc_bin=")
_CC_KNOWN_ASSIGNMENTS = (
    later(r'local _cc_bin="\$\{CLAUDE_CODE_EXECPATH:-\}"'),
    later(
        r"\[\[ -x \$_cc_bin \]\] \|\| "
        r"_cc_bin=(?:\$HOME|/[^\s;&|<>()$`'\"]*)/\.local/bin/claude(?=\s)"
    ),
)
CLAUDE_PROGRAM = "claude"


def recognise(line: str) -> AgentLine | None:
    """The agent's command inside `line` when `line` is exactly an agent's wrapper."""
    # Each pattern begins with literal text: a line that does not is not that agent's, and
    # most lines are neither (compiling the two patterns costs more than judging `ls`).
    claude = _CLAUDE.fullmatch(line) if line.startswith(_CLAUDE_START) else None
    if claude is not None:
        snapshot = claude.group("snapshot").strip("'")
        return AgentLine("claude-code", unquote(claude.group("word")), snapshot)
    gemini = _GEMINI.fullmatch(line) if line.startswith(_GEMINI_START) else None
    if gemini is not None:
        command = gemini.group("command")
        if _may_leak(command):
            return None
        return AgentLine("gemini-cli", command)
    return None


def unquote(word: str) -> str:
    """The value of a word made of '…' and "…" parts (no expansions in either)."""
    return "".join(a if a or not b else b for a, b in _PART.findall(word))


def _may_leak(command: str) -> bool:
    """Whether the command could reach past the `)` that closes Gemini's subshell.

    Judged alone, a command that ends in a line continuation or inside an open heredoc would
    not be what bash runs inside the wrapper; those lines are judged whole instead."""
    if command.endswith("\\"):
        return True
    return "<<" in command and not _heredocs_closed(command)


_HEREDOC = later(r"<<-?\s*(?:'([^']+)'|\"([^\"]+)\"|\\?([A-Za-z_0-9]+))")


def _heredocs_closed(command: str) -> bool:
    lines = command.split("\n")
    pending: list[tuple[str, bool]] = []
    for text in lines:
        if pending:
            word, strip = pending[0]
            if (text.lstrip("\t") if strip else text) == word:
                pending.pop(0)
            continue
        for match in _HEREDOC.finditer(text):
            word = next(g for g in match.groups() if g)
            pending.append((word, match.group(0).startswith("<<-")))
    return not pending


def neutral_setup(text: str) -> str | None:
    """A Claude snapshot with `"$_cc_bin"` spelled as the program it names, or None when the
    file assigns `_cc_bin` in any other way (then it is judged as it is)."""
    assignments = len(_CC_ASSIGNMENT.findall(text))
    known = sum(len(pattern.findall(text)) for pattern in _CC_KNOWN_ASSIGNMENTS)
    if assignments != known:
        return None
    return text.replace('"$_cc_bin"', CLAUDE_PROGRAM)
