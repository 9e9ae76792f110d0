"""Probe: deleting files (`rm`, `unlink`, `shred`, `srm`, `find … -delete`, `git clean -f`).

How many files and bytes would go (a capped walk that never follows symbolic links), how
many of them git tracks, and which targets lie outside the project. Reads directory entries
and `lstat` only.

Imports: the standard library, `safesh.model` and `safesh.preview`'s own modules.
"""

from __future__ import annotations

import fnmatch
import os

from safesh.model import Command, Context
from safesh.preview.gitread import git
from safesh.preview.paths import (
    base_dir,
    deleter_operands,
    expand_word,
    inside,
    project_root,
    shown,
)
from safesh.preview.types import (
    MAX_ITEMS,
    Budget,
    BudgetExceeded,
    Section,
    Settings,
    human_size,
    plural,
)
from safesh.record import field, frozen, mutable

KIND = "files"


@mutable
class Tally:
    """A running count over a walk; `complete` turns False when the cap or budget stopped it."""

    files: int = 0
    dirs: int = 0
    bytes: int = 0
    complete: bool = True
    per_target: dict[str, tuple[int, int]] = field(default_factory=dict)
    # find -delete: the files its expression matched (capped), to tell which git tracks.
    matched: set[str] = field(default_factory=set)


@frozen
class Deletion:
    """What one command would delete: targets (absolute) and how far each goes."""

    targets: tuple[str, ...]
    unknown: tuple[str, ...]
    recursive: bool
    base: str
    # find -delete: a filter on names/types; None means everything under the targets.
    matcher: FindMatcher | None = None
    verb: str = "deletes"
    label: str = ""  # how the summary names the command; "" = its name


@frozen
class FindMatcher:
    names: tuple[tuple[str, bool], ...] = ()  # (pattern, case-insensitive)
    types: frozenset[str] = frozenset()
    mindepth: int = 0
    maxdepth: int | None = None
    exact: bool = True  # False: the expression had tests this probe does not evaluate

    def matches(self, name: str, is_dir: bool, depth: int) -> bool:
        if depth < self.mindepth or (self.maxdepth is not None and depth > self.maxdepth):
            return False
        for pattern, folded in self.names:
            text, pat = (name.lower(), pattern.lower()) if folded else (name, pattern)
            if not fnmatch.fnmatchcase(text, pat):
                return False
        return not self.types or ("d" if is_dir else "f") in self.types


def deletion(command: Command, context: Context, budget: Budget) -> Deletion | None:
    """The files `command` deletes, or None when it deletes none this probe knows of."""
    operands = deleter_operands(command, context)
    if operands is not None:
        if command.name == "shred" and not _shred_removes(command.argv):
            verb = "overwrites"
        else:
            verb = "deletes"
        return Deletion(
            operands.paths, operands.unknown, operands.recursive, operands.base, None, verb
        )
    if command.name in ("find", "gfind") and "-delete" in command.argv:
        return _find_deletion(command, context)
    if command.name == "git":
        return _git_clean_deletion(command, context, budget)
    return None


def probe(command: Command, context: Context, budget: Budget, settings: Settings) -> Section | None:
    found = deletion(command, context, budget)
    if found is None:
        return None
    tally = Tally()
    try:
        for target in found.targets:
            walk_target(target, found, tally, budget, settings.max_entries)
    except BudgetExceeded:
        tally.complete = False
    return _section(command, context, found, tally, budget, settings)


def _shred_removes(argv: tuple[str, ...]) -> bool:
    return any(
        a in ("--remove", "-u")
        or a.startswith("--remove=")
        or (a[:1] == "-" and "u" in a[1:] and not a.startswith("--"))
        for a in argv[1:]
    )


def walk_target(target: str, found: Deletion, tally: Tally, budget: Budget, cap: int) -> None:
    try:
        info = os.lstat(target)
    except OSError:
        tally.per_target[target] = (0, 0)
        return
    import stat

    before = (tally.files, tally.bytes)
    if not stat.S_ISDIR(info.st_mode):
        if found.matcher is None or found.matcher.matches(os.path.basename(target), False, 0):
            tally.files += 1
            tally.bytes += info.st_size
            if found.matcher is not None:
                tally.matched.add(target)
    elif found.recursive or found.matcher is not None:
        if found.matcher is None:
            tally.dirs += 1
        _walk_dir(target, found, tally, budget, cap, 1)
    tally.per_target[target] = (tally.files - before[0], tally.bytes - before[1])


def _walk_dir(
    directory: str, found: Deletion, tally: Tally, budget: Budget, cap: int, depth: int
) -> None:
    stack = [(directory, depth)]
    seen = 0
    while stack:
        current, level = stack.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue
        for entry in entries:
            seen += 1
            if seen % 256 == 0:
                budget.check()
            if tally.files + tally.dirs >= cap:
                tally.complete = False
                return
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                size = 0 if is_dir else entry.stat(follow_symlinks=False).st_size
            except OSError:
                continue
            matcher = found.matcher
            if matcher is None or matcher.matches(entry.name, is_dir, level):
                if is_dir:
                    tally.dirs += 1
                else:
                    tally.files += 1
                    tally.bytes += size
                    if matcher is not None:
                        tally.matched.add(entry.path)
            if is_dir and (matcher is None or matcher.maxdepth is None or level < matcher.maxdepth):
                stack.append((entry.path, level + 1))


def _section(
    command: Command,
    context: Context,
    found: Deletion,
    tally: Tally,
    budget: Budget,
    settings: Settings,
) -> Section:
    root = project_root(context)
    exact = tally.complete and (found.matcher is None or found.matcher.exact)
    at_least = "" if exact else "at least "
    what = f"{at_least}{plural(tally.files, 'file')}, {human_size(tally.bytes)}"
    if found.matcher is not None and not found.matcher.exact:
        what = f"up to {plural(tally.files, 'file')}, {human_size(tally.bytes)}"
    existing = [
        t for t in found.targets if tally.per_target.get(t, (0, 0)) != (0, 0) or os.path.lexists(t)
    ]
    parts = [f"{found.label or command.name} {found.verb} {what}"]
    if found.targets:
        parts.append(f"in {plural(len(existing), 'existing path')}")
    extras: list[str] = []
    outside = [t for t in existing if not inside(t, root)]
    if outside:
        extras.append(f"{len(outside)} outside the project ({shown(outside[0], root)})")
    tracked = _tracked(existing, context, budget, tally.matched if found.matcher else None)
    if tracked:
        extras.append(f"{plural(tracked, 'file')} tracked by git")
    if found.unknown:
        extras.append(f"{plural(len(found.unknown), 'path')} known only when it runs")
    summary = " ".join(parts) + (f" ({'; '.join(extras)})" if extras else "")
    items = []
    for target in existing[:MAX_ITEMS]:
        files, size = tally.per_target.get(target, (0, 0))
        slash = "/" if os.path.isdir(target) and not os.path.islink(target) else ""
        items.append(
            f"{shown(target, found.base)}{slash}  ({plural(files, 'file')}, {human_size(size)})"
        )
    undo, undoable = _undo_note(found, tally, exact, settings)
    return Section(
        kind=KIND,
        command=command.source,
        summary=summary,
        count=tally.files,
        items=tuple(items),
        more=max(0, len(existing) - MAX_ITEMS),
        complete=exact,
        undo=undo,
        undoable=undoable,
    )


def _undo_note(found: Deletion, tally: Tally, exact: bool, settings: Settings) -> tuple[str, bool]:
    budget = human_size(settings.snapshot_budget_bytes)
    if found.unknown:
        return "no snapshot: some paths are only known when it runs", False
    if tally.bytes > settings.snapshot_budget_bytes:
        return (
            f"no snapshot: {human_size(tally.bytes)} is over the snapshot budget of {budget} "
            "(setting snapshot_budget)",
            False,
        )
    if not exact:
        return f"a snapshot is attempted if it runs; none if it exceeds {budget}", True
    return "a snapshot is kept if it runs (`safesh snapshots`, `safesh undo ID`)", True


def _tracked(paths: list[str], context: Context, budget: Budget, only: set[str] | None) -> int:
    """How many files under `paths` git tracks (of those in `only`, when given)."""
    root = context.repo_root
    inside_repo = [p for p in paths if root is not None and inside(p, root)]
    if root is None or not inside_repo:
        return 0
    try:
        out = git(["ls-files", "-z", "--full-name", "--", *inside_repo], root, budget)
    except BudgetExceeded:
        return 0
    if out is None:
        return 0
    names = [p for p in out.split("\0") if p]
    if only is None:
        return len(names)
    return sum(1 for name in names if os.path.join(root, name) in only)


# -- find -delete --------------------------------------------------------------------------------

_FIND_GLOBAL = frozenset({"-H", "-L", "-P", "-O0", "-O1", "-O2", "-O3"})
_FIND_HARMLESS = frozenset({"-delete", "-print", "-print0", "-depth", "-xdev", "-mount"})


def _find_deletion(command: Command, context: Context) -> Deletion | None:
    argv = list(command.argv[1:])
    while argv and argv[0] in _FIND_GLOBAL:
        argv.pop(0)
    roots: list[str] = []
    while argv and not argv[0].startswith("-") and argv[0] not in ("(", "!", ","):
        roots.append(argv.pop(0))
    base = base_dir(command, context)
    targets: list[str] = []
    unknown: list[str] = []
    for root in roots or ["."]:
        expanded = None if base is None else expand_word(root, False, base, context)
        if expanded is None:
            unknown.append(root)
        else:
            targets.extend(expanded)
    return Deletion(tuple(targets), tuple(unknown), True, base or context.cwd, _find_matcher(argv))


def _find_matcher(expression: list[str]) -> FindMatcher:
    names: list[tuple[str, bool]] = []
    types: set[str] = set()
    mindepth, maxdepth = 0, None
    exact = True
    index = 0
    while index < len(expression):
        arg = expression[index]
        value = expression[index + 1] if index + 1 < len(expression) else ""
        if arg in ("-name", "-iname"):
            names.append((value, arg == "-iname"))
            index += 2
        elif arg == "-type":
            types.update(value.split(","))
            index += 2
        elif arg in ("-mindepth", "-maxdepth") and value.isdigit():
            if arg == "-mindepth":
                mindepth = int(value)
            else:
                maxdepth = int(value)
            index += 2
        else:
            if arg not in _FIND_HARMLESS:
                exact = False
            index += 1
    return FindMatcher(tuple(names), frozenset(types), mindepth, maxdepth, exact)


# -- git clean -f --------------------------------------------------------------------------------

_GIT_VALUED_GLOBAL = frozenset(
    {"-C", "-c", "--git-dir", "--work-tree", "--namespace", "--config-env"}
)


def git_subcommand(command: Command, context: Context) -> tuple[str, str, list[str]] | None:
    """(directory git runs in, subcommand, its arguments) for a `git` command."""
    base = base_dir(command, context)
    if base is None or command.name != "git":
        return None
    argv = list(command.argv[1:])
    directory = base
    while argv and argv[0].startswith("-"):
        option = argv.pop(0)
        if option in _GIT_VALUED_GLOBAL and argv:
            value = argv.pop(0)
            if option == "-C":
                directory = os.path.normpath(os.path.join(directory, value))
            elif option in ("--git-dir", "--work-tree"):
                return None  # another repository than the directory says: do not guess
        elif option.startswith(("--git-dir=", "--work-tree=")):
            return None
    if not argv:
        return None
    return directory, argv[0], argv[1:]


def _git_clean_deletion(command: Command, context: Context, budget: Budget) -> Deletion | None:
    parsed = git_subcommand(command, context)
    if parsed is None or parsed[1] != "clean":
        return None
    directory, _, args = parsed
    flags = [a for a in args if a.startswith("-")]
    if not any(f in ("-f", "--force") or (not f.startswith("--") and "f" in f[1:]) for f in flags):
        return None
    dry: list[str] = []
    for arg in args:
        if arg in ("-f", "--force", "-i", "--interactive", "-q", "--quiet"):
            continue
        if arg.startswith("-") and not arg.startswith("--") and arg != "-":
            letters = "".join(c for c in arg[1:] if c not in "fiqn")
            if letters:
                dry.append("-" + letters)
            continue
        dry.append(arg)
    out = git(["clean", "-n", *dry], directory, budget)
    if out is None:
        return Deletion(
            (), ("(git clean could not list its files)",), True, directory, label="git clean"
        )
    targets: list[str] = []
    for line in out.splitlines():
        if line.startswith("Would remove "):
            targets.append(os.path.normpath(os.path.join(directory, line[len("Would remove ") :])))
    return Deletion(tuple(targets), (), True, directory, label="git clean")
