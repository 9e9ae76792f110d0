"""safesh.lazy_re: a pattern compiled on first use matches exactly as the compiled pattern,
and every such pattern in the package is a valid regular expression (a typo would otherwise
surface only on the first line that reaches it). The programs kept with the code are exactly
what `re` compiles, and cover every pattern in the package."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator

import pytest

import safesh
from safesh import lazy_re, lazy_re_programs
from safesh.lazy_re import LaterPattern, later


def test_a_later_pattern_matches_as_the_compiled_one() -> None:
    pattern = later(r"(?P<word>\w+)-(\d+)", re.IGNORECASE)
    compiled = re.compile(r"(?P<word>\w+)-(\d+)", re.IGNORECASE)
    text = "Ab-12 cd-3"
    assert pattern.search(text).groupdict() == compiled.search(text).groupdict()  # type: ignore[union-attr]
    assert pattern.findall(text) == compiled.findall(text)
    assert pattern.sub("x", text) == compiled.sub("x", text)
    assert pattern.fullmatch("ab-1") is not None
    assert pattern.match("-") is None
    assert pattern.split(text) == compiled.split(text)
    assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in compiled.finditer(text)]
    assert (pattern.pattern, pattern.flags, pattern.groups) == (
        compiled.pattern,
        compiled.flags,
        compiled.groups,
    )
    assert pattern.groupindex == compiled.groupindex


def test_nothing_is_compiled_before_first_use() -> None:
    pattern = later(r"(unbalanced")  # an error only when compiled
    with pytest.raises(re.error):
        pattern.search("x")


def test_other_attributes_are_not_invented() -> None:
    with pytest.raises(AttributeError):
        later("x").nonsense  # type: ignore[attr-defined]  # noqa: B018


def _later_patterns(value: object, depth: int = 0) -> Iterator[LaterPattern]:
    if isinstance(value, LaterPattern):
        yield value
    elif depth < 4 and isinstance(value, dict):
        for item in value.values():
            yield from _later_patterns(item, depth + 1)
    elif depth < 4 and isinstance(value, list | tuple | frozenset | set):
        for item in value:
            yield from _later_patterns(item, depth + 1)


def _package_patterns() -> Iterator[tuple[str, LaterPattern]]:
    for info in pkgutil.walk_packages(safesh.__path__, "safesh."):
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # an optional extra (web, mcp) that is not installed
            continue
        for name, value in vars(module).items():
            for pattern in _later_patterns(value):
                yield f"{info.name}.{name}", pattern


def test_every_pattern_in_the_package_compiles() -> None:
    found = list(_package_patterns())
    assert len(found) > 50  # the walk really reaches the modules' tables
    for where, pattern in found:
        try:
            pattern.compiled()
        except re.error as error:
            pytest.fail(f"{where}: {pattern!r} does not compile: {error}")


# -- the programs kept with the code (safesh.lazy_re_programs) ---------------------------------


def _table_fits() -> bool:
    return lazy_re.interpreter() == lazy_re_programs.INTERPRETER


def test_every_kept_program_is_the_pattern_re_compiles() -> None:
    if not _table_fits():
        pytest.skip("the table was written by another interpreter, which ignores it")
    for pattern, flags in lazy_re_programs.PROGRAMS:
        kept = LaterPattern(pattern, flags).compiled()
        compiled = re.compile(pattern, flags)
        # A pattern compares equal to another with the same source, flags and engine code.
        assert kept == compiled, pattern
        assert (kept.groups, kept.groupindex) == (compiled.groups, compiled.groupindex), pattern


def test_every_pattern_in_the_package_has_its_program_kept() -> None:
    if not _table_fits():
        pytest.skip("the table was written by another interpreter, which ignores it")
    missing = sorted(
        {
            where
            for where, found in _package_patterns()
            if _key(found) not in lazy_re_programs.PROGRAMS
        }
    )
    assert not missing, f"run scripts/lazy_re_programs.py (missing: {', '.join(missing)})"


def _key(pattern: LaterPattern) -> tuple[str, int]:
    return pattern._source


def test_another_interpreter_compiles_every_pattern_with_re(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(lazy_re, "_programs", None)
    monkeypatch.setattr(lazy_re, "interpreter", lambda: ("other", 0, 0, 0, "big"))
    pattern, flags = next(iter(lazy_re_programs.PROGRAMS))
    assert LaterPattern(pattern, flags).compiled() == re.compile(pattern, flags)
    assert lazy_re._programs == {}


def test_the_stand_in_for_re_has_its_flags_and_the_rest_of_it() -> None:
    for name in ("A", "ASCII", "I", "IGNORECASE", "L", "LOCALE", "M", "MULTILINE", "S", "DOTALL"):
        assert getattr(lazy_re.re, name) == getattr(re, name), name
    for name in ("U", "UNICODE", "X", "VERBOSE"):
        assert getattr(lazy_re.re, name) == getattr(re, name), name
    assert lazy_re.re.escape is re.escape
    assert lazy_re.re.error is re.error
    with pytest.raises(AttributeError):
        lazy_re.re.nonsense  # noqa: B018
