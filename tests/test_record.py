"""safesh.record: value classes built without dataclasses' code generation behave as the
dataclasses they replace (construction, defaults, equality, hashing, freezing, replace,
asdict, pickling), and importing the package's records never loads dataclasses."""

from __future__ import annotations

import copy
import pickle
import subprocess
import sys
from typing import ClassVar

import pytest

from safesh.record import FrozenInstanceError, asdict, field, fields, frozen, mutable, replace


@frozen
class Point:
    x: int
    y: int = 0
    tags: tuple[str, ...] = ()


@frozen
class Holder:
    name: str
    items: list[int] = field(default_factory=list)
    cache: dict[str, int] = field(default_factory=dict, compare=False, repr=False)


@mutable
class Counter:
    label: str
    count: int = 0
    seen: list[str] = field(default_factory=list)
    hidden: int = field(default=7, init=False)


@frozen
class Derived:
    base: int
    doubled: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "doubled", self.base * 2)


@frozen
class WithClassVar:
    LIMIT: ClassVar[int] = 3
    value: int


@frozen
class Outer:
    point: Point
    points: tuple[Point, ...]
    named: dict[str, Point]


def test_positional_and_keyword_arguments_fill_fields_in_order() -> None:
    assert Point(1, 2, ("a",)) == Point(y=2, x=1, tags=("a",))
    assert (Point(1).x, Point(1).y, Point(1).tags) == (1, 0, ())


def test_default_factory_gives_each_instance_its_own_value() -> None:
    first, second = Holder("a"), Holder("b")
    first.items.append(1)
    assert second.items == []
    assert Holder("c", [5]).items == [5]


def test_frozen_record_refuses_assignment_and_deletion() -> None:
    point = Point(1)
    with pytest.raises(FrozenInstanceError):
        point.x = 2  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del point.x  # type: ignore[misc]
    assert point.x == 1


def test_mutable_record_allows_assignment_and_is_unhashable() -> None:
    counter = Counter("a")
    counter.count += 1
    assert counter == Counter("a", 1)
    with pytest.raises(TypeError):
        hash(counter)


def test_field_left_out_of_init_starts_from_its_default() -> None:
    assert Counter("a").hidden == 7
    with pytest.raises(TypeError):
        Counter("a", hidden=1)  # type: ignore[call-arg]


def test_equality_is_by_class_and_compared_fields() -> None:
    assert Point(1, 2) == Point(1, 2)
    assert Point(1, 2) != Point(2, 1)
    assert Holder("a", cache={"x": 1}) == Holder("a", cache={"y": 2})  # cache not compared
    assert Point(1) != (1, 0, ())
    assert Point(1).__eq__(Derived(1)) is NotImplemented


def test_frozen_records_hash_like_their_compared_fields() -> None:
    assert hash(Point(1, 2)) == hash(Point(1, 2))
    assert len({Point(1), Point(1), Point(2)}) == 2


def test_repr_names_the_class_and_shown_fields() -> None:
    assert repr(Point(1, 2)) == "Point(x=1, y=2, tags=())"
    assert repr(Holder("a")) == "Holder(name='a', items=[])"


def test_post_init_runs_after_the_fields_are_set_and_on_replace() -> None:
    assert Derived(3).doubled == 6
    assert replace(Derived(3), base=5).doubled == 10


def test_replace_copies_with_changes_and_leaves_the_original() -> None:
    point = Point(1, 2, ("t",))
    moved = replace(point, y=9)
    assert moved == Point(1, 9, ("t",))
    assert point.y == 2
    with pytest.raises(TypeError):
        replace(point, z=1)


def test_class_variables_are_not_fields() -> None:
    assert [f.name for f in fields(WithClassVar)] == ["value"]
    assert WithClassVar(1).LIMIT == 3


def test_fields_lists_every_field_in_definition_order() -> None:
    assert [f.name for f in fields(Counter)] == ["label", "count", "seen", "hidden"]
    assert [f.name for f in fields(Counter("a"))] == ["label", "count", "seen", "hidden"]
    with pytest.raises(TypeError):
        fields(object())


def test_asdict_converts_nested_records_and_containers() -> None:
    outer = Outer(Point(1), (Point(2),), {"p": Point(3)})
    assert asdict(outer) == {
        "point": {"x": 1, "y": 0, "tags": ()},
        "points": ({"x": 2, "y": 0, "tags": ()},),
        "named": {"p": {"x": 3, "y": 0, "tags": ()}},
    }
    with pytest.raises(TypeError):
        asdict(Point)


def test_wrong_arguments_raise_type_error_naming_the_problem() -> None:
    with pytest.raises(TypeError, match="missing"):
        Point()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword argument 'z'"):
        Point(1, z=2)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="multiple values for argument 'x'"):
        Point(1, x=2)  # type: ignore[misc]
    with pytest.raises(TypeError, match="positional arguments"):
        Point(1, 2, (), 4)  # type: ignore[call-arg]


def test_records_pickle_and_copy_equal() -> None:
    holder = Holder("a", [1, 2])
    assert pickle.loads(pickle.dumps(holder)) == holder
    assert copy.deepcopy(Point(1, 2)) == Point(1, 2)
    assert pickle.loads(pickle.dumps(Derived(4))).doubled == 8


def test_a_pickle_leaves_out_fields_that_hold_their_default() -> None:
    plain, tagged = Point(1), Point(1, 5, ("t",))
    assert len(pickle.dumps(plain)) < len(pickle.dumps(tagged))
    copied = pickle.loads(pickle.dumps(plain))
    assert copied == plain
    assert (copied.y, copied.tags) == (0, ())
    assert repr(copied) == repr(plain)
    assert replace(copied, x=2) == Point(2)
    assert asdict(copied) == asdict(plain)
    assert hash(copied) == hash(plain)


def test_methods_the_class_defines_are_kept() -> None:
    @frozen
    class Loose:
        value: int

        def __eq__(self, other: object) -> bool:
            return True

        def __hash__(self) -> int:
            return 1

        def __repr__(self) -> str:
            return "loose"

    assert Loose(1) == Loose(2)
    assert hash(Loose(5)) == 1
    assert repr(Loose(1)) == "loose"


def test_a_record_extends_a_record_with_the_base_fields_first() -> None:
    @frozen
    class Labelled(Point):
        label: str = ""

    labelled = Labelled(1, 2, (), "l")
    assert [f.name for f in fields(labelled)] == ["x", "y", "tags", "label"]
    assert labelled.label == "l"
    assert labelled != Point(1, 2)


def test_definition_errors_are_caught_when_the_class_is_made() -> None:
    with pytest.raises(TypeError, match="non-default argument"):

        @frozen
        class Misordered:
            first: int = 0
            second: int  # type: ignore[misc]

    with pytest.raises(ValueError, match="mutable default"):

        @frozen
        class Shared:
            items: list[int] = []  # noqa: RUF012


def test_judging_a_line_does_not_load_dataclasses() -> None:
    code = (
        "import sys, safesh; safesh.check('ls -la'); "
        "print(sorted(m for m in ('dataclasses', 'inspect') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
