"""Family: an agent taking its own guard away by mistake, other than through safesh's own
commands and files (those are test_nested_safesh.py and the safesh.* rules).

- Uninstalling the package (`pip uninstall safesh`, `pipx`, `uv tool`, `brew`, `conda`): every
  hook then names a missing program, and an agent whose hook command is missing runs the
  command anyway.
- Replacing, unlinking or re-permissioning the `safesh` program where it is installed
  (`~/.local/bin/safesh`, `$(which safesh)`, a venv's `site-packages/safesh`).
- Starting a coding agent with its approvals or sandbox switched off
  (`claude --dangerously-skip-permissions`, `codex --yolo`, `gemini -y`), or switching its
  hooks off through its own CLI.
- A program looked up on PATH (`rm $(which python3)`) is judged as the installed program it is.
"""

from __future__ import annotations

import pytest
from judgekit import stops

GUARD_REMOVED = [
    "pip uninstall -y safesh",
    "pip3 uninstall safesh requests",
    "python3 -m pip uninstall --yes safesh",
    "sudo pip uninstall safesh==0.1",
    "pipx uninstall safesh",
    "uv tool uninstall safesh",
    "uv pip uninstall safesh",
    "brew uninstall safesh",
    "conda remove -y safesh",
    "rm $(which safesh)",
    'rm -f "$(command -v safesh)"',
    "rm -f `which safesh`",
    "chmod -x ~/.local/bin/safesh",
    "ln -sf /bin/true ~/.local/bin/safesh",
    "cp /bin/true $(command -v safesh)",
    "mv /usr/local/bin/safesh /tmp/",
    "rm -rf .venv/lib/python3.11/site-packages/safesh",
    "echo 'exit 0' > ~/.local/bin/safesh",
]

AGENT_UNGUARDED = [
    "claude --dangerously-skip-permissions",
    "claude -p 'clean up the repo' --dangerously-skip-permissions",
    "claude --permission-mode bypassPermissions -p fix",
    "claude --permission-mode=bypassPermissions",
    "claude config set -g disableAllHooks true",
    "codex --dangerously-bypass-approvals-and-sandbox exec 'tidy up'",
    "codex exec --yolo 'fix it'",
    "codex -s danger-full-access -a never exec 'migrate'",
    "codex --sandbox=danger-full-access",
    "gemini --yolo -p 'delete old data'",
    "gemini -y -p x",
    "gemini --approval-mode=yolo",
    "cursor-agent --force -p 'deploy'",
    "copilot --allow-all-tools -p 'clean'",
    "nohup claude --dangerously-skip-permissions -p 'run overnight' &",
]

PROGRAMS_DELETED = [
    "rm $(which python3)",
    "sudo rm -f `which docker`",
    'rm "$(command -v git)"',
]

EVERYDAY = [
    "pip install safesh",
    "pipx upgrade safesh",
    "uv tool install safesh",
    "pip show safesh",
    "pip uninstall -y requests",
    "which safesh",
    "ls -la $(which safesh)",
    "safesh --version",
    "cat bin/safesh",
    "rm -rf build/lib/safesh",
    "claude -p 'explain this repo'",
    "claude --permission-mode plan",
    "codex exec 'write tests'",
    "codex -s workspace-write -a on-request",
    "gemini -p 'summarise'",
    "gemini --approval-mode auto_edit",
    "cursor-agent -p 'review'",
    "ls -la $(which python3)",
    "cp $(which python3) ./py",
    "file $(which node)",
]


@pytest.mark.parametrize("line", GUARD_REMOVED)
def test_removing_or_replacing_the_guard_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", AGENT_UNGUARDED)
def test_starting_an_agent_with_its_approvals_off_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", PROGRAMS_DELETED)
def test_deleting_a_program_looked_up_on_path_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", EVERYDAY)
def test_everyday_work_with_safesh_and_agents_runs(line: str) -> None:
    assert not stops(line), line
