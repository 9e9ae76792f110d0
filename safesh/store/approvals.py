"""The approvals queue: requests a human must decide, their grants, and using a grant up.

A request names an exact command, working directory and rules fingerprint. A human approves it
once or for a while, or denies it with a reason; every decision is also appended to the audit
chain in the same transaction (`safesh.store.audit.append`). `consume_grant` hands out a grant
inside a write transaction, so a once grant is used by exactly one process.

A grant is bound to the effective command (`Binding`: the shell's arguments, the production
variables of the environment, the decisive rules), records who approved it (`Approver`: user,
host, route) and may need two distinct people. Its age is measured on the wall clock and, where
the system has one, on the boot clock no user can set: a wall clock set back cannot revive an
expired request or grant, and "now" before the grant's own creation refuses it.

May import: the standard library, `safesh.store.values` and `safesh.store.audit`; the back-end
only through the `safesh.store.connection.Database` protocol.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from safesh.store.audit import append, load_rules
from safesh.store.values import (  # datetime's C classes (see values)
    DEFAULT_TTL_S,
    ONCE_GRANT_TTL_S,
    ApprovalError,
    ApprovalRequest,
    Approver,
    Binding,
    BootClock,
    Clock,
    Grant,
    boot_clock,
    canonical,
    current_host,
    datetime,
    iso,
    parse_time,
    printable,
    timedelta,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from typing import Any

    from safesh.store.anchor import Anchor
    from safesh.store.connection import Database, Transaction


# Every column, in the order `_request_from_row` unpacks (never `SELECT *`: a back-end may
# keep extra columns, such as PostgreSQL's insertion counter).
_COLUMNS = (
    "id, command, cwd, fingerprint, rule_ids, reason, tier, agent, session, created, expires, "
    "status, decided_at, decided_by, grant_kind, grant_until, deny_reason, used_at, preview, "
    "bound, approvers, required, created_boot, decided_boot"
)
# How far another machine's clock (a shared store) may be ahead before "now is earlier than
# the grant" is read as a clock set back rather than as skew.
CLOCK_SKEW_S = 120.0

_SELECT = f"SELECT {_COLUMNS} FROM approvals"


class Approvals:
    """The approvals queue in `db`. `now` is the wall clock, `boot` the unsettable one (see
    `values.boot_clock`), `user` says who this process acts as (the default approver)."""

    def __init__(
        self,
        db: Database,
        now: Clock,
        user: Callable[[], str],
        anchor: Anchor,
        boot: BootClock = boot_clock,
    ) -> None:
        self._db = db
        self._now = now
        self._user = user
        self._anchor = anchor
        self._boot = boot
        self._heads: list[tuple[int, str]] = []  # audit rows written, not yet anchored

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
        """Ask a human about `command`. A still-pending request for the same command, cwd,
        rules fingerprint and binding is returned as it is, so an agent retrying does not pile
        up duplicates. `tier` is the decision that asked for a human; a "block" request is kept
        (a human may want to see it) but can never be approved. `required_approvers` distinct
        people must approve it (production findings may need two). `preview` is what the
        command would destroy (JSON, `safesh.preview.types.Preview.to_dict`), shown to the human."""
        now = self._now()
        bound = (binding or Binding()).key(command, cwd)
        command, cwd = printable(command), printable(cwd)
        with self._db.write() as conn:
            rows = conn.execute(
                f"{_SELECT} WHERE command = ? AND cwd = ? AND fingerprint = ? AND bound = ? "
                "AND status = 'pending' AND expires > ? ORDER BY created",
                (command, cwd, rules_fingerprint, bound, iso(now)),
            ).fetchall()
            for existing in rows:
                request = self._from_row(existing, now)
                if request.status == "pending":
                    return request
            values = {
                "command": command,
                "cwd": cwd,
                "fingerprint": rules_fingerprint,
                "rule_ids": canonical([printable(r) for r in rule_ids]),
                "reason": printable(reason),
                "tier": tier,
                "agent": None if agent is None else printable(agent),
                "session": None if session is None else printable(session),
                "created": iso(now),
                "expires": iso(now + timedelta(seconds=ttl_s)),
                "status": "pending",
                "preview": preview,
                "bound": bound,
                "approvers": "[]",
                "required": max(1, int(required_approvers)),
                "created_boot": _boot_text(self._boot()),
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
            return self._from_row(row, now)

    def get_request(self, approval_id: str) -> ApprovalRequest | None:
        with self._db.read() as conn:
            row = conn.execute(f"{_SELECT} WHERE id = ?", (_normalise_id(approval_id),)).fetchone()
        return None if row is None else self._from_row(row, self._now())

    def latest_request(
        self, command: str, cwd: str, rules_fingerprint: str
    ) -> ApprovalRequest | None:
        """The newest request for this exact command, whatever its status: lets a caller tell
        an agent "a human denied this: <reason>" instead of asking again."""
        with self._db.read() as conn:
            row = conn.execute(
                f"{_SELECT} WHERE command = ? AND cwd = ? AND fingerprint = ? "
                "ORDER BY created DESC, rowid DESC LIMIT 1",
                (printable(command), printable(cwd), rules_fingerprint),
            ).fetchone()
        return None if row is None else self._from_row(row, self._now())

    def pending(self) -> list[ApprovalRequest]:
        """Requests waiting for a human, oldest first; expired ones are left out."""
        now = self._now()
        with self._db.read() as conn:
            rows = conn.execute(
                f"{_SELECT} WHERE status = 'pending' AND expires > ? ORDER BY created, rowid",
                (iso(now),),
            ).fetchall()
        requests = [self._from_row(row, now) for row in rows]
        return [r for r in requests if r.status == "pending"]

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
        """Approve a pending request: once (the default) or for `for_s` seconds, as `by` on
        `host` through `route` (cli | web). A request that needs two people stays pending
        after the first, and the same user cannot be the second. Raises `ApprovalError` for
        an unknown, expired, already decided or block-tier request."""
        if for_s is not None and once:
            raise ValueError("approve either once or for a duration, not both")
        if for_s is None and once is False:
            raise ValueError("approve(once=False) needs for_s")
        if for_s is not None and not for_s > 0:
            raise ValueError("for_s must be positive")
        now = self._now()
        approver = Approver(
            user=by if by is not None else self._user(),
            host=host if host is not None else current_host(),
            route=route,
            at=iso(now),
        )
        self._heads.clear()
        with self._db.write() as conn:
            request = self._decidable(conn, approval_id, now)
            if request.tier == "block":
                raise ApprovalError(
                    f"request {request.id} is for a block-tier command "
                    f"({', '.join(request.rule_ids) or 'no rule'}); block-tier commands cannot "
                    "be approved. Change the rules if this command should be allowed.",
                    "blocked",
                )
            if any(a.user == approver.user for a in request.approvers):
                raise ApprovalError(
                    f"request {request.id} needs {request.required} different people; "
                    f"{approver.user} has already approved it, another person must approve too",
                    "same-approver",
                )
            approvers = [*request.approvers, approver]
            text = canonical([a.to_dict() for a in approvers])
            if len(approvers) < request.required:
                conn.execute("UPDATE approvals SET approvers = ? WHERE id = ?", (text, request.id))
                note = f"approval {len(approvers)} of {request.required}"
                self._append_decision(conn, request, now, approver, "first-approval", note)
                row = conn.execute(f"{_SELECT} WHERE id = ?", (request.id,)).fetchone()
            else:
                row = self._grant(conn, request, now, approver, text, for_s)
        self._note_heads()
        return self._from_row(row, now)

    def _grant(
        self,
        conn: Transaction,
        request: ApprovalRequest,
        now: datetime,
        approver: Approver,
        approvers: str,
        for_s: float | None,
    ) -> Any:
        """The last approval a request needs: it becomes a grant. Returns the updated row."""
        if for_s is None:
            kind, until = "once", iso(now + timedelta(seconds=ONCE_GRANT_TTL_S))
            note = "once"
        else:
            kind, until = "for", iso(now + timedelta(seconds=for_s))
            note = f"for {_format_seconds(for_s)} until {until}"
        conn.execute(
            "UPDATE approvals SET status = 'approved', decided_at = ?, decided_by = ?, "
            "grant_kind = ?, grant_until = ?, approvers = ?, decided_boot = ? WHERE id = ?",
            (
                iso(now),
                approver.user,
                kind,
                until,
                approvers,
                _boot_text(self._boot()),
                request.id,
            ),
        )
        self._append_decision(conn, request, now, approver, "approved", note)
        return conn.execute(f"{_SELECT} WHERE id = ?", (request.id,)).fetchone()

    def deny(
        self,
        approval_id: str,
        reason: str,
        by: str | None = None,
        *,
        host: str | None = None,
        route: str = "cli",
    ) -> ApprovalRequest:
        """Deny a pending request; `reason` is shown to the agent that asked. One person's
        denial is final, even where approving needs two."""
        now = self._now()
        approver = Approver(
            user=by if by is not None else self._user(),
            host=host if host is not None else current_host(),
            route=route,
            at=iso(now),
        )
        reason = printable(reason)
        self._heads.clear()
        with self._db.write() as conn:
            request = self._decidable(conn, approval_id, now)
            conn.execute(
                "UPDATE approvals SET status = 'denied', decided_at = ?, decided_by = ?, "
                "deny_reason = ?, decided_boot = ? WHERE id = ?",
                (iso(now), approver.user, reason, _boot_text(self._boot()), request.id),
            )
            self._append_decision(conn, request, now, approver, "denied", reason)
            row = conn.execute(f"{_SELECT} WHERE id = ?", (request.id,)).fetchone()
        self._note_heads()
        return self._from_row(row, now)

    def consume_grant(
        self,
        command: str,
        cwd: str,
        rules_fingerprint: str,
        binding: Binding | None = None,
    ) -> Grant | None:
        """An approved, unexpired grant for exactly this command, cwd, rules fingerprint and
        binding, or None. A once grant is used up by this call (inside the write transaction,
        so two processes can never both use it); a window grant stays until it expires, and is
        used first so that it does not spend a once grant the human also gave. A changed rules
        fingerprint means the human approved under other rules, so it does not match."""
        moment = self._now()
        now = iso(moment)
        bound = (binding or Binding()).key(command, cwd)
        with self._db.write() as conn:
            rows = conn.execute(
                f"{_SELECT} WHERE command = ? AND cwd = ? AND fingerprint = ? AND bound = ? "
                "AND status = 'approved' AND tier != 'block' AND grant_until > ? "
                "ORDER BY grant_kind = 'for' DESC, decided_at",
                (printable(command), printable(cwd), rules_fingerprint, bound, now),
            ).fetchall()
            usable = [r for r in (self._from_row(row, moment) for row in rows)]
            usable = [r for r in usable if r.status == "approved"]
            if not usable:
                return None
            request = usable[0]
            if request.grant_kind == "once":
                conn.execute(
                    "UPDATE approvals SET status = 'used', used_at = ? WHERE id = ?",
                    (now, request.id),
                )
        return Grant(
            request.id,
            command,
            cwd,
            rules_fingerprint,
            request.grant_kind == "once",
            request.grant_until,
            request.decided_by,
            request.decided_at,
        )

    def _from_row(self, row: Sequence[Any], now: datetime) -> ApprovalRequest:
        return _request_from_row(row, now, self._boot())

    def _decidable(self, conn: Transaction, approval_id: str, now: datetime) -> ApprovalRequest:
        row = conn.execute(f"{_SELECT} WHERE id = ?", (_normalise_id(approval_id),)).fetchone()
        if row is None:
            raise ApprovalError(f"no approval request {approval_id!r}", "unknown")
        request = self._from_row(row, now)
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
        approver: Approver,
        outcome: str,
        note: str,
    ) -> None:
        head = append(
            conn,
            self._anchor,
            kind="approval",
            time=iso(now),
            cwd=request.cwd,
            user=approver.user,
            command=request.command,
            decision=request.tier,
            rules=list(request.rule_ids),
            mode="deny" if outcome == "denied" else "approve",
            agent=request.agent,
            session=request.session,
            approval_id=request.id,
            outcome=outcome,
            note=f"{note} (by {approver.user} on {approver.host} via {approver.route})",
        )
        self._heads.append(head)

    def _note_heads(self) -> None:
        """After commit: the decisions' audit rows go to the anchor file too."""
        while self._heads:
            self._anchor.note_head(*self._heads.pop(0))


def _new_approval_id() -> str:
    import base64
    import secrets

    # 5 random bytes are exactly 8 base32 characters; base32 has no 0/1/8/9, so nothing
    # looks like O/l/B/g, and lower case is easy to type.
    return base64.b32encode(secrets.token_bytes(5)).decode("ascii").lower()


def _request_from_row(
    row: Sequence[Any], now: datetime, boot: tuple[str, float] | None = None
) -> ApprovalRequest:
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
        bound,
        approvers,
        required,
        created_boot,
        decided_boot,
    ) = row
    if (status == "pending" and _expired(now, boot, created, created_boot, expires)) or (
        status == "approved"
        and grant_until is not None
        and _expired(now, boot, decided_at or created, decided_boot, grant_until)
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
        bound=bound or "",
        approvers=_load_approvers(approvers),
        required=int(required or 1),
    )


def _expired(
    now: datetime,
    boot: tuple[str, float] | None,
    since: str,
    since_boot: str | None,
    until: str,
) -> bool:
    """Whether a request or grant valid from `since` to `until` has run out.

    The wall clock can be set by anyone; so "now" earlier than `since` (beyond skew between
    machines) is a clock set back and counts as expired, and where `since` was taken on this
    boot, the boot clock's elapsed seconds give a lower bound for now that no setting of the
    wall clock can lower."""
    start = parse_time(since)
    if now < start - timedelta(seconds=CLOCK_SKEW_S):
        return True
    estimate = now
    recorded = _parse_boot(since_boot)
    if boot is not None and recorded is not None and recorded[0] == boot[0]:
        elapsed = boot[1] - recorded[1]
        if elapsed < -1.0:  # the same boot's clock never runs backwards: something is wrong
            return True
        estimate = max(estimate, start + timedelta(seconds=elapsed))
    return iso(estimate) >= until


def _boot_text(boot: tuple[str, float] | None) -> str | None:
    return None if boot is None else f"{boot[0]}@{boot[1]:.6f}"


def _parse_boot(text: str | None) -> tuple[str, float] | None:
    if not text or "@" not in text:
        return None
    boot_id, _, seconds = text.rpartition("@")
    try:
        return boot_id, float(seconds)
    except ValueError:
        return None


def _load_approvers(text: str | None) -> tuple[Approver, ...]:
    import json

    try:
        items = json.loads(text) if text else []
    except ValueError:
        return ()
    return tuple(
        Approver(
            user=str(item.get("user", "")),
            host=str(item.get("host", "")),
            route=str(item.get("route", "")),
            at=item.get("at"),
        )
        for item in items
        if isinstance(item, dict)
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
