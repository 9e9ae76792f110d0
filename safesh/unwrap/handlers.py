"""Which function peels each command name that runs, or may run, another command: `handler`
for the walk, which imports a handler's module only when a line runs one of its programs, and
`full_table` (every handler module imported), the table the index below is checked against.

Most lines run no wrapper at all (`ls`, `git status`), and importing every handler module up
front cost more than judging such a line. The index is data: command name -> the handler's
module and function, by name. tests/test_unwrap_handlers.py checks that it names exactly the
functions `full_table` holds, for exactly the same names: a handler missing from the index
would leave its programs unpeeled (judged by their outer word only), so that test guards the
fail-closed property, and a new handler is added in both places.

May use: every handler module of `safesh.unwrap` (lazily) and the standard library.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from safesh.unwrap.site import Handler

_PACKAGE = "safesh.unwrap"

# "module.function" (in safesh.unwrap) -> the command names it peels, separated by blanks.
_BY_HANDLER: dict[str, str] = {
    "cloudexec.aws": "aws",
    "cloudexec.az": "az",
    "cloudexec.doctl": "doctl",
    "cloudexec.fly": "fly flyctl",
    "cloudexec.forge_api": "gh glab",
    "cloudexec.heroku": "heroku",
    "dbshells.cnpg": "kubectl-cnpg",
    "dbshells.shell_platform": "pscale turso",
    "dbshells.wrangler": "wrangler",
    "definitions.alias_builtin": "alias",
    "definitions.trap_builtin": "trap",
    "fanout.fd_exec": "fd fdfind",
    "fanout.find_exec": "find",
    "fanout.parallel": "parallel sem",
    "fanout.xargs": "xargs",
    "foreign.other_shell": "cmd elvish nu powershell pwsh xonsh",
    "git.git": "git",
    "inplace.in_place_editor": "awk ed ex gawk gsed nvim perl red sed vi vim",
    "injectors.injector": (
        "aws-okta aws-vault berglas chamber direnv doppler dotenv dotenvx env-cmd "
        "envchain infisical op saml2aws sops summon teller terramate "
        "asdf mise rtx pyenv rbenv nodenv goenv jenv plenv phpenv luaenv scalaenv volta nvm "
        "devbox guix flox scl toolbox distrobox distrobox-enter flatpak-spawn proot schroot "
        "systemd-nspawn limactl orb orbctl wsl railway"
    ),
    "playbook.ansible_playbook": "ansible-playbook ansible-pull",
    "remote.ansible": "ansible",
    "remote.container_exec": "colima docker docker-compose finch kubectl lima nerdctl oc podman",
    "remote.gcloud": "gcloud",
    "remote.adb": "adb",
    "remote.ssh": "mssh ssh",
    "remote.ssh_client": "scp sftp",
    "remote.vagrant": "vagrant",
    "runners.capsh": "capsh",
    "runners.command_options": (
        "concurrently emacs gdb gtar gvim kadmin kadmin.heimdal "
        "kadmin.local less lftp lldb man nodemon osascript rsync smbclient tar "
        "view watchexec zip"
    ),
    "runners.conda_run": "conda mamba micromamba pixi",
    "runners.entr": "entr",
    "runners.fleet": "clush fab parallel-ssh pdsh pssh salt salt-ssh",
    "runners.hyperfine": "hyperfine",
    "runners.nix": "nix nix-shell",
    "runners.npm_exec": "bun npm",
    "runners.project_program": "cargo dotnet go",
    "runners.screen": "screen",
    "runners.script_runner": "node nodejs php ruby ts-node tsx",
    "runners.sg": "sg",
    "runners.tcl": "expect expectk jimsh tclsh wish",
    "runners.tmux": "tmux",
    "schedule.at": "at batch",
    "schedule.crontab": "crontab",
    "shells.eval_builtin": "eval",
    "shells.safesh": "safesh",
    "shells.script_command": "script",
    "shells.shell": (
        "ash bash bash5 busybox-sh dash fish hush ksh ksh93 loksh mksh oksh pdksh posh "
        "rbash sh yash zsh"
    ),
    "shells.source_builtin": ". source",
    "shells.su": "runuser su",
    "sshwrap.autossh": "autossh",
    "sshwrap.mosh": "mosh",
    "sshwrap.sshfs": "sshfs",
    "startup.copier": "cp install ln mv",
    "startup.downloader": "curl wget",
    "startup.printer": "cat echo printf",
    "startup.tee": "sponge tee",
    "stored.unit_installer": "launchctl systemctl",
    "wrappers.command_builtin": "command",
    "wrappers.env_command": "env",
    "wrappers.exec_builtin": "exec",
    "wrappers.multicall": "busybox toybox",
    "wrappers.package_runner": "bundle bunx hatch npx pdm pipenv pipx pnpm poetry rye uv uvx yarn",
    "wrappers.python_module": (
        "python python2 python3 python3.10 python3.11 python3.12 python3.13 "
        "python3.14 python3.15 python3.6 python3.7 python3.8 python3.9"
    ),
    "wrappers.rm_clone": "del-cli premove rimraf rm-rf rmrf",
    "wrappers.simple_wrapper": (
        "builtin caffeinate catchsegv doas fakeroot firejail ionice ltrace "
        "nice nohup nsenter pkexec proxychains proxychains4 setsid stdbuf "
        "strace sudo time torsocks unbuffer unshare"
    ),
    "wrappers.skip_one_positional": "chroot chrt flock taskset",
    "wrappers.timeout": "timeout",
    "wrappers.watch": "watch",
}

INDEX: dict[str, str] = {
    name: handler for handler, names in _BY_HANDLER.items() for name in names.split()
}


# INDEX's entries split into (module, function), as they are first asked for.
_PLACES: dict[str, tuple[str, str]] = {}


def handler(name: str) -> Handler | None:
    """The function that peels command `name`, or None when it runs nothing else."""
    where = _PLACES.get(name)
    if where is None:
        found_in = INDEX.get(name)
        if found_in is None:
            return None
        module, _, function = found_in.partition(".")
        where = _PLACES[name] = (f"{_PACKAGE}.{module}", function)
    qualified, function = where
    loaded = sys.modules.get(qualified)
    if loaded is None:
        __import__(qualified)
        loaded = sys.modules[qualified]
    found: Handler = getattr(loaded, function)
    return found


_PYTHONS = ["python", "python3", "python2", *(f"python3.{minor}" for minor in range(6, 16))]
_PACKAGE_RUNNERS = [
    "npx", "bunx", "uv", "uvx", "poetry", "pipenv", "bundle", "pnpm", "yarn", "pdm", "hatch",
    "rye", "pipx",
]  # fmt: skip


def full_table() -> dict[str, Handler]:
    """The handler of each command name that runs, or may run, another command, with every
    handler module imported (later entries win, as in any dict display)."""
    from safesh.unwrap import (
        cloudexec,
        dbshells,
        definitions,
        fanout,
        git,
        injectors,
        inplace,
        playbook,
        remote,
        runners,
        schedule,
        shells,
        sshwrap,
        stored,
        wrappers,
    )

    return {
        **dict.fromkeys(wrappers.SIMPLE_WRAPPERS, wrappers.simple_wrapper),
        "timeout": wrappers.timeout,
        "chrt": wrappers.skip_one_positional,
        "taskset": wrappers.skip_one_positional,
        "flock": wrappers.skip_one_positional,
        "chroot": wrappers.skip_one_positional,
        "env": wrappers.env_command,
        "command": wrappers.command_builtin,
        "exec": wrappers.exec_builtin,
        "watch": wrappers.watch,
        "xargs": fanout.xargs,
        "parallel": fanout.parallel,
        "sem": fanout.parallel,
        **dict.fromkeys(_PYTHONS, wrappers.python_module),
        "busybox": wrappers.multicall,
        "toybox": wrappers.multicall,
        "git": git.git,
        "find": fanout.find_exec,
        "fd": fanout.fd_exec,
        "fdfind": fanout.fd_exec,
        "at": schedule.at,
        "batch": schedule.at,
        "crontab": schedule.crontab,
        "ssh": remote.ssh,
        "mssh": remote.ssh,
        "adb": remote.adb,
        **dict.fromkeys(["scp", "sftp"], remote.ssh_client),
        "su": shells.su,
        "runuser": shells.su,
        "script": shells.script_command,
        "eval": shells.eval_builtin,
        "alias": definitions.alias_builtin,
        "trap": definitions.trap_builtin,
        "source": shells.source_builtin,
        ".": shells.source_builtin,
        **dict.fromkeys(shells.SHELLS, shells.shell),
        "safesh": shells.safesh,
        **dict.fromkeys(_PACKAGE_RUNNERS, wrappers.package_runner),
        "tmux": runners.tmux,
        "nix-shell": runners.nix,
        "nix": runners.nix,
        **dict.fromkeys(["conda", "mamba", "micromamba", "pixi"], runners.conda_run),
        **dict.fromkeys(["npm", "bun"], runners.npm_exec),
        "sg": runners.sg,
        "capsh": runners.capsh,
        "entr": runners.entr,
        "hyperfine": runners.hyperfine,
        **runners.HANDLERS,
        **sshwrap.HANDLERS,
        **playbook.HANDLERS,
        **stored.HANDLERS,
        **inplace.HANDLERS,
        "ansible": remote.ansible,
        "vagrant": remote.vagrant,
        "gcloud": remote.gcloud,
        **cloudexec.HANDLERS,
        **dbshells.HANDLERS,
        **injectors.HANDLERS,
        **dict.fromkeys(
            ["kubectl", "oc", "docker-compose", *remote.CONTAINER_TOOLS], remote.container_exec
        ),
    }
