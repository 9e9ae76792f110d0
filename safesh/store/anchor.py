"""The audit chain's anchor outside the database: a per-user secret key and a head file.

A hash chain inside one file proves nothing against someone who can write that file: they can
cut its tail and move the head, or edit a record and re-hash everything after it. So every row
and the chain head also carry an HMAC under a secret key kept in its own 0600 file
(`audit.key`), and every append also writes the new head to a separate append-only file
(`<store>.anchor`). `safesh log --verify` checks both: a re-hashed record has no valid MAC
without the key, and a cut tail no longer reaches the head the anchor file last saw.

What this does not do: a process of the same user that reads the key can forge MACs; keeping
the key (and the state directory) out of an agent's reach is safesh's self-protection's job.

May import: the standard library (secrets lazily) and `safesh.digest` (SHA-256 and HMAC
without hashlib's OpenSSL: the audit record is written before every command).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from safesh.record import frozen
from safesh.store.values import StoreError

KEY_BYTES = 32


@frozen
class Anchor:
    """The key (and its short id, stored beside each MAC) and the head file of one machine."""

    key: bytes
    head_file: str | None = None

    @property
    def key_id(self) -> str:
        from safesh.digest import sha256

        return sha256(b"safesh-audit-key\0" + self.key).hexdigest()[:12]

    def mac(self, kind: str, record_id: int, digest: str) -> str:
        """`<key id>:<hex HMAC>` of one (kind, id, hash): a row's, the head's or a
        checkpoint's MAC differ by kind, so none can be copied onto another."""
        from safesh.digest import hmac_sha256

        message = f"{kind}\0{record_id}\0{digest}".encode("ascii", "replace")
        return f"{self.key_id}:{hmac_sha256(self.key, message).hex()}"

    def check(self, text: str | None, kind: str, record_id: int, digest: str) -> bool | None:
        """True when `text` is this key's valid MAC, False when it is wrong or missing, None
        when another machine's key made it (a shared store): this key cannot judge it."""
        from safesh.digest import compare_digest

        if not text or ":" not in text:
            return False
        key_id, _, _ = text.partition(":")
        if key_id != self.key_id:
            return None
        return compare_digest(text, self.mac(kind, record_id, digest))

    def note_head(self, record_id: int, digest: str) -> None:
        """Append the new head to the anchor file. Never raises: the record is already
        committed, and a missing anchor line only weakens truncation detection for it."""
        if self.head_file is None:
            return
        line = f"{record_id} {digest} {self.mac('anchor', record_id, digest)}\n"
        try:
            fd = os.open(self.head_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode("ascii"))
            finally:
                os.close(fd)
        except OSError:
            pass

    def heads(self) -> Iterator[tuple[int, str, bool]]:
        """(id, hash, MAC valid) of each line of the anchor file; unreadable lines are skipped
        (a torn last line after a crash)."""
        if self.head_file is None:
            return
        try:
            with open(self.head_file, encoding="ascii", errors="replace") as handle:
                text = handle.read()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise StoreError(f"cannot read the audit anchor {self.head_file}: {exc}") from exc
        for line in text.splitlines():
            parts = line.split()
            if len(parts) != 3 or not parts[0].isdigit():
                continue
            record_id, digest = int(parts[0]), parts[1]
            yield record_id, digest, self.check(parts[2], "anchor", record_id, digest) is True

    def compact(self, keep_after: int) -> None:
        """Drop the anchor lines of pruned records (atomically: a crash leaves old or new)."""
        if self.head_file is None or not os.path.exists(self.head_file):
            return
        kept = [
            f"{record_id} {digest} {self.mac('anchor', record_id, digest)}\n"
            for record_id, digest, valid in self.heads()
            if record_id > keep_after and valid
        ]
        temporary = self.head_file + ".tmp"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.writelines(kept[-1:])  # the newest head is all truncation detection needs
        os.replace(temporary, self.head_file)


def load_anchor(state_dir: str, head_file: str | None) -> Anchor:
    """The key in `state_dir/audit.key`, created (0600, random) on first use. A key file that
    others can read or write, or that another user owns, is refused: a key anyone can read
    anchors nothing."""
    path = os.path.join(state_dir, "audit.key")
    try:
        os.makedirs(state_dir, mode=0o700, exist_ok=True)
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except FileNotFoundError:
            fd = _create_key(path)
        try:
            info = os.fstat(fd)
            if info.st_uid != os.getuid() or info.st_mode & 0o077:
                raise StoreError(
                    f"the audit key {path} is readable or writable by others (or not yours); "
                    "safesh will not use it. Check who changed it, then `chmod 600` it."
                )
            data = os.read(fd, 4096).strip()
        finally:
            os.close(fd)
    except OSError as exc:
        raise StoreError(f"cannot use the audit key {path}: {exc}") from exc
    try:
        key = bytes.fromhex(data.decode("ascii"))
    except ValueError:
        key = b""
    if len(key) < 16:
        raise StoreError(f"the audit key {path} is not a safesh key; it has been left as it is")
    return Anchor(key, head_file)


def _create_key(path: str) -> int:
    import secrets

    directory, name = os.path.split(path)
    temporary = os.path.join(directory, f".{name}.{os.getpid()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, (secrets.token_hex(KEY_BYTES) + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(temporary, path)  # never replaces a key another process made meanwhile
    except FileExistsError:
        pass
    finally:
        os.unlink(temporary)
    return os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
