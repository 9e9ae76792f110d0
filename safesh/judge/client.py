"""The thin client: hand a line (or a hook payload) to the resident judge and relay its answer.

Imports almost nothing (os, sys, marshal, _socket and `protocol`), so `safesh -c true`
costs little more than the interpreter's start. Every failure of the judge (none running,
another user's socket, an old version, a crash, a late or malformed reply) returns None and
the caller judges in its own process, exactly as without a judge; never an allow. A judge
that is not running is started in the background for the next command.

An agent's `safesh -c COMMAND` (no terminal) is sent first thing (`send_early`, from the
program's entry point), so the judge works on it while this process loads the rest of the
front end; the front end then reads that reply if its own request is the same, and sends its
own otherwise.

SAFESH_DAEMON=off (or 0) keeps everything in-process.
"""

import os
import sys

from safesh.judge import protocol

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from _socket import socket
    from collections.abc import Callable

    from safesh.cli.bashline import Invocation

DISABLE_ENV = "SAFESH_DAEMON"
# Room for the judge's audit record and reply after its deadline, before the client stops
# waiting and answers from its own process with what is left of the budget.
REPLY_MARGIN_SECONDS = 1.0
CONNECT_TIMEOUT_SECONDS = 0.5


def enabled() -> bool:
    return os.environ.get(DISABLE_ENV, "").lower() not in {"0", "off", "no", "false"}


class Sent:
    """A request on its way to the judge, its reply not read yet."""

    __slots__ = ("connection", "request", "stamp")

    def __init__(self, connection: "socket", request: dict[str, object], stamp: str) -> None:
        self.connection = connection
        self.request = request  # as the caller built it (before cwd, env and budget)
        self.stamp = stamp

    def close(self) -> None:
        self.connection.close()


def ask(
    request: dict[str, object],
    budget_seconds: float,
    start: bool = True,
    meanwhile: "Callable[[], object] | None" = None,
    sent: Sent | None = None,
) -> dict[str, object] | None:
    """The judge's reply to `request`, or None (judge in-process). Starts a judge when none
    is listening (unless `start` is False). `meanwhile` runs once the request is sent, while
    the judge works on it (what the caller needs after the reply; its failure is ignored).
    `sent`: the same request sent earlier (`send_early`), whose reply is read instead; one
    for anything but `request` is dropped."""
    if sent is not None and sent.request != request:
        sent.close()
        sent = None
    if sent is None:
        sent = send(request, budget_seconds, start)
        if sent is None:
            return None
    connection = sent.connection
    try:
        if meanwhile is not None:
            _ignoring_faults(meanwhile)
        reply = protocol.receive(connection)
    except (OSError, protocol.ProtocolError, ValueError, TypeError):
        return None
    finally:
        connection.close()
    if reply.get("stamp") != sent.stamp or reply.get("status") not in ("ok", "prompt"):
        if reply.get("status") == "stale" and start:
            start_judge()  # the old one is on its way out; the next command meets the new one
        return None
    return reply


def send(request: dict[str, object], budget_seconds: float, start: bool = True) -> Sent | None:
    """`request` sent to this user's judge, with this process's directory, environment and
    `budget_seconds`; None when no judge of ours took it (one is started, unless `start` is
    False)."""
    if not enabled():
        return None
    try:
        directory = protocol.runtime_dir()
        protocol.ensure_private_dir(directory, create=True)
        path = protocol.socket_path(directory)
    except (protocol.ProtocolError, OSError):
        return None
    connection = _connect(path)
    if connection is None:
        if start:
            start_judge()
        return None
    stamp = protocol.handshake()
    try:
        if protocol.peer_uid(connection) != os.geteuid():
            raise protocol.ProtocolError("someone else's process holds the socket")
        connection.settimeout(budget_seconds + REPLY_MARGIN_SECONDS)
        message = dict(request, protocol=protocol.PROTOCOL, stamp=stamp)
        message.update(cwd=os.getcwd(), env=protocol.environment_table(), budget=budget_seconds)
        protocol.send(connection, message)
    except (OSError, protocol.ProtocolError, ValueError, TypeError):
        connection.close()
        return None
    return Sent(connection, request, stamp)


def _ignoring_faults(work: "Callable[[], object]") -> None:
    try:  # noqa: SIM105 - contextlib is not loaded on the start-up path
        work()
    except Exception:
        pass  # only a head start: the caller does the same again when it needs it


def _connect(path: str) -> "socket | None":
    import _socket

    connection = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    connection.settimeout(CONNECT_TIMEOUT_SECONDS)
    try:
        connection.connect(path)
    except OSError:
        connection.close()
        return None
    return connection


def control(kind: str) -> dict[str, object] | None:
    """`status` or `stop` sent to the running judge (never starts one); None: none answered."""
    return ask({"kind": kind}, 1.0, start=False)


def start_judge() -> None:
    """Start `python -m safesh.judge.server` detached (its own session, stdio on /dev/null),
    unless disabled. Never raises: a judge that fails to start just is not there."""
    if not enabled():
        return
    try:
        child = os.fork()
    except OSError:
        return
    if child:
        try:
            os.waitpid(child, 0)  # the intermediate exits at once; the judge is orphaned
        except OSError:
            return
        return
    try:
        os.setsid()
        if os.fork():
            os._exit(0)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        argv = [sys.executable, "-m", "safesh.judge.server"]
        package_parent = os.path.dirname(protocol._PACKAGE)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (package_parent, env.get("PYTHONPATH", "")) if p
        )
        os.execve(sys.executable, argv, env)
    finally:
        os._exit(0)


# -- the front ends ------------------------------------------------------------------------------

EXIT_REFUSED = 77  # safesh.decide.EXIT_REFUSED, without loading the decision table


def send_early(argv: list[str]) -> Sent | None:
    """The request of `safesh [bash options] -c COMMAND` with no terminal (an agent's
    command), sent to the judge before the rest of the front end loads: the judge works on
    it meanwhile. None when not sent: any other command line, a terminal (a line may need
    a prompt there), no judge; the front end then sends its own. `shell_main` reads the
    reply only when its own request is the same (`ask`)."""
    if not argv or not argv[0].startswith("-") or not enabled():
        return None
    if os.isatty(0) or os.isatty(2):
        return None
    from safesh.cli.bashline import parse_invocation

    inv = parse_invocation(argv)
    if inv.command is None or inv.show_help or inv.show_version or inv.interactive:
        return None
    request = _request(inv, inv.command, _command_args(inv), terminal=False)
    return send(request, protocol.Deadline.from_env().remaining(), start=False)


def shell_main(argv: list[str], early: Sent | None = None) -> int | None:
    """`safesh [bash options] -c …`, `safesh SCRIPT` and commands on stdin, judged by the
    resident judge, else in this process. None (having read nothing) when the full front end
    must handle `argv`: usage errors, help, the interactive shell, a shim's script. Any fault
    is the front end's refusal (safesh.cli.failsafe). `early`: what `send_early` sent."""
    from safesh.cli.bashline import dry_run_requested, parse_invocation

    try:
        inv = parse_invocation(argv)
    except Exception:
        return None  # the full front end reports the usage error
    if inv.show_help or inv.show_version or inv.interactive:
        return None
    interactive = not inv.read_stdin and (sys.stdin is None or sys.stdin.isatty())
    if inv.command is None and inv.script is None and interactive:
        return None  # the interactive shell
    shim_script = inv.command is None and inv.script is not None
    if shim_script and os.environ.get("SAFESH_SHIM_DEPTH") and not dry_run_requested(inv):
        return None  # a shim's script is handed over unjudged by the full front end
    from safesh.cli.failsafe import guarded, refuse_on_fault, settle_std_streams

    code = guarded(lambda: _shell(inv, early), refuse_on_fault("safesh", EXIT_REFUSED))
    if not settle_std_streams() and code == 0:
        return EXIT_REFUSED  # a dry run's report was not delivered
    return code


def _shell(inv: "Invocation", early: Sent | None) -> int:
    from safesh.cli.bashline import bound_argv, dry_run_requested, hand_over, shell_name

    dry_run = dry_run_requested(inv)
    agent_lines = inv.command is not None
    if inv.command is not None:
        source, shell_args = inv.command, _command_args(inv)
    elif inv.script is not None:
        try:
            with open(inv.script, encoding="utf-8", errors="surrogateescape") as handle:
                source = handle.read()
        except OSError as error:
            # Same words and status as bash, so callers see what they would have seen.
            sys.stderr.write(f"safesh: {inv.script}: {error.strerror}\n")
            return 127 if isinstance(error, FileNotFoundError) else 126
        shell_args = [inv.script, *inv.args]
    else:
        from safesh.cli.shell import read_stdin

        source = read_stdin()
        shell_args = ["-c", source, shell_name(), *inv.args]
    deadline = protocol.Deadline.from_env()
    request = _request(inv, source, shell_args, terminal=not dry_run and _terminal())
    # While the judge works: load what handing the line over to bash needs.
    reply = ask(request, deadline.remaining(), meanwhile=_load_execute, sent=early)
    if reply is not None and reply.get("status") == "ok":
        try:
            runs = protocol.flag(reply, "runs")
            stdout, stderr = protocol.text(reply, "stdout"), protocol.text(reply, "stderr")
            status, shell = protocol.integer(reply, "exit"), reply.get("shell")
            if shell is not None and not isinstance(shell, str):
                raise protocol.ProtocolError("'shell' is not text")
        except protocol.ProtocolError:
            pass  # judged below, in this process
        else:
            sys.stdout.write(stdout)
            sys.stderr.write(stderr)
            return hand_over(inv, shell_args, shell) if runs else status
    from safesh.cli.shell import decide_line, finish

    outcome = decide_line(
        source,
        dry_run,
        agent_lines=agent_lines,
        deadline=deadline,
        argv=bound_argv(inv, shell_args),
        leave_store=True,  # finish() execs the command or the program exits
    )
    assert outcome is not None  # may_prompt: a prompt is answered here
    return finish(outcome, inv, shell_args)


def _command_args(inv: "Invocation") -> list[str]:
    """bash's arguments for `-c COMMAND` (after its options)."""
    assert inv.command is not None
    return ["-c", inv.command, *inv.args]


def _request(
    inv: "Invocation", source: str, shell_args: list[str], terminal: bool
) -> dict[str, object]:
    """The judge's request for `source`, run as `shell_args`. `terminal`: a human can answer
    a prompt here."""
    from safesh.cli.bashline import bound_argv, dry_run_requested

    dry_run = dry_run_requested(inv)
    request: dict[str, object] = {"kind": "shell", "source": source, "dry_run": dry_run}
    request["argv"] = list(bound_argv(inv, shell_args))
    request.update(agent_lines=inv.command is not None, terminal=not dry_run and terminal)
    return request


def _load_execute() -> None:
    import safesh.execute  # noqa: F401


def _terminal() -> bool:
    """`terminal_available()`, without loading it when neither stdin nor stderr is a terminal
    (an agent's commands), where its answer is no."""
    if not (os.isatty(0) or os.isatty(2)):
        return False
    from safesh.interactive.prompts import terminal_available

    return terminal_available()


def hook_main(agent_name: str) -> int:
    """`safesh hook AGENT`, judged by the resident judge, else in this process. Reading the
    payload and the round trip are guarded like the in-process hook: any fault or fatal
    signal is a deny in the agent's format."""
    from safesh.cli.failsafe import Answer, guarded, write_answer

    def compute() -> Answer:
        payload = sys.stdin.buffer.read() if sys.stdin is not None else b""
        deadline = protocol.Deadline.from_env()
        reply = ask({"kind": "hook", "agent": agent_name, "raw": payload}, deadline.remaining())
        if reply is not None:
            stdout, stderr = reply.get("stdout"), reply.get("stderr")
            status = reply.get("exit")
            if isinstance(stdout, bytes) and isinstance(stderr, bytes) and type(status) is int:
                return Answer(stdout, stderr, status)
        # What is left of the budget, not a fresh one: the agent is still waiting. (A hook
        # never execs, so the variable goes nowhere else.)
        os.environ[protocol.DEADLINE_ENV] = repr(deadline.remaining())
        from safesh.cli.commands.hook import answer_named

        return answer_named(agent_name, lambda: payload, dict(os.environ))

    def on_fault(error: BaseException) -> Answer:
        from safesh.cli.commands.hook import fault_answer

        return fault_answer(agent_name, error)

    return write_answer(guarded(compute, on_fault))
