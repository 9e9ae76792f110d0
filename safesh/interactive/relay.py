"""Byte plumbing for the interactive shell: find safesh's markers in the child's output, and
relay raw terminal I/O between the user's terminal and the child pty while a command runs.

Nothing here knows about rules or bash; `safesh.interactive.bash_session` supplies the marker
token and decides what the markers mean.
"""

from __future__ import annotations

import contextlib
import errno
import os
import select
import signal
import termios
import tty
from collections.abc import Callable, Iterator
from typing import Protocol

from safesh.record import frozen

MARK_START = b"\x1e"  # ASCII record separator: never part of ordinary terminal output
MARK_END = b"\x1f"  # ASCII unit separator
# A marker that has not ended after this many bytes is not a marker (a PATH_MAX cwd fits).
_MAX_MARKER = 16384


@frozen
class Marker:
    """One marker the bash session printed: `go` when a command starts, `end` at each prompt."""

    kind: str
    serial: int
    status: int = 0
    cwd: str = ""


Event = bytes | Marker


class MarkerScanner:
    """Splits a byte stream into output for the user and markers, in order.

    A marker is `RS SAFESH:<token>:<kind>:<serial>:<status>:<cwd> US`. The random token keeps
    a program that happens to print RS from ending a command early. A marker may arrive split
    over several reads, so a possible marker prefix is held back until it completes or cannot.
    """

    def __init__(self, token: str) -> None:
        self._head = MARK_START + b"SAFESH:" + token.encode("ascii") + b":"
        self._pending = b""

    def feed(self, data: bytes) -> list[Event]:
        buffer = self._pending + data
        self._pending = b""
        events: list[Event] = []
        while buffer:
            start = buffer.find(self._head)
            if start < 0:
                keep = self._partial_head_length(buffer)
                _append_bytes(events, buffer[: len(buffer) - keep])
                self._pending = buffer[len(buffer) - keep :]
                break
            end = buffer.find(MARK_END, start + len(self._head))
            if end < 0:
                if len(buffer) - start > _MAX_MARKER:
                    _append_bytes(events, buffer)  # no terminator in sight: plain output
                else:
                    _append_bytes(events, buffer[:start])
                    self._pending = buffer[start:]
                break
            _append_bytes(events, buffer[:start])
            marker = parse_marker(buffer[start + len(self._head) : end])
            if marker is None:
                _append_bytes(events, buffer[start : end + 1])
            else:
                events.append(marker)
            buffer = buffer[end + 1 :]
        return events

    def flush(self) -> bytes:
        """Whatever is held back, for when the stream ends."""
        pending, self._pending = self._pending, b""
        return pending

    def _partial_head_length(self, buffer: bytes) -> int:
        last = buffer.rfind(MARK_START)
        if last < 0:
            return 0
        tail = buffer[last:]
        return len(tail) if self._head.startswith(tail) else 0


def parse_marker(payload: bytes) -> Marker | None:
    """`<kind>:<serial>:<status>:<cwd>` -> Marker; None when malformed (then it is output)."""
    parts = payload.split(b":", 3)
    if len(parts) != 4 or parts[0] not in (b"go", b"end"):
        return None
    kind, serial, status, cwd = parts
    if not (serial.isdigit() and status.isdigit()):
        return None
    return Marker(kind.decode("ascii"), int(serial), int(status), os.fsdecode(cwd))


def _append_bytes(events: list[Event], data: bytes) -> None:
    if not data:
        return
    if events and isinstance(events[-1], bytes):
        events[-1] += data
    else:
        events.append(data)


class Watcher(Protocol):
    """What the relay asks while a command runs."""

    @property
    def started(self) -> bool:
        """The command has begun: the user's keystrokes may go to it."""
        ...

    @property
    def finished(self) -> bool:
        """The command is over: stop relaying."""
        ...

    def feed(self, data: bytes) -> bytes:
        """Child output in; the part the user should see out."""
        ...


def relay(
    child_fd: int,
    user_in: int | None,
    user_out: int,
    watcher: Watcher,
    alive: Callable[[], bool],
    interrupts: int | None = None,
) -> bool:
    """Copy bytes both ways until `watcher.finished` (True) or the child is gone (False).

    Keystrokes that arrive before the command has started are held, so a ^C typed early
    interrupts the command, never the shell reading the command line. `interrupts` is the
    read end of `interrupts_as_keys`: each byte from it is a ^C for the command.
    """
    held = bytearray()
    reading_user = user_in is not None
    while not watcher.finished:
        fds = [child_fd]
        if reading_user and user_in is not None:
            fds.append(user_in)
        if interrupts is not None:
            fds.append(interrupts)
        ready, _, _ = select.select(fds, [], [], 0.5)
        if not ready and not alive():
            return False
        if child_fd in ready:
            data = read_some(child_fd)
            if not data:
                return False
            write_all(user_out, watcher.feed(data))
        if user_in is not None and user_in in ready:
            typed = read_some(user_in)
            if typed:
                held += typed
            else:
                reading_user = False  # our stdin ended; keep showing the command's output
        if interrupts is not None and interrupts in ready:
            held += os.read(interrupts, 1024)
        if held and watcher.started:
            write_all(child_fd, bytes(held))
            held.clear()
    return True


@contextlib.contextmanager
def interrupts_as_keys(key: bytes = b"\x03") -> Iterator[int | None]:
    """While a command runs, a SIGINT that reaches safesh itself (a ^C typed just before the
    terminal went raw, or `kill -INT`) is meant for the command: turn it into the terminal's
    ^C, written to a pipe the relay watches. Yields the pipe's read end (None when signals
    cannot be handled here, outside the main thread)."""
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)

    def handler(_signum: int, _frame: object) -> None:
        with contextlib.suppress(OSError):  # a full pipe already holds plenty of ^C
            os.write(write_fd, key)

    try:
        previous = signal.signal(signal.SIGINT, handler)
    except ValueError:
        previous = None
    try:
        yield read_fd if previous is not None else None
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
        os.close(read_fd)
        os.close(write_fd)


def read_some(fd: int) -> bytes:
    """One read; b"" at end of file. A pty master reports a vanished child with EIO."""
    try:
        return os.read(fd, 65536)
    except OSError as error:
        if error.errno == errno.EIO:
            return b""
        raise


def read_available(fd: int) -> Iterator[bytes]:
    """Everything that can be read now without waiting (then stops); b"" once at EOF."""
    while True:
        ready, _, _ = select.select([fd], [], [], 0)
        if not ready:
            return
        data = read_some(fd)
        yield data
        if not data:
            return


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


@contextlib.contextmanager
def raw_terminal(fd: int | None) -> Iterator[None]:
    """Put the user's terminal in raw mode (every key, ^C included, goes to the command)."""
    if fd is None or not os.isatty(fd):
        yield
        return
    saved = termios.tcgetattr(fd)
    tty.setraw(fd, termios.TCSANOW)
    try:
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


@contextlib.contextmanager
def on_window_change(callback: Callable[[], None]) -> Iterator[None]:
    """Call `callback` on SIGWINCH for the duration (only the main thread may set handlers)."""
    try:
        previous = signal.signal(signal.SIGWINCH, lambda _signum, _frame: callback())
    except ValueError:  # not the main thread: resizes are then picked up before each command
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGWINCH, previous)
