"""The decide stage: an explicit, total state machine from (tier, mode, terminal, grant) to
what happens next. Every combination is listed in one table, so the policy can be read at a
glance and a test can prove no combination is missing.
"""

from __future__ import annotations

from safesh.choice import Choice
from safesh.model import Tier
from safesh.record import frozen


class Mode(Choice):
    EXEC = "exec"  # run the command if allowed (`safesh -c`, scripts, the interactive shell)
    DRY_RUN = "dry-run"  # report what would happen, run nothing


class Action(Choice):
    RUN = "run"  # hand the command to the real shell
    RUN_NOTIFY = "run-notify"  # run it, and record that a human should look
    RUN_APPROVED = "run-approved"  # run it under a human's earlier approval
    PROMPT = "prompt"  # ask the human at the terminal; see `after_prompt`
    REQUEST_APPROVAL = "request-approval"  # refuse, leaving a request a human can approve
    REFUSE = "refuse"  # refuse; nothing can let it through here
    WOULD_RUN = "would-run"  # dry run: it would run
    WOULD_REFUSE = "would-refuse"  # dry run: it would not run without a human

    @property
    def runs(self) -> bool:
        return self in (Action.RUN, Action.RUN_NOTIFY, Action.RUN_APPROVED)


@frozen
class DecisionInput:
    tier: Tier
    mode: Mode
    terminal: bool  # a human is at a controlling terminal to answer a prompt
    granted: bool  # a human approved this exact command, directory and rules beforehand


ANY = None
# (tier, mode, terminal, granted) -> action; None matches anything; the first match wins.
TRANSITIONS: tuple[tuple[Tier, Mode, bool | None, bool | None, Action], ...] = (
    (Tier.ALLOW, Mode.EXEC, ANY, ANY, Action.RUN),
    (Tier.NOTIFY, Mode.EXEC, ANY, ANY, Action.RUN_NOTIFY),
    (Tier.ASK, Mode.EXEC, ANY, True, Action.RUN_APPROVED),
    (Tier.ASK, Mode.EXEC, True, False, Action.PROMPT),
    (Tier.ASK, Mode.EXEC, False, False, Action.REQUEST_APPROVAL),
    (Tier.BLOCK, Mode.EXEC, ANY, ANY, Action.REFUSE),
    (Tier.ALLOW, Mode.DRY_RUN, ANY, ANY, Action.WOULD_RUN),
    (Tier.NOTIFY, Mode.DRY_RUN, ANY, ANY, Action.WOULD_RUN),
    (Tier.ASK, Mode.DRY_RUN, ANY, ANY, Action.WOULD_REFUSE),
    (Tier.BLOCK, Mode.DRY_RUN, ANY, ANY, Action.WOULD_REFUSE),
)


def decide(state: DecisionInput) -> Action:
    for tier, mode, terminal, granted, action in TRANSITIONS:
        if (
            tier == state.tier
            and mode == state.mode
            and terminal in (ANY, state.terminal)
            and granted in (ANY, state.granted)
        ):
            return action
    raise AssertionError(f"no transition for {state}")  # the table is total; a test proves it


def after_prompt(confirmed: bool) -> Action:
    """The human's answer to PROMPT. Anything but an explicit yes is a no."""
    return Action.RUN_APPROVED if confirmed else Action.REFUSE


# What the process exits with when it does not hand over to the real shell.
EXIT_OK = 0
EXIT_REFUSED = 77
EXIT_USAGE = 2


def exit_code(action: Action) -> int:
    return EXIT_OK if action in (Action.WOULD_RUN,) else EXIT_REFUSED
