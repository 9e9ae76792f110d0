"""Match rules against commands: `classify(commands, context, ruleset) -> findings`.

A command's words are first split into flags, option values and positional words using what
`[tools.NAME]` says about the tool; the subcommand is the leading positional words. Then each
rule's conditions are evaluated; every rule that holds yields a Finding.
"""

from __future__ import annotations

from safesh.model import Command, Context, Finding, Tier, Word
from safesh.record import replace
from safesh.rules import production
from safesh.rules.compiled import holds, plan
from safesh.rules.globs import glob_match, matches_any
from safesh.rules.schema import Conditions, Rule, RuleSet, ToolSpec, derive_tier
from safesh.rules.steps import Args, Probe, Reading

STRICT_RULE_ID = "core.strict-not-allowed"
STRICT_REASON = (
    "The strict profile allows only the commands on its allow-list, and this is not one of them."
)


def parse_args(
    argv: tuple[str, ...], tool: ToolSpec, unknown_long_takes_value: bool = False
) -> Args:
    """Split argv[1:] into flags, option values and positional words.

    `-rf` gives `-r`, `-f` (and `-rf` itself, so a rule may name a single-dash long option);
    `--force=x` gives `--force` with value `x`; a value option takes the next word, and a
    short value option ends a cluster (`-am msg`: `-a`, and `-m` with `msg`); `--` ends the
    options and counts as a flag itself (`git checkout -- .`). With
    `unknown_long_takes_value`, a `--long` option the tool table does not know takes the
    next word as its value (see `classify`).
    """
    flags: set[str] = set()
    values: list[tuple[str, str]] = []
    positional: list[int] = []
    index = 1
    options_done = False
    while index < len(argv):
        word = argv[index]
        index += 1
        if options_done or word == "-" or not word.startswith("-"):
            positional.append(index - 1)
            continue
        if word == "--":
            flags.add("--")
            options_done = True
            continue
        if word.startswith("--") or tool.single_dash_long:
            name, equals, value = word.partition("=")
            flags.add(name)
            if equals:
                values.append((name, value))
            elif index < len(argv) and (
                name in tool.value_options
                or (
                    unknown_long_takes_value
                    and word.startswith("--")
                    and not argv[index].startswith("-")
                )
            ):
                values.append((name, argv[index]))
                index += 1
            continue
        name, equals, value = word.partition("=")
        flags.add(name)
        if equals and len(name) > 2:
            # `-path=kv`, `-recurse=true`: Go-style long options, never a letter cluster.
            values.append((name, value))
            continue
        for offset, letter in enumerate(word[1:], start=2):
            option = "-" + letter
            flags.add(option)
            if option in tool.value_options:
                rest = word[offset:]
                if rest:
                    values.append((option, rest.removeprefix("=")))
                elif index < len(argv):
                    values.append((option, argv[index]))
                    index += 1
                break
    return Args(frozenset(flags), tuple(values), tuple(positional))


def classify(
    commands: tuple[Command, ...], context: Context, ruleset: RuleSet
) -> tuple[Finding, ...]:
    if len(commands) == 1:
        return _classify_one(commands[0], context, ruleset)  # most lines: nothing to share
    findings: list[Finding] = []
    # A command identical to an earlier one in every respect but where it stands in the line
    # gets the earlier one's findings, pointed at itself. Everything the rules may read is in
    # the key: its words, redirects, assignments, feed, directory, wrappers, nesting; the
    # context is the same for the whole call. Only the place differs (span, and the
    # pipeline's id and index: the rules read only a pipeline's length). A long script
    # repeats its commands, and `a | a | …` or `x && x && …` repeats one thousands of times.
    seen: dict[tuple[object, ...], tuple[Command, tuple[Finding, ...]]] = {}
    for command in commands:
        key = placeless(command)
        known = seen.get(key)
        if known is None:
            found = _classify_one(command, context, ruleset)
            seen[key] = (command, found)
        else:
            first, found = known
            found = tuple(
                replace(finding, command=command) if finding.command is first else finding
                for finding in found
            )
        findings.extend(found)
    return tuple(findings)


def placeless(command: Command) -> tuple[object, ...]:
    """Everything about `command` but where it stands in the line: the memo key of
    `classify`. tests/test_large_inputs.py checks that every field of Command, Word and
    Redirect is here or is a place."""
    return (
        command.name,
        command.argv,
        tuple(_word_key(word) for word in command.words),
        command.source,
        tuple(
            (r.op, None if r.target is None else _word_key(r.target), r.fd, r.heredoc,
             r.heredoc_quoted)
            for r in command.redirects
        ),
        command.assignments,
        command.via,
        command.nesting,
        command.feed,
        command.pipeline[2],
        command.dynamic,
        command.args_unknown,
        command.remote_host,
        command.depth,
        command.background,
        command.cwd,
        command.cwd_known,
    )  # fmt: skip


def _word_key(word: Word) -> tuple[object, ...]:
    return (word.text, word.raw, word.static, word.glob)


def _classify_one(command: Command, context: Context, ruleset: RuleSet) -> tuple[Finding, ...]:
    findings: list[Finding] = []
    findings.extend(_embedded(command, context, ruleset))
    probe = Probe(command, context)
    tool = ruleset.tool(command.name)
    args = parse_args(command.argv, tool)
    # A `--long VALUE` option the tool table does not list would shift the subcommand
    # (`kubectl --token T delete pod x`); a rule that holds under either reading holds. A
    # rule that reads nothing of the words' reading answers the same for both: tried once.
    readings = [Reading(args)]
    valued = parse_args(command.argv, tool, unknown_long_takes_value=True)
    if valued != args:
        readings.append(Reading(valued))
    planned = plan(ruleset, command.name)
    # Most commands have no effect facts and no redirects: the rules that need them are not
    # tried on those (compiled.Shape).
    shape = (not planned.reads_facts or bool(probe.command_facts()), bool(command.redirects))
    if len(readings) == 1:
        # Nor the rules whose subcommand cannot match the first word (compiled.NamePlan).
        for rule, table in planned.for_word(shape, _first_word(command, args)):
            probe.offset = 0
            evidence = holds(table, probe, readings[0], 0)
            if evidence is not None:
                findings.append(_finding(rule, command, args, evidence, ruleset, context, probe))
    else:
        pairs = [(reading, _first_word(command, reading.args)) for reading in readings]
        for rule, table in planned.shaped(shape):
            for reading, word in pairs if table.reads_words else pairs[:1]:
                if table.first_words is not None and word not in table.first_words:
                    continue
                probe.offset = 0
                evidence = holds(table, probe, reading, 0)
                if evidence is not None:
                    findings.append(
                        _finding(rule, command, reading.args, evidence, ruleset, context, probe)
                    )
                    break
    if ruleset.profile == "strict" and command.name and not _strict_allowed(command, args, ruleset):
        findings.append(_strict_finding(command, ruleset))
    return tuple(findings)


def _first_word(command: Command, args: Args) -> str | None:
    return command.argv[args.positional[0]] if args.positional else None


# -- which rules can apply to a command name -------------------------------------------------


def _may_apply(cond: Conditions, name: str) -> bool:
    """Whether `cond` can hold for a command named `name` by its command conditions (the
    compiled tables, compiled.py, settle this and more once per name)."""
    if cond.command and not matches_any(name, cond.command_globs):
        return False
    if cond.command_none and matches_any(name, cond.command_none_globs):
        return False
    if cond.sql_any:
        from safesh.rules.clients import DATABASE_CLIENTS

        if name not in DATABASE_CLIENTS:
            return False
    return not cond.any or any(_may_apply(sub, name) for sub in cond.any)


# -- code an inline program runs ---------------------------------------------------------------


def _embedded(command: Command, context: Context, ruleset: RuleSet) -> list[Finding]:
    """Shell command lines an inline program runs (`python -c "os.system('rm -rf x')"`, awk's
    `system()`), judged as commands of their own; what cannot be read asks."""
    if not command.argv:
        return []
    from safesh.rules.embedded import embedded_commands

    found = embedded_commands(command, context)
    if found is None:
        return []
    inner, problems = found
    findings = list(classify(inner, context, ruleset))
    findings.extend(_embedded_problem(command, ruleset, problem) for problem in problems)
    return findings


def _embedded_problem(outer: Command, ruleset: RuleSet, evidence: str) -> Finding:
    rule = ruleset.get("core.inline-program")
    return Finding(
        rule_id="core.inline-program",
        tier=Tier.ASK if rule is None else Tier.most_severe([rule.tier, Tier.ASK]),
        reason=(
            "The inline program runs a command safesh cannot read." if rule is None else rule.reason
        ),
        command=outer,
        evidence=evidence,
        pack="core",
    )


# -- findings ----------------------------------------------------------------------------------


def _finding(
    rule: Rule,
    command: Command,
    args: Args,
    evidence: list[str],
    ruleset: RuleSet,
    context: Context,
    memo: Probe,
) -> Finding:
    tier, signal = _tier(rule, command, args, context, ruleset, memo)
    reason = rule.reason
    if signal is not None:
        reason = f"{reason} It acts on production ({signal.evidence})."
    return Finding(
        rule_id=rule.id,
        tier=tier,
        reason=reason,
        command=command,
        alternative=rule.alternative,
        confirm=rule.confirm,
        target=pick_target(command, args) if rule.confirm == "type" else None,
        evidence=" ".join(dict.fromkeys(e for e in evidence if e)) or None,
        pack=rule.pack,
        production=None if signal is None else signal.evidence,
    )


_PRODUCTION_BLASTS = frozenset({"shared", "production"})


def _tier(
    rule: Rule, command: Command, args: Args, context: Context, ruleset: RuleSet, memo: Probe
) -> tuple[Tier, production.Signal | None]:
    """A finding that changes state (notify or above) on a command aimed at production is
    raised to the production row of the tier table (docs/rules.md), or one step, at most to
    `ask`, for a rule that does not say how reversible it is. A user's override is final.
    Ambient signals (a word on the line, the shell's environment) only raise rules whose blast
    is shared; targeted ones (ssh host, the tool's current context) raise any rule."""
    tier = rule.tier
    if tier.severity < Tier.NOTIFY.severity or tier is Tier.BLOCK:
        return tier, None
    if any(rule_id == rule.id for rule_id, _ in ruleset.overrides):
        return tier, None
    if memo.offset not in memo.production:
        memo.production[memo.offset] = production.production_signal(
            command, context, ruleset.production_patterns, skip=args.positional[: memo.offset]
        )
    signal = memo.production[memo.offset]
    if signal is None or not (signal.targeted or rule.blast in _PRODUCTION_BLASTS):
        return tier, None
    if rule.reversible is not None and rule.blast is not None:
        raised = derive_tier(rule.reversible, "production")
    else:
        raised = Tier.ASK
    return Tier.most_severe([tier, raised]), signal


def names_production(command: Command, patterns: tuple[str, ...]) -> bool:
    """Whether a word of the command (or an assignment value, or the ssh host) names one of
    the production patterns."""
    words = list(command.argv[1:]) + [value for _, value in command.assignments]
    if command.remote_host:
        words.append(command.remote_host)
    return any(production.names_production(word, patterns) for word in words)


_NAMESPACE_OPTIONS = ("-n", "--namespace")


def pick_target(command: Command, args: Args) -> str | None:
    """What a type-to-confirm prompt asks for: the branch of a push, the namespace/resource
    of kubectl, the bucket of an s3 URL, else the last positional word."""
    words = [command.argv[i] for i in args.positional]
    if not words:
        return None
    last = words[-1]
    if command.name == "git":
        # `+main`, `:main`, `HEAD:main` all name the remote branch `main`.
        return last.lstrip("+").rpartition(":")[2] or last
    for word in words:
        for scheme in ("s3://", "gs://", "az://"):
            if word.startswith(scheme):
                return word[len(scheme) :].split("/", 1)[0]
    namespace = next((v for o, v in args.values if o in _NAMESPACE_OPTIONS), None)
    if command.name == "kubectl" and namespace is not None:
        return f"{namespace}/{last}"
    return last


# -- the strict profile ------------------------------------------------------------------------


def _strict_allowed(command: Command, args: Args, ruleset: RuleSet) -> bool:
    positional = [command.argv[i] for i in args.positional]
    for entry in ruleset.strict_allow:
        name, *prefix = entry.split()
        if glob_match(command.name, name) and positional[: len(prefix)] == prefix:
            return True
    return False


def _strict_finding(command: Command, ruleset: RuleSet) -> Finding:
    tier = dict(ruleset.overrides).get(STRICT_RULE_ID, Tier.ASK)
    return Finding(
        rule_id=STRICT_RULE_ID,
        tier=tier,
        reason=STRICT_REASON,
        command=command,
        evidence=command.name,
        pack="core",
    )
