"""Programs that run a command with credentials or secrets put into its environment, or with a
chosen toolchain or inside an environment (`mise exec -- CMD`, `pyenv exec CMD`, `scl enable
COLL 'CMD'`, `systemd-nspawn -D DIR CMD`, `wsl -e CMD`):
`aws-vault exec PROFILE -- CMD`, `aws-okta exec PROFILE -- CMD`, `saml2aws exec -- CMD`,
`doppler run -- CMD`, `op run -- CMD`, `infisical run -- CMD`, `chamber exec SERVICE -- CMD`,
`envchain NAMESPACE CMD`, `direnv exec DIR CMD`, `dotenv -e FILE -- CMD`, `sops exec-env FILE
'CMD'`, … The command they run is peeled like any command (it usually runs against
production: that is what the credentials are for). An unknown program spelled the same way,
`TOOL [OPTIONS] exec|run … -- CMD…`, is read the same way.

May use: `safesh.model`, `safesh.record`, `.site`, `.wrappers` (NOT_WRAPPERS) and the standard
library.
"""

from __future__ import annotations

from safesh.model import Word
from safesh.record import frozen, replace
from safesh.unwrap.wrappers import NOT_WRAPPERS

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from safesh.unwrap.site import Site, Walk


@frozen
class Injector:
    """How one program is spelled: the subcommand that runs a command (empty: none), how many
    positional words come before the command when there is no `--` (None: it needs `--`),
    its options that take a value, its options whose value is a command line, and the
    environment variable its first positional word sets (the AWS profile)."""

    verbs: frozenset[str]
    skip: int | None
    values: frozenset[str]
    command_options: frozenset[str]
    profile_variable: str


def _spec(
    verbs: str, skip: int | None, values: str, commands: str = "", profile: str = ""
) -> Injector:
    return Injector(
        frozenset(verbs.split()), skip, frozenset(values.split()), frozenset(commands.split()),
        profile,
    )  # fmt: skip


INJECTORS: dict[str, Injector] = {
    "aws-vault": _spec(
        "exec",
        1,
        "-d --duration -t --mfa-token --region --prompt --backend --keychain "
        "--pass-dir --pass-cmd --pass-prefix --file-dir --server-type",
        profile="AWS_PROFILE",
    ),
    "aws-okta": _spec(
        "exec",
        1,
        "-t --assume-role-ttl --session-ttl --mfa-duo-device --mfa-provider "
        "--mfa-factor-type -b --backend",
        profile="AWS_PROFILE",
    ),
    "saml2aws": _spec(
        "exec",
        0,
        "--exec-profile -a --idp-account -p --profile --region --session-duration "
        "--role --username --password --mfa --url",
    ),
    "doppler": _spec(
        "run",
        0,
        "-c --config -p --project -t --token --mount --mount-format --mount-template "
        "--fallback --scope --preserve-env --name-transformer",
        "--command",
    ),
    "op": _spec("run", 0, "--env-file --account --cache"),
    "infisical": _spec("run", 0, "--env --path --projectId --token --tags --domain", "--command"),
    "chamber": _spec("exec", None, "-r --retries -b --backend --kms-key-alias"),
    "teller": _spec("run", 0, "-c --config"),
    "berglas": _spec("exec", 0, "--local"),
    "envchain": _spec("", 1, ""),
    "direnv": _spec("exec", 1, ""),
    "dotenv": _spec("", 0, "-e -c -v -p"),
    "dotenvx": _spec("run", 0, "-f --env-file --env -fk --env-keys-file --convention"),
    "env-cmd": _spec("", 0, "-f --file -e --environments -r --rc-file"),
    "summon": _spec("", 0, "-p --provider -f -D --up --yaml"),
    "terramate": _spec("run", 0, "-C --chdir --tags --no-tags -B --git-change-base"),
    "sops": _spec("exec-env exec-file", 1, "--input-type --output-type --user --filename"),
    # Toolchain and environment managers: the command runs with a chosen version of a tool,
    # or inside a development environment, a container-like root or another system.
    "asdf": _spec("exec", 0, ""),
    "mise": _spec("exec x", None, "-j --jobs -C --cd -E --env", "-c --command"),
    "rtx": _spec("exec x", None, "-j --jobs -C --cd", "-c --command"),
    **dict.fromkeys(
        ["pyenv", "rbenv", "nodenv", "goenv", "jenv", "plenv", "phpenv", "luaenv", "scalaenv"],
        _spec("exec", 0, ""),
    ),
    "volta": _spec("run", 0, "--node --npm --pnpm --yarn --env"),
    "nvm": _spec("exec", 1, ""),
    "devbox": _spec("run", 0, "-c --config -e --env --env-file"),
    "guix": _spec("shell environment", None, "-m --manifest -f --file -L --load-path"),
    "flox": _spec("activate", None, "-d --dir -r --remote", "-c --command"),
    "scl": _spec("enable", 1, ""),
    "toolbox": _spec("run", 0, "-c --container -d --distro -r --release"),
    "distrobox": _spec("enter", None, "-n --name -a --additional-flags"),
    "distrobox-enter": _spec("", None, "-n --name -a --additional-flags"),
    "flatpak-spawn": _spec("", 0, "--directory --forward-fd --sandbox-expose"),
    "proot": _spec("", 0, "-r --rootfs -b --bind -m --mount -w --pwd --cwd -q --qemu -k"),
    "schroot": _spec("", None, "-c --chroot -u --user -d --directory -n --session-name"),
    "systemd-nspawn": _spec(
        "",
        0,
        "-D --directory -M --machine -u --user --bind --bind-ro -E --setenv -i --image "
        "--chdir -U --private-users --network-interface --overlay --overlay-ro",
    ),
    "limactl": _spec("shell", 1, "--workdir --shell"),
    "orb": _spec("run", 0, "-m --machine -u --user -w --workdir"),
    "orbctl": _spec("run", 0, "-m --machine -u --user -w --workdir"),
    "wsl": _spec("", 0, "-d --distribution -u --user --cd"),
    "railway": _spec("run", 0, "-s --service -e --environment"),
}
# The command comes as one string run by a shell (`sops exec-env FILE 'CMD'`,
# `scl enable COLLECTION 'CMD'`), not as words.
_STRING_COMMANDS = frozenset({"sops", "scl"})


# wsl's options that run a command (`wsl -d Ubuntu -u root -e CMD`, `wsl --cd ~ -- CMD`); any
# other option is one of its management commands, judged by the rules on `wsl`.
_WSL_RUNNING = frozenset(
    {"-e", "--exec", "--", "--cd", "-d", "--distribution", "-u", "--user", "--shell-type",
     "--system"}
)  # fmt: skip


def _first_dashes(words: list[Word]) -> int:
    texts = [x.text for x in words]
    return texts.index("--") if "--" in texts else len(texts)


def _option_value(words: list[Word], names: frozenset[str]) -> Word | None:
    for i, word in enumerate(words):
        if word.text in names and i + 1 < len(words):
            return words[i + 1]
        for name in names:
            if name.startswith("--") and word.text.startswith(name + "="):
                return replace(word, text=word.text[len(name) + 1 :])
    return None


def _positional_indices(words: list[Word], values: frozenset[str]) -> list[int]:
    """The indices of the words that are neither options nor option values, up to `--`."""
    found: list[int] = []
    i = 0
    while i < len(words):
        text = words[i].text
        if text == "--":
            break
        if text.startswith("-") and len(text) > 1:
            i += 2 if text in values else 1
            continue
        found.append(i)
        i += 1
    return found


def injector(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """Judge the command an injector runs (the injector itself does nothing else)."""
    spec = INJECTORS[name]
    rest = words[1:]
    if name == "wsl" and any(
        x.text.startswith("-") and x.text not in _WSL_RUNNING for x in rest[: _first_dashes(rest)]
    ):
        w.emit(words, site)  # `wsl --unregister Ubuntu`, `wsl -l -v`: WSL's own management
        return
    positions = _positional_indices(rest, spec.values)
    start = 0
    if spec.verbs:
        if not positions or rest[positions[0]].text not in spec.verbs:
            w.emit(words, site)
            return
        start = positions[0] + 1
        positions = positions[1:]
    if spec.profile_variable and positions:
        profile = rest[positions[0]]
        if profile.static:
            site = replace(
                site, assignments=(*site.assignments, (spec.profile_variable, profile.text))
            )
    texts = [x.text for x in rest]
    command_string = _option_value(rest, spec.command_options) if spec.command_options else None
    if "--" in texts[start:]:
        inner = rest[texts.index("--", start) + 1 :]
    elif command_string is not None:
        _walk_string(w, name, command_string, site)
        return
    elif spec.skip is not None and len(positions) > spec.skip:
        inner = rest[positions[spec.skip] :]
        if name in _STRING_COMMANDS:
            # `scl enable COLL1 COLL2 'CMD'`: the command string is the last word.
            _walk_string(w, name, inner[-1] if name == "scl" else inner[0], site)
            return
    else:
        inner = []
    if not inner:
        w.emit(words, site)
        return
    w.peel(inner, site.inner(name))


def _walk_string(w: Walk, name: str, string: Word, site: Site) -> None:
    if not string.static:
        w.emit([string], site.inner(name), dynamic=True)
        return
    w.walk_source(string.text, site.nested(name), "command line")


# An unknown program's subcommands that run what follows `--` (`doppler run --`, `teller run
# --`, `aws-vault exec p --`): the words after `--` are a command when the first is a plain
# command name.
_RUNNING_VERBS = frozenset({"run", "exec", "execute", "with", "env", "shell"})


def runs_after_dashes(w: Walk, name: str, words: list[Word], site: Site) -> bool:
    """`TOOL [OPTIONS] run|exec … -- CMD…` by a program safesh does not know: judge CMD.
    True when it did."""
    texts = [x.text for x in words]
    if "--" not in texts or name in NOT_WRAPPERS:
        return False
    dashes = texts.index("--")
    before = [t for t in texts[1:dashes] if not t.startswith("-")]
    if not before or before[0] not in _RUNNING_VERBS:
        return False
    inner = words[dashes + 1 :]
    if not inner or not inner[0].static:
        return False
    first = inner[0].text
    if not first or first.startswith("-") or any(c.isspace() for c in first):
        return False
    w.peel(inner, site.inner(f"{name} …", feed=None, args_unknown=False))
    return True


HANDLERS = dict.fromkeys(INJECTORS, injector)
