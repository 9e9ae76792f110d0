"""Word helpers of the unwrap stage: the program a command word names, assignments, a
wrapper's own options, lexical path resolution.

May use: `safesh.model` and the standard library; nothing else of the package.
"""

from __future__ import annotations

import functools
import posixpath
from collections.abc import Sequence

from safesh.lazy_re import later
from safesh.model import Word


# Asked of each command word several times (feeds, cd, variables, the walk): a hit is
# answered in C. Bounded, for a line of ever new words.
@functools.lru_cache(maxsize=4096)
def command_name(text: str) -> str:
    """The program a command word names, as the rules know it: `/bin/rm` -> `rm`; `\\rm` ->
    `rm` (the parser already removed quotes); `RM` -> `rm` (a case-insensitive filesystem, as
    macOS and Windows have, runs `RM` as `rm`); `C:\\Git\\usr\\bin\\rm.exe`, `git.exe`,
    `/c/msys64/usr/bin/rm.EXE` -> `rm`/`git` (Windows paths, drive letters and executable
    suffixes, as Git Bash, MSYS2 and WSL run them)."""
    if text.isalnum() and text.islower():
        return text  # `cat`, `git`: nothing to strip or fold (the common case, asked often)
    name = text.lstrip("\\")
    stripped = name.rstrip("/\\")
    if "/" in stripped or "\\" in stripped:
        name = _PATH_SEPARATORS.split(stripped)[-1]
    if not name.islower():
        name = name.lower()
    suffix = name.rpartition(".")[2]
    if suffix in _WINDOWS_SUFFIXES and len(name) > len(suffix) + 1:
        name = name[: -len(suffix) - 1]
    return name


_PATH_SEPARATORS = later(r"[/\\]")
_WINDOWS_SUFFIXES = frozenset({"exe", "com", "cmd", "bat"})


def is_assignment(text: str) -> bool:
    name, sep, _ = text.partition("=")
    return bool(sep) and name.isidentifier()


def split_options(
    words: Sequence[Word],
    value_options: frozenset[str],
    *,
    stop_at_first_positional: bool = True,
    attached_short_values: bool = True,
) -> tuple[list[Word], list[Word]]:
    """Split a wrapper's own options from the rest (the wrapped command and its arguments)."""
    i = 0
    options: list[Word] = []
    while i < len(words):
        text = words[i].text
        if text == "--":
            return options, list(words[i + 1 :])
        if (not text.startswith("-") or text == "-") and stop_at_first_positional:
            break
        options.append(words[i])
        if text in value_options and i + 1 < len(words):
            options.append(words[i + 1])
            i += 2
            continue
        if attached_short_values and text.startswith("-") and not text.startswith("--"):
            takes_next = _cluster_takes_next_word(text, value_options)
            if takes_next and i + 1 < len(words):
                options.append(words[i + 1])  # `sudo -iu postgres CMD`: -u's value is next
                i += 2
                continue
        i += 1
    return options, list(words[i:])


def _cluster_takes_next_word(text: str, value_options: frozenset[str]) -> bool:
    """Whether a cluster of short options (`-iu`, `-Hiu`, `-tp`) ends in one that takes a
    value, which is then the next word, as getopt reads it: the first letter in the cluster
    that takes a value takes the rest of the cluster (`-uroot`, `-n5`) or, when it is the
    last letter, the next word."""
    for index in range(1, len(text)):
        if f"-{text[index]}" in value_options:
            return index == len(text) - 1 and len(text) > 2
    return False


def option_texts(options: Sequence[Word]) -> set[str]:
    return {w.text for w in options}


_BAD_ASSIGNMENT = later(r"^[^=/\s]*=")


def looks_like_bad_assignment(text: str) -> bool:
    """`1A=2`, `A-B=2`, `=2`: shaped like an assignment, but not a valid one."""
    return bool(_BAD_ASSIGNMENT.match(text)) and not is_assignment(text)


def resolve_path(path: str, cwd: str, home: str) -> str:
    """Lexically resolve `path` against `cwd` (no filesystem access)."""
    if path == "~" or path.startswith("~/"):
        path = home + path[1:]
    elif path.startswith(("$HOME", "${HOME}")):
        path = home + path[len("${HOME}") if path.startswith("${") else len("$HOME") :]
    if not path.startswith("/"):
        path = posixpath.join(cwd, path)
    return posixpath.normpath(path)
