"""What makes an installed hook silently not run, agent by agent, from the agents' own files.

Every agent below runs the command when its hook does not run at all, and says nothing:
- Codex runs a non-managed hook only after the user trusted its hash in `/hooks` (stored in
  `config.toml` as `[hooks.state."<hooks file>:pre_tool_use:<group>:<hook>"] trusted_hash`);
  `codex exec` skips an untrusted one. `[features] hooks = false` turns hooks off.
- Claude Code skips every hook under `disableAllHooks: true` (any settings level), and user
  and project hooks under a managed `allowManagedHooksOnly: true`.
- Gemini CLI skips hooks under `hooksConfig.enabled: false`, and with folder trust on
  (`security.folderTrust.enabled`) it ignores project settings in an untrusted folder.
- A matcher that does not match the shell tool's name (`Bash` in Claude Code 2.1.197 and
  Codex 0.171.0, `run_shell_command` in Gemini CLI 0.61.0) never fires.
- A hook timeout shorter than safesh may need (`HOOK_DEADLINE_S`) ends the hook, and a timed
  out hook lets the command run.

Functions here read files and return problems as sentences (`safesh doctor` shows them);
`install-hook` prints the steps a user must take by hand. No client here has a "fail closed
when the hook fails" option in the versions verified (searched in Claude Code 2.1.197, Codex
0.171.0 and Gemini CLI 0.61.0), so safesh's own hook fails closed instead.

May import safesh.agents.settings / protocols and the standard library; never a front end.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from safesh.agents.settings import AgentSpec, JSONObject, event_specs, is_ours

# The longest one hook call of safesh may take: the audit store waits up to 15 s for a busy
# database, plus judging. A timeout below this can cut safesh off, and the agent then runs
# the command.
HOOK_DEADLINE_S = 20.0

# The shell tool's name each agent puts in the hook payload, per event (verified versions in
# the module docstring).
SHELL_TOOL_NAME: Mapping[str, str] = {
    "claude-code": "Bash",
    "codex": "Bash",
    "gemini-cli": "run_shell_command",
}

# Seconds per unit of each agent's `timeout` field.
_TIMEOUT_UNIT: Mapping[str, tuple[str, float]] = {
    "claude-code": ("timeout", 1.0),
    "codex": ("timeout", 1.0),
    "gemini-cli": ("timeout", 0.001),
    "copilot-cli": ("timeoutSec", 1.0),
}

_CODEX_EVENT_KEY = {"PreToolUse": "pre_tool_use", "PostToolUse": "post_tool_use"}


# ------------------------------------------------------------------ every agent


def hook_problems(spec: AgentSpec, settings: JSONObject) -> list[str]:
    """Matchers and timeouts of safesh's hooks in one settings file."""
    problems: list[str] = []
    for one in event_specs(spec):
        for group, hook in _our_entries(settings, one):
            matcher = group.get("matcher") if group is not None else None
            problem = matcher_problem(spec.name, one.event, matcher)
            if problem:
                problems.append(problem)
            problem = timeout_problem(spec.name, hook)
            if problem:
                problems.append(problem)
    return problems


def matcher_problem(agent: str, event: str, matcher: object) -> str | None:
    """Why a group's matcher would not fire for the agent's shell tool, or None."""
    tool = SHELL_TOOL_NAME.get(agent)
    if tool is None or matcher is None:
        return None
    if not isinstance(matcher, str):
        return f"the {event} matcher is not a string, so the hook may never run"
    if matcher_matches(matcher, tool):
        return None
    return (
        f"the {event} matcher {matcher!r} does not match the shell tool's name {tool!r}, "
        "so the hook never runs"
    )


def matcher_matches(matcher: str, tool: str) -> bool:
    """Claude Code, Codex and Gemini CLI: empty or `*` is every tool; a `|` / `,` list of
    names is an exact list; anything else is a regular expression searched in the name."""
    if matcher in ("", "*"):
        return True
    if re.fullmatch(r"[A-Za-z0-9_]+(?:\s*[|,]\s*[A-Za-z0-9_]+)*", matcher):
        return tool in re.split(r"\s*[|,]\s*", matcher)
    try:
        return re.search(matcher, tool) is not None
    except re.error:
        return False


def timeout_problem(agent: str, hook: JSONObject) -> str | None:
    unit = _TIMEOUT_UNIT.get(agent)
    if unit is None:
        return None
    key, seconds_per_unit = unit
    value = hook.get(key)
    if value is None:
        return None  # the agent's default (30 s or more) applies
    if not isinstance(value, int | float) or isinstance(value, bool):
        return f"the hook's {key} {value!r} is not a number"
    seconds = value * seconds_per_unit
    if seconds >= HOOK_DEADLINE_S:
        return None
    return (
        f"the hook's {key} is {value} ({seconds:g} s), shorter than the {HOOK_DEADLINE_S:g} s "
        "safesh may need; a timed-out hook lets the command run"
    )


def _our_entries(
    settings: JSONObject, spec: AgentSpec
) -> list[tuple[JSONObject | None, JSONObject]]:
    hooks = settings.get("hooks")
    entries = hooks.get(spec.event) if isinstance(hooks, dict) else None
    if not isinstance(entries, list):
        return []
    found: list[tuple[JSONObject | None, JSONObject]] = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        if spec.matcher is None:
            if is_ours(entry, spec):
                found.append((None, entry))
            continue
        inner = entry.get("hooks")
        for hook in inner if isinstance(inner, list) else []:
            if is_ours(hook, spec):
                found.append((entry, hook))
    return found


# ------------------------------------------------------------------ Claude Code


def claude_settings_files(home: Path, project: Path) -> list[Path]:
    config = Path(os.environ.get("CLAUDE_CONFIG_DIR", str(home / ".claude")))
    return [
        config / "settings.json",
        project / ".claude" / "settings.json",
        project / ".claude" / "settings.local.json",
        Path("/etc/claude-code/managed-settings.json"),
    ]


def claude_problems(files: Sequence[Path]) -> list[str]:
    """`disableAllHooks` anywhere, or a managed `allowManagedHooksOnly`."""
    problems: list[str] = []
    for file in files:
        settings = _read_json(file)
        if settings.get("disableAllHooks") is True:
            problems.append(f"{file} sets disableAllHooks, so Claude Code runs no hooks")
        if settings.get("allowManagedHooksOnly") is True and "managed" in file.name:
            problems.append(
                f"{file} sets allowManagedHooksOnly, so Claude Code ignores user and project hooks"
            )
    return problems


# ------------------------------------------------------------------ Codex


def codex_home(home: Path, env: Mapping[str, str]) -> Path:
    return Path(env.get("CODEX_HOME") or home / ".codex")


def codex_problems(hooks_file: Path, settings: JSONObject, config_file: Path) -> list[str]:
    """Untrusted safesh hooks in `hooks_file`, or hooks turned off in `config.toml`."""
    config = _read_toml(config_file)
    problems: list[str] = []
    features = config.get("features")
    if isinstance(features, dict) and features.get("hooks") is False:
        problems.append(f"{config_file} sets [features] hooks = false, so Codex runs no hooks")
    state = (
        config.get("hooks", {}).get("state", {}) if isinstance(config.get("hooks"), dict) else {}
    )
    for key in codex_hook_keys(hooks_file, settings):
        entry = state.get(key) if isinstance(state, dict) else None
        if not (isinstance(entry, dict) and isinstance(entry.get("trusted_hash"), str)):
            problems.append(
                f"Codex has not trusted the safesh hook ({key}) and silently skips it: run "
                "`codex`, open /hooks and trust it"
            )
        elif entry.get("enabled") is False:
            problems.append(f"the safesh hook is disabled in {config_file} ({key})")
    return problems


def codex_hook_keys(hooks_file: Path, settings: JSONObject) -> list[str]:
    """The keys under which Codex stores the trust of safesh's hooks in this file:
    `<absolute file>:<event in snake case>:<group index>:<hook index>`."""
    hooks = settings.get("hooks")
    keys: list[str] = []
    if not isinstance(hooks, dict):
        return keys
    for event, snake in _CODEX_EVENT_KEY.items():
        groups = hooks.get(event)
        for i, group in enumerate(groups if isinstance(groups, list) else []):
            inner = group.get("hooks") if isinstance(group, dict) else None
            for j, hook in enumerate(inner if isinstance(inner, list) else []):
                if isinstance(hook, dict) and "safesh hook" in str(hook.get("command", "")):
                    keys.append(f"{hooks_file.absolute()}:{snake}:{i}:{j}")
    return keys


# ------------------------------------------------------------------ Gemini CLI


def gemini_problems(settings: JSONObject, home: Path, project: Path) -> list[str]:
    problems: list[str] = []
    config = settings.get("hooksConfig")
    if isinstance(config, dict) and config.get("enabled") is False:
        problems.append("hooksConfig.enabled is false, so Gemini runs no hooks")
    user = _read_json(home / ".gemini" / "settings.json")
    security = user.get("security")
    trust = security.get("folderTrust") if isinstance(security, dict) else None
    trusting = isinstance(trust, dict) and trust.get("enabled") is True
    if trusting and not gemini_folder_trusted(home / ".gemini" / "trustedFolders.json", project):
        problems.append(
            f"folder trust is on and {project} is not a trusted folder, so Gemini ignores "
            "this project's settings and hooks (trust the folder in Gemini, /permissions)"
        )
    return problems


def gemini_folder_trusted(file: Path, folder: Path) -> bool:
    rules = _read_json(file)
    target = folder.absolute()
    best: tuple[int, str] | None = None
    for path, level in rules.items():
        rule = Path(path)
        if level == "TRUST_PARENT":
            rule = rule.parent
        if target == rule or rule in target.parents:
            depth = len(rule.parts)
            if best is None or depth > best[0]:
                best = (depth, str(level))
    return best is not None and best[1] in ("TRUST_FOLDER", "TRUST_PARENT")


# ------------------------------------------------------------------ files


def _read_json(file: Path) -> dict[str, Any]:
    try:
        value = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _read_toml(file: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
