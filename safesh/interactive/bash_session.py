"""One persistent real bash behind the interactive shell.

How a line gets to bash, and why:

* bash reads its *commands* from a FIFO that only safesh writes to; its stdout/stderr and the
  commands' stdin are the pty. So nothing the user types while a command runs can ever be read
  by bash as a command line of its own (typeahead, a stray ^C racing the prompt): every line
  bash executes came through `BashSession.run`, after it was judged.
* Each line is sent as ONE line, `... __safesh_c=$'<text>'; if __safesh_go ...; then eval
  "$__safesh_c"; else eval "$__safesh_c"; fi <tty`. The text is ANSI-C quoted, so any text
  (quotes, newlines, heredocs, any length) arrives intact. `eval` at the top level keeps `cd`,
  `export`, aliases, functions and traps in the session; `__safesh_go` restores `$?` and `$_`
  to what the previous line left, and the `if` keeps that restored failure status from
  tripping a user's `set -e`.
* Markers (see `safesh.interactive.relay.MarkerScanner`) are printed to the terminal: `go` when the
  line starts (keystrokes are held until then) and `end` from PROMPT_COMMAND with `$?` and
  `$PWD` when bash is back at its prompt. Each carries the line's serial number, so a
  repeated prompt (a ^C that lands between commands) is recognised as stale.
* PROMPT_COMMAND and the functions are readonly: a line that replaced them would leave
  safesh waiting for a marker that never comes.
* At each prompt bash also reports what it holds for the next line (aliases, functions,
  variables, hash table, `"$@"`) into files only safesh reads; the next line is judged with
  them (`safesh.interactive.state`), so `alias ll='…'` on one line and `ll` on the next is
  judged as what `ll` runs. The directory a line is judged in is bash's own (the kernel's
  record of it), not `$PWD`, which a line may set to anything.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import select
import shlex
import shutil
import stat
import tempfile
import termios
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from safesh.interactive.relay import (
    Event,
    Marker,
    MarkerScanner,
    interrupts_as_keys,
    on_window_change,
    raw_terminal,
    read_available,
    relay,
    write_all,
)
from safesh.interactive.state import ParseMemo, read_state
from safesh.record import frozen

if TYPE_CHECKING:
    from safesh.unwrap.definitions import SessionState

# Options that make bash's startup the user's own; without any, bash starts clean.
DEFAULT_OPTIONS = ("--norc", "--noprofile")
STARTUP_TIMEOUT_S = 30.0


class SessionError(Exception):
    """The bash session could not be started."""


@frozen
class RunResult:
    status: int
    exited: bool  # bash itself ended (`exit`, `exec` of a program that ended, a crash)


def ansi_c_quote(text: str) -> str:
    """`text` as a bash `$'…'` word that yields exactly its UTF-8 bytes, on one line."""
    out = ["$'"]
    for byte in text.encode("utf-8", "surrogateescape"):
        if byte == 0x5C:
            out.append("\\\\")
        elif byte == 0x27:
            out.append("\\'")
        elif 0x20 <= byte < 0x7F:
            out.append(chr(byte))
        else:
            out.append(f"\\x{byte:02x}")  # always two digits: bash reads at most two
    out.append("'")
    return "".join(out)


def bash_arguments(passthrough: Sequence[str]) -> list[str]:
    """bash's argv for the session. `-i` is ours to add; any other option the user gave
    replaces the clean-start defaults (kept in the user's order: `--rcfile FILE`, `-o X`)."""
    options = [option for option in passthrough if option != "-i"] or list(DEFAULT_OPTIONS)
    return ["--noediting", *options, "-i"]


def trigger_line(serial: int, text: str, status: int | None = None) -> bytes:
    """The one line bash reads to run `text` (see the module docstring). `status` replaces the
    `$?` the line sees (a refused line in between never reached bash but has a status)."""
    previous = "$?" if status is None else str(int(status))
    return (
        f"__safesh_s={previous} __safesh_u=$_ __safesh_n={serial} "
        f"__safesh_c={ansi_c_quote(text)}; "
        'if __safesh_go "$__safesh_s" "$__safesh_u"; then eval "$__safesh_c"; '
        'else eval "$__safesh_c"; fi <"$__safesh_tty"\n'
    ).encode("ascii")


def setup_script(
    token: str, tty_path: str, env_file: Path, env_program: str | None, state_dir: Path
) -> str:
    """Sourced once by the session: quiet prompts, markers, the report of its definitions
    (`safesh.interactive.state`), and no history of its own (ours is readline's; `!`
    history expansion would let the line that runs differ from the one judged)."""
    snapshot = (
        f"{shlex.quote(env_program)} -0 >{shlex.quote(str(env_file))} 2>/dev/null || :"
        if env_program
        else ":"
    )
    state = shlex.quote(str(state_dir))
    # `trap -p` runs in PROMPT_COMMAND itself, before the function: inside a function bash
    # hides the DEBUG and ERR traps. `>|` writes even under `set -o noclobber`; `local -`
    # keeps the user's shell options (noglob, xtrace, nounset) out of the report and
    # restores them after it. The names come from `declare -F` (`declare -f NAME` each),
    # which every bash has; `compgen` is missing from a bash built without completion.
    return f"""\
set +o history +H
unset HISTFILE
__safesh_tty={shlex.quote(tty_path)}
__safesh_state() {{
    builtin local __safesh_f __safesh_names IFS=$'\\n' __safesh_d={state}
    builtin local -
    builtin set +xeu -f
    {{ builtin printf '%s\\0' "${{__safesh_n:-0}}" "$#" "$@"; }} >|"$__safesh_d/positional"
    {{ builtin printf '%s\\n' "${{__safesh_n:-0}}"; builtin alias -p; }} >|"$__safesh_d/aliases"
    {{ builtin printf '%s\\n' "${{__safesh_n:-0}}"; builtin declare -p; }} >|"$__safesh_d/variables"
    {{ builtin printf '%s\\n' "${{__safesh_n:-0}}"; builtin hash -l; }} >|"$__safesh_d/hashed"
    {{ builtin printf '%s\\n%s' "${{__safesh_n:-0}}" "$__safesh_t"; }} >|"$__safesh_d/traps"
    __safesh_names=$(builtin declare -F)
    {{
        builtin printf '%s\\0' "${{__safesh_n:-0}}"
        for __safesh_f in $__safesh_names; do
            __safesh_f=${{__safesh_f#declare -* }}
            builtin printf '%s\\0' "$__safesh_f"
            builtin declare -f -- "$__safesh_f"
            builtin printf '\\0'
        done
    }} >|"$__safesh_d/functions"
}} 2>/dev/null
__safesh_prompt() {{
    builtin local __safesh_st=$__safesh_s0
    PS1= PS0=
    {snapshot}
    __safesh_state "$@"
    builtin printf '\\036SAFESH:%s:end:%s:%s:%s\\037' {token} "${{__safesh_n:-0}}" \\
        "$__safesh_st" "$PWD" >/dev/tty
}}
__safesh_go() {{
    builtin printf '\\036SAFESH:%s:go:%s:0:\\037' {token} "$__safesh_n" >/dev/tty
    return "$1"
}}
readonly -f __safesh_prompt __safesh_go __safesh_state
unset PROMPT_COMMAND
PROMPT_COMMAND='__safesh_s0=$? __safesh_t=$(builtin trap -p); __safesh_prompt "$@"'
readonly PROMPT_COMMAND
PS1= PS0=
"""


def read_env_snapshot(path: Path) -> dict[str, str] | None:
    """The session's exported environment as `env -0` wrote it; None if unavailable."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    env: dict[str, str] = {}
    for entry in data.split(b"\0"):
        name, sep, value = entry.partition(b"=")
        if sep and name:
            env[os.fsdecode(name)] = os.fsdecode(value)
    return env or None


class _RunWatch:
    """Follows one line's markers: started at its `go`, finished at its `end`. Markers of
    earlier serials are stale and dropped; events after the `end` are kept for later."""

    def __init__(self, scanner: MarkerScanner, serial: int) -> None:
        self._scanner = scanner
        self._serial = serial
        self.started = False
        self.end: Marker | None = None
        self.leftover: list[Event] = []

    @property
    def finished(self) -> bool:
        return self.end is not None

    def feed(self, data: bytes) -> bytes:
        visible = bytearray()
        for event in self._scanner.feed(data):
            if self.end is not None:
                self.leftover.append(event)
            elif isinstance(event, bytes):
                visible += event
            elif event.serial == self._serial and event.kind == "go":
                self.started = True
            elif event.serial == self._serial and event.kind == "end":
                self.end = event
        return bytes(visible)


class BashSession:
    """The real bash, its FIFO, and what its last prompt reported (status, cwd, env)."""

    def __init__(
        self,
        shell: str,
        passthrough: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        user_in: int | None = 0,
        user_out: int = 1,
    ) -> None:
        import pexpect

        self._user_in = user_in if user_in is not None and os.isatty(user_in) else None
        self._user_out = user_out
        self._token = secrets.token_hex(8)
        self._scanner = MarkerScanner(self._token)
        self._backlog: list[Event] = []
        self._serial = 0
        self._dead = False
        self._status_override: int | None = None
        self.status = 0
        self.cwd = os.getcwd()
        runtime = os.environ.get("XDG_RUNTIME_DIR")
        parent = runtime if runtime and os.path.isdir(runtime) else None
        self._dir = Path(tempfile.mkdtemp(prefix="safesh-", dir=parent))
        self._env_file = self._dir / "env"
        self._state_dir = self._dir / "state"
        self._state_dir.mkdir(mode=0o700)
        self._parse_memo = ParseMemo()
        fifo = self._dir / "commands"
        os.mkfifo(fifo, 0o600)
        # O_RDWR never blocks on a FIFO, and holding a write end means bash's reads wait for
        # us instead of seeing end-of-file.
        self._commands = os.open(fifo, os.O_RDWR)
        self._env = dict(os.environ if env is None else env)

        def commands_on_stdin() -> None:  # runs in the child, after the pty is set up
            fd = os.open(fifo, os.O_RDONLY)
            os.dup2(fd, 0)
            os.close(fd)

        try:
            self._child: Any = pexpect.spawn(
                shell,
                bash_arguments(passthrough),
                env=self._env,
                dimensions=self._terminal_size(),
                preexec_fn=commands_on_stdin,
            )
        except Exception as error:
            self._remove_dir()
            raise SessionError(f"cannot start {shell}: {error}") from error
        self._start()

    # -- what the shell reports -------------------------------------------------------------

    @property
    def env(self) -> dict[str, str]:
        return read_env_snapshot(self._env_file) or dict(self._env)

    def state(self) -> SessionState:
        """What bash holds for the next line (aliases, functions, variables…), as it reported
        at its last prompt; what it could not report is in `problems` (the line then asks)."""
        return read_state(self._state_dir, self._serial, self._parse_memo)

    @property
    def alive(self) -> bool:
        return not self._dead and bool(self._child.isalive())

    # -- running ----------------------------------------------------------------------------

    def set_status(self, status: int) -> None:
        """`$?` for the next line, as if a command that never reached bash exited `status`."""
        self._status_override = status

    def run(self, text: str) -> RunResult:
        """Run `text` in the session, relaying the terminal until bash is back at its prompt."""
        if self._dead:
            return RunResult(self.exit_status(), exited=True)
        self.show_pending()
        self._serial += 1
        watch = _RunWatch(self._scanner, self._serial)
        self._sync_size()
        self._discard_typeahead()
        # Raw mode and the SIGINT handler come first: from here on a ^C is the command's.
        with (
            interrupts_as_keys() as interrupts,
            raw_terminal(self._user_in),
            on_window_change(self._sync_size),
        ):
            write_all(self._commands, trigger_line(self._serial, text, self._status_override))
            self._status_override = None
            ended = relay(
                self._child.child_fd,
                self._user_in,
                self._user_out,
                watch,
                self._is_running,
                interrupts,
            )
        self._backlog.extend(watch.leftover)
        if not ended or watch.end is None:
            self._dead = True
            write_all(self._user_out, self._scanner.flush())
            return RunResult(self.exit_status(), exited=True)
        self.status, self.cwd = watch.end.status, self._checked_cwd(watch.end.cwd)
        return RunResult(self.status, exited=False)

    def show_pending(self) -> None:
        """Show output that arrived while no command was relayed (background jobs)."""
        events, self._backlog = self._backlog, []
        if not self._dead:
            for data in read_available(self._child.child_fd):
                if not data:
                    self._dead = True
                    break
                events.extend(self._scanner.feed(data))
        visible = b"".join(event for event in events if isinstance(event, bytes))
        if visible:
            write_all(self._user_out, visible)

    def exit_status(self) -> int:
        """bash's exit status once it has ended (128+N when killed by signal N)."""
        with contextlib.suppress(Exception):
            self._child.close()
        if self._child.signalstatus is not None:
            return 128 + int(self._child.signalstatus)
        if self._child.exitstatus is not None:
            return int(self._child.exitstatus)
        return self.status

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._child.close(force=True)
        with contextlib.suppress(OSError):
            os.close(self._commands)
        self._remove_dir()

    # -- internals --------------------------------------------------------------------------

    def _start(self) -> None:
        """Source the setup script and wait for the first prompt. Startup output (the user's
        rc files, bash's default prompt) is not shown unless bash dies before its prompt."""
        tty_path = self._slave_path() or "/dev/tty"
        env_program = shutil.which("env", path=self._env.get("PATH", os.defpath))
        script = self._dir / "setup.sh"
        script.write_text(
            setup_script(self._token, tty_path, self._env_file, env_program, self._state_dir)
        )
        write_all(self._commands, f". {shlex.quote(str(script))}\n".encode())
        seen = bytearray()
        waited = 0.0
        while True:
            chunk = list(read_available(self._child.child_fd))
            if any(not data for data in chunk):
                self._dead = True
                write_all(self._user_out, bytes(seen) + b"".join(chunk))
                raise SessionError(
                    f"bash ended before its first prompt (status {self.exit_status()})"
                )
            for event in self._scanner.feed(b"".join(chunk)):
                if isinstance(event, Marker) and event.kind == "end":
                    self.status, self.cwd = event.status, self._checked_cwd(event.cwd)
                    return
                if isinstance(event, bytes):
                    seen += event
            if waited >= STARTUP_TIMEOUT_S:
                self.close()
                raise SessionError("bash did not reach its prompt (a startup file may be waiting)")
            select.select([self._child.child_fd], [], [], 0.1)
            waited += 0.1

    def _checked_cwd(self, reported: str) -> str:
        """The directory bash is in. The marker reports `$PWD`, which a line may set to
        anything (`PWD=/tmp/x` after `cd /`); the kernel's record wins when they differ."""
        try:
            actual = os.readlink(f"/proc/{self._child.pid}/cwd")
        except OSError:
            return reported
        try:
            if os.path.samefile(reported, actual):
                return reported  # the same place, as bash spells it (symlinks kept)
        except OSError:
            pass
        return actual

    def _is_running(self) -> bool:
        return bool(self._child.isalive())

    def _terminal_size(self) -> tuple[int, int]:
        try:
            size = os.get_terminal_size(self._user_out)
        except OSError:
            return (24, 80)
        return (size.lines, size.columns)

    def _sync_size(self) -> None:
        rows, cols = self._terminal_size()
        with contextlib.suppress(Exception):
            self._child.setwinsize(rows, cols)

    def _slave_path(self) -> str | None:
        """The pty's name (bash's stdout), for the commands' stdin and for flushing."""
        try:
            path = os.readlink(f"/proc/{self._child.pid}/fd/1")
            return path if stat.S_ISCHR(os.stat(path).st_mode) else None
        except OSError:
            return None

    def _discard_typeahead(self) -> None:
        """Drop keys typed during the previous command that it did not read: in bash they
        would have been the next command line; here they must not answer the next command
        (a `y` meant for nothing confirming `rm -i`). Best effort (needs /proc)."""
        path = self._slave_path()
        if path is None:
            return
        try:
            fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        except OSError:
            return
        # Closed at once: holding the pty open would hide bash's exit from the master.
        try:
            termios.tcflush(fd, termios.TCIFLUSH)
        except termios.error:
            pass
        finally:
            os.close(fd)

    def _remove_dir(self) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)
