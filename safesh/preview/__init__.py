"""The preview stage: what a command that asks or is blocked would destroy, before anyone
decides.

    Analysis (ask/block) -> each decisive command -> the probe families -> Preview

Every probe family is a module with the same interface,
`probe(command, context, budget, settings) -> Section | None` (None: it does not apply):

    files     rm, unlink, shred, srm, find -delete, git clean -f
    gitwork   git reset --hard, checkout --/., restore, stash drop/clear, branch -D
    gitremote git push --force / +ref / --delete / :ref / --mirror (local data only)
    sqlite    DELETE / DROP TABLE / TRUNCATE on a local SQLite file (opened read-only)
    network   terraform / kubectl / helm dry runs, only when `preview_network` is on

Probes only read: directory entries, `lstat`, read-only git commands, a read-only SQLite
connection. They share one time budget (`preview_budget`, default 500ms); a probe that runs
out stops, and the preview says it was cut short. Nothing here runs for allowed lines: the
front ends ask for a preview only after the decision is ask or block.

Imports: `safesh.model` and this package's modules (never a front end).
"""

from __future__ import annotations

from collections.abc import Callable

from safesh.model import Analysis, Command, Context, Tier
from safesh.preview.types import Budget, BudgetExceeded, Preview, Section, Settings

Probe = Callable[[Command, Context, Budget, Settings], "Section | None"]

# The most a preview lists of commands on one line (a script can hold hundreds).
_MAX_COMMANDS = 8


def _probes() -> tuple[Probe, ...]:
    from safesh.preview import files, gitremote, gitwork, network, sqlite

    return (files.probe, gitwork.probe, gitremote.probe, sqlite.probe, network.probe)


def decisive_commands(analysis: Analysis) -> list[Command]:
    """The commands whose findings ask or block, in line order, each once."""
    seen: list[Command] = []
    for finding in analysis.findings:
        command = finding.command
        if command is None or finding.tier.severity < Tier.ASK.severity:
            continue
        if not any(command is other for other in seen):
            seen.append(command)
    order = {id(c): i for i, c in enumerate(analysis.commands)}
    return sorted(seen, key=lambda c: order.get(id(c), len(order)))


def preview(analysis: Analysis, settings: Settings | None = None) -> Preview | None:
    """The preview of a line that asks or is blocked; None when no probe applies (or the
    line would run without a human, where nothing is probed at all)."""
    if analysis.decision.severity < Tier.ASK.severity:
        return None
    settings = settings or Settings()
    budget = Budget(settings.budget_s)
    sections: list[Section] = []
    notes: list[str] = []
    cut_short = False
    commands = decisive_commands(analysis)
    for index, command in enumerate(commands):
        if index >= _MAX_COMMANDS:
            notes.append(f"{len(commands) - _MAX_COMMANDS} more commands not previewed")
            break
        if command.remote_host is not None:
            notes.append(f"`{command.name}` runs on {command.remote_host}: not previewed")
            continue
        if budget.expired():
            cut_short = True
            notes.append(f"`{_short(command.source)}` skipped: the time budget was used up")
            continue
        try:
            found = _run_probes(command, analysis.context, budget, settings)
        except BudgetExceeded:
            cut_short = True
            notes.append(f"`{_short(command.source)}` cut short: the time budget was used up")
            continue
        if found is not None:
            sections.append(found)
            if not found.complete and budget.expired():
                cut_short = True
        elif not settings.network and _network_applies(command):
            from safesh.preview.network import OFF_NOTE

            notes.append(OFF_NOTE)
    if not sections and not notes:
        return None
    return Preview(tuple(sections), tuple(dict.fromkeys(notes)), cut_short)


def _run_probes(
    command: Command, context: Context, budget: Budget, settings: Settings
) -> Section | None:
    for probe in _probes():
        try:
            found = probe(command, context, budget, settings)
        except BudgetExceeded:
            raise
        except Exception:  # a probe is advice: its failure must never change a decision
            continue
        if found is not None:
            return found
    return None


def _network_applies(command: Command) -> bool:
    from safesh.preview.network import applies

    return applies(command)


def _short(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


__all__ = ["Budget", "Preview", "Section", "Settings", "decisive_commands", "preview"]
