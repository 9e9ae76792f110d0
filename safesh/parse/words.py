"""Pieces both parse front-ends share: word quote removal, assignment and heredoc-delimiter
splitting, and the builder that turns walked nodes into `SimpleCommand`s.

Both front-ends find the *structure* (which characters form which word, where the commands
are); the meaning of a word's characters is decided here, once, from the source text, so that
bashlex and tree-sitter give identical words.
"""

from __future__ import annotations

from operator import itemgetter

from safesh.lazy_re import later, re
from safesh.model import (
    Redirect,
    SimpleCommand,
    Span,
    Word,
    new_plain_word,
    new_simple_command,
    new_span,
    new_word,
)
from safesh.record import field, frozen, mutable

# The names `SimpleCommand.nesting` uses. Outermost first; see docs of parse_line.
NEST_CMDSUB = "$(…)"  # $(…) and `…`
NEST_PROCSUB_IN = "<(…)"
NEST_PROCSUB_OUT = ">(…)"
NEST_ARITH = "$((…))"  # $((…)) and ((…)): only command substitutions can live inside
NEST_TEST = "[[ ]]"  # only command substitutions inside [[ … ]] are commands
NEST_SUBSHELL = "subshell"
NEST_GROUP = "group"
NEST_CASE = "case"
NEST_COPROC = "coproc"


def nest_function(name: str) -> str:
    return f"function {name}"


class FrontendError(Exception):
    """A front-end could not (or would not) parse the source.

    `incomplete` is True when the source ends too early (open quote, heredoc, `if` without
    `fi`), i.e. more input could make it parse.
    """

    def __init__(self, message: str, position: int | None, *, incomplete: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.incomplete = incomplete


@frozen
class WordMeaning:
    text: str
    static: bool
    glob: bool


_NAME_START = later(r"[A-Za-z_]")
# After `$`, these start an expansion; anything else leaves the `$` literal (`$/`, `$ `, end).
_EXPANSION_START = later(r"[A-Za-z_0-9{(@*#?$!\-\[]")
_DQUOTE_ESCAPABLE = frozenset('$`"\\\n')
_ANSI_SIMPLE = {
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "E": "\x1b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}


def word_meaning(raw: str) -> WordMeaning:
    """Quote removal for one word as bash spells it.

    Static words get their value (`r''m` -> `rm`, `\\rm` -> `rm`, `$'\\x72m'` -> `rm`); a word
    with any parameter, command, arithmetic or process expansion keeps `raw` as its text and
    is not static. `glob` is True when `*`, `?` or `[` appears unquoted.
    """
    out: list[str] = []
    static = True
    glob = False
    i, n = 0, len(raw)
    while i < n:
        c = raw[i]
        if c == "\\":
            if i + 1 < n:
                if raw[i + 1] != "\n":  # backslash-newline is a line continuation
                    out.append(raw[i + 1])
                i += 2
            else:
                out.append(c)
                i += 1
        elif c == "'":
            end = raw.find("'", i + 1)
            end = n if end < 0 else end
            out.append(raw[i + 1 : end])
            i = end + 1
        elif c == '"':
            i, dq_static = _double_quoted(raw, i + 1, out)
            static = static and dq_static
        elif c == "$" and raw.startswith("$'", i):
            i, ansi_static = _ansi_c(raw, i + 2, out)
            static = static and ansi_static
        elif c == "$" and raw.startswith('$"', i):
            i, dq_static = _double_quoted(raw, i + 2, out)
            static = static and dq_static
        elif c == "$" and i + 1 < n and _EXPANSION_START.match(raw, i + 1):
            static = False
            i += 1
        elif c == "`" or (c in "<>" and raw.startswith("(", i + 1)):
            static = False
            out.append(c)
            i += 1
        else:
            # A lone `[` (the test command) is literal: bash needs a closing `]` to glob.
            glob = glob or c in "*?" or (c == "[" and "]" in raw[i + 1 :])
            out.append(c)
            i += 1
    # Built directly, as safesh.model builds a Word: one per word that is not plain.
    meaning: WordMeaning = object.__new__(WordMeaning)
    state = meaning.__dict__
    state["text"] = "".join(out) if static else raw
    state["static"] = static
    state["glob"] = glob
    return meaning


def _double_quoted(raw: str, i: int, out: list[str]) -> tuple[int, bool]:
    """Read a "…" body from `i` (after the quote); return the index after the closing quote."""
    static = True
    n = len(raw)
    while i < n:
        c = raw[i]
        if c == '"':
            return i + 1, static
        if c == "\\" and i + 1 < n and raw[i + 1] in _DQUOTE_ESCAPABLE:
            if raw[i + 1] != "\n":
                out.append(raw[i + 1])
            i += 2
            continue
        if c == "`" or (c == "$" and i + 1 < n and _EXPANSION_START.match(raw, i + 1)):
            static = False
        out.append(c)
        i += 1
    return n, static


def _ansi_c(raw: str, i: int, out: list[str]) -> tuple[int, bool]:
    """Decode a $'…' body from `i`. Escapes we do not decode make the word non-static, so an
    obfuscated command name is never taken for a harmless one."""
    static = True
    n = len(raw)
    while i < n:
        c = raw[i]
        if c == "'":
            return i + 1, static
        if c != "\\" or i + 1 >= n:
            out.append(c)
            i += 1
            continue
        e = raw[i + 1]
        if e in _ANSI_SIMPLE:
            out.append(_ANSI_SIMPLE[e])
            i += 2
        elif e in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[e]
            digits = re.match(f"[0-9A-Fa-f]{{1,{width}}}", raw[i + 2 :])
            if digits is None:
                out.append("\\" + e)
                i += 2
            else:
                out.append(_chr(int(digits.group(), 16)))
                static = static and int(digits.group(), 16) != 0
                i += 2 + len(digits.group())
        elif e in "01234567":
            digits = re.match(r"[0-7]{1,3}", raw[i + 1 :])
            assert digits is not None
            value = int(digits.group(), 8)
            out.append(_chr(value))
            static = static and value != 0
            i += 1 + len(digits.group())
        else:  # \cX control characters and unknown escapes: not worth guessing
            static = False
            out.append("\\" + e)
            i += 2
    return n, static


def _chr(code: int) -> str:
    return chr(code) if code <= 0x10FFFF else "\ufffd"


_ASSIGNMENT = later(r"([A-Za-z_][A-Za-z_0-9]*)(\[[^\]]*\])?(\+?)=")


def split_assignment(raw: str) -> tuple[str, int] | None:
    """`NAME=value` -> (NAME, offset of value). `NAME+=v` and `NAME[i]=v` keep only NAME."""
    match = _ASSIGNMENT.match(raw)
    if match is None:
        return None
    return match.group(1), match.end()


_PLAIN_WORD = later(r"[\w./:=+,%@^~{}-]+", re.ASCII)


def may_hold_commands(raw: str) -> bool:
    """Whether the word `raw` could contain a command substitution (`$(…)`, backticks) or a
    process substitution (`<(…)`, `>(…)`): none can be written without these characters."""
    return "$" in raw or "`" in raw or "(" in raw


def make_word(source: str, start: int, end: int, *, nested: bool = False) -> Word:
    """A Word for source[start:end]. `nested` says the front-end found a command inside it
    (which makes it dynamic even when our scanner would not have seen why)."""
    return word_of(source[start:end], start, end, nested)


def word_of(raw: str, start: int, end: int, nested: bool) -> Word:
    """make_word for a caller that has sliced `raw` (source[start:end]) already."""
    if not nested and _PLAIN_WORD.fullmatch(raw):
        # No quote, escape, expansion, glob or parenthesis: the word is its own text (most
        # words are; word_meaning would read each character to say so).
        return new_plain_word(raw, start, end)
    meaning = word_meaning(raw)
    span = new_span(start, end)
    if raw.startswith("(") and raw.endswith(")"):  # array value: keep elements as written
        return new_word(raw, raw, span, meaning.static and not nested, meaning.glob)
    if nested and meaning.static:
        return new_word(raw, raw, span, False, meaning.glob)
    return new_word(meaning.text, raw, span, meaning.static, meaning.glob)


def heredoc_delimiter(raw: str) -> tuple[str, bool]:
    """The delimiter bash looks for and whether any part of it was quoted (no expansion)."""
    quoted = any(c in raw for c in "'\"\\")
    return word_meaning(raw).text if quoted else raw, quoted


def strip_leading_tabs(body: str) -> str:
    return "".join(line.lstrip("\t") for line in body.splitlines(keepends=True))


@frozen
class Ctx:
    """What surrounds the node being walked.

    `pipeline` is inherited by commands directly inside a compound that is itself one element
    of a pipeline (`curl … | (cd /; sh)`): `sh` reads the pipe. `redirects` are redirections on
    enclosing compounds (`{ a; b; } > f`), which apply to every command inside.
    """

    nesting: tuple[str, ...] = ()
    pipeline: tuple[int, int, int] | None = None
    background: bool = False
    redirects: tuple[Redirect, ...] = ()

    def nest(self, name: str) -> Ctx:
        return _ctx((*self.nesting, name), self.pipeline, self.background, self.redirects)

    def substitution(self, name: str) -> Ctx:
        """The context of a $(…)/<(…) body: its own pipelines, same background/redirects."""
        return _ctx((*self.nesting, name), None, self.background, self.redirects)

    def in_pipeline(self, pipeline: tuple[int, int, int]) -> Ctx:
        """The context of one element of a pipeline."""
        return _ctx(self.nesting, pipeline, self.background, self.redirects)


def _ctx(
    nesting: tuple[str, ...],
    pipeline: tuple[int, int, int] | None,
    background: bool,
    redirects: tuple[Redirect, ...],
) -> Ctx:
    """Ctx(…every field in order…) without the record's __init__ (see safesh.model's
    builders): a long script derives one per compound command and pipeline element."""
    ctx: Ctx = object.__new__(Ctx)
    state = ctx.__dict__
    state["nesting"] = nesting
    state["pipeline"] = pipeline
    state["background"] = background
    state["redirects"] = redirects
    return ctx


@mutable
class Builder:
    """Collects commands for one parse call (local to that call, never shared)."""

    commands: list[SimpleCommand] = field(default_factory=list)
    functions: list[str] = field(default_factory=list)
    next_pipeline: int = 0

    def new_pipeline(self) -> int:
        pid = self.next_pipeline
        self.next_pipeline += 1
        return pid

    def emit(
        self,
        ctx: Ctx,
        argv: list[Word],
        assignments: list[tuple[str, Word]],
        redirects: list[Redirect],
        span: Span,
    ) -> None:
        pipeline = ctx.pipeline if ctx.pipeline is not None else (self.new_pipeline(), 0, 1)
        # Built directly (safesh.model.new_simple_command): a long script has thousands.
        self.commands.append(
            new_simple_command(
                tuple(argv),  # argv
                span,  # span
                tuple(assignments),  # assignments
                (*ctx.redirects, *redirects),  # redirects
                pipeline,  # pipeline
                ctx.nesting,  # nesting
                ctx.background,  # background
            )
        )

    def add_function(self, name: str) -> None:
        if name not in self.functions:
            self.functions.append(name)


_END = itemgetter(1)


def span_of(starts_ends: list[tuple[int, int]]) -> Span:
    # min() of the pairs is the one with the least start (in C, no generator per call).
    return new_span(min(starts_ends)[0], max(map(_END, starts_ends)))
