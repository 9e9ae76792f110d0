"""The shared back-end: the audit log and the approvals queue in one PostgreSQL database.

Selected by `store = "postgresql://user@host/db"` in the user's `[settings]` (see settings.py:
the password comes from PGPASSWORD or a password file, never the URL or a command line). Many
machines and agents share it: a request made on one is approved on another and its grant is
used once. Needs psycopg 3 (`pip install 'safesh[postgres]'`).

How the chain works here: there is one chain for the whole database. Every write transaction
first takes one transaction-level advisory lock, which serialises writers exactly as SQLite's
`BEGIN IMMEDIATE` does, so read-head, insert and move-head stay one atomic step and ids stay
consecutive. Each row says which user wrote it, and carries the MAC of the machine that wrote
it (its key id is part of the MAC), so `verify` on any machine checks every link and hash, and
the MACs of the rows its own key made; a team that wants every MAC checked everywhere gives
the machines the same `audit.key`. Each machine's anchor file holds the heads it wrote.

Waits are bounded like SQLite's busy timeout: `lock_timeout` is the caller's wait (a held lock
past it is `StoreBusy`), and connecting gives up after libpq's connect_timeout (2 s at least).
An unreachable server is a `StoreError`: callers refuse what needs a grant and spool records.

The schema is created on first use and migrated under the same lock; its version is kept in
`safesh_meta`.

May import: the standard library, psycopg (lazily: only this back-end needs it) and
`safesh.store.values`; the SQL the other modules send arrives with `?` placeholders and is
translated here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from safesh.store.values import GENESIS_HASH, StoreBusy, StoreError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from typing import Any

    from safesh.store.connection import Rows, Sealer, Transaction

SCHEMA_VERSION = 3
# pg_advisory_xact_lock key: "safesh" in ASCII, so it does not collide with other users' locks.
_LOCK_KEY = 0x736166657368
# A statement may take this many times the lock wait before the server cancels it.
_STATEMENT_FACTOR = 10

_SCHEMA = """
CREATE TABLE IF NOT EXISTS safesh_meta (
    one     INTEGER PRIMARY KEY CHECK (one = 1),
    version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    id          BIGINT PRIMARY KEY,
    kind        TEXT NOT NULL,
    ref         BIGINT,
    time        TEXT COLLATE "C" NOT NULL,
    cwd         TEXT,
    "user"      TEXT,
    command     TEXT,
    decision    TEXT,
    rules       TEXT,
    mode        TEXT,
    agent       TEXT,
    session     TEXT,
    approval_id TEXT,
    outcome     TEXT,
    exit_status INTEGER,
    duration_s  DOUBLE PRECISION,
    note        TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    mac         TEXT
);
CREATE INDEX IF NOT EXISTS audit_ref ON audit(ref) WHERE ref IS NOT NULL;
CREATE INDEX IF NOT EXISTS audit_time ON audit(time);
CREATE TABLE IF NOT EXISTS chain_head (
    one  INTEGER PRIMARY KEY CHECK (one = 1),
    id   BIGINT NOT NULL,
    hash TEXT NOT NULL,
    mac  TEXT
);
INSERT INTO chain_head (one, id, hash) VALUES (1, 0, '{genesis}') ON CONFLICT (one) DO NOTHING;
CREATE TABLE IF NOT EXISTS checkpoint (
    one    INTEGER PRIMARY KEY CHECK (one = 1),
    id     BIGINT NOT NULL,
    hash   TEXT NOT NULL,
    time   TEXT NOT NULL,
    pruned BIGINT NOT NULL,
    mac    TEXT
);
CREATE TABLE IF NOT EXISTS approvals (
    id           TEXT PRIMARY KEY,
    rowid        BIGSERIAL,
    command      TEXT NOT NULL,
    cwd          TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    rule_ids     TEXT NOT NULL,
    reason       TEXT NOT NULL,
    tier         TEXT NOT NULL,
    agent        TEXT,
    session      TEXT,
    created      TEXT COLLATE "C" NOT NULL,
    expires      TEXT COLLATE "C" NOT NULL,
    status       TEXT NOT NULL,
    decided_at   TEXT COLLATE "C",
    decided_by   TEXT,
    grant_kind   TEXT,
    grant_until  TEXT COLLATE "C",
    deny_reason  TEXT,
    used_at      TEXT,
    preview      TEXT,
    bound        TEXT NOT NULL DEFAULT '',
    approvers    TEXT NOT NULL DEFAULT '[]',
    required     INTEGER NOT NULL DEFAULT 1,
    created_boot TEXT,
    decided_boot TEXT
);
CREATE INDEX IF NOT EXISTS approvals_key ON approvals(command, cwd, fingerprint, status);
INSERT INTO safesh_meta (one, version) VALUES (1, {version}) ON CONFLICT (one) DO NOTHING
"""


class _Transaction:
    """A psycopg connection inside a transaction, speaking the `?` placeholders and the
    `"user"` column name the other modules use."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Sequence[Any] = (), /) -> Rows:
        cursor: Rows = self._conn.execute(_translate(sql), tuple(params))
        return cursor


_TRANSLATED: dict[str, str] = {}


def _translate(sql: str) -> str:
    """`?` -> `%s`, and the column `user` (a reserved word in PostgreSQL) quoted."""
    text = _TRANSLATED.get(sql)
    if text is None:
        import re

        text = sql.replace("%", "%%").replace("?", "%s")
        text = re.sub(r"(?<![\w\".])(a\.)?user\b(?!\s*\()", lambda m: f'{m[1] or ""}"user"', text)
        _TRANSLATED[sql] = text
    return text


class PostgresDatabase:
    """The PostgreSQL database at `url`; `busy_timeout_s` bounds every wait on a lock."""

    def __init__(self, url: str, busy_timeout_s: float, seal: Sealer | None = None) -> None:
        self._url = url
        self._conn = _connect(url, busy_timeout_s)
        try:
            self._migrate(seal)
        except BaseException:
            self._conn.close()
            raise

    @property
    def location(self) -> str:
        return _public(self._url)

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def write(self) -> Iterator[Transaction]:
        """One transaction holding safesh's advisory lock: writers queue on it (for at most
        the lock wait) exactly as they do on SQLite's write lock."""
        with self._errors(), self._conn.transaction():
            self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
            yield _Transaction(self._conn)

    @contextmanager
    def read(self) -> Iterator[Transaction]:
        """A REPEATABLE READ snapshot: several SELECTs see one state."""
        with self._errors(), self._conn.transaction():
            self._conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            yield _Transaction(self._conn)

    @contextmanager
    def _errors(self) -> Iterator[None]:
        import psycopg

        try:
            yield
        except psycopg.errors.LockNotAvailable as exc:
            raise StoreBusy(f"the safesh store at {self.location} is busy: {exc}") from exc
        except psycopg.errors.QueryCanceled as exc:
            raise StoreBusy(f"the safesh store at {self.location} timed out: {exc}") from exc
        except psycopg.Error as exc:
            raise StoreError(f"cannot use the safesh store at {self.location}: {exc}") from exc

    def _migrate(self, seal: Sealer | None) -> None:
        import psycopg

        try:
            row = self._conn.execute("SELECT version FROM safesh_meta").fetchone()
        except psycopg.errors.UndefinedTable:
            row = None
        if row is not None and row[0] == SCHEMA_VERSION:
            return
        if row is not None and row[0] > SCHEMA_VERSION:
            raise StoreError(
                f"the safesh store at {self.location} has schema version {row[0]}, newer than "
                f"this safesh understands ({SCHEMA_VERSION}); upgrade safesh."
            )
        with self.write():
            script = _SCHEMA.format(genesis=GENESIS_HASH, version=SCHEMA_VERSION)
            for statement in script.split(";"):
                if statement.strip():
                    self._conn.execute(statement)


def _connect(url: str, busy_timeout_s: float) -> Any:
    try:
        import psycopg
    except ImportError as exc:
        raise StoreError(
            "the store setting names PostgreSQL, but psycopg is not installed: "
            "pip install 'safesh[postgres]'"
        ) from exc
    wait_ms = max(1, int(busy_timeout_s * 1000))
    try:
        conn = psycopg.connect(
            url,
            autocommit=True,  # transactions are explicit (conn.transaction())
            connect_timeout=max(2, int(busy_timeout_s + 0.999)),
            application_name="safesh",
        )
    except psycopg.Error as exc:
        raise StoreError(f"cannot reach the safesh store at {_public(url)}: {exc}") from exc
    try:
        conn.execute(f"SET lock_timeout = {wait_ms}")
        conn.execute(f"SET statement_timeout = {wait_ms * _STATEMENT_FACTOR}")
    except psycopg.Error as exc:
        conn.close()
        raise StoreError(f"cannot use the safesh store at {_public(url)}: {exc}") from exc
    return conn


def _public(url: str) -> str:
    """The URL without a password, for messages."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[-1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}@{netloc}" if user else netloc))
