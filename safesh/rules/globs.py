"""The globs of the rules' command conditions (`command = ["mkfs*", "drop|clear"]`): fnmatch
globs, case-sensitive, with `|` separating alternatives.

fnmatch compiles a regular expression per glob on first use, and a safesh process lives for
one command, so compiling the few hundred globs of the rules cost more than the rest of the
classification. Plain names and one-star globs are compared directly, and a glob whose
literal stretches are not all in the word is answered without fnmatch.

May import: the standard library only.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from collections.abc import Callable


def glob_match(word: str, pattern: str) -> bool:
    """fnmatch globs, case-sensitive, with `|` separating alternatives (`drop|clear`)."""
    return any(one_glob(word, alternative) for alternative in pattern.split("|"))


_GLOB_META = frozenset("*?[")

# A list of patterns split once into its plain names and its globs (`glob_set`).
GlobSet = tuple[frozenset[str], tuple[str, ...]]
NO_GLOBS: GlobSet = (frozenset(), ())


def glob_set(patterns: tuple[str, ...]) -> GlobSet:
    """`patterns` (each with `|` alternatives) as plain names and globs, for `matches_any`."""
    if not patterns:
        return NO_GLOBS
    names: set[str] = set()
    globs: list[str] = []
    for pattern in patterns:
        for alternative in pattern.split("|"):
            if _GLOB_META.isdisjoint(alternative):
                names.add(alternative)
            else:
                globs.append(alternative)
    return frozenset(names), tuple(globs)


def matches_any(word: str, globs: GlobSet) -> bool:
    """`any(glob_match(word, p) for p in patterns)` for `globs = glob_set(patterns)`."""
    return word in globs[0] or any(one_glob(word, glob) for glob in globs[1])


def matcher(globs: GlobSet) -> Callable[[str], bool]:
    """`lambda word: matches_any(word, globs)`, answering each word once: the compiled rules
    match the same words (subcommands, effect facts) against the same sets line after line."""
    names, patterns = globs
    if not patterns:
        return names.__contains__
    seen: dict[str, bool] = {}

    def match(word: str) -> bool:
        found = seen.get(word)
        if found is None:
            if len(seen) >= _SEEN_KEPT:
                seen.clear()
            found = seen[word] = word in names or any(one_glob(word, g) for g in patterns)
        return found

    return match


_SEEN_KEPT = 1024


def one_glob(word: str, pattern: str) -> bool:
    """fnmatchcase(word, pattern), compiling a regular expression only when it must."""
    shape = _shapes.get(pattern)
    if shape is None:
        if len(_shapes) >= _SHAPES_KEPT:
            _shapes.clear()
        shape = _shapes[pattern] = _shape(pattern)
    kind, head, rest, runs = shape
    if kind == _PLAIN:
        return word == pattern
    if kind == _ONE_STAR:
        return len(word) >= len(head) + len(rest) and word.startswith(head) and word.endswith(rest)
    if runs is not None and not all(run in word for run in runs):
        return False  # a literal part is missing: no match, and no regex compiled to say so
    from fnmatch import fnmatchcase  # compiles a regular expression: only when it must

    return fnmatchcase(word, pattern)


# How `one_glob` answers for a pattern, worked out once per pattern (the rules' patterns are
# matched against every command): (kind, head, rest, literal runs).
_PLAIN, _ONE_STAR, _OTHER = 0, 1, 2
_Shape = tuple[int, str, str, "tuple[str, ...] | None"]
_shapes: dict[str, _Shape] = {}
_SHAPES_KEPT = 8192


def _shape(pattern: str) -> _Shape:
    star = pattern.find("*")
    if star == -1 and _GLOB_META.isdisjoint(pattern):
        return (_PLAIN, "", "", None)
    rest = pattern[star + 1 :]
    if star != -1 and _GLOB_META.isdisjoint(pattern[:star]) and _GLOB_META.isdisjoint(rest):
        return (_ONE_STAR, pattern[:star], rest, None)
    runs = _literal_runs(pattern)
    return (_OTHER, "", "", None if runs is None else tuple(runs))


def _literal_runs(pattern: str) -> list[str] | None:
    """The literal stretches of a glob, between `*`, `?` and `[...]` classes, each of which
    a matching word must contain; None for a `[` that fnmatch would read as a literal."""
    runs: list[str] = []
    start = index = 0
    while index < len(pattern):
        char = pattern[index]
        if char in "*?":
            runs.append(pattern[start:index])
            start = index = index + 1
        elif char == "[":
            end = index + 1
            end += pattern.startswith("!", end)
            end += pattern.startswith("]", end)
            end = pattern.find("]", end)
            if end == -1:
                return None
            runs.append(pattern[start:index])
            start = index = end + 1
        else:
            index += 1
    runs.append(pattern[start:])
    return [run for run in runs if run]
