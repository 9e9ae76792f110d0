"""Undo: before a destructive local command runs because a human approved or confirmed it,
keep a snapshot of what it would destroy; `safesh undo ID` puts it back.

    Report (ask/block, approved) -> take() -> STATE/snapshots/ID + refs/safesh/snapshots/ID
    safesh undo ID -> undo() -> refuses if anything changed since, else restores

What is kept, per command (the same commands the preview probes):
    rm / unlink / shred / srm / find -delete / git clean -f   the files (hard links or copies)
    git reset --hard, checkout --/., restore                    `git stash create` + HEAD
    git branch -D                                               the branch's commit
    git stash drop / clear                                      the stash commits

Nothing here may stop an approved command or change a decision: `take` never raises, and a
snapshot that cannot be taken (over the budget, a remote target) is reported, not fatal.

Imports: `safesh.model`, `safesh.preview` and this package (never a front end).
"""

from __future__ import annotations

import os

from safesh.model import Tier
from safesh.record import frozen

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from typing import Any

    from safesh.api import Report
    from safesh.preview.files import Deletion
    from safesh.preview.gitwork import GitWork
    from safesh.preview.types import Budget, Settings

# Listing and measuring what to keep may take longer than a preview (the human already said
# yes), but never unboundedly: a hook that answers late is treated by some agents as no hook.
_WALK_BUDGET_S = 5.0
_MAX_ENTRIES = 100_000


@frozen
class Taken:
    """The outcome of `take`: the snapshot's id (None if nothing was kept), what it holds,
    and what could not be kept and why."""

    id: str | None
    kept: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    def message(self) -> str:
        lines = []
        if self.id is not None:
            lines.append(
                f"safesh: snapshot {self.id} kept ({'; '.join(self.kept)}); "
                f"`safesh undo {self.id}` restores it"
            )
        lines += [f"safesh: no snapshot: {problem}" for problem in self.problems]
        return "".join(line + "\n" for line in lines)

    @property
    def note(self) -> str:
        """For the audit record."""
        if self.id is not None:
            return f"snapshot {self.id}"
        return "no snapshot: " + "; ".join(self.problems)


@frozen
class Undone:
    ok: bool
    restored: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


def take(report: Report) -> Taken | None:
    """Keep what `report`'s destructive local commands would destroy. None when the line
    destroys nothing this package knows how to keep. Never raises."""
    if report.tier.severity < Tier.ASK.severity:
        return None
    try:
        return _take(report)
    except Exception as error:  # a snapshot is a safety net: its failure must not stop the run
        return Taken(None, problems=(f"{type(error).__name__}: {error}",))


def _take(report: Report) -> Taken | None:
    from safesh.preview import decisive_commands
    from safesh.preview.files import deletion
    from safesh.preview.gitwork import git_work
    from safesh.preview.types import Budget, Settings

    settings = Settings.from_pairs(report.settings)
    context = report.analysis.context
    budget = Budget(_WALK_BUDGET_S)
    file_targets: list[str] = []
    copy_only = False
    works: list[GitWork] = []
    problems: list[str] = []
    for command in decisive_commands(report.analysis):
        if command.remote_host is not None:
            problems.append(f"`{command.name}` runs on {command.remote_host}, not here")
            continue
        found = deletion(command, context, budget)
        if found is not None:
            if found.unknown:
                problems.append(f"`{command.name}` deletes paths only known when it runs")
                continue
            targets = _targets(found, budget)
            if targets is None:
                problems.append(f"`{command.name}`: its files could not be listed in time")
                continue
            file_targets += targets
            copy_only = copy_only or command.name in ("shred", "srm")
            continue
        work = git_work(command, context)
        if work is not None:
            works.append(work)
    if not file_targets and not works:
        return Taken(None, problems=tuple(problems)) if problems else None
    return _store(report, file_targets, copy_only, works, problems, settings)


def _targets(found: Deletion, budget: Budget) -> list[str] | None:
    """The paths to keep: whole targets, or for `find -delete` the files it matches."""
    from safesh.preview.files import Tally, walk_target
    from safesh.preview.types import BudgetExceeded

    existing = [t for t in found.targets if os.path.lexists(t)]
    if found.matcher is None:
        if found.recursive:
            return existing
        return [t for t in existing if not os.path.isdir(t) or os.path.islink(t)]
    tally = Tally()
    try:
        for target in existing:
            walk_target(target, found, tally, budget, _MAX_ENTRIES)
    except BudgetExceeded:
        return None
    return sorted(tally.matched) if tally.complete else None


def _store(
    report: Report,
    file_targets: list[str],
    copy_only: bool,
    works: list[GitWork],
    problems: list[str],
    settings: Settings,
) -> Taken:
    import shutil

    from safesh.undo import files as kept_files
    from safesh.undo import gitstate
    from safesh.undo.keep import Manifest, make_room, new_id, save, snapshots_dir

    size = _measure(file_targets)
    if size is None:
        problems.append(
            f"too many files to keep (over {_MAX_ENTRIES} or {_WALK_BUDGET_S:g}s to list them)"
        )
        file_targets, size = [], 0
    too_big = make_room(size, settings.snapshot_budget_bytes, settings.snapshot_retention_s)
    if too_big is not None:
        problems.append(too_big)
        file_targets = []
    manifest = Manifest(new_id(), report.command, report.analysis.context.cwd, size=size)
    directory = snapshots_dir() / manifest.id
    directory.mkdir(mode=0o700, parents=True)
    try:
        if file_targets:
            manifest.files = kept_files.keep(file_targets, directory, copy_only)
            if manifest.files:
                count = len(manifest.files)
                manifest.summary.append(f"{count} path{'s' if count != 1 else ''}")
        for work in works:
            try:
                entry = gitstate.keep(work, manifest.id)
            except (gitstate.GitFailed, OSError) as error:
                problems.append(str(error))
                continue
            if entry is not None:
                manifest.git.append(entry)
                manifest.summary.append(_describe(entry))
        if not manifest.files and not manifest.git:
            shutil.rmtree(directory, ignore_errors=True)
            return Taken(None, problems=tuple(problems or ["nothing to keep"]))
        save(directory, manifest)
    except BaseException:
        gitstate.drop_refs(manifest)
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return Taken(manifest.id, tuple(manifest.summary), tuple(problems))


def _describe(entry: dict[str, Any]) -> str:
    if entry["kind"] == "branch":
        return "branch " + ", ".join(str(b["name"]) for b in entry["branches"])
    if entry["kind"] == "stash":
        return f"{len(entry['stashes'])} stash entries"
    return "working-tree changes" if entry.get("stash") else "the branch position"


def _measure(targets: list[str]) -> int | None:
    """The bytes under `targets`, or None when listing them exceeds the entry cap or the
    time budget (then no snapshot is taken, and the human is told)."""
    from safesh.preview.files import Deletion, Tally, walk_target
    from safesh.preview.types import Budget, BudgetExceeded

    everything = Deletion(tuple(targets), (), True, "/")
    tally = Tally()
    budget = Budget(_WALK_BUDGET_S)
    try:
        for target in targets:
            walk_target(target, everything, tally, budget, _MAX_ENTRIES)
    except BudgetExceeded:
        return None
    return tally.bytes if tally.complete else None


def undo(snapshot_id: str) -> Undone:
    """Restore snapshot `snapshot_id`, or refuse (changing nothing) when anything it would
    put back has changed since."""
    from safesh.undo import files as kept_files
    from safesh.undo import gitstate
    from safesh.undo.keep import load, save, snapshots_dir

    manifest = load(snapshot_id)
    if manifest is None:
        return Undone(False, problems=(f"no snapshot {snapshot_id!r} (see `safesh snapshots`)",))
    if manifest.status == "restored":
        return Undone(False, problems=(f"snapshot {manifest.id} was already restored",))
    directory = snapshots_dir() / manifest.id
    clashing, in_place = kept_files.conflicts(manifest.files, directory)
    problems = [f"{path} exists again and differs from the snapshot" for path in clashing]
    for entry in manifest.git:
        problems += gitstate.check(entry)
    if problems:
        return Undone(False, problems=tuple(problems))
    restored = kept_files.restore(manifest.files, directory, set(in_place))
    for entry in manifest.git:
        restored += gitstate.restore(entry)
    manifest.status = "restored"
    save(directory, manifest)
    return Undone(True, restored=tuple(restored))


def audit_note(report: Report, taken: Taken | None) -> str | None:
    """The audit record's note: the preview's one-line summary and the snapshot, if any."""
    parts = []
    if report.preview is not None:
        parts.append(f"preview: {report.preview.summary}")
    if taken is not None:
        parts.append(taken.note)
    return "; ".join(parts) or None
