"""The digests on every command's path (the rules cache, its seal, the audit chain), from the
interpreter's own hash modules instead of hashlib.

Importing hashlib loads OpenSSL's libcrypto, ~2 ms of every `safesh -c` with no judge: more
than judging the command. The interpreter ships SHA-256 (`_sha256`; `_sha2` from 3.12) and
BLAKE2 (`_blake2`) as small modules of its own that compute the same digests; hashlib is the
fallback where they are missing.

- `sha256`: for what is kept or compared across versions (the audit chain and its MACs).
- `hmac_sha256`: RFC 2104 HMAC over it; the tests check it against the `hmac` module.
- `blake2b`: for safesh's private caches (their keys and seals), whose format is versioned:
  it is several times faster than this SHA-256 on the rules' ~300 KB, and keyed it is a MAC.
- `compare_digest`: hmac's constant-time comparison (the same C function).

Standard library only.
"""

from __future__ import annotations

from _operator import _compare_digest as compare_digest

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from hashlib import blake2b as blake2b
    from hashlib import sha256 as sha256
else:
    try:
        from _sha2 import sha256  # Python 3.12 and later
    except ImportError:
        try:
            from _sha256 import sha256
        except ImportError:  # an interpreter built without it
            from hashlib import sha256
    try:
        from _blake2 import blake2b
    except ImportError:  # an interpreter built without it
        from hashlib import blake2b

__all__ = ["blake2b", "compare_digest", "hmac_sha256", "sha256"]

_BLOCK = 64  # SHA-256's block size in bytes
_INNER = bytes(x ^ 0x36 for x in range(256))
_OUTER = bytes(x ^ 0x5C for x in range(256))


def hmac_sha256(key: bytes, message: bytes) -> bytes:
    """HMAC-SHA256 of `message` under `key` (RFC 2104), as `hmac.digest(key, message,
    "sha256")` computes it."""
    if len(key) > _BLOCK:
        key = sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    inner = sha256(key.translate(_INNER))
    inner.update(message)
    outer = sha256(key.translate(_OUTER))
    outer.update(inner.digest())
    return outer.digest()
