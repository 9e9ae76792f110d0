"""The cache of validated RuleSets. Loading runs for every command an agent executes, so a
RuleSet built from a set of sources is pickled into the cache directory, keyed by every file
that went into it (its identity when the file is old enough to be known by it, else its
content) and by the code that builds it (see `cache_key`).

Judging needs no rule's `match`/`not_match` examples, which are half of a RuleSet's pickle:
they are kept in a second file beside it (`examples-KEY.pickle`, sealed as well), read only
by a load that asks for them (`safesh rules test`, `safesh rules show`).

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
from safesh.rules.schema import Example, RuleSet

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, TypeGuard

_CACHE_VERSION = "4"
_MAGIC = b"safesh rules cache 4\n"
_EXAMPLES_MAGIC = b"safesh rules examples 4\n"

# Per rule, in order: its id and examples (the part of a RuleSet judging does not need).
_Examples = tuple[tuple[str, tuple[Example, ...], tuple[Example, ...]], ...]


# -- reading and writing -----------------------------------------------------------------------


def read(key: str, *, examples: bool = True) -> RuleSet | None:
    """The RuleSet cached under `key`, or None when there is none this user can trust. Without
    `examples` its rules have none (`without_examples`)."""
    ruleset = _read_sealed(cache_file(key), _MAGIC, key)
    if not isinstance(ruleset, RuleSet) or ruleset.settings:
        return None
    if not examples:
        return ruleset
    kept = _read_sealed(_examples_file(key), _EXAMPLES_MAGIC, key)
    if not _are_examples_of(kept, ruleset):
        return None
    rules = tuple(
        replace(rule, match=match, not_match=not_match) if match or not_match else rule
        for rule, (_, match, not_match) in zip(ruleset.rules, kept, strict=True)
    )
    return replace(ruleset, rules=rules)


def write(key: str, ruleset: RuleSet) -> None:
    """Cache `ruleset` (without its settings) under `key`; any problem leaves no cache."""
    from safesh.sealed import write_sealed

    try:
        path = cache_path(key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _prune(path.parent, keep=path)
        import pickle

        stored = replace(ruleset, settings=()) if ruleset.settings else ruleset
        kept: _Examples = tuple((rule.id, rule.match, rule.not_match) for rule in stored.rules)
        protocol = pickle.HIGHEST_PROTOCOL
        # The examples first: a RuleSet is read only with its examples beside it.
        write_sealed(_examples_file(key), _EXAMPLES_MAGIC, key, pickle.dumps(kept, protocol))
        body = pickle.dumps(without_examples(stored), protocol)
        write_sealed(path, _MAGIC, key, body)
    except Exception:
        return


def without_examples(ruleset: RuleSet) -> RuleSet:
    """`ruleset` with no rule's `match`/`not_match` examples (all it needs to judge)."""
    if not any(rule.match or rule.not_match for rule in ruleset.rules):
        return ruleset
    rules = tuple(
        replace(rule, match=(), not_match=()) if rule.match or rule.not_match else rule
        for rule in ruleset.rules
    )
    return replace(ruleset, rules=rules)


def _read_sealed(path: str, magic: bytes, key: str) -> object:
    """What the file sealed under `key` holds, unpickled; None when it cannot be trusted."""
    from safesh.sealed import read_sealed

    try:
        body = read_sealed(path, magic, key)
        return None if body is None else _SafeUnpickler(io.BytesIO(body)).load()
    except Exception:
        return None


def _are_examples_of(kept: object, ruleset: RuleSet) -> TypeGuard[_Examples]:
    """Whether `kept` holds the examples of exactly `ruleset`'s rules, in order."""
    return (
        isinstance(kept, tuple)
        and len(kept) == len(ruleset.rules)
        and all(
            isinstance(entry, tuple)
            and len(entry) == 3
            and entry[0] == rule.id
            and all(
                isinstance(examples, tuple) and all(isinstance(e, Example) for e in examples)
                for examples in entry[1:]
            )
            for entry, rule in zip(kept, ruleset.rules, strict=True)
        )
    )


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
    """The key of the RuleSet built from `sources` by this code. A file is keyed by its
    identity when it has one (`reading.identity_of`: it has not changed for a while, so an
    edit changes the identity), which spares hashing the ~250 KB of built-in rules on every
    command; else by its content."""
    digest = blake2b(_code_stamp().encode(), digest_size=32, person=b"safesh rules")
    for source in sources:
        digest.update(f"\0{source.layer}\0{source.path}\0{source.trusted}\0".encode())
        if source.identity is not None:
            digest.update(b"identity " + ",".join(map(str, source.identity)).encode())
        else:
            digest.update(b"content " + blake2b(source.data, digest_size=32).digest())
    return digest.hexdigest()


def cache_file(key: str) -> str:
    """Where the RuleSet for `key` is cached (a string: reading it is on every command's
    path, which never imports pathlib)."""
    from safesh import locations

    return os.path.join(locations.cache_home(), f"rules-{key[:32]}.pickle")


def _examples_file(key: str) -> str:
    from safesh import locations

    return os.path.join(locations.cache_home(), f"examples-{key[:32]}.pickle")


def cache_path(key: str) -> Path:
    """`cache_file(key)` as a Path."""
    from pathlib import Path

    return Path(cache_file(key))


_CACHE_ENTRIES = 16


def _prune(directory: Path, keep: Path) -> None:
    """Keep the newest few cached rulesets (one per project file in use, roughly), and the
    examples beside them."""
    kept = "-" + keep.name.removeprefix("rules-")  # "-KEY.pickle", both files' ending
    for pattern in ("rules-*.pickle", "examples-*.pickle"):
        entries = sorted(
            (p for p in directory.glob(pattern) if not p.name.endswith(kept)),
            key=lambda p: p.stat().st_mtime_ns,
            reverse=True,
        )
        for old in entries[_CACHE_ENTRIES - 1 :]:
            old.unlink(missing_ok=True)
