"""What `safesh doctor` checks: is safesh actually in the path of the commands agents run?

Per agent: is the hook in its user / project settings, and would the command there start?
Then: are the shims first on PATH, which real shell safesh hands over to, do the rules load.
Read-only, local and quick. `safesh.cli.commands.doctor` wires `run_checks` to click.

The checks for what makes an installed hook silently not run (trust, hooks turned off,
matchers, timeouts) are in `safesh.agents.enforcement`.

May import `safesh.agents` (settings, protocols, install for reading settings files),
`safesh.execute` (shims and the real shell), `safesh.rules` (lazily) and the standard library;
no front end (cli/, interactive/).
"""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

from safesh.agents.enforcement import (
    claude_problems,
    claude_settings_files,
    codex_home,
    codex_problems,
    gemini_problems,
    hook_problems,
)
from safesh.agents.install import SettingsFileError, parse_settings, read_text
from safesh.agents.protocols import canonical_agent
from safesh.agents.settings import (
    SPECS,
    AgentSpec,
    JSONObject,
    SettingsShapeError,
    command_of,
    our_hooks,
)
from safesh.execute import find_real_shell, is_shim, real_shell_of
from safesh.record import frozen

Status = Literal["ok", "off", "problem"]


@frozen
class Check:
    """One line of the report. `off` is neutral (not set up), `problem` needs fixing."""

    area: str
    status: Status
    message: str


# ------------------------------------------------------------------ agents' settings


def agent_checks(
    spec: AgentSpec,
    home: Path,
    project: Path,
    path: str,
    env: Mapping[str, str] | None = None,
) -> list[Check]:
    levels: list[tuple[str, Path]] = []
    if spec.user_file is not None:
        levels.append(("user", home / spec.user_file))
    project_file = project / spec.project_file
    # Run from HOME, the project file is the user file: report it once.
    if not any(file == project_file for _, file in levels):
        levels.append(("project", project_file))
    where = Where(home, project, env or {})
    return [settings_check(spec, level, file, path, where) for level, file in levels]


@frozen
class Where:
    """Where the agents' other files are (trust, feature switches) for one doctor run."""

    home: Path
    project: Path
    env: Mapping[str, str]


def silent_gaps(spec: AgentSpec, file: Path, settings: JSONObject, where: Where) -> list[str]:
    """What would make this installed hook silently not run (see safesh.agents.enforcement)."""
    problems = hook_problems(spec, settings)
    if spec.name == "claude-code":
        problems += claude_problems(claude_settings_files(where.home, where.project))
    elif spec.name == "codex":
        config = codex_home(where.home, where.env) / "config.toml"
        problems += codex_problems(file, settings, config)
    elif spec.name == "gemini-cli":
        problems += gemini_problems(settings, where.home, where.project)
    return problems


def settings_check(
    spec: AgentSpec, level: str, file: Path, path: str, where: Where | None = None
) -> Check:
    area = f"{spec.name} ({level})"
    try:
        text = read_text(file)
        if text is None:
            return Check(area, "off", f"no {file}")
        settings = parse_settings(file, text)
        hooks = our_hooks(settings, spec)
    except SettingsFileError as error:
        return Check(area, "problem", str(error).replace("; nothing was written", ""))
    except SettingsShapeError as error:
        return Check(area, "problem", f"{file}: {error}")
    if not hooks:
        return Check(area, "off", f"{file} has no safesh hook (safesh install-hook {spec.name})")
    problems = [p for hook in hooks if (p := hook_problem(spec, command_of(hook, spec), path))]
    where = where or Where(Path.home(), Path.cwd(), os.environ)
    problems += silent_gaps(spec, file, settings, where)
    if len(hooks) > 1:
        problems.append(f"{len(hooks)} safesh hooks; re-run `safesh install-hook {spec.name}`")
    if problems:
        return Check(area, "problem", f"{file}: " + "; ".join(problems))
    return Check(area, "ok", f"{file} runs `{command_of(hooks[0], spec)}`")


def hook_problem(spec: AgentSpec, command: str | None, path: str) -> str | None:
    """Why this hook command would not start safesh for this agent, or None."""
    if command is None:
        return "a safesh hook without a command"
    try:
        words = shlex.split(command)
    except ValueError as error:
        return f"cannot read the hook command ({error})"
    program = executable_of(words)
    if program is None:
        return f"no program in `{command}`"
    found = program if "/" in program else shutil.which(program, path=path)
    if found is None or not os.access(found, os.X_OK) or not os.path.isfile(found):
        return f"`{program}` is not an executable file, so the agent would run the command"
    named = words[words.index("hook") + 1 :] if "hook" in words else []
    try:
        agent = canonical_agent(named[0]) if named else None
    except ValueError:
        agent = None
    if agent != spec.name:
        return f"`{command}` does not name {spec.name} as the agent"
    return None


def executable_of(words: Sequence[str]) -> str | None:
    """The program a hook command starts, looking through `env VAR=value …`."""
    rest = list(words)
    if rest and os.path.basename(rest[0]) == "env":
        rest = rest[1:]
        while rest and ("=" in rest[0] or rest[0].startswith("-")):
            rest = rest[1:]
    return rest[0] if rest else None


# ------------------------------------------------------------------ PATH, shell, rules


def shim_checks(path: str) -> list[Check]:
    checks: list[Check] = []
    for name in ("bash", "sh"):
        first = shutil.which(name, path=path)
        area = f"PATH {name}"
        if first is None:
            checks.append(Check(area, "problem", f"no {name} on PATH"))
            continue
        if not is_shim(first):
            hint = "not a safesh shim (safesh shims DIR, then put DIR first on PATH)"
            checks.append(Check(area, "off", f"{first} is {hint}"))
            continue
        real = real_shell_of(Path(first).read_text(encoding="utf-8", errors="replace"))
        if real is None or not os.access(real, os.X_OK) or is_shim(real):
            checks.append(Check(area, "problem", f"shim {first} names no usable real {name}"))
            continue
        checks.append(Check(area, "ok", f"{first} is a safesh shim -> {real}"))
    return checks


def real_shell_check(env: Mapping[str, str]) -> Check:
    """The shell safesh itself would exec for `safesh -c` (outside the shims)."""
    clean = {k: v for k, v in env.items() if k != "SAFESH_REAL_SHELL"}
    try:
        return Check("real shell", "ok", find_real_shell("bash", clean))
    except Exception as error:
        return Check("real shell", "problem", str(error))


def rules_check(cwd: Path) -> Check:
    try:
        from safesh.rules import load_ruleset
    except ImportError:
        return Check("rules", "off", "safesh.rules is not available")
    try:
        ruleset = load_ruleset(str(cwd))
    except Exception as error:
        return Check("rules", "problem", f"the rules do not load: {error}")
    count = len(getattr(ruleset, "rules", ()))
    return Check("rules", "ok", f"{count} rules load" if count else "the rules load")


def claude_prefix_check(home: Path, env: Mapping[str, str]) -> Check | None:
    """CLAUDE_CODE_SHELL_PREFIX, set in the environment or in Claude's settings `env`."""
    value = env.get("CLAUDE_CODE_SHELL_PREFIX")
    if value is None:
        try:
            text = read_text(home / ".claude/settings.json")
            settings = parse_settings(home / ".claude/settings.json", text)
        except SettingsFileError:
            return None
        block = settings.get("env")
        prefix = block.get("CLAUDE_CODE_SHELL_PREFIX") if isinstance(block, dict) else None
        value = prefix if isinstance(prefix, str) else None
    if value is None:
        return None
    return Check("claude-code prefix", "ok", f"CLAUDE_CODE_SHELL_PREFIX={value}")


def run_checks(home: Path, cwd: Path, env: Mapping[str, str]) -> list[Check]:
    path = env.get("PATH", os.defpath)
    checks: list[Check] = []
    for spec in SPECS.values():
        checks.extend(agent_checks(spec, home, cwd, path, env))
    prefix = claude_prefix_check(home, env)
    if prefix is not None:
        checks.append(prefix)
    checks.extend(shim_checks(path))
    checks.append(real_shell_check(env))
    checks.append(rules_check(cwd))
    return checks


def strict_failure(checks: Sequence[Check]) -> bool:
    """--strict fails on any problem, or when no agent hook and no shim routes to safesh."""
    if any(c.status == "problem" for c in checks):
        return True
    routes = [c for c in checks if c.area.startswith(tuple(SPECS)) or c.area.startswith("PATH")]
    return not any(c.status == "ok" for c in routes)
