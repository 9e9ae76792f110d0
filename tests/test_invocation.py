"""bash's command line, as safesh splits it (pure parsing, no process started)."""

from __future__ import annotations

import pytest

from safesh.cli.shell import UsageError, parse_invocation


def test_dash_c_takes_the_first_operand_as_the_command_and_the_rest_as_name_and_args() -> None:
    inv = parse_invocation(["-c", "echo $0 $1", "name", "one"])
    assert inv.command == "echo $0 $1"
    assert inv.args == ["name", "one"]


def test_combined_login_and_command_flags_keep_the_login_flag_for_bash() -> None:
    inv = parse_invocation(["-lc", "true"])
    assert inv.command == "true"
    assert inv.passthrough == ["-l"]


def test_o_option_takes_its_argument() -> None:
    inv = parse_invocation(["-euo", "pipefail", "-c", "true"])
    assert inv.passthrough == ["-eu", "-o", "pipefail"]
    assert inv.command == "true"


def test_options_after_dash_c_are_still_options() -> None:
    inv = parse_invocation(["-c", "-x", "true"])
    assert inv.command == "true"
    assert inv.passthrough == ["-x"]


def test_script_and_its_arguments() -> None:
    inv = parse_invocation(["--norc", "deploy.sh", "a", "b"])
    assert inv.script == "deploy.sh"
    assert inv.args == ["a", "b"]
    assert inv.passthrough == ["--norc"]


def test_double_dash_ends_options() -> None:
    inv = parse_invocation(["--", "-script"])
    assert inv.script == "-script"


def test_s_reads_commands_from_stdin_and_keeps_positional_args() -> None:
    inv = parse_invocation(["-s", "a", "b"])
    assert inv.read_stdin
    assert inv.script is None
    assert inv.args == ["a", "b"]


def test_dry_run_is_safeshs_own_and_not_passed_on() -> None:
    inv = parse_invocation(["--dry-run", "-c", "true"])
    assert inv.dry_run
    assert inv.passthrough == []


@pytest.mark.parametrize("argv", [["-Z", "-c", "x"], ["--bogus"], ["-c"], ["-o"]])
def test_bad_options_are_usage_errors(argv: list[str]) -> None:
    with pytest.raises(UsageError):
        parse_invocation(argv)
