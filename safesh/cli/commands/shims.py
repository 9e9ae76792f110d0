"""`safesh shims DIR`: write `bash` and `sh` shims into DIR, to put first on an agent's PATH.

An agent that runs `bash -c …` or `sh -c …` by name then reaches safesh, which judges the line
and execs the real shell with the same arguments, stdin and environment. Each shim is a tiny
POSIX sh script:

    SAFESH_REAL_SHELL=/usr/bin/bash   the binary safesh finally execs (never changes the rules)
    SAFESH_SHIM_DEPTH=N               counts shim entries, a last guard against a loop
    exec <safesh> "$@"

The real shell is found when the shims are written: the first `bash` / `sh` on PATH that is
neither in DIR nor a safesh shim (marked by SHIM_MARKER near the top, which
`safesh.execute.is_shim` also looks for), so a shim can never exec itself.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from safesh.agents.install import write_atomically
from safesh.agents.settings import default_safesh_argv
from safesh.record import frozen

SHIM_NAMES: tuple[str, ...] = ("bash", "sh")
SHIM_MARKER = "safesh-shim"
# Nested shells legitimately pass through the shims again (a script that runs `bash`), so the
# limit only has to stop a runaway loop, not normal nesting.
MAX_DEPTH = 40
# Where to look when PATH (minus DIR) has no real shell.
FALLBACK_DIRS: tuple[str, ...] = ("/bin", "/usr/bin", "/usr/local/bin")


class ShimError(Exception):
    """The shims cannot be written; nothing was written."""


@frozen
class Shim:
    path: Path
    real_shell: str
    text: str


def is_shim(path: Path) -> bool:
    """Whether `path` is a shim safesh wrote (follows symlinks; unreadable = no)."""
    try:
        with path.open("rb") as handle:
            return SHIM_MARKER.encode() in handle.read(512)
    except OSError:
        return False


def find_real_shell(name: str, search_path: str, shim_dir: Path) -> str | None:
    """The first executable `name` on `search_path` that is not in `shim_dir` and not a shim.

    Relative PATH entries are skipped: the real shell must not depend on the directory the
    agent happens to be in. The path is kept as found (not resolved), because a shell looks at
    the name it was started under (`sh` -> bash in POSIX mode on some systems).
    """
    excluded = os.path.realpath(shim_dir)
    directories = [*search_path.split(os.pathsep), *FALLBACK_DIRS]
    for directory in directories:
        if not os.path.isabs(directory) or os.path.realpath(directory) == excluded:
            continue
        candidate = Path(directory) / name
        if candidate.is_file() and os.access(candidate, os.X_OK) and not is_shim(candidate):
            return str(candidate)
    return None


def shim_launcher(safesh_argv: Sequence[str]) -> tuple[str, ...]:
    """The argv a shim execs. A source checkout is put on sys.path inside Python rather than
    through PYTHONPATH, which the real shell and everything it runs would inherit."""
    if not safesh_argv or safesh_argv[0] != "env":
        return tuple(safesh_argv)
    root = safesh_argv[1].partition("=")[2]
    python = safesh_argv[2]
    bootstrap = (
        f"import sys; sys.path.insert(0, {root!r}); from safesh.__main__ import main; main()"
    )
    return (python, "-P", "-c", bootstrap)


def render_shim(name: str, real_shell: str, launcher: Sequence[str]) -> str:
    """The shim's text: POSIX sh, no command substitution or subprocess, so it costs one exec."""
    quote = shlex.quote
    return (
        "#!/bin/sh\n"
        f"# {SHIM_MARKER}: `{name}` -> safesh -> {real_shell}. Written by `safesh shims`;\n"
        "# rewrite it with that command, or delete it. SAFESH_REAL_SHELL only picks the binary\n"
        "# safesh runs in the end; it never changes which commands are allowed.\n"
        'case "${SAFESH_SHIM_DEPTH:-0}" in\n'
        "  ''|*[!0-9]*) SAFESH_SHIM_DEPTH=0 ;;\n"
        "esac\n"
        "SAFESH_SHIM_DEPTH=$((SAFESH_SHIM_DEPTH + 1))\n"
        f'if [ "$SAFESH_SHIM_DEPTH" -gt {MAX_DEPTH} ]; then\n'
        f'  echo "safesh shim: {name} re-entered {MAX_DEPTH} times; stopping a loop" >&2\n'
        "  exit 126\n"
        "fi\n"
        f"SAFESH_REAL_SHELL={quote(real_shell)}\n"
        "export SAFESH_SHIM_DEPTH SAFESH_REAL_SHELL\n"
        f'exec {shlex.join(launcher)} "$@"\n'
    )


def plan_shims(
    shim_dir: Path,
    search_path: str,
    launcher: Sequence[str],
    names: Sequence[str] = SHIM_NAMES,
) -> tuple[Shim, ...]:
    """Every shim to write, or ShimError for the first reason not to write any."""
    shims: list[Shim] = []
    for name in names:
        path = shim_dir / name
        if (path.exists() or path.is_symlink()) and not is_shim(path):
            raise ShimError(
                f"{path} exists and is not a safesh shim; refusing to overwrite it "
                "(move it away or choose another directory)"
            )
        real = find_real_shell(name, search_path, shim_dir)
        if real is None:
            raise ShimError(f"no real {name} found on PATH (outside {shim_dir})")
        shims.append(Shim(path, real, render_shim(name, real, launcher)))
    return tuple(shims)


def write_shims(shims: Sequence[Shim]) -> None:
    for shim in shims:
        if shim.path.is_symlink():
            shim.path.unlink()  # a linked shim: replace the link, not whatever it points at
        write_atomically(shim.path, shim.text, mode=0o755)


@click.command(name="shims")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def command(directory: Path) -> None:
    """Write `bash` and `sh` shims into DIRECTORY that route through safesh.

    Put DIRECTORY first on the agent's PATH. Existing files that are not safesh shims are
    never overwritten.
    """
    shim_dir = directory.expanduser().absolute()
    launcher = shim_launcher(default_safesh_argv())
    try:
        shim_dir.mkdir(parents=True, exist_ok=True)
        shims = plan_shims(shim_dir, os.environ.get("PATH", os.defpath), launcher)
        write_shims(shims)
    except (ShimError, OSError) as error:
        raise click.ClickException(str(error)) from None
    for shim in shims:
        click.echo(f"safesh: wrote {shim.path} (real shell: {shim.real_shell})")
    click.echo(
        f'Put it first on the agent\'s PATH:  export PATH={shlex.quote(str(shim_dir))}:"$PATH"'
    )
    if launcher[0] == sys.executable:
        click.echo("note: no `safesh` on PATH; the shims run safesh through this Python.")
