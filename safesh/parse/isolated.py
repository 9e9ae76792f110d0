"""Running a native parser where its crash cannot take safesh down with it.

tree-sitter is C code. A crash inside it (seen twice under hypothesis in the suite, never
reproduced on demand) would kill the whole process: a hook would exit by a signal with no
answer, and every agent then runs the command. So the tree-sitter front-end runs in a forked
child; the child sends its result back through a pipe, and a child that dies, or sends
nothing readable, becomes a `FrontendError`: the line is not understood, which asks a human.

Forking costs about a millisecond, and tree-sitter only runs where bashlex cannot parse or for
large inputs, so ordinary lines never pay it.

May import the standard library, `safesh.model` and `safesh.parse.words`; never a later stage.
"""

from __future__ import annotations

import os
import pickle  # nosec: only ever loads bytes this process's own fork wrote a moment ago
from collections.abc import Callable

from safesh.model import (
    ParsedLine,
    Redirect,
    SimpleCommand,
    Word,
    new_simple_command,
    new_span,
    new_word,
)
from safesh.parse.words import FrontendError


def parse_in_child(parse: Callable[[str], ParsedLine], source: str) -> ParsedLine:
    """`parse(source)` run in a forked child. Its ParsedLine or FrontendError comes back as
    if called here; any other way the child ends is a FrontendError."""
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError as error:
        os.close(read_end)
        os.close(write_end)
        raise FrontendError(f"tree-sitter not run: cannot fork ({error})", None) from None
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _child(parse, source, write_end)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    status = _wait(pid)
    if status is not None and os.WIFSIGNALED(status):
        signal_number = os.WTERMSIG(status)
        raise FrontendError(f"tree-sitter crashed (signal {signal_number})", None)
    return _result(data)


def _child(parse: Callable[[str], ParsedLine], source: str, write_end: int) -> None:
    code = 0
    try:
        try:
            outcome: tuple[object, ...] = ("ok", _encode(parse(source)))
        except FrontendError as error:
            outcome = ("error", error.message, error.position, error.incomplete)
        except BaseException as error:  # reported to the parent, which fails closed on it
            outcome = ("error", f"tree-sitter failed: {type(error).__name__}", None, False)
        data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(data)
        while view:
            view = view[os.write(write_end, view) :]
    except BaseException:
        code = 1
    finally:
        os._exit(code)  # no atexit handlers, no flushing of the parent's buffers


def _wait(pid: int) -> int | None:
    """The child's exit status, or None where it cannot be had (SIGCHLD ignored: reaped)."""
    while True:
        try:
            return os.waitpid(pid, 0)[1]
        except InterruptedError:
            continue
        except ChildProcessError:
            return None


def _result(data: bytes) -> ParsedLine:
    try:
        outcome = pickle.loads(data)  # nosec: written by our own child, see the import
    except Exception:
        raise FrontendError("tree-sitter ended without an answer", None) from None
    if isinstance(outcome, tuple) and len(outcome) == 2 and outcome[0] == "ok":
        try:
            return _decode(outcome[1])
        except Exception:
            raise FrontendError("tree-sitter ended without an answer", None) from None
    if isinstance(outcome, tuple) and len(outcome) == 4 and outcome[0] == "error":
        _, message, position, incomplete = outcome
        raise FrontendError(str(message), position, incomplete=bool(incomplete))
    raise FrontendError("tree-sitter ended without an answer", None)


# -- the answer in transit -----------------------------------------------------------------------
#
# The ParsedLine travels as nested tuples of strings, numbers and booleans, not as records:
# pickle writes and reads those in C, where each record cost a Python call each way (its
# __getstate__ here, its class and __dict__ there): for a 64 KB script, about as long as
# walking its tree. A redirect that several commands share (`{ a; b; } > f`) travels once.

_EncodedWord = tuple[str, str, int, int, bool, bool]
_EncodedRedirect = tuple[str, _EncodedWord | None, int, int, int | None, str | None, bool]
_EncodedCommand = tuple[
    tuple[_EncodedWord, ...],  # argv
    int,  # span start
    int,  # span end
    tuple[tuple[str, _EncodedWord], ...],  # assignments
    tuple[int, ...],  # redirects, by their place in the line's redirects
    tuple[int, int, int],  # pipeline
    tuple[str, ...],  # nesting
    bool,  # background
]
_EncodedLine = tuple[
    str, str, tuple[str, ...], tuple[_EncodedRedirect, ...], tuple[_EncodedCommand, ...]
]


def _encode(line: ParsedLine) -> _EncodedLine:
    redirects: list[_EncodedRedirect] = []
    index: dict[int, int] = {}  # id(Redirect) -> its place in `redirects`
    commands: list[_EncodedCommand] = []
    for simple in line.commands:
        places = []
        for redirect in simple.redirects:
            place = index.get(id(redirect))
            if place is None:
                place = index[id(redirect)] = len(redirects)
                redirects.append(_encode_redirect(redirect))
            places.append(place)
        commands.append(
            (
                tuple(map(_encode_word, simple.argv)),
                simple.span.start,
                simple.span.end,
                tuple((name, _encode_word(value)) for name, value in simple.assignments),
                tuple(places),
                simple.pipeline,
                simple.nesting,
                simple.background,
            )
        )
    return (line.source, line.frontend, line.functions, tuple(redirects), tuple(commands))


def _encode_word(word: Word) -> _EncodedWord:
    return (word.text, word.raw, word.span.start, word.span.end, word.static, word.glob)


def _encode_redirect(redirect: Redirect) -> _EncodedRedirect:
    target = None if redirect.target is None else _encode_word(redirect.target)
    span = redirect.span
    return (redirect.op, target, span.start, span.end, redirect.fd, redirect.heredoc,
            redirect.heredoc_quoted)  # fmt: skip


def _decode(data: _EncodedLine) -> ParsedLine:
    """The ParsedLine `_encode` sent, rebuilt (anything else that arrives raises)."""
    source, frontend, functions, encoded_redirects, encoded_commands = data
    redirects = [_decode_redirect(*r) for r in encoded_redirects]
    commands: list[SimpleCommand] = []
    for argv, start, end, assignments, places, pipeline, nesting, background in encoded_commands:
        commands.append(
            new_simple_command(
                tuple([new_word(t, r, new_span(s, e), st, g) for t, r, s, e, st, g in argv]),
                new_span(start, end),
                tuple([(name, _decode_word(*value)) for name, value in assignments])
                if assignments
                else (),
                tuple([redirects[place] for place in places]) if places else (),
                pipeline,
                nesting,
                background,
            )
        )
    return ParsedLine(source, tuple(commands), frontend, functions)


def _decode_word(text: str, raw: str, start: int, end: int, static: bool, glob: bool) -> Word:
    return new_word(text, raw, new_span(start, end), static, glob)


def _decode_redirect(
    op: str,
    target: _EncodedWord | None,
    start: int,
    end: int,
    fd: int | None,
    heredoc: str | None,
    quoted: bool,
) -> Redirect:
    word = None if target is None else _decode_word(*target)
    return Redirect(op, word, new_span(start, end), fd, heredoc, quoted)
