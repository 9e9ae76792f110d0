"""Record classes: `@frozen` makes a frozen value class and `@mutable` a mutable one
from the class's annotated fields, as `dataclasses.dataclass` does.

Why not dataclasses: every `@dataclass` writes each method as source text and compiles it
with exec() (~0.6 ms a class), and importing dataclasses loads inspect, ast, dis and tokenize
(~10 ms). safesh starts once per agent command and defines some ninety value classes, so that
was a third of its start-up. Here the methods are closures over the field names: creating a
class costs a few microseconds, an instance about the same as a dataclass's.

What is supported is what safesh uses: defaults, `field(default=..., default_factory=...,
init=..., compare=..., repr=...)`, `__post_init__`, `replace()`, `fields()`, `asdict()`,
`ClassVar` annotations (not fields) and records extending records. Methods a class defines
itself (`__eq__`, `__hash__`, `__repr__`) are kept. Like a dataclass, a frozen record
compares and hashes by its compared fields, a mutable record compares but is unhashable, and
`object.__setattr__` still works inside `__post_init__`. Records pickle and copy as plain
objects whose state is their `__dict__`, less the fields that hold their class default.

For mypy the decorator is declared with `typing.dataclass_transform`, under TYPE_CHECKING
only: importing typing at run time costs more than this whole module.

May import: nothing but the standard library's builtins (`operator`, loaded by `re` anyway).
"""

from __future__ import annotations

from operator import attrgetter

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar, dataclass_transform

    T = TypeVar("T")
    C = TypeVar("C", bound=type)
else:

    def dataclass_transform(**_options: object) -> object:
        return lambda function: function


__all__ = ["Field", "FrozenInstanceError", "asdict", "field", "fields", "frozen", "mutable"]
__all__ += ["replace"]

_FIELDS = "__record_fields__"


class FrozenInstanceError(AttributeError):
    """Assigning to (or deleting) a field of a frozen record."""


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class Field:
    """One field of a record: its name and how it is initialised, compared and shown."""

    __slots__ = ("compare", "default", "default_factory", "init", "name", "repr")

    def __init__(
        self,
        default: Any = MISSING,
        default_factory: Callable[[], Any] | None = None,
        init: bool = True,
        compare: bool = True,
        repr: bool = True,
    ) -> None:
        if default is not MISSING and default_factory is not None:
            raise ValueError("cannot specify both default and default_factory")
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.init = init
        self.compare = compare
        self.repr = repr

    @property
    def required(self) -> bool:
        return self.default is MISSING and self.default_factory is None

    def initial(self) -> Any:
        """The value the field starts with when no argument gives one."""
        if self.default_factory is not None:
            return self.default_factory()
        return self.default

    def __repr__(self) -> str:
        return f"Field(name={self.name!r}, default={self.default!r})"


def field(
    *,
    default: Any = MISSING,
    default_factory: Callable[[], Any] | None = None,
    init: bool = True,
    compare: bool = True,
    repr: bool = True,
) -> Any:
    """A field with a default factory, or left out of `__init__`, comparison or repr."""
    return Field(default, default_factory, init, compare, repr)


@dataclass_transform(frozen_default=True, field_specifiers=(field, Field))
def frozen(cls: C, /) -> C:
    """Make `cls` a frozen record class (see the module docstring)."""
    built: C = _build(cls, frozen=True)
    return built


@dataclass_transform(field_specifiers=(field, Field))
def mutable(cls: C, /) -> C:
    """Make `cls` a record class whose fields can be assigned (unhashable, like a dataclass
    that is not frozen)."""
    built: C = _build(cls, frozen=False)
    return built


def fields(value: Any) -> tuple[Field, ...]:
    """The fields of a record class or instance, in definition order."""
    found: tuple[Field, ...] | None = getattr(value, _FIELDS, None)
    if found is None:
        raise TypeError(f"{value!r} is not a record")
    return found


def replace(value: T, /, **changes: Any) -> T:
    """A copy of the record `value` with `changes`; `__post_init__` runs again, as for
    dataclasses.replace. A field left out of `__init__` cannot be changed this way."""
    for item in fields(value):
        if not item.init:
            if item.name in changes:
                raise ValueError(f"field {item.name!r} is not set by __init__: cannot replace it")
            continue
        if item.name not in changes:
            changes[item.name] = getattr(value, item.name)
    copy: T = value.__class__(**changes)
    return copy


def asdict(value: Any) -> dict[str, Any]:
    """The record `value` as a dict, records, lists, tuples and dicts inside it converted too."""
    if getattr(value, _FIELDS, None) is None or isinstance(value, type):
        raise TypeError("asdict() should be called on record instances")
    converted: dict[str, Any] = _plain(value)
    return converted


def _plain(value: Any) -> Any:
    if getattr(value, _FIELDS, None) is not None and not isinstance(value, type):
        return {item.name: _plain(getattr(value, item.name)) for item in fields(value)}
    if isinstance(value, list | tuple):
        return type(value)(_plain(item) for item in value)
    if isinstance(value, dict):
        return {_plain(key): _plain(item) for key, item in value.items()}
    return value


# -- building a class ---------------------------------------------------------------------------


def _build(cls: Any, frozen: bool) -> Any:
    # (Some fifty record classes are built on every command's start-up: this is kept to plain
    # loops, with no generator, property or exception on its way.)
    body = cls.__dict__
    # The class's own annotations only (inspect.get_annotations would import inspect).
    own = body.get("__annotations__", {})
    declared: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        for item in base.__dict__.get(_FIELDS, ()):
            declared[item.name] = item
    for name, annotation in own.items():
        if _is_class_var(annotation):
            continue
        declared[name] = _declare(cls, name)
    all_fields = tuple(declared.values())
    _check_order(cls, all_fields)
    setattr(cls, _FIELDS, all_fields)
    _set(cls, "__init__", _make_init(cls, all_fields))
    if "__repr__" not in body:
        cls.__repr__ = _make_repr(all_fields)
    compared = tuple([item.name for item in all_fields if item.compare])
    key = _key(compared)
    if "__eq__" not in body:
        cls.__eq__ = _make_eq(key)
    if "__getstate__" not in body:
        cls.__getstate__ = _getstate
    if "__hash__" not in body or body["__hash__"] is None:
        cls.__hash__ = _make_hash(key) if frozen else None
    if frozen:
        if "__setattr__" in body or "__delattr__" in body:
            raise TypeError(f"frozen record {cls.__qualname__} cannot define __setattr__")
        cls.__setattr__ = _frozen_setattr
        cls.__delattr__ = _frozen_delattr
    return cls


def _set(cls: Any, name: str, method: Any) -> None:
    method.__qualname__ = f"{cls.__qualname__}.{name}"
    setattr(cls, name, method)


def _is_class_var(annotation: object) -> bool:
    # Annotations are strings here (`from __future__ import annotations`); an evaluated one
    # reads `typing.ClassVar[...]`.
    text = annotation if isinstance(annotation, str) else repr(annotation)
    return text.startswith(("ClassVar", "typing.ClassVar"))


def _declare(cls: Any, name: str) -> Field:
    declared = cls.__dict__.get(name, MISSING)
    item = declared if isinstance(declared, Field) else Field(declared)
    item.name = name
    if item.default is not MISSING and type(item.default).__hash__ is None:
        raise ValueError(
            f"mutable default {type(item.default).__name__} for field {name} of "
            f"{cls.__qualname__} is not allowed: use default_factory"
        )
    if isinstance(declared, Field):
        if item.default is MISSING:
            delattr(cls, name)
        else:
            setattr(cls, name, item.default)
    return item


def _check_order(cls: Any, all_fields: tuple[Field, ...]) -> None:
    seen_default = False
    for item in all_fields:
        if not item.init:
            continue
        required = item.default is MISSING and item.default_factory is None  # item.required
        if required and seen_default:
            raise TypeError(
                f"{cls.__qualname__}: non-default argument {item.name!r} follows default argument"
            )
        seen_default = seen_default or not required


def _make_init(cls: Any, all_fields: tuple[Field, ...]) -> Callable[..., None]:
    names_: list[str] = []
    # The optional arguments' values when not given (a factory's marked, called per instance).
    optional: dict[str, Any] = {}
    factories_: list[tuple[str, Callable[[], Any]]] = []
    later_: list[Field] = []
    for item in all_fields:
        if not item.init:
            later_.append(item)
            continue
        names_.append(item.name)
        if item.default_factory is not None:
            optional[item.name] = _FACTORY
            factories_.append((item.name, item.default_factory))
        elif item.default is not MISSING:
            optional[item.name] = item.default
    names, factories, later = tuple(names_), tuple(factories_), tuple(later_)
    count = len(names)
    known = frozenset(names)
    # hasattr would raise (and catch) an AttributeError for almost every class.
    post_init = any("__post_init__" in base.__dict__ for base in type(cls).__mro__ + cls.__mro__)
    title = cls.__qualname__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        state = self.__dict__
        if not kwargs and len(args) == count:
            state.update(zip(names, args, strict=True))
        else:
            values = optional.copy()
            values.update(zip(names, args, strict=False))
            if kwargs:
                if not known.issuperset(kwargs) or not kwargs.keys().isdisjoint(names[: len(args)]):
                    _refuse(title, names, args, kwargs)
                values.update(kwargs)
            if len(values) != count or len(args) > count:
                _refuse(title, names, args, kwargs)
            state.update(values)
            for name, factory in factories:
                if state[name] is _FACTORY:
                    state[name] = factory()
        for item in later:
            state[item.name] = item.initial()
        if post_init:
            self.__post_init__()

    return __init__


_FACTORY: Any = _Missing()


def _refuse(title: str, names: tuple[str, ...], args: tuple[Any, ...], kwargs: Any) -> None:
    """Raise the TypeError Python gives for a call that does not fit the signature."""
    where = f"{title}.__init__()"
    if len(args) > len(names):
        raise TypeError(
            f"{where} takes {len(names) + 1} positional arguments but {len(args) + 1} were given"
        )
    for name in kwargs:
        if name not in names:
            raise TypeError(f"{where} got an unexpected keyword argument {name!r}")
        if name in names[: len(args)]:
            raise TypeError(f"{where} got multiple values for argument {name!r}")
    missing = [name for name in names[len(args) :] if name not in kwargs]
    raise TypeError(f"{where} missing required arguments: {', '.join(map(repr, missing))}")


def _make_repr(all_fields: tuple[Field, ...]) -> Callable[[Any], str]:
    shown = tuple(item.name for item in all_fields if item.repr)

    def __repr__(self: Any) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
        return f"{self.__class__.__qualname__}({inner})"

    return __repr__


def _make_eq(key: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any, object], bool]:
    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return bool(key(self) == key(other))

    return __eq__


def _make_hash(key: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any], int]:
    def __hash__(self: Any) -> int:
        return hash(key(self))

    return __hash__


def _key(compared: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """The compared fields of an instance as one tuple (attrgetter runs in C)."""
    if not compared:
        return lambda _value: ()
    if len(compared) == 1:
        single = attrgetter(compared[0])
        return lambda value: (single(value),)
    getter: Callable[[Any], tuple[Any, ...]] = attrgetter(*compared)
    return getter


def _getstate(self: Any) -> dict[str, Any]:
    """What pickling and copying keep: the instance's state without the fields that still
    hold their default (the very object on the class). Unpickled, such a field reads the
    class attribute, the same value; the rules cache is a third smaller and loads faster."""
    cls = self.__class__
    return {
        name: value
        for name, value in self.__dict__.items()
        if getattr(cls, name, _NOT_ON_CLASS) is not value
    }


_NOT_ON_CLASS: Any = _Missing()


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")
