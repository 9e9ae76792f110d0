"""Probe: discarding git work (`reset --hard`, `checkout -- PATHS` / `checkout .`, `restore`,
`stash drop` / `stash clear`, `branch -D`).

Names the uncommitted changes that would be discarded (from `git status`, which with
GIT_OPTIONAL_LOCKS=0 does not write the index) and the commits that no other branch or
remote-tracking ref keeps.

Imports: the standard library, `safesh.model` and `safesh.preview`'s own modules.
"""

from __future__ import annotations

from safesh.model import Command, Context
from safesh.preview.files import git_subcommand
from safesh.preview.gitread import commits_lost, git, local_refs, resolve
from safesh.preview.types import MAX_ITEMS, Budget, Section, Settings, plural
from safesh.record import frozen

UNDO_OK = "a snapshot is kept if it runs (`safesh snapshots`, `safesh undo ID`)"


@frozen
class GitWork:
    """What a git command would discard, as the probe and the snapshots see it."""

    action: str  # reset-hard | discard-paths | stash-drop | stash-clear | branch-delete
    directory: str
    paths: tuple[str, ...] = ()  # checkout/restore pathspecs
    refs: tuple[str, ...] = ()  # reset target, stash entries, branch names
    staged: bool = False  # restore --staged: the index is discarded too


def git_work(command: Command, context: Context) -> GitWork | None:
    parsed = git_subcommand(command, context)
    if parsed is None:
        return None
    directory, sub, args = parsed
    flags = {a for a in args if a.startswith("-")}
    operands = [a for a in args if not a.startswith("-")]
    if sub == "reset" and "--hard" in flags:
        return GitWork("reset-hard", directory, refs=tuple(operands[:1]))
    if sub == "checkout" and ("--" in args or operands == ["."]):
        paths = args[args.index("--") + 1 :] if "--" in args else ["."]
        return GitWork("discard-paths", directory, paths=tuple(paths) or (".",))
    if sub == "restore" and operands:
        staged = bool(flags & {"--staged", "-S"}) or any(
            f.startswith("-") and not f.startswith("--") and "S" in f for f in flags
        )
        worktree = bool(flags & {"--worktree", "-W"}) or not staged
        if not worktree:
            return None  # unstaging only: nothing is lost
        paths = [a for a in args[args.index("--") + 1 :]] if "--" in args else operands
        return GitWork("discard-paths", directory, paths=tuple(paths), staged=staged)
    if sub == "stash" and operands[:1] == ["drop"]:
        return GitWork("stash-drop", directory, refs=tuple(operands[1:2]) or ("stash@{0}",))
    if sub == "stash" and operands[:1] == ["clear"]:
        return GitWork("stash-clear", directory)
    if sub == "branch" and _force_delete(args):
        return GitWork("branch-delete", directory, refs=tuple(operands))
    return None


def _force_delete(args: list[str]) -> bool:
    if "-D" in args:
        return True
    deletes = "-d" in args or "--delete" in args
    return deletes and ("-f" in args or "--force" in args)


def probe(command: Command, context: Context, budget: Budget, settings: Settings) -> Section | None:
    work = git_work(command, context)
    if work is None:
        return None
    if work.action == "reset-hard":
        return _reset(command, work, budget)
    if work.action == "discard-paths":
        return _discard(command, work, budget)
    if work.action in ("stash-drop", "stash-clear"):
        return _stash(command, work, budget)
    return _branches(command, work, budget)


def changed_files(directory: str, budget: Budget, paths: tuple[str, ...] = ()) -> list[str] | None:
    """`M path` lines for tracked files whose changes (staged or not) differ from HEAD."""
    out = git(
        ["status", "--porcelain=v1", "--untracked-files=no", "--ignore-submodules", "--", *paths],
        directory,
        budget,
    )
    if out is None:
        return None
    return [line[:2].strip() + " " + line[3:] for line in out.splitlines() if line.strip()]


def _reset(command: Command, work: GitWork, budget: Budget) -> Section | None:
    changed = changed_files(work.directory, budget)
    if changed is None:
        return None
    parts = [f"discards uncommitted changes to {plural(len(changed), 'file')}"]
    items = list(changed)
    lost_commits: list[str] = []
    if work.refs:
        head = resolve("HEAD", work.directory, budget)
        target = resolve(work.refs[0], work.directory, budget)
        if head and target and head != target:
            others = local_refs(work.directory, budget, ("refs/heads", "refs/remotes", "refs/tags"))
            branch = git(["symbolic-ref", "-q", "HEAD"], work.directory, budget)
            keep = [r for r in others or [] if r != (branch or "").strip()]
            lost_commits = commits_lost(head, [target, *keep], work.directory, budget) or []
            if lost_commits:
                parts.append(
                    f"moves the branch off {plural(len(lost_commits), 'commit')} no other ref keeps"
                )
                items += [f"commit {c}" for c in lost_commits]
    summary = f"git reset --hard {' and '.join(parts)}"
    return _work_section(command, summary, len(changed), items, bool(changed or lost_commits))


def _discard(command: Command, work: GitWork, budget: Budget) -> Section | None:
    out = git(
        [
            "diff",
            "--no-ext-diff",
            "--no-textconv",
            "--numstat",
            *(["HEAD"] if work.staged else []),
            "--",
            *work.paths,
        ],
        work.directory,
        budget,
    )
    if out is None:
        return None
    items = []
    for line in out.splitlines():
        fields = line.split("\t", 2)
        if len(fields) == 3:
            items.append(f"{fields[2]}  (+{fields[0]} -{fields[1]})")
    what = "git restore" if "restore" in command.argv else "git checkout"
    summary = f"{what} discards uncommitted changes to {plural(len(items), 'file')}"
    return _work_section(command, summary, len(items), items, bool(items))


def _stash(command: Command, work: GitWork, budget: Budget) -> Section | None:
    out = git(["stash", "list", "--format=%gd %s"], work.directory, budget)
    if out is None:
        return None
    entries = [line for line in out.splitlines() if line]
    if work.action == "stash-drop":
        ref = work.refs[0]
        if ref.isdigit():
            ref = f"stash@{{{ref}}}"
        entries = [e for e in entries if e.split(" ", 1)[0] == ref]
    what = "git stash drop" if work.action == "stash-drop" else "git stash clear"
    summary = f"{what} loses {plural(len(entries), 'stash entry', 'stash entries')}"
    return _work_section(command, summary, len(entries), entries, bool(entries))


def _work_section(
    command: Command, summary: str, count: int, items: list[str], kept: bool
) -> Section:
    """A section for work in this repository: its first MAX_ITEMS items listed, the rest
    counted; `kept`: something is lost that a snapshot can keep."""
    return Section(
        kind="git-work",
        command=command.source,
        summary=summary,
        count=count,
        items=tuple(items[:MAX_ITEMS]),
        more=max(0, len(items) - MAX_ITEMS),
        undo=UNDO_OK if kept else None,
        undoable=kept,
    )


def _branches(command: Command, work: GitWork, budget: Budget) -> Section | None:
    every = local_refs(work.directory, budget, ("refs/heads", "refs/remotes", "refs/tags"))
    if every is None:
        return None
    items: list[str] = []
    total = 0
    names: list[str] = []
    for name in work.refs:
        ref = f"refs/heads/{name}"
        if ref not in every:
            continue
        names.append(name)
        keep = [r for r in every if r != ref and r not in {f"refs/heads/{n}" for n in work.refs}]
        lost = commits_lost(ref, keep, work.directory, budget) or []
        total += len(lost)
        items.append(f"branch {name}: {plural(len(lost), 'unmerged commit')}")
        items += [f"  {c}" for c in lost[:MAX_ITEMS]]
    if not names:
        return None
    return Section(
        kind="commits",
        command=command.source,
        summary=(
            f"git branch -D deletes {plural(len(names), 'branch', 'branches')} with "
            f"{plural(total, 'commit')} on no other branch or remote"
        ),
        count=total,
        items=tuple(items[: MAX_ITEMS * 2]),
        more=max(0, len(items) - MAX_ITEMS * 2),
        undo=UNDO_OK,
        undoable=True,
    )
