"""Family: code a line stores in the shell to run on a LATER line (an alias's value, a trap's
action, a command name pointed at another program) is judged where it is stored, through
`safesh check`, as a function body already is. The interactive shell runs every line in one
bash, so what one line stores is there on the next (tests/test_interactive_session_state.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SAFESH_", "XDG_"))},
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }


def judge(line: str, env: dict[str, str], cwd: Path) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-m", "safesh", "check", "--json", "--cwd", str(cwd), line],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    report: dict[str, object] = json.loads(result.stdout)
    return report


def decision(line: str, env: dict[str, str], tmp_path: Path) -> str:
    return str(judge(line, env, tmp_path)["decision"])


def test_an_alias_whose_value_deletes_the_home_is_blocked_where_it_is_defined(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert decision("alias ll='rm -rf ~/'", env, tmp_path) == "block"


@pytest.mark.parametrize(
    "line",
    ["alias ll='ls -la'", "alias rm='rm -i'", "alias gs='git status'", "alias sudo='sudo '",
     "alias ..='cd ..'", "alias g=git k=kubectl", "alias", "alias -p", "alias ll"],
)  # fmt: skip
def test_an_everyday_alias_is_allowed(line: str, env: dict[str, str], tmp_path: Path) -> None:
    assert decision(line, env, tmp_path) == "allow"


def test_an_alias_defined_through_builtin_is_judged_by_its_value(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert decision("builtin alias ll='rm -rf ~/'", env, tmp_path) == "block"


def test_an_alias_defined_through_eval_is_judged_by_its_value(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert decision("eval \"alias ll='rm -rf ~/'\"", env, tmp_path) == "block"


def test_an_alias_defined_through_bash_aliases_is_judged_by_its_value(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert decision("BASH_ALIASES[ll]='rm -rf ~/'", env, tmp_path) == "block"


def test_one_destructive_alias_among_several_blocks_the_line(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert decision("alias ll='ls -la' nuke='rm -rf ~/' gs='git status'", env, tmp_path) == "block"


def test_an_alias_whose_value_is_computed_when_the_line_runs_asks(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert decision('alias ll="$(cat /tmp/value)"', env, tmp_path) == "ask"


def test_a_trap_action_that_deletes_the_home_is_blocked_where_it_is_set(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert decision("trap 'rm -rf ~/' EXIT", env, tmp_path) == "block"


def test_a_debug_trap_runs_before_every_command_and_is_judged(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert decision("trap -- 'git push --force origin main' DEBUG", env, tmp_path) != "allow"


@pytest.mark.parametrize("line", ["trap 'echo bye' EXIT", "trap - EXIT", "trap -p", "trap '' INT"])
def test_an_everyday_trap_is_allowed(line: str, env: dict[str, str], tmp_path: Path) -> None:
    assert decision(line, env, tmp_path) == "allow"


def test_hash_p_pointing_a_name_at_another_program_asks(
    env: dict[str, str], tmp_path: Path
) -> None:
    report = judge("hash -p /bin/rm ls", env, tmp_path)
    assert report["decision"] == "ask"
    assert "core.reroute-command" in json.dumps(report)


def test_bash_cmds_pointing_a_name_at_another_program_asks(
    env: dict[str, str], tmp_path: Path
) -> None:
    report = judge("BASH_CMDS[ls]=/bin/rm", env, tmp_path)
    assert report["decision"] == "ask"
    assert "core.reroute-command" in json.dumps(report)


def test_enable_f_loading_a_builtin_from_a_library_asks(
    env: dict[str, str], tmp_path: Path
) -> None:
    report = judge("enable -f /tmp/x.so ls", env, tmp_path)
    assert report["decision"] == "ask"
    assert "core.load-builtin" in json.dumps(report)


def test_a_command_not_found_handler_is_judged_by_its_body(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert decision("command_not_found_handle() { rm -rf ~/; }", env, tmp_path) == "block"


def test_an_alias_does_not_hide_the_real_program_that_sudo_runs(
    env: dict[str, str], tmp_path: Path
) -> None:
    # sudo runs /bin/rm, not the alias: bash expands aliases only in the command word
    assert decision("alias rm=echo; sudo rm -rf ~/", env, tmp_path) == "block"


def test_an_alias_does_not_hide_the_program_on_the_line_that_defines_it(
    env: dict[str, str], tmp_path: Path
) -> None:
    # bash reads the whole line before `alias` runs, so this `rm` is the real one
    assert decision("alias rm=echo; rm -rf ~/", env, tmp_path) == "block"


def test_a_prompt_string_whose_substitution_deletes_the_home_is_blocked(
    env: dict[str, str], tmp_path: Path
) -> None:
    # PS4 is expanded, $(…) included, before every command `set -x` traces
    assert decision("PS4='$(rm -rf ~/)'", env, tmp_path) == "block"


def test_an_exported_prompt_string_is_judged_like_an_assigned_one(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert decision("export PS4='$(rm -rf ~/)'", env, tmp_path) == "block"


@pytest.mark.parametrize("line", ["PS4='+ $(date +%T) '", "PS1='\\u@\\h:\\w\\$ '"])
def test_an_everyday_prompt_string_is_allowed(
    line: str, env: dict[str, str], tmp_path: Path
) -> None:
    assert decision(line, env, tmp_path) == "allow"


def test_a_function_named_builtin_asks(env: dict[str, str], tmp_path: Path) -> None:
    # the interactive shell reads what bash defines through `builtin`
    report = judge("builtin() { :; }", env, tmp_path)
    assert report["decision"] == "ask"
    assert "core.session-unknown" in json.dumps(report)
