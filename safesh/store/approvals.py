"""The approvals queue: requests a human must decide, their grants, and using a grant up.

A request names an exact command, working directory and rules fingerprint. A human approves it
once or for a while, or denies it with a reason; every decision is also appended to the audit
chain in the same transaction (`safesh.store.audit.append`). `consume_grant` hands out a grant
inside a write transaction, so a once grant is used by exactly one process.

May import: the standard library, `safesh.store.values` and `safesh.store.audit`; the back-end
only through the `safesh.store.connection.Database` protocol.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from safesh.store.audit import append, load_rules
from safesh.store.values import (
    DEFAULT_TTL_S,
    ONCE_GRANT_TTL_S,
    ApprovalError,
    ApprovalRequest,
    Clock,
    Grant,
    canonical,
    iso,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from typing import Any

    from safesh.store.connection import Database, Transaction


# Every column, in the order `_request_from_row` unpacks (never `SELECT *`: a back-end may
# keep extra columns, such as PostgreSQL's insertion counter).
_COLUMNS = (
    "id, command, cwd, fingerprint, rule_ids, reason, tier, agent, session, created, expires, "
    "status, decided_at, decided_by, grant_kind, grant_until, deny_reason, used_at, preview"
)

_SELECT = f"SELECT {_COLUMNS} FROM approvals"


class Approvals:
    """The approvals queue in `db`. `now` is the clock, `user` says who this process acts as
    (the default approver)."""

    def __init__(self, db: Database, now: Clock, user: Callable[[], str]) -> None:
        self._db = db
        self._now = now
        self._user = user

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
        """Ask a human about `command`. A still-pending request for the same command, cwd and
        rules fingerprint is returned as it is, so an agent retrying does not pile up
        duplicates. `tier` is the decision that asked for a human; a "block" request is kept
        (a human may want to see it) but can never be approved. `preview` is what the command
        would destroy (JSON, `safesh.preview.types.Preview.to_dict`), shown to the human."""
        now = self._now()
        with self._db.write() as conn:
            existing = conn.execute(
                f"{_SELECT} WHERE command = ? AND cwd = ? AND fingerprint = ? "
                "AND status = 'pending' AND expires > ? ORDER BY created LIMIT 1",
                (command, cwd, rules_fingerprint, iso(now)),
            ).fetchone()
            if existing is not None:
                return _request_from_row(existing, now)
            values = {
                "command": command,
                "cwd": cwd,
                "fingerprint": rules_fingerprint,
                "rule_ids": canonical(list(rule_ids)),
                "reason": reason,
                "tier": tier,
                "agent": agent,
                "session": session,
                "created": iso(now),
                "expires": iso(now + timedelta(seconds=ttl_s)),
                "status": "pending",
                "preview": preview,
            }
            for _ in range(8):  # 40 random bits: a collision is rare, twice in a row never
                values["id"] = _new_approval_id()
                inserted = conn.execute(
                    f"INSERT INTO approvals ({', '.join(values)}) "
                    f"VALUES ({', '.join('?' for _ in values)}) ON CONFLICT (id) DO NOTHING",
                    list(values.values()),
                )
                if inserted.rowcount == 1:
                    break
            row = conn.execute(f"{_SELECT} WHERE id = ?", (values["id"],)).fetchone()
            return _request_from_row(row, now)

    def get_request(self, approval_id: str) -> ApprovalRequest | None:
        with self._db.read() as conn:
            row = conn.execute(f"{_SELECT} WHERE id = ?", (_normalise_id(approval_id),)).fetchone()
        return None if row is None else _request_from_row(row, self._now())

    def latest_request(
        self, command: str, cwd: str, rules_fingerprint: str
    ) -> ApprovalRequest | None:
        """The newest request for this exact command, whatever its status: lets a caller tell
        an agent "a human denied this: <reason>" instead of asking again."""
        with self._db.read() as conn:
            row = conn.execute(
                f"{_SELECT} WHERE command = ? AND cwd = ? AND fingerprint = ? "
                "ORDER BY created DESC, rowid DESC LIMIT 1",
                (command, cwd, rules_fingerprint),
            ).fetchone()
        return None if row is None else _request_from_row(row, self._now())

    def pending(self) -> list[ApprovalRequest]:
        """Requests waiting for a human, oldest first; expired ones are left out."""
        now = self._now()
        with self._db.read() as conn:
            rows = conn.execute(
                f"{_SELECT} WHERE status = 'pending' AND expires > ? ORDER BY created, rowid",
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
        now = self._now()
        who = by if by is not None else self._user()
        with self._db.write() as conn:
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
            row = conn.execute(f"{_SELECT} WHERE id = ?", (request.id,)).fetchone()
        return _request_from_row(row, now)

    def deny(self, approval_id: str, reason: str, by: str | None = None) -> ApprovalRequest:
        """Deny a pending request; `reason` is shown to the agent that asked."""
        now = self._now()
        who = by if by is not None else self._user()
        with self._db.write() as conn:
            request = self._decidable(conn, approval_id, now)
            conn.execute(
                "UPDATE approvals SET status = 'denied', decided_at = ?, decided_by = ?, "
                "deny_reason = ? WHERE id = ?",
                (iso(now), who, reason, request.id),
            )
            self._append_decision(conn, request, now, who, "denied", reason)
            row = conn.execute(f"{_SELECT} WHERE id = ?", (request.id,)).fetchone()
        return _request_from_row(row, now)

    def consume_grant(self, command: str, cwd: str, rules_fingerprint: str) -> Grant | None:
        """An approved, unexpired grant for exactly this command, cwd and rules fingerprint,
        or None. A once grant is used up by this call (inside the write transaction, so two
        processes can never both use it); a window grant stays until it expires, and is used
        first so that it does not spend a once grant the human also gave. A changed rules
        fingerprint means the human approved under other rules, so it does not match."""
        now = iso(self._now())
        with self._db.write() as conn:
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

    def _decidable(self, conn: Transaction, approval_id: str, now: datetime) -> ApprovalRequest:
        row = conn.execute(f"{_SELECT} WHERE id = ?", (_normalise_id(approval_id),)).fetchone()
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
        conn: Transaction,
        request: ApprovalRequest,
        now: datetime,
        who: str,
        outcome: str,
        note: str,
    ) -> None:
        append(
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


def _new_approval_id() -> str:
    import base64
    import secrets

    # 5 random bytes are exactly 8 base32 characters; base32 has no 0/1/8/9, so nothing
    # looks like O/l/B/g, and lower case is easy to type.
    return base64.b32encode(secrets.token_bytes(5)).decode("ascii").lower()


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
        preview,
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
        rule_ids=tuple(load_rules(rule_ids)),
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
        preview=preview,
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
