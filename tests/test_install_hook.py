"""`safesh install-hook AGENT`: merge into the agent's settings, never clobber, idempotent,
reversible, and nothing written when the existing file is not valid JSON."""

from __future__ import annotations

import json
import os
import site
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from safesh.agents.install import parse_settings, plan_change, render
from safesh.agents.protocols import AGENTS
from safesh.agents.settings import (
    SPECS,
    hook_command,
    our_hooks,
    safesh_argv,
    with_ours,
    without_ours,
)
from safesh.cli.commands.install_hook import command

HOOK = "/opt/safesh/bin/safesh hook claude-code"

# A realistic Claude settings file: permissions, env, and someone else's hooks.
CLAUDE_SETTINGS: dict[str, Any] = {
    "permissions": {"allow": ["Bash(npm run test:*)"], "deny": ["Read(./.env)"]},
    "env": {"FOO": "1"},
    "hooks": {
        "PreToolUse": [
            {"matcher": "Bash", "hooks": [{"type": "command", "command": "~/bin/audit.sh"}]},
            {"matcher": "Edit|Write", "hooks": [{"type": "command", "command": "prettier"}]},
        ],
        "PostToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "log"}]}],
    },
}


@pytest.fixture(autouse=True)
def human_at_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests play a human in a terminal of their own (who may grant: test_grants.py)."""
    from safesh.agents import session

    monkeypatch.setattr(session, "agent_session", lambda *_args, **_kwargs: None)
    monkeypatch.setattr(session, "has_terminal", lambda: True)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    project = tmp_path / "project"
    home.mkdir()
    project.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(project)
    monkeypatch.setattr("shutil.which", lambda name, *a, **k: f"/opt/safesh/bin/{name}")
    return home


def run(*args: str) -> Result:
    return CliRunner().invoke(command, list(args))


def backups(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + ".safesh-backup-*"))


def write_json(path: Path, value: Any, indent: int = 2) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(value, indent=indent) + "\n"
    path.write_text(text)
    return text


# ------------------------------------------------------------------ the file on disk


def test_install_creates_claude_user_settings_under_home(home: Path) -> None:
    result = run("claude-code")
    assert result.exit_code == 0, result.output
    settings = json.loads((home / ".claude/settings.json").read_text())
    entry = {"matcher": "Bash", "hooks": [{"type": "command", "command": HOOK, "timeout": 30}]}
    # PostToolUse / PostToolUseFailure run the same hook, which records what happened.
    assert settings == {
        "hooks": {"PreToolUse": [entry], "PostToolUse": [entry], "PostToolUseFailure": [entry]}
    }


@pytest.mark.parametrize(
    ("agent", "file", "events"),
    [
        ("codex", ".codex/hooks.json", ["PreToolUse", "PostToolUse"]),
        ("gemini-cli", ".gemini/settings.json", ["BeforeTool", "AfterTool"]),
        ("cursor", ".cursor/hooks.json", ["beforeShellExecution"]),
    ],
)
def test_install_adds_the_post_execution_hook_where_the_agent_has_one(
    home: Path, agent: str, file: str, events: list[str]
) -> None:
    assert run(agent).exit_code == 0
    settings = json.loads((home / file).read_text())
    assert sorted(settings["hooks"]) == sorted(events)


def test_install_keeps_existing_keys_and_other_hooks(home: Path) -> None:
    path = home / ".claude/settings.json"
    write_json(path, CLAUDE_SETTINGS)
    assert run("claude").exit_code == 0
    settings = json.loads(path.read_text())
    assert settings["permissions"] == CLAUDE_SETTINGS["permissions"]
    assert settings["env"] == CLAUDE_SETTINGS["env"]
    assert settings["hooks"]["PostToolUse"][:1] == CLAUDE_SETTINGS["hooks"]["PostToolUse"]
    assert settings["hooks"]["PostToolUse"][1]["hooks"][0]["command"] == HOOK
    assert settings["hooks"]["PreToolUse"][:2] == CLAUDE_SETTINGS["hooks"]["PreToolUse"]
    assert settings["hooks"]["PreToolUse"][2]["hooks"][0]["command"] == HOOK


def test_install_backs_up_the_original_first(home: Path) -> None:
    path = home / ".claude/settings.json"
    original = write_json(path, CLAUDE_SETTINGS)
    run("claude-code")
    [backup] = backups(path)
    assert backup.read_text() == original


def test_second_install_is_byte_identical_and_makes_no_backup(home: Path) -> None:
    path = home / ".claude/settings.json"
    write_json(path, CLAUDE_SETTINGS)
    run("claude-code")
    first = path.read_bytes()
    before = backups(path)
    result = run("claude-code")
    assert "nothing changed" in result.output
    assert path.read_bytes() == first
    assert backups(path) == before


def test_uninstall_restores_the_original_content(home: Path) -> None:
    path = home / ".claude/settings.json"
    write_json(path, CLAUDE_SETTINGS)
    run("claude-code")
    assert run("claude-code", "--uninstall").exit_code == 0
    assert json.loads(path.read_text()) == CLAUDE_SETTINGS


def test_uninstall_removes_only_the_safesh_hook_from_a_shared_group(home: Path) -> None:
    path = home / ".claude/settings.json"
    mine = {"type": "command", "command": "~/bin/audit.sh"}
    ours = {"type": "command", "command": "safesh hook claude"}
    write_json(path, {"hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [mine, ours]}]}})
    run("claude-code", "--uninstall")
    assert json.loads(path.read_text()) == {
        "hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [mine]}]}
    }


def test_uninstall_without_our_hook_changes_nothing(home: Path) -> None:
    path = home / ".claude/settings.json"
    original = write_json(path, CLAUDE_SETTINGS)
    result = run("claude-code", "--uninstall")
    assert "has no safesh hook" in result.output
    assert path.read_text() == original
    assert backups(path) == []


def test_invalid_json_is_refused_naming_file_and_line(home: Path) -> None:
    path = home / ".claude/settings.json"
    path.parent.mkdir()
    broken = '{\n  "permissions": {},\n  "hooks": {,\n}\n'
    path.write_text(broken)
    result = run("claude-code")
    assert result.exit_code == 1
    assert f"{path}:3:" in result.output
    assert "nothing was written" in result.output
    assert path.read_text() == broken
    assert backups(path) == []


def test_hooks_of_the_wrong_shape_are_refused(home: Path) -> None:
    path = home / ".claude/settings.json"
    original = write_json(path, {"hooks": {"PreToolUse": {"matcher": "Bash"}}})
    result = run("claude-code")
    assert result.exit_code == 1
    assert "not a list" in result.output
    assert path.read_text() == original


def test_install_keeps_the_files_indentation(home: Path) -> None:
    path = home / ".claude/settings.json"
    write_json(path, {"env": {"A": "1"}}, indent=4)
    run("claude-code")
    assert '\n    "env": {\n        "A": "1"' in path.read_text()


def test_install_writes_through_a_symlinked_settings_file(home: Path, tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "claude.json"
    write_json(real, {"env": {"A": "1"}})
    link = home / ".claude/settings.json"
    link.parent.mkdir()
    link.symlink_to(real)
    run("claude-code")
    assert link.is_symlink()
    assert "safesh hook" in real.read_text()


def test_project_flag_edits_the_project_settings(home: Path) -> None:
    run("gemini-cli", "--project")
    settings = json.loads((Path.cwd() / ".gemini/settings.json").read_text())
    [group] = settings["hooks"]["BeforeTool"]
    assert group["matcher"] == "run_shell_command"
    assert group["hooks"][0]["timeout"] == 30000  # milliseconds
    assert not (home / ".gemini").exists()


def test_copilot_hooks_go_to_the_repository(home: Path) -> None:
    result = run("copilot-cli")
    assert "per repository" in result.output
    settings = json.loads((Path.cwd() / ".github/hooks/safesh.json").read_text())
    assert settings == {
        "version": 1,
        "hooks": {
            "preToolUse": [
                {
                    "type": "command",
                    "bash": "/opt/safesh/bin/safesh hook copilot-cli",
                    "timeoutSec": 30,
                }
            ]
        },
    }


def test_copilot_uninstall_deletes_the_file_safesh_owns(home: Path) -> None:
    run("copilot-cli")
    run("copilot-cli", "--uninstall")
    assert not (Path.cwd() / ".github/hooks/safesh.json").exists()


def test_cursor_install_adds_the_version_and_keeps_other_hooks(home: Path) -> None:
    path = home / ".cursor/hooks.json"
    write_json(path, {"version": 1, "hooks": {"afterFileEdit": [{"command": "./fmt.sh"}]}})
    run("cursor")
    settings = json.loads(path.read_text())
    assert settings["hooks"]["afterFileEdit"] == [{"command": "./fmt.sh"}]
    assert settings["hooks"]["beforeShellExecution"] == [
        {"command": "/opt/safesh/bin/safesh hook cursor"}
    ]


def test_codex_install_prints_the_trust_step(home: Path) -> None:
    result = run("codex")
    assert "/hooks" in result.output
    [group] = json.loads((home / ".codex/hooks.json").read_text())["hooks"]["PreToolUse"]
    assert group["matcher"] == "^Bash$"


def test_unknown_agent_is_a_usage_error(home: Path) -> None:
    result = run("aider")
    assert result.exit_code == 2
    assert "unknown agent" in result.output


def test_an_old_safesh_hook_is_replaced_not_duplicated(home: Path) -> None:
    path = home / ".claude/settings.json"
    old = {"matcher": "Bash", "hooks": [{"type": "command", "command": "safesh hook claude"}]}
    write_json(path, {"hooks": {"PreToolUse": [old]}})
    run("claude-code")
    groups = json.loads(path.read_text())["hooks"]["PreToolUse"]
    assert [g["hooks"][0]["command"] for g in groups] == [HOOK]


# ------------------------------------------------------------------ the pure edits


@pytest.mark.parametrize("agent", AGENTS)
def test_with_then_without_is_the_original_for_every_agent(agent: str) -> None:
    spec = SPECS[agent]
    other = {"command": "x.sh"} if spec.matcher is None else {"matcher": "X", "hooks": []}
    original: dict[str, Any] = {"version": 1, "keep": True, "hooks": {spec.event: [other]}}
    installed = with_ours(original, spec, f"/bin/safesh hook {agent}")
    assert len(our_hooks(installed, spec)) == 1
    assert without_ours(installed, spec) == original


@pytest.mark.parametrize("agent", AGENTS)
def test_hook_entries_match_the_fixture_shapes(agent: str) -> None:
    fixture_names = {
        "claude-code": "claude-settings.json",
        "gemini-cli": "gemini-settings.json",
        "cursor": "cursor-hooks.json",
        "codex": "codex-hooks.json",
        "copilot-cli": "copilot-hooks.json",
    }
    spec = SPECS[agent]
    path = Path(__file__).parent / "fixtures" / "agent-protocols" / fixture_names[agent]
    example = json.loads(path.read_text())
    [documented] = example["hooks"][spec.event]
    ours = with_ours({}, spec, "safesh hook x")["hooks"][spec.event][0]
    assert set(ours) <= set(documented)
    if spec.matcher is not None:
        assert ours["matcher"] == documented["matcher"]
        assert set(ours["hooks"][0]) <= set(documented["hooks"][0])


def test_hook_command_quotes_a_launcher_with_spaces() -> None:
    line = hook_command("claude", ("/Users/me/My Tools/safesh",))
    assert line == "'/Users/me/My Tools/safesh' hook claude-code"


def test_launcher_from_a_source_checkout_sets_pythonpath_and_keeps_cwd_off_sys_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("safesh.agents.settings.package_root", lambda: "/src/checkout")
    assert safesh_argv(None) == (
        "env",
        "PYTHONPATH=/src/checkout",
        sys.executable,
        "-P",
        "-m",
        "safesh",
    )


def test_launcher_from_site_packages_is_python_dash_m(monkeypatch: pytest.MonkeyPatch) -> None:
    installed = os.path.realpath(site.getsitepackages()[0])
    monkeypatch.setattr("safesh.agents.settings.package_root", lambda: installed)
    assert safesh_argv(None) == (sys.executable, "-P", "-m", "safesh")


def test_launcher_prefers_the_installed_entry_point() -> None:
    assert safesh_argv("/usr/local/bin/safesh") == ("/usr/local/bin/safesh",)


def test_plan_for_an_unchanged_file_keeps_its_exact_bytes(tmp_path: Path) -> None:
    spec = SPECS["claude-code"]
    text = render(with_ours({}, spec, HOOK), None).replace("\n", "\r\n")
    plan = plan_change(spec, tmp_path / "s.json", text, HOOK, uninstall=False)
    assert not plan.changed


def test_an_empty_settings_file_is_treated_as_no_settings(tmp_path: Path) -> None:
    assert parse_settings(tmp_path / "s.json", "  \n") == {}
