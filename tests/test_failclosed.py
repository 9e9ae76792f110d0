"""Issue 9, item 2: every judging front end answers fail-closed under any fault.

A fault is an exception anywhere, a fatal signal, text that UTF-8 cannot carry, or an output
that cannot be written. The answer is then the front end's own refusal: the agent's deny
format and exit code for hooks, exit status 77 for `safesh -c` / scripts / `-s` / `check`;
never a traceback with exit status 1 and an empty stdout (which every agent reads as "run it").
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from safesh.cli import failsafe
from safesh.cli.commands import hook as hook_module

ROOT = Path(__file__).resolve().parent.parent
REFUSED = 77
AGENTS = ("claude-code", "gemini-cli", "cursor", "codex", "copilot-cli")
# A production target spelt with a lone surrogate: the word reaches the reason text
# ("It acts on production (`prod-\ud800`)"), which UTF-8 cannot encode.
SURROGATE_BLOCK = "kubectl delete ns prod-\ud800"
STUBBED = ("rm", "mkfs", "mkfs.ext4", "kubectl", "dd")


def payload(agent: str, command: str, cwd: str = "/tmp") -> bytes:
    """The agent's own payload for a shell command (JSON escapes keep a lone surrogate)."""
    data: dict[str, Any]
    if agent == "cursor":
        data = {"hook_event_name": "beforeShellExecution", "command": command, "cwd": cwd}
    elif agent == "copilot-cli":
        data = {"toolName": "bash", "toolArgs": json.dumps({"command": command}), "cwd": cwd}
    elif agent == "gemini-cli":
        data = {"tool_name": "run_shell_command", "tool_input": {"command": command}, "cwd": cwd}
    else:
        data = {"tool_name": "Bash", "tool_input": {"command": command}, "cwd": cwd}
    return json.dumps(data).encode("ascii")


def verdict(agent: str, stdout: bytes, exit_code: int) -> str:
    """What the agent does with this answer: allow, ask, deny or none (its own flow). Fails the
    test if the answer is not one the agent's documented format accepts."""
    text = stdout.decode("utf-8")  # strict: the agent reads UTF-8
    if agent in ("claude-code", "codex", "gemini-cli") and exit_code == 2:
        return "deny"  # exit 2 denies on its own, whatever stdout holds
    assert exit_code == 0, (agent, exit_code, text)
    if not text.strip():
        assert agent != "cursor", "Cursor needs a JSON answer"
        return "none"
    data = json.loads(text)
    json.dumps(data, ensure_ascii=False).encode("utf-8")  # no lone surrogates inside
    if agent in ("claude-code", "codex"):
        if data == {} and agent == "codex":
            return "allow"
        decision = data["hookSpecificOutput"]["permissionDecision"]
        assert decision in ("allow", "ask") and not (agent == "codex" and decision == "ask")
        return str(decision)
    if agent == "gemini-cli":
        assert data["decision"] in ("allow", "ask"), data
        return str(data["decision"])
    if agent == "cursor":
        if data == {}:
            return "none"
        assert data["permission"] in ("allow", "ask", "deny"), data
        return str(data["permission"])
    assert data["permissionDecision"] == "deny" and data["permissionDecisionReason"], data
    return "deny"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    stubs = tmp_path / "stub-bin"
    stubs.mkdir()
    for name in STUBBED:
        stub = stubs / name
        stub.write_text(f'#!/bin/sh\necho "$0 $*" >> "{tmp_path}/stub-ran"\n')
        stub.chmod(0o755)
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SAFESH_", "XDG_"))},
        "PATH": f"{stubs}{os.pathsep}{os.environ.get('PATH', os.defpath)}",
        "PYTHONPATH": str(ROOT),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "SAFESH_NONINTERACTIVE": "1",
    }


def run(
    args: list[str], env: dict[str, str], stdin: bytes = b"", **extra: Any
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "safesh", *args],
        input=stdin,
        capture_output="stdout" not in extra,
        env=env,
        timeout=60,
        **extra,
    )


def stubs_ran(env: dict[str, str]) -> bool:
    return (Path(env["HOME"]).parent / "stub-ran").exists()


# -- hooks, through the real entry point -------------------------------------------------------


@pytest.mark.parametrize("agent", AGENTS)
def test_a_lone_surrogate_in_the_reason_still_gets_the_agents_deny(
    agent: str, env: dict[str, str]
) -> None:
    result = run(["hook", agent], env, payload(agent, SURROGATE_BLOCK))
    assert result.stdout, result.stderr
    assert verdict(agent, result.stdout, result.returncode) == "deny"
    assert b"\\ud800" in result.stdout  # shown as a visible escape


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
@pytest.mark.parametrize("agent", ["claude-code", "cursor"])
def test_a_signal_while_judging_is_a_deny_not_an_empty_answer(
    agent: str, signum: int, env: dict[str, str]
) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "safesh", "hook", agent],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    time.sleep(1.5)  # the hook is waiting for its payload: mid-call for the agent
    process.send_signal(signum)
    stdout, _ = process.communicate(timeout=30)
    assert verdict(agent, stdout, process.returncode) == "deny"
    assert signal.Signals(signum).name.encode() in stdout


@pytest.mark.parametrize(
    ("agent", "command"),
    [
        ("claude-code", "ls"),
        ("gemini-cli", "ls"),
        ("cursor", "ls"),
        ("cursor", "mkfs.ext4 /dev/sda"),  # Cursor's deny is JSON with exit 0
        ("copilot-cli", "mkfs.ext4 /dev/sda"),  # Copilot's allow is no output at all
    ],
)
def test_an_answer_stdout_cannot_take_becomes_exit_2(
    agent: str, command: str, env: dict[str, str]
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "safesh", "hook", agent],
        input=payload(agent, command),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        timeout=60,
        preexec_fn=lambda: os.close(1),
    )
    assert result.returncode == 2
    assert b"could not write the answer" in result.stderr


def test_a_broken_pipe_on_stdout_turns_the_answer_into_exit_2(env: dict[str, str]) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = run(["hook", "cursor"], env, payload("cursor", "ls"), stdout=write_end)
    finally:
        os.close(write_end)
    assert result.returncode == 2


@pytest.mark.parametrize("agent", AGENTS)
def test_invalid_utf8_in_the_payload_is_a_valid_answer(agent: str, env: dict[str, str]) -> None:
    raw = payload(agent, "mkfs.ext4 /dev/sda").replace(b"/dev/sda", b"/dev/sda\xff\xfe")
    result = run(["hook", agent], env, raw)
    assert verdict(agent, result.stdout, result.returncode) == "deny"


# -- hooks, in process: every kind of fault ----------------------------------------------------


FAULTS: list[BaseException] = [
    KeyboardInterrupt(),
    SystemExit(0),
    SystemExit(1),
    MemoryError(),
    RecursionError("maximum recursion depth exceeded"),
    UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed"),
    failsafe.Interrupted(signal.SIGTERM),
    OSError(5, "Input/output error"),
]


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: type(f).__name__)
@pytest.mark.parametrize("agent", AGENTS)
def test_any_fault_while_judging_is_the_agents_deny(
    agent: str, fault: BaseException, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_run_hook(*_args: object, **_kwargs: object) -> object:
        raise fault

    monkeypatch.setattr(hook_module, "run_hook", broken_run_hook)
    answer = hook_module.answer(agent, lambda: payload(agent, "ls"), {})
    assert verdict(agent, answer.stdout, answer.exit_code) == "deny"


@pytest.mark.parametrize("agent", AGENTS)
def test_a_fault_reading_stdin_is_the_agents_deny(agent: str) -> None:
    def unreadable() -> bytes:
        raise OSError(9, "Bad file descriptor")

    answer = hook_module.answer(agent, unreadable, {})
    assert verdict(agent, answer.stdout, answer.exit_code) == "deny"


@pytest.mark.parametrize("agent", AGENTS)
def test_when_safesh_itself_cannot_load_the_hook_still_denies(
    agent: str, capfd: pytest.CaptureFixture[bytes]
) -> None:
    code = failsafe.last_resort(["hook", agent], ImportError("No module named 'safesh.api'"))
    out = capfd.readouterr().out
    assert verdict(agent, out.encode() if isinstance(out, str) else out, code) == "deny"


# -- `safesh -c`, scripts, `-s`, `check` -------------------------------------------------------


def test_dash_c_refuses_with_77_when_the_judge_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    import safesh.api
    from safesh.cli.main import main

    def interrupted(*_args: object, **_kwargs: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr(safesh.api, "check", interrupted)
    assert main(["-c", "ls"]) == REFUSED


def test_dash_s_refuses_with_77_on_sigterm(env: dict[str, str]) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "safesh", "-s"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    time.sleep(1.5)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == REFUSED
    assert b"NOT run" in stderr


def test_dash_s_judges_bytes_that_are_not_utf8(env: dict[str, str]) -> None:
    result = run(["-s"], env, b"echo caf\xe9\nmkfs.ext4 /dev/sda\n")
    assert result.returncode == REFUSED
    assert not stubs_ran(env)


def test_dash_s_runs_bytes_that_are_not_utf8_unchanged(env: dict[str, str]) -> None:
    result = run(["-s"], env, b"printf '%s' caf\xe9\n")
    assert (result.returncode, result.stdout) == (0, b"caf\xe9")


def test_a_dry_run_report_with_undecodable_argv_bytes_is_written(env: dict[str, str]) -> None:
    line = os.fsdecode(b"kubectl delete ns prod-\xff")
    result = run(["--dry-run", "-c", line], env)
    assert result.returncode == REFUSED
    assert b"would NOT run" in result.stdout


def test_check_reports_undecodable_argv_bytes(env: dict[str, str]) -> None:
    line = os.fsdecode(b"kubectl delete ns prod-\xff")
    result = run(["check", "--json", line], env)
    assert result.returncode == REFUSED
    assert json.loads(result.stdout)["decision"] == "block"


def test_check_with_a_closed_stdout_does_not_claim_the_line_may_run(env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "safesh", "check", "ls"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        timeout=60,
        preexec_fn=lambda: os.close(1),
    )
    assert result.returncode == REFUSED


def test_check_refuses_with_77_when_the_judge_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    import safesh.cli.commands.check as check_module
    from safesh.cli.main import main

    def broken(*_args: object, **_kwargs: object) -> object:
        raise RecursionError("deep")

    monkeypatch.setattr(check_module, "check", broken)
    assert main(["check", "ls"]) == REFUSED


# -- what the exec'd shell inherits ---------------------------------------------------------


def ignored_signals(status_text: str) -> int:
    line = next(x for x in status_text.splitlines() if x.startswith("SigIgn:"))
    return int(line.split()[1], 16)


def test_a_signal_the_caller_ignores_stays_ignored_in_the_command(env: dict[str, str]) -> None:
    """`nohup safesh -c …`: catching signals while judging must not undo the caller's ignore."""
    result = subprocess.run(
        [sys.executable, "-m", "safesh", "-c", "cat /proc/$$/status"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN),
    )
    assert ignored_signals(result.stdout) & (1 << (signal.SIGHUP - 1))


def test_the_command_gets_sigpipe_back_as_bash_would(env: dict[str, str]) -> None:
    result = run(["-c", "yes | head -1"], env)
    assert (result.returncode, result.stdout, result.stderr) == (0, b"y\n", b"")
