"""The resident judge's watch over its own code: an inotify instance on every directory of the
package, so that no client has to stat safesh's files on every command to prove the judge is
not stale.

Why this is race-free: the kernel queues an inotify event inside the system call that changes
the file (write, truncate, rename, unlink, create, chmod/utime), before that call returns. A
client connects after whatever change its command depends on; the judge reads the queue after
accept() has returned that connection (`Watch.changed`). So every change made before a request
is in the queue when the judge decides whether it may still judge that request. Any event on
the package (except Python's `__pycache__` directories) makes the judge stale for good: it
steps down and the next command starts a judge that reads the new code.

The watch is set before the judge reads any of the code it judges with (`server` re-executes
itself with the watch's descriptor), so nothing that changed between reading a module and
setting the watch can be missed. Where inotify is unavailable (no instances left, no watches
left, no libc, a network filesystem whose remote changes it would not see, SAFESH_JUDGE_WATCH
=off), there is no watch: the judge's child then compares the full `protocol.code_stamp()`
(one stat per file) with the judge's own on every request, after reading the request, which is
race-free for the same reason.

Imports the standard library only (ctypes lazily, in the judge; never on the client's path).
"""

from __future__ import annotations

import os
import sys

DISABLE_ENV = "SAFESH_JUDGE_WATCH"

# <sys/inotify.h>
IN_MODIFY = 0x00000002
IN_ATTRIB = 0x00000004
IN_CLOSE_WRITE = 0x00000008
IN_MOVED_FROM = 0x00000040
IN_MOVED_TO = 0x00000080
IN_CREATE = 0x00000100
IN_DELETE = 0x00000200
IN_DELETE_SELF = 0x00000400
IN_MOVE_SELF = 0x00000800
IN_Q_OVERFLOW = 0x00004000
IN_IGNORED = 0x00008000
IN_ONLYDIR = 0x01000000
IN_DONT_FOLLOW = 0x02000000
WATCHED = (
    IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE
    | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF
)  # fmt: skip
EVENT_HEADER = 16  # int wd; uint32 mask, cookie, len
CACHE_DIR = "__pycache__"

# statfs f_type of filesystems where changes made elsewhere (another host, a FUSE daemon) raise
# no inotify event here.
REMOTE_FILESYSTEMS = frozenset({
    0x6969,  # NFS
    0x517B,  # SMB
    0xFF534D42,  # CIFS
    0xFE534D42,  # SMB2
    0x65735546,  # FUSE
    0x01021997,  # 9P
    0x00C36400,  # Ceph
    0x5346414F,  # AFS
    0x73757245,  # Coda
    0x7461636F,  # OCFS2
    0x01161970,  # GFS2
})  # fmt: skip


def enabled() -> bool:
    return os.environ.get(DISABLE_ENV, "").lower() not in {"0", "off", "no", "false"}


def open_watch(package: str) -> int:
    """A non-blocking inotify descriptor (inheritable: it is passed across the judge's exec)
    watching every directory under `package` but `__pycache__`; -1 when there can be none.
    Never raises."""
    if not enabled():
        return -1
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if _remote(libc, package):
            return -1
        fd = int(libc.inotify_init1(os.O_NONBLOCK))
    except Exception:
        return -1
    if fd < 0:
        return -1
    try:
        if _watch_tree(libc, fd, package):
            return fd
    except Exception:
        pass
    os.close(fd)
    return -1


def _watch_tree(libc: object, fd: int, package: str) -> bool:
    """Watch `package` and every directory below it (not following symlinks); False when one
    cannot be watched (a directory created meanwhile is an event on its parent already)."""
    add = libc.inotify_add_watch  # type: ignore[attr-defined]
    pending = [package]
    while pending:
        directory = pending.pop()
        if add(fd, os.fsencode(directory), WATCHED | IN_ONLYDIR | IN_DONT_FOLLOW) < 0:
            return False
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.name != CACHE_DIR and entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
    return True


def _remote(libc: object, path: str) -> bool:
    """Whether `path` is on a filesystem whose changes may not raise events here (or its
    type cannot be read)."""
    import ctypes

    buffer = ctypes.create_string_buffer(256)  # struct statfs is 120 bytes on x86-64
    if libc.statfs(os.fsencode(path), buffer) != 0:  # type: ignore[attr-defined]
        return True
    f_type = buffer.raw[: ctypes.sizeof(ctypes.c_long)]  # the first field, a long
    return (int.from_bytes(f_type, sys.byteorder) & 0xFFFFFFFF) in REMOTE_FILESYSTEMS


def is_watch(fd: int) -> bool:
    """Whether `fd` (a number handed over on the command line) is an inotify descriptor."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}") == "anon_inode:inotify"
    except (OSError, ValueError):
        return False


class Watch:
    """The judge's end of the watch. `changed()` is sticky: once the code changed, the judge
    that loaded the old code stays stale."""

    __slots__ = ("_changed", "fd")

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._changed = False

    @property
    def seen(self) -> bool:
        """Whether a change was already read (reads nothing)."""
        return self._changed

    def changed(self) -> bool:
        """Whether anything but a `__pycache__` directory changed under the package since the
        watch was set (reads every event queued so far; never blocks)."""
        while not self._changed:
            try:
                data = os.read(self.fd, 64 * 1024)
            except BlockingIOError:
                break
            except OSError:
                self._changed = True  # a watch that cannot be read vouches for nothing
                break
            if not data:
                self._changed = True
                break
            self._changed = any(_matters(mask, name) for mask, name in _events(data))
        return self._changed

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def _events(data: bytes) -> list[tuple[int, bytes]]:
    """(mask, name) of each event in one read of an inotify descriptor."""
    events: list[tuple[int, bytes]] = []
    offset = 0
    while offset + EVENT_HEADER <= len(data):
        mask = int.from_bytes(data[offset + 4 : offset + 8], sys.byteorder)
        length = int.from_bytes(data[offset + 12 : offset + 16], sys.byteorder)
        name = data[offset + EVENT_HEADER : offset + EVENT_HEADER + length].rstrip(b"\0")
        events.append((mask, name))
        offset += EVENT_HEADER + length
    return events


def _matters(mask: int, name: bytes) -> bool:
    """Whether an event means the code may have changed: anything but Python creating or
    touching a `__pycache__` directory (its compiled files are below it, unwatched)."""
    if mask & (IN_Q_OVERFLOW | IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF):
        return True  # events lost, or a watched directory gone or moved
    return name != CACHE_DIR.encode()
