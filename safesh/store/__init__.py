"""The record stage and the human-approval store: the audit log and the approvals queue that
every safesh process shares.

The package, one module per concern (none imports a front end; arrows point down):

* `values`     - the values callers hand in and get back, errors, time helpers;
* `connection` - the back-end: SQLite (WAL, BEGIN IMMEDIATE, schema and migrations) behind the
  small `Database` protocol that a second back-end implements;
* `audit`      - the audit log: a hash chain, its queries and `verify`;
* `approvals`  - requests, human decisions, grants and using them up;
* `notify`     - telling a human a request waits (command or webhook, detached);
* `recorder`   - glue for front ends: a `Report` and what was done with it -> the store;
* this module  - `Store`, one object over one connection holding `.audit` and `.approvals`
  (its methods delegate to them, the API the front ends use), and the never-failing
  `record_quietly` / `finish_quietly` for the allow path.

Import cost matters (this package is imported before every agent command), so sqlite3, json,
hashlib and friends are imported inside the functions that need them.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path

from safesh.store.approvals import Approvals
from safesh.store.audit import AuditLog, chain_hash
from safesh.store.connection import DEFAULT_BUSY_TIMEOUT_S, SCHEMA_VERSION, SqliteDatabase
from safesh.store.notify import notify_request, notify_with
from safesh.store.values import (
    DEFAULT_TTL_S,
    GENESIS_HASH,
    ONCE_GRANT_TTL_S,
    ApprovalError,
    ApprovalRequest,
    AuditEvent,
    AuditRecord,
    Clock,
    Grant,
    LogQuery,
    NotifyConfig,
    StoreError,
    VerifyResult,
    current_user,
    iso,
    parse_duration,
    parse_time,
    utc_now,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from datetime import datetime
    from typing import IO


class Store:
    """The store at `path` (default `safesh.locations.store_file()`).

    Opening creates the file and its directories when missing and fails with `StoreError`
    when the file exists but is not a usable safesh store. Use as a context manager or call
    `close()`. `now` is the clock (tests inject one); `user` is who this process acts as.

    `store.audit` (`AuditLog`) and `store.approvals` (`Approvals`) are the two halves; the
    methods below are the same calls, kept on `Store` for the front ends."""

    def __init__(
        self,
        path: Path | str | None = None,
        *,
        now: Clock = utc_now,
        user: str | None = None,
        busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S,
    ) -> None:
        if path is None:
            from safesh.locations import store_file

            path = store_file()
        self.path = Path(path)
        self._now = now
        self._user = user
        self._db = SqliteDatabase(self.path, busy_timeout_s)
        self.audit = AuditLog(self._db, now, lambda: self.user)
        self.approvals = Approvals(self._db, now, lambda: self.user)

    # -- lifecycle ------------------------------------------------------------------------------

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def user(self) -> str:
        return self._user if self._user is not None else current_user()

    def now(self) -> datetime:
        return self._now()

    # -- audit log (see AuditLog) ---------------------------------------------------------------

    def record(self, event: AuditEvent) -> int:
        return self.audit.record(event)

    def finish(self, record_id: int, exit_status: int, duration_s: float) -> int:
        return self.audit.finish(record_id, exit_status, duration_s)

    def records(self, query: LogQuery | None = None) -> list[AuditRecord]:
        return self.audit.records(query)

    def recent(
        self,
        *,
        agent: str | None = None,
        session: str | None = None,
        cwd: str | None = None,
        limit: int = 5,
    ) -> list[AuditRecord]:
        return self.audit.recent(agent=agent, session=session, cwd=cwd, limit=limit)

    def last_id(self) -> int:
        return self.audit.last_id()

    def verify(self) -> VerifyResult:
        return self.audit.verify()

    def export_jsonl(self, out: IO[str]) -> int:
        return self.audit.export_jsonl(out)

    # -- approvals (see Approvals) --------------------------------------------------------------

    def request_approval(
        self,
        command: str,
        cwd: str,
        rules_fingerprint: str,
        rule_ids: Sequence[str],
        reason: str,
        agent: str | None = None,
        session: str | None = None,
        ttl_s: float = DEFAULT_TTL_S,
        *,
        tier: str = "ask",
        preview: str | None = None,
    ) -> ApprovalRequest:
        return self.approvals.request_approval(
            command,
            cwd,
            rules_fingerprint,
            rule_ids,
            reason,
            agent=agent,
            session=session,
            ttl_s=ttl_s,
            tier=tier,
            preview=preview,
        )

    def get_request(self, approval_id: str) -> ApprovalRequest | None:
        return self.approvals.get_request(approval_id)

    def latest_request(
        self, command: str, cwd: str, rules_fingerprint: str
    ) -> ApprovalRequest | None:
        return self.approvals.latest_request(command, cwd, rules_fingerprint)

    def pending(self) -> list[ApprovalRequest]:
        return self.approvals.pending()

    def approve(
        self,
        approval_id: str,
        *,
        once: bool | None = None,
        for_s: float | None = None,
        by: str | None = None,
    ) -> ApprovalRequest:
        return self.approvals.approve(approval_id, once=once, for_s=for_s, by=by)

    def deny(self, approval_id: str, reason: str, by: str | None = None) -> ApprovalRequest:
        return self.approvals.deny(approval_id, reason, by=by)

    def consume_grant(self, command: str, cwd: str, rules_fingerprint: str) -> Grant | None:
        return self.approvals.consume_grant(command, cwd, rules_fingerprint)


# ---------------------------------------------------------------------------------------------
# Helpers for callers that must never fail because of the log


def _report(path: Path | str | None, exc: BaseException) -> None:
    if path is None:
        try:
            from safesh.locations import store_file

            path = store_file()
        except Exception:
            path = "(unknown location)"
    text = " ".join(str(exc).split()) or type(exc).__name__
    with suppress(Exception):  # not even stderr: the command still runs
        sys.stderr.write(f"safesh: could not write the audit log at {path}: {text}\n")
        sys.stderr.flush()


def record_quietly(
    event: AuditEvent, *, store: Store | None = None, path: Path | str | None = None
) -> int | None:
    """`Store.record` that cannot fail: any exception becomes one line on stderr and None.

    For the allow path: writing the log must never stop an allowed command."""
    try:
        if store is not None:
            return store.record(event)
        with Store(path) as opened:
            return opened.record(event)
    except Exception as exc:  # Ctrl-C still stops the command: it is not swallowed
        _report(store.path if store is not None else path, exc)
        return None


def finish_quietly(
    record_id: int | None,
    exit_status: int,
    duration_s: float,
    *,
    store: Store | None = None,
    path: Path | str | None = None,
) -> None:
    """`Store.finish` that cannot fail (and accepts the None `record_quietly` may return)."""
    if record_id is None:
        return
    try:
        if store is not None:
            store.finish(record_id, exit_status, duration_s)
            return
        with Store(path) as opened:
            opened.finish(record_id, exit_status, duration_s)
    except BaseException as exc:
        _report(store.path if store is not None else path, exc)


__all__ = [
    "DEFAULT_BUSY_TIMEOUT_S",
    "DEFAULT_TTL_S",
    "GENESIS_HASH",
    "ONCE_GRANT_TTL_S",
    "SCHEMA_VERSION",
    "ApprovalError",
    "ApprovalRequest",
    "AuditEvent",
    "AuditRecord",
    "Grant",
    "LogQuery",
    "NotifyConfig",
    "Store",
    "StoreError",
    "VerifyResult",
    "chain_hash",
    "finish_quietly",
    "iso",
    "notify_request",
    "notify_with",
    "parse_duration",
    "parse_time",
    "record_quietly",
]
