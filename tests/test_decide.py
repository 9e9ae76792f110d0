"""The decision state machine: every combination has exactly one documented action."""

from __future__ import annotations

import itertools

import pytest

from safesh.decide import (
    EXIT_REFUSED,
    Action,
    DecisionInput,
    Mode,
    after_prompt,
    decide,
    exit_code,
)
from safesh.model import Tier

ALL_INPUTS = [
    DecisionInput(tier, mode, terminal, granted)
    for tier, mode, terminal, granted in itertools.product(Tier, Mode, (True, False), (True, False))
]


@pytest.mark.parametrize("state", ALL_INPUTS, ids=str)
def test_every_combination_has_an_action(state: DecisionInput) -> None:
    assert isinstance(decide(state), Action)


@pytest.mark.parametrize("state", [s for s in ALL_INPUTS if s.tier is Tier.BLOCK], ids=str)
def test_block_never_runs_whatever_the_terminal_or_grant(state: DecisionInput) -> None:
    assert not decide(state).runs


@pytest.mark.parametrize("state", [s for s in ALL_INPUTS if s.mode is Mode.DRY_RUN], ids=str)
def test_dry_run_never_runs(state: DecisionInput) -> None:
    assert not decide(state).runs


def test_allow_runs() -> None:
    assert decide(DecisionInput(Tier.ALLOW, Mode.EXEC, False, False)) is Action.RUN


def test_notify_runs_and_is_recorded_for_a_look() -> None:
    assert decide(DecisionInput(Tier.NOTIFY, Mode.EXEC, False, False)) is Action.RUN_NOTIFY


def test_ask_prompts_when_a_human_is_at_the_terminal() -> None:
    assert decide(DecisionInput(Tier.ASK, Mode.EXEC, True, False)) is Action.PROMPT


def test_ask_without_a_terminal_leaves_an_approval_request() -> None:
    assert decide(DecisionInput(Tier.ASK, Mode.EXEC, False, False)) is Action.REQUEST_APPROVAL


def test_ask_runs_under_an_earlier_approval() -> None:
    assert decide(DecisionInput(Tier.ASK, Mode.EXEC, False, True)) is Action.RUN_APPROVED


def test_only_an_explicit_yes_at_the_prompt_runs() -> None:
    assert after_prompt(True) is Action.RUN_APPROVED
    assert after_prompt(False) is Action.REFUSE


def test_dry_run_exit_codes() -> None:
    assert exit_code(Action.WOULD_RUN) == 0
    assert exit_code(Action.WOULD_REFUSE) == EXIT_REFUSED
