"""The cache of validated RuleSets. Loading runs for every command an agent executes, so a
RuleSet built from a set of sources is pickled into the cache directory, keyed by the
content of every file that went into it and by the code that builds it (see `cache_key`).

A cache is something another process can write, so a cached RuleSet is used only when
  - the cache directory and the file are owned by this user and writable by nobody else,
  - the file carries a MAC (keyed BLAKE2b) of its key and body under a per-user secret (32 random
    bytes in a 0600 file in the state directory), so a file not written by safesh for exactly
    these sources is refused (both checks: `safesh.sealed`), and
  - it unpickles into the ruleset's own classes only.
Anything else is rebuilt from the files. Settings (the shell, notify commands) are never
stored here: the loader reads them from the user's file every time.

May import `safesh.model`, `safesh.locations`, `safesh.sealed`, `safesh.digest`,
`safesh.rules.reading` (Source) and `schema`.
"""

from __future__ import annotations

import _pickle  # the C unpickler without pickle.py's import cost (only writing needs that)
import io
import os

from safesh.digest import blake2b
from safesh.model import Tier
from safesh.record import replace
from safesh.rules.reading import Source
from safesh.rules.schema import RuleSet

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

_CACHE_VERSION = "3"
_MAGIC = b"safesh rules cache 3\n"


# -- reading and writing -----------------------------------------------------------------------


def read(key: str) -> RuleSet | None:
    """The RuleSet cached under `key`, or None when there is none this user can trust."""
    from safesh.sealed import read_sealed

    try:
        body = read_sealed(cache_file(key), _MAGIC, key)
    except Exception:
        return None
    if body is None:
        return None
    try:
        ruleset = _SafeUnpickler(io.BytesIO(body)).load()
    except Exception:
        return None
    if not isinstance(ruleset, RuleSet) or ruleset.settings:
        return None
    return ruleset


def write(key: str, ruleset: RuleSet) -> None:
    """Cache `ruleset` (without its settings) under `key`; any problem leaves no cache."""
    from safesh.sealed import write_sealed

    try:
        path = cache_path(key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _prune(path.parent, keep=path)
        import pickle

        stored = replace(ruleset, settings=()) if ruleset.settings else ruleset
        write_sealed(path, _MAGIC, key, pickle.dumps(stored, protocol=pickle.HIGHEST_PROTOCOL))
    except Exception:
        return


# -- what a cache file may hold ----------------------------------------------------------------

_ALLOWED_CLASSES = {
    ("safesh.rules.schema", "RuleSet"),
    ("safesh.rules.schema", "Rule"),
    ("safesh.rules.schema", "Conditions"),
    ("safesh.rules.schema", "Example"),
    ("safesh.rules.schema", "ToolSpec"),
    ("safesh.model", "Tier"),
    ("builtins", "frozenset"),
    ("builtins", "set"),
    ("copyreg", "_reconstructor"),
    ("builtins", "object"),
}


class _SafeUnpickler(_pickle.Unpickler):
    """Unpickles only the ruleset's own classes, so a planted cache file cannot run code."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("builtins", "getattr"):
            # Python pickles an enum member as getattr(Tier, "ASK"); only that is allowed.
            return _tier_member
        if (module, name) not in _ALLOWED_CLASSES:
            raise _pickle.UnpicklingError(f"{module}.{name} is not allowed in a rules cache")
        return super().find_class(module, name)


def _tier_member(cls: object, name: str) -> Tier:
    if cls is not Tier or not isinstance(name, str) or name not in Tier.__members__:
        raise _pickle.UnpicklingError("only Tier members may be looked up in a rules cache")
    return Tier[name]


# -- keys ------------------------------------------------------------------------------------


def _code_stamp() -> str:
    """Changes whenever the code that builds a RuleSet changes (dev installs too)."""
    import safesh

    here = os.path.dirname(os.path.realpath(__file__))
    package = os.path.dirname(here)
    try:
        names = sorted(name for name in os.listdir(here) if name.endswith(".py"))
    except OSError:
        names = []
    modules = [os.path.join(here, name) for name in names]
    modules += [os.path.join(package, "model.py"), os.path.join(package, "record.py")]
    parts = [safesh.__version__, _CACHE_VERSION]
    for module in modules:
        try:
            stat = os.stat(module)
        except OSError:
            continue
        parts.append(f"{os.path.basename(module)}:{stat.st_mtime_ns}:{stat.st_size}")
    return "|".join(parts)


def cache_key(sources: tuple[Source, ...]) -> str:
    digest = blake2b(_code_stamp().encode(), digest_size=32, person=b"safesh rules")
    for source in sources:
        digest.update(f"\0{source.layer}\0{source.path}\0{source.trusted}\0".encode())
        digest.update(blake2b(source.data, digest_size=32).digest())
    return digest.hexdigest()


def cache_file(key: str) -> str:
    """Where the RuleSet for `key` is cached (a string: reading it is on every command's
    path, which never imports pathlib)."""
    from safesh import locations

    return os.path.join(locations.cache_home(), f"rules-{key[:32]}.pickle")


def cache_path(key: str) -> Path:
    """`cache_file(key)` as a Path."""
    from pathlib import Path

    return Path(cache_file(key))


_CACHE_ENTRIES = 16


def _prune(directory: Path, keep: Path) -> None:
    """Keep the newest few cached rulesets (one per project file in use, roughly)."""
    entries = sorted(
        (p for p in directory.glob("rules-*.pickle") if p != keep),
        key=lambda p: p.stat().st_mtime_ns,
        reverse=True,
    )
    for old in entries[_CACHE_ENTRIES - 1 :]:
        old.unlink(missing_ok=True)
