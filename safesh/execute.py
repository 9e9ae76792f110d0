"""The execute stage: find the real shell and hand the process over to it with exec, so safesh
costs nothing while the command runs and signals, stdio, the environment and the working
directory are exactly what the caller gave (plus one marker, SAFESH_AGENT_SESSION, and
minus safesh's own shim plumbing).

May import only the standard library: it is on every command's path (the marker's name
lives here, and `safesh.agents.session` takes it from here)."""

import os

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

# Set in the environment of every command a judged line starts: the command runs inside an
# agent's session (see safesh.agents.session, which reads it).
SESSION_MARKER = "SAFESH_AGENT_SESSION"

SHIM_MARKER = b"safesh-shim"


class ShellNotFound(Exception):
    pass


def is_shim(path: str) -> bool:
    """Shims written by `safesh shims` carry a marker near the top; exec'ing one would loop."""
    try:
        with open(path, "rb") as handle:
            return SHIM_MARKER in handle.read(512)
    except OSError:
        return False


def real_shell_of(text: str) -> str | None:
    """The SAFESH_REAL_SHELL a shim's text sets (`safesh doctor` follows it)."""
    import shlex

    for line in text.splitlines():
        if line.startswith("SAFESH_REAL_SHELL="):
            words = shlex.split(line.partition("=")[2])
            return words[0] if words else None
    return None


def find_real_shell(
    name: str = "bash",
    env: "Mapping[str, str] | None" = None,
    configured: str | None = None,
) -> str:
    """The shell to hand over to: SAFESH_REAL_SHELL (set by shims; it only picks the binary),
    then the configured one, then `name` on PATH, skipping safesh's own shims."""
    environment = os.environ if env is None else env
    for candidate in (environment.get("SAFESH_REAL_SHELL"), configured):
        if candidate:
            if os.path.isabs(candidate) and _executable(candidate) and not is_shim(candidate):
                return candidate
            raise ShellNotFound(f"the configured shell {candidate!r} is not an executable path")
    for directory in environment.get("PATH", os.defpath).split(os.pathsep):
        path = os.path.join(directory or ".", name)
        if _executable(path) and not is_shim(path):
            return os.path.abspath(path)
    raise ShellNotFound(f"no {name} found on PATH")


def _executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


# safesh's own plumbing between a shim and safesh; the command must not inherit it (a nested
# `safesh -c` would otherwise run with the shim's shell, e.g. dash instead of bash).
PLUMBING_VARIABLES = ("SAFESH_REAL_SHELL", "SAFESH_SHIM_DEPTH")


def exec_shell(shell: str, args: "Sequence[str]") -> None:
    """Replace this process with `shell args…`. Only returns by raising OSError."""
    argv0 = os.path.basename(shell)
    _restore_default_signals()
    env = {k: v for k, v in os.environ.items() if k not in PLUMBING_VARIABLES}
    # Marks everything a judged line starts as part of an agent's session (the non-interactive
    # front ends are how agents run commands): `safesh approve` and `safesh trust` refuse to
    # grant from there, reading it from the ancestors' start-up environment too.
    env.setdefault(SESSION_MARKER, "1")
    os.execve(shell, [argv0, *args], env)


def _restore_default_signals() -> None:
    """Python ignores SIGPIPE (and SIGXFSZ), and an ignored signal stays ignored across exec:
    `yes | head -1` would then complain "Broken pipe" instead of ending quietly as under bash.
    Signals safesh catches need nothing: exec resets caught signals to their default."""
    if TYPE_CHECKING:
        import signal
    else:
        import _signal as signal  # `signal` would load enum (~2 ms) just before the exec

    for name in ("SIGPIPE", "SIGXFSZ"):
        signum = getattr(signal, name, None)
        if signum is not None:
            signal.signal(signum, signal.SIG_DFL)
