"""Lines of plain words, read without a front end.

A plain line is simple commands of plain words joined by `|`, `&&`, `||`, `;` and newlines.
A plain word is letters, digits and `_./:+,-`, and `=` anywhere but in a command's first
word. That rules out quotes, escapes, expansions, globs, braces, tildes, comments,
redirections, background jobs, assignments, compounds and reserved words. For such a line
both front ends give one obvious parse: the words in order, a pipeline id per pipeline in
source order, no nesting. It is built here directly, exactly as they would build it
(tests/test_parse_plain.py compares the three), and named after the front end that reads
such a line first.

Why: bashlex costs tens of microseconds a character, so even `git add . && git commit` pays
more for parsing than for judging. Above LARGE_INPUT tree-sitter runs in a forked child, and
walking its tree and sending the result back costs more than judging a long `a | b | …`.
An `eval` re-reads its words at each level of `eval eval …`.

May import `safesh.model`, `safesh.lazy_re` and the standard library.
"""

from __future__ import annotations

from safesh.lazy_re import later, re
from safesh.model import (
    ParsedLine,
    SimpleCommand,
    Word,
    new_plain_word,
    new_simple_command,
    new_span,
)

# Over this many characters tree-sitter reads first (see safesh.parse). It refuses some
# plain words (`a+:`, `==`), so there only letters, digits and `_./-` are taken as plain.
LARGE_INPUT = 8 * 1024

_LINE = later(r"[\w./:+,=|&; \t\n-]+", re.ASCII)
_LARGE_LINE = later(r"[\w./|&; \t\n-]+", re.ASCII)
_SIMPLE_LINE = later(r"[ \t]*[\w./:+,-]+(?:[ \t]+[\w./:+,=-]+)*[ \t]*", re.ASCII)
# A token with the blanks before it (one match per token, not two). Blanks at the very end
# match nothing, which finditer skips, as it skipped them as blanks before.
_TOKEN = later(r"[ \t]*(?:([\w./:+,=-]+)|(&&|\|\||[|;\n])|([^ \t]))", re.ASCII)
_BLANKS = later(r"[^ \t]+")
_ALONE = SimpleCommand.pipeline  # the default: a command in no pipeline
RESERVED = frozenset(
    {
        "if", "then", "else", "elif", "fi", "case", "esac", "for", "select", "while", "until",
        "do", "done", "in", "function", "time", "coproc",
    }
)  # fmt: skip


def parse_plain(source: str) -> ParsedLine | None:
    """The parse of a plain line (see the module docstring), or None for any other line."""
    large = len(source) > LARGE_INPUT
    if (_LARGE_LINE if large else _LINE).fullmatch(source) is None:
        return None
    frontend = "tree-sitter" if large else "bashlex"
    if _SIMPLE_LINE.fullmatch(source) is not None:
        words = _words(source)
        if words[0].text in RESERVED:
            return None
        span = new_span(words[0].span.start, words[-1].span.end)
        command = new_simple_command(words, span, (), (), _ALONE, (), False)
        return ParsedLine(source, (command,), frontend)
    commands = _commands(source)
    return None if commands is None else ParsedLine(source, commands, frontend)


def _words(source: str) -> tuple[Word, ...]:
    """The blank-separated words of a one-command line."""
    if "\t" in source or "  " in source or source[0] == " " or source[-1] == " ":
        return tuple(
            new_plain_word(m.group(), m.start(), m.end()) for m in _BLANKS.finditer(source)
        )
    # Single spaces (an `eval` string is its words joined so): no search needed.
    words: list[Word] = []
    start = 0
    for text in source.split(" "):
        end = start + len(text)
        words.append(new_plain_word(text, start, end))
        start = end + 1
    return tuple(words)


def _commands(source: str) -> tuple[SimpleCommand, ...] | None:
    """The simple commands of a plain line with operators; None where the line is not a
    complete, well-formed plain list (an operator with no command before or after it, a
    lone `&`, `;;`, a line break right after `|`, `&&` or `||`)."""
    built: list[SimpleCommand] = []
    pipeline: list[tuple[Word, ...]] = []  # the commands of the pipeline being read
    words: list[Word] = []  # the words of the command being read
    after = ";"  # the last operator: ";" also for the start and a line break
    next_id = 0
    for match in _TOKEN.finditer(source):
        word, operator = match.group(1, 2)
        if word is not None:
            if not words and ("=" in word or word in RESERVED):
                return None  # an assignment, or a compound: the front ends decide
            start, end = match.span(1)
            words.append(new_plain_word(word, start, end))
            continue
        if operator is None:
            return None  # a stray character (every match is a word, an operator or one)
        if not words:
            if operator == "\n" and after == ";":
                continue  # an empty line
            return None
        pipeline.append(tuple(words))
        words = []
        after = ";" if operator == "\n" else operator
        if operator == "|":
            continue
        next_id = _emit(built, pipeline, next_id)
        pipeline = []
    if not words:
        if after != ";" or not built:
            return None  # the line ends inside a pipeline or an and-or list
        return tuple(built)
    pipeline.append(tuple(words))
    _emit(built, pipeline, next_id)
    return tuple(built)


def _emit(built: list[SimpleCommand], pipeline: list[tuple[Word, ...]], pipe_id: int) -> int:
    """Add the commands of one pipeline; the next pipeline's id."""
    length = len(pipeline)
    for index, argv in enumerate(pipeline):
        span = new_span(argv[0].span.start, argv[-1].span.end)
        built.append(new_simple_command(argv, span, (), (), (pipe_id, index, length), (), False))
    return pipe_id + 1
