"""The audit log: an append-only hash chain of every command safesh judged, and its verification.

Every row, of whatever kind, is immutable once written:

* ``command``  - one analysed command line (what was decided and what happened to it);
* ``finish``   - the completion of an executed command: exit status and duration, pointing at
  its ``command`` row through ``ref``;
* ``approval`` - a human approved or denied a request (written by `approvals.py` through
  `append`, in the same transaction as the decision).

Why a separate ``finish`` row rather than updating the command row: a command is recorded
*before* it runs (so a crash or an exec still leaves a trace) and its exit status is known only
later. Updating the row would either break its hash or force the hash to skip the exit status,
which would let anyone rewrite an exit status unnoticed. Appending a linked completion row keeps
every field of every row under the chain, and readers join the two (`AuditLog.records`).

A ``chain_head`` row, updated in the same transaction as each append, remembers the last id and
hash, so deleting the newest records is detected too (a bare chain cannot see its own tail cut).
Every row and the head also carry a MAC under a key kept outside the database, and each new head
is written to an anchor file too (`anchor.py`); `integrity.py` verifies all of it and prunes.

May import: the standard library (json lazily), `safesh.digest` (lazily), `safesh.store.values`
and `safesh.store.anchor` (types); verifying and pruning live in `integrity.py`, above this. The
back-end only through the `safesh.store.connection.Database` protocol.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from safesh.store.values import (
    AuditEvent,
    AuditRecord,
    Clock,
    LogQuery,
    StoreError,
    canonical,
    iso,
    printable,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from typing import IO, Any

    from safesh.store.anchor import Anchor
    from safesh.store.connection import Database, Transaction

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
AUDIT_COLUMNS = (*_HASHED, "hash")


def chain_hash(fields: dict[str, Any]) -> str:
    """SHA-256 of the previous hash and the canonical JSON of the record's other fields.

    `fields` holds the `_HASHED` columns as stored (rules as a JSON list). The id is inside,
    so moving a record to another position changes its hash."""
    from safesh.digest import sha256

    body = {name: fields[name] for name in _HASHED if name != "prev_hash"}
    data = fields["prev_hash"] + "\n" + canonical(body)
    return sha256(data.encode("utf-8")).hexdigest()


def append(conn: Transaction, anchor: Anchor, **values: Any) -> tuple[int, str]:
    """Insert one chained row; returns its (id, hash) for `Anchor.note_head` after commit.
    Must run inside `Database.write()`, which makes read-head, insert and move-head one atomic
    step, so concurrent writers cannot fork the chain. Text is stored `printable`: a command
    with any bytes is recorded, never dropped."""
    head_id, head_hash = conn.execute("SELECT id, hash FROM chain_head").fetchone()
    fields: dict[str, Any] = dict.fromkeys(_HASHED)
    fields.update({k: printable(v) if isinstance(v, str) else v for k, v in values.items()})
    fields["id"] = head_id + 1
    fields["prev_hash"] = head_hash
    fields["rules"] = [printable(str(r)) for r in fields["rules"] or []]
    digest = chain_hash(fields)
    row = {**fields, "rules": canonical(fields["rules"]), "hash": digest}
    row["mac"] = anchor.mac("row", fields["id"], digest)
    columns = (*AUDIT_COLUMNS, "mac")
    conn.execute(
        f"INSERT INTO audit ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
        [row[name] for name in columns],
    )
    conn.execute(
        "UPDATE chain_head SET id = ?, hash = ?, mac = ?",
        (fields["id"], digest, anchor.mac("head", fields["id"], digest)),
    )
    return int(fields["id"]), digest


class AuditLog:
    """The audit chain in `db`. `now` is the clock, `user` says who this process acts as."""

    def __init__(self, db: Database, now: Clock, user: Callable[[], str], anchor: Anchor) -> None:
        self._db = db
        self._now = now
        self._user = user
        self._anchor = anchor

    def record(self, event: AuditEvent) -> int:
        """Append `event` to the audit chain; returns the record id (for `finish`)."""
        (record_id,) = self.record_many([event])
        return record_id

    def record_many(self, events: Sequence[AuditEvent]) -> list[int]:
        """Append `events` in order, in one transaction (the spool sends its backlog so: one
        lock and one commit however long the outage was). Returns their ids."""
        heads: list[tuple[int, str]] = []
        with self._db.write() as conn:
            for event in events:
                heads.append(self._append_event(conn, event))
        for head in heads:
            self._anchor.note_head(*head)
        return [record_id for record_id, _ in heads]

    def _append_event(self, conn: Transaction, event: AuditEvent) -> tuple[int, str]:
        moment = event.time if event.time is not None else self._now()
        return append(
            conn,
            self._anchor,
            kind="command",
            time=iso(moment),
            cwd=event.cwd,
            user=event.user if event.user is not None else self._user(),
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
        with self._db.write() as conn:
            row = conn.execute("SELECT kind FROM audit WHERE id = ?", (record_id,)).fetchone()
            if row is None or row[0] != "command":
                raise StoreError(
                    f"no command record {record_id} in the audit log at {self._db.location}"
                )
            finish_id, digest = append(
                conn,
                self._anchor,
                kind="finish",
                ref=record_id,
                time=iso(self._now()),
                exit_status=int(exit_status),
                duration_s=float(duration_s),
            )
        self._anchor.note_head(finish_id, digest)
        return finish_id

    def records(self, query: LogQuery | None = None) -> list[AuditRecord]:
        """Command and approval records (oldest first) with each command's exit status and
        duration joined in from its finish record."""
        query = query or LogQuery()
        where, params = _log_filters(query)
        sql = (
            f"SELECT {', '.join('a.' + c for c in AUDIT_COLUMNS)}, f.exit_status, f.duration_s "
            # The first finish row of each command (portable SQL: no bare columns beside an
            # aggregate, which only SQLite allows).
            "FROM audit a LEFT JOIN audit f ON f.id = (SELECT min(g.id) FROM audit g "
            "WHERE g.kind = 'finish' AND g.ref = a.id) "
            f"WHERE {' AND '.join(where)} ORDER BY a.id"
        )
        if query.limit is not None:
            sql += f" DESC LIMIT {int(query.limit)}"
        with self._db.read() as conn:
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
        with self._db.read() as conn:
            return int(conn.execute("SELECT id FROM chain_head").fetchone()[0])

    def export_jsonl(self, out: IO[str]) -> int:
        """Write every row of the chain, hashes included, one JSON object a line, so an
        export can be verified on its own. Returns the number of rows."""
        count = 0
        with self._db.read() as conn:
            checkpoint = conn.execute("SELECT id, hash FROM checkpoint").fetchone()
            if checkpoint is not None:  # where a pruned chain starts, so the export verifies
                start = {"kind": "checkpoint", "id": checkpoint[0], "hash": checkpoint[1]}
                out.write(canonical(start) + "\n")
            cursor = conn.execute(f"SELECT {', '.join(AUDIT_COLUMNS)} FROM audit ORDER BY id")
            for row in cursor:
                fields = dict(zip(AUDIT_COLUMNS, row, strict=True))
                fields["rules"] = load_rules(fields["rules"])
                out.write(canonical(fields) + "\n")
                count += 1
        return count


def load_rules(text: str | None) -> list[str]:
    import json

    if not text:
        return []
    value = json.loads(text)
    return [str(item) for item in value] if isinstance(value, list) else [str(value)]


def check_row(
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
        fields = {**fields, "rules": load_rules(fields["rules"])}
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
    fields = dict(zip(AUDIT_COLUMNS, row[: len(AUDIT_COLUMNS)], strict=True))
    finish_exit, finish_duration = row[len(AUDIT_COLUMNS) :] or (None, None)
    exit_status = fields["exit_status"] if fields["exit_status"] is not None else finish_exit
    duration = fields["duration_s"] if fields["duration_s"] is not None else finish_duration
    try:
        rules = tuple(load_rules(fields["rules"]))
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
        params.append("%" + _like_escape(canonical(query.rule)) + "%")
    if query.cwd is not None:
        base = query.cwd.rstrip("/") or "/"
        prefix = base if base == "/" else base + "/"
        where.append("(a.cwd = ? OR substr(a.cwd, 1, ?) = ?)")
        params.extend([base, len(prefix), prefix])
    if query.grep is not None:
        where.append("lower(a.command) LIKE lower(?) ESCAPE '\\'")
        params.append("%" + _like_escape(query.grep) + "%")
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
