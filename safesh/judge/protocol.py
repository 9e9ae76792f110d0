"""The wire between the thin client and the resident judge: where the socket lives, who may
use it, what the code's stamp is, and how a message is framed.

A message is a 4-byte big-endian length and a `marshal`led dict of str / int / bool / None /
dict / list values (marshal is built in: no import cost on the client's hot path; both ends
are the same user, checked with SO_PEERCRED, and every value read is type-checked).

The socket sits in a directory only its owner can enter (0700, owned by this uid, not a
symlink); anything else about it is a reason not to use the judge (the caller judges in its
own process). Its name is derived from the installation (package directory and interpreter),
so two installs never share a judge. Every request carries the client's `handshake` (protocol,
interpreter and its version, the package directory and that directory's identity): a judge
of another installation, interpreter or protocol, or one whose package directory has been
replaced, answers "stale". Changes to the files inside the package are the judge's own to see
(`safesh.judge.watch`, or `code_stamp` on every request where it cannot watch), so the client
no longer stats them on every command.

It also holds the deadline every answer is due by (`Deadline`, re-exported by `budget`): the
client sends what is left of it with each request.

Imports only the standard library's built-in modules (os, sys, time, marshal, _socket).
"""

import marshal
import os
import sys
import time

PROTOCOL = 1
MAX_MESSAGE = 16 * 1024 * 1024
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from _socket import socket
    from collections.abc import Mapping

# See safesh.judge.budget: the deadline sits well under every agent's hook timeout, and
# SAFESH_JUDGE_DEADLINE may only shorten it.
DEADLINE_SECONDS = 3.0
DEADLINE_ENV = "SAFESH_JUDGE_DEADLINE"


class ProtocolError(Exception):
    """Anything unexpected on the wire or around the socket: the caller judges in-process."""


def handshake(package_identity: str | None = None) -> str:
    """What a client and its judge must agree on: the protocol, the interpreter (path and
    version), the package directory and its identity (device and inode: a reinstalled or
    moved-in package is another directory). `package_identity`: the judge's, taken when it
    set its watch (default: the directory's identity now, as a client sees it)."""
    if package_identity is None:
        package_identity = directory_identity(_PACKAGE)
    return f"{PROTOCOL} {sys.executable} {sys.version} {_PACKAGE} {package_identity}"


def directory_identity(path: str) -> str:
    """`device:inode` of `path` (one stat), or why there is none."""
    try:
        found = os.stat(path)
    except OSError as error:
        return f"unreadable ({error.errno})"
    return f"{found.st_dev}:{found.st_ino}"


def code_stamp() -> str:
    """Changes whenever any of safesh's code (or the interpreter running it) changes: the
    number of modules and data files, the sums of their sizes and modification times, and
    the latest of those times. (Every file's identity is read on every request, so this is
    kept to one stat per file and a few additions; an edit, an added, removed or replaced
    file changes a count or a sum.)"""
    count = sizes = times = latest = 0
    pending = [_PACKAGE]
    while pending:
        directory = pending.pop()
        try:
            entries = os.scandir(directory)
        except OSError:
            return f"{directory}: unreadable"
        with entries:
            for entry in entries:
                name = entry.name
                if name.endswith((".py", ".toml")):
                    try:
                        found = entry.stat()
                    except OSError:
                        continue
                    count += 1
                    sizes += found.st_size
                    times += found.st_mtime_ns
                    latest = max(latest, found.st_mtime_ns)
                elif name != "__pycache__" and entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
    return f"{PROTOCOL} {sys.executable} {sys.version} {_PACKAGE} {count} {sizes} {times} {latest}"


def runtime_dir(env: dict[str, str] | os._Environ[str] | None = None) -> str:
    """The private directory for this user's judge sockets (not created here)."""
    environment = os.environ if env is None else env
    base = environment.get("XDG_RUNTIME_DIR", "")
    if os.path.isabs(base):
        return os.path.join(base, "safesh")
    return f"/tmp/safesh-{os.geteuid()}"


def socket_path(directory: str) -> str:
    """The socket of the judge for this installation and interpreter."""
    install = f"{_PACKAGE}\0{sys.executable}".encode("utf-8", "surrogateescape")
    return os.path.join(directory, f"judge-{_fnv1a(install):08x}.sock")


def _fnv1a(data: bytes) -> int:
    """A 32-bit FNV-1a hash: a stable short name, computed here because zlib's crc32 would
    load a shared library on every command's start-up."""
    value = 0x811C9DC5
    for byte in data:
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def ensure_private_dir(directory: str, create: bool) -> None:
    """Raise ProtocolError unless `directory` is a real directory of this user's, closed to
    everyone else (made so when `create` and it does not exist)."""
    try:
        found = os.lstat(directory)
    except FileNotFoundError:
        if not create:
            raise ProtocolError(f"{directory} does not exist") from None
        try:
            os.mkdir(directory, 0o700)
            found = os.lstat(directory)
        except OSError as error:
            raise ProtocolError(f"cannot create {directory}: {error}") from None
    except OSError as error:
        raise ProtocolError(f"cannot inspect {directory}: {error}") from None
    import stat

    if not stat.S_ISDIR(found.st_mode):
        raise ProtocolError(f"{directory} is not a directory")
    if found.st_uid != os.geteuid():
        raise ProtocolError(f"{directory} belongs to uid {found.st_uid}")
    if found.st_mode & 0o077:
        raise ProtocolError(f"{directory} is open to other users")


def peer_uid(connection: "socket") -> int:
    """The uid of the process at the other end of a Unix socket (SO_PEERCRED)."""
    import _socket

    credentials = connection.getsockopt(_socket.SOL_SOCKET, _socket.SO_PEERCRED, 12)
    return int.from_bytes(credentials[4:8], sys.byteorder)


def encode(message: dict[str, object]) -> bytes:
    """`message` framed for the wire."""
    data = marshal.dumps(message)
    if len(data) > MAX_MESSAGE:
        raise ProtocolError("message too large")
    return len(data).to_bytes(4, "big") + data


def send(connection: "socket", message: dict[str, object]) -> None:
    connection.sendall(encode(message))


def receive(connection: "socket") -> dict[str, object]:
    """One message; ProtocolError for a closed connection, a bad frame or a non-dict."""
    size = int.from_bytes(_exactly(connection, 4), "big")
    if size > MAX_MESSAGE:
        raise ProtocolError("message too large")
    try:
        message = marshal.loads(_exactly(connection, size))
    except (EOFError, ValueError, TypeError) as error:
        raise ProtocolError(f"malformed message: {error}") from None
    if not isinstance(message, dict) or not all(isinstance(k, str) for k in message):
        raise ProtocolError("malformed message: not a table")
    return message


def _exactly(connection: "socket", size: int) -> bytes:
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        chunk = connection.recv(min(remaining, 1 << 20))
        if not chunk:
            raise ProtocolError("connection closed")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def text(message: dict[str, object], key: str) -> str:
    value = message.get(key)
    if not isinstance(value, str):
        raise ProtocolError(f"{key!r} is not text")
    return value


def integer(message: dict[str, object], key: str) -> int:
    value = message.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ProtocolError(f"{key!r} is not an integer")
    return value


def flag(message: dict[str, object], key: str) -> bool:
    value = message.get(key)
    if not isinstance(value, bool):
        raise ProtocolError(f"{key!r} is not true or false")
    return value


def environment(message: dict[str, object], key: str = "env") -> dict[bytes, bytes]:
    """The environment a message carries: names and values as bytes, as the operating system
    (and `environment_table`) has them."""
    value = message.get(key)
    if not isinstance(value, dict) or not all(
        type(k) is bytes and type(v) is bytes for k, v in value.items()
    ):
        raise ProtocolError(f"{key!r} is not an environment")
    return value


def environment_table() -> dict[bytes, bytes]:
    """A copy of this process's environment as `os.environ` keeps it (bytes). Copying its
    table costs a hundredth of `dict(os.environ)`, which decodes every name and value; this
    is on every command's path, and the judge's child compares it with each request's."""
    table = getattr(os.environ, "_data", None)  # CPython's own table behind os.environ
    if type(table) is dict:
        return table.copy()
    return dict(os.environb)


# -- the deadline ------------------------------------------------------------------------------


def deadline_seconds(env: "Mapping[str, str] | None" = None) -> float:
    """The deadline in seconds: DEADLINE_SECONDS, or less when SAFESH_JUDGE_DEADLINE says so."""
    raw = (os.environ if env is None else env).get(DEADLINE_ENV, "")
    try:
        wanted = float(raw) if raw else DEADLINE_SECONDS
    except ValueError:
        return DEADLINE_SECONDS
    if wanted != wanted:  # NaN
        return DEADLINE_SECONDS
    return max(0.0, min(wanted, DEADLINE_SECONDS))


class Deadline:
    """A point in monotonic time by which the answer is due."""

    __slots__ = ("at",)

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds

    @classmethod
    def from_env(cls, env: "Mapping[str, str] | None" = None) -> "Deadline":
        return cls(deadline_seconds(env))

    def remaining(self) -> float:
        return max(0.0, self.at - time.monotonic())

    def passed(self) -> bool:
        return time.monotonic() >= self.at
