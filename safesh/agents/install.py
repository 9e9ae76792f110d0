"""Installing and removing `safesh hook AGENT` in an agent's settings file.

The settings file is the user's: the edit is merged (other keys and hooks stay as they are),
the old file is backed up before anything changes, the new one replaces it atomically, and
running the same command twice changes nothing the second time. `safesh install-hook` (in
`safesh.cli.commands.install_hook`) only wires this to the command line.

May import `safesh.agents.settings`, `safesh.agents.protocols` and the standard library; no
front end (cli/, interactive/).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

from safesh.agents.settings import (
    AgentSpec,
    JSONObject,
    SettingsShapeError,
    default_safesh_argv,
    hook_command,
    is_skeleton,
    spec_for,
    with_ours,
    without_ours,
)
from safesh.record import frozen


class SettingsFileError(Exception):
    """The settings file cannot be edited safely; nothing was written."""


@frozen
class Plan:
    """What an install or uninstall will do to one file.

    `after` is the new text, or None to delete the file (only for a file safesh owns).
    """

    path: Path
    before: str | None
    after: str | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


def parse_settings(path: Path, text: str | None) -> JSONObject:
    """The settings as JSON, or SettingsFileError naming the file and line."""
    if text is None or not text.strip():
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise SettingsFileError(
            f"{path}:{error.lineno}:{error.colno}: invalid JSON ({error.msg}); "
            "fix or move the file, nothing was written"
        ) from None
    if not isinstance(value, dict):
        raise SettingsFileError(f"{path}: not a JSON object; nothing was written")
    return value


def render(settings: JSONObject, original: str | None) -> str:
    """JSON text in the file's own indentation (two spaces for a new file)."""
    return json.dumps(settings, indent=_indent_of(original), ensure_ascii=False) + "\n"


def _indent_of(text: str | None) -> int | str:
    if text:
        match = re.search(r"^([ \t]+)\S", text, flags=re.MULTILINE)
        if match:
            whitespace = match.group(1)
            return len(whitespace) if set(whitespace) == {" "} else whitespace
    return 2


def plan_change(
    spec: AgentSpec, path: Path, before: str | None, command: str, *, uninstall: bool
) -> Plan:
    """Pure: the new file content for installing `command` (or removing safesh's hooks)."""
    settings = parse_settings(path, before)
    try:
        edited = without_ours(settings, spec) if uninstall else with_ours(settings, spec, command)
    except SettingsShapeError as error:
        raise SettingsFileError(f"{path}: {error}; nothing was written") from None
    if edited == settings and before is not None:
        return Plan(path, before, before)  # unchanged: leave the bytes exactly as they are
    if before is None and uninstall:
        return Plan(path, None, None)
    if uninstall and spec.owned_file and is_skeleton(edited, spec):
        return Plan(path, before, None)
    return Plan(path, before, render(edited, before))


def read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise SettingsFileError(f"{path}: cannot read ({error}); nothing was written") from None


def apply(plan: Plan, now: float | None = None) -> Path | None:
    """Carry out a plan: back up, then replace or delete. Returns the backup's path."""
    if not plan.changed:
        return None
    # Write through a symlink (dotfile managers link settings files) rather than replace it.
    target = plan.path.resolve() if plan.path.is_symlink() else plan.path
    backup = backup_file(target, now) if plan.before is not None else None
    if plan.after is None:
        target.unlink(missing_ok=True)
    else:
        write_atomically(target, plan.after)
    return backup


def backup_file(path: Path, now: float | None = None) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    backup = path.with_name(f"{path.name}.safesh-backup-{stamp}")
    counter = 1
    while backup.exists():
        backup = path.with_name(f"{path.name}.safesh-backup-{stamp}-{counter}")
        counter += 1
    shutil.copy2(path, backup)
    return backup


def write_atomically(path: Path, text: str, mode: int | None = None) -> None:
    """Readers (the agent, running right now) see the old file or the new one, never half.
    `mode` defaults to the replaced file's mode, or 0o644 for a new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if mode is None:
        try:
            mode = path.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o644
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def notes_for(spec: AgentSpec, settings_text: str | None, *, project_level: bool) -> list[str]:
    """What the user still has to do or know after installing."""
    notes: list[str] = []
    if spec.name == "codex":
        notes.append(
            "Codex runs a new hook only after you trust it, and skips it silently until then: "
            "run `codex`, open /hooks and trust the safesh hooks (then `safesh doctor`)."
        )
    if spec.name in ("claude-code", "codex", "gemini-cli"):
        notes.append(
            f"{spec.title} has no option to stop a command when a hook fails or times out; "
            "safesh's hook itself answers deny on any fault. `safesh doctor` checks for what "
            "would make the hook silently not run."
        )
    if spec.name == "gemini-cli":
        settings = json.loads(settings_text) if settings_text else {}
        config = settings.get("hooksConfig")
        if isinstance(config, dict) and config.get("enabled") is False:
            notes.append("hooksConfig.enabled is false in this file: Gemini will not run hooks.")
        if project_level:
            notes.append("Gemini warns once about the changed project hook; accept it.")
    if spec.name == "cursor" and project_level:
        notes.append("Cursor runs project hooks only in trusted workspaces.")
    return notes


@frozen
class Outcome:
    """What `install_hook` did, as the lines to show the user."""

    path: Path
    changed: bool
    lines: tuple[str, ...]


def install_hook(agent: str, home: Path, cwd: Path, *, project: bool, uninstall: bool) -> Outcome:
    """Add (or with `uninstall` remove) safesh's hook in `agent`'s user settings under `home`,
    or its project settings in `cwd`. Raises UnknownAgentError for an agent safesh does not
    know and SettingsFileError (or OSError) when the file cannot be edited safely."""
    spec = spec_for(agent)
    project_level = project or spec.user_file is None
    lines: list[str] = []
    if project_level and not project:
        lines.append(f"safesh: {spec.title} reads hooks per repository; using this project.")
    path = spec.settings_path(home, cwd, project_level=project_level)
    launcher = default_safesh_argv()
    hook = hook_command(spec.name, launcher)
    before = read_text(path)
    plan = plan_change(spec, path, before, hook, uninstall=uninstall)
    backup = apply(plan)
    if not plan.changed:
        state = "has no safesh hook" if uninstall else "already runs the safesh hook"
        lines.append(f"safesh: {path} {state}; nothing changed.")
        return Outcome(path, False, tuple(lines))
    verb = "removed the safesh hook from" if uninstall else "added the safesh hook to"
    if plan.after is None:
        verb = "removed"
    lines.append(f"safesh: {verb} {path}")
    if backup is not None:
        lines.append(f"  backup: {backup}")
    if not uninstall:
        lines.append(f"  command: {hook}")
        if len(launcher) > 1:
            lines.append("  note: no `safesh` on PATH; the hook runs safesh through this Python.")
        for note in notes_for(spec, plan.after, project_level=project_level):
            lines.append(f"  note: {note}")
    return Outcome(path, True, tuple(lines))
