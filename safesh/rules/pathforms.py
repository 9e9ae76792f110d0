"""Spellings of a path that are not a POSIX path, as the POSIX place of the same kind, so
paths.py classes them like any other word: a Windows drive path (`C:\\Users\\me`, `D:/`,
WSL's `/mnt/c/…`, Git Bash's `/c/…`) and a lookup of a program on PATH (`$(which python3)`).

May import `safesh.lazy_re` and the standard library.
"""

from __future__ import annotations

from safesh.lazy_re import later, re


def posix_form(text: str) -> str | None:
    """The POSIX place `text` names when it is one of these spellings, else None. A program
    lookup is where programs live (`/usr/bin/NAME`)."""
    lookup = _PROGRAM_LOOKUP.fullmatch(text)
    if lookup is not None:
        return "/usr/bin/" + lookup.group(1)
    return windows_path(text)


# `$(which NAME)`, `` `command -v NAME` ``, `"$(type -P NAME)"`: the installed program.
_PROGRAM_LOOKUP = later(
    r"""["']?(?:\$\(|`)\s*(?:which|command\s+-[vV]|type\s+-[pP])\s+([\w.+-]+)\s*(?:\)|`)["']?"""
)

# A Windows drive path (`C:\Users\me`, `D:/`), or that drive where WSL mounts it (`/mnt/c/…`)
# or Git Bash names it (`/c/…`): cmd and PowerShell code, WSL's interop and Windows agents
# reach those files. Read as Linux would (`C:` a relative directory), `rm -rf C:/Users/me`
# would look like work in the project; the drive's own layout says what it holds instead.
# `C:name` is relative to that drive's current folder; the capital keeps `chown u:g` apart.
_DRIVE_PATH = later(r"^(?:([A-Za-z]):(?=[\\/]|$)|([A-Z]):(?=[^:])|/(?:mnt/)?([a-z])(?:/|$))")
# Top-level directories of a Windows drive that hold the system or installed programs.
_WINDOWS_SYSTEM_TOP = frozenset(
    {"windows", "program files", "program files (x86)", "programdata", "recovery", "boot",
     "system volume information", "$recycle.bin", "$windows.~bt", "efi"}
)  # fmt: skip
_WINDOWS_TEMP = (("windows", "temp"), ("users", "*", "appdata", "local", "temp"))


def windows_path(text: str) -> str | None:
    """A Windows drive path spelled as the POSIX place of the same kind, or None: the drive
    itself is the root, its system folders are system directories, `Users` is where homes
    live, a Temp folder is temp, and any other folder (a user's own among them) a place
    outside the project."""
    match = _DRIVE_PATH.match(text)
    if match is None:
        return None
    drive = (match.group(1) or match.group(2) or match.group(3)).lower()
    parts = [p for p in re.split(r"[\\/]+", text[match.end() :]) if p]
    if match.group(3) is not None and not parts:
        return f"/mnt/{drive}" if text.startswith("/mnt/") else None
    if not parts:
        return "/"
    lowered = [p.lower() for p in parts]
    for temp in _WINDOWS_TEMP:
        if len(lowered) >= len(temp) and all(
            c in {"*", p} for p, c in zip(lowered, temp, strict=False)
        ):
            return "/tmp/" + "/".join(parts[len(temp) :])
    if lowered[0] in _WINDOWS_SYSTEM_TOP:
        return "/usr/" + "/".join(parts)
    if lowered == ["users"]:
        return "/home"
    # A folder in `Users\NAME` is most likely the user's own (WSL's Windows side): a place of
    # theirs outside the project, as `/mnt/c/…` always was, not another user's home.
    return f"/mnt/{drive}/" + "/".join(parts)
