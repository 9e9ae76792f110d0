"""The record of project rules files the user trusted: where each is and the SHA-256 of its
bytes.

A trusted `.safesh.toml` may loosen the rules like the user's own file. Trust names the exact
content at the exact place: editing the file (which the agent may do) withdraws it, and a copy
(or a link) of a trusted file in another directory is not trusted there, since it would loosen
the rules for a tree the user never looked at. The record is JSON in
`safesh.locations.trust_file()`, rewritten atomically under a lock so that two `safesh trust`
runs never lose each other's entries.

Every command reads the record (usually absent), so json, hashlib, fcntl and contextlib are
imported only where a record is read, written or hashed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

from safesh.record import frozen

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from contextlib import AbstractContextManager
    from pathlib import Path


@frozen
class TrustEntry:
    sha256: str
    path: str
    trusted_at: float


def _default_file() -> Path:
    from safesh import locations

    return locations.trust_file()


def read_entries(trust_file: Path | None = None) -> tuple[TrustEntry, ...]:
    """Every entry; a missing or damaged record trusts nothing (fail closed)."""
    if trust_file is None:
        from safesh import locations

        where: str | Path = locations.trust_path()  # a string: no pathlib on every command
    else:
        where = trust_file
    try:
        with open(where, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, ValueError):  # absent, unreadable, not UTF-8
        return ()
    import json

    try:
        data = json.loads(text)
        return tuple(
            TrustEntry(str(item["sha256"]), str(item["path"]), float(item["trusted_at"]))
            for item in data.get("trusted", [])
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return ()


def trusted_files(trust_file: Path | None = None) -> frozenset[tuple[str, str]]:
    """The (location, sha256) pairs that `load_ruleset(trusted_files=…)` takes."""
    return frozenset((entry.path, entry.sha256) for entry in read_entries(trust_file))


def trust(rules_file: Path, trust_file: Path | None = None) -> TrustEntry:
    import hashlib

    from safesh.rules.reading import project_location

    digest = hashlib.sha256(rules_file.read_bytes()).hexdigest()
    entry = TrustEntry(digest, project_location(rules_file), time.time())
    with _locked(trust_file or _default_file()) as path:
        kept = [e for e in read_entries(path) if (e.path, e.sha256) != (entry.path, digest)]
        _write(path, [*kept, entry])
    return entry


def revoke(rules_file: Path, trust_file: Path | None = None) -> tuple[TrustEntry, ...]:
    """Withdraw trust from the file: its current content and any earlier entry for its path."""
    import hashlib

    from safesh.rules.reading import project_location

    places = {project_location(rules_file), str(rules_file.resolve())}
    try:
        digest: str | None = hashlib.sha256(rules_file.read_bytes()).hexdigest()
    except OSError:
        digest = None
    with _locked(trust_file or _default_file()) as path:
        entries = read_entries(path)
        removed = tuple(e for e in entries if e.path in places or e.sha256 == digest)
        _write(path, [e for e in entries if e not in removed])
    return removed


def _locked(path: Path) -> AbstractContextManager[Path]:
    import contextlib

    return contextlib.contextmanager(_hold_locked)(path)


def _hold_locked(path: Path) -> Iterator[Path]:
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield path
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _write(path: Path, entries: list[TrustEntry]) -> None:
    document = {
        "trusted": [
            {"sha256": e.sha256, "path": e.path, "trusted_at": e.trusted_at} for e in entries
        ]
    }
    import json
    import tempfile  # only when trusting or revoking; it costs ~2 ms at every start otherwise

    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".trusted-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:  # noqa: SIM105 - contextlib is not loaded on the start-up path
            os.unlink(temporary)
        except OSError:
            pass
        raise
