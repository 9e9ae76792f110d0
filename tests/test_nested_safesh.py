"""Issue 9, item 1: safesh inside a line is judged as the shell it is, with the user's rules,
and code a shell runs before its command (BASH_ENV, ENV, --rcfile, --init-file) is code.

safesh's own settings come only from the user's real configuration: a line that chooses them
for a nested safesh (XDG_*, SAFESH_*, PATH, PYTHON*) is stopped, so the nested one can neither
judge with the agent's rules nor skip judging (SAFESH_SHIM_DEPTH) nor run another shell
(SAFESH_REAL_SHELL).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import safesh
from safesh.cli.subcommands import SUBCOMMANDS
from safesh.unwrap.shells import SAFESH_SUBCOMMANDS

ENV = {"HOME": "/home/u", "PATH": "/usr/bin:/bin"}
CWD = "/home/u/proj"


def decision(line: str) -> str:
    return safesh.check(line, cwd=CWD, env=ENV).decision


@pytest.mark.parametrize(
    "line",
    [
        "XDG_CONFIG_HOME=/tmp/x safesh -c 'mkfs.ext4 /dev/sda'",
        "safesh -c 'mkfs.ext4 /dev/sda'",
        "python3 -m safesh -c 'mkfs.ext4 /dev/sda'",
        "safesh -euo pipefail -c 'mkfs.ext4 /dev/sda'",
        "env SAFESH_DRY_RUN=0 safesh -c 'mkfs.ext4 /dev/sda'",
        "safesh -s <<< 'mkfs.ext4 /dev/sda'",
    ],
)
def test_a_nested_safesh_string_is_judged_here(line: str) -> None:
    assert decision(line) == "block"


@pytest.mark.parametrize(
    "line",
    [
        "SAFESH_SHIM_DEPTH=1 safesh ./script.sh",
        "SAFESH_REAL_SHELL=/tmp/evil safesh -c ls",
        "XDG_CONFIG_HOME=/tmp/x safesh -c ls",
        "XDG_STATE_HOME=/tmp/x safesh -c 'git push --force'",
        "PATH=/tmp/bin:/usr/bin safesh -c ls",
        "export XDG_CONFIG_HOME=/tmp/x; safesh -c ls",
        "env XDG_CACHE_HOME=/tmp/c safesh -c ls",
        "PYTHONPATH=/tmp/lib safesh -c ls",
    ],
)
def test_a_line_cannot_choose_the_nested_safeshs_settings(line: str) -> None:
    assert decision(line) in ("ask", "block")


@pytest.mark.parametrize(
    "line",
    [
        "BASH_ENV=./x.sh bash -c true",
        "ENV=./x.sh sh -c true",
        "bash --rcfile ./x.sh -i -c true",
        "bash --init-file ./x.sh -c true",
        "env BASH_ENV=/tmp/x.sh bash -c true",
        "export BASH_ENV=./x.sh; bash -c true",
        "BASH_ENV=$(mktemp) bash -c true",
    ],
)
def test_a_start_up_file_nobody_can_see_asks(line: str) -> None:
    assert decision(line) == "ask"


def test_a_start_up_file_written_earlier_in_the_line_is_judged_as_code() -> None:
    line = "echo 'mkfs.ext4 /dev/sda' > /tmp/x.sh; BASH_ENV=/tmp/x.sh bash -c true"
    assert decision(line) == "block"


def test_a_start_up_file_on_disk_is_judged_as_code(tmp_path: Path) -> None:
    (tmp_path / "rc.sh").write_text("echo hello\n")
    harmless = safesh.check("bash --rcfile ./rc.sh -i -c true", cwd=str(tmp_path), env=ENV)
    assert harmless.decision == "allow"
    (tmp_path / "rc.sh").write_text("mkfs.ext4 /dev/sda\n")
    bad = safesh.check("bash --rcfile ./rc.sh -i -c true", cwd=str(tmp_path), env=ENV)
    assert bad.decision == "block"


@pytest.mark.parametrize(
    "line",
    [
        "safesh check 'rm -rf /'",
        "safesh --dry-run -c 'mkfs.ext4 /dev/sda'",
        "safesh -c 'ls -la'",
        "safesh rules list",
        "bash -c true",
    ],
)
def test_safesh_tools_and_harmless_nested_lines_run(line: str) -> None:
    assert decision(line) == "allow"


def test_the_unwrap_stage_knows_every_subcommand() -> None:
    assert set(SUBCOMMANDS) == SAFESH_SUBCOMMANDS


def planted_rules(tmp_path: Path) -> str:
    """The issue's reproduction: rules that disable the packs, written where an agent may
    write, then a nested safesh pointed at them."""
    planted = tmp_path / "x" / "safesh"
    planted.mkdir(parents=True)
    (planted / "rules.toml").write_text('disable_packs = ["disk", "fs"]\n')
    return f"XDG_CONFIG_HOME={tmp_path / 'x'} safesh -c 'mkfs.ext4 /dev/sda'"


def user_env(tmp_path: Path) -> dict[str, str]:
    stubs = tmp_path / "stub-bin"
    stubs.mkdir(exist_ok=True)
    for name in ("mkfs.ext4", "mkfs"):
        (stubs / name).write_text(f'#!/bin/sh\necho "$0 $*" >> "{tmp_path}/stub-ran"\n')
        (stubs / name).chmod(0o755)
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "SAFESH_"))},
        "PATH": f"{stubs}{os.pathsep}{os.environ.get('PATH', os.defpath)}",
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
        "HOME": str(tmp_path),
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }


@pytest.mark.parametrize("agent", ["claude-code", "gemini-cli", "cursor", "codex", "copilot-cli"])
def test_every_hook_stops_a_nested_safesh_with_the_agents_settings(
    agent: str, tmp_path: Path
) -> None:
    from test_failclosed import payload, verdict

    line = planted_rules(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "safesh", "hook", agent],
        input=payload(agent, line, str(tmp_path)),
        capture_output=True,
        env=user_env(tmp_path),
        timeout=60,
    )
    assert verdict(agent, result.stdout, result.returncode) == "deny"


def test_dash_c_stops_a_nested_safesh_with_the_agents_settings(tmp_path: Path) -> None:
    line = planted_rules(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "safesh", "-c", line],
        capture_output=True,
        text=True,
        env=user_env(tmp_path),
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert result.returncode == 77
    assert not (tmp_path / "stub-ran").exists()
