"""Match rules against commands: `classify(commands, context, ruleset) -> findings`.

A command's words are first split into flags, option values and positional words using what
`[tools.NAME]` says about the tool; the subcommand is the leading positional words. Then each
rule's conditions are evaluated; every rule that holds yields a Finding.
"""

from __future__ import annotations

from safesh.model import Command, Context, Finding, Tier, Word
from safesh.record import field, frozen, mutable, replace
from safesh.rules import production
from safesh.rules.checks import CHECKS
from safesh.rules.globs import glob_match, matches_any, one_glob
from safesh.rules.paths import classify_path
from safesh.rules.schema import Conditions, Rule, RuleSet, ToolSpec, derive_tier

STRICT_RULE_ID = "core.strict-not-allowed"
STRICT_REASON = (
    "The strict profile allows only the commands on its allow-list, and this is not one of them."
)
_OUTPUT_REDIRECTS = frozenset({">", ">>", ">|", "&>", "&>>", "<>"})


@frozen
class Args:
    """A command's words after option normalisation. Indices point into `Command.argv`."""

    flags: frozenset[str]
    values: tuple[tuple[str, str], ...]  # (option, value), in order
    positional: tuple[int, ...]


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


@mutable
class _Memo:
    """Per-command results computed at most once during one classify call."""

    args: dict[str, Args] = field(default_factory=dict)
    sql: tuple[frozenset[str], str] | None = None
    # The production signal, by how many leading positional words are the subcommand
    # (`aws logs start-live-tail` names no environment `live`).
    production: dict[int, production.Signal | None] = field(default_factory=dict)
    offset: int = 0  # subcommand words the current rule matched
    facts: frozenset[str] | None = None  # effects.command_facts, computed on first use


@frozen
class _Scope:
    command: Command
    context: Context
    args: Args
    offset: int  # how many positional words the subcommand took


def classify(
    commands: tuple[Command, ...], context: Context, ruleset: RuleSet
) -> tuple[Finding, ...]:
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
    memo = _Memo()
    tool = ruleset.tool(command.name)
    args = parse_args(command.argv, tool)
    # A `--long VALUE` option the tool table does not list would shift the subcommand
    # (`kubectl --token T delete pod x`); a rule that holds under either reading holds.
    readings = [args]
    valued = parse_args(command.argv, tool, unknown_long_takes_value=True)
    if valued != args:
        readings.append(valued)
    for rule in _rules_for(ruleset, command.name):
        for reading in readings:
            memo.offset = 0
            evidence = _holds(rule.conditions, _Scope(command, context, reading, 0), memo)
            if evidence is not None:
                findings.append(_finding(rule, command, reading, evidence, ruleset, context, memo))
                break
    if ruleset.profile == "strict" and command.name and not _strict_allowed(command, args, ruleset):
        findings.append(_strict_finding(command, ruleset))
    return tuple(findings)


# -- which rules can apply to a command name -------------------------------------------------


def _rules_for(ruleset: RuleSet, name: str) -> tuple[Rule, ...]:
    """The rules (in order) whose command conditions can hold for `name`: most rules name
    their commands, so a command is matched against a handful of rules, not all of them (and
    a RuleSet read from the cache decodes only those: `RuleSet.candidates`)."""
    found = ruleset._by_command.get(name)
    if found is None:
        found = tuple(
            rule for rule in ruleset.candidates(name) if _may_apply(rule.conditions, name)
        )
        ruleset._by_command[name] = found
    return found


def _may_apply(cond: Conditions, name: str) -> bool:
    if cond.command and not matches_any(name, cond.command_globs):
        return False
    if cond.command_none and matches_any(name, cond.command_none_globs):
        return False
    if cond.sql_any:
        from safesh.rules.clients import DATABASE_CLIENTS

        if name not in DATABASE_CLIENTS:
            return False
    return not cond.any or any(_may_apply(sub, name) for sub in cond.any)


# -- conditions --------------------------------------------------------------------------------


def _holds(cond: Conditions, scope: _Scope, memo: _Memo) -> list[str] | None:
    """The evidence words if every given condition holds, else None."""
    command, args = scope.command, scope.args
    evidence: list[str] = []
    if cond.command:
        if not matches_any(command.name, cond.command_globs):
            return None
        evidence.append(command.name)
    if cond.command_none and matches_any(command.name, cond.command_none_globs):
        return None
    if cond.subcommand:
        words = [command.argv[i] for i in args.positional[: len(cond.subcommand)]]
        if len(words) < len(cond.subcommand) or not all(
            glob_match(w, g) for w, g in zip(words, cond.subcommand, strict=True)
        ):
            return None
        evidence.extend(words)
        scope = _Scope(command, scope.context, args, len(cond.subcommand))
        memo.offset = max(memo.offset, len(cond.subcommand))
    for check in (_flags, _args, _paths, _redirects, _inputs, _env, _via):
        found = check(cond, scope)
        if found is None:
            return None
        evidence.extend(found)
    if cond.sql_any:
        found = _sql(cond, scope, memo)
        if found is None:
            return None
        evidence.extend(found)
    if cond.verbs_any:
        found = _verbs(cond, scope)
        if found is None:
            return None
        evidence.extend(found)
    if cond.effects_any or cond.effects_none:
        found = _effects(cond, scope, memo)
        if found is None:
            return None
        evidence.extend(found)
    if cond.check is not None:
        result = CHECKS[cond.check].predicate(command, scope.context)
        if result is None:
            return None
        evidence.append(result)
    if cond.any:
        for sub in cond.any:
            found = _holds(sub, scope, memo)
            if found is not None:
                evidence.extend(found)
                break
        else:
            return None
    return evidence


def _flag_matches(pattern: str, args: Args) -> str | None:
    """A flag pattern is a glob over flag names; `--replicas=0` also globs the value."""
    name, equals, value = pattern.partition("=")
    if not equals:
        return next((f for f in sorted(args.flags) if one_glob(f, name)), None)
    for option, given in args.values:
        if one_glob(option, name) and glob_match(given, value):
            return f"{option}={given}"
    # A flag given without a value has the empty value: `--dry-run=|client|server` holds
    # for `--dry-run`, `--dry-run=client` and `--dry-run server` (a value option).
    valued = {option for option, _ in args.values}
    for flag in sorted(args.flags):
        if flag not in valued and one_glob(flag, name) and glob_match("", value):
            return flag
    return None


def _flags(cond: Conditions, scope: _Scope) -> list[str] | None:
    args = scope.args
    found: list[str] = []
    if cond.flags_any:
        hits = [h for h in (_flag_matches(p, args) for p in cond.flags_any) if h is not None]
        if not hits:
            return None
        found.extend(hits)
    for pattern in cond.flags_all:
        hit = _flag_matches(pattern, args)
        if hit is None:
            return None
        found.append(hit)
    if any(
        _flag_matches(p, args) is not None and _written_short(p, scope) for p in cond.flags_none
    ):
        return None
    return list(dict.fromkeys(found))


def _written_short(pattern: str, scope: _Scope) -> bool:
    """A one-letter option that excuses a command (`-h`, `-n`, `-l` in `flags_none`) counts
    as written on its own or in a short cluster (`-h`, `-nv`): inside a longer single-dash
    word it is a letter of a Go- or Java-style option (`-path`, `-host`, `-alias`)."""
    if len(pattern) != 2 or pattern[0] != "-" or not pattern[1].isalpha():
        return True
    if pattern == "-h" and "-h" in dict(scope.args.values):
        return False  # a value option there: a host (`repmgr -h HOST`), not help
    for word in scope.command.argv[1:]:
        if word == "--":
            break
        short = word.startswith("-") and not word.startswith("--") and len(word) <= 4
        if short and pattern[1] in word[1:].partition("=")[0]:
            return True
    return False


def _positional_words(scope: _Scope) -> list[int]:
    return list(scope.args.positional[scope.offset :])


def _args(cond: Conditions, scope: _Scope) -> list[str] | None:
    words = [scope.command.argv[i] for i in _positional_words(scope)]
    found: list[str] = []
    if cond.args_any:
        found = [w for w in words if any(glob_match(w, g) for g in cond.args_any)]
        if not found:
            return None
    if any(glob_match(w, g) for w in words for g in cond.args_none):
        return None
    return found


def _word_classes(scope: _Scope, index: int) -> frozenset[str]:
    command = scope.command
    word = command.words[index] if len(command.words) == len(command.argv) else None
    return classify_path(
        command.argv[index],
        scope.context,
        static=True if word is None else word.static,
        cwd=command.cwd,
        cwd_known=command.cwd_known,
    )


def _paths(cond: Conditions, scope: _Scope) -> list[str] | None:
    if not cond.paths_any and not cond.paths_all:
        return []
    indices = _positional_words(scope)
    classes = {i: _word_classes(scope, i) for i in indices}
    found: list[str] = []
    if cond.paths_any:
        wanted = set(cond.paths_any)
        found = [scope.command.argv[i] for i in indices if classes[i] & wanted]
        if not found:
            return None
    if cond.paths_all:
        wanted = set(cond.paths_all)
        if not indices or not all(classes[i] & wanted for i in indices):
            return None
        found.extend(scope.command.argv[i] for i in indices)
    return list(dict.fromkeys(found))


def _redirects(cond: Conditions, scope: _Scope) -> list[str] | None:
    """Output redirection targets of a wanted class (`> /dev/sda`)."""
    if not cond.redirect_paths_any:
        return []
    return _redirected(scope, set(cond.redirect_paths_any), output=True) or None


def _inputs(cond: Conditions, scope: _Scope) -> list[str] | None:
    """Files read through `<` of a wanted class (`nc host 9 < ~/.aws/credentials`)."""
    if not cond.input_paths_any:
        return []
    return _redirected(scope, set(cond.input_paths_any), output=False) or None


def _redirected(scope: _Scope, wanted: set[str], *, output: bool) -> list[str]:
    found = []
    for redirect in scope.command.redirects:
        target = redirect.target
        if target is None:
            continue
        if not (_is_output(redirect.op, target.text) if output else redirect.op == "<"):
            continue
        classes = classify_path(
            target.text,
            scope.context,
            static=target.static,
            cwd=scope.command.cwd,
            cwd_known=scope.command.cwd_known,
        )
        if classes & wanted:
            found.append(f"{redirect.op} {target.text}")
    return found


def _is_output(op: str, target: str) -> bool:
    # `>&2` duplicates a descriptor; `>& file` (bash) writes a file.
    return op in _OUTPUT_REDIRECTS or (op == ">&" and not target.isdigit() and target != "-")


def _env(cond: Conditions, scope: _Scope) -> list[str] | None:
    if not cond.env_any:
        return []
    pairs = list(scope.command.assignments) + list(scope.context.env)
    for pattern in cond.env_any:
        name, _, glob = pattern.partition("=")
        for key, value in pairs:
            if key == name and one_glob(value, glob):
                return [f"{key}={value}"]
    return None


def _via(cond: Conditions, scope: _Scope) -> list[str] | None:
    if not cond.via_any:
        return []
    found = [v for v in scope.command.via if any(glob_match(v, g) for g in cond.via_any)]
    return found or None


def _sql(cond: Conditions, scope: _Scope, memo: _Memo) -> list[str] | None:
    from safesh.rules import sql
    from safesh.rules.clients import DATABASE_CLIENTS

    if scope.command.name not in DATABASE_CLIENTS:
        return None
    if memo.sql is None:
        memo.sql = sql.sql_kinds(scope.command, scope.context)
    kinds, evidence = memo.sql
    hits = [k for k in cond.sql_any if k in kinds]
    if not hits:
        return None
    return [evidence or ", ".join(hits)]


# -- generic vocabularies ----------------------------------------------------------------------


def _verbs(cond: Conditions, scope: _Scope) -> list[str] | None:
    """`verbs_any`: a leading positional word that may be a subcommand (see
    `verbs.verb_candidates`: not an option's value, not the data of a `create`) spells one of
    the verbs. `verbs_none`: no such word matches (`pip cache purge`)."""
    from safesh.rules.verbs import is_command_argument, verb_candidates, verb_tokens

    argv = scope.command.argv
    leading = verb_candidates(argv, scope.args.positional)
    words = [argv[i] for i in leading]
    if cond.verbs_none and any(glob_match(w.lower(), g) for w in words for g in cond.verbs_none):
        return None
    for index in leading:
        if is_command_argument(argv, index):
            continue
        tokens = verb_tokens(argv[index])
        if any(glob_match(t, g) for t in tokens for g in cond.verbs_any):
            return [argv[index]]
    return None


def _effects(cond: Conditions, scope: _Scope, memo: _Memo) -> list[str] | None:
    if memo.facts is None:
        from safesh.rules.effects import command_facts

        memo.facts = command_facts(scope.command, scope.context)
    facts = memo.facts
    if any(glob_match(f, g) for f in facts for g in cond.effects_none):
        return None
    if not cond.effects_any:
        return []
    hits = sorted(f for f in facts if any(glob_match(f, g) for g in cond.effects_any))
    return hits or None


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
    memo: _Memo,
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
    rule: Rule, command: Command, args: Args, context: Context, ruleset: RuleSet, memo: _Memo
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
