"""`safesh hook AGENT` judges a command with what the agent's shell defines before running it.

Claude Code sources a snapshot of the user's shell (~/.claude/shell-snapshots/snapshot-*.sh:
their aliases and functions) and the session's environment scripts
(~/.claude/session-env/SESSION/*-hook-N.sh) before every Bash command; Codex sources
~/.codex/shell_snapshots/SESSION.NONCE.sh. A word the snapshot defines is judged as what it
expands to. Each test writes such files into a fake HOME and runs the real hook in a
subprocess with the agent's payload; the snapshots are written the way the agents write them
(Claude: functions as base64 of `declare -f`, `alias -- NAME='VALUE'`; Codex: `declare -f`
text and `alias -p`).
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "agent-protocols"
CLAUDE_SESSION = "abc123"  # the session_id of the Claude fixture payload
CODEX_SESSION = "0198c2a4-7b1e-7c3d-9e8f-0a1b2c3d4e5f"  # that of the Codex fixture

# Claude Code 2.1.197's own helpers, as its snapshot ends (agent-protocols sample).
CLAUDE_HELPERS = """# Check for rg availability
if ! (unalias rg 2>/dev/null; command -v rg) >/dev/null 2>&1; then
  function rg {
  local _cc_bin="${CLAUDE_CODE_EXECPATH:-}"
  [[ -x $_cc_bin ]] || _cc_bin=$HOME/.local/bin/claude
  if [[ ! -x $_cc_bin ]]; then command rg ${1+"$@"}; return; fi
  (exec -a rg "$_cc_bin" ${1+"$@"})
}
fi
# Shadow find/grep with embedded bfs/ugrep
unalias find 2>/dev/null || true
unalias grep 2>/dev/null || true
function find {
  local _cc_bin="${CLAUDE_CODE_EXECPATH:-}"
  [[ -x $_cc_bin ]] || _cc_bin=$HOME/.local/bin/claude
  if [[ ! -x $_cc_bin ]]; then command find ${1+"$@"}; return; fi
  (exec -a bfs "$_cc_bin" -S dfs -regextype findutils-default ${1+"$@"})
}
function grep {
  local _cc_bin="${CLAUDE_CODE_EXECPATH:-}"
  [[ -x $_cc_bin ]] || _cc_bin=$HOME/.local/bin/claude
  if [[ ! -x $_cc_bin ]]; then command grep ${1+"$@"}; return; fi
  (exec -a ugrep "$_cc_bin" -G --ignore-files --hidden -I ${1+"$@"})
}
export PATH=/usr/local/bin:/usr/bin:/bin
"""


def encoded(declared: str) -> str:
    """One function line of Claude's bash snapshot: `declare -f NAME | base64` (76-column
    lines, as coreutils writes them) inside its eval."""
    b64 = base64.encodebytes(declared.encode()).decode().rstrip("\n")
    return f"eval \"$(echo '{b64}' | base64 -d)\" > /dev/null 2>&1"


def claude_snapshot(functions: tuple[str, ...] = (), aliases: tuple[str, ...] = ()) -> str:
    """A bash snapshot laid out as Claude Code writes it."""
    return "\n".join(
        [
            "# Snapshot file",
            "# Unset all aliases to avoid conflicts with functions",
            "unalias -a 2>/dev/null || true",
            "# Functions",
            *(encoded(f) for f in functions),
            "# Shell Options",
            "shopt -u autocd",
            "shopt -s checkwinsize",
            "set -o braceexpand",
            "set -o hashall",
            "shopt -s expand_aliases",
            "# Aliases",
            *aliases,
            CLAUDE_HELPERS,
        ]
    )


# A function as `declare -f` prints it.
CLEANUP = "cleanup () \n{ \n    rm -rf ~/\n}\n"
# A big, harmless function suite the lines below never name (nvm-like).
SUITE = tuple(
    f'tool_{i} () \n{{ \n    local dir="$1";\n    if [ -d "$dir" ]; then\n'
    f'        command ls -la "$dir" | head -n {i};\n    fi\n}}\n'
    for i in range(300)
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def claude_snapshot_file(
    home: Path, text: str, name: str = "snapshot-bash-1764550000000-a1b2c3.sh"
) -> Path:
    return write(home / ".claude" / "shell-snapshots" / name, text)


def payload(agent: str, command: str, cwd: Path) -> str:
    name = {"claude-code": "claude-pretooluse-input.json", "codex": "codex-pretooluse-input.json"}
    data: dict[str, Any] = json.loads((FIXTURES / name[agent]).read_text())
    data["cwd"] = str(cwd)
    data["tool_input"]["command"] = command
    return json.dumps(data)


def hook(agent: str, command: str, tmp_path: Path, **extra: str) -> str:
    """The hook's decision for `command`, run as the agent runs it with HOME = tmp_path/home."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SAFESH_", "XDG_", "CLAUDE"))},
        "PYTHONPATH": str(ROOT),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        **extra,
    }
    env.pop("CODEX_HOME", None)
    result = subprocess.run(
        [sys.executable, "-m", "safesh", "hook", agent],
        input=payload(agent, command, tmp_path),
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    if agent == "codex":
        # Codex has no allow or ask: silence runs the command, a deny stops it.
        if not result.stdout.strip() or json.loads(result.stdout) == {}:
            return "allow"
        output = json.loads(result.stdout)
        return str(output["hookSpecificOutput"]["permissionDecision"]) + ": " + result.stdout
    inner = json.loads(result.stdout)["hookSpecificOutput"]
    return f"{inner['permissionDecision']}: {inner['permissionDecisionReason']}"


# -- Claude Code's snapshot ----------------------------------------------------------------------


def test_an_alias_without_a_snapshot_is_an_unknown_word(tmp_path: Path) -> None:
    assert hook("claude-code", "ll", tmp_path).startswith("allow")


def test_a_snapshot_alias_for_a_destructive_line_is_denied(tmp_path: Path) -> None:
    claude_snapshot_file(tmp_path / "home", claude_snapshot(aliases=("alias -- ll='rm -rf ~/'",)))
    assert hook("claude-code", "ll", tmp_path).startswith("deny")


def test_a_snapshot_alias_for_a_harmless_line_is_allowed(tmp_path: Path) -> None:
    claude_snapshot_file(tmp_path / "home", claude_snapshot(aliases=("alias -- ll='ls -alF'",)))
    assert hook("claude-code", "ll", tmp_path).startswith("allow")


def test_a_snapshot_function_is_judged_by_its_body(tmp_path: Path) -> None:
    claude_snapshot_file(tmp_path / "home", claude_snapshot(functions=(CLEANUP,)))
    assert hook("claude-code", "cleanup", tmp_path).startswith("deny")


def test_an_alias_calling_a_snapshot_function_is_judged_through_both(tmp_path: Path) -> None:
    snapshot = claude_snapshot(functions=(CLEANUP,), aliases=("alias -- tidy='cleanup'",))
    claude_snapshot_file(tmp_path / "home", snapshot)
    assert hook("claude-code", "tidy", tmp_path).startswith("deny")


def test_lines_that_name_nothing_in_a_big_snapshot_are_judged_as_before(tmp_path: Path) -> None:
    claude_snapshot_file(tmp_path / "home", claude_snapshot(functions=(*SUITE, CLEANUP)))
    assert hook("claude-code", "git status && ls -la", tmp_path).startswith("allow")


def test_claude_find_and_grep_helpers_keep_ordinary_searches_allowed(tmp_path: Path) -> None:
    claude_snapshot_file(tmp_path / "home", claude_snapshot())
    assert hook("claude-code", "find . -name '*.py' | grep -v test", tmp_path).startswith("allow")


REAL = FIXTURES / "claude-shell-snapshot-real.sh"  # what Claude Code 2.1.197 really wrote


def test_a_real_claude_snapshot_keeps_searches_allowed(tmp_path: Path) -> None:
    claude_snapshot_file(tmp_path / "home", REAL.read_text())
    assert hook("claude-code", "grep -rn TODO . && find . -name '*.py'", tmp_path).startswith(
        "allow"
    )


def test_a_real_claude_snapshot_function_is_judged_by_its_body(tmp_path: Path) -> None:
    claude_snapshot_file(tmp_path / "home", REAL.read_text())
    assert hook("claude-code", "deploy_env", tmp_path).startswith("deny")


def test_claude_find_helper_still_judges_the_find_it_runs(tmp_path: Path) -> None:
    claude_snapshot_file(tmp_path / "home", claude_snapshot())
    assert hook("claude-code", "find ~ -delete", tmp_path).startswith("deny")


def test_a_changed_claude_helper_is_not_taken_for_claudes_own(tmp_path: Path) -> None:
    changed = claude_snapshot().replace("-S dfs -regextype", "-S dfs -delete -regextype")
    claude_snapshot_file(tmp_path / "home", changed)
    assert not hook("claude-code", "find . -name '*.py'", tmp_path).startswith("allow")


def test_a_function_suite_too_large_to_walk_asks_at_once(tmp_path: Path) -> None:
    big = (
        "bigtool () \n{ \n"
        + "".join(f"    echo step {i} >> log.txt;\n" for i in range(1200))
        + "}\n"
    )
    claude_snapshot_file(tmp_path / "home", claude_snapshot(functions=(big,)))
    decision = hook("claude-code", "bigtool run", tmp_path)
    assert decision.startswith("ask") and "core.session-unknown" in decision


def test_an_unreadable_snapshot_line_naming_the_word_asks(tmp_path: Path) -> None:
    text = claude_snapshot() + '\neval "$(deploy-tool init -)"\n'
    claude_snapshot_file(tmp_path / "home", text)
    decision = hook("claude-code", "deploy-tool sync", tmp_path)
    assert decision.startswith("ask") and "core.session-unknown" in decision


def test_a_harmless_snapshot_line_of_another_kind_changes_nothing(tmp_path: Path) -> None:
    claude_snapshot_file(tmp_path / "home", claude_snapshot() + "\numask 022\n")
    assert hook("claude-code", "ls -la", tmp_path).startswith("allow")


def test_a_command_appended_to_the_snapshot_is_judged_before_every_command(tmp_path: Path) -> None:
    claude_snapshot_file(tmp_path / "home", claude_snapshot() + "\nrm -rf ~/\n")
    assert hook("claude-code", "ls -la", tmp_path).startswith("deny")


def test_encoded_code_that_is_no_function_is_judged_before_every_command(tmp_path: Path) -> None:
    claude_snapshot_file(tmp_path / "home", claude_snapshot(functions=("rm -rf ~/\n",)))
    assert hook("claude-code", "ls -la", tmp_path).startswith("deny")


def test_encoded_text_that_does_not_decode_asks(tmp_path: Path) -> None:
    broken = "eval \"$(echo 'abc' | base64 -d)\" > /dev/null 2>&1\n# Shell Options"
    claude_snapshot_file(tmp_path / "home", claude_snapshot().replace("# Shell Options", broken))
    assert hook("claude-code", "ls -la", tmp_path).startswith("ask")


def test_a_zsh_snapshot_function_is_judged_by_its_body(tmp_path: Path) -> None:
    text = (
        "# Snapshot file\nunalias -a 2>/dev/null || true\n# Functions\nwipe () {\n\trm -rf ~/\n}\n"
    )
    text += "# Shell Options\nsetopt nohup\n# Aliases\nalias -- gs='git status'\n"
    claude_snapshot_file(tmp_path / "home", text, "snapshot-zsh-1764550000000-zz9zz9.sh")
    assert hook("claude-code", "wipe", tmp_path).startswith("deny")


def test_every_snapshot_present_is_considered_and_the_worst_wins(tmp_path: Path) -> None:
    home = tmp_path / "home"
    claude_snapshot_file(home, claude_snapshot(aliases=("alias -- ll='ls -alF'",)))
    other = claude_snapshot(aliases=("alias -- ll='rm -rf ~/'",))
    claude_snapshot_file(home, other, "snapshot-bash-1764551111111-d4e5f6.sh")
    assert hook("claude-code", "ll", tmp_path).startswith("deny")


def test_claude_config_dir_is_where_the_snapshots_are(tmp_path: Path) -> None:
    config = tmp_path / "claude-config"
    write(
        config / "shell-snapshots" / "snapshot-bash-1-abcdef.sh",
        claude_snapshot(functions=(CLEANUP,)),
    )
    assert hook("claude-code", "cleanup", tmp_path, CLAUDE_CONFIG_DIR=str(config)).startswith(
        "deny"
    )


# -- Claude Code's session environment scripts ---------------------------------------------------


def session_script(home: Path, text: str) -> Path:
    return write(home / ".claude" / "session-env" / CLAUDE_SESSION / "sessionstart-hook-0.sh", text)


def test_a_destructive_session_script_denies_every_command(tmp_path: Path) -> None:
    session_script(tmp_path / "home", "rm -rf ~/\n")
    assert hook("claude-code", "ls -la", tmp_path).startswith("deny")


def test_a_session_script_of_exports_lets_ordinary_commands_run(tmp_path: Path) -> None:
    session_script(tmp_path / "home", "export NODE_ENV=development\nexport PATH=/opt/x/bin:$PATH\n")
    assert hook("claude-code", "ls -la", tmp_path).startswith("allow")


def test_an_alias_from_a_session_script_is_judged_by_its_value(tmp_path: Path) -> None:
    session_script(tmp_path / "home", "alias deploy='rm -rf ~/'\n")
    assert hook("claude-code", "deploy", tmp_path).startswith("deny")


def test_another_sessions_scripts_do_not_apply(tmp_path: Path) -> None:
    write(
        tmp_path / "home" / ".claude" / "session-env" / "other" / "sessionstart-hook-0.sh",
        "rm -rf ~/\n",
    )
    assert hook("claude-code", "ls -la", tmp_path).startswith("allow")


# -- before the agent has written its snapshot ---------------------------------------------------
# Claude Code writes its snapshot only after the hook has answered the first command of a
# process; the hook then takes the user's definitions from their rc file itself.

RC_FUNCTION = "cleanup () {\n    rm -rf ~/\n}\nalias ll='ls -alF'\n"


def test_without_a_snapshot_a_function_of_the_rc_file_is_judged_by_its_body(tmp_path: Path) -> None:
    write(tmp_path / "home" / ".bashrc", RC_FUNCTION)
    assert hook("claude-code", "cleanup", tmp_path, SHELL="/bin/bash").startswith("deny")


def test_without_a_snapshot_a_harmless_alias_of_the_rc_file_runs(tmp_path: Path) -> None:
    write(tmp_path / "home" / ".bashrc", RC_FUNCTION)
    assert hook("claude-code", "ll", tmp_path, SHELL="/bin/bash").startswith("allow")


def test_without_a_snapshot_lines_naming_nothing_of_the_rc_file_run(tmp_path: Path) -> None:
    write(tmp_path / "home" / ".bashrc", RC_FUNCTION)
    assert hook("claude-code", "git status", tmp_path, SHELL="/bin/bash").startswith("allow")


def test_an_existing_snapshot_is_read_instead_of_the_rc_file(tmp_path: Path) -> None:
    write(tmp_path / "home" / ".bashrc", RC_FUNCTION)
    claude_snapshot_file(tmp_path / "home", claude_snapshot(aliases=("alias -- ll='ls -alF'",)))
    assert hook("claude-code", "cleanup", tmp_path, SHELL="/bin/bash").startswith("allow")


# -- Codex's snapshot ----------------------------------------------------------------------------


def codex_snapshot(home: Path, session: str, aliases: str = "", functions: str = "") -> Path:
    text = (
        "# Snapshot file\n# Unset all aliases to avoid conflicts with functions\n"
        "unalias -a 2>/dev/null || true\n# Functions\n"
        f"{functions}\n# setopts 2\nset -o braceexpand\nset -o hashall\n\n"
        f"# aliases 1\n{aliases}\n\n# exports 2\n"
        'declare -x HOME="/home/u"\ndeclare -x LESS="-R\n-X"\n'
    )
    return write(home / ".codex" / "shell_snapshots" / f"{session}.1764550000123456789.sh", text)


def test_codex_snapshot_alias_for_a_destructive_line_is_denied(tmp_path: Path) -> None:
    codex_snapshot(tmp_path / "home", CODEX_SESSION, aliases="alias ll='rm -rf ~/'")
    assert hook("codex", "ll", tmp_path).startswith("deny")


def test_codex_snapshot_function_is_judged_by_its_body(tmp_path: Path) -> None:
    codex_snapshot(tmp_path / "home", CODEX_SESSION, functions=CLEANUP)
    assert hook("codex", "cleanup", tmp_path).startswith("deny")


def test_codex_snapshot_of_another_session_does_not_apply(tmp_path: Path) -> None:
    home = tmp_path / "home"
    codex_snapshot(home, CODEX_SESSION, aliases="alias ll='ls -alF'")
    codex_snapshot(home, "0198c2a4-0000-0000-0000-000000000000", aliases="alias ll='rm -rf ~/'")
    assert hook("codex", "ll", tmp_path) == "allow"


def test_codex_snapshots_of_other_sessions_count_when_none_is_the_sessions(tmp_path: Path) -> None:
    codex_snapshot(
        tmp_path / "home", "0198c2a4-0000-0000-0000-000000000000", aliases="alias ll='rm -rf ~/'"
    )
    assert hook("codex", "ll", tmp_path).startswith("deny")


def test_codex_snapshot_harmless_alias_runs(tmp_path: Path) -> None:
    codex_snapshot(tmp_path / "home", CODEX_SESSION, aliases="alias ll='ls -alF'")
    assert hook("codex", "ll", tmp_path) == "allow"
