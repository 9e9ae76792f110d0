"""The Python API for agent frameworks, and the value every front end reports from.

>>> import safesh
>>> safesh.check("git push --force origin main").decision
'ask'
"""

from __future__ import annotations

from collections.abc import Mapping

from safesh.model import Analysis, Command, Finding, Tier
from safesh.record import frozen

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from typing import Any

    from safesh.preview.types import Preview
    from safesh.rules import RuleSet
    from safesh.unwrap.definitions import SessionState

JSON_SCHEMA_VERSION = 1


@frozen
class Report:
    """The outcome of analysing one line, before anything is run."""

    analysis: Analysis
    rules_fingerprint: str | None = None
    # The user's `[settings]` (shell, notify_command, ...), for the front ends.
    settings: tuple[tuple[str, str], ...] = ()
    # What the line would destroy (`safesh.preview`): only for ask/block, only when asked for.
    preview: Preview | None = None

    def setting(self, name: str) -> str | None:
        return dict(self.settings).get(name)

    @property
    def command(self) -> str:
        return self.analysis.source

    @property
    def decision(self) -> str:
        return self.analysis.decision.value

    @property
    def tier(self) -> Tier:
        return self.analysis.decision

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.analysis.findings

    @property
    def runs(self) -> bool:
        """Whether the line runs without a human."""
        return self.tier in (Tier.ALLOW, Tier.NOTIFY)

    def rule_ids(self) -> list[str]:
        return sorted({f.rule_id for f in self.analysis.findings})

    def decisive_findings(self) -> list[Finding]:
        """The findings that carry the line's decision, most severe first."""
        ordered = sorted(self.analysis.findings, key=lambda f: -f.tier.severity)
        return [f for f in ordered if f.tier == self.tier]

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON form (`safesh check --json`)."""
        analysis = self.analysis
        commands = list(analysis.commands)
        return {
            "version": JSON_SCHEMA_VERSION,
            "command": analysis.source,
            "decision": analysis.decision.value,
            "cwd": analysis.context.cwd,
            "profile": analysis.profile,
            "parser": analysis.frontend,
            "parse_error": analysis.parse_error,
            "commands": [_command_dict(command, analysis.findings) for command in commands],
            "findings": [
                _finding_dict(finding, _index_of(commands, finding.command))
                for finding in analysis.findings
            ],
            "warnings": list(analysis.notes),
            "preview": None if self.preview is None else self.preview.to_dict(),
        }

    def with_preview(self) -> Report:
        """This report with its preview, when the line asks or is blocked (probes run only
        then, within the `preview_budget` setting); otherwise this report unchanged."""
        if self.preview is not None or self.runs:
            return self
        from safesh.preview import preview
        from safesh.preview.types import Settings
        from safesh.record import replace

        try:
            found = preview(self.analysis, Settings.from_pairs(self.settings))
        except Exception:  # advice only: a failing probe never changes or delays a decision
            return self
        if found is not None and self.tier is Tier.BLOCK:
            found = found.never_runs()  # no snapshot is promised for a line that cannot run
        return self if found is None else replace(self, preview=found)

    def summary(self) -> str:
        """One line: the decision and the decisive rules."""
        decisive = self.decisive_findings()
        if not decisive:
            return f"{self.decision}: {self.command}"
        ids = ", ".join(dict.fromkeys(f.rule_id for f in decisive))
        return f"{self.decision} ({ids}): {self.command}"

    def refusal_message(self, approval_id: str | None = None, declined: bool = False) -> str:
        """The paragraph a refused caller (often a model) reads on stderr."""
        lines = [f"safesh: refused to run: {_one_line(self.command)}"]
        for finding in self.decisive_findings()[:3]:
            where = ""
            source = finding.command.source if finding.command is not None else ""
            if source and _one_line(source) != _one_line(self.command):
                where = f" in `{_one_line(source)}`"
            lines.append(f"  [{finding.rule_id}] {finding.reason}{where}")
            if finding.evidence and finding.rule_id.startswith("core."):
                lines.append(f"    detail: {finding.evidence}")
            if finding.alternative:
                lines.append(f"    safer: {finding.alternative}")
        if self.preview is not None:
            lines.extend(self.preview.lines())
        lines.append(self._next_step(approval_id, declined))
        return "\n".join(lines) + "\n"

    def _next_step(self, approval_id: str | None, declined: bool) -> str:
        rules_broken = any(f.rule_id == "core.rules-error" for f in self.analysis.findings)
        if self.tier == Tier.BLOCK:
            blocked = (
                "  This is blocked by policy and cannot be approved from here. Do not retry it "
                "in another form (rewording, splitting, wrapping or scripting it); tell the user "
                "what you wanted to do and why."
            )
            if rules_broken:
                blocked += "\n  A rules file is also broken: " + _rules_problem(self.analysis)
            return blocked
        if rules_broken:
            return (
                "  safesh refuses every command until its rules load: a human must fix (or move"
                " aside) the rules file named above."
            )
        if declined:
            return "  A human declined it. Do not retry it in another form; ask the user."
        if approval_id is not None:
            return (
                f"  It needs a human's approval: request {approval_id} is waiting. Tell the user "
                f"to run `safesh approve {approval_id}`, then re-run the identical command in the "
                "same directory. Do not try to achieve the same effect another way."
            )
        return (
            "  It needs a human's approval. Ask the user to run it themselves or to approve it "
            "(`safesh approvals`). Do not try to achieve the same effect another way."
        )


def check(
    command: str,
    cwd: str | None = None,
    env: Mapping[str, str] | None = None,
    ruleset: RuleSet | None = None,
    *,
    preview: bool = False,
    session: SessionState | None = None,
    live_input: bool = False,
) -> Report:
    """Analyse `command` as if run in `cwd` with `env`; run nothing.

    `session`: what the shell the line runs in already defines (its aliases, functions,
    variables, `"$@"`), for a shell that keeps them between lines (`safesh.interactive`).
    `live_input`: the caller can type into what the line starts, unseen (an agent's hook;
    `Context.live_input`), so a program that runs what is typed at it asks.

    Never raises for a bad command or broken rules: those come back as an `ask`. With
    `preview=True`, a line that asks or is blocked also gets `Report.preview`: what it would
    destroy, from read-only probes within a small time budget.
    """
    from safesh.analyze import analyze, make_context, rules_error_analysis

    context = make_context(cwd, env, live_input=live_input)
    if ruleset is None:
        from safesh.rules import RulesError
        from safesh.rules.memo import load_ruleset_memoised

        try:
            ruleset = load_ruleset_memoised(context.cwd)
        except RulesError as error:
            # Judged by the rules that still load too: a broken file makes the rest ask, but
            # what the built-in rules block stays blocked.
            from safesh.rules.loader import load_fallback_ruleset

            fallback = load_fallback_ruleset(error)
            analysis = rules_error_analysis(command, context, str(error), fallback, session)
            return Report(analysis, settings=fallback.settings if fallback else ())
    report = Report(
        analyze(command, context, ruleset, session),
        rules_fingerprint=ruleset.fingerprint,
        settings=ruleset.settings,
    )
    return report.with_preview() if preview else report


def _rules_problem(analysis: Analysis) -> str:
    for finding in analysis.findings:
        if finding.rule_id == "core.rules-error":
            return f"{finding.evidence}; a human must fix (or move aside) that file."
    return "a human must fix (or move aside) the rules file."


def _index_of(commands: list[Command], command: Command | None) -> int | None:
    if command is None:
        return None
    for index, candidate in enumerate(commands):
        if candidate is command:
            return index
    return None


def _finding_dict(finding: Finding, command_index: int | None) -> dict[str, Any]:
    return {
        "rule": finding.rule_id,
        "tier": finding.tier.value,
        "reason": finding.reason,
        "alternative": finding.alternative,
        "evidence": finding.evidence,
        "pack": finding.pack,
        "command_index": command_index,
    }


def _command_dict(command: Command, findings: tuple[Finding, ...]) -> dict[str, Any]:
    own = [f for f in findings if f.command is command]
    return {
        "argv": list(command.argv),
        "text": command.source,
        "span": [command.span.start, command.span.end],
        "via": list(command.via),
        "nesting": list(command.nesting),
        "dynamic": command.dynamic,
        "remote_host": command.remote_host,
        "decision": Tier.most_severe([f.tier for f in own]).value,
        "rules": [{"id": f.rule_id, "tier": f.tier.value, "reason": f.reason} for f in own],
    }


def _one_line(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
