"""Files whose text is code that runs later, without anyone typing it: a shell's start-up file
(at every login), ssh's client configuration (its ProxyCommand / LocalCommand lines, at every
connection), `~/.ssh/rc` and the forced commands of `authorized_keys`, cron tables and the
scripts cron runs, systemd units (their `Exec…=` lines), launchd jobs, autostart entries, git
hooks and git configuration (core.sshCommand, `!` aliases, filters), npm's configuration (the
`script-shell` every npm script runs through), Python's `.pth` files and sitecustomize.
A script's `#!` line decides how it is read (Python as `python3 -c CODE`, …).

For each kind, `stored_code(path)` gives a reader that turns the file's text into the command
lines it will run, spelled so the existing rules judge them: a cron entry as its command, a
unit's `ExecStart=` as the command line, a `.gitconfig` entry as the `git config KEY VALUE`
that stores it, a `.npmrc` entry as the `npm config set KEY VALUE` that stores it. What a line
writes into such a file (echo/printf/cat/tee, startup.py) is judged as that code; text the
line does not show (a variable, a command's output) makes the line ask where the kind says so.

`ssh -F FILE` (remote.py, sshwrap.py) reads FILE for the same ssh settings. An ssh
configuration's `Include` lines pull other files into it, which are read the same way, and its
`RemoteCommand` runs on the host it connects to (ssh_config_rest).

May use: `safesh.model`, `.site`, `.schedule`, `.shells`, `.words` and the standard library.
"""

from __future__ import annotations

import re

from safesh.lazy_re import later
from safesh.model import Word
from safesh.record import frozen
from safesh.unwrap.words import resolve_path

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from collections.abc import Callable

    from safesh.unwrap.site import Handler, Site, Walk

# ssh_config keywords (case-insensitive) whose value the client runs on THIS machine, through
# the user's shell: ProxyCommand, LocalCommand (with PermitLocalCommand), KnownHostsCommand.
# `none` turns the feature off. (remote.py reads them in `-o` options.)
SSH_LOCAL_COMMANDS = frozenset({"proxycommand", "localcommand", "knownhostscommand"})
# ...and whose value it runs on the HOST it connects to, instead of a login shell.
_SSH_REMOTE_COMMANDS = frozenset({"remotecommand"})

# The files a login shell runs (bash, zsh, ksh, csh, fish, direnv).
_STARTUP_NAMES = frozenset(
    {".bashrc", ".bash_profile", ".bash_login", ".profile", ".zshrc", ".zprofile", ".zshenv",
     ".zlogin", ".kshrc", ".mkshrc", ".cshrc", ".tcshrc", ".login", "config.fish", ".envrc",
     "bash.bashrc", "zshrc", "zprofile", "zshenv", ".bash_aliases", ".bash_logout",
     ".zlogout", ".xprofile", ".xinitrc", ".xsession", ".xsessionrc"}
)  # fmt: skip
_STARTUP_DIRS = ("/etc/profile.d/", "/.config/fish/conf.d/", "/etc/zsh/")


@frozen
class StoredKind:
    """What a file of this kind runs, and when. `read` turns the file's text into the shell
    command lines it runs (empty when it runs none); `unseen_asks`: text written into it that
    the line does not show makes the line ask (for start-up files, whose everyday lines write
    a tool's output, `eval "$(tool init)"`, it does not)."""

    when: str
    read: Callable[[str], str]
    unseen_asks: bool = True


def _as_script(text: str) -> str:
    """A script run as a program: its `#!` line names the interpreter. A Python, Node, Perl
    or Ruby script is spelled as that interpreter given the program inline (`python3 -c
    CODE`), so the inline-program judgement reads it; anything else is read as shell."""
    first, _, body = text.partition("\n")
    if not first.startswith("#!"):
        return text
    words = first[2:].split()
    if words[:1] and words[0].rpartition("/")[2] == "env":
        words = [w for w in words[1:] if not w.startswith("-") and "=" not in w]
    interpreter = words[0].rpartition("/")[2] if words else ""
    flag = _INLINE_FLAGS.get(interpreter.rstrip("0123456789.") or interpreter)
    if flag is None:
        return text
    import shlex

    return f"{interpreter} {flag} {shlex.quote(body)}"


# The option that gives each interpreter its program inline.
_INLINE_FLAGS = {"python": "-c", "node": "-e", "nodejs": "-e", "perl": "-e", "ruby": "-e"}


def _python_startup(text: str) -> str:
    """A `.pth` file in site-packages runs each line that starts with `import` at every
    Python start; sitecustomize/usercustomize modules run whole."""
    import shlex

    return f"python3 -c {shlex.quote(text)}" if text.strip() else ""


def _pth_lines(text: str) -> str:
    code = "\n".join(line for line in text.splitlines() if line.startswith(("import ", "import\t")))
    return _python_startup(code)


_SSH_KEY = later(r"([A-Za-z]+)\s*(?:=\s*|\s+)(.*)")
_ASSIGNMENT = later(r"[A-Za-z_]\w*=")
_GIT_SECTION = later(r'\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\](.*)')
_NPM_KEY = later(r"[A-Za-z@/][\w.:/@-]*")


def ssh_config_commands(text: str, keys: frozenset[str] = SSH_LOCAL_COMMANDS) -> str:
    """The values of `ProxyCommand`, `LocalCommand`, `KnownHostsCommand` lines (`Key value`
    or `Key=value`, any case) and the command of a `Match exec "CMD"` condition: the ssh client
    runs them on this machine. (With other `keys`, those lines' values alone.)"""
    found: list[str] = []
    for line in text.splitlines():
        entry = line.strip()
        match = _SSH_KEY.match(entry)
        if match is None:
            continue
        key, value = match.group(1).lower(), match.group(2).strip()
        if key == "match" and keys is SSH_LOCAL_COMMANDS:
            found.extend(_match_exec(value))
        elif key in keys and value and value.lower() != "none":
            found.append(value)
    return "\n".join(found)


def _match_exec(criteria: str) -> list[str]:
    """The commands of `exec CMD` criteria of a `Match` line (`Match host x exec "CMD"`)."""
    import shlex

    try:
        words = shlex.split(criteria, comments=True)
    except ValueError:
        return [criteria]  # unbalanced quotes: the whole line, which then does not parse
    return [words[i + 1] for i, w in enumerate(words[:-1]) if w.lower() in {"exec", "!exec"}]


def _system_crontab(text: str) -> str:
    """An `/etc/crontab`-style table: `m h dom mon dow USER CMD`, `@reboot USER CMD`."""
    from safesh.unwrap.schedule import cron_commands

    return cron_commands(text, user_field=True)


def _user_crontab(text: str) -> str:
    from safesh.unwrap.schedule import cron_commands

    return cron_commands(text)


def _anacrontab(text: str) -> str:
    """`PERIOD DELAY JOB-ID COMMAND` entries."""
    found: list[str] = []
    for line in text.splitlines():
        entry = line.strip()
        if not entry or entry.startswith("#") or _ASSIGNMENT.match(entry):
            continue
        fields = entry.split(None, 3)
        found.append(fields[3] if len(fields) == 4 else entry)
    return "\n".join(found)


# systemd's lines that run a command, and the prefixes that change how (`-` ignores a failure,
# `@` gives argv[0], `+`/`!`/`!!` run with full privileges, `:` skips substitution).
_EXEC_KEY = later(
    r"\s*(Exec(?:Start|StartPre|StartPost|Stop|StopPost|Reload|Condition)|Exec)\s*=\s*(.*)"
)


def _unit_exec(text: str) -> str:
    """The commands of a systemd unit's (or a `.desktop` entry's) `Exec…=` lines, with
    continuation lines joined."""
    found: list[str] = []
    for line in text.replace("\\\n", " ").splitlines():
        match = _EXEC_KEY.match(line)
        if match is None:
            continue
        value = match.group(2).strip()
        while value[:1] in {"-", "@", "+", "!", ":"}:
            value = value[1:]
        if value:
            found.append(value)
    return "\n".join(found)


_PLIST_ARGUMENTS = later(r"<key>\s*ProgramArguments\s*</key>\s*<array>(.*?)</array>", re.DOTALL)
_PLIST_PROGRAM = later(r"<key>\s*Program\s*</key>\s*<string>(.*?)</string>", re.DOTALL)
_PLIST_STRING = later(r"<string>(.*?)</string>", re.DOTALL)
_FORCED_COMMAND = later(r'(?:^|,)\s*command="((?:[^"\\]|\\.)*)"')


def _launchd_plist(text: str) -> str:
    """A launchd job's `ProgramArguments` (argv) or `Program`, as the command line it runs."""
    import html
    import shlex

    found: list[str] = []
    for array in _PLIST_ARGUMENTS.findall(text):
        argv = [html.unescape(x) for x in _PLIST_STRING.findall(array)]
        if argv:
            found.append(shlex.join(argv))
    if not found:
        found = [shlex.quote(html.unescape(x)) for x in _PLIST_PROGRAM.findall(text)]
    return "\n".join(found)


def _authorized_keys(text: str) -> str:
    """The forced commands of `authorized_keys` entries (`command="CMD" ssh-ed25519 …`): sshd
    runs CMD on this host whenever that key logs in."""
    found: list[str] = []
    for line in text.splitlines():
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        match = _FORCED_COMMAND.search(entry)
        if match is not None:
            found.append(match.group(1).replace('\\"', '"'))
    return "\n".join(found)


def _git_config(text: str) -> str:
    """Each `key = value` of a git configuration file, spelled as the `git config` command
    that stores it, so the judgement of `git config KEY VALUE` applies (a `!` alias, a
    core.sshCommand, a filter driver)."""
    import shlex  # only when a git configuration is written: off the hot path

    found: list[str] = []
    section = ""
    for line in text.splitlines():
        entry = line.strip()
        if not entry or entry.startswith(("#", ";")):
            continue
        header = _GIT_SECTION.match(entry)
        if header is not None:
            section = header.group(1)
            if header.group(2) is not None:
                section += "." + header.group(2)
            entry = header.group(3).strip()
            if not entry:
                continue
        key, eq, value = entry.partition("=")
        if not eq or not section:
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        name = f"{section}.{key.strip()}"
        found.append(f"git config {shlex.quote(name)} {shlex.quote(value)}")
    return "\n".join(found)


def _npmrc(text: str) -> str:
    """Each `key = value` of an `.npmrc`, spelled as the `npm config set` that stores it."""
    import shlex

    found: list[str] = []
    for line in text.splitlines():
        entry = line.strip()
        if not entry or entry.startswith(("#", ";")):
            continue
        key, eq, value = entry.partition("=")
        if eq and _NPM_KEY.fullmatch(key.strip()):
            spelled = shlex.quote(value.strip())
            found.append(f"npm config set {shlex.quote(key.strip())} {spelled}")
    return "\n".join(found)


_LOGIN = StoredKind("at login", _as_script, unseen_asks=False)
_PYTHON_START = StoredKind("at every Python start", _python_startup)
_PTH = StoredKind("at every Python start", _pth_lines)
_LAUNCHD = StoredKind("when launchd starts it", _launchd_plist)
_SSH_LOGIN = StoredKind("when someone logs in over ssh", _as_script)
_FORCED = StoredKind("when that key logs in over ssh", _authorized_keys)
_SSH = StoredKind("when ssh connects", ssh_config_commands)
_CRON_SYSTEM = StoredKind("when cron runs it", _system_crontab)
_CRON_USER = StoredKind("when cron runs it", _user_crontab)
_CRON_SCRIPT = StoredKind("when cron runs it", _as_script)
_ANACRON = StoredKind("when anacron runs it", _anacrontab)
_BOOT = StoredKind("at boot", _as_script)
_UNIT = StoredKind("when systemd starts it", _unit_exec)
_AUTOSTART = StoredKind("at login", _unit_exec)
_HOOK = StoredKind("when git runs the hook", _as_script)
_GITCONFIG = StoredKind("when git reads it", _git_config)
_NPMRC = StoredKind("when npm reads it", _npmrc)

_UNIT_SUFFIXES = (".service", ".socket", ".mount", ".swap", ".path", ".timer", ".automount")
_CRON_SCRIPT_DIRS = (
    "/etc/cron.hourly/", "/etc/cron.daily/", "/etc/cron.weekly/", "/etc/cron.monthly/",
    "/etc/periodic/",
)  # fmt: skip
_SYSTEMD_DIRS = (
    "/etc/systemd/", "/lib/systemd/", "/usr/lib/systemd/", "/run/systemd/",
    "/usr/local/lib/systemd/", "/.config/systemd/", "/.local/share/systemd/",
)  # fmt: skip
_GITCONFIG_FILES = ("/.gitconfig", "/.config/git/config", "/.git/config")
_MAX_HOOKS = 64
_PYTHON_HOOKS = frozenset({"sitecustomize.py", "usercustomize.py"})


def is_ssh_config(kind: StoredKind) -> bool:
    """Whether files of `kind` are ssh client configuration (whose `Include`s are read)."""
    return kind is _SSH


def stored_code(path: str) -> StoredKind | None:
    """What kind of stored code the file at the absolute `path` holds, if any."""
    path = path.rstrip("/")
    parent, _, name = path.rpartition("/")
    if name in _STARTUP_NAMES or path == "/etc/profile" or path.startswith(_STARTUP_DIRS):
        return _LOGIN
    if path in {"/etc/ssh/ssh_config"} or path.startswith("/etc/ssh/ssh_config.d/"):
        return _SSH
    if (name == "config" and parent.endswith("/.ssh")) or "/.ssh/config.d/" in path:
        return _SSH
    if path.endswith("/.ssh/rc") or path == "/etc/ssh/sshrc":
        return _SSH_LOGIN
    if name in {"authorized_keys", "authorized_keys2"}:
        return _FORCED
    if path == "/etc/crontab" or path.startswith("/etc/cron.d/"):
        return _CRON_SYSTEM
    if path.startswith(("/var/spool/cron/crontabs/", "/var/spool/cron/tabs/")):
        return _CRON_USER
    if parent == "/var/spool/cron":
        return _CRON_USER
    if path.startswith(_CRON_SCRIPT_DIRS):
        return _CRON_SCRIPT
    if path == "/etc/anacrontab":
        return _ANACRON
    if path in {"/etc/rc.local", "/etc/rc.d/rc.local"} or path.startswith("/etc/init.d/"):
        return _BOOT
    return _project_kind(path, parent, name)


def _project_kind(path: str, parent: str, name: str) -> StoredKind | None:
    if "-packages/" in path and (name.endswith(".pth") or name in _PYTHON_HOOKS):
        return _PTH if name.endswith(".pth") else _PYTHON_START
    if any(d in path + "/" for d in _SYSTEMD_DIRS) and (
        name.endswith(_UNIT_SUFFIXES) or (name.endswith(".conf") and parent.endswith(".d"))
    ):
        return _UNIT
    if name.endswith(".plist") and parent.endswith(("/LaunchAgents", "/LaunchDaemons")):
        return _LAUNCHD
    if name.endswith(".desktop") and parent.endswith(("/autostart", "/xdg/autostart")):
        return _AUTOSTART
    if "/.git/hooks/" in path or "/.husky/" in path or "/.githooks/" in path:
        return None if name.endswith(".sample") else _HOOK
    if path.endswith(_GITCONFIG_FILES) or path in {"/etc/gitconfig"}:
        return _GITCONFIG
    if name == ".npmrc" or path in {"/etc/npmrc", "/usr/etc/npmrc"}:
        return _NPMRC
    return None


# -- git settings that name files of code --------------------------------------------------------


def git_setting_files(w: Walk, key: str, value: Word, site: Site) -> None:
    """`core.hooksPath DIR`: the hooks in DIR run at git's operations from now on, so they are
    judged as they are there; `include.path FILE` (and `includeIf.….path`): FILE's settings
    apply, judged as if set one by one."""
    key = key.lower()
    if key == "core.hookspath":
        _hooks_directory(w, value, site)
    elif key == "include.path" or (key.startswith("includeif.") and key.endswith(".path")):
        _included_config(w, value, site)


def _hooks_directory(w: Walk, value: Word, site: Site) -> None:
    import os

    from safesh.unwrap.shells import read_local_file

    label = "git core.hooksPath"
    if not value.static:
        w.emit([value], site.inner(label), dynamic=True)
        return
    base = site.frame.cwd or w.context.cwd
    path = resolve_path(value.text, base, w.context.home)
    try:
        names = sorted(os.listdir(path))[:_MAX_HOOKS] if os.path.isdir(path) else None
    except OSError:
        names = None
    if names is None:
        root = w.context.repo_root
        if not value.text.startswith(("/", "~")) or (root and path.startswith(root + "/")):
            return  # the project's own hooks directory, to be written in the project
        message = f"{label} points git at {path}, whose hooks safesh cannot read"
        w.note_unparsed(site.frame, message, path, kind="unseen")
        return
    for name in names:
        hook = f"{path}/{name}"
        if name.endswith(".sample") or not os.path.isfile(hook):
            continue
        text = read_local_file(w, hook, site)
        if text is None:
            message = f"{label} makes git run {hook}, which safesh cannot read"
            w.note_unparsed(site.frame, message, hook, kind="unseen")
        elif text.strip():
            w.walk_source(text, site.nested(f"git hook {hook}"), f"git hook {hook}")


def _included_config(w: Walk, value: Word, site: Site) -> None:
    from safesh.unwrap.shells import read_local_file

    label = "git include.path"
    if not value.static:
        w.emit([value], site.inner(label), dynamic=True)
        return
    text = read_local_file(w, value.text, site)
    if text is None:
        message = f"{label} makes git read the settings in {value.text}, which safesh cannot read"
        w.note_unparsed(site.frame, message, value.text, kind="unseen")
        return
    source = _git_config(text)
    if source.strip():
        w.walk_source(source, site.nested(f"{label} {value.text}"), f"settings in {value.text}")


def ssh_config_file(w: Walk, name: str, path: Word, site: Site) -> None:
    """`ssh -F FILE`: the ProxyCommand / LocalCommand / KnownHostsCommand lines of FILE run
    on this machine, judged as local lines. A file that is not there makes ssh stop before
    it connects; one that is there but cannot be read here asks."""
    import os

    from safesh.unwrap.shells import read_local_file

    label = f"{name} -F {path.text}"
    if not path.static:
        w.emit([path], site.inner(label), dynamic=True)
        return
    if path.text in {"/dev/null", "none"}:
        return
    written = w.written_script(path.text, site)
    text = written.text if written is not None else read_local_file(w, path.text, site)
    if text is None:
        full = resolve_path(path.text, site.frame.cwd or w.context.cwd, w.context.home)
        if written is not None or os.path.exists(full):
            message = f"{label}: ssh reads settings from a file safesh cannot read"
            w.note_unparsed(site.frame, message, path.text, kind="unseen")
        return
    commands = ssh_config_commands(text)
    if commands.strip():
        w.walk_source(commands, site.nested(label), f"{label} command")
    ssh_config_rest(w, text, site, label)


# ssh's own limit on nested `Include`s (READCONF_MAX_DEPTH), and how many files one glob reads.
_MAX_INCLUDE_DEPTH = 16
_MAX_INCLUDED = 64
_SSH_INCLUDE = later(r"\s*[Ii][Nn][Cc][Ll][Uu][Dd][Ee]\s*(?:=\s*|\s+)(.*)")


def ssh_config_rest(w: Walk, text: str, site: Site, label: str, depth: int = 0) -> None:
    """What an ssh configuration runs besides its local commands (ssh_config_commands):
    `RemoteCommand`, run on the host it connects to, and the files its `Include` lines read
    (globs; `~`; a relative name is in ~/.ssh, or /etc/ssh for the system's configuration),
    which are part of it: their commands are judged, and their own `Include`s followed. A name
    that matches no file is skipped, as ssh does; one that exists but cannot be read here, or
    that the line computes, asks."""
    import glob
    import os
    import shlex

    from safesh.unwrap.shells import read_local_file

    remote = ssh_config_commands(text, _SSH_REMOTE_COMMANDS)
    if remote.strip():
        where = f"{label} RemoteCommand"
        w.walk_source(remote, site.nested(where, "the ssh host"), f"{where} command")
    home = w.context.home
    for line in text.splitlines():
        found = _SSH_INCLUDE.match(line)
        if found is None:
            continue
        try:
            names = shlex.split(found.group(1), comments=True)
        except ValueError:
            names = [found.group(1)]
        for name in names:
            where = f"{label}: Include {name}"
            if "$" in name or "%" in name or depth >= _MAX_INCLUDE_DEPTH:
                message = f"{where}: ssh reads settings this line cannot show"
                w.note_unparsed(site.frame, message, name, kind="unseen")
                continue
            if not name.startswith(("/", "~")):
                name = ("/etc/ssh/" if label.startswith("/etc/ssh") else "~/.ssh/") + name
            path = resolve_path(name, site.frame.cwd or w.context.cwd, home)
            paths = sorted(glob.glob(path))[:_MAX_INCLUDED] if glob.has_magic(path) else [path]
            for included in paths:
                written = w.written_script(included, site)
                body = written.text if written is not None else read_local_file(w, included, site)
                if body is None:
                    if written is not None or os.path.exists(included):
                        message = f"{where}: ssh reads {included}, which safesh cannot read"
                        w.note_unparsed(site.frame, message, included, kind="unseen")
                    continue
                inner = f"{label} Include {included}"
                commands = ssh_config_commands(body)
                if commands.strip():
                    w.walk_source(commands, site.nested(inner), f"{inner} command")
                ssh_config_rest(w, body, site, inner, depth + 1)


# -- commands that install a unit or job from a file ----------------------------------------------

# `systemctl link|enable|start… PATH`, `launchctl load|bootstrap … PATH`: the file's command runs
# when the service manager starts it.
_INSTALLS = {
    "systemctl": (frozenset({"link", "enable", "reenable", "start", "restart"}), _UNIT),
    "launchctl": (frozenset({"load", "bootstrap", "enable"}), _LAUNCHD),
}
_INSTALLED_FILES = {"systemctl": _UNIT_SUFFIXES, "launchctl": (".plist",)}


def unit_installer(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`systemctl enable ./x.service`, `launchctl load ~/x.plist`: a unit or job given by its
    path is judged by the command it runs; a unit named without a path is already installed
    (its own rules judge enabling it)."""
    from safesh.unwrap.shells import read_local_file

    w.emit(words, site)
    verbs, kind = _INSTALLS[name]
    texts = [x.text for x in words[1:]]
    if not verbs & set(texts):
        return
    for word in words[1:]:
        if "/" not in word.text or not word.text.endswith(_INSTALLED_FILES[name]):
            continue  # an option, a verb, a unit's name, launchctl's `gui/501`
        if not word.static:
            w.emit([word], site.inner(f"{name} unit"), dynamic=True)
            continue
        written = w.written_script(word.text, site)
        text = written.text if written is not None else read_local_file(w, word.text, site)
        label = f"{name} {word.text}"
        if text is None:
            message = f"{label}: the unit file cannot be read here, and its command would run"
            w.note_unparsed(site.frame, message, word.text, kind="unseen")
            continue
        source = kind.read(text)
        if source.strip():
            w.walk_source(source, site.nested(f"{label} {kind.when}"), f"command of {label}")


# The handlers this module adds to the walk's table (safesh.unwrap.handlers).
HANDLERS: dict[str, Handler] = dict.fromkeys(_INSTALLS, unit_installer)
