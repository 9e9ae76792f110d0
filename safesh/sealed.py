"""Cache files other processes cannot plant: sealed with a per-user secret, used only when
private.

A cache in the cache directory can be written by any process of the user, and by others if
the directory's permissions allow it. `read_sealed` returns a file's body only when
  - its directory and the file are owned by this user and writable by nobody else, and the
    file is a regular file (not a link), and
  - it carries a MAC of (key, body) under the per-user secret (keyed BLAKE2b, 32 bytes; the
    secret is 32 random bytes in `<state dir>/cache.key`, mode 0600, made on first use). A
    secret others can read or write is never used, and no cache is either.
Anything else reads as "no cache": the caller rebuilds (fail safe, only slower).

`read_sealed_head` / `write_sealed_head` seal only the head of a file: the rest is for the
caller to authenticate by what its head says (the rules cache keeps a digest of each part
there, so that a process checks and decodes only the parts it uses).

Used by the rules cache (`safesh.rules.cache`) and the bashlex tables
(`safesh.parse.bashlex_tables`). Standard library, `safesh.digest` and `safesh.locations`
only (a cached load is on every command's path: no hashlib, no pathlib).
"""

from __future__ import annotations

import os
import stat

from safesh.digest import blake2b, compare_digest

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from pathlib import Path

_MAC_BYTES = 32
_LENGTH_BYTES = 4  # of a sealed head's length (`read_sealed_head`)
_SECRET_BYTES = 32
_SECRET_NAME = "cache.key"


def read_sealed(path: str | Path, magic: bytes, key: str) -> bytes | None:
    """The body sealed in `path` under `key`, or None when it cannot be trusted."""
    found = _secret_and_data(os.fspath(path), magic)
    if found is None:
        return None
    secret, data = found
    mac = data[len(magic) : len(magic) + _MAC_BYTES]
    body = data[len(magic) + _MAC_BYTES :]
    if not compare_digest(mac, seal(secret, key, body)):
        return None
    return body


def write_sealed(path: str | Path, magic: bytes, key: str, body: bytes) -> bool:
    """Write `body` sealed under `key`, atomically; False (and nothing written) when the
    directory is not private or no secret can be had. Raises OSError on a write failure."""
    path = os.fspath(path)
    os.makedirs(_parent(path), mode=0o700, exist_ok=True)
    secret = _secret()
    if secret is None or not _private_dir(_parent(path)):
        return False
    _write_atomically(path, magic + seal(secret, key, body) + body)
    return True


def read_sealed_head(path: str, magic: bytes, key: str) -> tuple[memoryview, memoryview] | None:
    """The head sealed in `path` under `key` and the rest of the file after it, which the seal
    does not cover (the head must say how to trust it); None when the head cannot be trusted.
    The file must be as private as `read_sealed` requires. (Views of the file's bytes: the
    rest is most of the file, not copied.)"""
    found = _secret_and_data(path, magic)
    start = len(magic) + _MAC_BYTES + _LENGTH_BYTES
    if found is None or len(found[1]) < start:
        return None
    secret, data = found
    mac = data[len(magic) : len(magic) + _MAC_BYTES]
    end = start + int.from_bytes(data[start - _LENGTH_BYTES : start], "big")
    view = memoryview(data)
    head = view[start:end]
    if len(head) != end - start or not compare_digest(mac, seal(secret, key, head)):
        return None
    return head, view[end:]


def _secret_and_data(path: str, magic: bytes) -> tuple[bytes, bytes] | None:
    """The user's secret and the bytes of `path`, when the directory and the file are private
    and the file starts with `magic`; else None."""
    try:
        if not _private_dir(_parent(path)):
            return None
        secret = _read_secret(_secret_path())
        if secret is None:
            return None
        data = _read_private_file(path)
    except OSError:
        return None
    if data is None or not data.startswith(magic):
        return None
    return secret, data


def write_sealed_head(path: str, magic: bytes, key: str, head: bytes, rest: bytes) -> bool:
    """Write `head` sealed under `key` and `rest` after it, unsealed, atomically; as
    `write_sealed` otherwise."""
    os.makedirs(_parent(path), mode=0o700, exist_ok=True)
    secret = _secret()
    if secret is None or not _private_dir(_parent(path)):
        return False
    length = len(head).to_bytes(_LENGTH_BYTES, "big")
    _write_atomically(path, magic + seal(secret, key, head) + length + head + rest)
    return True


def seal(secret: bytes, key: str, body: bytes | memoryview) -> bytes:
    mac = blake2b(key=secret, digest_size=_MAC_BYTES, person=b"safesh sealed")
    mac.update(key.encode() + b"\0")
    mac.update(body)
    return mac.digest()


def _parent(path: str) -> str:
    return os.path.dirname(path) or "."


def _write_atomically(path: str, data: bytes) -> None:
    import contextlib  # writing only: contextlib and tempfile cost ~1 ms each to import
    import tempfile

    name = os.path.basename(path)
    fd, temporary = tempfile.mkstemp(dir=_parent(path), prefix=f".{name}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:  # mkstemp creates it 0600
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


# -- ownership ---------------------------------------------------------------------------------


def _private_dir(directory: str) -> bool:
    """Owned by this user and writable by no one else (who could swap files in it)."""
    info = os.stat(directory)
    return (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == os.geteuid()
        and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


def _read_private_file(path: str, size: int | None = None) -> bytes | None:
    """The bytes of a regular file (not a link) owned by this user that no one else may
    write; None otherwise. With `size`, the file must be exactly that long and unreadable
    by others too (a secret)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        forbidden = stat.S_IWGRP | stat.S_IWOTH
        if size is not None:
            forbidden |= stat.S_IRWXG | stat.S_IRWXO
        if (
            not stat.S_ISREG(info.st_mode)
            or info.st_uid != os.geteuid()
            or info.st_mode & forbidden
            or (size is not None and info.st_size != size)
        ):
            return None
        return handle.read()


# -- the per-user secret -----------------------------------------------------------------------


def _secret_path() -> str:
    from safesh import locations

    return os.path.join(locations.state_home(), _SECRET_NAME)


def _read_secret(path: str) -> bytes | None:
    data = _read_private_file(path, size=_SECRET_BYTES)
    return data if data is not None and len(data) == _SECRET_BYTES else None


def _secret() -> bytes | None:
    """The per-user secret, made on first use. A secret file that is not private (readable
    or writable by others, not ours, a link) is never used, and the cache is not either."""
    path = _secret_path()
    if os.path.lexists(path):
        return _read_secret(path)
    directory = _parent(path)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    import contextlib
    import tempfile

    fd, temporary = tempfile.mkstemp(dir=directory, prefix=".cache-key-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(os.urandom(_SECRET_BYTES))
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)  # never replaces a secret another process made first
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    return _read_secret(path)
