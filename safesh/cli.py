"""Command-line wiring. `safesh SUBCOMMAND …` goes to click (loaded lazily);
anything else is bash's own command line and goes to `safesh.shell`."""

from __future__ import annotations

import importlib
from collections.abc import Sequence

# name -> "module:attribute" of a click command; imported only when that name is used.
SUBCOMMANDS: dict[str, str] = {
    "check": "safesh.commands.check:command",
    "rules": "safesh.commands.rules:group",
    "trust": "safesh.commands.trust:command",
    "approvals": "safesh.commands.approvals:approvals_command",
    "approve": "safesh.commands.approvals:approve_command",
    "deny": "safesh.commands.approvals:deny_command",
    "log": "safesh.commands.log:command",
    "hook": "safesh.commands.hook:command",
    "install-hook": "safesh.commands.install_hook:command",
    "doctor": "safesh.commands.doctor:command",
    "shims": "safesh.commands.shims:command",
    "paths": "safesh.commands.paths:command",
}


def load_subcommand(name: str) -> object:
    module_name, _, attribute = SUBCOMMANDS[name].partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def main(argv: Sequence[str]) -> int:
    if argv and argv[0] in SUBCOMMANDS:
        from safesh.commands.group import run_group

        return run_group(list(argv))
    from safesh.shell import main as shell_main

    return shell_main(list(argv))
