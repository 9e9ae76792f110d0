"""The conditions of a rule table as steps, and what they read of a command, once per command.

A step is one kind of condition of one table (`flags_*`, `args_*`, `paths_*`, redirect
targets, `env_any`, `via_any`, `sql_any`, `verbs_*`, `effects_*`, `check`), built once with
its patterns split (`globs.glob_set`, `FlagPattern`), called as `step(probe, reading,
offset)`: the evidence words it adds, or None when the table fails there. `offset` is how
many positional words the table's subcommand took. compiled.py puts steps into tables.

`Probe` holds what steps read of one command, computed on first use and kept for every rule
and reading of it: check results, path classes of its words and of its redirect targets,
effect facts, SQL kinds. `Reading` is one reading of its words (`match.parse_args`).

May import: model, record, checks, globs, paths (effects, sql, verbs when a step needs one).
"""

from __future__ import annotations

from safesh.model import Command, Context
from safesh.record import frozen
from safesh.rules.checks import CHECKS
from safesh.rules.globs import NO_GLOBS, GlobSet, glob_set, matcher, matches_any, one_glob
from safesh.rules.paths import classify_path

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from collections.abc import Callable

    from safesh.rules import production
    from safesh.rules.schema import Conditions

    Step = Callable[["Probe", "Reading", int], "list[str] | None"]

_OUTPUT_REDIRECTS = frozenset({">", ">>", ">|", "&>", "&>>", "<>"})


@frozen
class Args:
    """A command's words after option normalisation. Indices point into `Command.argv`."""

    flags: frozenset[str]
    values: tuple[tuple[str, str], ...]  # (option, value), in order
    positional: tuple[int, ...]


# -- what is computed once per command -----------------------------------------------------------


class Probe:
    """One command being classified, and what the rules' tables have read of it so far.
    Also the per-command memo `match._tier` reads (`offset`, `production`)."""

    __slots__ = (
        "checks", "classes", "command", "context", "facts", "offset", "production",
        "redirect_classes", "sql",
    )  # fmt: skip

    def __init__(self, command: Command, context: Context) -> None:
        self.command = command
        self.context = context
        self.offset = 0  # subcommand words the current rule matched
        # The production signal, by how many leading positional words are the subcommand
        # (`aws logs start-live-tail` names no environment `live`).
        self.production: dict[int, production.Signal | None] = {}
        self.sql: tuple[frozenset[str], str] | None = None
        self.facts: frozenset[str] | None = None  # effects.command_facts, on first use
        self.checks: dict[str, str | None] = {}
        self.classes: dict[int, frozenset[str]] = {}  # path classes of argv words
        # Each redirect with a target: (op, target text, its path classes).
        self.redirect_classes: list[tuple[str, str, frozenset[str]]] | None = None

    def check(self, name: str) -> str | None:
        """A named check's evidence (checks.py); the checks read only the command."""
        try:
            return self.checks[name]
        except KeyError:
            found = self.checks[name] = CHECKS[name].predicate(self.command, self.context)
            return found

    def word_classes(self, index: int) -> frozenset[str]:
        found = self.classes.get(index)
        if found is None:
            command = self.command
            word = command.words[index] if len(command.words) == len(command.argv) else None
            found = self.classes[index] = classify_path(
                command.argv[index],
                self.context,
                static=True if word is None else word.static,
                cwd=command.cwd,
                cwd_known=command.cwd_known,
            )
        return found

    def redirected(self, wanted: frozenset[str], *, output: bool) -> list[str]:
        """`OP TARGET` of each output redirect (or `<` input) whose target is of a wanted
        class (`> /dev/sda`, `< ~/.aws/credentials`)."""
        command = self.command
        if not command.redirects:
            return []
        if self.redirect_classes is None:
            self.redirect_classes = [
                (
                    redirect.op,
                    redirect.target.text,
                    classify_path(
                        redirect.target.text,
                        self.context,
                        static=redirect.target.static,
                        cwd=command.cwd,
                        cwd_known=command.cwd_known,
                    ),
                )
                for redirect in command.redirects
                if redirect.target is not None
                and (_is_output(redirect.op, redirect.target.text) or redirect.op == "<")
            ]
        return [
            f"{op} {text}"
            for op, text, classes in self.redirect_classes
            if (_is_output(op, text) if output else op == "<") and not classes.isdisjoint(wanted)
        ]

    def command_facts(self) -> frozenset[str]:
        if self.facts is None:
            from safesh.rules.effects import command_facts

            self.facts = command_facts(self.command, self.context)
        return self.facts


def _is_output(op: str, target: str) -> bool:
    # `>&2` duplicates a descriptor; `>& file` (bash) writes a file.
    return op in _OUTPUT_REDIRECTS or (op == ">&" and not target.isdigit() and target != "-")


class Reading:
    """One reading of a command's words (`match.parse_args`), with what flag patterns look
    up in it made once: its flags in order, and the options given a value."""

    __slots__ = ("_sorted", "_valued", "args")

    def __init__(self, args: Args) -> None:
        self.args = args
        self._sorted: list[str] | None = None
        self._valued: frozenset[str] | None = None

    def sorted_flags(self) -> list[str]:
        if self._sorted is None:
            self._sorted = sorted(self.args.flags)
        return self._sorted

    def valued(self) -> frozenset[str]:
        if self._valued is None:
            self._valued = frozenset(option for option, _ in self.args.values)
        return self._valued


# -- steps -------------------------------------------------------------------------------------


def steps_of(cond: Conditions, *, facts: bool) -> tuple[Step, ...]:
    """The steps of a table's own conditions, in their order in `Conditions` (also the
    evidence's). Without `facts`, a table's `effects_none` alone holds (no fact to exclude)."""
    steps: list[Step] = []
    if cond.flags_any or cond.flags_all or cond.flags_none:
        steps.append(_flags_step(cond))
    steps.append(_args_step(cond))
    if cond.paths_any or cond.paths_all:
        steps.append(_paths_step(cond))
    if cond.redirect_paths_any:
        steps.append(_redirect_step(frozenset(cond.redirect_paths_any), output=True))
    if cond.input_paths_any:
        steps.append(_redirect_step(frozenset(cond.input_paths_any), output=False))
    if cond.env_any:
        steps.append(_env_step(cond.env_any))
    if cond.via_any:
        steps.append(_via_step(glob_set(cond.via_any)))
    if cond.sql_any:
        steps.append(_sql_step(cond.sql_any))
    if cond.verbs_any:
        steps.append(_verbs_step(glob_set(cond.verbs_any), glob_set(cond.verbs_none)))
    if (cond.effects_any or cond.effects_none) and facts:
        steps.append(_effects_step(glob_set(cond.effects_any), glob_set(cond.effects_none)))
    if cond.check is not None:
        steps.append(_check_step(cond.check))
    return tuple(step for step in steps if step is not _nothing)


def _nothing(probe: Probe, reading: Reading, offset: int) -> list[str] | None:
    return []


# -- flags ---------------------------------------------------------------------------------------


class FlagPattern:
    """A flag pattern is a glob over flag names; `--replicas=0` also globs the value."""

    __slots__ = ("empty_value", "name", "pattern", "plain", "value")

    def __init__(self, pattern: str) -> None:
        name, equals, value = pattern.partition("=")
        self.pattern = pattern
        self.name = name
        self.plain = _is_plain(name)
        self.value: GlobSet | None = glob_set((value,)) if equals else None
        # A flag given without a value has the empty value: `--dry-run=|client|server` holds
        # for `--dry-run`, `--dry-run=client` and `--dry-run server` (a value option).
        self.empty_value = self.value is not None and matches_any("", self.value)

    def match(self, reading: Reading) -> str | None:
        """The flag (or `option=value`) that matches; the first in sorted order for a glob."""
        name, flags = self.name, reading.args.flags
        if self.value is None:
            if self.plain:
                return name if name in flags else None
            return next((f for f in reading.sorted_flags() if one_glob(f, name)), None)
        # Every option given a value is among the flags too (`match.parse_args`).
        if self.plain and name not in flags:
            return None
        for option, given in reading.args.values:
            if one_glob(option, name) and matches_any(given, self.value):
                return f"{option}={given}"
        if not self.empty_value:
            return None
        valued = reading.valued()
        for flag in reading.sorted_flags():
            if flag not in valued and one_glob(flag, name):
                return flag
        return None


def _is_plain(glob: str) -> bool:
    return "*" not in glob and "?" not in glob and "[" not in glob


def _flags_step(cond: Conditions) -> Step:
    wanted = tuple(FlagPattern(p) for p in cond.flags_any)
    required = tuple(FlagPattern(p) for p in cond.flags_all)
    excusing = tuple(FlagPattern(p) for p in cond.flags_none)
    # When every `flags_any` pattern names a plain flag, a command with none of them fails
    # without trying each.
    plain_wanted = frozenset(p.name for p in wanted) if all(p.plain for p in wanted) else None

    def step(probe: Probe, reading: Reading, offset: int) -> list[str] | None:
        found: list[str] = []
        if wanted:
            if plain_wanted is not None and plain_wanted.isdisjoint(reading.args.flags):
                return None
            for pattern in wanted:
                hit = pattern.match(reading)
                if hit is not None:
                    found.append(hit)
            if not found:
                return None
        for pattern in required:
            hit = pattern.match(reading)
            if hit is None:
                return None
            found.append(hit)
        for pattern in excusing:
            if pattern.match(reading) is not None and written_short(
                pattern.pattern, probe.command.argv, reading.args
            ):
                return None
        return found

    return step


def written_short(pattern: str, argv: tuple[str, ...], args: Args) -> bool:
    """A one-letter option that excuses a command (`-h`, `-n`, `-l` in `flags_none`) counts
    as written on its own or in a short cluster (`-h`, `-nv`): inside a longer single-dash
    word it is a letter of a Go- or Java-style option (`-path`, `-host`, `-alias`)."""
    if len(pattern) != 2 or pattern[0] != "-" or not pattern[1].isalpha():
        return True
    if pattern == "-h" and "-h" in dict(args.values):
        return False  # a value option there: a host (`repmgr -h HOST`), not help
    for word in argv[1:]:
        if word == "--":
            break
        short = word.startswith("-") and not word.startswith("--") and len(word) <= 4
        if short and pattern[1] in word[1:].partition("=")[0]:
            return True
    return False


# -- positional words and paths ------------------------------------------------------------------


def _args_step(cond: Conditions) -> Step:
    if not cond.args_any and not cond.args_none:
        return _nothing
    wanted = glob_set(cond.args_any)
    excluded = glob_set(cond.args_none)
    any_given = bool(cond.args_any)

    def step(probe: Probe, reading: Reading, offset: int) -> list[str] | None:
        argv = probe.command.argv
        words = [argv[i] for i in reading.args.positional[offset:]]
        found: list[str] = []
        if any_given:
            found = [w for w in words if matches_any(w, wanted)]
            if not found:
                return None
        if excluded is not NO_GLOBS and any(matches_any(w, excluded) for w in words):
            return None
        return found

    return step


def _paths_step(cond: Conditions) -> Step:
    wanted_any = frozenset(cond.paths_any)
    wanted_all = frozenset(cond.paths_all)

    def step(probe: Probe, reading: Reading, offset: int) -> list[str] | None:
        indices = reading.args.positional[offset:]
        classes = {i: probe.word_classes(i) for i in indices}
        argv = probe.command.argv
        found: list[str] = []
        if wanted_any:
            found = [argv[i] for i in indices if not classes[i].isdisjoint(wanted_any)]
            if not found:
                return None
        if wanted_all:
            if not indices or not all(not classes[i].isdisjoint(wanted_all) for i in indices):
                return None
            found.extend(argv[i] for i in indices)
        return found

    return step


def _redirect_step(wanted: frozenset[str], *, output: bool) -> Step:
    def step(probe: Probe, reading: Reading, offset: int) -> list[str] | None:
        return probe.redirected(wanted, output=output) or None

    return step


# -- environment, wrappers, SQL ------------------------------------------------------------------


def _env_step(patterns: tuple[str, ...]) -> Step:
    split = tuple((name, glob) for name, _, glob in (p.partition("=") for p in patterns))

    def step(probe: Probe, reading: Reading, offset: int) -> list[str] | None:
        pairs = list(probe.command.assignments) + list(probe.context.env)
        for name, glob in split:
            for key, value in pairs:
                if key == name and one_glob(value, glob):
                    return [f"{key}={value}"]
        return None

    return step


def _via_step(wanted: GlobSet) -> Step:
    def step(probe: Probe, reading: Reading, offset: int) -> list[str] | None:
        return [v for v in probe.command.via if matches_any(v, wanted)] or None

    return step


def _sql_step(kinds_wanted: tuple[str, ...]) -> Step:
    def step(probe: Probe, reading: Reading, offset: int) -> list[str] | None:
        # Compiled only for database clients (`compile_table`).
        if probe.sql is None:
            from safesh.rules import sql

            probe.sql = sql.sql_kinds(probe.command, probe.context)
        kinds, evidence = probe.sql
        hits = [k for k in kinds_wanted if k in kinds]
        if not hits:
            return None
        return [evidence or ", ".join(hits)]

    return step


# -- generic vocabularies ------------------------------------------------------------------------


def _verbs_step(wanted: GlobSet, excluded: GlobSet) -> Step:
    """`verbs_any`: a leading positional word that may be a subcommand (see
    `verbs.verb_candidates`: not an option's value, not the data of a `create`) spells one of
    the verbs. `verbs_none`: no such word matches (`pip cache purge`)."""

    def step(probe: Probe, reading: Reading, offset: int) -> list[str] | None:
        from safesh.rules.verbs import is_command_argument, verb_candidates, verb_tokens

        argv = probe.command.argv
        leading = verb_candidates(argv, reading.args.positional)
        if excluded is not NO_GLOBS and any(
            matches_any(argv[i].lower(), excluded) for i in leading
        ):
            return None
        for index in leading:
            if is_command_argument(argv, index):
                continue
            if any(matches_any(t, wanted) for t in verb_tokens(argv[index])):
                return [argv[index]]
        return None

    return step


def _effects_step(wanted: GlobSet, excluded: GlobSet) -> Step:
    any_given = wanted is not NO_GLOBS
    wants, excludes = matcher(wanted), matcher(excluded)

    def step(probe: Probe, reading: Reading, offset: int) -> list[str] | None:
        facts = probe.command_facts()
        if not facts:
            return None if any_given else []
        if excluded is not NO_GLOBS and any(map(excludes, facts)):
            return None
        if not any_given:
            return []
        return sorted(filter(wants, facts)) or None

    return step


def _check_step(name: str) -> Step:
    def step(probe: Probe, reading: Reading, offset: int) -> list[str] | None:
        result = probe.check(name)
        return None if result is None else [result]

    return step
