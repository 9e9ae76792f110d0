"""The values of the store: what callers hand in and get back, its errors, and the time and
duration helpers every store module shares.

Plain frozen records (safesh.record) with no behaviour beyond formatting. May import only the
standard library, safesh.record and safesh.digest; every other store module imports this one,
never the reverse.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from safesh.record import frozen

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from datetime import UTC as UTC
    from datetime import datetime as datetime
    from datetime import timedelta as timedelta
    from typing import Any, Literal
else:
    # The store's time types, for every store module: the C implementation directly.
    # `datetime` the module is a pure-Python copy (~1 ms to import on every command) that
    # ends by importing these same classes from `_datetime`.
    try:
        from _datetime import UTC, datetime, timedelta
    except ImportError:  # an interpreter without the C module
        from datetime import UTC, datetime, timedelta  # noqa: F401

GENESIS_HASH = "0" * 64
DEFAULT_TTL_S = 86400.0
# An approved-once grant that is never used should not stay valid forever.
ONCE_GRANT_TTL_S = 86400.0

Clock = Callable[[], datetime]


class StoreError(Exception):
    """The store cannot be used (unreadable, corrupt, newer schema, unwritable location).

    Callers fail closed on it: a command that needs a human is refused, never let through."""


class StoreBusy(StoreError):
    """The store's lock was held past the wait: another process is writing (or stuck).
    Front ends wait about a second for it, then answer as if the store were unusable."""


if TYPE_CHECKING:
    ApprovalProblem = Literal["unknown", "expired", "decided", "blocked", "same-approver"]


class ApprovalError(Exception):
    """An approve/deny that cannot be done. `problem` says why, the message says it to a human."""

    def __init__(self, message: str, problem: ApprovalProblem) -> None:
        super().__init__(message)
        self.problem: ApprovalProblem = problem


# ---------------------------------------------------------------------------------------------
# Values


@frozen
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


@frozen
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


@frozen
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


@frozen
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
    # The binding key (`Binding.key`): what else the grant is bound to, as stored.
    bound: str = ""
    # Everyone who approved it so far, and how many distinct people it needs.
    approvers: tuple[Approver, ...] = ()
    required: int = 1

    @property
    def bound_argv(self) -> list[str]:
        return list(_bound_part(self.bound, "argv") or [])

    @property
    def bound_env(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in _bound_part(self.bound, "env") or []}

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
            "argv": self.bound_argv,
            "env": self.bound_env,
            "approvers": [a.to_dict() for a in self.approvers],
            "required_approvers": self.required,
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


def _bound_part(bound: str, name: str) -> Any:
    import json

    try:
        value = json.loads(bound) if bound else {}
    except ValueError:
        return None
    return value.get(name) if isinstance(value, dict) else None


@frozen
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


@frozen
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


@frozen
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
    """The login name of this process's user id: who approved, who ran. Taken from the
    account, not from USER or LOGNAME, which any command line can set."""
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):  # no passwd entry (containers), or not POSIX
        import getpass

        try:
            return getpass.getuser()
        except Exception:
            return str(os.getuid())


def canonical(value: object) -> str:
    """`json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`: the
    text the audit chain hashes. Written here for what the store hands it (str-keyed dicts,
    lists, strings, numbers, None), since importing json costs ~1.3 ms of every recorded
    command; anything else is json's own output. Tests check both agree."""
    parts: list[str] = []
    if _encode(value, parts):
        return "".join(parts)
    import json

    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# json's escapes for a string with ensure_ascii=False: `"`, `\` and the C0 controls.
_JSON_ESCAPES = {
    ord("\\"): "\\\\",
    ord('"'): '\\"',
    8: "\\b",
    12: "\\f",
    10: "\\n",
    13: "\\r",
    9: "\\t",
}
_JSON_ESCAPES.update({code: f"\\u{code:04x}" for code in range(0x20) if code not in _JSON_ESCAPES})
_INFINITY = float("inf")


def _encode(value: object, parts: list[str]) -> bool:
    """Append `value`'s canonical JSON to `parts`; False (parts then unusable) for a value
    this encoder leaves to json. Exact types only: a subclass may encode differently."""
    kind = type(value)
    if isinstance(value, str) and kind is str:
        parts.append('"' + value.translate(_JSON_ESCAPES) + '"')
    elif value is None:
        parts.append("null")
    elif isinstance(value, bool):
        parts.append("true" if value else "false")
    elif isinstance(value, int) and kind is int:
        parts.append(int.__repr__(value))
    elif isinstance(value, float) and kind is float:
        if value != value or value in (_INFINITY, -_INFINITY):
            return False  # NaN and the infinities: json's own spellings
        parts.append(float.__repr__(value))
    elif isinstance(value, list | tuple) and kind in (list, tuple):
        parts.append("[")
        for index, item in enumerate(value):
            if index:
                parts.append(",")
            if not _encode(item, parts):
                return False
        parts.append("]")
    elif isinstance(value, dict) and kind is dict:
        if not all(type(key) is str for key in value):
            return False  # json converts other keys, and sorts them its own way
        parts.append("{")
        for index, key in enumerate(sorted(value)):
            if index:
                parts.append(",")
            parts.append('"' + key.translate(_JSON_ESCAPES) + '":')
            if not _encode(value[key], parts):
                return False
        parts.append("}")
    else:
        return False
    return True


def printable(text: str) -> str:
    """`text` as it can be stored: any string, lone surrogates and bytes that were not UTF-8
    (Python keeps those as surrogate escapes) included, becomes valid UTF-8 by writing each
    such byte as `\\xNN`. A command is recorded whatever bytes it holds; it is never dropped
    because one character cannot be encoded. Valid text comes back unchanged."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    raw = bytearray()
    for char in text:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the byte that was not UTF-8
            raw.append(code - 0xDC00)
        else:
            raw += char.encode("utf-8", "surrogatepass")
    return raw.decode("utf-8", "backslashreplace")


def raw_digest(*parts: str) -> str:
    """SHA-256 of the exact code points of `parts`: two strings that `printable` writes alike
    (a real byte 0xFF and the four characters `\\xff`) still differ here."""
    from safesh.digest import sha256

    digest = sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()


@frozen
class Binding:
    """What an approval is for beyond the command text, working directory and rules
    fingerprint: the effective command a human approved.

    `argv` is the shell's own arguments ($0, the positional parameters, options) - `rm -rf
    "$1"` approved with ./build is not the same command with /; `env` the variables the rules
    read for production context (KUBECONFIG, AWS_PROFILE, ...); `findings` the decisive rule
    ids, so a grant given for one concern does not cover a line that now raises another."""

    argv: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    findings: tuple[str, ...] = ()

    def key(self, command: str, cwd: str) -> str:
        """The stored form a grant is matched on (exact, printable JSON)."""
        return canonical(
            {
                "argv": [printable(a) for a in self.argv],
                "env": [[printable(k), printable(v)] for k, v in self.env],
                "findings": sorted(self.findings),
                "raw": raw_digest(command, cwd, *self.argv, *(f"{k}={v}" for k, v in self.env)),
            }
        )

    def describe(self) -> dict[str, Any]:
        """For a human deciding: what else was bound."""
        return {
            "argv": [printable(a) for a in self.argv],
            "env": {printable(k): printable(v) for k, v in self.env},
        }


@frozen
class Approver:
    """Who gave an approval: the user, the machine, and the route (cli | web | ...)."""

    user: str
    host: str
    route: str = "cli"
    at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"user": self.user, "host": self.host, "route": self.route, "at": self.at}


def current_host() -> str:
    import socket

    try:
        return socket.gethostname() or "localhost"
    except OSError:
        return "localhost"


BootClock = Callable[[], "tuple[str, float] | None"]


def boot_clock() -> tuple[str, float] | None:
    """(boot id, seconds since boot) where the system has a clock no user can set (Linux's
    CLOCK_BOOTTIME, counting suspend), else None. Grants measure their age with it, so setting
    the wall clock back cannot revive an expired grant."""
    import time

    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as handle:
            boot_id = handle.read().strip()
        return boot_id, time.clock_gettime(time.CLOCK_BOOTTIME)
    except (OSError, AttributeError, ValueError):
        return None
