"""safesh.choice: the enums on every command's path (Tier, Mode, Action) behave as the
`enum.Enum` they stand in for, in everything safesh (and the rules cache) uses."""

from __future__ import annotations

import copy
import enum
import pickle

import pytest

from safesh.decide import Action, Mode
from safesh.model import Tier


class _Reference(enum.Enum):
    ALLOW = "allow"
    NOTIFY = "notify"
    ASK = "ask"
    BLOCK = "block"


def test_members_have_enum_names_values_and_order() -> None:
    assert [(t.name, t.value) for t in Tier] == [(r.name, r.value) for r in _Reference]
    assert len(Tier) == len(_Reference)
    assert list(Tier.__members__) == list(_Reference.__members__)


def test_lookup_by_value_and_by_name_as_enum() -> None:
    assert Tier("ask") is Tier.ASK
    assert Tier(Tier.ASK) is Tier.ASK
    assert Tier["ASK"] is Tier.ASK
    with pytest.raises(ValueError, match="'nope' is not a valid Tier"):
        Tier("nope")
    with pytest.raises(ValueError):
        Tier([])  # type: ignore[arg-type]  # unhashable: not a value either
    with pytest.raises(KeyError):
        Tier["ask"]


def test_printed_as_enum() -> None:
    assert repr(Tier.ASK) == repr(_Reference.ASK).replace("_Reference", "Tier")
    assert str(Tier.ASK) == "Tier.ASK"
    assert f"{Tier.ASK}" == "Tier.ASK"
    assert f"{Tier.ASK:>10}" == "  Tier.ASK"


def test_methods_and_properties_are_not_members() -> None:
    assert Tier.ASK.severity == 2
    assert Tier.most_severe([Tier.NOTIFY, Tier.BLOCK]) is Tier.BLOCK
    assert Tier.parse("block") is Tier.BLOCK
    assert Action.RUN.runs and not Action.REFUSE.runs
    assert "severity" not in Tier.__members__
    assert [m.value for m in Mode] == ["exec", "dry-run"]


def test_members_are_identical_singletons_that_cannot_change() -> None:
    assert Tier("ask") == Tier.ASK and Tier.ASK != Tier.BLOCK
    assert Tier.ASK != "ask"
    assert {Tier.ASK: 1}[Tier("ask")] == 1
    assert Tier.ASK in Tier and Action.RUN not in Tier  # type: ignore[comparison-overlap]
    with pytest.raises(AttributeError):
        Tier.ASK.value = "allow"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        Tier.ASK = Tier.ALLOW  # type: ignore[misc]
    assert copy.copy(Tier.ASK) is Tier.ASK
    assert copy.deepcopy([Tier.ASK])[0] is Tier.ASK


def test_pickled_as_enum_is_and_read_back_as_the_same_member() -> None:
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.loads(pickle.dumps(Tier.NOTIFY, protocol)) is Tier.NOTIFY
    # The form Enum uses, which the rules cache's unpickler allows: the class called with
    # the value.
    assert Tier.ASK.__reduce_ex__(4) == _reduced(_Reference.ASK, Tier)


def _reduced(member: _Reference, cls: type[Tier]) -> tuple[object, ...]:
    kind, arguments = member.__reduce_ex__(4)[:2]
    assert kind is _Reference
    return (cls, arguments)
