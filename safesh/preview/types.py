"""The values the preview stage produces, and the budget its probes share.

A preview answers "what would be lost?" for a command that asks or is blocked. Each probe
family (files, git work, remote branches, SQLite rows, network dry runs) turns one command
into one `Section`; `Preview` holds the sections of one line plus what was skipped and why.

Imports: the standard library only (this module is imported by `safesh.api` for typing and
by every probe).
"""

from __future__ import annotations

import time

from safesh.record import field, frozen, mutable, replace

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from typing import Any

# How many items a section lists; the rest is counted in `more`.
MAX_ITEMS = 20


@frozen
class Section:
    """What one command would destroy, as one probe found it.

    `count` is the number of things lost (files, changed files, commits, rows) when the probe
    can count them; `complete` is False when the count is a lower bound (a capped walk, a
    probe cut short by the budget). `undo` says, before anyone decides, whether safesh can
    keep a snapshot if the command runs (None: the family has no undo)."""

    kind: str  # files | git-work | commits | rows | plan
    command: str
    summary: str
    count: int | None = None
    items: tuple[str, ...] = ()
    more: int = 0
    complete: bool = True
    undo: str | None = None
    undoable: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "command": self.command,
            "summary": self.summary,
            "count": self.count,
            "items": list(self.items),
            "more": self.more,
            "complete": self.complete,
            "undo": self.undo,
            "undoable": self.undoable,
        }


@frozen
class Preview:
    """Every section for one line, and the probes that did not run (with the reason)."""

    sections: tuple[Section, ...] = ()
    notes: tuple[str, ...] = ()
    cut_short: bool = False

    @property
    def summary(self) -> str:
        parts = [section.summary for section in self.sections]
        if self.cut_short:
            parts.append("preview cut short by its time budget")
        elif not parts and self.notes:
            parts.append(self.notes[0])
        return "; ".join(parts) or "nothing to preview"

    @property
    def count(self) -> int | None:
        """The number of things lost, when every section counts the same kind of thing."""
        counted = [s for s in self.sections if s.count is not None]
        if not counted or len({s.kind for s in self.sections}) != 1:
            return None
        if len(counted) != len(self.sections):
            return None
        return sum(s.count for s in counted if s.count is not None)

    @property
    def items(self) -> tuple[str, ...]:
        flat: list[str] = []
        for section in self.sections:
            flat.extend(section.items)
        return tuple(flat[: MAX_ITEMS * 2])

    @property
    def undo_notes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.undo for s in self.sections if s.undo))

    def never_runs(self) -> Preview:
        """This preview for a blocked line: what it would destroy, without the undo notes
        (\"a snapshot is kept if it runs\"), which promise something for a line that cannot run."""
        kept = tuple(replace(section, undo=None, undoable=None) for section in self.sections)
        return replace(self, sections=kept)

    def lines(self, indent: str = "  ") -> list[str]:
        """The preview as a person reads it under a prompt or a refusal."""
        out: list[str] = []
        for section in self.sections:
            out.append(f"{indent}preview: {section.summary}")
            for item in section.items:
                out.append(f"{indent}    {item}")
            if section.more:
                out.append(f"{indent}    … and {section.more} more")
            if section.undo:
                out.append(f"{indent}    undo: {section.undo}")
        if self.cut_short:
            out.append(f"{indent}preview: cut short by its time budget; it may be incomplete")
        for note in self.notes:
            out.append(f"{indent}preview: {note}")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "count": self.count,
            "items": list(self.items),
            "sections": [section.to_dict() for section in self.sections],
            "cut_short": self.cut_short,
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Preview:
        """The inverse of `to_dict`, for previews kept with an approval request."""
        sections = tuple(
            Section(
                kind=str(s.get("kind", "")),
                command=str(s.get("command", "")),
                summary=str(s.get("summary", "")),
                count=s.get("count"),
                items=tuple(str(i) for i in s.get("items", ())),
                more=int(s.get("more", 0) or 0),
                complete=bool(s.get("complete", True)),
                undo=s.get("undo"),
                undoable=s.get("undoable"),
            )
            for s in data.get("sections", ())
            if isinstance(s, dict)
        )
        notes = tuple(str(n) for n in data.get("notes", ()))
        return cls(sections, notes, bool(data.get("cut_short", False)))


class BudgetExceeded(Exception):
    """A probe ran out of the shared time budget; what it found so far is incomplete."""


@mutable
class Budget:
    """The wall-clock time every probe of one preview shares. Probes check it as they go
    (walks every few hundred entries, SQLite through a progress handler) and pass what is
    left as the timeout of any program they run, so no probe can hold the answer past it."""

    seconds: float
    started: float = field(default_factory=time.monotonic)

    def remaining(self) -> float:
        return max(0.0, self.seconds - (time.monotonic() - self.started))

    def expired(self) -> bool:
        return self.remaining() <= 0.0

    def check(self) -> None:
        if self.expired():
            raise BudgetExceeded


@frozen
class Settings:
    """The user's `[settings]` that shape previews and snapshots, with their defaults."""

    budget_s: float = 0.5
    max_entries: int = 20000
    network: bool = False
    snapshot_budget_bytes: int = 200 * 1024 * 1024
    snapshot_retention_s: float = 7 * 86400.0

    @classmethod
    def from_pairs(cls, pairs: tuple[tuple[str, str], ...] | dict[str, str]) -> Settings:
        values = dict(pairs)
        defaults = cls()
        return cls(
            budget_s=_seconds(values.get("preview_budget"), defaults.budget_s),
            max_entries=_int(values.get("preview_max_files"), defaults.max_entries),
            network=values.get("preview_network", "off").strip().lower() in _ON,
            snapshot_budget_bytes=_bytes(
                values.get("snapshot_budget"), defaults.snapshot_budget_bytes
            ),
            snapshot_retention_s=_seconds(
                values.get("snapshot_retention"), defaults.snapshot_retention_s
            ),
        )


_ON = frozenset({"on", "true", "yes", "1"})
_TIME_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_SIZE_UNITS = {
    "": 1,
    "b": 1,
    "k": 1024,
    "kb": 1024,
    "m": 1024**2,
    "mb": 1024**2,
    "g": 1024**3,
    "gb": 1024**3,
}


def parse_seconds(text: str) -> float:
    """`500ms`, `2s`, `7d`, a bare number of seconds."""
    import re

    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*", text.lower())
    if match is None:
        raise ValueError(f"not a duration: {text!r} (use 500ms, 2s, 30m, 7d)")
    return float(match.group(1)) * _TIME_UNITS[match.group(2) or "s"]


def parse_bytes(text: str) -> int:
    """`200MB`, `1G`, `4096`."""
    import re

    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?b?)\s*", text.lower())
    if match is None:
        raise ValueError(f"not a size: {text!r} (use 200MB, 1GB, 4096)")
    return int(float(match.group(1)) * _SIZE_UNITS[match.group(2)])


def _seconds(text: str | None, default: float) -> float:
    if text is None:
        return default
    try:
        return parse_seconds(text)
    except ValueError:
        return default


def _bytes(text: str | None, default: int) -> int:
    if text is None:
        return default
    try:
        return parse_bytes(text)
    except ValueError:
        return default


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count} {word if count == 1 else (words or word + 's')}"


def setting_problem(name: str, value: str) -> str | None:
    """What is wrong with the value of a preview or snapshot setting, if anything (the rules
    loader reports it as a rules error, so a typo is never silently a default)."""
    try:
        if name in ("preview_budget", "snapshot_retention"):
            parse_seconds(value)
        elif name == "snapshot_budget":
            parse_bytes(value)
        elif name == "preview_max_files" and not value.isdigit():
            return "setting 'preview_max_files' must be a whole number"
        elif name == "preview_network" and value.lower() not in ("on", "off"):
            return 'setting \'preview_network\' must be "on" or "off"'
    except ValueError as error:
        return f"setting {name!r}: {error}"
    return None
