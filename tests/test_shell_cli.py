"""`safesh` used where bash is used, through the real entry point (a subprocess)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from human_terminal import in_a_terminal, needs_human_session
from userkit import stub_programs, user_environment

REFUSED = 77


# Tests that go through the real exec path must be harmless even if safesh had a bug that let a
# refused command through: destructive programs are shadowed by stubs that only leave a mark.
STUBBED = ("rm", "dd", "mkfs", "shred", "wipefs", "terraform", "kubectl")


def stub_bin(tmp_path: Path) -> Path:
    return stub_programs(tmp_path, STUBBED)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A user with empty config and state directories, no terminal, and stubs in place of
    destructive programs."""
    return user_environment(tmp_path, STUBBED)


def safesh(
    *args: str,
    env: dict[str, str],
    cwd: Path | None = None,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "safesh", *args],
        env=env,
        cwd=cwd,
        input=input,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=None if input is not None else subprocess.DEVNULL,
    )


def approve_as_human(approval_id: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`safesh approve ID` typed by a human in a terminal of their own."""
    return in_a_terminal([sys.executable, "-m", "safesh", "approve", approval_id], env)


def test_allowed_command_keeps_stdout_stderr_and_exit_status(env: dict[str, str]) -> None:
    result = safesh("-c", "echo out; echo err >&2; exit 3", env=env)
    assert (result.stdout, result.stderr, result.returncode) == ("out\n", "err\n", 3)


def test_dollar_zero_and_positional_arguments_are_bashs(env: dict[str, str]) -> None:
    result = safesh("-c", 'echo "$0|$1|$2|$#"', "name", "a b", "c", env=env)
    assert result.stdout == "name|a b|c|2\n"


def test_stdin_reaches_the_command(env: dict[str, str]) -> None:
    assert safesh("-c", "tr a-z A-Z", env=env, input="data\n").stdout == "DATA\n"


def test_environment_and_working_directory_are_untouched(
    env: dict[str, str], tmp_path: Path
) -> None:
    result = safesh("-c", 'echo "$PROBE" "$PWD"', env={**env, "PROBE": "v"}, cwd=tmp_path)
    assert result.stdout == f"v {tmp_path}\n"


def test_bash_options_are_passed_on(env: dict[str, str]) -> None:
    assert safesh("-o", "pipefail", "-c", "false | true", env=env).returncode == 1
    assert safesh("-e", "-c", "false; echo after", env=env).stdout == ""
    assert "+ echo x" in safesh("-xc", "echo x", env=env).stderr


def test_login_shell_flag_is_accepted(env: dict[str, str]) -> None:
    result = safesh("-lc", "echo ok", "--", env=env)
    assert result.returncode == 0
    assert result.stdout.endswith("ok\n")


def test_script_file_runs_with_its_arguments(env: dict[str, str], tmp_path: Path) -> None:
    script = tmp_path / "greet.sh"
    script.write_text('echo "$0 says $1"\nexit 4\n')
    result = safesh(str(script), "hi", env=env)
    assert (result.stdout, result.returncode) == (f"{script} says hi\n", 4)


def test_missing_script_reports_like_bash(env: dict[str, str], tmp_path: Path) -> None:
    result = safesh(str(tmp_path / "nope.sh"), env=env)
    assert result.returncode == 127
    assert "No such file or directory" in result.stderr


def test_commands_on_stdin_with_s(env: dict[str, str]) -> None:
    result = safesh("-s", "one", "two", env=env, input='echo "$1 $2"\n')
    assert result.stdout == "one two\n"


def test_unknown_option_is_a_usage_error(env: dict[str, str]) -> None:
    result = safesh("-Z", "-c", "true", env=env)
    assert result.returncode == 2
    assert "-Z: invalid option" in result.stderr


def test_refused_command_does_not_run_any_part_of_the_line(
    env: dict[str, str], tmp_path: Path
) -> None:
    marker = tmp_path / "marker"
    result = safesh("-c", f"touch {marker}; rm -rf /", env=env)
    assert result.returncode == REFUSED
    assert not marker.exists()
    assert not (tmp_path / "stub-ran").exists()


def test_refusal_names_the_rule_and_how_to_get_past_it(env: dict[str, str]) -> None:
    result = safesh("-c", "git push --force origin main", env=env)
    assert result.returncode == REFUSED
    assert "git.push-force" in result.stderr
    assert "--force-with-lease" in result.stderr
    assert "safesh approve" in result.stderr


def test_blocked_command_says_it_cannot_be_approved(env: dict[str, str]) -> None:
    result = safesh("-c", "rm -rf /", env=env)
    assert result.returncode == REFUSED
    assert "cannot be approved" in result.stderr


def test_unparsable_line_fails_closed_with_the_parse_error(env: dict[str, str]) -> None:
    result = safesh("-c", 'echo "unterminated', env=env)
    assert result.returncode == REFUSED
    assert "core.unparsable" in result.stderr


def test_dry_run_executes_nothing_and_exits_zero_when_it_would_run(
    env: dict[str, str], tmp_path: Path
) -> None:
    marker = tmp_path / "marker"
    result = safesh("--dry-run", "-c", f"touch {marker}", env=env)
    assert result.returncode == 0
    assert "would run" in result.stdout
    assert not marker.exists()


def test_dry_run_from_the_environment(env: dict[str, str], tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    result = safesh("-c", f"touch {marker}", env={**env, "SAFESH_DRY_RUN": "1"})
    assert result.returncode == 0
    assert not marker.exists()


def test_dry_run_exits_with_the_refusal_code_when_it_would_not_run(env: dict[str, str]) -> None:
    result = safesh("--dry-run", "-c", "terraform destroy", env=env)
    assert result.returncode == REFUSED
    assert "would NOT run" in result.stdout


def test_broken_user_rules_file_fails_closed_naming_file_and_line(
    env: dict[str, str],
) -> None:
    rules = Path(env["XDG_CONFIG_HOME"]) / "safesh" / "rules.toml"
    rules.parent.mkdir(parents=True)
    rules.write_text('[[rule]]\nid = "x.y"\nreason = \n')
    result = safesh("-c", "echo hi", env=env)
    assert result.returncode == REFUSED
    assert result.stdout == ""
    assert "rules.toml" in result.stderr
    assert ":3" in result.stderr


@pytest.mark.parametrize(
    ("signal_number", "name", "status"),
    [(signal.SIGTERM, "TERM", 42), (signal.SIGINT, "INT", 43)],
)
def test_signals_reach_the_command(
    env: dict[str, str], signal_number: int, name: str, status: int
) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "safesh",
            "-c",
            f'trap "echo got-{name}; exit {status}" {name}; sleep 30 >/dev/null & wait',
        ],
        env=env,
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    _wait_until_exec(process.pid)
    process.send_signal(signal_number)
    out, _ = process.communicate(timeout=30)
    assert (out, process.returncode) == (f"got-{name}\n", status)


def _wait_until_exec(pid: int) -> None:
    """Until safesh has replaced itself with bash (and bash has set its traps)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            break
        if cmdline and os.path.basename(cmdline[0]) == b"bash":
            children = Path(f"/proc/{pid}/task/{pid}/children")
            if children.exists() and children.read_text().strip():
                return
        time.sleep(0.02)
    raise AssertionError("safesh did not hand over to bash")


def test_python_dash_m_and_version(env: dict[str, str]) -> None:
    result = safesh("--version", env=env)
    assert result.stdout.startswith("safesh ")


def test_every_decision_is_recorded_in_the_audit_log(env: dict[str, str]) -> None:
    safesh("-c", "true", env=env)
    safesh("-c", "rm -rf /", env=env)
    log = safesh("log", "--json", env=env)
    records = [json.loads(line) for line in log.stdout.splitlines()]
    decisions = [(r["command"], r["decision"]) for r in records]
    assert ("true", "allow") in decisions
    assert ("rm -rf /", "block") in decisions


def test_unwritable_state_directory_does_not_stop_an_allowed_command(
    env: dict[str, str], tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    result = safesh("-c", "echo ran", env={**env, "XDG_STATE_HOME": str(blocker)})
    assert result.stdout == "ran\n"
    assert result.returncode == 0
    assert "safesh:" in result.stderr


@needs_human_session
def test_approval_round_trip_lets_the_identical_command_run_once(
    env: dict[str, str], tmp_path: Path
) -> None:
    line = "git push --force origin main"
    refused = safesh("-c", line, env=env, cwd=tmp_path)
    assert refused.returncode == REFUSED
    pending = json.loads(safesh("approvals", "--json", env=env).stdout)
    assert [p["command"] for p in pending] == [line]
    assert approve_as_human(pending[0]["id"], env).returncode == 0
    ran = safesh("-c", line, env=env, cwd=tmp_path)
    assert ran.returncode not in (0, REFUSED)  # git ran, and failed: not a repository
    assert "not a git repository" in ran.stderr
    again = safesh("-c", line, env=env, cwd=tmp_path)
    assert again.returncode == REFUSED


@needs_human_session
def test_an_approval_does_not_cover_another_directory(env: dict[str, str], tmp_path: Path) -> None:
    line = "git push --force origin main"
    safesh("-c", line, env=env, cwd=tmp_path)
    pending = json.loads(safesh("approvals", "--json", env=env).stdout)
    approve_as_human(pending[0]["id"], env)
    elsewhere = tmp_path / "other"
    elsewhere.mkdir()
    assert safesh("-c", line, env=env, cwd=elsewhere).returncode == REFUSED


def test_broken_rules_refusal_says_a_human_must_fix_the_file(env: dict[str, str]) -> None:
    rules = Path(env["XDG_CONFIG_HOME"]) / "safesh" / "rules.toml"
    rules.parent.mkdir(parents=True)
    rules.write_text("[[rule]\n")
    result = safesh("-c", "true", env=env)
    assert result.returncode == REFUSED
    assert "fix (or move aside) the rules file" in result.stderr
