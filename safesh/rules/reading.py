"""Reading the rules files: where they are (built-in, the user's, the project's
`.safesh.toml` found upwards from the working directory), their bytes, and their TOML.

Also defines RulesError, the one error every part of loading raises. May import only the
standard library and `safesh.locations`; the rest of `safesh.rules` imports this module.
"""

from __future__ import annotations

import os
import time

from safesh.digest import sha256
from safesh.lazy_re import re
from safesh.record import field, frozen

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, BinaryIO

# Loading the rules is on every command's path: the files are located and read with
# string paths (pathlib costs ~3 ms to import). Paths given by callers are kept as given.


PROJECT_FILE = ".safesh.toml"
# A project file is written by whoever controls the repository, the agent included: its size
# is capped so that loading it stays fast (hooks that time out let the command run).
PROJECT_MAX_BYTES = 1024 * 1024
# A file changed this recently may still change within the same timestamp tick, keeping its
# size and times ("racy", like git's index): it is never recognised by its identity alone.
RACY_SECONDS = 3.0


class RulesError(Exception):
    """A rules file is invalid. `line` is 1-based; `rule_id` is None outside a rule."""

    def __init__(self, path: str | Path, line: int | None, rule_id: str | None, message: str):
        super().__init__(message)
        self.path = str(path)
        self.line = line
        self.rule_id = rule_id
        self.message = message

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        rule = f" rule {self.rule_id!r}:" if self.rule_id else ""
        return f"{where}:{rule} {self.message}"


# -- where the files are -----------------------------------------------------------------------


def builtin_rules_path() -> str:
    """`safesh/rules.toml` inside an installed wheel, else `rules.toml` at the repo root."""
    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    installed = os.path.join(package, "rules.toml")
    return (
        installed
        if os.path.isfile(installed)
        else os.path.join(os.path.dirname(package), "rules.toml")
    )


def builtin_rules_file() -> Path:
    """`builtin_rules_path()` as a Path."""
    from pathlib import Path

    return Path(builtin_rules_path())


def project_file_path(cwd: str) -> str | None:
    """The `.safesh.toml` in `cwd` or the nearest directory above it."""
    current = os.path.abspath(cwd)
    while True:
        candidate = os.path.join(current, PROJECT_FILE)
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def find_project_file(cwd: str) -> Path | None:
    """`project_file_path(cwd)` as a Path."""
    found = project_file_path(cwd)
    if found is None:
        return None
    from pathlib import Path

    return Path(found)


def file_sha256(path: Path) -> str:
    return sha256(path.read_bytes()).hexdigest()


Identity = tuple[int, int, int, int, int]


@frozen
class Source:
    layer: str  # "builtin", "user", "project"
    path: str | Path  # as located (a string) or as a caller gave it
    data: bytes
    trusted: bool  # may loosen (always for builtin and user)
    # The file's identity when `data` was read (`identity_of`), or None when it cannot stand
    # for the content (changed too recently, or not known).
    identity: Identity | None = field(default=None, compare=False)


def identity_of(handle: BinaryIO) -> Identity | None:
    """What identifies the content just read from `handle` (after reading it): device, inode,
    size, mtime and ctime in nanoseconds. Any write changes the ctime, which no one but the
    kernel sets, so a file older than RACY_SECONDS with the same identity has the same bytes.
    None for a file changed more recently than that (or changed while being read)."""
    found = os.fstat(handle.fileno())
    changed = max(found.st_mtime_ns, found.st_ctime_ns)
    if time.time_ns() - changed < RACY_SECONDS * 1e9:
        return None
    return (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns)


def project_location(path: str | Path) -> str:
    """Where a project file is, as trust records it: its directory with symlinks resolved, and
    its own name. Trust binds this and the content: a trusted file copied or linked into
    another directory governs nothing there."""
    directory, name = os.path.split(os.fspath(path))
    return os.path.join(os.path.realpath(directory or "."), name)


def read_sources(
    cwd: str,
    builtin: str | Path | None,
    user_file: str | Path | None,
    trusted: frozenset[tuple[str, str]],
) -> tuple[Source, ...]:
    """The files that make up the rules for `cwd`, in layer order. `trusted` holds the
    (project_location, sha256) pairs the user trusted."""
    builtin_path = builtin if builtin is not None else builtin_rules_path()
    try:
        with open(builtin_path, "rb") as handle:
            data = handle.read()
            sources = [Source("builtin", builtin_path, data, True, identity_of(handle))]
    except OSError as error:
        raise RulesError(builtin_path, None, None, f"cannot read: {error.strerror}") from None
    if user_file is None:
        from safesh import locations

        user_file = locations.user_rules_path()
    user = read_identified(user_file)
    if user is not None:
        sources.append(Source("user", user_file, user[0], True, user[1]))
    project = project_file_path(cwd)
    if project is not None and os.path.realpath(project) not in {
        os.path.realpath(s.path) for s in sources
    }:
        found = read_optional(project, limit=PROJECT_MAX_BYTES)
        if found is not None:
            key = (project_location(project), sha256(found).hexdigest())
            sources.append(Source("project", project, found, key in trusted))
    return tuple(sources)


def read_optional(path: str | Path, limit: int | None = None) -> bytes | None:
    """The file's bytes, None when it does not exist. Past `limit` bytes it is an error,
    found without reading more than the limit (the agent may write the file)."""
    found = _read_optional(path, limit, identified=False)
    return None if found is None else found[0]


def read_identified(path: str | Path) -> tuple[bytes, Identity | None] | None:
    """`read_optional(path)` with the identity of what was read (`identity_of`)."""
    return _read_optional(path, None, identified=True)


def _read_optional(
    path: str | Path, limit: int | None, identified: bool
) -> tuple[bytes, Identity | None] | None:
    try:
        with open(path, "rb") as handle:
            data = handle.read() if limit is None else handle.read(limit + 1)
            identity = identity_of(handle) if identified else None
    except FileNotFoundError:
        return None
    except OSError as error:
        raise RulesError(path, None, None, f"cannot read: {error.strerror}") from None
    if limit is not None and len(data) > limit:
        raise RulesError(
            path, None, None,
            f"a project rules file may hold at most {limit // 1024} KiB; this one is larger, so "
            "no command is judged by it (move rules you need into your own rules file)",
        )  # fmt: skip
    return data, identity


def parse_toml(path: str | Path, text: str) -> dict[str, Any]:
    # Imported here: a warm (cached) load never parses TOML.
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"\(at line (\d+), column (\d+)\)", str(error))
        line = int(found.group(1)) if found else None
        raise RulesError(path, line, None, f"TOML syntax error: {error}") from None


def may_hold_settings(data: bytes) -> bool:
    """Whether a file's bytes can hold a `[settings]` table at all (a cheap test before
    parsing its TOML on every load)."""
    # A TOML key is spelt out, or escaped inside a quoted key (backslash-u0073ettings).
    return b"settings" in data or b"\\u" in data or b"\\U" in data
