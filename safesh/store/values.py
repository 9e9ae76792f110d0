"""The values of the store: what callers hand in and get back, its errors, and the time and
duration helpers every store module shares.

Plain frozen dataclasses with no behaviour beyond formatting. May import only the standard
library; every other store module imports this one, never the reverse.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from typing import Any, Literal

GENESIS_HASH = "0" * 64
DEFAULT_TTL_S = 86400.0
# An approved-once grant that is never used should not stay valid forever.
ONCE_GRANT_TTL_S = 86400.0

Clock = Callable[[], datetime]


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
    preview: str | None = None  # JSON: what the command would destroy (safesh.preview)

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
            "preview": self.preview_dict(),
        }

    def preview_dict(self) -> dict[str, Any] | None:
        """The preview kept with the request, or None (none taken, or unreadable)."""
        import json

        if not self.preview:
            return None
        try:
            value = json.loads(self.preview)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None


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


def canonical(value: object) -> str:
    import json

    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
