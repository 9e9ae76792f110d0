"""Telling a human that an approval request is waiting: a command and/or a webhook.

Each runs in a detached child interpreter with a timeout, so the agent's command never waits
for it and never fails because of it.

May import: the standard library and `safesh.store.values`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from safesh.store.values import ApprovalRequest, NotifyConfig

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    import subprocess

# Run in a detached interpreter: the request JSON arrives on stdin (a temporary file, so
# writing it can never block on a full pipe), the command or webhook gets `timeout` seconds.
_NOTIFY_HELPER = r"""
import subprocess, sys, urllib.request
kind, target, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
if kind == "command":
    import json
    argv = json.loads(target)
    try:
        subprocess.run(argv, shell=isinstance(argv, str), timeout=timeout,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except Exception:
        pass
else:
    data = sys.stdin.buffer.read()
    request = urllib.request.Request(target, data=data, method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        urllib.request.urlopen(request, timeout=timeout).close()
    except Exception:
        pass
"""


def notify_request(
    request: ApprovalRequest,
    command: str | Sequence[str] | None = None,
    url: str | None = None,
    *,
    timeout_s: float = 10.0,
) -> list[subprocess.Popen[bytes]]:
    """Tell a human that `request` is waiting: run `command` (a shell string or an argv) with
    the request as JSON on stdin, and/or POST the JSON to `url`. Each runs in a detached
    child (its own session, so the agent's Ctrl-C or exit does not reach it) with a timeout;
    this function returns at once and never raises. The children are returned so tests can
    wait for them; callers may ignore them."""
    import json
    import subprocess
    import tempfile

    children: list[subprocess.Popen[bytes]] = []
    payload = json.dumps(request.to_dict()).encode("utf-8")
    jobs = []
    if command:
        target = command if isinstance(command, str) else list(command)
        jobs.append(("command", json.dumps(target)))
    if url:
        jobs.append(("url", url))
    for kind, target_text in jobs:
        try:
            with tempfile.TemporaryFile() as stdin:
                stdin.write(payload)
                stdin.seek(0)
                children.append(
                    subprocess.Popen(
                        [sys.executable, "-c", _NOTIFY_HELPER, kind, target_text, str(timeout_s)],
                        stdin=stdin,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                        start_new_session=True,
                        close_fds=True,
                    )
                )
        except Exception as exc:
            try:  # noqa: SIM105 - contextlib is not loaded on the start-up path
                sys.stderr.write(f"safesh: could not start the approval notification: {exc}\n")
            except Exception:
                pass
    return children


def notify_with(request: ApprovalRequest, config: NotifyConfig) -> list[subprocess.Popen[bytes]]:
    """`notify_request` driven by the user's configuration."""
    return notify_request(request, config.command, config.url, timeout_s=config.timeout_s)
