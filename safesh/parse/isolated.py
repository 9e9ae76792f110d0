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

from safesh.model import ParsedLine
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
            outcome: tuple[object, ...] = ("ok", parse(source))
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
    if isinstance(outcome, tuple) and outcome and outcome[0] == "ok":
        line = outcome[1]
        if isinstance(line, ParsedLine):
            return line
    if isinstance(outcome, tuple) and len(outcome) == 4 and outcome[0] == "error":
        _, message, position, incomplete = outcome
        raise FrontendError(str(message), position, incomplete=bool(incomplete))
    raise FrontendError("tree-sitter ended without an answer", None)
