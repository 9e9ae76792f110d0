"""The record stage and the human-approval store: one SQLite file shared by every safesh process.

Several agents and a human run safesh at the same time, so every write happens inside one
`BEGIN IMMEDIATE` transaction (writers queue on SQLite's lock instead of racing), the database
is in WAL mode (readers never block writers) and a busy timeout makes a waiting writer retry
instead of failing with "database is locked".

The audit log is a hash chain. Every row, of whatever kind, is immutable once written:

* ``command``  - one analysed command line (what was decided and what happened to it);
* ``finish``   - the completion of an executed command: exit status and duration, pointing at
  its ``command`` row through ``ref``;
* ``approval`` - a human approved or denied a request.

Why a separate ``finish`` row rather than updating the command row: a command is recorded
*before* it runs (so a crash or an exec still leaves a trace) and its exit status is known only
later. Updating the row would either break its hash or force the hash to skip the exit status,
which would let anyone rewrite an exit status unnoticed. Appending a linked completion row keeps
every field of every row under the chain, and readers join the two (`Store.records`).

A ``chain_head`` row, updated in the same transaction as each append, remembers the last id and
hash, so deleting the newest records is detected too (a bare chain cannot see its own tail cut).

A database that cannot be read is never deleted, replaced or "repaired": it may hold pending
approval requests, so safesh fails closed (`StoreError`) and leaves the file for a human.

Import cost matters (this module is imported before every agent command), so sqlite3, json,
hashlib and friends are imported inside the functions that need them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    import sqlite3
    import subprocess
    from typing import IO, Any, Literal

SCHEMA_VERSION = 1
GENESIS_HASH = "0" * 64
DEFAULT_TTL_S = 86400.0
# An approved-once grant that is never used should not stay valid forever.
ONCE_GRANT_TTL_S = 86400.0
# Writers hold the lock for a few milliseconds; waiting this long means something is stuck.
DEFAULT_BUSY_TIMEOUT_S = 15.0

Clock = Callable[[], datetime]

_SCHEMA = """
CREATE TABLE audit (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    ref         INTEGER,
    time        TEXT NOT NULL,
    cwd         TEXT,
    user        TEXT,
    command     TEXT,
    decision    TEXT,
    rules       TEXT,
    mode        TEXT,
    agent       TEXT,
    session     TEXT,
    approval_id TEXT,
    outcome     TEXT,
    exit_status INTEGER,
    duration_s  REAL,
    note        TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_ref ON audit(ref) WHERE ref IS NOT NULL;
CREATE INDEX audit_time ON audit(time);
CREATE TABLE chain_head (
    one  INTEGER PRIMARY KEY CHECK (one = 1),
    id   INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO chain_head (one, id, hash) VALUES (1, 0, '{genesis}');
CREATE TABLE approvals (
    id          TEXT PRIMARY KEY,
    command     TEXT NOT NULL,
    cwd         TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    rule_ids    TEXT NOT NULL,
    reason      TEXT NOT NULL,
    tier        TEXT NOT NULL,
    agent       TEXT,
    session     TEXT,
    created     TEXT NOT NULL,
    expires     TEXT NOT NULL,
    status      TEXT NOT NULL,
    decided_at  TEXT,
    decided_by  TEXT,
    grant_kind  TEXT,
    grant_until TEXT,
    deny_reason TEXT,
    used_at     TEXT
);
CREATE INDEX approvals_key ON approvals(command, cwd, fingerprint, status);
"""

# The columns of an audit row that the hash covers, in table order (everything but `hash`).
_HASHED = (
    "id",
    "kind",
    "ref",
    "time",
    "cwd",
    "user",
    "command",
    "decision",
    "rules",
    "mode",
    "agent",
    "session",
    "approval_id",
    "outcome",
    "exit_status",
    "duration_s",
    "note",
    "prev_hash",
)
_AUDIT_COLUMNS = (*_HASHED, "hash")


class StoreError(Exception):
    """The store cannot be used (unreadable, corrupt, newer schema, unwritable location).

    Callers fail closed on it: a command that needs a human is refused, never let through."""


if TYPE_CHECKING:
    ApprovalProblem = Literal["unknown", "expired", "decided", "blocked"]


class ApprovalError(Exception):
    """An approve/deny that cannot be done. `problem` says why, the message says it to a human."""

    def __init__(self, message: str, problem: ApprovalProblem) -> None:
        super().__init__(message)
        self.problem: ApprovalProblem = problem


# ---------------------------------------------------------------------------------------------
# Values


@dataclass(frozen=True)
class AuditEvent:
    """What a caller knows about one command line when it records it."""

    command: str
    cwd: str
    decision: str  # allow | notify | ask | block
    rules: tuple[str, ...] = ()
    mode: str = "exec"  # exec | dry-run | check | interactive | hook:claude-code | ...
    outcome: str | None = None  # ran | refused | approved | declined | would-run | ...
    agent: str | None = None
    session: str | None = None
    approval_id: str | None = None
    user: str | None = None  # None: the current user
    time: datetime | None = None  # None: now
    exit_status: int | None = None
    duration_s: float | None = None
    note: str | None = None


@dataclass(frozen=True)
class AuditRecord:
    """One row of the audit chain. For a ``command`` row read through `Store.records`,
    `exit_status`/`duration_s` come from its ``finish`` row when there is one."""

    id: int
    kind: str
    time: str
    cwd: str | None
    user: str | None
    command: str | None
    decision: str | None
    rules: tuple[str, ...]
    mode: str | None
    agent: str | None
    session: str | None
    approval_id: str | None
    outcome: str | None
    exit_status: int | None
    duration_s: float | None
    note: str | None
    ref: int | None
    prev_hash: str
    hash: str

    def to_dict(self) -> dict[str, Any]:
        """The shape `safesh log --json` prints (one object per line)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "time": self.time,
            "command": self.command,
            "cwd": self.cwd,
            "user": self.user,
            "decision": self.decision,
            "rules": list(self.rules),
            "mode": self.mode,
            "outcome": self.outcome,
            "agent": self.agent,
            "session": self.session,
            "approval_id": self.approval_id,
            "exit": self.exit_status,
            "duration": self.duration_s,
            "note": self.note,
            "hash": self.hash,
        }


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of `Store.verify`. `bad_record` is the id of the first bad record (for a
    deletion, the first missing id) and `problem` says what is wrong with it."""

    ok: bool
    checked: int
    bad_record: int | None = None
    problem: str | None = None

    def message(self) -> str:
        if self.ok:
            return f"audit log intact: {self.checked} records verified"
        return f"audit log broken at record {self.bad_record}: {self.problem}"


@dataclass(frozen=True)
class ApprovalRequest:
    """A command waiting for (or decided by) a human.

    `status` is pending | approved | denied | used | expired; "expired" is worked out when the
    request is read (a pending request past `expires`, or a window grant past `grant_until`)."""

    id: str
    command: str
    cwd: str
    fingerprint: str
    rule_ids: tuple[str, ...]
    reason: str
    tier: str
    agent: str | None
    session: str | None
    created: str
    expires: str
    status: str
    decided_at: str | None = None
    decided_by: str | None = None
    grant_kind: str | None = None  # "once" | "for"
    grant_until: str | None = None
    deny_reason: str | None = None
    used_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "command": self.command,
            "cwd": self.cwd,
            "rule": ", ".join(self.rule_ids),
            "rules": list(self.rule_ids),
            "reason": self.reason,
            "tier": self.tier,
            "agent": self.agent,
            "session": self.session,
            "created": self.created,
            "expires": self.expires,
            "status": self.status,
            "fingerprint": self.fingerprint,
            "decided_at": self.decided_at,
            "decided_by": self.decided_by,
            "grant": self.grant_kind,
            "grant_until": self.grant_until,
            "deny_reason": self.deny_reason,
        }


@dataclass(frozen=True)
class Grant:
    """An approval handed out by `Store.consume_grant`: the command may run."""

    approval_id: str
    command: str
    cwd: str
    fingerprint: str
    once: bool
    until: str | None
    approved_by: str | None
    approved_at: str | None


@dataclass(frozen=True)
class LogQuery:
    """Filters for `Store.records`. Every field narrows; None means "any"."""

    since: datetime | None = None
    decision: str | None = None
    rule: str | None = None
    cwd: str | None = None  # this directory or below
    grep: str | None = None  # substring of the command, case-insensitive
    agent: str | None = None
    session: str | None = None
    after_id: int | None = None
    limit: int | None = None  # the newest `limit` matching records, still oldest first
    kinds: tuple[str, ...] = ("command", "approval")


@dataclass(frozen=True)
class NotifyConfig:
    """How to tell a human a request is waiting. Both are optional; both may be set."""

    command: str | Sequence[str] | None = None
    url: str | None = None
    timeout_s: float = 10.0


# ---------------------------------------------------------------------------------------------
# Small helpers


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """UTC ISO 8601 with milliseconds and a Z. Fixed width, so strings sort like times."""
    if moment.tzinfo is None:
        moment = moment.astimezone()  # a naive time is local time
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_time(text: str) -> datetime:
    """An ISO 8601 time; a naive one is taken as local time (what a human typing it means)."""
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.astimezone(UTC)


_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}


def parse_duration(text: str) -> float:
    """Seconds in "90s", "30m", "1h", "2d", "1w" or a bare number of seconds. ValueError if not."""
    cleaned = text.strip().lower()
    unit = _UNITS.get(cleaned[-1:]) if cleaned else None
    number = cleaned[:-1] if unit is not None else cleaned
    try:
        value = float(number) * (unit or 1.0)
    except ValueError:
        raise ValueError(f"not a duration: {text!r} (expected e.g. 30m, 1h, 2d)") from None
    if not value > 0 or value == float("inf"):
        raise ValueError(f"a duration must be positive: {text!r}")
    return value


def current_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no USER variable and no passwd entry (containers)
        return str(os.getuid())


def _canonical(value: object) -> str:
    import json

    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(fields: dict[str, Any]) -> str:
    """SHA-256 of the previous hash and the canonical JSON of the record's other fields.

    `fields` holds the `_HASHED` columns as stored (rules as a JSON list). The id is inside,
    so moving a record to another position changes its hash."""
    import hashlib

    body = {name: fields[name] for name in _HASHED if name != "prev_hash"}
    data = fields["prev_hash"] + "\n" + _canonical(body)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _new_approval_id() -> str:
    import base64
    import secrets

    # 5 random bytes are exactly 8 base32 characters; base32 has no 0/1/8/9, so nothing
    # looks like O/l/B/g, and lower case is easy to type.
    return base64.b32encode(secrets.token_bytes(5)).decode("ascii").lower()


# ---------------------------------------------------------------------------------------------
# The store


class Store:
    """The SQLite store at `path` (default `safesh.locations.store_file()`).

    Opening creates the file and its directories when missing and fails with `StoreError`
    when the file exists but is not a usable safesh store. Use as a context manager or call
    `close()`. `now` is the clock (tests inject one); `user` is who this process acts as."""

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
        self._conn = _open(self.path, busy_timeout_s)

    # -- lifecycle ------------------------------------------------------------------------------

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def user(self) -> str:
        return self._user if self._user is not None else current_user()

    def now(self) -> datetime:
        return self._now()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction. IMMEDIATE takes the write lock up front: a deferred
        transaction that later upgrades can get SQLITE_BUSY without the busy handler ever
        running (SQLite's deadlock avoidance), which is exactly "database is locked"."""
        import sqlite3

        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _store_error(self.path, exc) from exc
        try:
            yield conn
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            _rollback(conn)
            raise _store_error(self.path, exc) from exc
        except BaseException:
            _rollback(conn)
            raise

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: one consistent snapshot across several SELECTs."""
        import sqlite3

        conn = self._conn
        try:
            conn.execute("BEGIN")
            yield conn
        except sqlite3.Error as exc:
            raise _store_error(self.path, exc) from exc
        finally:
            _rollback(conn)

    # -- audit log ------------------------------------------------------------------------------

    def record(self, event: AuditEvent) -> int:
        """Append `event` to the audit chain; returns the record id (for `finish`)."""
        moment = event.time if event.time is not None else self.now()
        with self._write() as conn:
            return self._append(
                conn,
                kind="command",
                time=iso(moment),
                cwd=event.cwd,
                user=event.user if event.user is not None else self.user,
                command=event.command,
                decision=event.decision,
                rules=list(event.rules),
                mode=event.mode,
                agent=event.agent,
                session=event.session,
                approval_id=event.approval_id,
                outcome=event.outcome,
                exit_status=event.exit_status,
                duration_s=None if event.duration_s is None else float(event.duration_s),
                note=event.note,
            )

    def finish(self, record_id: int, exit_status: int, duration_s: float) -> int:
        """Record that command record `record_id` ran and ended. Appends a linked ``finish``
        record (see the module docstring for why the command row is not updated)."""
        with self._write() as conn:
            row = conn.execute("SELECT kind FROM audit WHERE id = ?", (record_id,)).fetchone()
            if row is None or row[0] != "command":
                raise StoreError(f"no command record {record_id} in the audit log at {self.path}")
            return self._append(
                conn,
                kind="finish",
                ref=record_id,
                time=iso(self.now()),
                exit_status=int(exit_status),
                duration_s=float(duration_s),
            )

    def _append(self, conn: sqlite3.Connection, **values: Any) -> int:
        """Insert one chained row. Must run inside `_write()`, which makes read-head,
        insert and move-head one atomic step, so concurrent writers cannot fork the chain."""
        head_id, head_hash = conn.execute("SELECT id, hash FROM chain_head").fetchone()
        fields: dict[str, Any] = dict.fromkeys(_HASHED)
        fields.update(values)
        fields["id"] = head_id + 1
        fields["prev_hash"] = head_hash
        fields["rules"] = list(fields["rules"] or [])
        digest = chain_hash(fields)
        row = {**fields, "rules": _canonical(fields["rules"]), "hash": digest}
        placeholders = ", ".join("?" for _ in _AUDIT_COLUMNS)
        conn.execute(
            f"INSERT INTO audit ({', '.join(_AUDIT_COLUMNS)}) VALUES ({placeholders})",
            [row[name] for name in _AUDIT_COLUMNS],
        )
        conn.execute("UPDATE chain_head SET id = ?, hash = ?", (fields["id"], digest))
        return int(fields["id"])

    def records(self, query: LogQuery | None = None) -> list[AuditRecord]:
        """Command and approval records (oldest first) with each command's exit status and
        duration joined in from its finish record."""
        query = query or LogQuery()
        where, params = _log_filters(query)
        sql = (
            f"SELECT {', '.join('a.' + c for c in _AUDIT_COLUMNS)}, f.exit_status, f.duration_s "
            "FROM audit a LEFT JOIN (SELECT ref, exit_status, duration_s, min(id) "
            "FROM audit WHERE kind = 'finish' GROUP BY ref) f ON f.ref = a.id "
            f"WHERE {' AND '.join(where)} ORDER BY a.id"
        )
        if query.limit is not None:
            sql += f" DESC LIMIT {int(query.limit)}"
        with self._read() as conn:
            rows = conn.execute(sql, params).fetchall()
        if query.limit is not None:
            rows.reverse()
        result = [_record_from_row(row) for row in rows]
        if query.rule is not None:  # the SQL LIKE is a prefilter; match the id exactly here
            result = [r for r in result if query.rule in r.rules]
        return result

    def recent(
        self,
        *,
        agent: str | None = None,
        session: str | None = None,
        cwd: str | None = None,
        limit: int = 5,
    ) -> list[AuditRecord]:
        """The last `limit` command records from the same session, else the same agent, else
        the same directory: context for a human deciding on a request."""
        for query in (
            LogQuery(session=session, kinds=("command",), limit=limit) if session else None,
            LogQuery(agent=agent, kinds=("command",), limit=limit) if agent else None,
            LogQuery(cwd=cwd, kinds=("command",), limit=limit) if cwd else None,
        ):
            if query is not None:
                found = self.records(query)
                if found:
                    return found
        return []

    def last_id(self) -> int:
        with self._read() as conn:
            return int(conn.execute("SELECT id FROM chain_head").fetchone()[0])

    def verify(self) -> VerifyResult:
        """Walk the chain from the first record and name the first one that is wrong."""
        with self._read() as conn:
            cursor = conn.execute(f"SELECT {', '.join(_AUDIT_COLUMNS)} FROM audit ORDER BY id")
            expected_id, expected_prev, checked = 1, GENESIS_HASH, 0
            for row in cursor:
                fields = dict(zip(_AUDIT_COLUMNS, row, strict=True))
                problem = _check_row(fields, expected_id, expected_prev)
                if problem is not None:
                    bad, text = problem
                    return VerifyResult(False, checked, bad, text)
                checked += 1
                expected_id, expected_prev = fields["id"] + 1, fields["hash"]
            head_id, head_hash = conn.execute("SELECT id, hash FROM chain_head").fetchone()
        if head_id >= expected_id:
            return VerifyResult(
                False,
                checked,
                expected_id,
                f"records {expected_id}..{head_id} are missing (deleted from the end)",
            )
        if head_hash != expected_prev:
            return VerifyResult(
                False, checked, expected_id - 1, "the chain head does not match the last record"
            )
        return VerifyResult(True, checked)

    def export_jsonl(self, out: IO[str]) -> int:
        """Write every row of the chain, hashes included, one JSON object a line, so an
        export can be verified on its own. Returns the number of rows."""
        count = 0
        with self._read() as conn:
            cursor = conn.execute(f"SELECT {', '.join(_AUDIT_COLUMNS)} FROM audit ORDER BY id")
            for row in cursor:
                fields = dict(zip(_AUDIT_COLUMNS, row, strict=True))
                fields["rules"] = _load_rules(fields["rules"])
                out.write(_canonical(fields) + "\n")
                count += 1
        return count

    # -- approvals ------------------------------------------------------------------------------

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
    ) -> ApprovalRequest:
        """Ask a human about `command`. A still-pending request for the same command, cwd and
        rules fingerprint is returned as it is, so an agent retrying does not pile up
        duplicates. `tier` is the decision that asked for a human; a "block" request is kept
        (a human may want to see it) but can never be approved."""
        import sqlite3

        now = self.now()
        with self._write() as conn:
            existing = conn.execute(
                "SELECT * FROM approvals WHERE command = ? AND cwd = ? AND fingerprint = ? "
                "AND status = 'pending' AND expires > ? ORDER BY created LIMIT 1",
                (command, cwd, rules_fingerprint, iso(now)),
            ).fetchone()
            if existing is not None:
                return _request_from_row(existing, now)
            values = {
                "command": command,
                "cwd": cwd,
                "fingerprint": rules_fingerprint,
                "rule_ids": _canonical(list(rule_ids)),
                "reason": reason,
                "tier": tier,
                "agent": agent,
                "session": session,
                "created": iso(now),
                "expires": iso(now + timedelta(seconds=ttl_s)),
                "status": "pending",
            }
            for _ in range(8):  # 40 random bits: a collision is rare, twice in a row never
                values["id"] = _new_approval_id()
                try:
                    conn.execute(
                        f"INSERT INTO approvals ({', '.join(values)}) "
                        f"VALUES ({', '.join('?' for _ in values)})",
                        list(values.values()),
                    )
                    break
                except sqlite3.IntegrityError:
                    continue
            row = conn.execute("SELECT * FROM approvals WHERE id = ?", (values["id"],)).fetchone()
            return _request_from_row(row, now)

    def get_request(self, approval_id: str) -> ApprovalRequest | None:
        with self._read() as conn:
            row = conn.execute(
                "SELECT * FROM approvals WHERE id = ?", (_normalise_id(approval_id),)
            ).fetchone()
        return None if row is None else _request_from_row(row, self.now())

    def latest_request(
        self, command: str, cwd: str, rules_fingerprint: str
    ) -> ApprovalRequest | None:
        """The newest request for this exact command, whatever its status: lets a caller tell
        an agent "a human denied this: <reason>" instead of asking again."""
        with self._read() as conn:
            row = conn.execute(
                "SELECT * FROM approvals WHERE command = ? AND cwd = ? AND fingerprint = ? "
                "ORDER BY created DESC, rowid DESC LIMIT 1",
                (command, cwd, rules_fingerprint),
            ).fetchone()
        return None if row is None else _request_from_row(row, self.now())

    def pending(self) -> list[ApprovalRequest]:
        """Requests waiting for a human, oldest first; expired ones are left out."""
        now = self.now()
        with self._read() as conn:
            rows = conn.execute(
                "SELECT * FROM approvals WHERE status = 'pending' AND expires > ? "
                "ORDER BY created, rowid",
                (iso(now),),
            ).fetchall()
        return [_request_from_row(row, now) for row in rows]

    def approve(
        self,
        approval_id: str,
        *,
        once: bool | None = None,
        for_s: float | None = None,
        by: str | None = None,
    ) -> ApprovalRequest:
        """Approve a pending request: once (the default) or for `for_s` seconds. Raises
        `ApprovalError` for an unknown, expired, already decided or block-tier request."""
        if for_s is not None and once:
            raise ValueError("approve either once or for a duration, not both")
        if for_s is None and once is False:
            raise ValueError("approve(once=False) needs for_s")
        if for_s is not None and not for_s > 0:
            raise ValueError("for_s must be positive")
        now = self.now()
        who = by if by is not None else self.user
        with self._write() as conn:
            request = self._decidable(conn, approval_id, now)
            if request.tier == "block":
                raise ApprovalError(
                    f"request {request.id} is for a block-tier command "
                    f"({', '.join(request.rule_ids) or 'no rule'}); block-tier commands cannot "
                    "be approved. Change the rules if this command should be allowed.",
                    "blocked",
                )
            if for_s is None:
                kind, until = "once", iso(now + timedelta(seconds=ONCE_GRANT_TTL_S))
                note = "once"
            else:
                kind, until = "for", iso(now + timedelta(seconds=for_s))
                note = f"for {_format_seconds(for_s)} until {until}"
            conn.execute(
                "UPDATE approvals SET status = 'approved', decided_at = ?, decided_by = ?, "
                "grant_kind = ?, grant_until = ? WHERE id = ?",
                (iso(now), who, kind, until, request.id),
            )
            self._append_decision(conn, request, now, who, "approved", note)
            row = conn.execute("SELECT * FROM approvals WHERE id = ?", (request.id,)).fetchone()
        return _request_from_row(row, now)

    def deny(self, approval_id: str, reason: str, by: str | None = None) -> ApprovalRequest:
        """Deny a pending request; `reason` is shown to the agent that asked."""
        now = self.now()
        who = by if by is not None else self.user
        with self._write() as conn:
            request = self._decidable(conn, approval_id, now)
            conn.execute(
                "UPDATE approvals SET status = 'denied', decided_at = ?, decided_by = ?, "
                "deny_reason = ? WHERE id = ?",
                (iso(now), who, reason, request.id),
            )
            self._append_decision(conn, request, now, who, "denied", reason)
            row = conn.execute("SELECT * FROM approvals WHERE id = ?", (request.id,)).fetchone()
        return _request_from_row(row, now)

    def consume_grant(self, command: str, cwd: str, rules_fingerprint: str) -> Grant | None:
        """An approved, unexpired grant for exactly this command, cwd and rules fingerprint,
        or None. A once grant is used up by this call (inside the write transaction, so two
        processes can never both use it); a window grant stays until it expires, and is used
        first so that it does not spend a once grant the human also gave. A changed rules
        fingerprint means the human approved under other rules, so it does not match."""
        now = iso(self.now())
        with self._write() as conn:
            row = conn.execute(
                "SELECT id, grant_kind, grant_until, decided_by, decided_at FROM approvals "
                "WHERE command = ? AND cwd = ? AND fingerprint = ? AND status = 'approved' "
                "AND tier != 'block' AND grant_until > ? "
                "ORDER BY grant_kind = 'for' DESC, decided_at LIMIT 1",
                (command, cwd, rules_fingerprint, now),
            ).fetchone()
            if row is None:
                return None
            approval_id, kind, until, by, at = row
            if kind == "once":
                conn.execute(
                    "UPDATE approvals SET status = 'used', used_at = ? WHERE id = ?",
                    (now, approval_id),
                )
        return Grant(approval_id, command, cwd, rules_fingerprint, kind == "once", until, by, at)

    def _decidable(
        self, conn: sqlite3.Connection, approval_id: str, now: datetime
    ) -> ApprovalRequest:
        row = conn.execute(
            "SELECT * FROM approvals WHERE id = ?", (_normalise_id(approval_id),)
        ).fetchone()
        if row is None:
            raise ApprovalError(f"no approval request {approval_id!r}", "unknown")
        request = _request_from_row(row, now)
        if request.status == "expired" and request.decided_at is None:
            raise ApprovalError(
                f"request {request.id} expired at {request.expires}; the agent must ask again",
                "expired",
            )
        if request.status != "pending":
            raise ApprovalError(
                f"request {request.id} was already {_status_words(request)}", "decided"
            )
        return request

    def _append_decision(
        self,
        conn: sqlite3.Connection,
        request: ApprovalRequest,
        now: datetime,
        who: str,
        outcome: str,
        note: str,
    ) -> None:
        self._append(
            conn,
            kind="approval",
            time=iso(now),
            cwd=request.cwd,
            user=who,
            command=request.command,
            decision=request.tier,
            rules=list(request.rule_ids),
            mode="approve" if outcome == "approved" else "deny",
            agent=request.agent,
            session=request.session,
            approval_id=request.id,
            outcome=outcome,
            note=note,
        )


# ---------------------------------------------------------------------------------------------
# Opening


def _rollback(conn: sqlite3.Connection) -> None:
    import sqlite3

    if conn.in_transaction:
        with suppress(sqlite3.Error):  # the original error is the one worth reporting
            conn.execute("ROLLBACK")


def _store_error(path: Path, exc: BaseException) -> StoreError:
    return StoreError(
        f"cannot use the safesh store at {path}: {exc}. The file has been left as it is "
        "(it may hold pending approval requests); move it aside to start a new store."
    )


def _prepare_file(path: Path) -> None:
    # The log holds every command line, which can include secrets: keep it to this user.
    # SQLite gives its -wal and -shm files the database file's permissions.
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        os.close(fd)
    except OSError as exc:
        raise StoreError(f"cannot create the safesh store at {path}: {exc}") from exc


def _open(path: Path, busy_timeout_s: float) -> sqlite3.Connection:
    import sqlite3

    _prepare_file(path)
    try:
        # isolation_level=None: we issue BEGIN/COMMIT ourselves (see Store._write).
        conn = sqlite3.connect(path, timeout=busy_timeout_s, isolation_level=None)
    except sqlite3.Error as exc:
        raise _store_error(path, exc) from exc
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        _check_readable(conn)
        _enable_wal(conn, busy_timeout_s)
        # NORMAL in WAL mode never corrupts the file; a power cut may lose the last commits,
        # which is the price of not fsyncing before every agent command.
        conn.execute("PRAGMA synchronous = NORMAL")
        _migrate(conn, path)
    except StoreError:
        conn.close()
        raise
    except sqlite3.Error as exc:
        conn.close()
        raise _store_error(path, exc) from exc
    return conn


def _check_readable(conn: sqlite3.Connection) -> None:
    # Reading the schema is the first thing that touches the file's header: a file that is not
    # a database fails here, before anything could write to it.
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()


def _enable_wal(conn: sqlite3.Connection, busy_timeout_s: float) -> None:
    """Switch a new database to WAL (the mode is stored in the file, so this runs once).

    The switch needs the database to itself, and SQLite reports SQLITE_BUSY for it without
    going through the busy handler when other processes are connected, which is exactly what
    happens when several agents create the store at the same moment: so retry here."""
    import random
    import sqlite3
    import time

    deadline = time.monotonic() + busy_timeout_s
    while True:
        (mode,) = conn.execute("PRAGMA journal_mode").fetchone()
        if str(mode).lower() == "wal":
            return
        try:
            conn.execute("PRAGMA journal_mode = WAL").fetchone()
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(random.uniform(0.005, 0.05))  # jitter: do not retry in lockstep


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    if version == SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have created the schema while we waited for the lock.
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        if version == 0:
            (tables,) = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            if tables:
                raise StoreError(
                    f"{path} is an SQLite database but not a safesh store (it has tables and "
                    "no safesh schema version); it has been left as it is."
                )
            for statement in _SCHEMA.format(genesis=GENESIS_HASH).split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        elif version > SCHEMA_VERSION:
            raise StoreError(
                f"the safesh store at {path} has schema version {version}, newer than this "
                f"safesh understands ({SCHEMA_VERSION}); upgrade safesh. The file is untouched."
            )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


# ---------------------------------------------------------------------------------------------
# Rows


def _load_rules(text: str | None) -> list[str]:
    import json

    if not text:
        return []
    value = json.loads(text)
    return [str(item) for item in value] if isinstance(value, list) else [str(value)]


def _check_row(
    fields: dict[str, Any], expected_id: int, expected_prev: str
) -> tuple[int, str] | None:
    import json

    if fields["id"] != expected_id:  # ids are assigned consecutively; a gap is a deletion
        missing = (
            f"record {expected_id} is"
            if fields["id"] == expected_id + 1
            else f"records {expected_id}..{fields['id'] - 1} are"
        )
        return expected_id, f"{missing} missing (deleted) before record {fields['id']}"
    try:
        fields = {**fields, "rules": _load_rules(fields["rules"])}
    except (ValueError, json.JSONDecodeError):
        return fields["id"], "its rules field is not valid JSON (edited)"
    if fields["prev_hash"] != expected_prev:
        return fields["id"], (
            "it does not link to the record before it (an earlier record was edited, "
            "deleted or reordered)"
        )
    if chain_hash(fields) != fields["hash"]:
        return fields["id"], "its contents do not match its hash (edited or reordered)"
    return None


def _record_from_row(row: Sequence[Any]) -> AuditRecord:
    fields = dict(zip(_AUDIT_COLUMNS, row[: len(_AUDIT_COLUMNS)], strict=True))
    finish_exit, finish_duration = row[len(_AUDIT_COLUMNS) :] or (None, None)
    exit_status = fields["exit_status"] if fields["exit_status"] is not None else finish_exit
    duration = fields["duration_s"] if fields["duration_s"] is not None else finish_duration
    try:
        rules = tuple(_load_rules(fields["rules"]))
    except ValueError:
        rules = ()  # a tampered row still lists; verify names it
    return AuditRecord(
        id=fields["id"],
        kind=fields["kind"],
        time=fields["time"],
        cwd=fields["cwd"],
        user=fields["user"],
        command=fields["command"],
        decision=fields["decision"],
        rules=rules,
        mode=fields["mode"],
        agent=fields["agent"],
        session=fields["session"],
        approval_id=fields["approval_id"],
        outcome=fields["outcome"],
        exit_status=exit_status,
        duration_s=duration,
        note=fields["note"],
        ref=fields["ref"],
        prev_hash=fields["prev_hash"],
        hash=fields["hash"],
    )


def _log_filters(query: LogQuery) -> tuple[list[str], list[Any]]:
    where = [f"a.kind IN ({', '.join('?' for _ in query.kinds)})"]
    params: list[Any] = list(query.kinds)
    if query.since is not None:
        where.append("a.time >= ?")
        params.append(iso(query.since))
    if query.decision is not None:
        where.append("a.decision = ?")
        params.append(query.decision)
    if query.rule is not None:
        where.append("a.rules LIKE ? ESCAPE '\\'")
        params.append("%" + _like_escape(_canonical(query.rule)) + "%")
    if query.cwd is not None:
        base = query.cwd.rstrip("/") or "/"
        prefix = base if base == "/" else base + "/"
        where.append("(a.cwd = ? OR substr(a.cwd, 1, ?) = ?)")
        params.extend([base, len(prefix), prefix])
    if query.grep is not None:
        where.append("instr(lower(a.command), lower(?)) > 0")
        params.append(query.grep)
    if query.agent is not None:
        where.append("a.agent = ?")
        params.append(query.agent)
    if query.session is not None:
        where.append("a.session = ?")
        params.append(query.session)
    if query.after_id is not None:
        where.append("a.id > ?")
        params.append(query.after_id)
    return where, params


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _request_from_row(row: Sequence[Any], now: datetime) -> ApprovalRequest:
    (
        approval_id,
        command,
        cwd,
        fingerprint,
        rule_ids,
        reason,
        tier,
        agent,
        session,
        created,
        expires,
        status,
        decided_at,
        decided_by,
        grant_kind,
        grant_until,
        deny_reason,
        used_at,
    ) = row
    stamp = iso(now)
    if (status == "pending" and expires <= stamp) or (
        status == "approved" and grant_until is not None and grant_until <= stamp
    ):
        status = "expired"
    return ApprovalRequest(
        id=approval_id,
        command=command,
        cwd=cwd,
        fingerprint=fingerprint,
        rule_ids=tuple(_load_rules(rule_ids)),
        reason=reason,
        tier=tier,
        agent=agent,
        session=session,
        created=created,
        expires=expires,
        status=status,
        decided_at=decided_at,
        decided_by=decided_by,
        grant_kind=grant_kind,
        grant_until=grant_until,
        deny_reason=deny_reason,
        used_at=used_at,
    )


def _normalise_id(approval_id: str) -> str:
    return approval_id.strip().lower()


def _status_words(request: ApprovalRequest) -> str:
    who = f" by {request.decided_by}" if request.decided_by else ""
    when = f" at {request.decided_at}" if request.decided_at else ""
    words = {"approved": "approved", "denied": "denied", "used": "approved and used"}
    return f"{words.get(request.status, request.status)}{who}{when}"


def _format_seconds(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


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


# ---------------------------------------------------------------------------------------------
# Notification

# Run in a detached interpreter: the request JSON arrives on stdin (a temporary file, so
# writing it can never block on a full pipe), the command or webhook gets `timeout` seconds.
_NOTIFY_HELPER = r"""
import subprocess, sys, urllib.request
kind, target, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
if kind == "command":
    import json
    argv = json.loads(target)
    try:
        subprocess.run(argv, shell=isinstance(argv, str), timeout=timeout,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except Exception:
        pass
else:
    data = sys.stdin.buffer.read()
    request = urllib.request.Request(target, data=data, method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        urllib.request.urlopen(request, timeout=timeout).close()
    except Exception:
        pass
"""


def notify_request(
    request: ApprovalRequest,
    command: str | Sequence[str] | None = None,
    url: str | None = None,
    *,
    timeout_s: float = 10.0,
) -> list[subprocess.Popen[bytes]]:
    """Tell a human that `request` is waiting: run `command` (a shell string or an argv) with
    the request as JSON on stdin, and/or POST the JSON to `url`. Each runs in a detached
    child (its own session, so the agent's Ctrl-C or exit does not reach it) with a timeout;
    this function returns at once and never raises. The children are returned so tests can
    wait for them; callers may ignore them."""
    import json
    import subprocess
    import tempfile

    children: list[subprocess.Popen[bytes]] = []
    payload = json.dumps(request.to_dict()).encode("utf-8")
    jobs = []
    if command:
        target = command if isinstance(command, str) else list(command)
        jobs.append(("command", json.dumps(target)))
    if url:
        jobs.append(("url", url))
    for kind, target_text in jobs:
        try:
            with tempfile.TemporaryFile() as stdin:
                stdin.write(payload)
                stdin.seek(0)
                children.append(
                    subprocess.Popen(
                        [sys.executable, "-c", _NOTIFY_HELPER, kind, target_text, str(timeout_s)],
                        stdin=stdin,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                        start_new_session=True,
                        close_fds=True,
                    )
                )
        except Exception as exc:
            with suppress(Exception):
                sys.stderr.write(f"safesh: could not start the approval notification: {exc}\n")
    return children


def notify_with(request: ApprovalRequest, config: NotifyConfig) -> list[subprocess.Popen[bytes]]:
    """`notify_request` driven by the user's configuration."""
    return notify_request(request, config.command, config.url, timeout_s=config.timeout_s)


__all__ = [
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
    "finish_quietly",
    "notify_request",
    "notify_with",
    "parse_duration",
    "record_quietly",
]
