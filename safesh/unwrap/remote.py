"""Commands run on other hosts, devices or inside containers: `ssh HOST CMD`, `adb shell CMD`,
`vagrant ssh -c CMD`, `gcloud compute ssh VM --command CMD`, `ansible HOSTS -m shell -a CMD`,
`docker exec`/`run`, `docker compose exec`/`run`, `kubectl exec … -- CMD`. The outer command
is judged by its own rules and the command it carries is judged too: a string is parsed by the
remote shell, argv is peeled like any command.

May use: `safesh.model`, `.site`, `.words`, `.wrappers` (its option tables), `.shells`,
`.stored` (ssh's settings that run commands, `-F FILE`), `.kubeplugin`, `.foreign` (PowerShell
spelled as shell lines, for Windows hosts) and the standard library.
"""

from __future__ import annotations

from safesh.lazy_re import later
from safesh.model import Word
from safesh.record import replace
from safesh.unwrap.kubeplugin import kubectl_plugin
from safesh.unwrap.shells import SHELLS, read_local_file
from safesh.unwrap.stored import SSH_LOCAL_COMMANDS, ssh_config_file
from safesh.unwrap.words import command_name, split_options
from safesh.unwrap.wrappers import VALUE_OPTIONS

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from safesh.unwrap.site import Site, Walk


def _ssh_setting(words: list[Word], i: int) -> tuple[Word | None, int]:
    """The `-o` setting at `words[i]` (`-o K=V`, `-oK=V`, `-o 'K V'`) and the next index."""
    text = words[i].text
    if text == "-o":
        return (words[i + 1], i + 2) if i + 1 < len(words) else (None, i + 1)
    if text.startswith("-o") and len(text) > 2:
        return replace(words[i], text=text[2:]), i + 1
    return None, i + 1


def ssh_local_commands(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """The commands `-o ProxyCommand=CMD` (and the like) make an ssh client run locally are
    judged as command lines of their own: `ssh -o ProxyCommand='rm -rf ~' host` is `rm -rf ~`."""
    i = 0
    while i < len(words):
        if words[i].text == "-F" and i + 1 < len(words):
            # `-F FILE`: the client's configuration comes from FILE, whose ProxyCommand and
            # kin are judged the same.
            ssh_config_file(w, name, words[i + 1], site)
        setting, i = _ssh_setting(words, i)
        if setting is None:
            continue
        key, _, value = setting.text.strip().replace("=", " ", 1).partition(" ")
        value = value.strip().removeprefix("=").strip()
        if key.lower() not in SSH_LOCAL_COMMANDS or not value or value.lower() == "none":
            continue
        label = f"{name} -o {key}"
        if not setting.static:
            w.emit([setting], site.inner(label), dynamic=True)
            continue
        w.walk_source(value, site.nested(label), f"{label} command")


def ssh_client(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`scp`/`sftp`: judged by their own rules; the local commands their `-o` settings
    run are judged too."""
    w.emit(words, site)
    ssh_local_commands(w, name, words[1:], site)
    # `-S PROGRAM`: the program scp/sftp runs instead of ssh (with ssh's arguments).
    program = _option_value(words[1:], {"-S"})
    if program is not None and program.text:
        w.peel([program], site.inner(f"{name} -S", feed=None))


# adb's options that take a value before its subcommand, and those of `adb shell` itself.
_ADB_VALUES = frozenset({"-s", "-t", "-H", "-P", "-L"})
_ADB_SHELL_OPTIONS = frozenset({"-n", "-T", "-t", "-tt", "-x"})


def adb(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`adb [-s SERIAL] shell CMD…`, `adb exec-out CMD…`: adb joins CMD with spaces and the
    device's shell parses it, as ssh's remote shell does (`adb shell 'rm -rf /sdcard/DCIM'`)."""
    w.emit(words, site)
    i, device = 1, "android-device"
    while i < len(words) and words[i].text.startswith("-"):
        if words[i].text in _ADB_VALUES and i + 1 < len(words):
            if words[i].text == "-s":
                device = words[i + 1].text
            i += 2
        else:
            i += 1
    if i >= len(words) or words[i].text not in {"shell", "exec-out"}:
        return
    i += 1
    while i < len(words) and (words[i].text in _ADB_SHELL_OPTIONS or words[i].text == "-e"):
        i += 2 if words[i].text == "-e" else 1
    remote = words[i:]
    if not remote:
        return
    if not all(x.static for x in remote):
        w.emit(remote, site.inner(f"adb {device}", remote_host=device), dynamic=True)
        return
    joined = " ".join(x.text for x in remote)
    w.walk_source(joined, site.nested(f"adb {device}", device), "device command")


def ssh(w: Walk, name: str, words: list[Word], site: Site) -> None:
    feed = site.feed
    options, rest = split_options(words[1:], VALUE_OPTIONS["ssh"])
    ssh_local_commands(w, name, options, site)
    if not rest:
        w.emit(words, site)
        return
    host = rest[0].text
    # OpenSSH reads options after the host too (`ssh HOST -o ProxyCommand=… CMD`): the
    # command starts at the first word that is not one.
    late, remote = split_options(rest[1:], VALUE_OPTIONS["ssh"])
    ssh_local_commands(w, name, late, site)
    _remote_setting(w, host, [*options, *late], site)
    if not remote:
        w.emit(words, replace(site, remote_host=host))
        if feed is not None and feed.kind in {"heredoc", "herestring"} and feed.text:
            w.walk_source(feed.text, site.nested(f"ssh {host}", host), "remote script")
        return
    if not all(x.static for x in remote):
        w.emit(remote, site.inner(f"ssh {host}", remote_host=host), dynamic=True)
        return
    # ssh joins the remaining words with spaces and the remote shell parses the result.
    joined = " ".join(x.text for x in remote)
    # (a shell among the first words: `bash -s`, `sudo bash -s`, `sudo -u app sh`)
    shell = any(command_name(word) in SHELLS for word in joined.split()[:4])
    # What this side feeds ssh is the remote command's standard input (`ssh db psql <
    # drop.sql`, `echo 'FLUSHALL' | ssh cache redis-cli`, `ssh host 'bash -s' < x.sh`): judged
    # as a heredoc given to it (a shell reads its program from it).
    given = _local_stdin(w, site) or ""
    if given.startswith(" < ") and shell:
        w.note_unparsed(
            site.nested(f"ssh {host}", host),
            f"the remote shell runs {given[3:]}, which safesh cannot read here",
            given[3:],
            kind="unseen",
        )
    w.walk_source(joined + given, site.nested(f"ssh {host}", host), "remote command")


def _local_stdin(w: Walk, site: Site) -> str | None:
    """What this side gives a remote command on its standard input, as a redirection the
    remote line can carry: a heredoc of the text (`< FILE` read here, a heredoc, a here-string,
    `echo`/`printf`/`cat FILE` in a pipe), or `< FILE` when FILE cannot be read here (the
    remote side cannot read it either, so what needs its text asks). None: no known input."""
    import shlex

    text: str | None = None
    feed = site.feed
    if feed is not None and feed.text is not None:
        text = feed.text
    elif (
        feed is not None
        and feed.kind == "pipe"
        and len(feed.source) == 2
        and feed.source[0] == "cat"
    ):
        text = read_local_file(w, feed.source[1], site)
        if text is None:
            return f" < {shlex.quote(feed.source[1])}"
    for redirect in site.simple.redirects:
        if redirect.op == "<" and redirect.target is not None and redirect.fd in (None, 0):
            target = redirect.target
            text = read_local_file(w, target.text, site) if target.static else None
            if text is None:
                return f" < {shlex.quote(target.text if target.static else '/dev/stdin')}"
    if text is None:
        return None
    delimiter = "SAFESH_STDIN"
    while delimiter in text:
        delimiter += "_"
    return f" <<'{delimiter}'\n{text.rstrip(chr(10))}\n{delimiter}"


def _remote_setting(w: Walk, host: str, options: list[Word], site: Site) -> None:
    """`-o RemoteCommand=CMD`: CMD runs on the host instead of a login shell."""
    i = 0
    while i < len(options):
        setting, i = _ssh_setting(options, i)
        if setting is None:
            continue
        key, _, value = setting.text.strip().replace("=", " ", 1).partition(" ")
        value = value.strip().removeprefix("=").strip()
        if key.lower() == "remotecommand" and value and value.lower() != "none":
            _remote_string(w, host, replace(setting, text=value), site)


def _remote_string(w: Walk, host: str, string: Word, site: Site) -> None:
    if not string.static:
        w.emit([string], site.inner(f"ssh {host}", remote_host=host), dynamic=True)
        return
    w.walk_source(string.text, site.nested(f"ssh {host}", host), "remote command")


def _option_value(words: list[Word], names: set[str]) -> Word | None:
    """The value of the first of `names` among `words` (`--command X`, `--command=X`,
    `-cX` for a one-letter name)."""
    for i, word in enumerate(words):
        text = word.text
        if text in names and i + 1 < len(words):
            return words[i + 1]
        for option in names:
            if option.startswith("--") and text.startswith(option + "="):
                return replace(word, text=text[len(option) + 1 :])
    return None


def _positionals(words: list[Word], value_options: frozenset[str]) -> list[Word]:
    """The words that are neither options nor option values, up to a `--`."""
    found: list[Word] = []
    i = 0
    while i < len(words):
        text = words[i].text
        if text == "--":
            break
        if text.startswith("-"):
            i += 2 if text in value_options else 1
            continue
        found.append(words[i])
        i += 1
    return found


def _after_dashes(w: Walk, host: str, words: list[Word], site: Site) -> bool:
    """`… -- CMD…`: the words after `--` are a remote command line; True when there are."""
    texts = [x.text for x in words]
    if "--" not in texts:
        return False
    after = words[texts.index("--") + 1 :]
    if not after:
        return False
    static = all(x.static for x in after)
    joined = Word(
        " ".join(x.text for x in after), " ".join(x.raw for x in after), after[0].span, static
    )
    _remote_string(w, host, joined, site)
    return True


_VAGRANT_VALUES = frozenset({"-c", "--command"})


def vagrant(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`vagrant ssh [MACHINE] -c CMD` / `--command CMD` / `-- CMD…`."""
    w.emit(words, site)
    if len(words) < 2 or words[1].text != "ssh":
        return
    machines = _positionals(words[2:], _VAGRANT_VALUES)
    host = f"vagrant:{machines[0].text}" if machines else "vagrant"
    string = _option_value(words[2:], set(_VAGRANT_VALUES))
    if string is not None:
        _remote_string(w, host, string, site)
    else:
        _after_dashes(w, host, words, site)


_GCLOUD_VALUES = frozenset(
    {"--zone", "--project", "--command", "--ssh-key-file", "--ssh-flag", "--container",
     "--account", "--configuration", "--verbosity", "--worker", "--region", "--format",
     "--impersonate-service-account", "--billing-project", "--flags-file",
     "--strict-host-key-checking", "--ssh-key-expire-after", "--network", "--instance"}
)  # fmt: skip


def gcloud(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`gcloud compute ssh VM --command CMD` (also `compute tpus tpu-vm ssh`, `cloud-shell
    ssh`), or the words after `--`. The flags a `--flags-file` holds are judged as if typed."""
    added = _gcloud_flags_file(w, words, site)
    if added:  # before a `--`: what follows it is a remote command
        end = next((i for i, x in enumerate(words) if x.text == "--"), len(words))
        words = [*words[:end], *added, *words[end:]]
    w.emit(words, site)
    texts = [x.text for x in words]
    if "ssh" not in texts[1:5]:
        return
    start = texts.index("ssh") + 1
    targets = _positionals(words[start:], _GCLOUD_VALUES)
    host = targets[0].text if targets else "gcloud"
    string = _option_value(words[start:], {"--command"})
    if string is not None:
        _remote_string(w, host, string, site)
    else:
        _after_dashes(w, host, words, site)


def _gcloud_flags_file(w: Walk, words: list[Word], site: Site) -> list[Word]:
    """The flags `--flags-file FILE` (YAML: `--flag: value`, a list for a repeated flag, true
    or false for a switch) adds to the line, as words; none when it cannot be read here (the
    verb, which decides most, is on the line)."""
    at = next((i for i, x in enumerate(words) if x.text.startswith("--flags-file")), None)
    if at is None:
        return []
    word = words[at]
    path = word.text.partition("=")[2] if "=" in word.text else None
    if path is None and at + 1 < len(words) and words[at + 1].static:
        path = words[at + 1].text
    text = read_local_file(w, path, site) if path and word.static else None
    if text is None:
        return []
    import yaml  # only for a gcloud line with a flags file

    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError:
        return []
    found: list[Word] = []
    for document in loaded if isinstance(loaded, list) else [loaded]:
        if not isinstance(document, dict):
            continue
        for flag, value in document.items():
            if not isinstance(flag, str) or not flag.startswith("--") or flag == "--flags-file":
                continue
            for item in value if isinstance(value, list) else [value]:
                if item is True or item is None:
                    spelled = flag
                elif item is False:
                    spelled = f"--no-{flag[2:]}"
                else:
                    spelled = f"{flag}={item}"
                found.append(Word(spelled, spelled, word.span))
    return found


# Modules whose argument is a command line the hosts run (`script`: a local script copied to
# and run on them, judged by its name and arguments).
_ANSIBLE_SHELL_MODULES = frozenset(
    {"shell", "command", "raw", "script", "ansible.builtin.shell", "ansible.builtin.command",
     "ansible.builtin.raw", "ansible.builtin.script"}
)  # fmt: skip
# Modules that act on the hosts whatever their arguments, with the command that does the same.
ANSIBLE_ACTIONS: dict[str, str] = {"reboot": "reboot", "win_reboot": "reboot"}
_ANSIBLE_VALUE_OPTIONS = frozenset(
    {"-m", "--module-name", "-a", "--args", "-i", "--inventory", "-u", "--user", "-l",
     "--limit", "-f", "--forks", "-e", "--extra-vars", "--become-user", "-T",
     "--timeout", "-c", "--connection", "--private-key", "-M", "--module-path", "-t",
     "--tree", "-P", "--poll", "-B", "--background", "--vault-id", "--vault-password-file"}
)  # fmt: skip


# Modules whose `state=absent` deletes something, with the command that does the same on the
# host and the module arguments that name what goes (the first one given). The command is judged
# on the hosts the pattern names, so its own rules decide (`path=/srv/data` blocks like
# `rm -rf /srv/data`). Any other module's `state=absent` is left to rule remote.ansible-absent.
ANSIBLE_ABSENT: dict[str, tuple[str, tuple[str, ...]]] = {
    "file": ("rm -rf --", ("path", "dest", "name")),
    "user": ("userdel", ("name", "user")),
    "group": ("groupdel", ("name",)),
    "filesystem": ("wipefs -a", ("dev",)),
    "docker_container": ("docker rm -f", ("name",)),
    "docker_volume": ("docker volume rm", ("volume_name", "name")),
    "docker_image": ("docker rmi", ("name",)),
    "postgresql_db": ("dropdb", ("name", "db")),
    "postgresql_user": ("dropuser", ("name", "user")),
    "zfs": ("zfs destroy -r", ("name",)),
}


def _module_arguments(text: str) -> dict[str, str]:
    """`path=/srv/x state=absent` as a mapping (ansible's key=value form; quotes honoured)."""
    import shlex  # only for ansible lines: off the hot path

    if text.lstrip().startswith("{"):  # the JSON form: -a '{"path": "/x", "state": "absent"}'
        import json

        try:
            found = json.loads(text)
        except ValueError:
            return {}
        if not isinstance(found, dict):
            return {}
        return {str(k): str(v) for k, v in found.items()}
    try:
        parts = shlex.split(text)
    except ValueError:
        return {}
    return dict(part.partition("=")[::2] for part in parts if "=" in part)


def _ansible_absent(w: Walk, host: str, module: str, text: str, site: Site) -> None:
    """`ansible HOSTS -m file -a 'path=P state=absent'`: judged as `rm -rf P` on HOSTS."""
    import shlex

    arguments = _module_arguments(text)
    spelled = ANSIBLE_ABSENT.get(module.rpartition(".")[2])
    if spelled is None or arguments.get("state") != "absent":
        return
    command, keys = spelled
    target = next((arguments[k] for k in keys if arguments.get(k)), None)
    if target is None:
        return
    if module.rpartition(".")[2] == "user" and arguments.get("remove") in {"yes", "true", "True"}:
        command = "userdel -r"
    line = f"{command} {shlex.quote(target)}"
    w.walk_source(line, site.nested(f"ansible {host} -m {module}", host), "ansible module")


def _ansible_option(words: list[Word], i: int, short: str, long: str) -> Word | None:
    """The value the word at `i` gives `short`/`long` in any spelling: `-m X`, `-mX`,
    `-m=X`, `--module-name X`, `--module-name=X`."""
    word = words[i]
    text = word.text
    if text in {short, long}:
        return words[i + 1] if i + 1 < len(words) else None
    if text.startswith(long + "="):
        value = text[len(long) + 1 :]
    elif text.startswith(short) and len(text) > 2 and not text.startswith("--"):
        value = text[2:].removeprefix("=")
    else:
        return None
    return replace(word, text=value)


def ansible(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`ansible HOSTS -m shell -a 'CMD'`: CMD runs on every host the pattern names (the
    `command` module is the default when only `-a` is given). Windows hosts' `win_shell`,
    `win_command` and `win_powershell` run PowerShell, judged as `pwsh -c` code is."""
    w.emit(words, site)
    module, arguments, pattern = "command", None, None
    i = 1
    while i < len(words):
        text = words[i].text
        named = _ansible_option(words, i, "-m", "--module-name")
        given = _ansible_option(words, i, "-a", "--args")
        if named is not None:
            module = named.text
        if given is not None:
            arguments = given
        if text in _ANSIBLE_VALUE_OPTIONS:
            i += 2
            continue
        if not text.startswith("-") and pattern is None:
            pattern = text
        i += 1
    host = pattern or "all"
    short = module.rpartition(".")[2]
    action = ANSIBLE_ACTIONS.get(short)
    if action is not None:
        w.walk_source(action, site.nested(f"ansible {host} -m {module}", host), "ansible module")
    shell_module = module in _ANSIBLE_SHELL_MODULES or short in _ANSIBLE_WINDOWS_MODULES
    if arguments is not None and arguments.static and not shell_module:
        _ansible_absent(w, host, module, arguments.text, site)
    if arguments is None or not shell_module:
        return
    if not arguments.static:
        w.emit([arguments], site.inner(f"ansible {host}", remote_host=host), dynamic=True)
        return
    if short in _ANSIBLE_WINDOWS_MODULES or (
        short == "raw" and looks_like_powershell(arguments.text)
    ):
        _ansible_powershell(w, host, module, arguments.text, site)
    if short not in _ANSIBLE_WINDOWS_MODULES:
        w.walk_source(arguments.text, site.nested(f"ansible {host}", host), "ansible command")


# Windows modules whose argument is PowerShell (`win_shell`, `win_powershell`'s `script=`) or
# a command line (`win_command`, often `powershell -Command …` or `cmd /c …`); any collection
# (`ansible.windows.win_shell`, `community.windows.…`).
_ANSIBLE_WINDOWS_MODULES = frozenset({"win_shell", "win_command", "win_powershell"})
# `win_shell`'s and `win_command`'s own key=value settings after the free-form command.
_ANSIBLE_WINDOWS_SETTINGS = later(
    r"\s(chdir|creates|removes|executable|stdin|output_encoding_override)=\S+"
)


def _ansible_powershell(w: Walk, host: str, module: str, text: str, site: Site) -> None:
    """The PowerShell (or cmd) code a Windows module runs on HOSTS, spelled as shell lines the
    way `pwsh -c CODE` is (foreign.py): `Remove-Item -Recurse` as `rm -r`, …"""
    from safesh.unwrap.foreign import powershell_lines

    if module.rpartition(".")[2] == "win_powershell":
        # `-a 'script=…'`, or the script itself (a playbook task's `script:` value)
        code = _module_arguments(text).get("script") or text
    else:
        code = _ANSIBLE_WINDOWS_SETTINGS.sub("", f" {text}").strip()
    lines = powershell_lines(code)
    if lines.strip():
        w.walk_source(lines, site.nested(f"ansible {host} -m {module}", host), "PowerShell code")


# A cmdlet (`Remove-Item`, `Format-Volume`) or a drive path (`C:\`): `raw` sends the text to
# whatever shell the host has, PowerShell on a Windows host.
_POWERSHELL_SIGNS = later(r"\b[A-Z][a-z]+-[A-Z][A-Za-z]+\b|\b[A-Za-z]:\\")


def looks_like_powershell(text: str) -> bool:
    return _POWERSHELL_SIGNS.search(text) is not None


# Options of `docker`/`podman` before the subcommand that take a value.
_DOCKER_GLOBAL = frozenset(
    {"-H", "--host", "-c", "--context", "--config", "-l", "--log-level", "--tlscacert",
     "--tlscert", "--tlskey", "--connection", "--url", "--identity", "--root", "--runroot",
     "--storage-driver", "--cgroup-manager", "--events-backend", "--network-cmd-path",
     "--runtime", "--tmpdir", "--module", "--ssh"}
)  # fmt: skip
# Options of `docker exec` / `docker compose exec` that take a value.
_EXEC_VALUES = frozenset(
    {"-e", "--env", "-u", "--user", "-w", "--workdir", "--env-file", "--detach-keys",
     "--index"}
)  # fmt: skip
# Options of `docker run` / `create` / `compose run` that take a value.
_RUN_VALUES = frozenset(
    {"-a", "--attach", "--add-host", "--annotation", "--blkio-weight", "--cap-add",
     "--cap-drop", "--cgroup-parent", "--cgroupns", "--cidfile", "--cpu-period", "--cpu-quota",
     "--cpu-rt-period", "--cpu-rt-runtime", "-c", "--cpu-shares", "--cpus", "--cpuset-cpus",
     "--cpuset-mems", "--device", "--device-cgroup-rule", "--device-read-bps",
     "--device-read-iops", "--device-write-bps", "--device-write-iops", "--dns",
     "--dns-option", "--dns-search", "--domainname", "--entrypoint", "-e", "--env",
     "--env-file", "--expose", "--gpus", "--group-add", "--health-cmd", "--health-interval",
     "--health-retries", "--health-start-period", "--health-timeout", "-h", "--hostname",
     "--ip", "--ip6", "--ipc", "--isolation", "--kernel-memory", "-l", "--label",
     "--label-file", "--link", "--link-local-ip", "--log-driver", "--log-opt",
     "--mac-address", "-m", "--memory", "--memory-reservation", "--memory-swap",
     "--memory-swappiness", "--mount", "--name", "--network", "--net", "--network-alias",
     "--oom-score-adj", "--pid", "--pids-limit", "--platform", "-p", "--publish", "--pull",
     "--restart", "--runtime", "--security-opt", "--shm-size", "--stop-signal",
     "--stop-timeout", "--storage-opt", "--sysctl", "--tmpfs", "--ulimit", "-u", "--user",
     "--userns", "--uts", "-v", "--volume", "--volume-driver", "--volumes-from", "-w",
     "--workdir", "--arch", "--os", "--variant", "--secret", "--pod", "--profile"}
)  # fmt: skip
_COMPOSE_GLOBAL = frozenset(
    {"-f", "--file", "-p", "--project-name", "--profile", "--env-file", "--project-directory",
     "--ansi", "--parallel", "--progress"}
)  # fmt: skip
CONTAINER_TOOLS = frozenset({"docker", "podman", "nerdctl", "finch", "lima", "colima"})
# The same tables, for live_openers (`docker run -it IMAGE` with no command).
DOCKER_GLOBAL_VALUES = _DOCKER_GLOBAL
COMPOSE_GLOBAL_VALUES = _COMPOSE_GLOBAL
RUN_VALUES = _RUN_VALUES


def _skip_options(words: list[Word], value_options: frozenset[str]) -> int:
    """The index of the first word that is not an option or an option's value."""
    i = 0
    while i < len(words) and words[i].text.startswith("-") and words[i].text != "--":
        i += 2 if words[i].text in value_options else 1
    return i


def _in_container(w: Walk, label: str, inner: list[Word], site: Site) -> None:
    if inner:
        w.peel(inner, site.inner(label))


def container_exec(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`docker exec CTR CMD`, `docker run IMAGE CMD`, `docker compose exec SVC CMD`,
    `kubectl [-n NS] exec POD -- CMD`: the outer command is judged by its own rules, and the
    command it runs inside the container is judged too."""
    w.emit(words, site)
    if name in {"kubectl", "oc"}:
        texts = [x.text for x in words]
        verbs = {"exec", "debug", "run", "attach"} & set(texts[1:6])
        if verbs and "--" in texts:
            _in_container(w, f"{name} {sorted(verbs)[0]}", words[texts.index("--") + 1 :], site)
        elif texts[1:2] == ["exec"]:
            _in_container(w, f"{name} exec", words[3:], site)  # `kubectl exec POD CMD` (old)
        else:
            kubectl_plugin(w, name, words, site)
        return
    rest = words[1:]
    if name == "docker-compose":
        rest = [Word("compose", "compose", words[0].span), *rest]
    else:
        rest = rest[_skip_options(rest, _DOCKER_GLOBAL) :]
    if rest[:1] and rest[0].text == "container":
        rest = rest[1:]
    if rest[:1] and rest[0].text == "compose":
        rest = rest[1:]
        rest = rest[_skip_options(rest, _COMPOSE_GLOBAL) :]
    if not rest or rest[0].text not in {"exec", "run", "create"}:
        return
    verb = rest[0].text
    rest = rest[1:]
    values = _EXEC_VALUES if verb == "exec" else _RUN_VALUES
    start = _skip_options(rest, values)
    entrypoint = _option_value(rest[:start], {"--entrypoint"})
    if start < len(rest) and rest[start].text == "--":
        start += 1
    inner = rest[start + 1 :]
    if entrypoint is not None and entrypoint.text:
        inner = [entrypoint, *inner]
    _in_container(w, f"{name} {verb}", list(inner), site)
