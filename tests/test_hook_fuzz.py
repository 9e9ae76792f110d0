"""Fuzzing every hook (issue 9): whatever bytes the agent sends, the answer is one the agent's
format accepts, and a line that starts with a blocked command is never let through.

Volume runs in process (`safesh.cli.commands.hook.answer`, the whole hook call but the process
around it); a sample runs through the real entry point, `python -m safesh hook AGENT`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_failclosed import AGENTS, payload, verdict

from safesh.cli.commands import hook as hook_module

ROOT = Path(__file__).resolve().parent.parent
BLOCKED_CORE = "mkfs.ext4 /dev/sda"

# Any code point, lone surrogates included (JSON can carry them as \ud800 escapes).
any_text = st.text(st.characters(blacklist_categories=()), max_size=60)
FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module", autouse=True)
def isolated_user(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Audit records and approval requests go to a throw-away state directory."""
    base = tmp_path_factory.mktemp("fuzz-user")
    env = {
        "HOME": str(base),
        "XDG_CONFIG_HOME": str(base / "config"),
        "XDG_STATE_HOME": str(base / "state"),
        "XDG_CACHE_HOME": str(base / "cache"),
    }
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        yield env


def in_process(agent: str, raw: bytes) -> str:
    answer = hook_module.answer(agent, lambda: raw, dict(os.environ))
    return verdict(agent, answer.stdout, answer.exit_code)


@pytest.mark.parametrize("agent", AGENTS)
@FUZZ
@given(raw=st.binary(max_size=400))
def test_any_payload_bytes_get_a_valid_answer(agent: str, raw: bytes) -> None:
    in_process(agent, raw)


@pytest.mark.parametrize("agent", AGENTS)
@FUZZ
@given(command=any_text)
def test_any_command_text_gets_a_valid_answer(agent: str, command: str) -> None:
    in_process(agent, payload(agent, command))


@pytest.mark.parametrize("agent", AGENTS)
@FUZZ
@given(junk=any_text)
def test_a_blocked_command_stays_stopped_whatever_follows_it(agent: str, junk: str) -> None:
    assert in_process(agent, payload(agent, f"{BLOCKED_CORE}; {junk}")) not in ("allow", "none")


@pytest.mark.parametrize("agent", AGENTS)
@FUZZ
@given(suffix=any_text)
def test_a_blocked_production_target_with_any_spelling_stays_stopped(
    agent: str, suffix: str
) -> None:
    # The target word is quoted into the reason text, so this is where odd characters reach
    # the answer the agent parses.
    word = "'prod-" + suffix.replace("'", "") + "'"
    assert in_process(agent, payload(agent, f"kubectl delete ns {word}")) not in ("allow", "none")


@pytest.mark.parametrize("agent", AGENTS)
@FUZZ
@given(data=st.data())
def test_a_mangled_payload_of_a_blocked_command_is_a_valid_answer(
    agent: str, data: st.DataObject
) -> None:
    raw = bytearray(payload(agent, BLOCKED_CORE))
    for _ in range(data.draw(st.integers(1, 4))):
        index = data.draw(st.integers(0, len(raw)))
        raw[index:index] = data.draw(st.binary(min_size=1, max_size=4))
    in_process(agent, bytes(raw))


@pytest.mark.parametrize("agent", AGENTS)
@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(junk=any_text, noise=st.binary(max_size=8))
def test_through_the_real_entry_point(
    agent: str, junk: str, noise: bytes, isolated_user: dict[str, str]
) -> None:
    env = {**os.environ, **isolated_user, "PYTHONPATH": str(ROOT)}
    raw = payload(agent, f"{BLOCKED_CORE}; {junk}") + noise  # trailing bytes: maybe unreadable
    result = subprocess.run(
        [sys.executable, "-m", "safesh", "hook", agent],
        input=raw,
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert verdict(agent, result.stdout, result.returncode) not in ("allow", "none")


def test_the_fuzz_answers_are_not_all_denies() -> None:
    """The oracle can tell answers apart: an allowed command is allowed."""
    assert in_process("claude-code", payload("claude-code", "ls -la")) == "allow"
    assert json.loads(payload("cursor", "ls"))["command"] == "ls"
