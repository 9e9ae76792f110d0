"""Rule conditions compiled for one command name: what `match.classify` evaluates.

Every command used to be tried against thirty to fifty rules, twice when its words have a
second reading, each walk going through every kind of condition and re-globbing the rules'
patterns: nine tenths of a line's judgement. Here a rule's conditions (`Conditions`, one
table and the tables of its `any`) are turned, once per ruleset, command name and `Shape`,
into a `Table` that holds only what can matter for such commands:

  * what the name alone decides is settled once: a table whose `command` the name does not
    match, whose `command_none` it does, that asks for SQL of a program that is no database
    client, or whose check never matches a Command (`parse-error`: the analysis stage emits
    those findings itself) cannot hold; such a table is left out of its `any`, and a rule
    left with nothing that can hold is not tried at all;
  * so is what the command's shape decides: effects asked of a command without effect facts,
    redirect targets of one without redirects (most commands have neither);
  * the conditions become steps (steps.py) with their patterns split once;
  * a rule that reads nothing of the words' reading (only checks, effects, redirects,
    SQL, ...) is tried on the first reading only: the second cannot answer otherwise.

The same tables hold as when every condition was walked each time, with the same evidence in
the same order (the conditions' order in `Conditions`, then `any`).

May import: checks, globs, steps (clients when a table asks for SQL).
"""

from __future__ import annotations

from safesh.rules.checks import CHECKS
from safesh.rules.checks import never as never_matches
from safesh.rules.globs import GlobSet, glob_set, matcher, matches_any
from safesh.rules.steps import Probe, Reading, steps_of

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from safesh.rules.schema import Conditions, Rule, RuleSet
    from safesh.rules.steps import Step


# -- compiled tables ---------------------------------------------------------------------------


class Table:
    """One conditions table for one command name. `steps` run in the conditions' order in
    `Conditions` (it is also the evidence's order); `never` marks a table that cannot hold
    but still matches its subcommand first (`Probe.offset` records that, as before), and
    `records_offset` one that (or one of whose `any`) may record it. `first_words`: the
    words the first positional word must be one of for the table to hold (None: any)."""

    __slots__ = (
        "any", "can_hold", "first_words", "name_evidence", "never", "reads_words",
        "records_offset", "steps", "subcommand", "subcommand_words",
    )  # fmt: skip

    def __init__(
        self,
        name_evidence: bool,
        subcommand: tuple[GlobSet, ...],
        steps: tuple[Step, ...],
        any_: tuple[Table, ...],
        never: bool,
        can_hold: bool,
    ) -> None:
        self.name_evidence = name_evidence
        self.subcommand = subcommand
        self.subcommand_words = tuple(map(matcher, subcommand))
        self.steps = steps
        self.any = any_
        self.never = never
        # False when it never holds for the name, kept only for `records_offset`.
        self.can_hold = can_hold
        self.records_offset: bool = bool(subcommand) or any(s.records_offset for s in any_)
        self.reads_words: bool = bool(subcommand) or any(s.reads_words for s in any_)
        self.first_words = _first_words(subcommand, any_)


def _first_words(subcommand: tuple[GlobSet, ...], any_: tuple[Table, ...]) -> frozenset[str] | None:
    """A table with a subcommand of plain names holds only when the first positional word is
    one of them; one without holds only through an `any` table, each of which may say so
    (`git` rules: `push`, `reset`, ...). A table that never holds adds no word."""
    if subcommand:
        names, globs = subcommand[0]
        return None if globs else names
    if not any_:
        return None
    words: set[str] = set()
    for sub in any_:
        if sub.first_words is None:
            return None
        if not sub.never:
            words |= sub.first_words
    return frozenset(words)


def holds(table: Table, probe: Probe, reading: Reading, offset: int) -> list[str] | None:
    """The evidence words if the table holds for the command in this reading, else None."""
    command = probe.command
    evidence = [command.name] if table.name_evidence else []
    if table.subcommand:
        count = len(table.subcommand)
        positional = reading.args.positional
        if len(positional) < count:
            return None
        argv = command.argv
        words = [argv[i] for i in positional[:count]]
        for word, match in zip(words, table.subcommand_words, strict=True):
            if not match(word):
                return None
        evidence.extend(words)
        offset = count
        if probe.offset < count:
            probe.offset = count
    if table.never:
        return None
    for step in table.steps:
        found = step(probe, reading, offset)
        if found is None:
            return None
        evidence.extend(found)
    if table.any:
        for sub in table.any:
            found = holds(sub, probe, reading, offset)
            if found is not None:
                evidence.extend(found)
                break
        else:
            return None
    return evidence


# -- compiling ---------------------------------------------------------------------------------

# What a command offers the tables beyond its name: (has effect facts, has redirects).
Shape = tuple[bool, bool]


class _Compiler:
    """Compiles one ruleset's tables, sharing what does not depend on the command name: the
    steps of every table, and whole tables that name no command (most generic rules)."""

    def __init__(self) -> None:
        self.steps: dict[tuple[int, bool], tuple[Step, ...]] = {}
        self.free: dict[tuple[int, Shape], Table | None] = {}
        self.name_free: dict[int, bool] = {}

    def table(self, cond: Conditions, name: str, shape: Shape) -> Table | None:
        """`cond` for commands named `name` of `shape`; None when it cannot hold for them
        and has nothing to do before it fails (a subcommand it matches records
        `Probe.offset`: kept)."""
        if cond.command:
            names, globs = cond.command_globs
            if name not in names and not (globs and matches_any(name, cond.command_globs)):
                return None  # most tables of an `any` name other commands: said at once
        if not self._is_name_free(cond):
            return self._compile(cond, name, shape)
        key = (id(cond), shape)
        if key not in self.free:
            self.free[key] = self._compile(cond, name, shape)
        return self.free[key]

    def _is_name_free(self, cond: Conditions) -> bool:
        found = self.name_free.get(id(cond))
        if found is None:
            found = self.name_free[id(cond)] = not (
                cond.command or cond.command_none or cond.sql_any
            ) and all(self._is_name_free(sub) for sub in cond.any)
        return found

    def _compile(self, cond: Conditions, name: str, shape: Shape) -> Table | None:
        # `table` has checked `command`.
        if cond.command_none and matches_any(name, cond.command_none_globs):
            return None
        subcommand = tuple(glob_set((pattern,)) for pattern in cond.subcommand)
        if _fails(cond, name, shape):
            # The conditions after the subcommand have no side effect: stop after it.
            if not subcommand:
                return None
            return Table(bool(cond.command), subcommand, (), (), never=True, can_hold=False)
        subs = tuple(t for t in (self.table(sub, name, shape) for sub in cond.any) if t)
        can_hold = not cond.any or any(sub.can_hold for sub in subs)
        key = (id(cond), shape[0])
        steps = self.steps.get(key)
        if steps is None:
            steps = self.steps[key] = steps_of(cond, facts=shape[0])
        table = Table(bool(cond.command), subcommand, steps, subs, False, can_hold)
        if not can_hold and not table.records_offset:
            return None
        table.reads_words = table.reads_words or _reads_words(cond)
        return table


def _fails(cond: Conditions, name: str, shape: Shape) -> bool:
    """Whether one of the table's own conditions fails for every command of this name and
    shape: SQL asked of a program that is no database client, a check that never matches a
    Command, redirect targets of a command without redirects, effects of one without any."""
    if cond.sql_any:
        from safesh.rules.clients import DATABASE_CLIENTS

        if name not in DATABASE_CLIENTS:
            return True
    facts, redirects = shape
    if (cond.redirect_paths_any or cond.input_paths_any) and not redirects:
        return True
    if cond.effects_any and not facts:
        return True
    check = CHECKS.get(cond.check) if cond.check is not None else None
    return check is not None and check.predicate is never_matches


def _reads_words(cond: Conditions) -> bool:
    """Whether the table's own conditions read the words' reading (positional words, flags,
    option values), so that a second reading may answer otherwise."""
    return bool(
        cond.subcommand
        or cond.flags_any
        or cond.flags_all
        or cond.flags_none
        or cond.args_any
        or cond.args_none
        or cond.paths_any
        or cond.paths_all
        or cond.verbs_any
        or cond.verbs_none
    )


# -- plans: the tables of every rule that can apply to a name ------------------------------------

Plan = tuple[tuple["Rule", Table], ...]
_PLANS_KEPT = 8  # rulesets whose plans are kept (a judge serves a few projects)
_NAMES_KEPT = 4096  # command names planned per ruleset before the plans start over


class NamePlan:
    """The plans of one command name, by the shape of the command (`Shape`) and by its first
    positional word (`Table.first_words`)."""

    __slots__ = ("_by_word", "_compiler", "_rules", "_shapes", "name", "reads_facts")

    def __init__(self, rules: tuple[Rule, ...], compiler: _Compiler, name: str) -> None:
        self.name = name
        self._rules = rules
        self._compiler = compiler
        # Each shape's plan, and every word some table of it asks for first.
        self._shapes: dict[Shape, tuple[Plan, frozenset[str]]] = {}
        self._by_word: dict[tuple[Shape, str | None], Plan] = {}
        # Whether a rule that can apply asks for effects: else no fact need be computed.
        self.reads_facts = any(
            _asks_effects(rule.conditions)
            for rule in rules
            if rule.names is None or name in rule.names
        )

    def shaped(self, shape: Shape) -> Plan:
        """The rules that can hold for a command of this name with (or without) effect facts
        and redirects, each with its table, in the rules' order."""
        return self._shaped(shape)[0]

    def _shaped(self, shape: Shape) -> tuple[Plan, frozenset[str]]:
        found = self._shapes.get(shape)
        if found is None:
            made: list[tuple[Rule, Table]] = []
            for rule in self._rules:
                if rule.names is not None and self.name not in rule.names:
                    continue
                table = self._compiler.table(rule.conditions, self.name, shape)
                if table is not None and table.can_hold:
                    made.append((rule, table))
            words = frozenset(w for _, t in made if t.first_words for w in t.first_words)
            found = self._shapes[shape] = (tuple(made), words)
        return found

    def for_word(self, shape: Shape, word: str | None) -> Plan:
        """`shaped(shape)` less the rules that cannot hold when the first positional word is
        `word` (None: there is none)."""
        made, words = self._shaped(shape)
        key = (shape, word if word in words else None)
        found = self._by_word.get(key)
        if found is None:
            found = self._by_word[key] = tuple(
                (rule, table)
                for rule, table in made
                if table.first_words is None or key[1] in table.first_words
            )
        return found


def _asks_effects(cond: Conditions) -> bool:
    return bool(cond.effects_any or cond.effects_none) or any(map(_asks_effects, cond.any))


class _Plans:
    """One ruleset's plans by command name, and its compiler."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset  # held: its id is not reused while it is a key
        self.compiler = _Compiler()
        self.names: dict[str, NamePlan] = {}


_plans: dict[int, _Plans] = {}


def plan(ruleset: RuleSet, name: str) -> NamePlan:
    """The plans of a command named `name` under `ruleset` (kept by the ruleset's identity)."""
    kept = _plans.get(id(ruleset))
    if kept is None or kept.ruleset is not ruleset:
        if len(_plans) >= _PLANS_KEPT:
            _plans.clear()
        kept = _plans[id(ruleset)] = _Plans(ruleset)
    found = kept.names.get(name)
    if found is None:
        if len(kept.names) >= _NAMES_KEPT:
            kept.names.clear()
        # Only the rules that can apply to the name: a RuleSet read from the cache decodes
        # just those (`RuleSet.candidates`).
        found = kept.names[name] = NamePlan(kept.ruleset.candidates(name), kept.compiler, name)
    return found
