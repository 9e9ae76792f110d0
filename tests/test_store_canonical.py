"""The audit chain hashes `canonical(...)` of each record: its text must be exactly what
`json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)` gives, or
records written before (or by another version) would no longer verify."""

from __future__ import annotations

import enum
import json

from hypothesis import given
from hypothesis import strategies as st

from safesh.store.values import _encode, canonical

# Any code point, lone surrogates included, and often the characters json escapes.
_ESCAPED = [chr(code) for code in range(0x20)] + ['"', "\\", "\x7f", "\u2028", "\ud800"]
_TEXT = st.text(st.characters(exclude_categories=()) | st.sampled_from(_ESCAPED), max_size=20)
_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    | _TEXT
)
_VALUES = st.recursive(
    _LEAVES,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(_TEXT, inner, max_size=4)
    ),
    max_leaves=20,
)


def _json(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@given(_VALUES)
def test_canonical_text_is_jsons(value: object) -> None:
    assert canonical(value) == _json(value)


class _Level(enum.IntEnum):
    LOW = 1


class _Name(str):
    pass


def test_values_of_other_types_are_left_to_json() -> None:
    odd: list[object] = [
        {1: "int key", 2: "b"},
        {"k": _Level.LOW},
        [_Name("sub"), float("nan"), float("-inf")],
        {"a": {"b": [float("inf")]}},
    ]
    for value in odd:
        assert canonical(value) == _json(value)


def test_an_audit_record_body_is_hashed_as_before() -> None:
    body = {
        "id": 7,
        "time": "2026-12-01T03:00:00.000Z",
        "command": 'printf "a\\tb"\n\x1b[31m é \\xff',
        "rules": ["fs.rm-root", "core.unparsable"],
        "duration_s": 0.25,
        "exit_status": None,
        "agent": None,
    }
    assert canonical(body) == _json(body)
    parts: list[str] = []
    assert _encode(body, parts)  # written here, not by json
