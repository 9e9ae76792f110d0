"""Where snapshots live and how they are listed, budgeted and expired.

Each snapshot is a directory `STATE/snapshots/ID/` holding `manifest.json` (what was kept, for
which command, and how to put it back) and, for files, `files/N/` (hard links where the
state directory shares a filesystem with the target, copies otherwise). Git state is kept in
the repository itself, under `refs/safesh/snapshots/ID/…`, so `git gc` cannot collect it.

The size budget (`snapshot_budget`) bounds all snapshots together: older snapshots are
dropped to make room, and a snapshot larger than the whole budget is not taken. Snapshots
older than `snapshot_retention` are dropped when a new one is taken.

Imports: the standard library and `safesh.locations`.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

from safesh.record import field, mutable

MANIFEST = "manifest.json"


def snapshots_dir() -> Path:
    from safesh.locations import state_dir

    return state_dir() / "snapshots"


def new_id() -> str:
    """8 characters of lower-case base32, like approval ids: easy to read and type."""
    import base64
    import secrets

    return base64.b32encode(secrets.token_bytes(5)).decode("ascii").lower()


@mutable
class Manifest:
    """What one snapshot holds. `files` entries: {"target", "stored", "kind"}; `git` entries:
    {"kind": worktree|branch|stash, "repo", …}. Mutable while it is being built."""

    id: str
    command: str
    cwd: str
    created: float = field(default_factory=time.time)
    size: int = 0
    status: str = "kept"  # kept | restored
    files: list[dict[str, Any]] = field(default_factory=list)
    git: list[dict[str, Any]] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "command": self.command,
            "cwd": self.cwd,
            "created": self.created,
            "size": self.size,
            "status": self.status,
            "files": self.files,
            "git": self.git,
            "summary": self.summary,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        return cls(
            id=str(data["id"]),
            command=str(data.get("command", "")),
            cwd=str(data.get("cwd", "")),
            created=float(data.get("created", 0.0)),
            size=int(data.get("size", 0)),
            status=str(data.get("status", "kept")),
            files=list(data.get("files", [])),
            git=list(data.get("git", [])),
            summary=[str(s) for s in data.get("summary", [])],
        )


def save(directory: Path, manifest: Manifest) -> None:
    """Write the manifest atomically: a reader never sees half of one."""
    path = directory / MANIFEST
    partial = directory / (MANIFEST + ".partial")
    partial.write_text(json.dumps(manifest.to_dict(), indent=2), encoding="utf-8")
    os.replace(partial, path)


def load(snapshot_id: str) -> Manifest | None:
    if not snapshot_id.isalnum():
        return None
    path = snapshots_dir() / snapshot_id.lower() / MANIFEST
    try:
        return Manifest.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError):
        return None


def every() -> list[Manifest]:
    """Every complete snapshot, newest first (one whose manifest is missing was never
    finished and is not listed)."""
    root = snapshots_dir()
    found: list[Manifest] = []
    try:
        entries = list(root.iterdir())
    except OSError:
        return []
    for entry in entries:
        manifest = load(entry.name)
        if manifest is not None:
            found.append(manifest)
    return sorted(found, key=lambda m: m.created, reverse=True)


def make_room(size: int, budget: int, retention_s: float) -> str | None:
    """Drop expired snapshots, then the oldest until `size` more bytes fit in the budget.
    Returns why it cannot fit, or None."""
    if size > budget:
        return f"too large ({human(size)}, budget {human(budget)}; setting snapshot_budget)"
    now = time.time()
    kept: list[Manifest] = []
    for manifest in every():
        if now - manifest.created > retention_s:
            drop(manifest)
        else:
            kept.append(manifest)
    total = sum(m.size for m in kept)
    for manifest in sorted(kept, key=lambda m: m.created):
        if total + size <= budget:
            break
        drop(manifest)
        total -= manifest.size
    return None


def drop(manifest: Manifest) -> None:
    """Delete a snapshot: its directory and the git refs that kept its commits."""
    from safesh.undo.gitstate import drop_refs

    drop_refs(manifest)
    shutil.rmtree(snapshots_dir() / manifest.id, ignore_errors=True)


def human(size: int) -> str:
    from safesh.preview.types import human_size

    return human_size(size)
