"""`safesh approvals`, `safesh approve ID`, `safesh deny ID`: a human answers requests that
agents' commands left in the store when no terminal was there to ask."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import click

from safesh.store import (
    ApprovalError,
    ApprovalRequest,
    AuditRecord,
    Store,
    StoreError,
    parse_duration,
    parse_time,
)

RECENT_LIMIT = 5


def refuse_grant_from_agent(action: str) -> None:
    """Stop here (exit 77) when a grant would come from an agent's session, not a human
    (`safesh.agents.session`): an agent must not approve its own commands."""
    from safesh.agents.session import grant_refusal
    from safesh.decide import EXIT_REFUSED

    refusal = grant_refusal(action)
    if refusal is not None:
        click.echo(f"safesh: {refusal}", err=True)
        click.get_current_context().exit(EXIT_REFUSED)


def _open_store() -> Store:
    """The store the user's settings name (a shared PostgreSQL one, or the local file). A
    human is waiting here, not an agent's hook: the store's own, longer, wait applies."""
    from safesh.store import DEFAULT_BUSY_TIMEOUT_S, open_store

    try:
        return open_store(None, busy_timeout_s=DEFAULT_BUSY_TIMEOUT_S)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc


def format_span(seconds: float) -> str:
    """A rough human duration: 45s, 12m, 3h05m, 2d4h."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, _ = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours}h"


def _age(stamp: str, now: datetime) -> float:
    return (now - parse_time(stamp)).total_seconds()


def _recent(store: Store, request: ApprovalRequest) -> list[AuditRecord]:
    return store.recent(
        agent=request.agent, session=request.session, cwd=request.cwd, limit=RECENT_LIMIT
    )


def _recent_dict(record: AuditRecord) -> dict[str, Any]:
    return {
        "time": record.time,
        "command": record.command,
        "decision": record.decision,
        "outcome": record.outcome,
        "exit": record.exit_status,
    }


def _preview_lines(request: ApprovalRequest) -> list[str]:
    """What the command would destroy, as the agent's refusal showed it (`safesh.preview`)."""
    data = request.preview_dict()
    if data is None:
        return []
    from safesh.preview.types import Preview

    return Preview.from_dict(data).lines("  ")


def _describe(request: ApprovalRequest, recent: list[AuditRecord], now: datetime) -> list[str]:
    lines = [f"{request.id}  {request.command}"]
    lines.append(f"  cwd:     {request.cwd}")
    rule = ", ".join(request.rule_ids) or "(no rule id)"
    lines.append(f"  rule:    {rule} ({request.tier}): {request.reason}")
    if request.agent or request.session:
        session = f" session {request.session}" if request.session else ""
        lines.append(f"  agent:   {request.agent or '?'}{session}")
    if request.bound_argv:
        lines.append(f"  argv:    {' '.join(request.bound_argv)}")
    for name, value in sorted(request.bound_env.items()):
        if name != "HOME":
            lines.append(f"  env:     {name}={value}")
    if request.required > 1:
        given = ", ".join(f"{a.user}@{a.host}" for a in request.approvers) or "nobody yet"
        lines.append(f"  needs:   {request.required} different approvers (so far: {given})")
    asked = format_span(_age(request.created, now))
    left = format_span(-_age(request.expires, now))
    lines.append(f"  asked:   {asked} ago, expires in {left}")
    lines += _preview_lines(request)
    for index, record in enumerate(recent):
        label = "  recent:  " if index == 0 else "           "
        moment = parse_time(record.time).astimezone().strftime("%H:%M:%S")
        lines.append(f"{label}{moment} {record.decision or '':<6} {record.command}")
    if request.tier == "block":
        lines.append("  block-tier: cannot be approved; deny it or change the rules")
    else:
        lines.append(f"  approve: safesh approve {request.id} [--for 1h]")
    lines.append(f'  deny:    safesh deny {request.id} --reason "..."')
    return lines


@click.command(name="approvals")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def approvals_command(as_json: bool) -> None:
    """List the requests waiting for a human, with the agent's recent commands."""
    with _open_store() as store:
        try:
            requests = store.pending()
            recents = [_recent(store, request) for request in requests]
        except StoreError as exc:
            raise click.ClickException(str(exc)) from exc
        now = store.now()
    if as_json:
        items = []
        for request, recent in zip(requests, recents, strict=True):
            item = request.to_dict()
            item["recent"] = [_recent_dict(record) for record in recent]
            items.append(item)
        click.echo(json.dumps(items, indent=2))
        return
    if not requests:
        click.echo("no pending approval requests")
        return
    blocks = [
        "\n".join(_describe(request, recent, now))
        for request, recent in zip(requests, recents, strict=True)
    ]
    click.echo("\n\n".join(blocks))


def _duration(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from exc


@click.command(name="approve")
@click.argument("approval_id", metavar="ID")
@click.option("--once", is_flag=True, help="Let the command run one time (the default).")
@click.option(
    "--for",
    "for_s",
    metavar="DURATION",
    callback=_duration,
    help="Let the exact same command run again for this long: 30m, 1h, 2d.",
)
def approve_command(approval_id: str, once: bool, for_s: float | None) -> None:
    """Approve request ID, so the agent's next try of that exact command runs."""
    if once and for_s is not None:
        raise click.UsageError("use either --once or --for, not both")
    refuse_grant_from_agent("approve a request")
    with _open_store() as store:
        try:
            request = store.approve(approval_id, for_s=for_s)
        except (ApprovalError, StoreError) as exc:
            raise click.ClickException(str(exc)) from exc
    if request.status == "pending":
        click.echo(
            f"approval {len(request.approvers)} of {request.required} recorded for "
            f"{request.id}: {request.command}\n  another person must approve it too"
        )
        return
    window = "once" if request.grant_kind == "once" else f"until {request.grant_until}"
    click.echo(f"approved {request.id} ({window}): {request.command}")
    click.echo(f"  in {request.cwd}; the agent can run it now")


@click.command(name="deny")
@click.argument("approval_id", metavar="ID")
@click.option("--reason", default="", help="Why; shown to the agent that asked.")
def deny_command(approval_id: str, reason: str) -> None:
    """Deny request ID; the agent is told, with the reason."""
    with _open_store() as store:
        try:
            request = store.deny(approval_id, reason or "denied by a human")
        except (ApprovalError, StoreError) as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"denied {request.id}: {request.command}")
