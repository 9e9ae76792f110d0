"""`safesh doctor` finds what makes an installed hook silently not run: an untrusted Codex
hook, hooks turned off in settings, an untrusted Gemini folder, a matcher that misses the
shell tool, a timeout shorter than safesh may need. Each is a problem (and --strict fails)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from safesh.agents.doctor import Check, run_checks
from safesh.agents.enforcement import codex_hook_keys, matcher_matches
from safesh.agents.settings import SPECS, hook_command, with_ours
from safesh.cli.commands.install_hook import command as install_command


@pytest.fixture
def where(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """HOME, a project directory, and an environment whose PATH has a runnable `safesh`."""
    home, project, bin_dir = tmp_path / "home", tmp_path / "project", tmp_path / "bin"
    for directory in (home, project, bin_dir):
        directory.mkdir()
    program = bin_dir / "safesh"
    program.write_text("#!/bin/sh\nexit 0\n")
    program.chmod(0o755)
    return home, project, {"PATH": f"{bin_dir}:/usr/bin:/bin"}


def install(home: Path, agent: str, edit: Any = None) -> Path:
    """safesh's hook as install-hook writes it (launcher: the `safesh` in PATH above)."""
    spec = SPECS[agent]
    path = home / str(spec.user_file)
    launcher = str(home.parent / "bin" / "safesh")
    settings = with_ours({}, spec, hook_command(agent, (launcher,)))
    if edit is not None:
        edit(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(settings))
    return path


def check_for(checks: list[Check], area: str) -> Check:
    return next(c for c in checks if c.area == area)


def trust_codex(home: Path, hooks_file: Path) -> None:
    settings = json.loads(hooks_file.read_text())
    lines = [
        f'[hooks.state."{key}"]\ntrusted_hash = "sha256:00"\n'
        for key in codex_hook_keys(hooks_file, settings)
    ]
    (home / ".codex" / "config.toml").write_text("\n".join(lines))


# ------------------------------------------------------------------ Codex


def test_codex_hook_not_trusted_in_hooks_is_a_problem(where: Any) -> None:
    home, project, env = where
    install(home, "codex")
    check = check_for(run_checks(home, project, env), "codex (user)")
    assert check.status == "problem"
    assert "/hooks" in check.message and "trust" in check.message


def test_codex_hook_trusted_in_config_toml_is_ok(where: Any) -> None:
    home, project, env = where
    trust_codex(home, install(home, "codex"))
    assert check_for(run_checks(home, project, env), "codex (user)").status == "ok"


def test_codex_trust_keys_name_file_event_group_and_hook(tmp_path: Path) -> None:
    spec = SPECS["codex"]
    other = {"hooks": {"PreToolUse": [{"matcher": "^Bash$", "hooks": [{"command": "x"}]}]}}
    settings = with_ours(other, spec, "/bin/safesh hook codex")
    keys = codex_hook_keys(tmp_path / "hooks.json", settings)
    assert keys == [
        f"{tmp_path}/hooks.json:pre_tool_use:1:0",
        f"{tmp_path}/hooks.json:post_tool_use:0:0",
    ]


def test_codex_hooks_feature_off_is_a_problem(where: Any) -> None:
    home, project, env = where
    hooks_file = install(home, "codex")
    trust_codex(home, hooks_file)
    config = home / ".codex" / "config.toml"
    config.write_text(config.read_text() + "\n[features]\nhooks = false\n")
    check = check_for(run_checks(home, project, env), "codex (user)")
    assert check.status == "problem" and "hooks = false" in check.message


# ------------------------------------------------------------------ Claude Code


def test_claude_disable_all_hooks_is_a_problem(where: Any) -> None:
    home, project, env = where
    install(home, "claude-code", lambda s: s.update(disableAllHooks=True))
    check = check_for(run_checks(home, project, env), "claude-code (user)")
    assert check.status == "problem" and "disableAllHooks" in check.message


def test_claude_hooks_disabled_in_the_projects_local_settings_is_a_problem(where: Any) -> None:
    home, project, env = where
    install(home, "claude-code")
    local = project / ".claude" / "settings.local.json"
    local.parent.mkdir()
    local.write_text(json.dumps({"disableAllHooks": True}))
    check = check_for(run_checks(home, project, env), "claude-code (user)")
    assert check.status == "problem" and "settings.local.json" in check.message


def test_claude_matcher_that_misses_bash_is_a_problem(where: Any) -> None:
    home, project, env = where
    install(home, "claude-code", lambda s: s["hooks"]["PreToolUse"][0].update(matcher="Shell"))
    check = check_for(run_checks(home, project, env), "claude-code (user)")
    assert check.status == "problem" and "'Bash'" in check.message


@pytest.mark.parametrize(
    ("matcher", "fires"),
    [
        ("Bash", True),
        ("Edit|Bash", True),
        ("*", True),
        ("", True),
        ("^Ba", True),
        ("bash", False),
        ("Edit,Write", False),
    ],
)
def test_matchers_as_the_agents_read_them(matcher: str, fires: bool) -> None:
    assert matcher_matches(matcher, "Bash") is fires


def test_claude_timeout_shorter_than_safeshs_deadline_is_a_problem(where: Any) -> None:
    home, project, env = where
    install(
        home, "claude-code", lambda s: s["hooks"]["PreToolUse"][0]["hooks"][0].update(timeout=5)
    )
    check = check_for(run_checks(home, project, env), "claude-code (user)")
    assert check.status == "problem" and "timeout" in check.message


# ------------------------------------------------------------------ Gemini CLI


def test_gemini_timeout_is_read_in_milliseconds(where: Any) -> None:
    home, project, env = where
    install(
        home, "gemini-cli", lambda s: s["hooks"]["BeforeTool"][0]["hooks"][0].update(timeout=5000)
    )
    check = check_for(run_checks(home, project, env), "gemini-cli (user)")
    assert check.status == "problem" and "5 s" in check.message


def test_gemini_installed_hook_is_ok(where: Any) -> None:
    home, project, env = where
    install(home, "gemini-cli")
    assert check_for(run_checks(home, project, env), "gemini-cli (user)").status == "ok"


def test_gemini_untrusted_folder_with_folder_trust_on_is_a_problem(where: Any) -> None:
    home, project, env = where
    install(home, "gemini-cli", lambda s: s.update(security={"folderTrust": {"enabled": True}}))
    check = check_for(run_checks(home, project, env), "gemini-cli (user)")
    assert check.status == "problem" and "trusted folder" in check.message


def test_gemini_trusted_folder_is_ok(where: Any) -> None:
    home, project, env = where
    install(home, "gemini-cli", lambda s: s.update(security={"folderTrust": {"enabled": True}}))
    (home / ".gemini" / "trustedFolders.json").write_text(
        json.dumps({str(project): "TRUST_FOLDER"})
    )
    assert check_for(run_checks(home, project, env), "gemini-cli (user)").status == "ok"


def test_gemini_hooks_turned_off_is_a_problem(where: Any) -> None:
    home, project, env = where
    install(home, "gemini-cli", lambda s: s.update(hooksConfig={"enabled": False}))
    check = check_for(run_checks(home, project, env), "gemini-cli (user)")
    assert check.status == "problem" and "hooksConfig.enabled" in check.message


# ------------------------------------------------------------------ install-hook says what is left


def test_install_hook_for_codex_names_the_trust_step_and_the_missing_fail_closed_option(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    result = CliRunner().invoke(install_command, ["codex"])
    assert result.exit_code == 0, result.output
    assert "/hooks" in result.output
    assert "fail" in result.output.lower()
