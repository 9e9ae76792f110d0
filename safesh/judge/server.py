"""The resident per-user judge: `python -m safesh.judge.server` (started on demand by the client).

One process per user and installation keeps the judge's modules imported and its rules loaded,
listening on a Unix socket in a private directory (see `protocol`). Each connection is checked
(the peer's uid must be ours), then served by a child process (`worker.serve`) that serves
nothing else meanwhile: one slow line never holds up another agent. The child takes on the
caller's environment, directory and budget, writes the audit record and only then replies.

Children. Forking a child and its first judgement (copying the pages Python touches, see
`worker.warm_up`) cost several times the judgement itself, so the judge keeps SPARES children
forked and warmed in advance, each waiting on a socket pair of its own. A connection goes to a
ready child with its file descriptor (SCM_RIGHTS) and the judge's status; with none ready, it
gets a child forked for it. A child whose request went through cleanly (answered, and no
judging thread still running past its deadline) waits for the next one, up to MAX_REQUESTS;
otherwise it ends, and with it whatever that request left in it. (Every request sets the
environment, directory and deadline afresh; what stays is what `safesh.check` keeps between
calls in any process: imported modules and rules memoised by their files' identity.) At most
MAX_READY wait. Replacements are forked once no request is being served and, while a spare is
left, none came for QUIET_SECONDS, so that forking and warming up never take the CPU from a
request. A child learns that the judge is gone (or has enough waiting) from end of file on its
socket pair and exits; it never holds the listening socket.

A served child still running past the deadline plus a grace period is killed: its client,
seeing the connection close, answers from its own process. The judge exits when idle for
IDLE_SECONDS, on `safesh daemon stop`, on SIGTERM, and as soon as its code is stale (the
client starts a new one): a client's handshake differs from its own (another interpreter or
protocol, a replaced package directory), or a file of the package changed. The judge watches
those files itself (`watch`), so clients do not stat them: started as `python -m
safesh.judge.server`, it sets the watch and takes the full code stamp first, then executes
itself afresh with both, so every module it judges with is read after the watch was set.
Where it cannot watch, each child compares the full stamp on every request instead. A second
judge for the same socket exits at once (an exclusive lock beside the socket).
"""

from __future__ import annotations

import contextlib
import gc
import marshal
import os
import signal
import socket
import sys
import time

from safesh.judge import budget, protocol, watch, worker
from safesh.judge.budget import DEADLINE_SECONDS

IDLE_SECONDS = 15 * 60
GRACE_SECONDS = 1.5
SPARES = 2
# A spare that has not warmed up by then is killed and replaced; one that dies while warming
# up holds back the next fork by this much (no fork storm when something is broken).
WARM_UP_LIMIT_SECONDS = 30.0
RETRY_SECONDS = 1.0
QUIET_SECONDS = 0.25
POLL_SECONDS = 0.5
REAP_POLL_SECONDS = 0.02
READY = b"R"
# A child serves at most this many requests (then a fresh one takes its place), and at most
# MAX_READY wait for one (more are left after a burst of requests at once).
MAX_REQUESTS = 100
MAX_READY = SPARES + 2
STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}
WATCHED_ARG = "--watched"

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from typing import NoReturn, Protocol

    class Closeable(Protocol):
        def close(self) -> None: ...


class _Stop(Exception):
    """SIGTERM (from `safesh daemon stop`, a stale-stamp child, or the user)."""


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 4 or args[0] != WATCHED_ARG or not args[1].lstrip("-").isdigit():
        return _watch_and_restart()
    fd, identity, full_stamp = int(args[1]), args[2], args[3]
    code_watch = watch.Watch(fd) if fd >= 0 and watch.is_watch(fd) else None
    if code_watch is not None:
        os.set_inheritable(fd, False)
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
    fresh = Freshness(protocol.handshake(identity), code_watch, full_stamp)
    _preload()
    keeper = _keep_store_open()
    scratch = path + ".warm"
    scratch_keeper = _open_scratch_store(scratch)
    listener = _listen(path)
    try:
        scratch_store = None if scratch_keeper is None else _scratch_store(scratch)
        private = (lock,) if code_watch is None else (lock, code_watch.fd)
        serve(listener, fresh, private_fds=private, scratch_store=scratch_store)
    finally:
        _remove_if_ours(path, listener)
        for opened in (keeper, scratch_keeper):
            if opened is not None:
                opened.close()
        _remove_scratch(scratch)
        os.close(lock)
        if code_watch is not None:
            code_watch.close()
    return 0


def _watch_and_restart() -> int:
    """Set the watch over the package and take its full stamp, then execute this program
    afresh with both (the watch's descriptor is inherited): everything the judge then imports
    is read after the watch was set, so no change can fall between reading a module and
    watching it. Without a watch (-1), the stamp taken here is what every request is
    compared with."""
    fd = watch.open_watch(protocol._PACKAGE)
    identity = protocol.directory_identity(protocol._PACKAGE)  # after the watch: see handshake
    stamp = protocol.code_stamp()
    argv = [sys.executable, "-m", "safesh.judge.server", WATCHED_ARG, str(fd), identity, stamp]
    try:
        os.execv(sys.executable, argv)
    except OSError as error:
        sys.stderr.write(f"safesh judge: cannot start: {error}\n")
    return 1


class Freshness:
    """How the judge and its children know that their code is still what is on disk: the
    handshake every client must send, and the watch (in the judge) or, without one, the full
    code stamp each child compares on every request."""

    __slots__ = ("handshake", "stamp", "watch")

    def __init__(self, handshake: str, code_watch: watch.Watch | None, stamp: str) -> None:
        self.handshake = handshake
        self.watch = code_watch
        self.stamp = stamp

    def changed(self) -> bool:
        """In the judge, right after accepting a connection: whether the watch saw the code
        change (always False without a watch: the child checks the stamp then)."""
        return self.watch is not None and self.watch.changed()

    def stale(self) -> bool:
        """Whether the watch has already seen the code change (reads nothing)."""
        return self.watch is not None and self.watch.seen

    def pending(self) -> list[int]:
        """The watch's descriptor while there is something left for it to say."""
        return [] if self.watch is None or self.watch.seen else [self.watch.fd]

    def recheck(self) -> str | None:
        """The stamp a child compares on every request: only when nothing watches."""
        return self.stamp if self.watch is None else None


class Child:
    """A child of the judge: a spare warming up or ready, or one serving a request."""

    __slots__ = ("channel", "kill_at", "pid", "state")

    def __init__(self, pid: int, channel: socket.socket, state: str, kill_at: float) -> None:
        self.pid = pid
        self.channel = channel  # our end of its socket pair; end of file when it exits
        self.state = state  # "warming", "ready" or "busy"
        self.kill_at = kill_at  # monotonic; float("inf") for a ready spare


class Pool:
    """The judge's children and its count of requests."""

    def __init__(
        self,
        listener: socket.socket,
        fresh: Freshness,
        private_fds: tuple[int, ...],
        scratch_store: str | None,
    ) -> None:
        self.listener = listener
        self.fresh = fresh
        self.scratch_store = scratch_store  # where spares record their warm-up
        self.private_fds = private_fds  # closed in every child (the lock)
        self.started = time.time()
        self.served = 0
        self.children: dict[int, Child] = {}  # by channel file descriptor
        self.exiting: set[int] = set()  # pids whose channel closed, not yet reaped
        self.quiet_until = 0.0  # no spare is forked before then while one is left
        self.retry_at = 0.0  # nor any before then, after a spare failed to start

    def info(self) -> dict[str, object]:
        """What a `status` request is told: `served` counts the requests before it, `spares`
        the spares ready when it came (the one answering it included)."""
        return {"pid": os.getpid(), "started": self.started, "served": self.served,
                "spares": self.count("ready"),
                "watch": "inotify" if self.fresh.watch is not None else "stamp"}  # fmt: skip

    def count(self, *states: str) -> int:
        return sum(child.state in states for child in self.children.values())

    def top_up(self, now: float) -> None:
        """Fork spares up to SPARES while no request is being served: a fork and its warm-up
        must not take the CPU from one. While a spare is left, wait until no request came for
        QUIET_SECONDS too: the next request may be on its way (commands often come in runs),
        and its client needs the CPU more than a spare it will not use."""
        while now >= self.retry_at and not self.count("busy"):
            spares = self.count("warming", "ready")
            if spares >= SPARES or (spares and now < self.quiet_until):
                return
            if not self.fork(None, {}, now):
                self.retry_at = now + RETRY_SECONDS
                return

    def hand_over(self, connection: socket.socket, now: float) -> None:
        """Serve `connection` by a ready spare, else by a child forked for it."""
        info = self.info()
        # After accept() returned `connection`: see `watch` for why this cannot miss a change
        # made before the request.
        info["changed"] = self.fresh.changed()
        self.served += 1
        self.quiet_until = now + QUIET_SECONDS
        message = [marshal.dumps(info)]
        for child in list(self.children.values()):
            if child.state != "ready":
                continue
            try:
                socket.send_fds(child.channel, message, [connection.fileno()])
            except OSError:
                self.lost(child)
                continue
            child.state, child.kill_at = "busy", now + DEADLINE_SECONDS + GRACE_SECONDS
            return
        self.fork(connection, info, now)

    def fork(self, connection: socket.socket | None, info: dict[str, object], now: float) -> bool:
        """A child serving `connection`, or a spare (connection None). Whether it started."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        gc.freeze()  # the collector in a child never walks (so never copies) the judge's objects
        # No stop signal between the fork and the child's own handlers: the judge's handler
        # would unwind the child into the judge's loop.
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        pid = -1
        try:
            pid = os.fork()
        except OSError:
            ours.close()
            theirs.close()
            return False
        finally:
            if pid != 0:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
        if pid == 0:
            self._become_child(ours)
            first = None if connection is None else (connection, info)
            _child(theirs, self.fresh, self.scratch_store, first)
        theirs.close()
        state = "warming" if connection is None else "busy"
        limit = WARM_UP_LIMIT_SECONDS if connection is None else DEADLINE_SECONDS + GRACE_SECONDS
        self.children[ours.fileno()] = Child(pid, ours, state, now + limit)
        return True

    def _become_child(self, ours: socket.socket) -> None:
        """In a new child: drop the judge's own descriptors, so the lock, the listening socket
        and the other children's socket pairs live only in the judge."""
        try:
            for signum in STOP_SIGNALS:
                signal.signal(signum, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
            os.close(ours.detach())
            os.close(self.listener.detach())
            for child in self.children.values():
                os.close(child.channel.detach())
            for fd in self.private_fds:
                os.close(fd)
        except BaseException:
            os._exit(0)

    def hear(self, child: Child, now: float) -> None:
        """Read what `child` says on its socket pair: ready, or gone."""
        try:
            said = child.channel.recv(64)
        except OSError:
            said = b""
        if not said:
            self.lost(child)
        elif said.endswith(READY):
            child.state, child.kill_at = "ready", float("inf")
            if self.count("ready") > MAX_READY:
                self.lost(child)  # enough are waiting: end of file tells it to exit

    def lost(self, child: Child) -> None:
        """`child` has ended (or is about to): forget it and reap it."""
        if child.state == "warming":
            self.retry_at = time.monotonic() + RETRY_SECONDS  # it failed to warm up
        del self.children[child.channel.fileno()]
        child.channel.close()
        self.exiting.add(child.pid)
        self.reap()

    def reap(self) -> None:
        for pid in list(self.exiting):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done = pid
            if done:
                self.exiting.discard(pid)

    def kill_overdue(self, now: float) -> None:
        for child in self.children.values():
            if now > child.kill_at:
                _kill(child.pid)  # its channel closes; it is reaped then

    def timeout(self, now: float) -> float:
        soonest = min((child.kill_at for child in self.children.values()), default=now + 60)
        wait = min(POLL_SECONDS, max(0.0, soonest - now))
        if self.exiting:
            wait = min(wait, REAP_POLL_SECONDS)
        if self.count("warming", "ready") < SPARES:
            wake = max(self.retry_at, self.quiet_until)
            if now < wake:
                wait = min(wait, wake - now)
        return wait

    def kill_all(self) -> None:
        for child in self.children.values():
            _kill(child.pid)
        for pid in self.exiting:
            _kill(pid)


def serve(
    listener: socket.socket,
    fresh: Freshness,
    private_fds: tuple[int, ...] = (),
    scratch_store: str | None = None,
) -> None:
    """Answer connections on `listener` until stopped, idle for IDLE_SECONDS, or stale (the
    watch saw the code change: with nothing to serve, step down at once)."""

    def stop(_signum: int, _frame: object) -> None:
        raise _Stop

    for signum in STOP_SIGNALS:
        signal.signal(signum, stop)
    import select

    listener.setblocking(False)  # a connection given up before accept() must not block us
    pool = Pool(listener, fresh, private_fds, scratch_store)
    last = time.monotonic()
    try:
        while True:
            now = time.monotonic()
            if not fresh.stale():
                pool.top_up(now)
            channels = {child.channel: child for child in pool.children.values()}
            watched: list[socket.socket | int] = [listener, *channels, *fresh.pending()]
            ready, _, _ = select.select(watched, [], [], pool.timeout(now))
            now = time.monotonic()
            for source in ready:
                if isinstance(source, int):
                    fresh.changed()  # read what the watch says (it may be __pycache__ only)
                elif source is listener:
                    if _accept(listener, pool, now):
                        last = now
                elif source in channels and channels[source].channel.fileno() >= 0:
                    pool.hear(channels[source], now)
            pool.reap()
            pool.kill_overdue(now)
            if not pool.count("busy") and (fresh.stale() or now - last > IDLE_SECONDS):
                return  # stale: the next command finds no judge and starts one
    except _Stop:
        return
    finally:
        pool.kill_all()


def _accept(listener: socket.socket, pool: Pool, now: float) -> bool:
    """Take one connection and hand it over; whether one was taken."""
    try:
        connection, _ = listener.accept()
    except OSError:
        return False
    try:
        if protocol.peer_uid(connection) == os.geteuid():
            pool.hand_over(connection, now)
    except OSError:
        pass
    finally:
        connection.close()  # the child has its own descriptor for it
    return True


def _child(
    channel: socket.socket,
    fresh: Freshness,
    scratch_store: str | None,
    first: tuple[socket.socket, dict[str, object]] | None,
) -> NoReturn:
    """A child of the judge (never returns): serve `first`, or warm up as a spare; then, as
    long as each request went through cleanly and fewer than MAX_REQUESTS were served, say
    so and serve the next connection the judge hands over. End of file on `channel` means
    the judge is gone or has enough spares: exit."""
    try:
        budget.judge_on_main_thread()  # this process owns its signals and ends after a late line
        if first is None:
            worker.warm_up(scratch_store)
            task = None
        else:
            task = first
        served = 0
        while True:
            if task is not None:
                if not worker.serve(task[0], fresh.handshake, task[1], fresh.recheck()):
                    break
                served += 1
                if served >= MAX_REQUESTS:
                    break  # before saying ready: a connection taken now would go unserved
            channel.sendall(READY)
            task = _next_connection(channel)
    finally:
        os._exit(0)


def _next_connection(channel: socket.socket) -> tuple[socket.socket, dict[str, object]]:
    """The connection the judge hands over next, with the judge's status; exits on end of
    file."""
    message, fds, _flags, _address = socket.recv_fds(channel, 1 << 16, 1)
    if not fds:
        os._exit(0)
    for extra in fds[1:]:
        os.close(extra)
    info = marshal.loads(message) if message else {}
    return socket.socket(fileno=fds[0]), info if isinstance(info, dict) else {}


def _kill(pid: int) -> None:
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)


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
    _decode_rules()


def _decode_rules() -> None:
    """The rules for this directory decoded whole: loaded from the cache, they are decoded as
    lines need them, and every child would decode again what its request needs."""
    from safesh.rules import memo

    try:
        memo.load_ruleset_memoised(os.getcwd()).decode_all()
    except Exception:
        memo.clear()  # broken rules or cache: a request loads them again, and reports them


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


def _scratch_store(directory: str) -> str:
    return os.path.join(directory, "warm.db")


def _open_scratch_store(directory: str) -> Closeable | None:
    """A fresh scratch store for the spares' warm-up records, in a private directory beside
    the socket, held open for the judge's lifetime (as `_keep_store_open` does for the user's
    store). None: the spares warm up without recording."""
    _remove_scratch(directory)
    try:
        os.mkdir(directory, 0o700)
        from safesh.store import Store

        return Store(_scratch_store(directory))
    except Exception:
        return None


def _remove_scratch(directory: str) -> None:
    import shutil

    shutil.rmtree(directory, ignore_errors=True)


def _exclusive_lock(path: str) -> int | None:
    import fcntl

    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def _listen(path: str) -> socket.socket:
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


def _remove_if_ours(path: str, listener: socket.socket) -> None:
    try:
        listener.close()
        os.unlink(path)
    except OSError:
        pass


if __name__ == "__main__":
    sys.exit(main())
