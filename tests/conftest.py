"""Suite-wide fixtures.

Many tests run `python -m safesh -c …` with the user's XDG variables stripped, so the thin
client starts the resident judge in the default runtime directory (`/tmp/safesh-UID`) for
this interpreter. It would then idle for 15 minutes after the suite; the suite stops it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session", autouse=True)
def _stop_the_judge_the_suite_started() -> Iterator[None]:
    yield
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAFESH_", "XDG_"))}
    subprocess.run(
        [sys.executable, "-m", "safesh", "daemon", "stop"],
        env=env,
        capture_output=True,
        timeout=30,
        check=False,
    )
