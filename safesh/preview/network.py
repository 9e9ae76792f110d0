"""Probe: tools whose own dry run needs the network or credentials (`terraform destroy`,
`kubectl delete`, `helm uninstall`). Off unless the user's `[settings]` say
`preview_network = "on"`: then the tool's own read-only dry run runs (`terraform plan
-destroy -lock=false`, `kubectl … --dry-run=server -o name`, `helm … --dry-run`) with what is
left of the budget as its timeout. Off, the preview only says that it is off.

Imports: the standard library, `safesh.model` and `safesh.preview`'s own modules.
"""

from __future__ import annotations

import subprocess

from safesh.lazy_re import later
from safesh.model import Command, Context
from safesh.preview.paths import base_dir
from safesh.preview.types import MAX_ITEMS, Budget, BudgetExceeded, Section, Settings, plural

OFF_NOTE = 'network previews are off (set preview_network = "on" in [settings] to run dry runs)'
_PLAN = later(r"Plan: \d+ to add, \d+ to change, (\d+) to destroy")
_WILL_DESTROY = later(r"#\s+(\S+)\s+will be destroyed")


def applies(command: Command) -> bool:
    return _dry_run_argv(command) is not None


def probe(command: Command, context: Context, budget: Budget, settings: Settings) -> Section | None:
    argv = _dry_run_argv(command)
    directory = base_dir(command, context)
    if argv is None or not settings.network or directory is None or command.remote_host:
        return None
    try:
        result = subprocess.run(
            argv,
            cwd=directory,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=max(0.01, budget.remaining()),
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as error:
        raise BudgetExceeded from error
    except OSError:
        return None
    if result.returncode != 0:
        message = (result.stderr.strip().splitlines() or ["failed"])[-1]
        return Section(
            "plan", command.source, f"{argv[0]} dry run failed: {message}", complete=False
        )
    return _section(command, argv[0], result.stdout)


def _dry_run_argv(command: Command) -> list[str] | None:
    argv = list(command.argv)
    if command.name == "terraform" and "destroy" in argv:
        index = argv.index("destroy")
        rest = [a for a in argv[index + 1 :] if a not in ("-auto-approve", "--auto-approve")]
        return [
            "terraform",
            *argv[1:index],
            "plan",
            "-destroy",
            "-input=false",
            "-lock=false",
            "-no-color",
            *rest,
        ]
    if command.name == "kubectl" and "delete" in argv:
        return [*argv, "--dry-run=server", "-o", "name"]
    if command.name == "helm" and ("uninstall" in argv or "delete" in argv):
        return [*argv, "--dry-run"]
    return None


def _section(command: Command, tool: str, out: str) -> Section:
    if tool == "terraform":
        items = _WILL_DESTROY.findall(out)
        match = _PLAN.search(out)
        count = int(match.group(1)) if match else len(items)
        summary = f"terraform destroys {plural(count, 'resource')} (its own plan)"
    else:
        items = [line.strip() for line in out.splitlines() if line.strip()]
        count = len(items)
        summary = f"{tool} deletes {plural(count, 'object')} (server dry run)"
    return Section(
        kind="plan",
        command=command.source,
        summary=summary,
        count=count,
        items=tuple(items[:MAX_ITEMS]),
        more=max(0, len(items) - MAX_ITEMS),
        undo="no snapshot: not a local target",
        undoable=False,
    )
