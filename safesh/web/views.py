"""What each page of `safesh serve` shows, as plain values computed from the store.

No web library here: the app module renders these with templates, and tests can read them
directly. May import `safesh.store` and the standard library.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from safesh.record import field, frozen, mutable
from safesh.store import ApprovalRequest, AuditRecord, LogQuery, parse_duration, parse_time

DECISIONS = ("allow", "notify", "ask", "block")
GRANT_DURATIONS = ("15m", "1h", "8h", "24h")
LOG_LIMIT = 300
SUMMARY_WINDOW = 2000


def span(seconds: float) -> str:
    """A rough human duration: 45s, 12m, 3h05m, 2d4h."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours}h"


def local_time(stamp: str) -> str:
    try:
        return parse_time(stamp).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return stamp


# -- pending approvals -------------------------------------------------------------------------


@frozen
class PendingItem:
    request: ApprovalRequest
    age: str
    expires_in: str
    recent: tuple[AuditRecord, ...] = ()


def pending_items(
    requests: Iterable[ApprovalRequest],
    now: datetime,
    recent: Mapping[str, tuple[AuditRecord, ...]] | None = None,
) -> list[PendingItem]:
    items = []
    for request in requests:
        age = (now - parse_time(request.created)).total_seconds()
        left = (parse_time(request.expires) - now).total_seconds()
        context = (recent or {}).get(request.id, ())
        items.append(PendingItem(request, span(age), span(left), context))
    return items


# -- the audit timeline ------------------------------------------------------------------------


@frozen
class LogFilters:
    """The timeline's filters as typed in the page (strings), and any problem with them."""

    since: str = ""
    decision: str = ""
    rule: str = ""
    agent: str = ""
    session: str = ""
    cwd: str = ""
    grep: str = ""
    problems: tuple[str, ...] = ()

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> LogFilters:
        values = {
            name: params.get(name, "").strip()
            for name in ("since", "decision", "rule", "agent", "session", "cwd", "grep")
        }
        problems = []
        if values["decision"] and values["decision"] not in DECISIONS:
            problems.append(f"unknown decision {values['decision']!r}")
            values["decision"] = ""
        return cls(**values, problems=tuple(problems))

    def query(self, now: datetime) -> tuple[LogQuery, tuple[str, ...]]:
        problems = list(self.problems)
        since = None
        if self.since:
            try:
                since = parse_since(self.since, now)
            except ValueError as error:
                problems.append(str(error))
        query = LogQuery(
            since=since,
            decision=self.decision or None,
            rule=self.rule or None,
            cwd=self.cwd or None,
            grep=self.grep or None,
            agent=self.agent or None,
            session=self.session or None,
            limit=LOG_LIMIT,
        )
        return query, tuple(problems)

    def params(self) -> dict[str, str]:
        names = ("since", "decision", "rule", "agent", "session", "cwd", "grep")
        return {name: getattr(self, name) for name in names if getattr(self, name)}


def parse_since(text: str, now: datetime) -> datetime:
    """A duration back from now (30m, 1h, 2d) or an ISO 8601 time."""
    try:
        return now - timedelta(seconds=parse_duration(text))
    except ValueError:
        pass
    try:
        return parse_time(text)
    except ValueError:
        raise ValueError(
            f"not a duration or a time: {text!r} (e.g. 1h, 2d, 2024-05-01T12:00)"
        ) from None


# -- the notify queue --------------------------------------------------------------------------


def needs_a_look(records: Iterable[AuditRecord], reviewed: set[int]) -> list[AuditRecord]:
    """Commands that ran with a `notify` finding and nobody has marked reviewed, newest first."""
    found = [
        record
        for record in records
        if record.kind == "command" and record.decision == "notify" and record.id not in reviewed
    ]
    return sorted(found, key=lambda record: record.id, reverse=True)


# -- what each agent session did ---------------------------------------------------------------


@mutable
class SessionSummary:
    agent: str
    session: str
    first: str
    last: str
    decisions: dict[str, int] = field(default_factory=dict)
    directories: list[str] = field(default_factory=list)
    stopped: list[AuditRecord] = field(default_factory=list)
    commands: int = 0

    @property
    def key(self) -> tuple[str, str]:
        return (self.agent, self.session)


def session_summaries(records: Iterable[AuditRecord]) -> list[SessionSummary]:
    """One summary per (agent, session) of command records, the most recently active first:
    how many commands, each decision's count, the directories, and what was stopped."""
    found: dict[tuple[str, str], SessionSummary] = {}
    for record in records:
        if record.kind != "command":
            continue
        key = (record.agent or "-", record.session or "-")
        summary = found.get(key)
        if summary is None:
            summary = found[key] = SessionSummary(key[0], key[1], record.time, record.time)
        summary.last = record.time
        summary.commands += 1
        decision = record.decision or "?"
        summary.decisions[decision] = summary.decisions.get(decision, 0) + 1
        if record.cwd and record.cwd not in summary.directories:
            summary.directories.append(record.cwd)
        if decision in ("ask", "block"):
            summary.stopped.append(record)
    return sorted(found.values(), key=lambda summary: summary.last, reverse=True)
