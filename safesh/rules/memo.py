"""The rules a long-lived process already loaded, reused while their files are unchanged.

`safesh.check()` in an agent framework and the resident judge judge many lines per process;
re-reading, re-hashing and unpickling the rules for each one cost more than the judgement.
A RuleSet is reused only while every file that went into it (built-in rules, the user's rules,
the project's `.safesh.toml`, the trust record) has the same identity: device, inode, size and
the later of mtime and ctime in nanoseconds, or is still absent. (ctime, because mtime can be
set back: `cp -p`, `touch -d`, a tool restoring times after an edit that kept the size; no
one but the kernel sets ctime.) A file changed within the last few seconds is never trusted
by identity alone ("racy" like git's index: an edit within one clock tick keeps size and
times), so such a load is not memoised. The memo holds a handful of entries, one
per project roughly; anything unexpected is simply a normal load.

May import: safesh.rules.loader, safesh.rules.trust (only when there is a trust record and a
project file), safesh.locations, the standard library.
"""

from __future__ import annotations

import _thread  # threading's Lock without threading's import cost (start-up path)
import os
import time

from safesh.rules.loader import load_ruleset
from safesh.rules.reading import RACY_SECONDS as RACY_SECONDS  # a file this young is reloaded
from safesh.rules.reading import builtin_rules_path, project_file_path
from safesh.rules.schema import RuleSet

_ENTRIES = 8

_Identity = tuple[str, tuple[int, int, int, int] | None]
_Key = tuple[_Identity, ...]


class _Memo:
    """key (every input file's identity) -> RuleSet. Process-local by design: it is the cache
    whose lifetime is the process; a lock keeps threads (the judge's worker) consistent."""

    def __init__(self) -> None:
        self._entries: dict[_Key, RuleSet] = {}
        self._lock = _thread.allocate_lock()

    def get(self, key: _Key) -> RuleSet | None:
        with self._lock:
            return self._entries.get(key)

    def put(self, key: _Key, ruleset: RuleSet) -> None:
        with self._lock:
            self._entries.pop(key, None)
            self._entries[key] = ruleset
            while len(self._entries) > _ENTRIES:
                del self._entries[next(iter(self._entries))]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_MEMO = _Memo()


def clear() -> None:
    """Forget every memoised RuleSet (tests; a judge that changes identity)."""
    _MEMO.clear()


def load_ruleset_memoised(cwd: str) -> RuleSet:
    """`load_ruleset(cwd, trusted_files=…)` with the user's trust record and without the
    rules' examples (only judging uses this), memoised on the identity of every file it
    reads. Raises RulesError exactly as load_ruleset does."""
    key = _key(cwd)
    if key is not None:
        cached = _MEMO.get(key)
        if cached is not None:
            return cached
    ruleset = load_ruleset(
        cwd, builtin=_builtin_path(), trusted_files=_trusted_files(key), examples=False
    )
    # Only what was read from files that did not change while they were read is reusable.
    if key is not None and _key(cwd) == key:
        _MEMO.put(key, ruleset)
    return ruleset


def _trusted_files(key: _Key | None) -> frozenset[tuple[str, str]]:
    """The user's trusted project files, as `trust.trusted_files()` reads them. When `key`
    saw no project file or no trust record (the usual case), none: and no trust module to
    import on every command. (A record made since then is read by the next load: until then
    nothing more is trusted, the stricter reading.)"""
    if key is not None and (not key[2][0] or key[3][1] is None):
        return frozenset()
    from safesh.rules.trust import trusted_files

    return trusted_files()


def _key(cwd: str) -> _Key | None:
    """Every input file's identity, or None when one of them is too young to trust."""
    from safesh import locations

    paths = (
        _builtin_path(),
        locations.user_rules_path(),
        project_file_path(cwd) or "",
        locations.trust_path(),
    )
    now = time.time_ns()
    identities: list[_Identity] = []
    for path in paths:
        identity = _identity(path) if path else None
        if identity is not None and now - identity[3] < RACY_SECONDS * 1e9:
            return None
        identities.append((path, identity))
    return tuple(identities)


def _builtin_path() -> str:
    return _BUILTIN.path()


class _Builtin:
    """Where the built-in rules are: fixed for the life of the process (resolving the path
    costs more than a judgement, so it is worked out once)."""

    def __init__(self) -> None:
        self._path: str | None = None

    def path(self) -> str:
        if self._path is None:
            self._path = builtin_rules_path()
        return self._path


_BUILTIN = _Builtin()


def _identity(path: str) -> tuple[int, int, int, int] | None:
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError:
        # Unreadable in some other way: the load reports it; never memoise around it.
        return (-1, -1, -1, time.time_ns())
    return (found.st_dev, found.st_ino, found.st_size, max(found.st_mtime_ns, found.st_ctime_ns))
