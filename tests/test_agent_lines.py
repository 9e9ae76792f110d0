"""Agents' own wrapper lines (Claude Code's CLAUDE_CODE_SHELL_PREFIX line, Gemini CLI's
background-pid wrapper through the shims): safesh judges, approves and records the agent's
command inside them, and judges the agent's setup (Claude's shell snapshot) by its content.

The lines in tests/fixtures/agent-lines/recorded.json were recorded from the real clients
(Claude Code 2.1.197, Gemini CLI 0.61.0); claude-snapshot.sh is a snapshot Claude wrote."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from human_terminal import needs_human_session
from test_shell_cli import REFUSED, approve_as_human, safesh
from test_shell_cli import env as shell_env

from safesh.agents.wrappers import neutral_setup, recognise

FIXTURES = Path(__file__).parent / "fixtures" / "agent-lines"
RECORDED = json.loads((FIXTURES / "recorded.json").read_text())["lines"]
SNAPSHOT = (FIXTURES / "claude-snapshot.sh").read_text()
ASKS = "git push --force origin main"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """test_shell_cli's user: empty config and state, no terminal, destructive programs
    stubbed."""
    value: dict[str, str] = shell_env.__wrapped__(tmp_path)  # type: ignore[attr-defined]
    return value


def claude_line(command: str, snapshot: Path, cwd_file: Path) -> str:
    """Claude Code 2.1.197's prefix line, built as Claude builds it (see recorded.json)."""
    quoted = "'" + command.replace("'", "'\"'\"'") + "'"
    return (
        f"source {snapshot} 2>/dev/null || true && "
        "{ shopt -u extglob || setopt NO_EXTENDED_GLOB NO_BARE_GLOB_QUAL; } >/dev/null 2>&1 "
        f"|| true && eval {quoted} < /dev/null && pwd -P >| {cwd_file}"
    )


def gemini_line(command: str, temp: Path) -> str:
    """Gemini CLI 0.61.0's wrapper (see recorded.json)."""
    return (
        "shopt -u promptvars nullglob extglob nocaseglob dotglob; "
        f"_bgpids_file={temp}/bgpids.tmp\n(\n  trap 'jobs -p > \"$_bgpids_file\"' EXIT\n"
        f"{command}\n)\n__code=$?\nexit $__code"
    )


@pytest.mark.parametrize("entry", RECORDED, ids=lambda e: f"{e['agent']}:{e['command'][:20]}")
def test_each_recorded_line_yields_the_models_command(entry: dict[str, str]) -> None:
    found = recognise(entry["line"])
    assert found is not None
    assert (found.agent, found.command) == (entry["agent"], entry["command"])


def test_claude_line_names_its_snapshot_as_the_setup() -> None:
    found = recognise(RECORDED[0]["line"])
    assert found is not None and found.setup is not None
    assert re.fullmatch(
        r"/home/user/\.claude/shell-snapshots/snapshot-bash-\d+-\w+\.sh", found.setup
    )


@pytest.mark.parametrize(
    "tamper",
    [
        lambda line: line + "; rm -rf ~",
        lambda line: line + " && rm -rf ~",
        lambda line: "rm -rf ~; " + line,
        lambda line: line.replace("/shell-snapshots/", "/elsewhere/"),
        lambda line: line.replace(" < /dev/null &&", " < /dev/null; rm -rf ~ &&"),
        lambda line: line.replace("-cwd", "-cwd.sh"),
        lambda line: line.replace(">| /tmp/claude-", ">| $(rm -rf ~)/claude-"),
    ],
)
def test_a_claude_line_with_anything_added_is_not_recognised(tamper: object) -> None:
    line = next(e["line"] for e in RECORDED if e["agent"] == "claude-code")
    assert callable(tamper)
    assert recognise(tamper(line)) is None


@pytest.mark.parametrize(
    "command",
    [
        "echo ok \\",  # a continuation would join the `)` that closes the wrapper
        "cat <<EOF\nno end",  # an open heredoc would swallow the wrapper's end
    ],
)
def test_a_gemini_command_that_could_reach_past_its_subshell_is_not_recognised(
    command: str, tmp_path: Path
) -> None:
    assert recognise(gemini_line(command, tmp_path / "gemini-shell-AbC123")) is None


def test_gemini_line_with_a_command_after_the_exit_is_not_recognised(tmp_path: Path) -> None:
    line = gemini_line("ls", tmp_path / "gemini-shell-AbC123") + "\nrm -rf ~"
    assert recognise(line) is None


def test_claude_snapshot_helpers_are_judged_as_calls_to_claude() -> None:
    text = neutral_setup(SNAPSHOT)
    assert text is not None
    assert '"$_cc_bin"' not in text


def test_a_snapshot_that_points_cc_bin_elsewhere_is_not_neutralised() -> None:
    tampered = SNAPSHOT.replace("local _cc_a\n", "local _cc_a\n  _cc_bin=/bin/rm\n", 1)
    assert neutral_setup(tampered) is None


# ------------------------------------------------------------------ through `safesh -c`


def _snapshot(env: dict[str, str], text: str = SNAPSHOT) -> Path:
    """The recorded snapshot in this test's HOME. Claude's snapshot exports the PATH it saw;
    here that is the test's PATH, so the stubs of destructive programs stay first."""
    text = re.sub(r"^export PATH=.*$", f"export PATH={env['PATH']}", text, flags=re.MULTILINE)
    directory = Path(env["HOME"]) / ".claude" / "shell-snapshots"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "snapshot-bash-1796073454499-h3dxla.sh"
    path.write_text(text)
    return path


def test_claude_prefix_line_runs_the_harmless_command(env: dict[str, str], tmp_path: Path) -> None:
    snapshot = _snapshot(env)
    cwd_file = tmp_path / "claude-ab12-cwd"
    work = tmp_path / "work"
    work.mkdir()
    result = safesh("-c", claude_line("echo hello > ok.txt", snapshot, cwd_file), env=env, cwd=work)
    assert result.returncode == 0, result.stderr
    assert (work / "ok.txt").read_text() == "hello\n"
    assert cwd_file.read_text().strip() == str(work.resolve())


def test_claude_prefix_line_refuses_a_blocked_command_inside(
    env: dict[str, str], tmp_path: Path
) -> None:
    snapshot = _snapshot(env)
    line = claude_line("rm -rf ~", snapshot, tmp_path / "claude-ab12-cwd")
    result = safesh("-c", line, env=env, cwd=tmp_path)
    assert result.returncode == REFUSED
    assert "rm -rf ~" in result.stderr
    assert not (tmp_path / "stub-ran").exists()


def test_a_snapshot_that_redefines_a_command_harmfully_is_not_trusted(
    env: dict[str, str], tmp_path: Path
) -> None:
    snapshot = _snapshot(env, SNAPSHOT + "\nfunction ls { rm -rf ~; }\n")
    line = claude_line("ls", snapshot, tmp_path / "claude-ab12-cwd")
    result = safesh("-c", line, env=env, cwd=tmp_path)
    assert result.returncode == REFUSED
    assert not (tmp_path / "stub-ran").exists()


def _approvals(env: dict[str, str]) -> list[dict[str, str]]:
    listed = safesh("approvals", "--json", env=env)
    value: list[dict[str, str]] = json.loads(listed.stdout)
    return value


@needs_human_session
def test_claude_approval_is_keyed_by_the_command_not_the_temp_names(
    env: dict[str, str], tmp_path: Path
) -> None:
    snapshot = _snapshot(env)
    stub_git = Path(env["PATH"].split(":")[0]) / "git"
    stub_git.write_text(f'#!/bin/sh\necho "git $*" >> "{tmp_path}/git-ran"\n')
    stub_git.chmod(0o755)
    first = safesh(
        "-c", claude_line(ASKS, snapshot, tmp_path / "claude-aaaa-cwd"), env=env, cwd=tmp_path
    )
    assert first.returncode == REFUSED
    pending = _approvals(env)
    assert [p["command"] for p in pending] == [ASKS]
    assert pending[0]["id"] in first.stderr
    approve_as_human(pending[0]["id"], env)
    second_line = claude_line(ASKS, snapshot, tmp_path / "claude-bbbb-cwd")
    second = safesh("-c", second_line, env=env, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    # The preview's read-only probes run git too (with their own -c options): leave them out.
    ran = (tmp_path / "git-ran").read_text().splitlines()
    assert [line for line in ran if "core.fsmonitor=false" not in line] == [f"git {ASKS[4:]}"]
    third = safesh(
        "-c", claude_line(ASKS, snapshot, tmp_path / "claude-cccc-cwd"), env=env, cwd=tmp_path
    )
    assert third.returncode == REFUSED


def test_gemini_wrapper_through_the_shim_is_judged_by_its_command(
    env: dict[str, str], tmp_path: Path
) -> None:
    temp = tmp_path / "gemini-shell-AbC123"
    temp.mkdir()
    first = safesh("-c", gemini_line(ASKS, temp), env=env, cwd=tmp_path)
    assert first.returncode == REFUSED
    pending = _approvals(env)
    assert [p["command"] for p in pending] == [ASKS]
    ok = safesh("-c", gemini_line("echo fine > g.txt", temp), env=env, cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "g.txt").read_text() == "fine\n"


def test_agent_line_is_recorded_with_the_agent_and_its_command(
    env: dict[str, str], tmp_path: Path
) -> None:
    temp = tmp_path / "gemini-shell-AbC123"
    temp.mkdir()
    safesh("-c", gemini_line("echo fine", temp), env=env, cwd=tmp_path)
    log = safesh("log", "--json", env=env)
    events = [json.loads(line) for line in log.stdout.splitlines() if line.strip()]
    assert events and events[-1]["command"] == "echo fine"
    assert events[-1]["agent"] == "gemini-cli"
