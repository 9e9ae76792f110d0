"""argv that comes from variables: what a word is after the shell expands the parameters the
line itself set. `cmd=(pytest -q); "${cmd[@]}"`, `set -- rm -rf x; "$@"`, `f() { "$@"; }; f …`,
`d=dist; rm -rf "$d"`, `${TMPDIR:-/tmp}/build`.

A name can hold several values by the time it is used (assigned twice, or in a branch that
may not run); every reading is judged, so a variable never weakens a decision. A name whose
value the line does not fix (`x=$(…)`, `read x`, a loop variable) keeps the word as written,
and the rules treat it as unknown.

May use: `safesh.model` and the standard library.
"""

from __future__ import annotations

from itertools import product

from safesh.lazy_re import later, re
from safesh.model import Word
from safesh.record import field, frozen, mutable, replace

# A reading of a name: its words (one for a scalar, the elements of an array), or None
# when the line gives it a value nobody can know here.
Value = tuple[str, ...] | None
# At most this many combinations of readings are judged for one command; beyond, the words
# stay as written (unknown), which never passes a destructive position.
MAX_READINGS = 8

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_PARAM = later(
    rf"""\$(?:
        \{{(?P<braced>{_NAME}|[0-9]+|[@*])
            (?:\[(?P<index>[@*]|[0-9]+)\])?
            (?:(?P<op>:-|-|:=|=)(?P<default>[^}}$`'"\\]*)
              |:(?P<offset>[0-9]+)(?::(?P<length>[0-9]+))?)?\}}
      | (?P<plain>{_NAME}|[0-9@*])
    )""",
    re.VERBOSE,
)
_POSITIONAL = later(r"^(?:[0-9]+|[@*])$")


@mutable
class Bindings:
    """The values each name may hold at this point of the walk, in assignment order."""

    values: dict[str, list[Value]] = field(default_factory=dict)
    # Names the line sets by other means (loop variables, `read`): always unknown.
    unknown: set[str] = field(default_factory=set)

    def assign(self, name: str, value: Value, *, maybe: bool = False) -> None:
        """`name` now holds `value`; with `maybe` (a branch that may not run, `+=`), the
        earlier readings stay possible."""
        readings = self.values.get(name, []) if maybe else []
        if maybe and name not in self.values:
            readings = [None]  # before the branch it held whatever the caller's shell had
        if value not in readings:
            readings = [*readings, value]
        self.values[name] = readings

    def readings(self, name: str) -> list[Value] | None:
        """The possible values of `name`, or None when the line never set it."""
        if name in self.unknown:
            return [None]
        return self.values.get(name)

    def copy(self) -> Bindings:
        return Bindings({k: list(v) for k, v in self.values.items()}, set(self.unknown))


def array_value(raw: str) -> Value:
    """The elements of an array literal `(a 'b c' d)`, or None when an element expands."""
    inner = raw.strip()[1:-1]
    if "$" in inner or "`" in inner:
        return None
    import shlex  # only for a line that assigns an array

    try:
        return tuple(shlex.split(inner, comments=False, posix=True))
    except ValueError:
        return None


@frozen
class Reading:
    """One way the words of a command may read after expansion."""

    words: tuple[Word, ...]
    label: str  # what was substituted, for `via`


def readings(
    words: list[Word],
    lookup: Lookup,
) -> list[Reading] | None:
    """Every way `words` may read once the parameters the line fixes are expanded; None when
    no word has such a parameter (nothing to do). A reading may keep a word as written when
    one of its parameters is unknown."""
    params = [m for w in words if not w.static for m in _PARAM.finditer(w.raw)]
    names = sorted({m.group("braced") or m.group("plain") for m in params})
    choices: list[list[tuple[str, Value]]] = []
    for name in names:
        found = lookup(name)
        if found is not None:
            choices.append([(name, value) for value in found])
    has_default = any(m.group("op") for m in params)
    if not choices and not has_default:
        return None
    combos = list(product(*choices))
    if len(combos) > MAX_READINGS:
        return [Reading(tuple(words), "too many readings")]
    result: list[Reading] = []
    for combo in combos:
        chosen = dict(combo)
        expanded: list[Word] = []
        for word in words:
            expanded.extend(expand_word(word, chosen, lookup))
        label = ", ".join(f"${n}=" + ("?" if v is None else " ".join(v))[:40] for n, v in combo)
        result.append(Reading(tuple(expanded), label))
    return result


class Lookup:
    """Answers what a name holds: the line's bindings, the positional parameters of a
    function call, and (only for `${NAME:-default}`) the environment safesh was given."""

    def __init__(
        self,
        bindings: Bindings,
        positional: tuple[str, ...] | None,
        env: dict[str, str],
        fallback: dict[str, str] | None = None,
    ) -> None:
        self.bindings = bindings
        self.positional = positional
        self.env = env
        # Values known without the line (HOME, PWD), for names the line never set.
        self.fallback = fallback or {}

    def __call__(self, name: str) -> list[Value] | None:
        if _POSITIONAL.match(name):
            positional = self.positional
            if positional is None:
                found = self.bindings.readings("@")
                if found is None:
                    return None
                return [_positional(value, name) for value in found]
            return [_positional(positional, name)]
        found = self.bindings.readings(name)
        if found is None and name in self.fallback:
            return [(self.fallback[name],)]
        return found


def _positional(values: Value, name: str) -> Value:
    if values is None:
        return None
    if name in {"@", "*"}:
        return values
    index = int(name)
    if index == 0:
        return None
    return (values[index - 1],) if index <= len(values) else ("",)


def expand_word(word: Word, chosen: dict[str, Value], lookup: Lookup) -> list[Word]:
    """`word` with the parameters in `chosen` replaced by their value, split into fields as
    bash does (unquoted expansions split on whitespace; `"$@"` and `"${a[@]}"` make one field
    per element). A word with anything else that expands stays as written."""
    if word.static:
        return [word]
    fields = _expand(word.raw, chosen, lookup)
    if fields is None:
        return [word]
    texts, globbed = fields
    return [replace(word, text=text, static=True, glob=word.glob or globbed) for text in texts]


def _expand(raw: str, chosen: dict[str, Value], lookup: Lookup) -> tuple[list[str], bool] | None:
    fields: list[str] = [""]
    started = False  # a field exists even when empty (`""`, `"$empty"`)
    quoted = False
    globbed = False
    i = 0
    while i < len(raw):
        char = raw[i]
        if char == "'" and not quoted:
            end = raw.find("'", i + 1)
            if end < 0:
                return None
            fields[-1] += raw[i + 1 : end]
            started = True
            i = end + 1
            continue
        if char == '"':
            quoted = not quoted
            started = True
            i += 1
            continue
        if char == "\\" and i + 1 < len(raw):
            following = raw[i + 1]
            if quoted and following not in '$`"\\\n':
                fields[-1] += char
            fields[-1] += following
            started = True
            i += 2
            continue
        if char == "`":
            return None
        if char == "$":
            match = _PARAM.match(raw, i)
            if match is None:
                return None  # $(…), $((…)), $'…', ${#x}, ${x/a/b}: not a fixed value
            values = _value_of(match, chosen, lookup)
            if values is None:
                return None
            all_elements = (match.group("index") or match.group("braced") or "") in {"@"} or (
                match.group("plain") == "@"
            )
            if quoted:
                if all_elements and len(values) != 1:
                    if values:
                        fields[-1] += values[0]
                        fields.extend(values[1:])
                    elif fields == [""] and not started:
                        fields = []
                else:
                    fields[-1] += " ".join(values)
                started = True
            else:
                pieces = " ".join(values).split()
                globbed = globbed or any(c in "".join(pieces) for c in "*?[")
                if pieces:
                    fields[-1] += pieces[0]
                    fields.extend(pieces[1:])
                    started = True
            i = match.end()
            continue
        fields[-1] += char
        started = True
        i += 1
    if fields and fields[-1] == "" and not started and len(fields) == 1:
        return [], globbed
    return fields, globbed


def _value_of(
    match: re.Match[str], chosen: dict[str, Value], lookup: Lookup
) -> tuple[str, ...] | None:
    name = match.group("braced") or match.group("plain")
    index = match.group("index")
    op = match.group("op")
    value = chosen.get(name)
    known = value is not None
    if op is not None:
        default = match.group("default") or ""
        if name in chosen and not known:
            return None  # set by the line to something unknown
        if not known:
            env_value = lookup.env.get(name)
            if env_value is not None and (env_value or op in {"-", "="}):
                return (env_value,)
            return (default,)
        assert value is not None  # known
        empty = not value or value == ("",)
        if empty and op in {":-", ":="}:
            return (default,)
        return value
    if not known or value is None:
        return None
    offset = match.group("offset")
    if offset is not None:
        return _slice(value, name, index, int(offset), match.group("length"))
    if index is not None and index not in {"@", "*"}:
        position = int(index)
        return (value[position],) if position < len(value) else ("",)
    if index is None and match.group("braced") and len(value) > 1 and name not in {"@", "*"}:
        return (value[0],)  # `$arr` is its first element
    if match.group("plain") and len(value) > 1 and name not in {"@", "*"}:
        return (value[0],)
    return value


def _slice(
    value: tuple[str, ...], name: str, index: str | None, offset: int, length: str | None
) -> tuple[str, ...]:
    """`${@:2}`, `${a[@]:1:2}` (elements; `$@` counts from $1) and `${x:1:3}` (characters)."""
    if name in {"@", "*"} or index in {"@", "*"}:
        start = max(offset - 1, 0) if name in {"@", "*"} else offset
        end = None if length is None else start + int(length)
        return value[start:end]
    text = value[0] if value else ""
    end = None if length is None else offset + int(length)
    return (text[offset:end],)
