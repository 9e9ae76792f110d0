"""Probe: rewriting or deleting remote branches (`push --force`, `push REMOTE +REF`,
`push --delete` / `:REF`, `push --mirror`).

The commits on the remote-tracking ref (`refs/remotes/REMOTE/BRANCH`) that the push would
leave unreachable on the remote, from local data only: nothing is fetched, so the answer is
as of the last fetch, and the preview says so.

Imports: the standard library, `safesh.model` and `safesh.preview`'s own modules.
"""

from __future__ import annotations

from safesh.model import Command, Context
from safesh.preview.files import git_subcommand
from safesh.preview.gitread import commits_lost, git, local_refs, resolve
from safesh.preview.types import MAX_ITEMS, Budget, Section, Settings, plural

_VALUED = frozenset({"-o", "--push-option", "--repo", "--receive-pack", "--exec"})
UNDO_REMOTE = (
    "no snapshot: the branch is on a remote; the dropped commits stay in this repository "
    "only while a local ref keeps them"
)


def probe(command: Command, context: Context, budget: Budget, settings: Settings) -> Section | None:
    parsed = git_subcommand(command, context)
    if parsed is None or parsed[1] != "push":
        return None
    directory, _, args = parsed
    flags, operands = _split(args)
    force = bool(flags & {"--force", "-f", "--force-with-lease", "--force-if-includes"}) or any(
        f.startswith("--force-with-lease=") for f in flags
    )
    delete = bool(flags & {"--delete", "-d"})
    mirror = "--mirror" in flags
    remote = operands[0] if operands else _default_remote(directory, budget)
    refspecs = operands[1:]
    if remote is None:
        return None
    tracking = local_refs(directory, budget, (f"refs/remotes/{remote}/",))
    if tracking is None:
        return None
    if not tracking:
        return _section(command, remote, [], [], "no remote-tracking refs for this remote", 0)
    keep_all = local_refs(directory, budget, ("refs/heads", "refs/remotes", "refs/tags")) or []
    lost: list[tuple[str, list[str]]] = []
    deleted: list[str] = []
    if mirror:
        locals_ = set(local_refs(directory, budget, ("refs/heads",)) or [])
        for ref in tracking:
            name = ref[len(f"refs/remotes/{remote}/") :]
            if name == "HEAD":
                continue
            local = f"refs/heads/{name}"
            if local in locals_:
                dropped = commits_lost(ref, [local], directory, budget) or []
            else:
                deleted.append(name)
                dropped = (
                    commits_lost(ref, [r for r in keep_all if r != ref], directory, budget) or []
                )
            if dropped:
                lost.append((name, dropped))
        return _section(command, remote, lost, deleted, None, len(tracking))
    for spec in refspecs or [_current_branch(directory, budget) or ""]:
        if not spec:
            continue
        plus = spec.startswith("+")
        src, colon, dst = spec.lstrip("+").partition(":")
        if not colon:
            dst = src
        dst = dst.removeprefix("refs/heads/")
        ref = f"refs/remotes/{remote}/{dst}"
        if ref not in tracking:
            continue
        if delete or (colon and not src):
            deleted.append(dst)
            dropped = commits_lost(ref, [r for r in keep_all if r != ref], directory, budget) or []
        elif force or plus:
            new = resolve(src or "HEAD", directory, budget)
            if new is None:
                continue
            dropped = commits_lost(ref, [new], directory, budget) or []
        else:
            continue
        if dropped:
            lost.append((dst, dropped))
    return _section(command, remote, lost, deleted, None, len(tracking))


def _split(args: list[str]) -> tuple[set[str], list[str]]:
    flags: set[str] = set()
    operands: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg in _VALUED:
            skip = True
        elif arg.startswith("-") and arg != "-":
            flags.add(arg)
            if not arg.startswith("--"):
                flags.update(f"-{letter}" for letter in arg[1:])
        else:
            operands.append(arg)
    return flags, operands


def _current_branch(directory: str, budget: Budget) -> str | None:
    out = git(["symbolic-ref", "-q", "--short", "HEAD"], directory, budget)
    return out.strip() or None if out is not None else None


def _default_remote(directory: str, budget: Budget) -> str | None:
    branch = _current_branch(directory, budget)
    if branch:
        out = git(["config", "--get", f"branch.{branch}.remote"], directory, budget)
        if out and out.strip():
            return out.strip()
    return "origin"


def _section(
    command: Command,
    remote: str,
    lost: list[tuple[str, list[str]]],
    deleted: list[str],
    note: str | None,
    tracked: int,
) -> Section:
    total = sum(len(commits) for _, commits in lost)
    items: list[str] = []
    for branch, commits in lost:
        items.append(f"{remote}/{branch}: {plural(len(commits), 'commit')} dropped")
        items += [f"  {c}" for c in commits[:MAX_ITEMS]]
    parts = [f"git push drops {plural(total, 'commit')} from {remote}"]
    if deleted:
        parts.append(
            f"deletes {plural(len(deleted), 'branch', 'branches')} ({', '.join(deleted[:5])})"
        )
    summary = " and ".join(parts) + " (as of the last fetch; nothing was fetched)"
    if note:
        summary = f"git push to {remote}: {note}; cannot tell what it drops"
    return Section(
        kind="commits",
        command=command.source,
        summary=summary,
        count=total if note is None else None,
        items=tuple(items[: MAX_ITEMS * 2]),
        more=max(0, len(items) - MAX_ITEMS * 2),
        complete=note is None,
        undo=UNDO_REMOTE,
        undoable=False,
    )
