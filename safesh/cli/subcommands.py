"""The table of `safesh SUBCOMMAND` names and where each click command lives.

Data only, imported by both the dispatcher (`safesh.cli.main`) and the click group
(`safesh.cli.group`), so neither imports the other.
"""

# name -> "module:attribute" of a click command; imported only when that name is used.
SUBCOMMANDS: dict[str, str] = {
    "check": "safesh.cli.commands.check:command",
    "rules": "safesh.cli.commands.rules:group",
    "trust": "safesh.cli.commands.trust:command",
    "approvals": "safesh.cli.commands.approvals:approvals_command",
    "approve": "safesh.cli.commands.approvals:approve_command",
    "deny": "safesh.cli.commands.approvals:deny_command",
    "log": "safesh.cli.commands.log:command",
    "hook": "safesh.cli.commands.hook_cli:command",
    "install-hook": "safesh.cli.commands.install_hook:command",
    "doctor": "safesh.cli.commands.doctor:command",
    "shims": "safesh.cli.commands.shims:command",
    "paths": "safesh.cli.commands.paths:command",
    "serve": "safesh.cli.commands.serve:command",
    "mcp": "safesh.cli.commands.mcp:command",
    "daemon": "safesh.cli.commands.daemon:group",
    "snapshots": "safesh.cli.commands.undo:snapshots_command",
    "undo": "safesh.cli.commands.undo:undo_command",
}


def load_subcommand(name: str) -> object:
    import importlib  # here, not at the top: the hot paths (`-c`, hook) never load a command

    module_name, _, attribute = SUBCOMMANDS[name].partition(":")
    return getattr(importlib.import_module(module_name), attribute)
