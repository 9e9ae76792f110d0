"""The named checks (safesh/rules/checks.py): each with its own tests."""

from __future__ import annotations

import pytest

from safesh.model import Command, Context, Feed, Span, Word
from safesh.rules.checks import CHECKS

CTX = Context(cwd="/home/user/project", home="/home/user", repo_root="/home/user/project")


def cmd(*argv: str, **fields: object) -> Command:
    words = tuple(Word(a, a, Span(0, 0)) for a in argv)
    return Command(
        name=argv[0], argv=argv, words=words, span=Span(0, 0), source=" ".join(argv), **fields
    )  # type: ignore[arg-type]


def run(name: str, command: Command) -> str | None:
    return CHECKS[name].predicate(command, CTX)


def test_every_check_has_an_id_severity_and_message() -> None:
    ids = [check.id for check in CHECKS.values()]
    assert len(ids) == len(set(ids))
    assert all(check.message and check.id.startswith("S") for check in CHECKS.values())


def test_dynamic_command_matches_a_dynamic_command() -> None:
    assert run("dynamic-command", cmd("$CMD", "x", dynamic=True)) == "$CMD"


def test_dynamic_command_passes_a_static_command() -> None:
    assert run("dynamic-command", cmd("ls")) is None


def test_fork_bomb_matches_self_call_in_pipe() -> None:
    command = cmd(":", nesting=("function :",), pipeline=(1, 0, 2))
    assert run("fork-bomb", command) is not None


def test_fork_bomb_matches_backgrounded_self_call() -> None:
    command = cmd("f", nesting=("function f",), background=True)
    assert run("fork-bomb", command) is not None


def test_fork_bomb_passes_plain_recursion() -> None:
    assert run("fork-bomb", cmd("f", nesting=("function f",))) is None


def test_fork_bomb_passes_pipe_in_other_function() -> None:
    assert run("fork-bomb", cmd("ls", nesting=("function f",), pipeline=(1, 0, 2))) is None


@pytest.mark.parametrize(
    "name", ["sh", "bash", "zsh", "python3", "python3.11", "perl", "node", "sudo"]
)
def test_download_into_interpreter_matches(name: str) -> None:
    command = cmd(name, feed=Feed("download", source=("curl", "https://x")))
    expected = name != "sudo"  # unwrap peels sudo, so the Command is the shell itself
    assert (run("download-to-interpreter", command) is not None) is expected


def test_process_substitution_download_matches() -> None:
    command = cmd("bash", feed=Feed("process-substitution-download", source=("curl", "x")))
    assert run("download-to-interpreter", command) is not None


def test_download_into_a_filter_passes() -> None:
    assert (
        run("download-to-interpreter", cmd("jq", ".", feed=Feed("download", source=("curl",))))
        is None
    )


def test_local_pipe_into_shell_is_not_a_download() -> None:
    assert run("download-to-interpreter", cmd("sh", feed=Feed("pipe", source=("cat", "x")))) is None


@pytest.mark.parametrize(
    "argv",
    [
        ("perl", "-e", "rm -rf /"),
        ("python3", "-c", "git reset --hard"),
        ("ruby", "-e", "sudo rm -rf /srv"),
    ],
)
def test_a_shell_command_given_as_the_program_matches(argv: tuple[str, ...]) -> None:
    assert run("inline-program", cmd(*argv)) is not None


@pytest.mark.parametrize(
    "argv",
    [
        ("python", "-c", "import shutil; shutil.rmtree('x')"),
        ("node", "-e", "require('fs').rmSync('d', {recursive: true})"),
        ("ruby", "-e", "`rm -rf x`"),
    ],
)
def test_a_readable_program_is_left_to_its_effects(argv: tuple[str, ...]) -> None:
    # What it deletes or runs is judged target by target (tests/test_effects_inline.py).
    assert run("inline-program", cmd(*argv)) is None


@pytest.mark.parametrize(
    "argv",
    [("python", "-c", "print(1)"), ("node", "-e", "console.log(1)"), ("python", "script.py"),
     ("perl", "-ne", "print if /x/", "f")],
)  # fmt: skip
def test_harmless_inline_program_passes(argv: tuple[str, ...]) -> None:
    assert run("inline-program", cmd(*argv)) is None


def test_args_unknown_matches_when_wrapper_appends_args() -> None:
    assert run("args-unknown", cmd("rm", "-rf", args_unknown=True, via=("xargs",))) is not None


def test_args_unknown_passes_when_all_args_are_seen() -> None:
    assert run("args-unknown", cmd("rm", "-rf", "x")) is None


@pytest.mark.parametrize("name", ["parse-error", "internal-error"])
def test_line_level_checks_never_match_a_command(name: str) -> None:
    assert CHECKS[name].line_level
    assert run(name, cmd("rm", "-rf", "/", dynamic=True)) is None


@pytest.mark.parametrize(
    "argv",
    [("kill", "-9", "-1"), ("kill", "--", "-1"), ("kill", "-s", "KILL", "-1"), ("kill", "1")],
)
def test_kill_everything_matches_every_process_or_init(argv: tuple[str, ...]) -> None:
    assert run("kill-everything", cmd(*argv)) is not None


@pytest.mark.parametrize(
    "argv", [("kill", "-1", "12345"), ("kill", "-HUP", "1234"), ("kill", "1234"), ("pkill", "-1")]
)
def test_kill_everything_passes_a_signal_to_one_process(argv: tuple[str, ...]) -> None:
    assert run("kill-everything", cmd(*argv)) is None


def test_unseen_code_is_emitted_by_the_analysis_not_matched_on_commands() -> None:
    check = CHECKS["unseen-code"]
    assert check.line_level
    assert check.predicate(cmd("bash", "i.sh"), CTX) is None
