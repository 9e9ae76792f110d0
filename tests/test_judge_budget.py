"""The judge's budget: a line too large to judge, or not judged by the deadline, gets the
fail-closed answer in each front end's own format (never a late answer, never an allow).

No wall-clock asserts: the deadline is forced by SAFESH_JUDGE_DEADLINE (which may only shorten
it) or by an input over the size cap."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from userkit import user_environment

from safesh.agents.enforcement import HOOK_DEADLINE_S
from safesh.agents.settings import HOOK_TIMEOUT_SECONDS
from safesh.judge.budget import (
    DEADLINE_SECONDS,
    MAX_INPUT_CHARS,
    TOO_LARGE,
    TOO_SLOW,
    Deadline,
    bounded,
    bounded_check,
    deadline_seconds,
    judge_on_main_thread,
    settled,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "agent-protocols"
STUBBED = ("rm", "dd", "shred")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return user_environment(tmp_path, STUBBED, PYTHONPATH=str(ROOT))


def run(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "safesh", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def claude_payload(command: str, cwd: Path) -> str:
    data = json.loads((FIXTURES / "claude-pretooluse-input.json").read_text())
    data["cwd"] = str(cwd)
    data["tool_input"]["command"] = command
    return json.dumps(data)


def codex_payload(command: str, cwd: Path) -> str:
    data = json.loads((FIXTURES / "codex-pretooluse-input.json").read_text())
    data["cwd"] = str(cwd)
    data["tool_input"]["command"] = command
    return json.dumps(data)


def long_pipeline() -> str:
    """Benign, under the size cap, and far more than a few milliseconds of work."""
    return " | ".join(["cat"] * 30000)


def test_the_deadline_sits_well_inside_every_agents_hook_timeout() -> None:
    # The judge's deadline, then the audit store's wait and start-up, all within the timeout.
    assert DEADLINE_SECONDS * 2 < HOOK_DEADLINE_S <= HOOK_TIMEOUT_SECONDS


def test_the_environment_may_shorten_the_deadline_but_never_lengthen_it() -> None:
    assert deadline_seconds({"SAFESH_JUDGE_DEADLINE": "0.5"}) == 0.5
    assert deadline_seconds({"SAFESH_JUDGE_DEADLINE": "600"}) == DEADLINE_SECONDS
    assert deadline_seconds({"SAFESH_JUDGE_DEADLINE": "nan"}) == DEADLINE_SECONDS
    assert deadline_seconds({"SAFESH_JUDGE_DEADLINE": "soon"}) == DEADLINE_SECONDS
    assert deadline_seconds({"SAFESH_JUDGE_DEADLINE": "-1"}) == 0.0


def test_a_line_over_the_size_cap_asks_without_being_judged() -> None:
    report = bounded_check("ls " + "a" * MAX_INPUT_CHARS, cwd="/tmp", env={"HOME": "/tmp"})
    assert report.decision == "ask"
    assert [f.rule_id for f in report.findings] == [TOO_LARGE]


def test_a_line_still_being_judged_at_the_deadline_asks() -> None:
    report = bounded_check(
        long_pipeline(), cwd="/tmp", env={"HOME": "/tmp"}, deadline=Deadline(0.01)
    )
    assert report.decision == "ask"
    assert [f.rule_id for f in report.findings] == [TOO_SLOW]


def test_a_deadline_already_passed_asks_even_for_a_harmless_line() -> None:
    report = bounded_check("ls", cwd="/tmp", env={"HOME": "/tmp"}, deadline=Deadline(0))
    assert (report.decision, report.findings[0].rule_id) == ("ask", TOO_SLOW)


def test_a_line_judged_in_time_keeps_its_own_answer() -> None:
    report = bounded_check("rm -rf /", cwd="/tmp", env={"HOME": "/tmp"}, deadline=Deadline(60))
    assert report.decision == "block"


def test_consecutive_lines_are_judged_by_the_same_waiting_thread() -> None:
    """Not a new thread per line: on a busy machine a new one waits its turn to be scheduled
    (milliseconds), a parked one wakes at once."""

    def judging_thread(line: str) -> int:
        return bounded(
            line,
            lambda _ruleset: threading.get_native_id(),
            lambda _late: -1,
            cwd="/tmp",
            env={"HOME": "/tmp"},
            deadline=Deadline(60),
        )

    seen = {judging_thread(line) for line in ("ls", "git status", "rm -rf /", "echo hi")}
    assert len(seen) == 1
    assert seen.isdisjoint({-1, threading.get_native_id()})


def test_a_forked_child_judges_without_the_parents_threads() -> None:
    """Threads do not survive a fork: a child handed a line to a thread it does not have would
    wait for the deadline and ask. It must judge the line itself (a block stays a block)."""
    bounded_check("ls", cwd="/tmp", env={"HOME": "/tmp"}, deadline=Deadline(60))
    pid = os.fork()
    if pid == 0:
        try:
            report = bounded_check(
                "rm -rf /", cwd="/tmp", env={"HOME": "/tmp"}, deadline=Deadline(60)
            )
            os._exit(0 if report.decision == "block" else 1)
        finally:
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def in_a_child(check: Callable[[], bool]) -> bool:
    """`check()` run in a forked child (whose signals it may change); whether it said yes."""
    pid = os.fork()
    if pid == 0:
        try:
            os._exit(0 if check() else 1)
        finally:
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


def test_a_judge_child_judges_on_its_own_thread() -> None:
    """No hand-over to another thread (on a busy machine it waits its turn to be scheduled)."""

    def judged_here() -> bool:
        judge_on_main_thread()
        thread = bounded(
            "ls",
            lambda _ruleset: threading.get_native_id(),
            lambda _late: -1,
            cwd="/tmp",
            env={"HOME": "/tmp"},
            deadline=Deadline(60),
        )
        block = bounded_check("rm -rf /", cwd="/tmp", env={"HOME": "/tmp"}, deadline=Deadline(60))
        return thread == threading.get_native_id() and block.decision == "block" and settled()

    assert in_a_child(judged_here)


def test_a_judge_child_cuts_a_line_short_at_the_deadline_and_serves_no_more() -> None:
    def cut_short() -> bool:
        judge_on_main_thread()

        def forever(_ruleset: object) -> str:
            while True:
                pass

        answer = bounded("ls", forever, lambda late: late.decision, deadline=Deadline(0.2))
        return answer == "ask" and not settled()

    assert in_a_child(cut_short)


def test_claude_hook_past_the_deadline_asks_in_claudes_format(
    env: dict[str, str], tmp_path: Path
) -> None:
    late = {**env, "SAFESH_JUDGE_DEADLINE": "0"}
    result = run(["hook", "claude-code"], late, claude_payload("ls", tmp_path))
    inner = json.loads(result.stdout)["hookSpecificOutput"]
    assert (inner["permissionDecision"], result.returncode) == ("ask", 0)
    assert TOO_SLOW in inner["permissionDecisionReason"]


def test_codex_hook_past_the_deadline_denies_since_codex_cannot_ask(
    env: dict[str, str], tmp_path: Path
) -> None:
    result = run(
        ["hook", "codex"], {**env, "SAFESH_JUDGE_DEADLINE": "0"}, codex_payload("ls", tmp_path)
    )
    inner = json.loads(result.stdout)["hookSpecificOutput"]
    assert (inner["permissionDecision"], result.returncode) == ("deny", 2)


def test_hook_with_a_line_over_the_cap_asks(env: dict[str, str], tmp_path: Path) -> None:
    line = "echo " + "x" * (MAX_INPUT_CHARS + 1)
    result = run(["hook", "claude-code"], env, claude_payload(line, tmp_path))
    inner = json.loads(result.stdout)["hookSpecificOutput"]
    assert inner["permissionDecision"] == "ask"
    assert TOO_LARGE in inner["permissionDecisionReason"]


def test_shell_past_the_deadline_refuses_and_runs_nothing(
    env: dict[str, str], tmp_path: Path
) -> None:
    result = run(["-c", "rm -f x"], {**env, "SAFESH_JUDGE_DEADLINE": "0"})
    assert result.returncode == 77
    assert TOO_SLOW in result.stderr
    assert not (tmp_path / "stub-ran").exists()


def test_shell_past_the_deadline_leaves_an_approval_request(env: dict[str, str]) -> None:
    result = run(["-c", "echo hi"], {**env, "SAFESH_JUDGE_DEADLINE": "0"})
    assert result.returncode == 77
    assert "safesh approve" in result.stderr
    assert result.stdout == ""
