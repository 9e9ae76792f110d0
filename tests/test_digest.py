"""safesh.digest computes what hashlib and hmac compute: the audit chain and its MACs written
with it verify with the standard modules, and the other way round."""

from __future__ import annotations

import hashlib
import hmac

from hypothesis import given
from hypothesis import strategies as st

from safesh import digest


@given(st.binary(max_size=300), st.binary(max_size=2000))
def test_hmac_sha256_is_the_hmac_modules(key: bytes, message: bytes) -> None:
    assert digest.hmac_sha256(key, message) == hmac.digest(key, message, "sha256")


@given(st.lists(st.binary(max_size=500), max_size=5))
def test_sha256_is_hashlibs_in_one_piece_or_several(parts: list[bytes]) -> None:
    whole = digest.sha256(b"".join(parts))
    pieces = digest.sha256()
    for part in parts:
        pieces.update(part)
    assert whole.hexdigest() == pieces.hexdigest() == hashlib.sha256(b"".join(parts)).hexdigest()


@given(st.binary(min_size=1, max_size=64), st.binary(max_size=500))
def test_keyed_blake2b_is_hashlibs(key: bytes, message: bytes) -> None:
    ours = digest.blake2b(message, key=key, digest_size=32, person=b"safesh sealed")
    theirs = hashlib.blake2b(message, key=key, digest_size=32, person=b"safesh sealed")
    assert ours.digest() == theirs.digest()


def test_compare_digest_tells_equal_from_different() -> None:
    assert digest.compare_digest(b"abc", b"abc")
    assert not digest.compare_digest(b"abc", b"abd")
    assert digest.compare_digest("k1:00ff", "k1:00ff")
    assert not digest.compare_digest("k1:00ff", "k1:00fe")
