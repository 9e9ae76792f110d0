"""What an agent's shell already defines when it runs a command the hook is judging.

The agents do not run a command in a bare shell. Claude Code sources a snapshot of the user's
shell (their aliases and functions, taken from ~/.bashrc or ~/.zshrc when Claude starts, plus
its own `rg`/`find`/`grep` helpers) before every Bash command, and then the session's
environment scripts; Codex sources a snapshot of the same kind (feature `shell_snapshot`, on by
default). The hook sees the command alone, so `ll` (an alias for a destructive line) or `gc`
(a function) was judged as an unknown harmless word. Here the hook finds those files and
turns what they define into a `SessionState`, which `safesh.check(..., session=)` judges the
line with: an alias or function the line uses is judged as what it expands to.

The cost stays off ordinary lines: the files are only scanned (function names are read from
the first bytes of each encoded definition), and a session is handed to the judge only when
the line mentions a name a snapshot defines (or a line of it that safesh cannot read).
Which snapshot belongs to the session cannot always be known (Claude's file names carry no
session id): every candidate that defines a word of the line is judged, the worst answer wins.

Formats read (documented, with sources, in docs/threat-model.md):
- Claude Code, bash: `eval "$(echo 'BASE64' | base64 -d)" > /dev/null 2>&1` per function (the
  base64 of `declare -f NAME`), `alias -- NAME='VALUE'`, `function NAME {…}` helpers inside an
  `if … fi`, `shopt`/`set -o` lines, `unalias`, `export PATH=…`.
- Claude Code, zsh, and Codex: function definitions as `declare -f`/`typeset -f` print them
  (`NAME () {` … a `}` alone at the start of a line), `alias [--] NAME=VALUE`, `setopt`,
  `set -o`, `export`/`declare -x`/`typeset -x` lines (values may span lines), `# …` comments.
Anything else is kept as an unread line: a line that mentions a word of the command asks.

Imports only the standard library and `safesh.unwrap.definitions` (for `SessionState`); it is
imported by the hook only when a shell command is judged.
"""

from __future__ import annotations

import binascii
import os
import re
import shlex
from collections.abc import Iterator, Mapping
from pathlib import Path

from safesh.lazy_re import later
from safesh.record import frozen

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from safesh.unwrap.definitions import SessionState

# A snapshot larger than this is not read as a whole (Claude caps each section at 1000 lines;
# nvm-sized rc files give ~200 KB): it is judged as unreadable for the words it may define.
MAX_SNAPSHOT_BYTES = 8 * 1024 * 1024
# The most function text a line may reach and still be judged by walking it (the walk of an
# nvm-sized suite takes seconds); a line reaching more asks at once.
MAX_CALLED_CHARS = 16 * 1024
# How many snapshot files of one agent are considered (newest first).
MAX_SNAPSHOTS = 64
# bash's handler for a command that is not found: it runs for words no snapshot names.
NOT_FOUND_HANDLER = "command_not_found_handle"

_ENCODED_FUNCTION = later(
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
_ENCODED = "\0base64:"
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
    named here; their text stays encoded (`_ENCODED` + base64) until a line uses the
    snapshot (`session_of`): most lines use none of them."""
    aliases: dict[str, str] = {}
    functions: dict[str, str] = {}
    unread: list[str] = []
    broken: list[str] = []
    done = 0
    for encoded in _ENCODED_FUNCTION.finditer(text):
        _plain(text[done : encoded.start()], aliases, functions, unread)
        done = encoded.end()
        b64 = encoded.group("b64").replace("\n", "")
        name = _function_name(_decode(b64[:_HEAD_CHARS]) or "")
        if name is not None:
            functions[name] = _ENCODED + b64
            continue
        # Not a function: the shell runs whatever it decodes to when it sources the file.
        code = _decode(b64)
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
        r"\[\[ -x \$_cc_bin \]\] \|\| _cc_bin=\$HOME/\.local/bin/claude",
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


def _decode(b64: str) -> str | None:
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


def mentions(snapshot: Snapshot, words: frozenset[str]) -> bool:
    """Whether judging a line with `words` needs this snapshot: it defines one of them (or
    bash's not-found handler, which runs for words nothing defines), has a line safesh could
    not read that names one, or holds a definition whose name is unknown."""
    if snapshot.broken is not None:
        return True
    names = snapshot.names()
    if NOT_FOUND_HANDLER in names or not names.isdisjoint(words):
        return True
    return any(not words_of(line).isdisjoint(words) for line in snapshot.unread)


def session_of(snapshot: Snapshot, words: frozenset[str]) -> SessionState:
    """The snapshot as the shell state the line is judged in: its aliases, and the functions
    the line can reach (through aliases and the functions it calls), decoded. Functions that
    are too large to walk within the hook's time make the line ask at once instead of after
    the deadline (a suite like nvm's is thousands of lines)."""
    problems: list[str] = []
    if snapshot.broken is not None:
        problems.append(f"{snapshot.broken} ({snapshot.path})")
    for line in snapshot.unread:
        if not words_of(line).isdisjoint(words):
            problems.append(f"a line of {snapshot.path} safesh cannot read: {line[:80]!r}")
    functions, size, undecoded = _reachable(snapshot, words)
    problems += [f"the function {name} in {snapshot.path} does not decode" for name in undecoded]
    if size > MAX_CALLED_CHARS:
        called = ", ".join(sorted(name for name, _ in functions)[:5])
        problems.append(
            f"the line calls shell functions of the agent's snapshot ({called}, …) that "
            f"total {size // 1024} KB, more than safesh judges within a hook's time"
        )
        functions = []  # the line asks already: not walked, so it asks now, not at the deadline
    from safesh.unwrap.definitions import SessionState

    # `positional` None: the snapshot says nothing about "$@" (the agent's shell has none).
    return SessionState(
        aliases=snapshot.aliases,
        functions=tuple(functions),
        positional=None,
        problems=tuple(problems),
    )


def _reachable(
    snapshot: Snapshot, words: frozenset[str]
) -> tuple[list[tuple[str, str]], int, list[str]]:
    """The functions a line with `words` can call, directly, through an alias or through
    another function (every word of their text counts: a superset of what runs), decoded;
    their total size; and the names of those that do not decode."""
    aliases = dict(snapshot.aliases)
    texts = dict(snapshot.functions)
    pending = list(words | {NOT_FOUND_HANDLER})
    seen: set[str] = set()
    found: list[tuple[str, str]] = []
    undecoded: list[str] = []
    size = 0
    while pending:
        word = pending.pop()
        if word in seen:
            continue
        seen.add(word)
        if word in aliases:
            pending += words_of(aliases[word])
        text = texts.get(word)
        if text is None:
            continue
        if text.startswith(_ENCODED):
            decoded = _decode(text[len(_ENCODED) :])
            if decoded is None:
                undecoded.append(word)
                continue
            text = decoded
        found.append((word, text))
        size += len(text)
        pending += words_of(text)
    return found, size, undecoded


# -- where the agents keep them -------------------------------------------------------------------


def claude_config_dir(env: Mapping[str, str]) -> Path | None:
    configured = env.get("CLAUDE_CONFIG_DIR")
    if configured:
        return Path(configured)
    home = env.get("HOME")
    return Path(home) / ".claude" if home else None


def codex_home(env: Mapping[str, str]) -> Path | None:
    configured = env.get("CODEX_HOME")
    if configured:
        return Path(configured)
    home = env.get("HOME")
    return Path(home) / ".codex" if home else None


def snapshot_files(agent: str, session_id: str | None, env: Mapping[str, str]) -> list[Path]:
    """The snapshot files the agent's next command may source, newest first.

    Claude Code names them `snapshot-<shell>-<epoch ms>-<random>.sh` with no session id, and
    deletes its own when it exits: every one present may be the session's. Codex names them
    `<session id>.<nonce>.sh`."""
    if agent == "claude-code":
        base = claude_config_dir(env)
        pattern = "snapshot-*.sh"
        folder = "shell-snapshots"
    elif agent == "codex":
        base = codex_home(env)
        # A session id that is not a plain name cannot be Codex's: all snapshots then.
        safe = session_id if session_id and re.fullmatch(r"[\w-]+", session_id) else None
        pattern = f"{safe}.*.sh" if safe else "*.sh"
        folder = "shell_snapshots"
    else:
        return []
    if base is None:
        return []
    found = _newest((base / folder).glob(pattern))
    if not found and agent == "codex":
        # No snapshot carries this session's id (an id of another form, a newer Codex):
        # every one present may be the session's, as with Claude.
        found = _newest((base / folder).glob("*.sh"))
    return found


def claude_session_scripts(session_id: str | None, env: Mapping[str, str]) -> list[Path]:
    """The scripts Claude Code runs before every Bash command of the session, in its order:
    the file `CLAUDE_ENV_FILE` names, then the session's hook scripts
    (`session-env/<session id>/{setup,sessionstart,cwdchanged,filechanged}-hook-<n>.sh`)."""
    found: list[Path] = []
    named = env.get("CLAUDE_ENV_FILE")
    if named:
        found.append(Path(named))
    base = claude_config_dir(env)
    if base is None or not session_id or not re.fullmatch(r"[\w.-]+", session_id):
        return found
    order = {"setup": 0, "sessionstart": 1, "cwdchanged": 2, "filechanged": 3}
    pattern = later(r"^(setup|sessionstart|cwdchanged|filechanged)-hook-(\d+)\.sh$")
    scripts: list[tuple[int, int, Path]] = []
    for path in (base / "session-env" / session_id).glob("*-hook-*.sh"):
        match = pattern.match(path.name)
        if match:
            scripts.append((order[match.group(1)], int(match.group(2)), path))
    return found + [path for _, _, path in sorted(scripts)]


def _newest(paths: Iterator[Path]) -> list[Path]:
    dated: list[tuple[float, str, Path]] = []
    for path in paths:
        try:
            dated.append((path.stat().st_mtime, path.name, path))
        except OSError:
            continue  # gone since listed: the agent that owned it has exited
    dated.sort(reverse=True)
    return [path for _, _, path in dated[:MAX_SNAPSHOTS]]


def read_file(path: Path) -> Snapshot:
    """A snapshot file read and scanned. One the user cannot read defines nothing: the
    agent's shell (the same user) fails to source it too (`source … 2>/dev/null || true`).

    A long-lived process (the resident judge) scans a file once per version of it: the
    scan is kept under the open file's identity, size and modification time."""
    try:
        with path.open("rb") as handle:
            stat = os.fstat(handle.fileno())
            key = (str(path), stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
            known = _SCANNED.get(key)
            if known is not None:
                return known
            data = handle.read(MAX_SNAPSHOT_BYTES + 1)
    except OSError:
        return Snapshot(str(path))
    if len(data) > MAX_SNAPSHOT_BYTES:
        return Snapshot(str(path), broken=f"the snapshot is over {MAX_SNAPSHOT_BYTES} bytes")
    snapshot = read_snapshot(str(path), data.decode("utf-8", "surrogateescape"))
    if len(_SCANNED) >= _SCANNED_KEPT:
        _SCANNED.pop(next(iter(_SCANNED)))
    _SCANNED[key] = snapshot
    return snapshot


# Scans kept by file version (see `read_file`): a cache of a pure function of the file's
# bytes, bounded, oldest dropped first. Nothing else in this module keeps state.
_SCANNED: dict[tuple[str, int, int, int, int], Snapshot] = {}
_SCANNED_KEPT = 16


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


@frozen
class ShellContext:
    """What the hook knows of the shell an agent's command runs in.

    `sessions`: one `SessionState` per distinct candidate snapshot that matters to the
    command (empty: judge it as before). `scripts`: the text the agent runs before every
    command (Claude's session environment scripts), judged as a line of its own with
    `scripts_sessions` (empty text: none)."""

    sessions: tuple[SessionState, ...] = ()
    scripts: str = ""
    scripts_sessions: tuple[SessionState, ...] = ()


def shell_context(
    agent: str,
    session_id: str | None,
    command: str,
    env: Mapping[str, str],
    cwd: str | None = None,
    seconds: float = 0.0,
) -> ShellContext:
    """The shell state `command` may run in under `agent`, read from the agent's files.

    Code the shell runs while sourcing them (the session's scripts, a snapshot line that is
    no definition safesh knows, e.g. one appended to it by an earlier command) runs before
    every command: it becomes `scripts`, judged as a line of its own."""
    snapshots = [read_file(path) for path in snapshot_files(agent, session_id, env)]
    if not snapshots and seconds > 0:
        # The agent writes its snapshot only after this hook answers its first command:
        # take what it will hold (`seconds`: the time the hook may spend on it).
        from safesh.agents.shell_capture import capture

        taken = capture(agent, env, cwd, seconds)
        if taken is not None:
            label, text, why = taken
            read = read_snapshot(label, text) if text is not None else Snapshot(label, broken=why)
            # Printed by safesh's own script, not sourced by the agent: nothing in it runs.
            snapshots = [
                Snapshot(label, read.aliases, read.functions, read.unread, read.broken, False)
            ]
    session_scripts = session_scripts_text(agent, session_id, env)
    extra = read_snapshot("the session's environment scripts", session_scripts)
    if session_scripts:
        # Sourced after the snapshot: its definitions win; without a snapshot it stands alone.
        snapshots = [overlay(s, extra) for s in snapshots] or [overlay(Snapshot("-"), extra)]
    sessions = _sessions(snapshots, command)
    hidden = _hidden(extra, words_of(command))
    if hidden:
        # A line of the scripts safesh cannot read may define a word of the command.
        sessions = tuple(_with_problems(s, hidden) for s in sessions) or (
            _with_problems(None, hidden),
        )
    run_first: list[str] = []
    for snapshot in snapshots:
        if snapshot.sourced:
            run_first += [line for line in snapshot.unread if line not in run_first]
    scripts = "\n".join([*run_first, session_scripts] if session_scripts else run_first)
    # The scripts are judged with the definitions of the snapshots, not with their unread
    # lines (those are the scripts).
    defining = [Snapshot(s.path, s.aliases, s.functions, (), s.broken) for s in snapshots]
    return ShellContext(sessions, scripts, _sessions(defining, scripts) if scripts else ())


def _sessions(snapshots: list[Snapshot], command: str) -> tuple[SessionState, ...]:
    words = words_of(command)
    found: list[SessionState] = []
    for snapshot in snapshots:
        if mentions(snapshot, words):
            session = session_of(snapshot, words)
            if session not in found:
                found.append(session)
    return tuple(found)


def _hidden(extra: Snapshot, words: frozenset[str]) -> tuple[str, ...]:
    return tuple(
        f"the session's environment scripts run {line[:80]!r}"
        for line in extra.unread
        if not words_of(line).isdisjoint(words)
    )


def _with_problems(session: SessionState | None, problems: tuple[str, ...]) -> SessionState:
    """`session` (or a shell that defines nothing) with `problems` added: the line asks."""
    from safesh.unwrap.definitions import SessionState

    if session is None:
        return SessionState(positional=None, problems=problems)
    return SessionState(
        aliases=session.aliases,
        functions=session.functions,
        positional=None,
        problems=session.problems + problems,
    )


def session_scripts_text(agent: str, session_id: str | None, env: Mapping[str, str]) -> str:
    """The text Claude Code runs before each command of the session (empty for other
    agents, or when there is none)."""
    if agent != "claude-code":
        return ""
    texts: list[str] = []
    for path in claude_session_scripts(session_id, env):
        try:
            text = path.read_text("utf-8", "surrogateescape").strip()
        except OSError:
            continue
        if text:
            texts.append(text)
    return "\n".join(texts)
