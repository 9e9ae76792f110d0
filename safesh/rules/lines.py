"""Where in a rules file a rule or a key is: the line numbers in `file:line` errors and in
`Rule.line` (tomllib gives no positions, so they are found in the text).

Every lookup is answered from indexes built in one pass over the text, so loading a file of
n rules costs O(n), not one scan of the file per rule (which made a project file of a few
thousand rules take tens of seconds). Standard library only.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

from safesh.lazy_re import later
from safesh.record import frozen

_QUOTES = "\"'"
_ID_LINE = later(r"\s*id\s*=\s*[\"']")
_KEY_PREFIX = later(r"\s*(\[+\s*)?[\"']?")
_QUOTED_KEY_PREFIX = later(r"\s*[\"']?")
_KEY_END = later(r"[=\].]")
_QUOTED_KEY_END = later(r"=")
# A line names at most this many keys before its value starts: `[a.b.c.d]` names four. The
# bound keeps a long line (a reason with many dots) from costing more than a few substrings.
_BOUNDARIES_PER_LINE = 8
_IDS_PER_LINE = 4


@frozen
class Where:
    """The lines of one file's text, with lookups by rule id and by key. A lookup gives the
    first line that names it, as `^\\s*id\\s*=\\s*["']ID["']` and
    `^\\s*(\\[+\\s*)?["']?KEY["']?\\s*[=\\].]` would find it."""

    path: str | Path
    text: str

    @cached_property
    def lines(self) -> tuple[str, ...]:
        return tuple(self.text.splitlines())

    def rule(self, rule_id: str) -> int | None:
        return self._rule_lines.get(rule_id)

    def key(self, key: str, after: int | None = None) -> int | None:
        if after is None:
            return self._key_lines.get(key)
        # Only an error message asks for a key after a given line: one scan, once per load.
        pattern = re.compile(rf"^\s*(\[+\s*)?[\"']?{re.escape(key)}[\"']?\s*[=\].]")
        for number in range(max(after, 1), len(self.lines) + 1):
            if pattern.search(self.lines[number - 1]):
                return number
        return None

    def quoted_key(self, key: str) -> int | None:
        return self._quoted_key_lines.get(key)

    @cached_property
    def _rule_lines(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for number, line in enumerate(self.lines, start=1):
            start = _ID_LINE.match(line)
            if start is None:
                continue
            rest = line[start.end() :]
            quotes = [i for i, char in enumerate(rest) if char in _QUOTES][:_IDS_PER_LINE]
            for end in quotes:
                found.setdefault(rest[:end], number)
        return found

    @cached_property
    def _key_lines(self) -> dict[str, int]:
        return _index_keys(self.lines, _KEY_PREFIX, _KEY_END)

    @cached_property
    def _quoted_key_lines(self) -> dict[str, int]:
        return _index_keys(self.lines, _QUOTED_KEY_PREFIX, _QUOTED_KEY_END)


def _index_keys(
    lines: tuple[str, ...], prefix: re.Pattern[str], ends: re.Pattern[str]
) -> dict[str, int]:
    """Every key each line can name: the text after `prefix` up to an end character, less
    the whitespace and the one quote that may stand before it."""
    found: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        start = prefix.match(line)
        rest = line[start.end() :] if start is not None else line
        for count, end in enumerate(ends.finditer(rest), start=1):
            cut = end.start()
            while cut > 0 and rest[cut - 1] in " \t":
                cut -= 1
            found.setdefault(rest[:cut], number)
            if cut > 0 and rest[cut - 1] in _QUOTES:
                found.setdefault(rest[: cut - 1], number)
            if count == _BOUNDARIES_PER_LINE:
                break
    return found
