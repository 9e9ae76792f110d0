"""The analysis pipeline for one line: parse -> unwrap -> classify -> the line's tier.

This is the one place that turns every failure into a finding: a line neither front-end can
parse, a nested string that cannot be parsed, a rules engine that raises. None of them ever
lets a command through; they all ask a human.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Mapping

from safesh.model import Analysis, Command, Context, Finding, ParseError, Tier

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from safesh.rules import RuleSet
    from safesh.unwrap.definitions import SessionState

UNPARSABLE = "core.unparsable"
UNSEEN_CODE = "core.unseen-code"
INTERNAL_ERROR = "core.internal-error"
RULES_ERROR = "core.rules-error"
SESSION_UNKNOWN = "core.session-unknown"
LIVE_INPUT = "core.live-input"

_FALLBACK_REASONS = {
    UNPARSABLE: "safesh cannot parse this line, so it cannot tell what it would do.",
    UNSEEN_CODE: "The line runs code that only exists when it runs, so nobody has read it.",
    INTERNAL_ERROR: "safesh failed while analysing this line, so it cannot vouch for it.",
    RULES_ERROR: "The rules could not be loaded, so no command can be judged.",
    SESSION_UNKNOWN: "safesh cannot tell what the shell this line runs in already defines"
    " (its aliases, functions or variables), so it cannot tell what the line would do.",
    LIVE_INPUT: "The line starts a program that runs what is typed at it later (a shell, an"
    " interpreter, a database console, a remote login, an editor), and the agent can type into"
    " it without safesh seeing what it types.",
}
_FALLBACK_ALTERNATIVES = {
    LIVE_INPUT: "put the commands in the line itself: `bash -c '…'` or a script, `python3 -c"
    " '…'` or `python3 script.py`, `psql -c '…'` or `-f FILE`, `ssh HOST 'command'`, or a"
    " heredoc; approving this start lets everything typed into it run unchecked",
}


# The rule of each kind of problem the unwrap stage reports (`Unparsed.kind`).
_PROBLEM_RULES = {"unseen": UNSEEN_CODE, "session": SESSION_UNKNOWN, "live-input": LIVE_INPUT}


def make_context(
    cwd: str | None = None, env: Mapping[str, str] | None = None, *, live_input: bool = False
) -> Context:
    """The context of a command run in `cwd` with `env` (defaults: this process's).
    `live_input`: an agent can type into what the line starts (`Context.live_input`)."""
    if env is None:
        environment, pairs = _process_environment()
    else:
        environment = dict(env)
        pairs = tuple(sorted(environment.items()))
    directory = os.path.abspath(cwd if cwd is not None else os.getcwd())
    home = environment.get("HOME") or os.path.expanduser("~")
    return Context(
        cwd=directory,
        home=home,
        env=pairs,
        repo_root=find_repo_root(directory),
        live_input=live_input,
    )


# This process's environment as a dict and as sorted pairs, with the raw mapping they were
# read from: decoding os.environ key by key cost a tenth of a short line's judgement, and it
# rarely changes between lines. os.environ keeps its raw form in `_data` (CPython); a copy of
# it is compared (in C) to see whether anything changed.
_environment: list[tuple[dict[object, object], dict[str, str], tuple[tuple[str, str], ...]]] = []


def _process_environment() -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    raw = getattr(os.environ, "_data", None)
    for seen, environment, pairs in _environment:
        if isinstance(raw, dict) and seen == raw:
            return environment, pairs
    snapshot = dict(raw) if isinstance(raw, dict) else None  # before decoding: never newer
    environment = dict(os.environ)
    pairs = tuple(sorted(environment.items()))
    if snapshot is not None:
        _environment[:] = [(snapshot, environment, pairs)]
    return environment, pairs


def find_repo_root(directory: str) -> str | None:
    """The nearest directory at or above `directory` holding `.git` (a dir or a file)."""
    current = directory
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def core_finding(
    ruleset: RuleSet | None, rule_id: str, evidence: str, command: Command | None = None
) -> Finding:
    """A finding for one of the core rules, using its tier and reason from the ruleset when
    it defines them (a user may raise them) and asking otherwise."""
    rule = None if ruleset is None else ruleset.get(rule_id)
    if rule is None:
        return Finding(
            rule_id=rule_id,
            tier=Tier.ASK,
            reason=_FALLBACK_REASONS.get(rule_id, "safesh cannot judge this line."),
            command=command,
            alternative=_FALLBACK_ALTERNATIVES.get(rule_id),
            evidence=evidence,
            pack="core",
        )
    tier = rule.tier if rule.tier.severity >= Tier.ASK.severity else Tier.ASK
    return Finding(
        rule_id=rule_id,
        tier=tier,
        reason=rule.reason,
        command=command,
        alternative=rule.alternative,
        evidence=evidence,
        pack=rule.pack,
    )


def analyze(
    source: str, context: Context, ruleset: RuleSet, session: SessionState | None = None
) -> Analysis:
    """Classify every command in `source`. Never raises for a bad line or an internal fault.
    `session`: what the shell it runs in already defines (aliases, functions, variables)."""
    # A long line's judgement allocates tens of thousands of objects that all live until the
    # answer, and the cyclic collector would walk them (and the rest of the heap) again and
    # again as they pile up: about half the time of a 64 KB line. It is paused for the line
    # and resumed after (reference counting still frees everything that is not a cycle). If
    # someone else paused it, it stays as they left it.
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        return _analyze(source, context, ruleset, session)
    finally:
        if paused:
            gc.enable()


def _analyze(
    source: str, context: Context, ruleset: RuleSet, session: SessionState | None
) -> Analysis:
    from safesh.parse import parse_line

    try:
        parsed = parse_line(source)
    except ParseError as error:
        finding = core_finding(ruleset, UNPARSABLE, str(error))
        return _analysis(source, context, (), (finding,), None, ruleset, str(error))
    except Exception as error:
        finding = core_finding(ruleset, INTERNAL_ERROR, f"{type(error).__name__}: {error}")
        return _analysis(source, context, (), (finding,), None, ruleset, None)
    try:
        from safesh.rules import classify
        from safesh.unwrap import unwrap

        unwrapped = unwrap(parsed, context, session=session)
        findings = list(classify(unwrapped.commands, context, ruleset))
        findings.extend(
            core_finding(ruleset, _PROBLEM_RULES.get(problem.kind, UNPARSABLE), problem.message)
            for problem in unwrapped.unparsed
        )
    except Exception as error:
        finding = core_finding(ruleset, INTERNAL_ERROR, f"{type(error).__name__}: {error}")
        return _analysis(source, context, (), (finding,), parsed.frontend, ruleset, None)
    return _analysis(
        source, context, unwrapped.commands, tuple(findings), parsed.frontend, ruleset, None
    )


def rules_error_analysis(
    source: str,
    context: Context,
    message: str,
    fallback: RuleSet | None = None,
    session: SessionState | None = None,
) -> Analysis:
    """What a line gets when a rules file cannot be loaded: at least `ask` (fail closed),
    and whatever the rules that still load (`fallback`: the built-in ones) find, so what
    they block stays blocked."""
    finding = core_finding(None, RULES_ERROR, message)
    if fallback is None:
        return Analysis(
            source=source,
            context=context,
            commands=(),
            findings=(finding,),
            decision=Tier.ASK,
            frontend=None,
            notes=(message,),
        )
    judged = analyze(source, context, fallback, session)
    findings = (*judged.findings, finding)
    return Analysis(
        source=source,
        context=context,
        commands=judged.commands,
        findings=findings,
        decision=Tier.most_severe([f.tier for f in findings]),
        frontend=judged.frontend,
        parse_error=judged.parse_error,
        profile=judged.profile,
        notes=(message, *judged.notes),
    )


def _analysis(
    source: str,
    context: Context,
    commands: tuple[Command, ...],
    findings: tuple[Finding, ...],
    frontend: str | None,
    ruleset: RuleSet | None,
    parse_error: str | None,
) -> Analysis:
    return Analysis(
        source=source,
        context=context,
        commands=commands,
        findings=findings,
        decision=Tier.most_severe([f.tier for f in findings]),
        frontend=frontend,
        parse_error=parse_error,
        profile=getattr(ruleset, "profile", "default") if ruleset is not None else "default",
        notes=tuple(getattr(ruleset, "warnings", ()) or ()),
    )
