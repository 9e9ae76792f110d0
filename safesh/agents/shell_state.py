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

The files are read by `safesh.agents.snapshot_reader` (the formats, with sources, are in its
docstring and in docs/threat-model.md).

Imports the standard library, `snapshot_reader`, and `safesh.unwrap.definitions` (for
`SessionState`, when a line needs one); the hook imports it only when a shell command of an
agent with snapshots is judged.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from safesh.agents.snapshot_reader import (
    ENCODED,
    NOT_FOUND_HANDLER,
    Snapshot,
    decode,
    overlay,
    read_snapshot,
    words_of,
)
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
        if text.startswith(ENCODED):
            decoded = decode(text[len(ENCODED) :])
            if decoded is None:
                undecoded.append(word)
                continue
            text = decoded
        found.append((word, text))
        size += len(text)
        pending += words_of(text)
    return found, size, undecoded


# -- where the agents keep them -------------------------------------------------------------------


def _agent_dir(env: Mapping[str, str], variable: str, default: str) -> str | None:
    """The agent's own directory: where `variable` moves it, else `default` in the home."""
    configured = env.get(variable)
    if configured:
        return configured
    home = env.get("HOME")
    return os.path.join(home, default) if home else None


def claude_config_dir(env: Mapping[str, str]) -> str | None:
    return _agent_dir(env, "CLAUDE_CONFIG_DIR", ".claude")


def codex_home(env: Mapping[str, str]) -> str | None:
    return _agent_dir(env, "CODEX_HOME", ".codex")


def snapshot_files(agent: str, session_id: str | None, env: Mapping[str, str]) -> list[str]:
    """The snapshot files the agent's next command may source, newest first.

    Claude Code names them `snapshot-<shell>-<epoch ms>-<random>.sh` with no session id, and
    deletes its own when it exits: every one present may be the session's. Codex names them
    `<session id>.<nonce>.sh`."""
    if agent == "claude-code":
        base = claude_config_dir(env)
        prefix = "snapshot-"
        folder = "shell-snapshots"
    elif agent == "codex":
        base = codex_home(env)
        # A session id that is not a plain name cannot be Codex's: all snapshots then.
        safe = session_id if session_id and re.fullmatch(r"[\w-]+", session_id) else None
        prefix = f"{safe}." if safe else ""
        folder = "shell_snapshots"
    else:
        return []
    if base is None:
        return []
    names = _listed(os.path.join(base, folder))
    found = _newest(os.path.join(base, folder), [n for n in names if n.startswith(prefix)])
    if not found and agent == "codex":
        # No snapshot carries this session's id (an id of another form, a newer Codex):
        # every one present may be the session's, as with Claude.
        found = _newest(os.path.join(base, folder), names)
    return found


def _listed(folder: str) -> list[str]:
    """The `*.sh` files in `folder` (none when it is missing or unreadable)."""
    try:
        return [name for name in os.listdir(folder) if name.endswith(".sh")]
    except OSError:
        return []


def claude_session_scripts(session_id: str | None, env: Mapping[str, str]) -> list[str]:
    """The scripts Claude Code runs before every Bash command of the session, in its order:
    the file `CLAUDE_ENV_FILE` names, then the session's hook scripts
    (`session-env/<session id>/{setup,sessionstart,cwdchanged,filechanged}-hook-<n>.sh`)."""
    found: list[str] = []
    named = env.get("CLAUDE_ENV_FILE")
    if named:
        found.append(named)
    base = claude_config_dir(env)
    if base is None or not session_id or not re.fullmatch(r"[\w.-]+", session_id):
        return found
    order = {"setup": 0, "sessionstart": 1, "cwdchanged": 2, "filechanged": 3}
    pattern = later(r"^(setup|sessionstart|cwdchanged|filechanged)-hook-(\d+)\.sh$")
    folder = os.path.join(base, "session-env", session_id)
    scripts: list[tuple[int, int, str]] = []
    for name in _listed(folder):
        match = pattern.match(name)
        if match:
            scripts.append((order[match.group(1)], int(match.group(2)), os.path.join(folder, name)))
    return found + [path for _, _, path in sorted(scripts)]


def _newest(folder: str, names: list[str]) -> list[str]:
    dated: list[tuple[float, str]] = []
    for name in names:
        path = os.path.join(folder, name)
        try:
            dated.append((os.stat(path).st_mtime, path))
        except OSError:
            continue  # gone since listed: the agent that owned it has exited
    dated.sort(reverse=True)
    return [path for _, path in dated[:MAX_SNAPSHOTS]]


def read_file(path: str) -> Snapshot:
    """A snapshot file read and scanned. One the user cannot read defines nothing: the
    agent's shell (the same user) fails to source it too (`source … 2>/dev/null || true`).

    A long-lived process (the resident judge) scans a file once per version of it: the
    scan is kept under the open file's identity, size and modification time."""
    try:
        with open(path, "rb") as handle:
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
    if not snapshots and seconds > 0 and _has_rc_file(env):
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


def _has_rc_file(env: Mapping[str, str]) -> bool:
    """Whether the user has an rc file the agents' snapshots are taken from (checked before
    `shell_capture`, and its subprocess machinery, is imported)."""
    home = env.get("HOME")
    if not home:
        return False
    zdot = env.get("ZDOTDIR") or home
    return os.path.isfile(os.path.join(home, ".bashrc")) or os.path.isfile(
        os.path.join(zdot, ".zshrc")
    )


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
            with open(path, encoding="utf-8", errors="surrogateescape") as handle:
                text = handle.read().strip()
        except OSError:
            continue
        if text:
            texts.append(text)
    return "\n".join(texts)
