"""`safesh daemon status|start|stop`: the resident judge that answers `safesh -c` and the hooks.

It starts by itself on first use and stops after a quarter of an hour idle; these commands
are for looking at it and for stopping it (after an upgrade it restarts by itself anyway).
"""

from __future__ import annotations

import time

import click

from safesh.judge import client, protocol

START_WAIT_SECONDS = 30.0


@click.group(name="daemon")
def group() -> None:
    """The resident judge (started on demand; SAFESH_DAEMON=off disables it)."""


@group.command()
def status() -> None:
    """Whether a judge for this installation is running; exit 1 if not."""
    path = protocol.socket_path(protocol.runtime_dir())
    if not client.enabled():
        click.echo("safesh daemon: disabled (SAFESH_DAEMON)")
        raise SystemExit(1)
    reply = client.control("status")
    if reply is None:
        click.echo(f"safesh daemon: not running ({path})")
        raise SystemExit(1)
    started = reply.get("started")
    uptime = time.time() - started if isinstance(started, (int, float)) else 0.0
    click.echo(
        f"safesh daemon: running, pid {reply.get('pid')}, up {uptime:.0f} s, "
        f"{reply.get('served')} requests before this one, "
        f"{reply.get('spares')} spare processes ready, code {_watch(reply)} ({path})"
    )


def _watch(reply: dict[str, object]) -> str:
    """How the judge knows its code is current (see safesh.judge.watch)."""
    if reply.get("watch") == "inotify":
        return "watched (inotify)"
    return "re-stamped on every request"


@group.command()
def start() -> None:
    """Start the judge now rather than on first use; wait until it answers, and (for a few
    seconds at most) until its spare processes are warm."""
    if not client.enabled():
        raise click.ClickException("disabled (SAFESH_DAEMON)")
    if client.control("status") is None:
        client.start_judge()
    # A judge loads and warms up everything a judgement uses before it listens: ~2 s here,
    # several times that on a machine busy with other work.
    give_up = time.monotonic() + START_WAIT_SECONDS
    while client.control("status") is None:
        if time.monotonic() > give_up:
            raise click.ClickException("the judge did not start")
        time.sleep(0.05)
    _wait_for_spares()
    click.echo("safesh daemon: running")


def _wait_for_spares() -> None:
    """Until a status request finds every spare ready. Each request takes a spare, which the
    judge replaces only after a quiet moment: ask no more often than that."""
    from safesh.judge.server import QUIET_SECONDS, SPARES

    for _ in range(10):
        reply = client.control("status")
        ready = reply.get("spares") if reply is not None else None
        if not isinstance(ready, int) or ready >= SPARES:
            return
        time.sleep(QUIET_SECONDS + 0.05)


@group.command()
def stop() -> None:
    """Stop the running judge (the next command starts a new one)."""
    reply = client.control("stop")
    click.echo("safesh daemon: stopped" if reply is not None else "safesh daemon: not running")
