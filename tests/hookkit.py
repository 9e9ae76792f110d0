"""The agents' hook payloads, from the recorded fixtures, for a command in a directory: what
each agent writes to `safesh hook AGENT`'s standard input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures" / "agent-protocols"
INPUTS = {
    "claude-code": "claude-pretooluse-input.json",
    "gemini-cli": "gemini-beforetool-input.json",
    "cursor": "cursor-beforeshellexecution-input.json",
    "codex": "codex-pretooluse-input.json",
    "copilot-cli": "copilot-pretooluse-input.json",
}


def payload(agent: str, command: str, cwd: Path) -> dict[str, Any]:
    """`agent`'s pre-execution payload for `command` run in `cwd`."""
    data: dict[str, Any] = json.loads((FIXTURES / INPUTS[agent]).read_text())
    data["cwd"] = str(cwd)
    if agent == "cursor":
        data["command"] = command
    elif agent == "copilot-cli":
        data["toolArgs"] = json.dumps({"command": command})
    else:
        data["tool_input"]["command"] = command
        data["tool_input"].pop("dir_path", None)
    return data
