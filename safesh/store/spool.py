"""The local spool: audit records that could not reach the store wait here, in order.

When the store is locked past the front ends' short wait, or a shared PostgreSQL store cannot be
reached, an allowed command still runs, and its record is appended to `audit-spool.jsonl` in
the state directory (0600, one JSON object a line, under an flock so concurrent safesh
processes never interleave). The next process that reaches the store sends the spooled records
first, oldest first, then its own: nothing is lost and the chain keeps the order they happened
in (each keeps its own time, and says it was spooled).

May import: the standard library (json and fcntl lazily) and `safesh.store.values`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

from safesh.record import asdict
from safesh.store.values import AuditEvent, iso, parse_time

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from contextlib import AbstractContextManager
    from pathlib import Path

SPOOL_NAME = "audit-spool.jsonl"


class Spool:
    """The spool file `path` (see the module docstring)."""

    def __init__(self, path: str | Path) -> None:
        self.path = path

    def add(self, event: AuditEvent, why: str) -> None:
        """Append `event` (its time fixed now, if it had none). Raises OSError when even the
        spool cannot be written; the caller says so on stderr."""
        import json

        from safesh.store.values import UTC, datetime

        fields = asdict(event)
        fields["rules"] = list(event.rules)
        fields["time"] = iso(event.time or datetime.now(UTC))
        fields["note"] = "; ".join(filter(None, [event.note, f"spooled: {why}"]))
        line = json.dumps(fields, ensure_ascii=True) + "\n"  # ASCII: any code point survives
        os.makedirs(os.path.dirname(os.fspath(self.path)) or ".", mode=0o700, exist_ok=True)
        with self._locked(os.O_WRONLY | os.O_APPEND | os.O_CREAT) as fd:
            os.write(fd, line.encode("ascii"))

    def pending(self) -> bool:
        """Cheap check (one stat) for the hot path: is there anything to send?"""
        try:
            return os.stat(self.path).st_size > 0
        except OSError:
            return False

    def drain(self, send: Callable[[list[AuditEvent]], object]) -> int:
        """Send every spooled record through `send` (one call, oldest first: the store writes
        them in one transaction) and empty the spool; on failure keep them all, so order is
        kept. Returns how many were sent. Raises what `send` raises."""
        if not self.pending():
            return 0
        with self._locked(os.O_RDWR) as fd:
            lines = _read_all(fd).splitlines(keepends=True)
            events = [event for event in map(_event, lines) if event is not None]
            if events:
                send(events)
            _rewrite(fd, b"")
        return len(events)

    def _locked(self, flags: int) -> AbstractContextManager[int]:
        # contextlib only here: it costs ~1 ms to import, and the spool is rarely written.
        from contextlib import contextmanager

        return contextmanager(self._hold_locked)(flags)

    def _hold_locked(self, flags: int) -> Iterator[int]:
        import fcntl

        fd = os.open(self.path, flags | getattr(os, "O_NOFOLLOW", 0), 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield fd
        finally:
            os.close(fd)  # closing releases the lock


def _read_all(fd: int) -> bytes:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


def _rewrite(fd: int, data: bytes) -> None:
    os.lseek(fd, 0, os.SEEK_SET)
    os.ftruncate(fd, 0)
    if data:
        os.write(fd, data)


def _event(line: bytes) -> AuditEvent | None:
    """One spooled record; a torn or foreign line is skipped (None) rather than blocking every
    record after it (it cannot be sent in any form anyway)."""
    import json

    try:
        fields = json.loads(line)
        if isinstance(fields, dict):
            fields["rules"] = tuple(fields.get("rules") or ())
            fields["time"] = parse_time(fields["time"])
            return AuditEvent(**fields)
    except (ValueError, TypeError, KeyError):
        pass
    return None
