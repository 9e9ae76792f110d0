"""Regular expressions compiled when first used, not when their module is imported.

safesh's modules hold some two hundred patterns (interpreter calls, URL shapes, SQL, wrapper
syntax), and compiling them all at import was ~13 ms of every `safesh -c` start, though a
line uses a handful. `later(pattern)` stands for `re.compile(pattern)`: the first method
call compiles it, and from then on its methods are the compiled pattern's own (bound C
methods stored on the instance), so matching costs what it did. For mypy it is an
`re.Pattern[str]`.

May import: re only.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

__all__ = ["LaterPattern", "later"]

# What a compiled pattern offers; each is copied from it on first use.
_ATTRIBUTES = (
    "search",
    "match",
    "fullmatch",
    "sub",
    "subn",
    "split",
    "findall",
    "finditer",
    "scanner",
    "pattern",
    "flags",
    "groups",
    "groupindex",
)


class LaterPattern:
    """`re.compile(pattern, flags)`, done on first use (see the module docstring)."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._source = (pattern, flags)

    def compiled(self) -> re.Pattern[str]:
        return re.compile(*self._source)

    def __getattr__(self, name: str) -> object:
        # Called only for attributes not yet on the instance: the first use.
        if name not in _ATTRIBUTES:
            raise AttributeError(name)
        compiled = self.compiled()
        for attribute in _ATTRIBUTES:
            self.__dict__[attribute] = getattr(compiled, attribute)
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"later({self._source[0]!r})"


if TYPE_CHECKING:

    def later(pattern: str, flags: int | re.RegexFlag = 0) -> re.Pattern[str]:
        return re.compile(pattern, flags)

else:

    def later(pattern, flags=0):
        return LaterPattern(pattern, flags)
