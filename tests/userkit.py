"""A user of the test's own: a home, empty config, state and cache directories, no terminal,
and harmless stubs first on PATH in place of the destructive programs a test names (each run
of a stub appends "PATH-OF-STUB ARGS" to `tmp_path/stub-ran`, so a test can assert that
nothing destructive ran)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

# What a test's user inherits from nobody: safesh's own switches and the XDG directories.
NOT_INHERITED = ("SAFESH_", "XDG_")


def stub_programs(tmp_path: Path, names: Iterable[str]) -> Path:
    """A directory of stubs for `names`, to put first on PATH."""
    stubs = tmp_path / "stub-bin"
    stubs.mkdir(exist_ok=True)
    for name in names:
        stub = stubs / name
        stub.write_text(f'#!/bin/sh\necho "$0 $*" >> "{tmp_path}/stub-ran"\n')
        stub.chmod(0o755)
    return stubs


def user_environment(
    tmp_path: Path,
    stubbed: Iterable[str],
    *,
    not_inherited: tuple[str, ...] = NOT_INHERITED,
    **extra: str,
) -> dict[str, str]:
    """This process's environment as a fresh user under `tmp_path` sees it (see the module
    docstring), with `extra` variables on top."""
    stubs = stub_programs(tmp_path, stubbed)
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(not_inherited)},
        "PATH": f"{stubs}{os.pathsep}{os.environ.get('PATH', os.defpath)}",
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "SAFESH_NONINTERACTIVE": "1",
        **extra,
    }


def safesh(
    *args: str,
    env: dict[str, str],
    cwd: Path | None = None,
    stdin: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """`safesh ARGS` run by the user whose environment is `env`: text in and out, captured,
    standard input `stdin` (or none at all: /dev/null)."""
    return subprocess.run(
        [sys.executable, "-m", "safesh", *args],
        env=env,
        cwd=cwd,
        input=stdin,
        stdin=subprocess.DEVNULL if stdin is None else None,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
