"""Regular expressions compiled when first used, not when their module is imported, and
without importing `re` at all when it can be helped.

safesh's modules hold some two hundred patterns (interpreter calls, URL shapes, SQL, wrapper
syntax), and compiling them all at import was ~13 ms of every `safesh -c` start, though a
line uses a handful. `later(pattern)` stands for `re.compile(pattern)`: the first method
call compiles it, and from then on its methods are the compiled pattern's own (bound C
methods stored on the instance), so matching costs what it did. For mypy it is an
`re.Pattern[str]`.

Importing `re` itself (its parser and compiler, and enum for its flags) costs more than the
rest of judging a plain line, and compiling a pattern costs a few hundred microseconds more.
So the compiled programs of the package's patterns are kept with the code
(`safesh.lazy_re_programs`, written by scripts/lazy_re_programs.py): for a pattern found
there, and an interpreter that is exactly the one the table was written by, the program is
handed to the regular-expression engine (`_sre`, built into the interpreter) as `re` itself
would hand it, and the result is the same compiled pattern (tests/test_lazy_re.py compares
each with `re.compile`). Any other pattern or interpreter is compiled by `re`, as before.

`re` here is a stand-in for the module, for modules on every command's path: its flags are
plain numbers (`re.ASCII | re.MULTILINE`), and any other name (`re.match`, `re.escape`,
`re.error`) imports the real module when first used. `from safesh.lazy_re import re` in place
of `import re` keeps a module's code as it was; for mypy it is the `re` module.

May import: re (on first use), the interpreter's built-in `_sre`, and `safesh.lazy_re_programs`.
"""

from __future__ import annotations

import _sre  # type: ignore[import-not-found]  # the engine under `re`; no stubs
import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    import re as re  # `from safesh.lazy_re import re` is the module itself for mypy
    from typing import Any

__all__ = ["LaterPattern", "later", "re"]

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
        self._source = (pattern, int(flags))

    def compiled(self) -> re.Pattern[str]:
        pattern, flags = self._source
        program = _program(pattern, flags)
        if program is None:
            import re

            return re.compile(pattern, flags)
        final_flags, code, groups, groupindex, indexgroup = program
        words: list[int] = memoryview(bytes.fromhex(code)).cast("I").tolist()
        built: re.Pattern[str] = _sre.compile(
            pattern, final_flags, words, groups, dict(groupindex), indexgroup
        )
        return built

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


# -- the programs kept with the code ----------------------------------------------------------

# (final flags, code as hex of native 32-bit words, groups - 1, group index, index group)
Program = tuple[int, str, int, tuple[tuple[str, int], ...], tuple[str | None, ...]]

_programs: dict[tuple[str, int], Program] | None = None


def interpreter() -> tuple[str, int, int, int, str]:
    """What the programs are valid for: the same interpreter and version (its `re` compiler
    wrote them), the same engine (`_sre.MAGIC`, word size) and byte order."""
    return (sys.implementation.name, sys.hexversion, _sre.MAGIC, _sre.CODESIZE, sys.byteorder)


def _program(pattern: str, flags: int) -> Program | None:
    global _programs
    if _programs is None:
        _programs = _load_programs()
    return _programs.get((pattern, flags))


def _load_programs() -> dict[tuple[str, int], Program]:
    try:
        from safesh import lazy_re_programs as table
    except ImportError:  # not written for this tree: every pattern goes to `re`
        return {}
    if interpreter() != table.INTERPRETER or memoryview(b"\0" * 4).cast("I").itemsize != 4:
        return {}
    return table.PROGRAMS


# -- `re`, imported when first needed -----------------------------------------------------------


class _Re:
    """The `re` module's flags as numbers, and the rest of it from the real module on first
    use (see the module docstring)."""

    A = ASCII = 256
    I = IGNORECASE = 2  # noqa: E741 - the name `re` gives it
    L = LOCALE = 4
    M = MULTILINE = 8
    S = DOTALL = 16
    U = UNICODE = 32
    X = VERBOSE = 64

    def __getattr__(self, name: str) -> Any:
        import re

        value = getattr(re, name)
        setattr(self, name, value)
        return value

    def __repr__(self) -> str:
        return "<the re module, imported on first use>"


if not TYPE_CHECKING:
    re = _Re()
