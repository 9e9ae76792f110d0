"""The resident per-user judge: `python -m safesh.judge.server` (started on demand by the client).

One process per user and installation keeps the judge's modules imported and its rules loaded,
listening on a Unix socket in a private directory (see `protocol`). Each connection is checked
(the peer's uid must be ours), then served by a forked child: one slow line never holds up
another agent, and whatever the child does to its environment or memory dies with it. The
child takes on the caller's environment and working directory, runs exactly the in-process
code (`safesh.cli.shell.judge_line`, `safesh.cli.commands.hook.answer`), writes the audit record
and only then replies. A child still running past its request's budget plus a grace period is
killed: its client, seeing the connection close, answers from its own process.

The judge exits when idle for IDLE_SECONDS, on `safesh daemon stop`, on SIGTERM, and as soon as
a client's code stamp differs from its own (an upgrade or an edit: the client starts a new one).
A second judge for the same socket exits at once (an exclusive lock beside the socket).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time

from safesh.judge import protocol
from safesh.judge.budget import DEADLINE_ENV, DEADLINE_SECONDS, deadline_seconds

IDLE_SECONDS = 15 * 60
GRACE_SECONDS = 1.5
REQUEST_READ_TIMEOUT = 5.0

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from socket import socket
    from typing import Protocol

    class Closeable(Protocol):
        def close(self) -> None: ...


class _Stop(Exception):
    """SIGTERM (from `safesh daemon stop`, a stale-stamp child, or the user)."""


def main() -> int:
    try:
        directory = protocol.runtime_dir()
        protocol.ensure_private_dir(directory, create=True)
    except protocol.ProtocolError as error:
        sys.stderr.write(f"safesh judge: {error}\n")
        return 1
    path = protocol.socket_path(directory)
    lock = _exclusive_lock(path + ".lock")
    if lock is None:
        return 0  # another judge for this socket is running or starting
    stamp = protocol.code_stamp()
    _preload()
    keeper = _keep_store_open()
    listener = _listen(path)
    try:
        serve(listener, stamp)
    finally:
        _remove_if_ours(path, listener)
        if keeper is not None:
            keeper.close()
        os.close(lock)
    return 0


def serve(listener: socket, stamp: str) -> None:
    started = time.time()
    served = 0
    children: dict[int, float] = {}  # pid -> when to kill it (monotonic)
    last = time.monotonic()

    def stop(_signum: int, _frame: object) -> None:
        raise _Stop

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    import select

    try:
        while True:
            _reap(children)
            ready, _, _ = select.select([listener], [], [], 0.5)
            if not ready:
                if not children and time.monotonic() - last > IDLE_SECONDS:
                    return
                continue
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            last = time.monotonic()
            try:
                if protocol.peer_uid(connection) != os.geteuid():
                    connection.close()
                    continue
                pid = os.fork()
            except OSError:
                connection.close()
                continue
            if pid == 0:
                listener.close()
                _child(connection, stamp, {"pid": os.getppid(), "started": started,
                                           "served": served})  # fmt: skip
            connection.close()
            served += 1
            children[pid] = time.monotonic() + DEADLINE_SECONDS + GRACE_SECONDS
    except _Stop:
        return
    finally:
        for pid in children:
            _kill(pid)


def _reap(children: dict[int, float]) -> None:
    now = time.monotonic()
    for pid, kill_at in list(children.items()):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            del children[pid]
        elif now > kill_at:
            _kill(pid)  # reaped on a later round


def _kill(pid: int) -> None:
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)


def _child(connection: socket, stamp: str, info: dict[str, object]) -> None:
    """Serve one request and end the process (never returns)."""
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        connection.settimeout(REQUEST_READ_TIMEOUT)
        request = protocol.receive(connection)
        if request.get("protocol") != protocol.PROTOCOL or request.get("stamp") != stamp:
            protocol.send(connection, {"status": "stale", "stamp": stamp})
            os.kill(os.getppid(), signal.SIGTERM)
            return
        reply = _answer_capturing_stderr(request, info)
        reply.update(stamp=stamp)
        connection.settimeout(None)
        protocol.send(connection, reply)
        if reply.get("stopping"):
            os.kill(os.getppid(), signal.SIGTERM)
    except BaseException:
        pass  # the client sees the connection close and judges in its own process
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(0)


def _answer_capturing_stderr(
    request: dict[str, object], info: dict[str, object]
) -> dict[str, object]:
    """`_answer`, with what the judgement wrote to stderr on the way (a store it cannot
    write, a warning) put before the answer's own stderr, where the caller would have seen it."""
    import io

    raw = io.BytesIO()
    captured = io.TextIOWrapper(raw, encoding="utf-8", errors="backslashreplace")
    original, sys.stderr = sys.stderr, captured
    try:
        reply = _answer(request, info)
    finally:
        sys.stderr = original
    captured.flush()
    written = raw.getvalue()
    stderr = reply.get("stderr")
    if written and isinstance(stderr, bytes):
        reply["stderr"] = written + stderr
    elif written and isinstance(stderr, str):
        reply["stderr"] = written.decode("utf-8", "surrogateescape") + stderr
    return reply


def _argv(request: dict[str, object]) -> tuple[str, ...]:
    """The client's shell arguments (part of what a grant is bound to); anything but a list of
    text binds to none, which no grant given with arguments matches."""
    value = request.get("argv")
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    return ()


def _answer(request: dict[str, object], info: dict[str, object]) -> dict[str, object]:
    kind = protocol.text(request, "kind")
    if kind == "status":
        return {"status": "ok", **info}
    if kind == "stop":
        return {"status": "ok", "stopping": True}
    _become_caller(request)
    if kind == "shell":
        from safesh.cli.shell import decide_line

        outcome = decide_line(
            protocol.text(request, "source"),
            dry_run=protocol.flag(request, "dry_run"),
            agent_lines=protocol.flag(request, "agent_lines"),
            terminal=protocol.flag(request, "terminal"),
            may_prompt=False,
            argv=_argv(request),
        )
        if outcome is None:
            return {"status": "prompt"}  # the caller prompts at its own terminal
        return {"status": "ok", **outcome.as_message()}
    if kind == "hook":
        from safesh.cli.commands.hook import answer_named

        raw = request.get("raw")
        if not isinstance(raw, bytes):
            raise protocol.ProtocolError("'raw' is not bytes")
        answer = answer_named(protocol.text(request, "agent"), lambda: raw, dict(os.environ))
        reply: dict[str, object] = {"status": "ok", "stdout": answer.stdout}
        reply.update(stderr=answer.stderr, exit=answer.exit_code)
        return reply
    raise protocol.ProtocolError(f"unknown request {kind!r}")


def _become_caller(request: dict[str, object]) -> None:
    """Take on the caller's environment, directory and remaining time budget."""
    env = protocol.environment(request)
    budget = request.get("budget")
    if not isinstance(budget, (int, float)) or isinstance(budget, bool):
        raise protocol.ProtocolError("'budget' is not a number")
    os.environ.clear()
    os.environ.update(env)
    # Only ever shortens the deadline (see budget.deadline_seconds).
    os.environ[DEADLINE_ENV] = repr(max(0.0, min(float(budget), deadline_seconds(env))))
    os.chdir(protocol.text(request, "cwd"))


def _preload() -> None:
    """Import and warm everything a request uses, so a forked child starts ready."""
    import safesh.cli.commands.hook
    import safesh.cli.shell
    import safesh.store
    import safesh.store.recorder  # noqa: F401
    from safesh.api import check
    from safesh.parse.treesitter_front import parse_treesitter

    for line in ("true", "ls -la | head", "git push --force origin main", "psql -c 'select 1'"):
        check(line)
    parse_treesitter("[[ -n x ]] && case a in b) c;; esac")


def _keep_store_open() -> Closeable | None:
    """Hold the user's audit store open for the judge's lifetime. SQLite checkpoints the WAL
    into the database (and syncs it) whenever its last connection closes, i.e. after every
    request's record; while this one stays open, no request's close is the last. The
    children never use this connection (it was opened by their parent)."""
    try:
        from safesh.store import Store

        return Store()
    except Exception:
        return None  # only a cost: each request's close checkpoints


def _exclusive_lock(path: str) -> int | None:
    import fcntl

    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def _listen(path: str) -> socket:
    import socket

    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)  # a dead judge's socket; the lock says no live judge owns it
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_mask = os.umask(0o177)
    try:
        listener.bind(path)
    finally:
        os.umask(old_mask)
    listener.listen(128)
    return listener


def _remove_if_ours(path: str, listener: socket) -> None:
    try:
        listener.close()
        os.unlink(path)
    except OSError:
        pass


if __name__ == "__main__":
    sys.exit(main())
