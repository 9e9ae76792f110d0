"""Fail closed at the edge: whatever goes wrong while a front end judges a line, the caller gets
a refusal in its own format, never a crash, an empty answer or exit status 1.

A front end runs its work through `guarded(compute, on_fault)`:
- any exception, `SystemExit` and `KeyboardInterrupt` included, becomes `on_fault(error)`;
- the signals that would end the process (SIGINT, SIGTERM, SIGHUP, SIGQUIT, ...) raise
  `Interrupted` while the work runs, so they too become the fault answer; once the answer is
  decided they are ignored, so writing it cannot be cut short;
- `write_answer` writes bytes straight to the file descriptors, turning text that UTF-8 cannot
  carry (lone surrogates, undecodable argv bytes) into visible escapes, and reports an output
  that cannot be written (closed stdout) instead of raising.

Agents run the command when their hook crashes, times out or prints nothing readable, and a
shell caller reads exit status 1 as "the command failed", not "safesh refused it": both are
why this module exists. Imports only the standard library at module level, so it still works
when the rest of safesh cannot be imported (`safesh.__main__` uses it as the last resort); the
agents' answer formats (`safesh.agents.protocols`) and the subcommand table are imported only
inside `last_resort`, and their failure there still ends in a deny.
"""

import os
import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    import signal
    from collections.abc import Callable
    from typing import TypeVar

    T = TypeVar("T")
else:
    # The C module: `signal` builds enums (enum costs ~2 ms of every command's start-up), and
    # `contextlib` / `collections.abc` would load `collections` and `functools` as well.
    import _signal as signal

# Signals whose default action ends the process and that a handler can catch. SIGPIPE is not
# here: Python ignores it, so a closed pipe is an OSError on write, handled by write_answer.
FATAL_SIGNALS: tuple[int, ...] = tuple(
    getattr(signal, name)
    for name in (
        "SIGINT",
        "SIGTERM",
        "SIGHUP",
        "SIGQUIT",
        "SIGALRM",
        "SIGUSR1",
        "SIGUSR2",
        "SIGXCPU",
        "SIGXFSZ",
        "SIGVTALRM",
        "SIGPROF",
    )
    if hasattr(signal, name)
)


class Interrupted(BaseException):  # like KeyboardInterrupt: a signal, not an error
    """A fatal signal arrived while a line was being judged."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"interrupted by {_signal_name(signum)}")
        self.signum = signum


class Answer:
    """Exactly what the process writes and how it exits. (A plain immutable class, not a
    dataclass: this module is on every command's start-up path, where creating a dataclass
    costs more than the judge's round trip.)"""

    __slots__ = ("exit_code", "stderr", "stdout")
    stdout: bytes
    stderr: bytes
    exit_code: int

    def __init__(self, stdout: bytes, stderr: bytes, exit_code: int) -> None:
        object.__setattr__(self, "stdout", stdout)
        object.__setattr__(self, "stderr", stderr)
        object.__setattr__(self, "exit_code", exit_code)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Answer is immutable: cannot set {name}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Answer):
            return NotImplemented
        return (self.stdout, self.stderr, self.exit_code) == (
            other.stdout,
            other.stderr,
            other.exit_code,
        )

    def __hash__(self) -> int:
        return hash((self.stdout, self.stderr, self.exit_code))

    def __repr__(self) -> str:
        return f"Answer(stdout={self.stdout!r}, stderr={self.stderr!r}, exit_code={self.exit_code})"


class _Alarm:
    """Turns the first fatal signal into `Interrupted` while armed; a no-op once disarmed."""

    def __init__(self) -> None:
        self.armed = True

    def fire(self, signum: int, _frame: object) -> None:
        if self.armed:
            self.armed = False  # at most one raise, so a fault answer is never cut short
            raise Interrupted(signum)


def _signals_raise(enabled: bool) -> "_Alarm":
    alarm = _Alarm()
    if not enabled:
        return alarm
    for signum in FATAL_SIGNALS:
        # Not in the main thread (tests), or a signal the platform reserves: keep going; the
        # exception paths are still guarded.
        try:
            # A signal the caller ignores (`nohup` ignores SIGHUP) cannot end this process and
            # must stay ignored for the command exec'd after judging.
            if signal.getsignal(signum) != signal.SIG_IGN:
                signal.signal(signum, alarm.fire)
        except (ValueError, OSError):
            pass
    return alarm


def guarded(
    compute: "Callable[[], T]",
    on_fault: "Callable[[BaseException], T]",
    *,
    signals: bool = True,
) -> "T":
    """`compute()`, or `on_fault(error)` for any exception or fatal signal on the way.

    With `signals`, the fatal signals stay caught (and ignored) after this returns: the answer
    is decided, and the process only has to write it and exit.
    """
    alarm = _signals_raise(signals)
    try:
        try:
            return compute()
        finally:
            alarm.armed = False
    except BaseException as error:  # every fault, SystemExit and signals included
        return on_fault(error)


def describe(error: BaseException) -> str:
    """`KeyError: 'x'`, one line, short, safe to print anywhere."""
    if isinstance(error, Interrupted):
        return str(error)
    if isinstance(error, KeyboardInterrupt):
        return "interrupted (Ctrl-C)"
    text = " ".join(str(error).split())[:200]
    name = type(error).__name__
    return printable(f"{name}: {text}" if text else name)


def printable(text: str) -> str:
    """`text` with everything UTF-8 cannot encode (lone surrogates, the surrogate-escaped bytes
    of undecodable input) shown as backslash escapes, so writing it can never fail."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def write_answer(answer: "Answer") -> int:
    """Write the answer and return the exit status to use. When standard output cannot take
    the answer (closed, broken pipe) the caller reads nothing, so the status must refuse on
    its own: 2, a deny by exit code wherever one exists, unless the answer already refuses."""
    written = _write_all("stdout", answer.stdout)
    _write_all("stderr", answer.stderr)
    _quiet_std_streams()
    if written:
        return answer.exit_code
    _write_all("stderr", b"safesh: could not write the answer to standard output\n")
    return answer.exit_code if answer.exit_code not in (0, 1) else 2


def _write_all(name: str, data: bytes) -> bool:
    """Bytes to sys.stdout / sys.stderr's binary buffer (whatever stands there, a test
    runner's capture included), or straight to file descriptor 1 / 2 when Python has none."""
    if not data:
        return True
    stream = getattr(sys, name)
    try:
        buffer = getattr(stream, "buffer", None)
        if buffer is not None:
            stream.flush()  # what was written as text before comes first
            buffer.write(data)
            buffer.flush()
            return True
        fd = 1 if name == "stdout" else 2
        while data:
            data = data[os.write(fd, data) :]
    except Exception:
        return False
    return True


def _quiet_std_streams() -> None:
    """Flush Python's own stdout/stderr now; if that fails (closed pipe), point them at
    /dev/null so the interpreter's flush at exit cannot turn the exit status into 120."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None:
            continue
        try:
            stream.flush()
        except Exception:
            try:  # noqa: SIM105 - contextlib is not loaded on the start-up path
                setattr(sys, name, open(os.devnull, "w"))  # noqa: SIM115 - lives until exit
            except OSError:
                pass


def settle_std_streams() -> bool:
    """Flush Python's stdout; False when it cannot be written (the caller then refuses).
    Either way the interpreter's own flush at exit can no longer fail."""
    ok = True
    stream = sys.stdout
    if stream is not None:
        try:
            stream.flush()
        except Exception:
            ok = False
    _quiet_std_streams()
    return ok


def tolerant_std_streams() -> None:
    """Let stdout and stderr carry any text (escaping what UTF-8 cannot encode) and read
    stdin bytes that are not UTF-8 as they are (surrogate escapes), before anything is
    written or read."""
    for stream, errors in (
        (sys.stdout, "backslashreplace"),
        (sys.stderr, "backslashreplace"),
        (sys.stdin, "surrogateescape"),
    ):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:  # noqa: SIM105 - contextlib is not loaded on the start-up path
                reconfigure(errors=errors)
            except Exception:
                pass


def _signal_name(signum: int) -> str:
    try:
        import signal as names  # the enum of names, only when a signal arrived

        return names.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def say(text: str) -> None:
    """Write `text` to stderr; never raises (a closed stderr loses the message, not the
    refusal)."""
    _write_all("stderr", printable(text).encode("utf-8"))


def refuse_on_fault(front_end: str, refused_status: int) -> "Callable[[BaseException], int]":
    """The fault answer of a front end that reports by exit status: a line on stderr and the
    refusal status (77), so the caller sees "safesh refused", never "the command failed"."""

    def on_fault(error: BaseException) -> int:
        say(
            f"safesh: {front_end}: could not judge this command ({describe(error)}), so it was "
            "NOT run. This is a safety stop, not a verdict; `safesh doctor` checks the set-up.\n"
        )
        return refused_status

    return on_fault


def last_resort(argv: list[str], error: BaseException, refused_status: int = 77) -> int:
    """For a fault outside every front end's own guard (safesh itself cannot be imported, say):
    the hook still answers with a deny, judging front ends still refuse. Management
    subcommands (approvals, log, ...) keep Python's own report: the error is re-raised."""
    first = argv[0] if argv else ""
    if first == "hook":
        return _hook_last_resort(argv[1] if len(argv) > 1 else "", error)
    if first != "check" and _is_management_subcommand(first):
        raise error
    return refuse_on_fault("safesh", refused_status)(error)


def _is_management_subcommand(name: str) -> bool:
    try:
        from safesh.cli.subcommands import SUBCOMMANDS
    except BaseException:
        return False
    return name in SUBCOMMANDS


def _hook_last_resort(agent_name: str, error: BaseException) -> int:
    try:
        from safesh.agents.protocols import canonical_agent, encode_response, error_reason

        response = encode_response(
            canonical_agent(agent_name), "block", error_reason(describe(error))
        )
        stdout, stderr = printable(response.stdout), printable(response.stderr)
        return write_answer(Answer(stdout.encode(), stderr.encode(), response.exit_code))
    except BaseException as second:
        say(f"safesh hook: could not judge this command ({describe(second)}); denied\n")
        return 2
