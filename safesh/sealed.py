"""Cache files other processes cannot plant: sealed with a per-user secret, used only when
private.

A cache in the cache directory can be written by any process of the user, and by others if
the directory's permissions allow it. `read_sealed` returns a file's body only when
  - its directory and the file are owned by this user and writable by nobody else, and the
    file is a regular file (not a link), and
  - it carries an HMAC-SHA256 of (key, body) under the per-user secret: 32 random bytes in
    `<state dir>/cache.key`, mode 0600, made on first use. A secret others can read or
    write is never used, and no cache is either.
Anything else reads as "no cache": the caller rebuilds (fail safe, only slower).

Used by the rules cache (`safesh.rules.cache`) and the bashlex tables
(`safesh.parse.bashlex_tables`). Standard library and `safesh.locations` only.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import stat
from pathlib import Path

_MAC_BYTES = 32
_SECRET_BYTES = 32
_SECRET_NAME = "cache.key"


def read_sealed(path: Path, magic: bytes, key: str) -> bytes | None:
    """The body sealed in `path` under `key`, or None when it cannot be trusted."""
    try:
        if not _private_dir(path.parent):
            return None
        secret = _read_secret(_secret_path())
        if secret is None:
            return None
        data = _read_private_file(path)
    except OSError:
        return None
    if data is None or not data.startswith(magic):
        return None
    mac = data[len(magic) : len(magic) + _MAC_BYTES]
    body = data[len(magic) + _MAC_BYTES :]
    if not hmac.compare_digest(mac, seal(secret, key, body)):
        return None
    return body


def write_sealed(path: Path, magic: bytes, key: str, body: bytes) -> bool:
    """Write `body` sealed under `key`, atomically; False (and nothing written) when the
    directory is not private or no secret can be had. Raises OSError on a write failure."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    secret = _secret()
    if secret is None or not _private_dir(path.parent):
        return False
    _write_atomically(path, magic + seal(secret, key, body) + body)
    return True


def seal(secret: bytes, key: str, body: bytes) -> bytes:
    return hmac.new(secret, key.encode() + b"\0" + body, hashlib.sha256).digest()


def _write_atomically(path: Path, data: bytes) -> None:
    import tempfile

    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:  # mkstemp creates it 0600
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# -- ownership ---------------------------------------------------------------------------------


def _private_dir(directory: Path) -> bool:
    """Owned by this user and writable by no one else (who could swap files in it)."""
    info = os.stat(directory)
    return (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == os.geteuid()
        and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


def _read_private_file(path: Path, size: int | None = None) -> bytes | None:
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


def _secret_path() -> Path:
    from safesh import locations

    return locations.state_dir() / _SECRET_NAME


def _read_secret(path: Path) -> bytes | None:
    data = _read_private_file(path, size=_SECRET_BYTES)
    return data if data is not None and len(data) == _SECRET_BYTES else None


def _secret() -> bytes | None:
    """The per-user secret, made on first use. A secret file that is not private (readable
    or writable by others, not ours, a link) is never used, and the cache is not either."""
    path = _secret_path()
    if path.exists() or path.is_symlink():
        return _read_secret(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    import tempfile

    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".cache-key-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(os.urandom(_SECRET_BYTES))
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)  # never replaces a secret another process made first
    finally:
        Path(temporary).unlink(missing_ok=True)
    return _read_secret(path)
