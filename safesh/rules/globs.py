"""The globs of the rules' command conditions (`command = ["mkfs*", "drop|clear"]`): fnmatch
globs, case-sensitive, with `|` separating alternatives.

fnmatch compiles a regular expression per glob on first use, and a safesh process lives for
one command, so compiling the few hundred globs of the rules cost more than the rest of the
classification. Plain names and one-star globs are compared directly, and a glob whose
literal stretches are not all in the word is answered without fnmatch.

May import: the standard library only.
"""

from __future__ import annotations

from fnmatch import fnmatchcase


def glob_match(word: str, pattern: str) -> bool:
    """fnmatch globs, case-sensitive, with `|` separating alternatives (`drop|clear`)."""
    return any(one_glob(word, alternative) for alternative in pattern.split("|"))


_GLOB_META = frozenset("*?[")


def one_glob(word: str, pattern: str) -> bool:
    """fnmatchcase(word, pattern), compiling a regular expression only when it must."""
    star = pattern.find("*")
    if star == -1 and _GLOB_META.isdisjoint(pattern):
        return word == pattern
    rest = pattern[star + 1 :]
    if star != -1 and _GLOB_META.isdisjoint(pattern[:star]) and _GLOB_META.isdisjoint(rest):
        head = pattern[:star]
        return len(word) >= len(head) + len(rest) and word.startswith(head) and word.endswith(rest)
    runs = _literal_runs(pattern)
    if runs is not None and not all(run in word for run in runs):
        return False  # a literal part is missing: no match, and no regex compiled to say so
    return fnmatchcase(word, pattern)


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
