"""The validated form of the rules files (docs/rules.md): what the loader builds and the
matcher reads. Everything is frozen so a loaded RuleSet can be cached and shared.

A RuleSet read from the rules cache for judging decodes its rules on demand (`RuleSource`):
one command line needs the few rules that can apply to its command names, not all of them.
It answers every question exactly as the RuleSet it was cached from."""

from __future__ import annotations

from safesh.model import Tier
from safesh.record import field, frozen
from safesh.rules.globs import NO_GLOBS, GlobSet, glob_set

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from typing import Any

BLASTS = ("local", "project", "shared", "machine", "production")

# docs/rules.md, "The effect model": what a rule says the command does to its target.
EFFECTS = (
    "deletes-data",
    "overwrites",
    "discards-work",
    "rewrites-history",
    "mutates-remote",
    "changes-permissions",
    "stops-processes",
    "disables-guard",
)

# docs/rules.md: the tier of an action from whether it can be undone and how far it reaches.
TIER_TABLE: dict[tuple[str, bool], Tier] = {
    ("local", True): Tier.ALLOW,
    ("local", False): Tier.ASK,
    ("project", True): Tier.ALLOW,
    ("project", False): Tier.ASK,
    ("shared", True): Tier.NOTIFY,
    ("shared", False): Tier.ASK,
    ("machine", True): Tier.NOTIFY,
    ("machine", False): Tier.BLOCK,
    ("production", True): Tier.ASK,
    ("production", False): Tier.BLOCK,
}


def derive_tier(reversible: bool, blast: str) -> Tier:
    return TIER_TABLE[(blast, reversible)]


@frozen
class Conditions:
    """All given conditions must hold; `any` holds when one of its tables holds."""

    command: tuple[str, ...] = ()
    command_none: tuple[str, ...] = ()
    subcommand: tuple[str, ...] = ()
    flags_any: tuple[str, ...] = ()
    flags_all: tuple[str, ...] = ()
    flags_none: tuple[str, ...] = ()
    args_any: tuple[str, ...] = ()
    args_none: tuple[str, ...] = ()
    paths_any: tuple[str, ...] = ()
    paths_all: tuple[str, ...] = ()
    redirect_paths_any: tuple[str, ...] = ()
    input_paths_any: tuple[str, ...] = ()
    sql_any: tuple[str, ...] = ()
    env_any: tuple[str, ...] = ()
    via_any: tuple[str, ...] = ()
    # Generic vocabularies (docs/rules.md, "The effect model").
    verbs_any: tuple[str, ...] = ()
    verbs_none: tuple[str, ...] = ()
    effects_any: tuple[str, ...] = ()
    effects_none: tuple[str, ...] = ()
    check: str | None = None
    any: tuple[Conditions, ...] = ()
    # Derived for the matcher: `command` and `command_none` as plain names and globs (a
    # rule's `command_none` may list hundreds of names, each globbed against every new
    # command name otherwise).
    command_globs: GlobSet = field(default=NO_GLOBS, init=False, compare=False, repr=False)
    command_none_globs: GlobSet = field(default=NO_GLOBS, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "command_globs", glob_set(self.command))
        object.__setattr__(self, "command_none_globs", glob_set(self.command_none))

    def is_empty(self) -> bool:
        return self == Conditions()

    def uses_sql(self) -> bool:
        return bool(self.sql_any) or any(c.uses_sql() for c in self.any)


@frozen
class Example:
    """One example line with the context it runs in."""

    line: str
    cwd: str = "/home/user/project"
    home: str = "/home/user"
    repo_root: str | None = "/home/user/project"
    env: tuple[tuple[str, str], ...] = ()


@frozen
class Rule:
    id: str
    pack: str
    reason: str
    conditions: Conditions
    tier: Tier  # effective: explicit, else derived, then overrides applied
    reversible: bool | None = None
    blast: str | None = None
    explicit_tier: bool = False
    alternative: str | None = None
    confirm: str | None = None
    effect: str | None = None
    match: tuple[Example, ...] = ()
    not_match: tuple[Example, ...] = ()
    source: str = ""
    line: int | None = None
    # Derived from `conditions` for the matcher: every command name the rule can apply to,
    # when its conditions name them all without globs; None when it must be tried on any.
    names: frozenset[str] | None = field(default=None, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", command_names(self.conditions))


_GLOB_CHARS = frozenset("*?[")


def command_names(cond: Conditions) -> frozenset[str] | None:
    """The only command names `cond` can hold for, or None when it may hold for others (a
    glob, or no command condition at all)."""
    names = command_patterns(cond)
    if names is None or any(_GLOB_CHARS.intersection(name) for name in names):
        return None
    return names


def command_patterns(cond: Conditions) -> frozenset[str] | None:
    """The command names and globs (`command = [...]`, `|` alternatives split) of which the
    name of every command `cond` holds for matches one, or None when it may hold for any name
    (no command condition at all)."""
    if cond.command:
        return frozenset(name for pattern in cond.command for name in pattern.split("|"))
    if not cond.any:
        return None
    found: set[str] = set()
    for sub in cond.any:
        named = command_patterns(sub)
        if named is None:
            return None
        found |= named
    return frozenset(found)


@frozen
class ToolSpec:
    """How a tool spells its options, so positional words and subcommands can be found."""

    value_options: frozenset[str] = frozenset()
    # find, terraform, java: `-name` is one option, not the cluster `-n -a -m -e`.
    single_dash_long: bool = False


class RuleSource:
    """Where a RuleSet read from the rules cache (`safesh.rules.cache`) gets its rules when it
    needs them. Each method answers as the RuleSet the cache was written from would."""

    def rule(self, rule_id: str) -> Rule | None:
        """The rule called `rule_id` (`RuleSet.get`)."""
        raise NotImplementedError

    def candidates(self, name: str) -> tuple[Rule, ...]:
        """`RuleSet.candidates(name)`."""
        raise NotImplementedError

    def rules(self) -> tuple[Rule, ...]:
        """Every rule, in order (`RuleSet.rules`)."""
        raise NotImplementedError

    def tool(self, name: str) -> ToolSpec | None:
        """How the tool `name` spells its options, None when the rules do not say."""
        raise NotImplementedError

    def tools(self) -> tuple[tuple[str, ToolSpec], ...]:
        """Every tool, in order (`RuleSet.tools`)."""
        raise NotImplementedError


@frozen
class RuleSet:
    rules: tuple[Rule, ...]
    # A factory, not a class default: a RuleSet from the cache leaves it out until asked.
    tools: tuple[tuple[str, ToolSpec], ...] = field(default_factory=tuple)
    profile: str = "default"
    strict_allow: tuple[str, ...] = ()
    production_patterns: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    fingerprint: str = ""
    disabled_packs: frozenset[str] = frozenset()
    overrides: tuple[tuple[str, Tier], ...] = ()
    settings: tuple[tuple[str, str], ...] = ()  # from the user's `[settings]` table only
    _index: dict[str, Rule] = field(default_factory=dict, compare=False, repr=False)
    _tools: dict[str, ToolSpec] = field(default_factory=dict, compare=False, repr=False)
    # The rules that can apply to a command name, filled on first use by the matcher: a
    # derived lookup table of this ruleset, never a different answer.
    _by_command: dict[str, tuple[Rule, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )
    # Set only on a RuleSet read from the rules cache for judging: its `rules` and `tools`
    # fields are left out until something reads them (`__getattr__`), and `_index` and
    # `_tools` start empty (`get` and `tool` ask the source).
    _source: RuleSource | None = field(default=None, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Lookup tables built once; the record stays frozen and the dicts are never
        # changed after this (but for a RuleSet from the cache, which fills them on demand).
        self._index.update({rule.id: rule for rule in self.rules})
        self._tools.update(dict(self.tools))

    if not TYPE_CHECKING:  # hidden from mypy, which would let any attribute through

        def __getattr__(self, name: str) -> Any:
            # Called only for an attribute the instance lacks: `rules` or `tools` of a
            # RuleSet whose rules are decoded on demand, which reading it decodes all at once.
            source = self.__dict__.get("_source")
            if source is None or name not in ("rules", "tools"):
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            value = source.rules() if name == "rules" else source.tools()
            self.__dict__[name] = value
            return value

    def __getstate__(self) -> dict[str, Any]:
        # Pickled or copied, a RuleSet is the plain one: all its rules, no source.
        state = {"rules": self.rules, "tools": self.tools, **self.__dict__}
        state.pop("_source", None)
        return state

    def decode_all(self) -> None:
        """Decode now every rule and tool a RuleSet from the cache would decode on demand (a
        long-lived process whose children each judge one line: they inherit them decoded)."""
        _decoded = (self.rules, self.tools)

    def setting(self, name: str) -> str | None:
        return dict(self.settings).get(name)

    def get(self, rule_id: str) -> Rule | None:
        found = self._index.get(rule_id)
        if found is None and self._source is not None:
            found = self._source.rule(rule_id)
            if found is not None:
                self._index[rule_id] = found
        return found

    def candidates(self, name: str) -> tuple[Rule, ...]:
        """The active rules, in order, whose command conditions can hold for a command called
        `name`, and perhaps others: the matcher narrows them further (`Rule.names`)."""
        if self._source is not None:
            return self._source.candidates(name)
        return tuple(r for r in self.active_rules() if r.names is None or name in r.names)

    def tool(self, name: str) -> ToolSpec:
        found = self._tools.get(name)
        if found is None:
            if self._source is None:
                return _NO_TOOL
            found = self._source.tool(name) or _NO_TOOL
            self._tools[name] = found  # the answer for a tool the rules do not list, too
        return found

    def active_rules(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.pack not in self.disabled_packs)


_NO_TOOL = ToolSpec()
