"""`safesh hook AGENT` and a command the agent keeps alive and types into later.

Codex CLI (0.171.0, recorded with the real client against a fake model) runs `exec_command`
with `tty: true` in a terminal and writes to it with `write_stdin`; the PreToolUse hook fires
for exec_command only, with `tool_input.command` alone (no `tty`), and never for write_stdin.
So the hook must judge the start: a program that runs what is typed at it asks (Codex: a deny
naming the approval request), and the same program given what to run passes. Copilot CLI's
`write_bash` reaches its hook (every tool does): what it types is judged as command lines.
Claude Code and Gemini CLI give every command /dev/null as its input, so a bare start is
judged as before. Each test runs the real hook in a subprocess with the agent's payload.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import hookkit
import pytest
from userkit import safesh, user_environment

# The editor variables of whoever runs the tests: the hook's own environment is the agent's.
_EDITORS = ("GIT_EDITOR", "GIT_SEQUENCE_EDITOR", "VISUAL", "EDITOR", "KUBE_EDITOR")


def run_hook(
    agent: str, data: dict[str, Any], tmp_path: Path, **extra: str
) -> subprocess.CompletedProcess[str]:
    """The hook as the agent starts it, by a user of its own under `tmp_path`, with `extra`
    variables in the agent's environment."""
    env = user_environment(tmp_path, ())
    env.pop("CODEX_HOME", None)
    for name in _EDITORS:
        env.pop(name, None)
    env.update(extra)
    return safesh("hook", agent, env=env, cwd=tmp_path, stdin=json.dumps(data))


def payload(agent: str, command: str, cwd: Path) -> dict[str, Any]:
    return hookkit.payload(agent, command, cwd)


def verdict(agent: str, result: subprocess.CompletedProcess[str]) -> str:
    """allow / ask / deny, read from the agent's own answer format."""
    out = result.stdout.strip()
    if agent in ("codex", "copilot-cli") and (not out or json.loads(out) == {}):
        return "allow"
    answer = json.loads(out)
    if agent == "cursor":
        return str(answer["permission"])
    if agent == "gemini-cli":
        return str(answer["decision"])
    if agent == "copilot-cli":
        return str(answer["permissionDecision"])
    return str(answer["hookSpecificOutput"]["permissionDecision"])


def decision(agent: str, command: str, tmp_path: Path) -> str:
    return verdict(agent, run_hook(agent, payload(agent, command, tmp_path), tmp_path))


@pytest.mark.parametrize(
    "start",
    ["bash", "python3", "psql app", "ssh web1", "docker exec -it web sh", "sudo -u postgres psql"],
)
def test_codex_denies_a_start_whose_later_input_it_would_never_see(
    start: str, tmp_path: Path
) -> None:
    result = run_hook("codex", payload("codex", start, tmp_path), tmp_path)
    assert verdict("codex", result) == "deny", start
    assert result.returncode == 2
    reason = json.loads(result.stdout)["hookSpecificOutput"]["permissionDecisionReason"]
    assert "core.live-input" in reason
    assert "safesh approve" in reason  # a human can still let it through


@pytest.mark.parametrize(
    "told",
    ["bash -c 'make test'", "python3 manage.py check", "psql app -c 'select 1'",
     "ssh web1 uptime", "python3 <<'EOF'\nprint(1)\nEOF", "git status"],
)  # fmt: skip
def test_codex_allows_the_same_programs_told_what_to_run(told: str, tmp_path: Path) -> None:
    assert decision("codex", told, tmp_path) == "allow", told


@pytest.mark.parametrize("agent", ["claude-code", "gemini-cli"])
def test_agents_that_give_commands_no_input_judge_a_bare_start_as_before(
    agent: str, tmp_path: Path
) -> None:
    assert decision(agent, "python3", tmp_path) == "allow"


def test_cursor_asks_for_a_bare_shell(tmp_path: Path) -> None:
    # Cursor's hook cannot say whether its agent can type into a running command.
    assert decision("cursor", "bash", tmp_path) == "ask"


def test_copilot_denies_a_bare_interpreter(tmp_path: Path) -> None:
    assert decision("copilot-cli", "python3", tmp_path) == "deny"


def typed(text: object, tmp_path: Path) -> str:
    data = payload("copilot-cli", "unused", tmp_path)
    data["toolName"] = "write_bash"
    data["toolArgs"] = json.dumps({"shellId": "1", "input": text, "delay": 5})
    return verdict("copilot-cli", run_hook("copilot-cli", data, tmp_path))


def test_copilot_typing_a_destructive_line_into_a_session_is_denied(tmp_path: Path) -> None:
    assert typed("kubectl delete namespace prod\n", tmp_path) == "deny"


def test_copilot_typing_an_answer_or_an_ordinary_line_passes(tmp_path: Path) -> None:
    assert typed("y\n", tmp_path) == "allow"
    assert typed("ls -la\n", tmp_path) == "allow"


def test_copilot_typing_that_cannot_be_read_is_denied(tmp_path: Path) -> None:
    assert typed(None, tmp_path) == "deny"


@pytest.mark.parametrize(
    ("opens", "told"),
    [("git commit", "git commit -m 'fix: parser'"),
     ("git rebase -i HEAD~3", "git rebase main"),
     ("kubectl edit deploy/api", "kubectl get deploy/api"),
     ("docker run -it ubuntu", "docker run --rm ubuntu echo hi"),
     ("perl -e 'eval <STDIN>'", "perl -ne 'print if /x/' app.log"),
     ("python3 -c 'import code; code.interact()'", "python3 -c 'print(1)'"),
     ("cat | python3", "cat setup.py | python3 -m json.tool")],
)  # fmt: skip
def test_codex_denies_what_another_program_opens_for_typing_and_allows_it_told_what_to_do(
    opens: str, told: str, tmp_path: Path
) -> None:
    assert decision("codex", opens, tmp_path) == "deny", opens
    assert decision("codex", told, tmp_path) == "allow", told


def test_codex_with_a_non_interactive_editor_in_its_environment_may_commit(
    tmp_path: Path,
) -> None:
    result = run_hook(
        "codex", payload("codex", "git commit", tmp_path), tmp_path, GIT_EDITOR="true"
    )
    assert verdict("codex", result) == "allow"


def test_claude_codes_git_commit_is_judged_as_before(tmp_path: Path) -> None:
    # Claude Code gives commands /dev/null: an editor opened there reads nothing typed
    assert decision("claude-code", "git commit", tmp_path) == "allow"


@pytest.mark.parametrize("agent", ["claude-code", "codex", "gemini-cli"])
def test_a_pagers_start_up_shell_command_is_judged_for_every_agent(
    agent: str, tmp_path: Path
) -> None:
    assert decision(agent, "less '+!rm -rf ~' app.log", tmp_path) == "deny"
