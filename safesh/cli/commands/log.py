"""`safesh log`: read, filter, follow, verify and export the audit log."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from datetime import datetime, timedelta

import click

from safesh.cli.syslog_stream import SyslogSender, parse_target
from safesh.record import replace
from safesh.store import (
    AuditRecord,
    LogQuery,
    Store,
    StoreError,
    parse_duration,
    parse_time,
)

FOLLOW_INTERVAL_S = 0.5
DECISIONS = ("allow", "notify", "ask", "block")


def parse_since(text: str, now: datetime) -> datetime:
    """`--since`: a duration back from now (30m, 1h, 2d) or an ISO 8601 time."""
    try:
        return now - timedelta(seconds=parse_duration(text))
    except ValueError:
        pass
    try:
        return parse_time(text)
    except ValueError:
        raise ValueError(
            f"not a duration or a time: {text!r} (expected e.g. 1h, 2d or 2024-05-01T12:00)"
        ) from None


def _local(stamp: str) -> str:
    try:
        return parse_time(stamp).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return stamp  # a tampered time still prints; --verify says what is wrong


def _command_text(record: AuditRecord) -> str:
    command = " ".join((record.command or "").split())  # one line per record
    if record.kind == "approval":
        note = f", {record.note}" if record.note else ""
        return f"[{record.outcome} {record.approval_id} by {record.user}{note}] {command}"
    return command


def table_line(record: AuditRecord) -> str:
    exit_text = "" if record.exit_status is None else str(record.exit_status)
    rules = ",".join(record.rules) or "-"
    return (
        f"{_local(record.time)}  {record.decision or '':<6}  {record.outcome or '':<9}  "
        f"{exit_text:>4}  {rules:<24}  {_command_text(record)}"
    )


TABLE_HEADER = f"{'TIME':<19}  {'DECIDE':<6}  {'OUTCOME':<9}  {'EXIT':>4}  {'RULES':<24}  COMMAND"


def _emit(records: list[AuditRecord], as_json: bool, sink: SyslogSender | None = None) -> None:
    for record in records:
        if sink is not None:
            sink.send(record.to_dict())
        elif as_json:
            click.echo(json.dumps(record.to_dict(), ensure_ascii=False))
        else:
            click.echo(table_line(record))


def _verify(store: Store) -> None:
    result = store.verify()
    if result.ok:
        click.echo(result.message())
        return
    click.echo(f"safesh: {result.message()}", err=True)
    raise click.exceptions.Exit(1)


def _export(store: Store, target: str) -> None:
    if target == "-":
        count = store.export_jsonl(sys.stdout)
    else:
        with open(target, "w", encoding="utf-8") as out:
            count = store.export_jsonl(out)
    click.echo(f"exported {count} records to {target}", err=True)


def _follow(
    store: Store, query: LogQuery, after: int, as_json: bool, sink: SyslogSender | None = None
) -> None:
    """Poll for records newer than `after` until interrupted (Ctrl-C ends it quietly)."""
    try:
        while True:
            time.sleep(FOLLOW_INTERVAL_S)
            fresh = store.records(replace(query, after_id=after, limit=None))
            _emit(fresh, as_json, sink)
            if fresh:
                after = fresh[-1].id
            sys.stdout.flush()
    except KeyboardInterrupt:
        return


def _prune(store: Store) -> None:
    from safesh.store import user_settings

    settings = user_settings()
    if not settings.prunes:
        raise click.ClickException(
            'no retention is set: add audit_retention (e.g. "90d") and/or '
            "audit_max_records to [settings] in your rules file"
        )
    click.echo(f"pruned {store.maintain(settings)} records; the log still verifies")


@click.command(name="log")
@click.option("--since", metavar="WHEN", help="Only records after this: 1h, 2d or an ISO time.")
@click.option("--decision", type=click.Choice(DECISIONS), help="Only this decision.")
@click.option("--rule", "rule", metavar="ID", help="Only records where this rule matched.")
@click.option(
    "--cwd",
    "cwd",
    metavar="DIR",
    type=click.Path(file_okay=False),
    help="Only commands run in DIR or below.",
)
@click.option("--grep", metavar="TEXT", help="Only commands containing TEXT (any case).")
@click.option("--limit", "-n", type=click.IntRange(min=1), help="Only the newest N records.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--follow", "-f", is_flag=True, help="Keep printing new records until Ctrl-C.")
@click.option("--verify", is_flag=True, help="Check the hash chain; exit 1 naming a bad record.")
@click.option(
    "--prune",
    is_flag=True,
    help="Delete records past audit_retention / audit_max_records ([settings]); the chain "
    "stays verifiable from a signed checkpoint.",
)
@click.option(
    "--export",
    "export_to",
    metavar="FILE",
    help="Write every record, hashes included, as JSON lines to FILE (- for stdout).",
)
@click.option(
    "--syslog",
    "syslog_to",
    metavar="ADDRESS",
    help="Send the records to a syslog collector (RFC 5424): udp://HOST:PORT, "
    "tcp://HOST:PORT or a socket path like /dev/log. With --follow, keep streaming.",
)
def command(
    since: str | None,
    decision: str | None,
    rule: str | None,
    cwd: str | None,
    grep: str | None,
    limit: int | None,
    as_json: bool,
    follow: bool,
    verify: bool,
    export_to: str | None,
    syslog_to: str | None,
    prune: bool = False,
) -> None:
    """Show the audit log of every command safesh judged, and every human decision."""
    from safesh.store import DEFAULT_BUSY_TIMEOUT_S, open_store

    try:
        with open_store(None, busy_timeout_s=DEFAULT_BUSY_TIMEOUT_S) as store:
            with contextlib.suppress(StoreError, OSError):
                store.spool.drain(store.audit.record_many)  # spooled records belong here too
            if prune:
                _prune(store)
                return
            if verify:
                _verify(store)
                return
            if export_to is not None:
                _export(store, export_to)
                return
            try:
                since_time = None if since is None else parse_since(since, store.now())
            except ValueError as exc:
                raise click.BadParameter(str(exc), param_hint="--since") from exc
            query = LogQuery(
                since=since_time,
                decision=decision,
                rule=rule,
                cwd=None if cwd is None else os.path.abspath(cwd),
                grep=grep,
                limit=limit,
            )
            sink = _syslog_sender(syslog_to) if syslog_to is not None else None
            head = store.last_id()
            records = store.records(query)
            if sink is None and not as_json and (records or follow):
                click.echo(TABLE_HEADER)
            try:
                _emit(records, as_json, sink)
                if follow:
                    sys.stdout.flush()
                    _follow(store, query, max([head, *(r.id for r in records)]), as_json, sink)
            except OSError as exc:
                raise click.ClickException(f"cannot send to syslog at {syslog_to}: {exc}") from exc
            finally:
                if sink is not None:
                    sink.close()
            if sink is not None:
                click.echo(f"sent {len(records)} records to {syslog_to}", err=True)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc


def _syslog_sender(address: str) -> SyslogSender:
    try:
        return SyslogSender(parse_target(address))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--syslog") from exc
    except OSError as exc:
        raise click.ClickException(f"cannot reach syslog at {address}: {exc}") from exc
