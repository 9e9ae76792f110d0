"""What a one-command `safesh` process does not spend its start-up on (issue 12): the cyclic
garbage collector sweeping the modules and rules it just loaded, the store's WAL checkpoint
on close, regular expressions it never uses. Counted, never timed (timings are the bench's)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# Runs the program's entry point on `-c true` (a dry run: nothing is executed) with a
# callback that reports every collection on stderr; the entry point exits with os._exit.
_COUNT_COLLECTIONS = """
import gc, os, sys
gc.callbacks.append(lambda phase, info: phase == "start" and os.write(2, b"collected\\n"))
sys.argv = ["safesh", "--dry-run", "-c", "true"]
from safesh.__main__ import main
main()
"""


def _env(tmp_path: Path) -> dict[str, str]:
    # Bytecode is written as an installed package has it: compiling every module from its
    # source (PYTHONDONTWRITEBYTECODE) allocates more than running it does.
    skipped = ("SAFESH_", "XDG_", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if not k.startswith(skipped)}
    env.update(
        HOME=str(tmp_path),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        SAFESH_DAEMON="off",
        SAFESH_NONINTERACTIVE="1",
    )
    return env


def test_judging_one_line_runs_no_garbage_collection(tmp_path: Path) -> None:
    env = _env(tmp_path)
    first = subprocess.run(
        [sys.executable, "-c", _COUNT_COLLECTIONS], env=env, cwd=tmp_path, capture_output=True
    )
    assert first.returncode == 0, first.stderr
    # The first run built the caches (rules, bytecode); the second is every later one.
    again = subprocess.run(
        [sys.executable, "-c", _COUNT_COLLECTIONS], env=env, cwd=tmp_path, capture_output=True
    )
    assert again.returncode == 0, again.stderr
    assert b"would run" in again.stdout
    assert b"collected" not in again.stderr


# Modules an agent's plain command (`true`, `ls -la`) has no use for, judged with no resident
# judge (the fallback and `safesh.check()`'s path): each costs ~0.5-3 ms of every command.
_NOT_FOR_A_PLAIN_LINE = {
    "pathlib",  # and urllib.parse, ipaddress: locations and the store use string paths
    "urllib.parse",
    "threading",  # the rules memo locks with _thread
    "hashlib",  # and OpenSSL's _hashlib: safesh.digest uses the interpreter's own hashes
    "_hashlib",
    "hmac",
    "safesh.store.approvals",  # only a line that asks needs the approvals half
    "safesh.interactive.prompts",  # only a line that asks needs to know about a terminal
    "tomllib",  # the rules come from their cache
    "dataclasses",
    "inspect",
    "typing",
    "datetime",  # the pure-Python module: the store uses _datetime and _sqlite3 directly
    "sqlite3",
    "json",  # the audit record's canonical text is written by safesh.store.values
    # Patterns are built from the programs kept with the code (safesh.lazy_re_programs), and
    # the enums on the path are safesh.choice's: re (with its parser and compiler) and enum
    # are ~9 ms of start-up.
    "re",
    "enum",
    # The unwrap stage's handlers of programs that run other programs: loaded by the line
    # that runs one (safesh.unwrap.handlers), never by a line that runs none.
    "safesh.unwrap.cloudexec",
    "safesh.unwrap.dbshells",
    "safesh.unwrap.fanout",
    "safesh.unwrap.foreign",
    "safesh.unwrap.git",
    "safesh.unwrap.kubeplugin",
    "safesh.unwrap.live_input",  # only for an agent's line with live input
    "safesh.parse.words",  # a front end's helper: a plain line is read without one
    "safesh.unwrap.live_openers",  # only for an agent's live line naming one of its programs
    "safesh.unwrap.playbook",
    "safesh.unwrap.remote",
    "safesh.unwrap.runners",
    "safesh.unwrap.schedule",
    "safesh.unwrap.shells",
    "safesh.unwrap.sshwrap",
    "safesh.unwrap.startup",
    "safesh.unwrap.stored",
    "safesh.unwrap.tcl",
}


def _loaded_by(argv: list[str], tmp_path: Path, stdin: str = "") -> set[str]:
    """The modules `safesh ARGV` imports with no judge (after a first run built the caches)."""
    env = _env(tmp_path)
    command = [sys.executable, "-X", "importtime", "-m", "safesh", *argv]
    for _ in range(2):
        traced = subprocess.run(
            command, env=env, cwd=tmp_path, input=stdin, capture_output=True, text=True
        )
        assert traced.returncode == 0, traced.stderr
    return {line.split("|")[-1].strip() for line in traced.stderr.splitlines() if "|" in line}


def test_a_plain_line_judged_in_process_loads_only_what_its_judgement_needs(
    tmp_path: Path,
) -> None:
    for line in ("true", "ls -la"):
        loaded = _loaded_by(["--dry-run", "-c", line], tmp_path)
        assert "safesh.rules" in loaded  # judged here, in this process
        assert "safesh.store" in loaded  # and recorded
        assert loaded & _NOT_FOR_A_PLAIN_LINE == set(), line


def test_an_agents_hook_judged_in_process_loads_neither_click_nor_typing(tmp_path: Path) -> None:
    payload = json.dumps(
        {
            "session_id": "s",
            "cwd": str(tmp_path),
            "hook_event_name": "PreToolUse",
            "tool_name": "Bash",
            "tool_input": {"command": "ls -la"},
        }
    )
    loaded = _loaded_by(["hook", "claude-code"], tmp_path, payload)
    assert "safesh.rules" in loaded  # judged here, in this process
    needed = {"json", "re", "enum"}  # the payload and the answer are JSON (its decoder uses re)
    assert loaded & (_NOT_FOR_A_PLAIN_LINE - needed | {"click"}) == set()
