"""`Choice`: a small stand-in for `enum.Enum`, for the few enums on every command's path.

Importing enum costs ~6 ms of interpreter work before safesh judges anything, and each class
built with its metaclass costs more than a record class. safesh's enums (`Tier`, `Mode`,
`Action`) use only the plain part of Enum: members with a name and a value, looked up by
value (`Tier("ask")`) or by name (`Tier["ASK"]`), iterated in definition order, compared by
identity, with methods and properties of their own. That is what `Choice` provides, with
Enum's spelling (`.name`, `.value`, `__members__`, repr `<Tier.ASK: 'ask'>`, str
`Tier.ASK`) and Enum's pickle form (`Tier("ask")`, which the rules cache reads).

For mypy a `Choice` subclass is an `enum.Enum` (it is declared so under TYPE_CHECKING): the
type checker keeps checking exhaustiveness, member types and values as before.

In a class body, every public name bound to a plain value is a member; names starting with
`_` and descriptors (functions, properties, class methods) are not, as in Enum.

May import: nothing (not even the standard library).
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

__all__ = ["Choice"]

if TYPE_CHECKING:
    from enum import Enum as Choice
else:

    class _ChoiceType(type):
        """The metaclass: turns a class body's plain values into the class's members."""

        def __new__(mcs, name, bases, namespace):
            values = {
                key: value
                for key, value in namespace.items()
                if not key.startswith("_") and not hasattr(value, "__get__")
            }
            body = {key: value for key, value in namespace.items() if key not in values}
            body.setdefault("__slots__", ())
            cls = super().__new__(mcs, name, bases, body)
            by_name = {}
            by_value = {}
            for key, value in values.items():
                if value in by_value:  # an alias in Enum; safesh has none, so refuse one
                    raise TypeError(f"{name}.{key} repeats the value {value!r}")
                member = object.__new__(cls)
                object.__setattr__(member, "name", key)
                object.__setattr__(member, "value", value)
                by_name[key] = member
                by_value[value] = member
                type.__setattr__(cls, key, member)
            type.__setattr__(cls, "_by_name", by_name)
            type.__setattr__(cls, "_by_value", by_value)
            return cls

        def __call__(cls, value):
            """The member whose value is `value` (or `value` itself, when it is a member)."""
            if isinstance(value, cls):
                return value
            try:
                return cls._by_value[value]
            except (KeyError, TypeError):
                raise ValueError(f"{value!r} is not a valid {cls.__qualname__}") from None

        def __getitem__(cls, name):
            return cls._by_name[name]

        def __iter__(cls):
            return iter(cls._by_name.values())

        def __reversed__(cls):
            return reversed(list(cls._by_name.values()))

        def __len__(cls):
            return len(cls._by_name)

        def __contains__(cls, member):
            return isinstance(member, cls) and cls._by_name.get(member.name) is member

        @property
        def __members__(cls):
            return dict(cls._by_name)

        def __setattr__(cls, name, value):
            if name in cls.__dict__.get("_by_name", ()):
                raise AttributeError(f"cannot reassign member {name!r}")
            super().__setattr__(name, value)

        def __delattr__(cls, name):
            if name in cls.__dict__.get("_by_name", ()):
                raise AttributeError(f"cannot delete member {name!r}")
            super().__delattr__(name)

        def __repr__(cls):
            return f"<enum {cls.__name__!r}>"

    class Choice(metaclass=_ChoiceType):
        """The base of safesh's enums (see the module docstring)."""

        __slots__ = ("name", "value")

        def __setattr__(self, name, value):
            raise AttributeError(f"cannot set {name!r} of {self!r}")

        def __delattr__(self, name):
            raise AttributeError(f"cannot delete {name!r} of {self!r}")

        def __repr__(self):
            return f"<{type(self).__name__}.{self.name}: {self.value!r}>"

        def __str__(self):
            return f"{type(self).__name__}.{self.name}"

        def __format__(self, spec):
            return format(str(self), spec)

        def __reduce_ex__(self, protocol):
            return type(self), (self.value,)

        def __copy__(self):
            return self

        def __deepcopy__(self, memo):
            return self
