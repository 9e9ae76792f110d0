"""The record stage and the human-approval store: the audit log and the approvals queue that
every safesh process shares.

The package, one module per concern (none imports a front end; arrows point down):

* `values`     - the values callers hand in and get back, errors, time helpers;
* `settings`   - the `[settings]` keys of the store (where it is, retention, approval ttl);
* `connection` - the back-end: SQLite (WAL, BEGIN IMMEDIATE, schema and migrations) behind the
  small `Database` protocol that a second back-end implements;
* `postgres`   - that second back-end: a shared PostgreSQL store (psycopg 3, optional extra);
* `anchor`     - the chain's anchor outside the database (per-user key, head file);
* `audit`      - the audit log: a hash chain and its queries;
* `integrity`  - verify the chain end to end, seal, prune with a signed checkpoint;
* `approvals`  - requests, human decisions (who, from where), grants and using them up;
* `spool`      - records that could not reach the store, sent later in order;
* `notify`     - telling a human a request waits (command or webhook, detached);
* `recorder`   - glue for front ends: a `Report` and what was done with it -> the store;
* this module  - `Store`, one object over one connection holding `.audit` and `.approvals`
  (its methods delegate to them, the API the front ends and the web page use), `open_store`
  for front ends (short waits, the user's settings), and the never-failing `record_quietly` /
  `finish_quietly` for the allow path.

Import cost matters (this package is imported before every agent command), so sqlite3, json,
the digests and friends are imported inside the functions that need them, and so are
`integrity` (verify, seal, prune) and `notify` (its two functions are this package's names
all the same: `__getattr__` below).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence

from safesh.store.anchor import load_anchor
from safesh.store.audit import AuditLog, chain_hash
from safesh.store.connection import DEFAULT_BUSY_TIMEOUT_S, SCHEMA_VERSION, SqliteDatabase
from safesh.store.settings import StoreSettings, store_settings, user_settings
from safesh.store.spool import SPOOL_NAME, Spool
from safesh.store.values import (
    DEFAULT_TTL_S,
    GENESIS_HASH,
    ONCE_GRANT_TTL_S,
    ApprovalError,
    ApprovalRequest,
    Approver,
    AuditEvent,
    AuditRecord,
    Binding,
    BootClock,
    Clock,
    Grant,
    LogQuery,
    NotifyConfig,
    StoreBusy,
    StoreError,
    VerifyResult,
    boot_clock,
    current_user,
    iso,
    parse_duration,
    parse_time,
    timedelta,  # datetime's C class (see values)
    utc_now,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path
    from typing import IO

    from safesh.store.approvals import Approvals
    from safesh.store.connection import Database, Transaction
    from safesh.store.notify import notify_request as notify_request
    from safesh.store.notify import notify_with as notify_with

# How long a front end (an agent's hook, `safesh -c`, the interactive shell) waits for a store
# another process holds: past it the answer is the fail-closed one (no grant; the record goes
# to the spool), well inside every agent's hook time-out.
FRONT_END_WAIT_S = 1.0


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
        url: str | None = None,
        boot: BootClock = boot_clock,
    ) -> None:
        if path is None:
            from safesh.locations import store_path

            path = store_path()
        # A string: opening the store is on every command's path, which never imports
        # pathlib (`path` gives the Path).
        self._file = os.fspath(path)
        self._now = now
        self._user = user
        state, name = os.path.split(self._file)
        state = state or "."
        # The key and the anchor file live in the local state directory, outside the
        # database, whichever back-end holds the chain.
        anchor_name = name + ".anchor" if url is None else "postgresql.anchor"
        self.anchor = load_anchor(state, os.path.join(state, anchor_name))
        self.spool = Spool(os.path.join(state, SPOOL_NAME))
        self._db: Database
        if url is None:
            self._db = SqliteDatabase(self._file, busy_timeout_s, self._seal)
        else:
            from safesh.store.postgres import PostgresDatabase

            self._db = PostgresDatabase(url, busy_timeout_s, self._seal)
        self.audit = AuditLog(self._db, now, lambda: self.user, self.anchor)
        self._boot = boot
        self._approvals: Approvals | None = None

    @property
    def approvals(self) -> Approvals:
        """The approvals half, made on first use: most commands are allowed and only
        recorded, so their process never loads the approvals module."""
        if self._approvals is None:
            from safesh.store.approvals import Approvals

            self._approvals = Approvals(
                self._db, self._now, lambda: self.user, self.anchor, self._boot
            )
        return self._approvals

    @property
    def file(self) -> str:
        """The SQLite file (for PostgreSQL: its name places the local state directory)."""
        return self._file

    @property
    def path(self) -> Path:
        """`file` as a Path."""
        from pathlib import Path

        return Path(self._file)

    def _seal(self, conn: Transaction) -> None:
        from safesh.store.integrity import seal

        seal(conn, self.anchor)

    @property
    def location(self) -> str:
        """Where the records are: the SQLite file, or the PostgreSQL URL (no password)."""
        return self._db.location

    # -- lifecycle ------------------------------------------------------------------------------

    def close(self) -> None:
        self._db.close()

    def leave(self) -> None:
        """`close()` for a process about to end: a SQLite connection is left to the process's
        end instead of being closed (`SqliteDatabase.leave`: no checkpoint on every command)."""
        if isinstance(self._db, SqliteDatabase):
            self._db.leave()
        else:
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
        """Walk the chain and name the first record that is wrong (`integrity.verify`)."""
        from safesh.store.integrity import verify

        return verify(self._db, self.anchor)

    def prune(self, *, before: datetime | None = None, keep: int | None = None) -> int:
        """Delete the records older than `before` and/or all but the newest `keep`, leaving a
        signed checkpoint so the rest still verifies (`integrity.prune`). Returns how many
        records went."""
        from safesh.store.integrity import prune

        return prune(self._db, self.anchor, self.now(), before=before, keep=keep)

    def maintain(self, settings: StoreSettings) -> int:
        """Prune as the retention settings say (nothing when none is set)."""
        if not settings.prunes:
            return 0
        before = None
        if settings.retention_s is not None:
            before = self.now() - timedelta(seconds=settings.retention_s)
        return self.prune(before=before, keep=settings.max_records)

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
        binding: Binding | None = None,
        required_approvers: int = 1,
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
            binding=binding,
            required_approvers=required_approvers,
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
        host: str | None = None,
        route: str = "cli",
    ) -> ApprovalRequest:
        return self.approvals.approve(
            approval_id, once=once, for_s=for_s, by=by, host=host, route=route
        )

    def deny(
        self,
        approval_id: str,
        reason: str,
        by: str | None = None,
        *,
        host: str | None = None,
        route: str = "cli",
    ) -> ApprovalRequest:
        return self.approvals.deny(approval_id, reason, by=by, host=host, route=route)

    def consume_grant(
        self,
        command: str,
        cwd: str,
        rules_fingerprint: str,
        binding: Binding | None = None,
    ) -> Grant | None:
        return self.approvals.consume_grant(command, cwd, rules_fingerprint, binding)


# ---------------------------------------------------------------------------------------------
# Helpers for callers that must never fail because of the log


def open_store(
    settings: StoreSettings | Iterable[tuple[str, str]] | None = None,
    *,
    path: Path | str | None = None,
    busy_timeout_s: float = FRONT_END_WAIT_S,
) -> Store:
    """The store the user's settings name (`store = "postgresql://..."`, else the local SQLite
    file), with a front end's short wait. `settings`: `StoreSettings`, `Report.settings`
    pairs, or None for the user's own rules file."""
    config = _settings(settings)
    return Store(path, busy_timeout_s=busy_timeout_s, url=config.url)


def _settings(settings: StoreSettings | Iterable[tuple[str, str]] | None) -> StoreSettings:
    if isinstance(settings, StoreSettings):
        return settings
    if settings is None:
        return user_settings()
    return store_settings(settings)


# Prune (when retention is configured) once every this many records, not on every command.
MAINTAIN_EVERY = 1000


def record_or_spool(store: Store, event: AuditEvent, settings: StoreSettings | None = None) -> int:
    """Send what waits in the spool (oldest first), then record `event`. Raises what the store
    raises; the caller spools `event` then (`spool_event`)."""
    store.spool.drain(store.audit.record_many)
    record_id = store.record(event)
    if settings is not None and settings.prunes and record_id % MAINTAIN_EVERY == 0:
        try:  # noqa: SIM105 - contextlib is not loaded on the start-up path
            store.maintain(settings)
        except StoreError:
            pass  # a prune that cannot run now runs at the next round
    return record_id


def spool_event(path: Path | str | None, event: AuditEvent, why: BaseException) -> bool:
    """Put `event` in the spool of the state directory of `path` (default: the user's).
    Whether it worked."""
    try:
        if path is None:
            from safesh.locations import store_path

            path = store_path()
        text = " ".join(str(why).split())[:200] or type(why).__name__
        Spool(os.path.join(os.path.dirname(os.fspath(path)), SPOOL_NAME)).add(event, text)
        return True
    except Exception:
        return False


def _report(path: Path | str | None, exc: BaseException, spooled: bool = False) -> None:
    if path is None:
        try:
            from safesh.locations import store_path

            path = store_path()
        except Exception:
            path = "(unknown location)"
    text = " ".join(str(exc).split()) or type(exc).__name__
    tail = "; the record waits in the spool and is sent later" if spooled else ""
    try:
        sys.stderr.write(f"safesh: could not write the audit log at {path}: {text}{tail}\n")
        sys.stderr.flush()
    except Exception:
        pass  # not even stderr: the command still runs


def record_quietly(
    event: AuditEvent,
    *,
    store: Store | None = None,
    path: Path | str | None = None,
    settings: StoreSettings | Iterable[tuple[str, str]] | None = (),
    process_ends: bool = False,
) -> int | None:
    """`Store.record` that cannot fail: a store that cannot be written within a front end's
    short wait gets the record spooled, and one line on stderr says so; returns None then.
    `process_ends`: the caller ends right after (a hook answering), so a store opened here
    is left to the process's end, not closed (`Store.leave`).

    For the allow path: writing the log must never stop (or stall) an allowed command."""
    try:
        config = _settings(settings)
        if store is not None:
            return record_or_spool(store, event, config)
        opened = open_store(config, path=path)
        try:
            return record_or_spool(opened, event, config)
        finally:
            if process_ends:
                opened.leave()
            else:
                opened.close()
    except Exception as exc:  # Ctrl-C still stops the command: it is not swallowed
        where = store.file if store is not None else path
        _report(where, exc, spool_event(where, event, exc))
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
        with Store(path, busy_timeout_s=FRONT_END_WAIT_S) as opened:
            opened.finish(record_id, exit_status, duration_s)
    except BaseException as exc:
        _report(store.file if store is not None else path, exc)


def __getattr__(name: str) -> object:
    """`notify_request` and `notify_with`, from `safesh.store.notify` when first asked for:
    only a request for approval notifies, and most commands are only recorded."""
    if name in ("notify_request", "notify_with"):
        from safesh.store import notify

        return getattr(notify, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_BUSY_TIMEOUT_S",
    "DEFAULT_TTL_S",
    "FRONT_END_WAIT_S",
    "GENESIS_HASH",
    "ONCE_GRANT_TTL_S",
    "SCHEMA_VERSION",
    "ApprovalError",
    "ApprovalRequest",
    "Approver",
    "AuditEvent",
    "AuditRecord",
    "Binding",
    "Grant",
    "LogQuery",
    "NotifyConfig",
    "Store",
    "StoreBusy",
    "StoreError",
    "StoreSettings",
    "VerifyResult",
    "chain_hash",
    "finish_quietly",
    "iso",
    "notify_request",
    "notify_with",
    "open_store",
    "parse_duration",
    "parse_time",
    "record_or_spool",
    "record_quietly",
    "spool_event",
    "store_settings",
    "user_settings",
]
