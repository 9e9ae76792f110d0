"""The cache of validated RuleSets. Loading runs for every command an agent executes, so a
RuleSet built from a set of sources is written into the cache directory, keyed by every file
that went into it (its identity when the file is old enough to be known by it, else its
content) and by the code that builds it and the interpreter that reads it (see `cache_key`).

A command line needs only the rules that can apply to its command names (a handful, and the
few dozen rules that name no command), so each rule is stored on its own and decoded when
first needed: a load for judging reads the file's head (the RuleSet's settings-free fields,
its tools, which rules each command name can select, and a digest of every rule) and gives a
RuleSet whose rules come from the file on demand (`schema.RuleSource`). A load that asks for
the examples decodes everything.

Judging needs no rule's `match`/`not_match` examples, which are half of the rules: they are
kept in a second file beside it (`examples-KEY.marshal`, sealed as well), read only by a load
that asks for them (`safesh rules test`, `safesh rules show`).

A cache is something another process can write, so a cached RuleSet is used only when
  - the cache directory and the file are owned by this user and writable by nobody else,
  - the file's head carries a MAC (keyed BLAKE2b) of its key and the head under a per-user
    secret (32 random bytes in a 0600 file in the state directory), so a file not written by
    safesh for exactly these sources is refused (both checks: `safesh.sealed`),
  - each rule's bytes have the BLAKE2b-256 digest the sealed head gives for them before they
    are decoded (a rule that does not is an error where it is needed: the line asks), and
  - it is `marshal` data, which can hold only plain values (no class of any kind, nothing
    that runs), from which this module builds the ruleset's own classes.
Anything else is rebuilt from the files. Settings (the shell, notify commands) are never
stored here: the loader reads them from the user's file every time.

May import `safesh.model`, `safesh.locations`, `safesh.sealed`, `safesh.digest`,
`safesh.rules.reading` (Source) and `schema`.
"""

from __future__ import annotations

import marshal  # built in: no import cost, and it can only ever make plain values
import os
import sys

from safesh.digest import blake2b
from safesh.model import Tier
from safesh.record import fields
from safesh.rules.globs import glob_set, one_glob
from safesh.rules.reading import Source
from safesh.rules.schema import (
    Conditions,
    Example,
    Rule,
    RuleSet,
    RuleSource,
    ToolSpec,
    command_patterns,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

_CACHE_VERSION = "5"
_MAGIC = b"safesh rules cache 5\n"
_EXAMPLES_MAGIC = b"safesh rules examples 5\n"
_SUFFIX = ".marshal"
# What each seal is over, so that one file's seal can never stand for the other's.
_HEAD = "rules head "
_EXAMPLES = "rules examples "
_DIGEST_BYTES = 32

# The RuleSet fields in a file's head; the others are derived (`_index`, `_tools`,
# `_by_command`), the rules' own (`rules`, `tools`) or never cached (`settings`).
_META_FIELDS = (
    "profile",
    "strict_allow",
    "production_patterns",
    "sources",
    "warnings",
    "fingerprint",
    "disabled_packs",
    "overrides",
)


class CacheError(Exception):
    """A rule in a cache file whose head was sealed does not match its digest there."""


# -- reading and writing -----------------------------------------------------------------------


def read(
    key: str, *, examples: bool = True, settings: tuple[tuple[str, str], ...] = ()
) -> RuleSet | None:
    """The RuleSet cached under `key`, with `settings`, or None when there is none this user
    can trust. Without `examples` its rules have none and are decoded as they are needed."""
    try:
        cached = _Cached.read(key)
        if cached is None:
            return None
        if not examples:
            return cached.ruleset(settings)
        kept = _read_examples(key, cached.ids())
        if kept is None:
            return None
        rules = tuple(cached.rule_at(index, kept[index]) for index in range(cached.count))
        return RuleSet(rules=rules, tools=cached.tools(), settings=settings, **cached.meta)
    except Exception:
        return None


def write(key: str, ruleset: RuleSet) -> None:
    """Cache `ruleset` (without its settings) under `key`; any problem leaves no cache."""
    from safesh.sealed import write_sealed, write_sealed_head

    try:
        path = cache_file(key)
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        _prune(os.path.dirname(path), keep=path)
        head, body = _encode(ruleset)
        kept = tuple(
            (rule.id, tuple(map(_plain, rule.match)), tuple(map(_plain, rule.not_match)))
            for rule in ruleset.rules
        )
        # The examples first: a RuleSet is read with its examples only when they are beside it.
        write_sealed(_examples_file(key), _EXAMPLES_MAGIC, _EXAMPLES + key, marshal.dumps(kept))
        write_sealed_head(path, _MAGIC, _HEAD + key, head, body)
    except Exception:
        return


def without_examples(ruleset: RuleSet) -> RuleSet:
    """`ruleset` with no rule's `match`/`not_match` examples (all it needs to judge)."""
    from safesh.record import replace

    if not any(rule.match or rule.not_match for rule in ruleset.rules):
        return ruleset
    rules = tuple(
        replace(rule, match=(), not_match=()) if rule.match or rule.not_match else rule
        for rule in ruleset.rules
    )
    return replace(ruleset, rules=rules)


# -- the file ----------------------------------------------------------------------------------
#
# MAGIC, MAC(key, head), len(head), head, then the body: parts, each marshal data, one after
# another. Parts 0 to count-1 are the rules, in order (`_rule_state`); then the table of rule
# ids, then the tables of command names and of tools, each split by the first letter of the
# name (a line needs a few of them). The head is marshal data, a `_Head`:
#   meta      the RuleSet's `_META_FIELDS` (tiers by name)
#   ends      where each part ends in the body (the first starts at 0)
#   digests   the BLAKE2b-256 digest of each part, one after another
#   count     how many rules there are
#   generic   the active rules that may apply to a command of any name, and the part that
#             holds all of them (the states of their own parts, in order: every line needs
#             them, so they are checked and decoded in one go)
#   globbed   ((rule, ((glob, *_glob_hint(glob)), ...)), ...): active rules that apply only
#             to commands whose name matches one of their command globs (or is one of their
#             plain names: `named`)
#   ids       the part {rule id: index}
#   named     {first letter: the part {command name: active rules that name it}}
#   tools     {first letter: the part {name: (position in RuleSet.tools, value_options,
#             single_dash_long)}}; `tool_count` of them in all
# Rules are listed by index; every list is in rule order.

if TYPE_CHECKING:
    _Head = tuple[
        dict[str, Any],
        tuple[int, ...],
        bytes,
        int,
        tuple[tuple[int, ...], int],
        tuple[tuple[int, tuple[tuple[str, str, str, str], ...]], ...],
        int,
        dict[str, int],
        dict[str, int],
        int,
    ]


def _encode(ruleset: RuleSet) -> tuple[bytes, bytes]:
    meta = {name: getattr(ruleset, name) for name in _META_FIELDS}
    meta["overrides"] = tuple((rule_id, tier.value) for rule_id, tier in ruleset.overrides)
    parts = [marshal.dumps(_rule_state(rule)) for rule in ruleset.rules]
    generic: list[int] = []
    globbed: list[tuple[int, tuple[tuple[str, str, str, str], ...]]] = []
    named: dict[str, dict[str, list[int]]] = {}
    for index, rule in enumerate(ruleset.rules):
        if rule.pack in ruleset.disabled_packs:
            continue
        patterns = rule.names if rule.names is not None else command_patterns(rule.conditions)
        if patterns is None:
            generic.append(index)
            continue
        plain, globs = glob_set(tuple(patterns))
        if globs:
            globbed.append((index, tuple((glob, *_glob_hint(glob)) for glob in globs)))
        for name in sorted(plain):
            named.setdefault(_bucket(name), {}).setdefault(name, []).append(index)
    tools: dict[str, dict[str, tuple[int, frozenset[str], bool]]] = {}
    for position, (name, spec) in enumerate(ruleset.tools):
        tools.setdefault(_bucket(name), {})[name] = (
            position,
            spec.value_options,
            spec.single_dash_long,
        )
    generic_part = len(parts)
    parts.append(marshal.dumps(tuple(_rule_state(ruleset.rules[index]) for index in generic)))
    ids = len(parts)
    parts.append(marshal.dumps({rule.id: index for index, rule in enumerate(ruleset.rules)}))
    named_parts: dict[str, int] = {}
    for bucket, table in sorted(named.items()):
        named_parts[bucket] = len(parts)
        parts.append(marshal.dumps({name: tuple(rules) for name, rules in table.items()}))
    tool_parts: dict[str, int] = {}
    for bucket, specs in sorted(tools.items()):
        tool_parts[bucket] = len(parts)
        parts.append(marshal.dumps(specs))
    ends: list[int] = []
    for part in parts:
        ends.append((ends[-1] if ends else 0) + len(part))
    head: _Head = (
        meta,
        tuple(ends),
        b"".join(blake2b(part, digest_size=_DIGEST_BYTES).digest() for part in parts),
        len(ruleset.rules),
        (tuple(generic), generic_part),
        tuple(globbed),
        ids,
        named_parts,
        tool_parts,
        len(ruleset.tools),
    )
    return marshal.dumps(head), b"".join(parts)


def _glob_hint(glob: str) -> tuple[str, str, str]:
    """Literal text that every name `glob` matches starts with, ends with and holds, so that
    most names are turned down without matching the glob: its first and last stretches of
    literal characters, and its longest."""
    stretches = _literal_stretches(glob)
    return stretches[0], stretches[-1], max(stretches, key=len)


def _literal_stretches(glob: str) -> list[str]:
    """The stretches of literal characters of `glob` between its wildcards and character
    classes, read as `fnmatch.translate` reads them (no escapes; a `[` with no `]` after it
    is a literal)."""
    stretches: list[str] = []
    current = ""
    index = 0
    while index < len(glob):
        char = glob[index]
        index += 1
        if char in "*?":
            stretches.append(current)
            current = ""
        elif char == "[":
            end = index + glob.startswith("!", index)
            end += glob.startswith("]", end)
            end = glob.find("]", end)
            if end == -1:
                current += char
            else:
                stretches.append(current)
                current = ""
                index = end + 1
        else:
            current += char
    stretches.append(current)
    return stretches


def _bucket(name: str) -> str:
    """Which table of command names or tools holds `name`."""
    return name[:1]


def _rule_state(rule: Rule) -> dict[str, Any]:
    """What a rule's part holds: its state (as pickling keeps it: fields that hold their class
    default are left out) without its examples, its conditions as theirs, its tier by name."""
    state = _state(rule)
    state.pop("match", None)
    state.pop("not_match", None)
    state["conditions"] = _conditions_state(rule.conditions)
    state["tier"] = rule.tier.value
    return state


def _conditions_state(conditions: Conditions) -> dict[str, Any]:
    state = _state(conditions)
    if "any" in state:
        state["any"] = tuple(_conditions_state(sub) for sub in conditions.any)
    return state


def _plain(example: Example) -> dict[str, Any]:
    return _state(example)


def _state(record: Any) -> dict[str, Any]:
    """A record's state as pickling keeps it (`safesh.record`): a fresh dict."""
    state: dict[str, Any] = record.__getstate__()
    return state


_TIERS = {tier.value: tier for tier in Tier}


class _Cached:
    """A cache file whose head was sealed for the key it was read under: its parts are
    decoded on demand, each once its digest is checked."""

    def __init__(self, head: _Head, body: bytes | memoryview, path: str) -> None:
        meta, ends, digests, count, generic, globbed, ids, named, tools, tool_count = head
        if not (type(meta) is dict and meta.keys() == set(_META_FIELDS)):
            raise CacheError("a rules cache head of another shape")
        if len(digests) != _DIGEST_BYTES * len(ends) or not 0 <= count <= len(ends):
            raise CacheError("a rules cache head of another shape")
        meta["overrides"] = tuple((rule_id, _TIERS[tier]) for rule_id, tier in meta["overrides"])
        self.meta: dict[str, Any] = meta
        self.count = count
        self._starts = (0, *ends)
        self._digests = digests
        self._generic, self._generic_part = generic
        self._globbed = globbed
        self._ids = ids
        self._named = named
        self._tools = tools
        self._tool_count = tool_count
        self._body = memoryview(body)
        self._path = path
        self._tables: dict[int, dict[str, Any]] = {}  # the parts that are tables, decoded

    @classmethod
    def read(cls, key: str) -> _Cached | None:
        from safesh.sealed import read_sealed_head

        path = cache_file(key)
        found = read_sealed_head(path, _MAGIC, _HEAD + key)
        if found is None:
            return None
        head = marshal.loads(found[0])
        if type(head) is not tuple or len(head) != 10:
            return None
        return cls(head, found[1], path)

    def ruleset(self, settings: tuple[tuple[str, str], ...]) -> RuleSet:
        """The RuleSet of this file, its rules and tools decoded on demand."""
        ruleset: RuleSet = object.__new__(RuleSet)
        ruleset.__dict__.update(
            self.meta,
            settings=settings,
            _index={},
            _tools={},
            _by_command={},
            _source=_Rules(self),
        )
        return ruleset

    def part(self, index: int) -> Any:
        """Part `index` decoded, once its bytes have the digest the sealed head gives."""
        data = self._body[self._starts[index] : self._starts[index + 1]]
        digest = self._digests[_DIGEST_BYTES * index : _DIGEST_BYTES * (index + 1)]
        if blake2b(data, digest_size=_DIGEST_BYTES).digest() != digest:
            # Changed by someone holding the secret, or corrupted: the line this rule was
            # needed for asks, and the next load builds the cache again.
            _discard(self._path)
            raise CacheError(f"part {index} of the rules cache does not match its sealed digest")
        return marshal.loads(data)

    def rule_at(self, index: int, examples: tuple[Any, Any] = ((), ())) -> Rule:
        """Rule `index`, with `examples` (the states of its `match` and `not_match`)."""
        if not 0 <= index < self.count:
            raise CacheError(f"no rule {index} in the rules cache")
        return _rule(self.part(index), examples)

    def generic(self) -> dict[int, Rule]:
        """The rules that may apply to a command of any name, by index."""
        states = self.part(self._generic_part)
        if type(states) is not tuple or len(states) != len(self._generic):
            raise CacheError("the rules cache's rules for any name are not all there")
        return {index: _rule(state) for index, state in zip(self._generic, states, strict=True)}

    def ids(self) -> dict[str, int]:
        ids = self.part(self._ids)
        if type(ids) is not dict:
            raise CacheError("the rules cache's rule ids are not a table")
        return ids

    def candidates(self, name: str) -> tuple[int, ...]:
        """The rules `RuleSet.candidates(name)` gives, or a few more that `_may_apply` turns
        down (a rule with command globs, when the name is one of its plain names)."""
        found = set(self._generic)
        bucket = self._named.get(_bucket(name))
        if bucket is not None:
            found.update(self._table(bucket).get(name, ()))
        for index, globs in self._globbed:
            for glob, prefix, suffix, held in globs:
                if (
                    name.startswith(prefix)
                    and name.endswith(suffix)
                    and held in name
                    and one_glob(name, glob)
                ):
                    found.add(index)
                    break
        return tuple(sorted(found))

    def tool(self, name: str) -> ToolSpec | None:
        bucket = self._tools.get(_bucket(name))
        found = None if bucket is None else self._table(bucket).get(name)
        return None if found is None else _tool(found[1], found[2])

    def tools(self) -> tuple[tuple[str, ToolSpec], ...]:
        listed: list[tuple[int, str, ToolSpec]] = []
        for bucket in self._tools.values():
            for name, (position, value_options, single_dash_long) in self._table(bucket).items():
                listed.append((position, name, _tool(value_options, single_dash_long)))
        if sorted(position for position, _name, _spec in listed) != list(range(self._tool_count)):
            raise CacheError("the rules cache's tools are not all there")
        return tuple((name, spec) for _position, name, spec in sorted(listed))

    def _table(self, index: int) -> dict[str, Any]:
        table = self._tables.get(index)
        if table is None:
            table = self.part(index)
            if type(table) is not dict:
                raise CacheError(f"part {index} of the rules cache is not a table")
            self._tables[index] = table
        return table


def _rule(state: dict[str, Any], examples: tuple[Any, Any] = ((), ())) -> Rule:
    """The rule whose part holds `state`, with `examples` (the states of its `match` and
    `not_match`)."""
    state["conditions"] = _conditions(state["conditions"])
    state["tier"] = _TIERS[state["tier"]]
    match, not_match = examples
    if match:
        state["match"] = tuple(map(_example, match))
    if not_match:
        state["not_match"] = tuple(map(_example, not_match))
    rule: Rule = _record(Rule, state)
    return rule


def _discard(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        return  # (contextlib.suppress would cost its import on every command's path)


class _Rules(RuleSource):
    """The rules and tools of a cache file, each decoded the first time it is needed. Two
    threads may both decode one; either copy serves, as they are equal."""

    def __init__(self, cached: _Cached) -> None:
        self._cached = cached
        self._decoded: list[Rule | None] = [None] * cached.count
        self._generic_decoded = False
        self._ids: dict[str, int] | None = None

    def _at(self, index: int) -> Rule:
        rule = self._decoded[index]
        if rule is None:
            rule = self._decoded[index] = self._cached.rule_at(index)
        return rule

    def rule(self, rule_id: str) -> Rule | None:
        if self._ids is None:
            self._ids = self._cached.ids()
        index = self._ids.get(rule_id)
        return None if index is None else self._at(index)

    def candidates(self, name: str) -> tuple[Rule, ...]:
        if not self._generic_decoded:
            for index, rule in self._cached.generic().items():
                if self._decoded[index] is None:
                    self._decoded[index] = rule
            self._generic_decoded = True
        return tuple(map(self._at, self._cached.candidates(name)))

    def rules(self) -> tuple[Rule, ...]:
        return tuple(map(self._at, range(self._cached.count)))

    def tool(self, name: str) -> ToolSpec | None:
        return self._cached.tool(name)

    def tools(self) -> tuple[tuple[str, ToolSpec], ...]:
        return self._cached.tools()


def _record(cls: type[Any], state: dict[str, Any]) -> Any:
    """An instance of the record class `cls` with `state`, as unpickling makes one (a field
    the state leaves out holds its class default)."""
    if type(state) is not dict or not state.keys() <= _FIELD_NAMES[cls]:
        raise CacheError(f"a {cls.__name__} in the rules cache has unknown fields")
    made = object.__new__(cls)
    made.__dict__.update(state)
    return made


_FIELD_NAMES = {
    cls: frozenset(item.name for item in fields(cls))
    for cls in (Rule, Conditions, Example, ToolSpec)
}


def _conditions(state: dict[str, Any]) -> Conditions:
    subs = state.get("any")
    if subs:
        state["any"] = tuple(map(_conditions, subs))
    conditions: Conditions = _record(Conditions, state)
    return conditions


def _example(state: dict[str, Any]) -> Example:
    example: Example = _record(Example, state)
    return example


def _tool(value_options: frozenset[str], single_dash_long: bool) -> ToolSpec:
    spec: ToolSpec = _record(
        ToolSpec, {"value_options": value_options, "single_dash_long": single_dash_long}
    )
    return spec


def _read_examples(key: str, ids: dict[str, int]) -> tuple[tuple[Any, Any], ...] | None:
    """The marshalled examples of each rule, in order, when the examples file beside the
    rules sealed under `key` has exactly their rules."""
    from safesh.sealed import read_sealed

    body = read_sealed(_examples_file(key), _EXAMPLES_MAGIC, _EXAMPLES + key)
    if body is None:
        return None
    kept = marshal.loads(body)
    if (
        type(kept) is not tuple
        or len(kept) != len(ids)
        or any(
            type(entry) is not tuple or len(entry) != 3 or ids.get(entry[0]) != index
            for index, entry in enumerate(kept)
        )
    ):
        return None
    return tuple((match, not_match) for _rule_id, match, not_match in kept)


# -- keys ------------------------------------------------------------------------------------


def _code_stamp() -> str:
    """Changes whenever the code that builds a RuleSet changes (dev installs too), or the
    interpreter whose `marshal` reads the cache. (os.scandir: the ~40 files are stated from
    their directory in C, with no path to build for each.)"""
    import safesh

    here = os.path.dirname(__file__)
    package = os.path.dirname(here)
    files: list[tuple[str, int, int]] = []
    try:
        with os.scandir(here) as entries:
            for entry in entries:
                if entry.name.endswith(".py"):
                    found = entry.stat()
                    files.append((entry.name, found.st_mtime_ns, found.st_size))
    except OSError:
        pass
    for name in ("model.py", "record.py"):
        try:
            found = os.stat(os.path.join(package, name))
        except OSError:
            continue
        files.append((name, found.st_mtime_ns, found.st_size))
    files.sort()
    return repr((safesh.__version__, _CACHE_VERSION, sys.version, files))


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

    return os.path.join(locations.cache_home(), f"rules-{key[:32]}{_SUFFIX}")


def _examples_file(key: str) -> str:
    from safesh import locations

    return os.path.join(locations.cache_home(), f"examples-{key[:32]}{_SUFFIX}")


def cache_path(key: str) -> Path:
    """`cache_file(key)` as a Path."""
    from pathlib import Path

    return Path(cache_file(key))


_CACHE_ENTRIES = 16


def _prune(directory: str, keep: str) -> None:
    """Keep the newest few cached rulesets (one per project file in use, roughly), and the
    examples beside them; files of an older format go at once."""
    from pathlib import Path

    kept = "-" + os.path.basename(keep).removeprefix("rules-")  # "-KEY.marshal", both files'
    for prefix in ("rules-", "examples-"):
        entries = [p for p in Path(directory).glob(prefix + "*") if not p.name.endswith(kept)]
        for old in [p for p in entries if p.suffix != _SUFFIX]:
            old.unlink(missing_ok=True)
        current = sorted(
            (p for p in entries if p.suffix == _SUFFIX),
            key=lambda p: p.stat().st_mtime_ns,
            reverse=True,
        )
        for old in current[_CACHE_ENTRIES - 1 :]:
            old.unlink(missing_ok=True)
