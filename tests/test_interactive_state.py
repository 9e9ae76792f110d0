"""What the interactive shell's bash reports it holds (`safesh.interactive.state`) reads back
exactly as bash has it, whatever the values; what does not read, or is stale, becomes a
problem, and a line judged with a problem asks.

Values reach bash only as `$'…'` words that are assigned, never run.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safesh.api import check
from safesh.interactive.bash_session import ansi_c_quote
from safesh.interactive.state import ParseMemo, parse_aliases, parse_variables, read_state
from safesh.model import ParseError
from safesh.unwrap.definitions import SessionState

BASH = shutil.which("bash")
needs_bash = pytest.mark.skipif(BASH is None, reason="needs bash")
VALUES = st.text(alphabet=st.characters(blacklist_characters="\x00", codec="utf-8"), max_size=30)


def bash_output(script: str) -> str:
    assert BASH is not None
    done = subprocess.run([BASH, "--norc", "--noprofile", "-c", script], capture_output=True)
    return done.stdout.decode("utf-8", "surrogateescape")


@needs_bash
@settings(max_examples=60, deadline=None)
@given(VALUES)
def test_a_scalar_reads_back_exactly_whatever_it_holds(value: str) -> None:
    printed = bash_output(f"v={ansi_c_quote(value)}; declare -p v")
    assert dict(parse_variables(printed)) == {"v": (value,)}


@needs_bash
@settings(max_examples=40, deadline=None)
@given(st.lists(VALUES, max_size=4))
def test_an_array_reads_back_as_its_elements_in_order(values: list[str]) -> None:
    elements = " ".join(ansi_c_quote(value) for value in values)
    printed = bash_output(f"a=({elements}); declare -p a")
    assert dict(parse_variables(printed)) == {"a": tuple(values)}


@needs_bash
@settings(max_examples=60, deadline=None)
@given(VALUES)
def test_an_alias_value_reads_back_exactly_whatever_it_holds(value: str) -> None:
    printed = bash_output(f"alias a={ansi_c_quote(value)}; alias -p")
    assert parse_aliases(printed) == (("a", value),)


@needs_bash
def test_a_nameref_is_unknown_not_the_name_it_refers_to() -> None:
    printed = bash_output("x=ls; declare -n r=x; declare -p r")
    assert dict(parse_variables(printed)) == {"r": None}


def test_a_report_from_an_earlier_prompt_is_a_problem(tmp_path: Path) -> None:
    for name in ("aliases", "variables", "hashed", "traps"):
        (tmp_path / name).write_text("3\n")
    for name in ("functions", "positional"):
        (tmp_path / name).write_text("3\x000\x00" if name == "positional" else "3\x00")
    assert read_state(tmp_path, 3).problems == ()
    stale = read_state(tmp_path, 4)
    assert len(stale.problems) == 6


def test_a_session_function_that_does_not_parse_asks_when_called() -> None:
    broken = SessionState(functions=(("tidy", "tidy () \n{ \n    echo 'open\n}\n"),))
    report = check("tidy", cwd="/tmp", env={"HOME": "/home/u"}, session=broken)
    assert report.decision == "ask"
    assert "core.session-unknown" in report.rule_ids()


def test_a_session_function_that_is_not_called_is_not_judged() -> None:
    broken = SessionState(functions=(("tidy", "tidy () \n{ \n    echo 'open\n}\n"),))
    report = check("echo hello", cwd="/tmp", env={"HOME": "/home/u"}, session=broken)
    assert report.decision == "allow"


def test_a_definition_text_holding_more_than_its_function_asks() -> None:
    # Whatever lies outside the function's body would not be judged at the call.
    smuggled = SessionState(functions=(("tidy", "tidy () \n{ \n    :\n}\nrm -rf ~/\n"),))
    report = check("tidy", cwd="/tmp", env={"HOME": "/home/u"}, session=smuggled)
    assert report.decision != "allow"


def test_a_function_text_is_parsed_once_while_it_stays_the_same() -> None:
    memo = ParseMemo()
    text = "tidy () \n{ \n    make clean\n}\n"
    assert memo(text) is memo(text)


def test_the_parse_memo_keeps_only_the_newest_texts() -> None:
    memo = ParseMemo(limit=2)
    first = memo("a () \n{ \n    :\n}\n")
    memo("b () \n{ \n    :\n}\n")
    memo("c () \n{ \n    :\n}\n")
    assert memo("a () \n{ \n    :\n}\n") is not first


def test_a_function_text_that_does_not_parse_fails_at_every_call() -> None:
    memo = ParseMemo()
    for _ in range(2):
        with pytest.raises(ParseError):
            memo("tidy () \n{ \n    echo 'open\n}\n")
