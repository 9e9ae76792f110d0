"""What bash does to a command word before it looks the program up, where the word alone
does not say which program runs: brace expansion (`{rm,-rf,~}` is the three words `rm -rf ~`),
pathname expansion (`/bin/r[m]`, `/???/r?` name a program only the filesystem knows), and
`$(which NAME)` / `$(command -v NAME)`, which run NAME itself.

May use: the standard library and `safesh.lazy_re`; nothing else of the package.
"""

from __future__ import annotations

from safesh.lazy_re import later

# The most words one brace expansion may give before it is read as unknown instead.
MAX_BRACE_WORDS = 64


def unquoted(raw: str) -> str:
    """`raw` with every quoted or escaped character replaced by `_`: what is left is what
    bash expands (a `*` inside quotes is a star, outside it is a pattern)."""
    out: list[str] = []
    i = 0
    while i < len(raw):
        char = raw[i]
        if char == "\\":
            out.append("__")
            i += 2
            continue
        if char == "'" or (char == "$" and raw[i + 1 : i + 2] == "'"):
            start = i + (2 if char == "$" else 1)
            end = raw.find("'", start)
            while char == "$" and end > 0 and raw[end - 1] == "\\":
                end = raw.find("'", end + 1)
            end = len(raw) if end < 0 else end
            out.append("_" * (end + 1 - i))
            i = end + 1
            continue
        if char == '"':
            j = i + 1
            while j < len(raw) and raw[j] != '"':
                j += 2 if raw[j] == "\\" else 1
            out.append("_" * (min(j, len(raw) - 1) + 1 - i))
            i = j + 1
            continue
        out.append(char)
        i += 1
    return "".join(out)


def has_glob(raw: str) -> bool:
    """Whether bash would expand the word as a pathname pattern (`*`, `?`, `[…]` unquoted).
    `[` and `[[` alone are the test commands, not patterns."""
    if "*" not in raw and "?" not in raw and "[" not in raw:
        return False  # quote removal only hides characters: none of these can appear
    bare = unquoted(raw)
    if "*" in bare or "?" in bare:
        return True
    opening = bare.find("[")
    return opening >= 0 and "]" in bare[opening + 2 :]


def brace_words(raw: str) -> list[str] | None:
    """The words an unquoted brace expansion in `raw` gives (`{rm,-rf,~}` -> rm, -rf, ~;
    `r{m,}` -> rm, r), or None when it has none. A word that mixes quotes with braces, or
    expands to too many words, gives `[]`: it cannot be read, and the caller asks."""
    bare = unquoted(raw)
    if _group(bare) is None:
        return None
    if bare != raw:
        return []
    words = _expand(raw)
    return words if 0 < len(words) <= MAX_BRACE_WORDS else []


def _group(text: str) -> tuple[int, int] | None:
    """(start, end) of the first `{…}` that holds a comma at its own level."""
    for start, char in enumerate(text):
        if char != "{" or (start and text[start - 1] == "$"):
            continue
        depth = 0
        comma = False
        for end in range(start, len(text)):
            if text[end] == "{":
                depth += 1
            elif text[end] == "}":
                depth -= 1
                if depth == 0:
                    if comma:
                        return start, end
                    break
            elif text[end] == "," and depth == 1:
                comma = True
    return None


def _expand(text: str) -> list[str]:
    found = _group(text)
    if found is None:
        return [text]
    start, end = found
    prefix, body, suffix = text[:start], text[start + 1 : end], text[end + 1 :]
    parts: list[str] = []
    depth = 0
    current = ""
    for char in body:
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += {"{": 1, "}": -1}.get(char, 0)
        current += char
    parts.append(current)
    words: list[str] = []
    for part in parts:
        words.extend(_expand(prefix + part + suffix))
        if len(words) > MAX_BRACE_WORDS:
            break
    return [w for w in words if w]


_WHICH = later(
    r"""^(?P<q>"?)(?:\$\(|`)\s*(?:which|command\s+-v|type\s+-[pP]|whence\s+-p)\s+"""
    r"""(?P<name>[A-Za-z0-9_.+-]+)\s*(?:\)|`)(?P=q)$"""
)


def which_name(raw: str) -> str | None:
    """NAME, when the word is `$(which NAME)` or `$(command -v NAME)` (quoted or not, or in
    backquotes): it runs the program NAME found on PATH, that is NAME."""
    found = _WHICH.match(raw)
    return None if found is None else found.group("name")
