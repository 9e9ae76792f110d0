"""Family: `enable -n NAME` switches a bash builtin off, so NAME runs the program of that name
on PATH for the rest of the shell's life. For builtins whose program does the same (echo,
kill, test) that is a note; for builtins that change the shell itself (cd, source, export,
alias, hash …) no program can, so later lines no longer do what they read as: those ask.
Listing (`enable`, `enable -n`, `-a`, `-p`) and switching a builtin back on pass.
"""

from __future__ import annotations

import pytest
from effects_helpers import STOPPED, explain, judge

from safesh.model import Tier


@pytest.mark.parametrize(
    "line",
    ["enable -n cd", "enable -n pushd popd", "enable -n source", "enable -n .",
     "enable -n eval", "enable -n export", "enable -n echo cd", "builtin enable -n hash",
     "enable -n alias unalias", "enable -n trap"],
)  # fmt: skip
def test_switching_off_a_builtin_that_changes_the_shell_asks(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision is Tier.ASK, explain(analysis)


@pytest.mark.parametrize("line", ["enable -n kill", "enable -n echo printf", "enable -n test"])
def test_switching_off_a_builtin_whose_program_does_the_same_is_noted(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision is Tier.NOTIFY, explain(analysis)


@pytest.mark.parametrize(
    "line", ["enable", "enable -n", "enable -a", "enable -p", "enable -s", "enable cd",
             "enable echo kill"]
)  # fmt: skip
def test_listing_builtins_or_switching_them_on_passes(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision not in STOPPED, explain(analysis)
    assert analysis.decision is not Tier.NOTIFY, explain(analysis)


def test_a_directory_change_after_cd_was_switched_off_in_the_same_line_is_asked() -> None:
    analysis = judge("enable -n cd; cd /tmp/scratch && rm -rf ./*")
    assert analysis.decision in STOPPED, explain(analysis)


def test_loading_a_builtin_from_a_library_still_asks() -> None:
    analysis = judge("enable -f /tmp/evil.so evil")
    assert analysis.decision is Tier.ASK, explain(analysis)
