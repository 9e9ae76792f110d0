"""Keeping and restoring the files a command deletes.

Keeping: every target (a file, a symbolic link, or a whole directory tree) goes into the
snapshot as a hard link when the state directory is on the same filesystem (instant, and the
data survives the deletion because the snapshot still names it), and as a copy otherwise. A
program that overwrites data in place (`shred`) always gets copies: a hard link would see the
overwritten bytes.

Restoring never overwrites: a target that exists again and differs from the snapshot is a
conflict, and any conflict means nothing is restored.

Imports: the standard library.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import stat
from pathlib import Path
from typing import Any


def keep(targets: list[str], directory: Path, copy_only: bool) -> list[dict[str, Any]]:
    """Put every existing target into `directory/files/N`; the manifest entries."""
    entries: list[dict[str, Any]] = []
    files = directory / "files"
    files.mkdir(mode=0o700, parents=True, exist_ok=True)

    def link_or_copy(src: str, dst: str) -> str:
        if not copy_only:
            try:
                os.link(src, dst, follow_symlinks=False)
                return dst
            except OSError:
                pass
        shutil.copy2(src, dst, follow_symlinks=False)
        return dst

    for index, target in enumerate(targets):
        if not os.path.lexists(target):
            continue
        stored = files / str(index)
        info = os.lstat(target)
        if stat.S_ISDIR(info.st_mode):
            shutil.copytree(target, stored, symlinks=True, copy_function=link_or_copy)
            kind = "dir"
        else:
            link_or_copy(target, str(stored))
            kind = "link" if stat.S_ISLNK(info.st_mode) else "file"
        entries.append({"target": target, "stored": f"files/{index}", "kind": kind})
    return entries


def conflicts(entries: list[dict[str, Any]], directory: Path) -> tuple[list[str], list[str]]:
    """(targets that exist again with other contents, targets already back as kept)."""
    clashing: list[str] = []
    in_place: list[str] = []
    for entry in entries:
        target, stored = entry["target"], directory / entry["stored"]
        if not os.path.lexists(target):
            continue
        if _same(stored, Path(target)):
            in_place.append(target)
        else:
            clashing.append(target)
    return clashing, in_place


def restore(entries: list[dict[str, Any]], directory: Path, skip: set[str]) -> list[str]:
    """Copy every kept target back (the snapshot stays as it is); the targets restored."""
    restored: list[str] = []
    for entry in entries:
        target, stored = entry["target"], directory / entry["stored"]
        if target in skip:
            continue
        os.makedirs(os.path.dirname(target) or "/", exist_ok=True)
        if entry["kind"] == "dir":
            shutil.copytree(stored, target, symlinks=True)
        else:
            shutil.copy2(stored, target, follow_symlinks=False)
        restored.append(target)
    return restored


def _same(kept: Path, current: Path) -> bool:
    """Whether `current` holds exactly what the snapshot kept (names, types, bytes)."""
    if kept.is_symlink() or current.is_symlink():
        return (
            kept.is_symlink() and current.is_symlink() and os.readlink(kept) == os.readlink(current)
        )
    if kept.is_dir() != current.is_dir():
        return False
    if not kept.is_dir():
        return filecmp.cmp(kept, current, shallow=False)
    kept_names = sorted(os.listdir(kept))
    if kept_names != sorted(os.listdir(current)):
        return False
    return all(_same(kept / name, current / name) for name in kept_names)
