"""Where each agent keeps its hook settings, what safesh's entry there looks like, and how to
launch safesh from a settings file or a shim.

Pure data and pure functions over JSON values; reading and writing files is the job of
`safesh.agents.install` and `safesh.agents.doctor`. May import the standard library only.
"""

from __future__ import annotations

import copy
import os
import shlex
import shutil
import site
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from safesh.agents.protocols import canonical_agent
from safesh.record import frozen, replace

# Our hook entries are recognised by this text in their command (also in hand-written ones
# such as `safesh hook claude`), so uninstall never touches anyone else's hooks.
HOOK_SIGNATURE = "safesh hook"
# How long an agent waits for the hook: above the longest a hook call may take
# (safesh.agents.enforcement.HOOK_DEADLINE_S: the judge's own deadline,
# safesh.judge.budget.DEADLINE_SECONDS, plus the audit store's wait for a busy database and
# start-up). An agent whose hook times out runs the command unjudged.
HOOK_TIMEOUT_SECONDS = 30

JSONObject = dict[str, Any]


class SettingsShapeError(ValueError):
    """A settings file is valid JSON but not shaped the way the agent documents it."""


@frozen
class AgentSpec:
    """One agent's hook configuration.

    `user_file` is relative to HOME and `project_file` to the project directory; None means
    the agent has no such level. `event` is the key under "hooks"; `command_keys` are the
    fields of a hook entry that hold the command line.
    """

    name: str
    title: str
    user_file: str | None
    project_file: str
    event: str
    command_keys: tuple[str, ...]
    matcher: str | None
    # Keys the file must carry when safesh creates it (Cursor and Copilot want a version).
    skeleton: tuple[tuple[str, Any], ...] = ()
    # The file is safesh's alone (Copilot reads every .github/hooks/*.json), so uninstalling
    # may delete it once nothing but the skeleton is left.
    owned_file: bool = False
    # Events after the shell tool ran, where the same `safesh hook AGENT` records the outcome.
    post_events: tuple[str, ...] = ()

    def settings_path(self, home: Path, project: Path, *, project_level: bool) -> Path:
        if project_level or self.user_file is None:
            return project / self.project_file
        return home / self.user_file


SPECS: Mapping[str, AgentSpec] = {
    "claude-code": AgentSpec(
        name="claude-code",
        title="Claude Code",
        user_file=".claude/settings.json",
        project_file=".claude/settings.json",
        event="PreToolUse",
        command_keys=("command",),
        matcher="Bash",
        # PostToolUseFailure carries the exit status of a command that failed (2.1.197).
        post_events=("PostToolUse", "PostToolUseFailure"),
    ),
    "gemini-cli": AgentSpec(
        name="gemini-cli",
        title="Gemini CLI",
        user_file=".gemini/settings.json",
        project_file=".gemini/settings.json",
        event="BeforeTool",
        command_keys=("command",),
        matcher="run_shell_command",
        post_events=("AfterTool",),
    ),
    "cursor": AgentSpec(
        name="cursor",
        title="Cursor",
        user_file=".cursor/hooks.json",
        project_file=".cursor/hooks.json",
        event="beforeShellExecution",
        command_keys=("command",),
        matcher=None,
        skeleton=(("version", 1),),
    ),
    "codex": AgentSpec(
        name="codex",
        title="OpenAI Codex CLI",
        user_file=".codex/hooks.json",
        project_file=".codex/hooks.json",
        event="PreToolUse",
        command_keys=("command",),
        matcher="^Bash$",
        post_events=("PostToolUse",),
    ),
    "copilot-cli": AgentSpec(
        name="copilot-cli",
        title="GitHub Copilot CLI",
        # Copilot CLI reads hooks per repository only.
        user_file=None,
        project_file=".github/hooks/safesh.json",
        event="preToolUse",
        command_keys=("bash", "powershell"),
        matcher=None,
        skeleton=(("version", 1),),
        owned_file=True,
    ),
}


def spec_for(agent: str) -> AgentSpec:
    return SPECS[canonical_agent(agent)]


# --------------------------------------------------------------------------------------------
# launching safesh


def default_safesh_argv() -> tuple[str, ...]:
    return safesh_argv(shutil.which("safesh"))


def safesh_argv(entry_point: str | None) -> tuple[str, ...]:
    """An argv prefix that runs safesh from any directory, for settings files and shims.

    The installed `safesh` entry point when there is one on PATH; else this interpreter with
    `-m safesh` (from a source checkout, with the checkout put on PYTHONPATH so the module is
    found from any working directory). `-P` keeps the working directory off sys.path: hooks
    run inside the agent's project, and a `click.py` or `safesh/` there must not replace ours.
    """
    if entry_point:
        return (os.path.abspath(entry_point),)
    root = package_root()
    if root is None or _on_default_path(root):
        return (sys.executable, "-P", "-m", "safesh")
    return ("env", f"PYTHONPATH={root}", sys.executable, "-P", "-m", "safesh")


def package_root() -> str | None:
    """The directory holding the `safesh` package, or None when it cannot be told."""
    module = sys.modules.get("safesh")
    location = getattr(module, "__file__", None)
    if not location:
        return None
    return str(Path(location).resolve().parent.parent)


def _on_default_path(root: str) -> bool:
    # Site directories are on every interpreter start's path; the current directory and
    # PYTHONPATH are not (the agent starts hooks elsewhere, with its own environment).
    sites = [*site.getsitepackages(), site.getusersitepackages()]
    return any(os.path.realpath(s) == root for s in sites)


def hook_command(agent: str, launcher: tuple[str, ...]) -> str:
    """The command line written into an agent's settings."""
    return shlex.join([*launcher, "hook", canonical_agent(agent)])


# --------------------------------------------------------------------------------------------
# settings: pure edits of the parsed JSON


def hook_entry(spec: AgentSpec, command: str) -> JSONObject:
    """The element safesh appends to `hooks[spec.event]`, in the agent's documented shape."""
    if spec.name == "claude-code":
        return {
            "matcher": spec.matcher,
            "hooks": [{"type": "command", "command": command, "timeout": HOOK_TIMEOUT_SECONDS}],
        }
    if spec.name == "codex":
        return {
            "matcher": spec.matcher,
            "hooks": [
                {
                    "type": "command",
                    "command": command,
                    "timeout": HOOK_TIMEOUT_SECONDS,
                    "statusMessage": "safesh: checking command",
                }
            ],
        }
    if spec.name == "gemini-cli":
        return {
            "matcher": spec.matcher,
            "hooks": [
                {
                    "name": "safesh",
                    "type": "command",
                    "command": command,
                    "timeout": HOOK_TIMEOUT_SECONDS * 1000,  # milliseconds in Gemini CLI
                    "description": "safesh: allow / ask / deny shell commands",
                }
            ],
        }
    if spec.name == "cursor":
        return {"command": command}
    return {"type": "command", "bash": command, "timeoutSec": HOOK_TIMEOUT_SECONDS}


def is_ours(hook: object, spec: AgentSpec) -> bool:
    """Whether one hook definition runs `safesh hook`."""
    if not isinstance(hook, dict):
        return False
    return any(
        isinstance(hook.get(key), str) and HOOK_SIGNATURE in hook[key] for key in spec.command_keys
    )


def _groups_nest_hooks(spec: AgentSpec) -> bool:
    """Claude, Codex and Gemini wrap hooks in matcher groups; Cursor and Copilot do not."""
    return spec.matcher is not None


def event_list(settings: JSONObject, spec: AgentSpec) -> list[Any]:
    """`settings.hooks[event]`, checked for shape; an empty list when absent."""
    hooks = settings.get("hooks", {})
    if not isinstance(hooks, dict):
        raise SettingsShapeError('"hooks" is not an object')
    entries = hooks.get(spec.event, [])
    if not isinstance(entries, list):
        raise SettingsShapeError(f'"hooks.{spec.event}" is not a list')
    if _groups_nest_hooks(spec):
        for group in entries:
            if isinstance(group, dict) and not isinstance(group.get("hooks", []), list):
                raise SettingsShapeError(f'a "hooks.{spec.event}[].hooks" is not a list')
    return entries


def our_hooks(settings: JSONObject, spec: AgentSpec) -> list[JSONObject]:
    """Every safesh hook definition in these settings."""
    return [h for h in _all_hooks(event_list(settings, spec), spec) if is_ours(h, spec)]


def command_of(hook: JSONObject, spec: AgentSpec) -> str | None:
    """The (first) command line of one hook definition."""
    for key in spec.command_keys:
        value = hook.get(key)
        if isinstance(value, str):
            return value
    return None


def _all_hooks(entries: list[Any], spec: AgentSpec) -> list[Any]:
    if not _groups_nest_hooks(spec):
        return list(entries)
    nested: list[Any] = []
    for group in entries:
        if isinstance(group, dict):
            nested.extend(group.get("hooks", []))
    return nested


def event_specs(spec: AgentSpec) -> tuple[AgentSpec, ...]:
    """The spec for the pre-execution event, then one per post-execution event."""
    return (spec, *(replace(spec, event=e, post_events=()) for e in spec.post_events))


def without_ours(settings: JSONObject, spec: AgentSpec) -> JSONObject:
    """A copy of `settings` with safesh's hooks removed (from the pre- and post-execution
    events) and nothing else changed, except that a group, event list or "hooks" object left
    empty by the removal goes too."""
    result = copy.deepcopy(settings)
    for one in event_specs(spec):
        result = _without_ours(result, one)
    return result


def _without_ours(settings: JSONObject, spec: AgentSpec) -> JSONObject:
    result = copy.deepcopy(settings)
    entries = event_list(result, spec)
    if not entries:
        return result
    kept: list[Any] = []
    for entry in entries:
        if not _groups_nest_hooks(spec):
            if not is_ours(entry, spec):
                kept.append(entry)
            continue
        if not isinstance(entry, dict):
            kept.append(entry)
            continue
        inner = entry.get("hooks", [])
        remaining = [hook for hook in inner if not is_ours(hook, spec)]
        if len(remaining) == len(inner):
            kept.append(entry)
        elif remaining:
            kept.append({**entry, "hooks": remaining})
    hooks = result["hooks"]
    if kept:
        hooks[spec.event] = kept
    else:
        del hooks[spec.event]
        if not hooks:
            del result["hooks"]
    return result


def with_ours(settings: JSONObject, spec: AgentSpec, command: str) -> JSONObject:
    """`settings` with exactly one safesh hook running `command` on the pre-execution event,
    and one on each post-execution event (which records what happened).

    Already so → returned unchanged (same content, and any timeout the user tuned is kept), so
    a second install writes nothing. Otherwise older or duplicate safesh entries are dropped
    and the new one is appended after the user's own hooks.
    """
    result = copy.deepcopy(settings)
    for one in event_specs(spec):
        result = _with_ours(result, one, command)
    return result


def _with_ours(settings: JSONObject, spec: AgentSpec, command: str) -> JSONObject:
    existing = our_hooks(settings, spec)
    if len(existing) == 1 and command_of(existing[0], spec) == command:
        return copy.deepcopy(settings)
    result = _without_ours(settings, spec)
    for key, value in spec.skeleton:
        result.setdefault(key, value)
    hooks = result.setdefault("hooks", {})
    hooks.setdefault(spec.event, []).append(hook_entry(spec, command))
    return result


def is_skeleton(settings: JSONObject, spec: AgentSpec) -> bool:
    """Whether the settings hold nothing but what safesh puts in a file it creates."""
    return settings == dict(spec.skeleton) or settings == {}
