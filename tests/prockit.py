"""Waiting on processes a test started (a resident judge and its children): a bounded wait
for a condition, and whether a process is still running (a zombie is not)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable


def wait_until(condition: Callable[[], object], limit: float = 30.0) -> bool:
    """Whether `condition()` became true within `limit` seconds (polled every 20 ms). An upper
    bound for a test to give up at, never a timing assertion."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.02)
    return False


def alive(pid: int) -> bool:
    """Whether process `pid` exists and has not exited (a zombie has)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False
