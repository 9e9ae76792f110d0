"""Asking the human at the controlling terminal. Never stdin: it may carry the command's data."""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    # Annotations only: the judge's thin client asks `terminal_available` and must not
    # load the model's record classes to do so.
    from collections.abc import Mapping
    from typing import IO

    from safesh.model import Finding


def terminal_available(env: Mapping[str, str] | None = None) -> bool:
    """Whether a human can answer a prompt now: a controlling terminal exists and this process
    is attached to it. CI and SAFESH_NONINTERACTIVE=1 never prompt (that only tightens)."""
    environment = os.environ if env is None else env
    if environment.get("SAFESH_NONINTERACTIVE") == "1" or environment.get("CI"):
        return False
    if not any(os.isatty(fd) for fd in (0, 2)):
        return False
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return False
    os.close(fd)
    return True


def confirm_target(finding: Finding) -> str | None:
    """What a type-to-confirm rule wants typed, if it wants anything."""
    if finding.confirm == "type" and finding.target:
        return finding.target
    return None


def ask(
    explanation: str,
    type_to_confirm: str | None = None,
    tty_in: IO[str] | None = None,
    tty_out: IO[str] | None = None,
) -> bool:
    """Show `explanation` and ask; default No. With `type_to_confirm` the human must type that
    exact text, like the confirmations of the big hosting services."""
    close: list[IO[str]] = []
    try:
        if tty_in is None or tty_out is None:
            tty = open("/dev/tty", "r+", encoding="utf-8", errors="replace")  # noqa: SIM115
            close.append(tty)
            tty_in = tty_out = tty
        tty_out.write(explanation)
        if type_to_confirm is not None:
            tty_out.write(f"To run it, type {type_to_confirm!r} (anything else cancels): ")
        else:
            tty_out.write("Run it anyway? [y/N] ")
        tty_out.flush()
        answer = tty_in.readline()
    except (KeyboardInterrupt, EOFError):
        # Ctrl-C / Ctrl-D at the question: No, and the cursor moves off the question's line.
        _newline(tty_out)
        return False
    except OSError:
        return False
    finally:
        for handle in close:
            handle.close()
    answer = answer.strip()
    if type_to_confirm is not None:
        return answer == type_to_confirm
    return answer.lower() in {"y", "yes"}


def _newline(out: IO[str] | None) -> None:
    if out is None:
        return
    try:  # not contextlib: the judge's thin client imports this module at start-up
        out.write("\n")
        out.flush()
    except (OSError, ValueError):
        pass
