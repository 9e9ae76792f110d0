"""The connection layer of the store: one SQLite file shared by every safesh process.

Several agents and a human run safesh at the same time, so every write happens inside one
`BEGIN IMMEDIATE` transaction (writers queue on SQLite's lock instead of racing), the database
is in WAL mode (readers never block writers) and a busy timeout makes a waiting writer retry
instead of failing with "database is locked". This module also owns the schema and its
migrations.

The audit log (`audit.py`) and the approvals queue (`approvals.py`) see a back-end only through
the `Database` protocol below: `write()` and `read()` hand out a `Transaction` whose `execute`
takes SQL with `?` placeholders. The SQL they send is the portable subset that SQLite and
PostgreSQL share, so a second back-end is one more class with these three methods.

A database that cannot be read is never deleted, replaced or "repaired": it may hold pending
approval requests, so safesh fails closed (`StoreError`) and leaves the file for a human.

May import: the standard library (sqlite3 lazily: this is on every agent command's path) and
`safesh.store.values`. SQLite is used through `_sqlite3`, the C module the `sqlite3` package
re-exports: the package's `dbapi2` adds only the default date adapters (the store writes ISO
strings, never dates) and imports the pure-Python `datetime` for them, ~1 ms of every command.
"""

from __future__ import annotations

import _thread
import os
from collections.abc import Callable, Iterator, Sequence

from safesh.store.values import GENESIS_HASH, StoreBusy, StoreError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    import _sqlite3 as sqlite3  # the sqlite3 package's own C module (see the docstring)
    from contextlib import AbstractContextManager
    from pathlib import Path
    from typing import Any, Protocol

    class Rows(Protocol):
        """What `Transaction.execute` returns: a DB-API cursor's reading half."""

        @property
        def rowcount(self) -> int: ...

        def fetchone(self) -> Any: ...

        def fetchall(self) -> list[Any]: ...

        def __iter__(self) -> Iterator[Any]: ...

    class Transaction(Protocol):
        """One open transaction. SQL uses `?` placeholders."""

        def execute(self, sql: str, params: Sequence[Any] = ..., /) -> Rows: ...

    # Called inside the migration transaction that upgrades an existing store, to give the
    # rows written before MACs existed theirs (audit.seal, wired by the Store).
    Sealer = Callable[[Transaction], None]

    class Database(Protocol):
        """A store back-end: a place for the audit chain and the approvals queue."""

        @property
        def location(self) -> str:
            """Where the store is, for messages (a path or a URL without its password)."""

        def write(self) -> AbstractContextManager[Transaction]:
            """One write transaction, serialised against every other writer; any back-end
            error inside becomes `StoreError` and rolls back."""

        def read(self) -> AbstractContextManager[Transaction]:
            """One consistent snapshot for several SELECTs."""

        def close(self) -> None: ...


# 2: approvals.preview (what the command would destroy, as JSON; issue 13).
# 3: the chain anchored outside the file, prune checkpoints, bound approvals (_SCHEMA_3).
SCHEMA_VERSION = 3
# Writers hold the lock for a few milliseconds; waiting this long means something is stuck.
DEFAULT_BUSY_TIMEOUT_S = 15.0

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
    used_at     TEXT,
    preview     TEXT
);
CREATE INDEX approvals_key ON approvals(command, cwd, fingerprint, status);
"""

# Version 3: the chain anchored outside the file (a MAC on every row and on the head, see
# anchor.py), a checkpoint that keeps the chain verifiable across a prune, and approvals bound
# to the effective command with their approvers. `{migrated}` is 1 when upgrading an existing
# store: its rows are then sealed (given MACs) in the same transaction.
_SCHEMA_3 = """
ALTER TABLE audit ADD COLUMN mac TEXT;
ALTER TABLE chain_head ADD COLUMN mac TEXT;
CREATE TABLE checkpoint (
    one    INTEGER PRIMARY KEY CHECK (one = 1),
    id     INTEGER NOT NULL,
    hash   TEXT NOT NULL,
    time   TEXT NOT NULL,
    pruned INTEGER NOT NULL,
    mac    TEXT
);
ALTER TABLE approvals ADD COLUMN bound TEXT NOT NULL DEFAULT '';
ALTER TABLE approvals ADD COLUMN approvers TEXT NOT NULL DEFAULT '[]';
ALTER TABLE approvals ADD COLUMN required INTEGER NOT NULL DEFAULT 1;
ALTER TABLE approvals ADD COLUMN created_boot TEXT;
ALTER TABLE approvals ADD COLUMN decided_boot TEXT
"""


# The connection a process left open (`SqliteDatabase.leave`): held so that it is not closed
# (and the WAL checkpointed) when its last reference goes, and taken back by this process's
# next opening of the same file (`_take_back`). At most one.
_LEFT: list[_Left] = []

# A file's identity: (device, inode).
_Identity = tuple[int, int]


class _Left:
    """A connection left open, with what it was opened on."""

    __slots__ = ("busy_timeout_s", "conn", "identity", "path", "thread")

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: str,
        identity: _Identity | None,
        busy_timeout_s: float,
    ) -> None:
        self.conn = conn
        self.path = path
        self.identity = identity
        self.busy_timeout_s = busy_timeout_s
        self.thread = _thread.get_ident()  # a sqlite3 connection serves its own thread only


class SqliteDatabase:
    """The SQLite file at `path`, created with its directories when missing. Raises
    `StoreError` when the file exists but is not a usable safesh store."""

    def __init__(
        self,
        path: str | Path,
        busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S,
        seal: Sealer | None = None,
    ) -> None:
        self.path = path
        self._busy_timeout_s = busy_timeout_s
        taken = _take_back(os.fspath(path), busy_timeout_s)
        if taken is None:
            taken = _open(path, busy_timeout_s, seal)
        self._conn, self._identity = taken

    @property
    def location(self) -> str:
        return str(self.path)

    def close(self) -> None:
        self._conn.close()

    def leave(self) -> None:
        """Stop using the connection without closing it, in a process about to end (exec or
        exit). Closing the last connection to a WAL database checkpoints it (two fsyncs, and
        a new WAL for the next process): 5-15 ms of every agent command on a busy disk. Ended
        with the process, the connection checkpoints nothing; SQLite's automatic checkpoint
        (every 1000 pages, at a commit) keeps the WAL bounded. What was committed is in the
        WAL already, for every reader. Only the last connection left is kept: leaving another
        closes it, so a process that does not end cannot pile them up.

        A process that does go on (a resident judge's child, which records one line after
        another) takes the connection back when it opens the same file again (`_take_back`),
        instead of connecting, checking and migrating it anew."""
        for previous in _LEFT:
            if previous.conn is not self._conn:
                previous.conn.close()
        _LEFT[:] = [_Left(self._conn, os.fspath(self.path), self._identity, self._busy_timeout_s)]

    def write(self) -> _Write:
        """One write transaction. IMMEDIATE takes the write lock up front: a deferred
        transaction that later upgrades can get SQLITE_BUSY without the busy handler ever
        running (SQLite's deadlock avoidance), which is exactly "database is locked"."""
        return _Write(self)

    def read(self) -> _Read:
        """A read transaction: one consistent snapshot across several SELECTs."""
        return _Read(self)


# The transactions as context-manager classes rather than contextlib generators: contextlib
# costs ~1 ms to import, and every command writes its audit record in one.


class _Write:
    """`SqliteDatabase.write()`: COMMIT at the end of the block; ROLLBACK (and a StoreError
    for an SQLite error) when the block or the COMMIT fails."""

    __slots__ = ("_db",)

    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    def __enter__(self) -> Transaction:
        import _sqlite3 as sqlite3

        conn = self._db._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _store_error(self._db.path, exc) from exc
        return conn

    def __exit__(self, kind: object, error: BaseException | None, _trace: object) -> None:
        import _sqlite3 as sqlite3

        conn = self._db._conn
        if error is None:
            try:
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                _rollback(conn)
                raise _store_error(self._db.path, exc) from exc
            return
        _rollback(conn)
        if isinstance(error, sqlite3.Error):
            raise _store_error(self._db.path, error) from error


class _Read:
    """`SqliteDatabase.read()`: ROLLBACK at the end of the block, whatever happened; a
    StoreError for an SQLite error."""

    __slots__ = ("_db",)

    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    def __enter__(self) -> Transaction:
        import _sqlite3 as sqlite3

        conn = self._db._conn
        try:
            conn.execute("BEGIN")
        except sqlite3.Error as exc:
            _rollback(conn)
            raise _store_error(self._db.path, exc) from exc
        return conn

    def __exit__(self, kind: object, error: BaseException | None, _trace: object) -> None:
        import _sqlite3 as sqlite3

        _rollback(self._db._conn)
        if isinstance(error, sqlite3.Error):
            raise _store_error(self._db.path, error) from error


def _identity(path: str | Path) -> _Identity | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino


def _take_back(
    path: str, busy_timeout_s: float
) -> tuple[sqlite3.Connection, _Identity | None] | None:
    """The connection this process left on the file at `path`, if the path still names the
    file it was opened on: a store moved away, replaced or removed since is not written
    through it (closed here; the caller opens the file now at the path). A connection left
    on another file stays left."""
    if not _LEFT or _LEFT[0].path != path:
        return None
    left = _LEFT.pop()
    if (
        left.identity is not None
        and left.identity == _identity(path)
        and left.busy_timeout_s == busy_timeout_s
        and left.thread == _thread.get_ident()
        and not left.conn.in_transaction
    ):
        return left.conn, left.identity
    left.conn.close()
    return None


def _rollback(conn: sqlite3.Connection) -> None:
    import _sqlite3 as sqlite3

    if conn.in_transaction:
        try:  # noqa: SIM105 - contextlib is not loaded on the start-up path
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # the original error is the one worth reporting


def _store_error(path: str | Path, exc: BaseException) -> StoreError:
    if "locked" in str(exc) or "busy" in str(exc):
        return StoreBusy(
            f"the safesh store at {path} is busy (another process holds its lock): {exc}"
        )
    return StoreError(
        f"cannot use the safesh store at {path}: {exc}. The file has been left as it is "
        "(it may hold pending approval requests); move it aside to start a new store."
    )


def _prepare_file(path: str | Path) -> None:
    # The log holds every command line, which can include secrets: keep it to this user.
    # SQLite gives its -wal and -shm files the database file's permissions.
    try:
        os.makedirs(os.path.dirname(os.fspath(path)) or ".", mode=0o700, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        os.close(fd)
    except OSError as exc:
        raise StoreError(f"cannot create the safesh store at {path}: {exc}") from exc


def _open(
    path: str | Path, busy_timeout_s: float, seal: Sealer | None
) -> tuple[sqlite3.Connection, _Identity | None]:
    """A connection on the file at `path`, and that file's identity as far as a path can tell
    (None when the path did not name the same file before and after connecting: such a
    connection is never taken back)."""
    import _sqlite3 as sqlite3

    _prepare_file(path)
    before = _identity(path)
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
        _migrate(conn, path, seal)
    except StoreError:
        conn.close()
        raise
    except sqlite3.Error as exc:
        conn.close()
        raise _store_error(path, exc) from exc
    after = _identity(path)
    return conn, after if after == before else None


def _check_readable(conn: sqlite3.Connection) -> None:
    # Reading the schema is the first thing that touches the file's header: a file that is not
    # a database fails here, before anything could write to it.
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()


def _enable_wal(conn: sqlite3.Connection, busy_timeout_s: float) -> None:
    """Switch a new database to WAL (the mode is stored in the file, so this runs once).

    The switch needs the database to itself, and SQLite reports SQLITE_BUSY for it without
    going through the busy handler when other processes are connected, which is exactly what
    happens when several agents create the store at the same moment: so retry here."""
    import _sqlite3 as sqlite3
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
            import random  # only here: it costs a millisecond on every start otherwise

            time.sleep(random.uniform(0.005, 0.05))  # jitter: do not retry in lockstep


def _migrate(conn: sqlite3.Connection, path: str | Path, seal: Sealer | None) -> None:
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
            _run_script(conn, _SCHEMA.format(genesis=GENESIS_HASH))
            _run_script(conn, _SCHEMA_3)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        elif version < SCHEMA_VERSION:
            _upgrade(conn, version, seal)
        elif version > SCHEMA_VERSION:
            raise StoreError(
                f"the safesh store at {path} has schema version {version}, newer than this "
                f"safesh understands ({SCHEMA_VERSION}); upgrade safesh. The file is untouched."
            )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _upgrade(conn: sqlite3.Connection, version: int, seal: Sealer | None) -> None:
    """Bring an older store up to `SCHEMA_VERSION`, step by step, inside the caller's
    transaction. Every step only adds: nothing a user had is rewritten or dropped, and the
    audit chain's hashed columns never change."""
    if version < 2:
        conn.execute("ALTER TABLE approvals ADD COLUMN preview TEXT")
    if version < 3:
        _run_script(conn, _SCHEMA_3)
        if seal is not None:
            seal(conn)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)
