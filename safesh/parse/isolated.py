"""Running a native parser where its crash cannot take safesh down with it.

tree-sitter is C code. A crash inside it (seen twice under hypothesis in the suite, never
reproduced on demand) would kill the whole process: a hook would exit by a signal with no
answer, and every agent then runs the command. So the tree-sitter front-end runs in a forked
child; the child sends its result back through a pipe, and a child that dies, or sends
nothing readable, becomes a `FrontendError`: the line is not understood, which asks a human.

tree-sitter only runs where bashlex cannot parse or for large inputs, so ordinary lines never
pay for the child; a process that judges many lines keeps its child for the next one.

May import the standard library, `safesh.model` and `safesh.parse.words`; never a later stage.
"""

from __future__ import annotations

import _thread
import os
import pickle  # nosec: only ever loads bytes this process's own fork wrote a moment ago
import signal
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
    if called here; any other way the child ends is a FrontendError.

    The child stays for the next line (a process that judges many lines, `safesh.check` in
    an agent framework, forks once, not per line: a fork and its exit cost some 2 ms, twenty
    times the parse of a short line). A child that answered is idle again; one that died,
    or whose caller gave up on it mid-answer, is never asked again."""
    worker = _POOL.take(parse)
    if worker is None:
        worker = _Worker.start(parse)
    answered = False
    try:
        data = worker.ask(source.encode("utf-8", "surrogatepass"))
        if data is None:
            worker.close()
            status = worker.reap()
            if status is not None and os.WIFSIGNALED(status):
                signal_number = os.WTERMSIG(status)
                raise FrontendError(f"tree-sitter crashed (signal {signal_number})", None)
            raise FrontendError("tree-sitter ended without an answer", None)
        answered = True
    finally:
        if answered:
            _POOL.give_back(worker)
        else:
            worker.retire()
    return _result(data)


_LENGTH = 8  # bytes of the length before each message on the pipes (big-endian)
_IDLE_KEPT = 2  # idle children kept per process: a judge thread abandoned mid-line holds one


class _Worker:
    """One forked child that runs `parse` on each source sent to it, until its pipe closes."""

    def __init__(self, parse: Callable[[str], ParsedLine], pid: int, ask: int, hear: int):
        self.parse = parse
        self.pid = pid
        self._ask = ask  # the parent's write end of the child's requests
        self._hear = hear  # the parent's read end of its answers
        self.owner = os.getpid()

    @classmethod
    def start(cls, parse: Callable[[str], ParsedLine]) -> _Worker:
        requests_read, requests_write = os.pipe()
        answers_read, answers_write = os.pipe()
        try:
            pid = os.fork()
        except OSError as error:
            for fd in (requests_read, requests_write, answers_read, answers_write):
                os.close(fd)
            raise FrontendError(f"tree-sitter not run: cannot fork ({error})", None) from None
        if pid == 0:  # the child: never returns
            os.close(requests_write)
            os.close(answers_read)
            _serve(parse, requests_read, answers_write)
        os.close(requests_read)
        os.close(answers_write)
        return cls(parse, pid, requests_write, answers_read)

    def ask(self, source: bytes) -> bytes | None:
        """The child's answer to `source`, or None when it ended without one."""
        try:
            _write_all(self._ask, len(source).to_bytes(_LENGTH, "big") + source)
        except OSError:  # it is gone (EPIPE): its status says how
            return None
        head = _read_exactly(self._hear, _LENGTH)
        if head is None:
            return None
        return _read_exactly(self._hear, int.from_bytes(head, "big"))

    def close(self) -> None:
        """Close this process's ends of the pipes: the child reads the end and exits."""
        for fd in (self._ask, self._hear):
            if fd >= 0:
                os.close(fd)
        self._ask = self._hear = -1

    def reap(self) -> int | None:
        return _wait(self.pid)

    def retire(self) -> None:
        """Never ask this child again, and end it: it may still be parsing a line its caller
        gave up on (a deadline, Ctrl-C), and is not waited for."""
        self.close()
        try:
            done, _status = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:  # already reaped (SIGCHLD ignored): its pid is not ours
            return
        if done == 0:  # still running, and not reaped, so the pid is still this child's
            os.kill(self.pid, signal.SIGKILL)
            self.reap()


class _Pool:
    """The idle children of this process, by the parse function they run. Children inherited
    through a fork belong to the parent: the forked process forgets them (`forget`)."""

    def __init__(self) -> None:
        self._lock = _thread.allocate_lock()
        self._idle: list[_Worker] = []

    def take(self, parse: Callable[[str], ParsedLine]) -> _Worker | None:
        with self._lock:
            for index, worker in enumerate(self._idle):
                if worker.parse is parse and worker.owner == os.getpid():
                    return self._idle.pop(index)
        return None

    def give_back(self, worker: _Worker) -> None:
        with self._lock:
            self._idle.append(worker)
            surplus = self._idle[:-_IDLE_KEPT]
            del self._idle[:-_IDLE_KEPT]
        for old in surplus:
            old.retire()

    def forget(self) -> None:
        """In a forked process: the parent's idle children are not this process's to ask."""
        self._lock = _thread.allocate_lock()  # a lock held at the fork stays held here
        idle, self._idle = self._idle, []
        for worker in idle:
            worker.close()


_POOL = _Pool()
os.register_at_fork(after_in_child=_POOL.forget)


def _serve(parse: Callable[[str], ParsedLine], requests: int, answers: int) -> None:
    """The child: answer each source read from `requests` on `answers`, until the parent
    closes its end (or dies)."""
    code = 0
    try:
        # Ctrl-C at a terminal reaches the whole process group: the parent handles it.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _keep_only(requests, answers)
        while True:
            head = _read_exactly(requests, _LENGTH)
            if head is None:
                break
            data = _read_exactly(requests, int.from_bytes(head, "big"))
            if data is None:
                break
            source = data.decode("utf-8", "surrogatepass")
            answer = pickle.dumps(_outcome(parse, source), protocol=pickle.HIGHEST_PROTOCOL)
            _write_all(answers, len(answer).to_bytes(_LENGTH, "big") + answer)
    except BaseException:
        code = 1
    finally:
        os._exit(code)  # no atexit handlers, no flushing of the parent's buffers


def _keep_only(*pipes: int) -> None:
    """Let go of every other file the parent had open: this child outlives the line it was
    forked for, and must not hold the parent's output (a reader waits for its end), sockets
    or store open after the parent is done with them."""
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    low = 3
    for keep in sorted(set(pipes)):
        os.closerange(low, keep)
        low = keep + 1
    os.closerange(low, os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 65536)


def _outcome(parse: Callable[[str], ParsedLine], source: str) -> tuple[object, ...]:
    try:
        return ("ok", _encode(parse(source)))
    except FrontendError as error:
        return ("error", error.message, error.position, error.incomplete)
    except BaseException as error:  # reported to the parent, which fails closed on it
        return ("error", f"tree-sitter failed: {type(error).__name__}", None, False)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _read_exactly(fd: int, size: int) -> bytes | None:
    """`size` bytes from `fd`, or None if it ends first."""
    parts: list[bytes] = []
    left = size
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


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
