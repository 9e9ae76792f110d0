"""Lexical path classes: what a word names, judged from its text alone.

Nothing here touches the filesystem: a command is judged before it runs, and the filesystem
may change between the check and the run anyway. The repository root comes in through the
Context (the caller found it once).

A word gets exactly one *location* class, the first that applies in this order:

    unknown, device (pseudo-devices such as /dev/null are temp), root, home, home-dotdir,
    git-dir / build-output / project (inside the repository, or the working directory when
    there is no repository and it is not the root, a home or a system directory), temp,
    outside-repo (elsewhere in a home), system, outside-repo

and may also get the *relation* classes `outside-cwd` (it lies outside the directory the
command runs in), `parent-escape` (a `..` step leaves that directory) and `glob-all` (it names
everything in a directory: `*`, `.*`, `/*`, `~/*`, `./*`). Temp, the sensitive places and
pseudo-devices never get `outside-cwd`: rules about "somewhere else" mean an ordinary place.
"""

from __future__ import annotations

import posixpath

from safesh.lazy_re import later, re
from safesh.model import Context
from safesh.rules.pathforms import posix_form

LOCATION_CLASSES = (
    "unknown",
    "device",
    "root",
    "home",
    "home-dotdir",
    "system",
    "temp",
    "git-dir",
    "build-output",
    "project",
    "outside-repo",
)
RELATION_CLASSES = (
    "outside-cwd",
    "parent-escape",
    "glob-all",
    "safesh-state",
    "agent-settings",
    "holds-safesh-state",
    # What a file is, whatever its location class (docs/rules.md, "Path classes"):
    "credential",
    "startup-file",
    "auth-file",
    "other-home",
    "app-config",
    "kernel-control",
    "infra-state",
)
PATH_CLASSES = frozenset(LOCATION_CLASSES + RELATION_CLASSES)

# Top-level directories whose loss breaks the machine. /tmp and /var/tmp themselves are here
# too (deleting the directory, not its contents, breaks every program that needs scratch).
_SYSTEM_TOP = frozenset(
    {
        "etc", "usr", "bin", "sbin", "boot", "var", "opt", "sys", "proc", "root", "srv",
        "snap", "run", "home", "lost+found", "nix", "System", "Library", "Applications",
        "private", "cdrom",
    }
)  # fmt: skip
_SYSTEM_RE = later(r"^/(lib[^/]*)(/|$)")

# Writing to or deleting these destroys nothing, so they count as temp.
_PSEUDO_DEVICES = frozenset(
    {
        "/dev/null", "/dev/zero", "/dev/random", "/dev/urandom", "/dev/stdin", "/dev/stdout",
        "/dev/stderr", "/dev/tty", "/dev/full", "/dev/ptmx",
    }
)  # fmt: skip
_PSEUDO_DEVICE_PREFIXES = ("/dev/fd/", "/dev/pts/", "/dev/shm/", "/proc/self/fd/")

# Entries directly in a home directory that hold credentials or the user's configuration.
SENSITIVE_HOME_ENTRIES = frozenset(
    {
        ".ssh", ".aws", ".kube", ".gnupg", ".config", ".docker", ".azure", ".gcloud",
        ".local", ".password-store", ".terraform.d", ".npmrc", ".pypirc", ".netrc",
        ".git-credentials", ".gitconfig", ".bashrc", ".bash_profile", ".profile", ".zshrc",
        ".zprofile", ".bash_history", ".zsh_history", ".vault-token", ".mozilla", ".thunderbird",
    }
)  # fmt: skip

# Directories a build or a tool regenerates; deleting them costs a rebuild, nothing more.
BUILD_OUTPUT_NAMES = frozenset(
    {
        "build", "dist", "node_modules", "target", "__pycache__", ".pytest_cache",
        ".mypy_cache", ".ruff_cache", "coverage", "htmlcov", ".coverage", ".next", ".nuxt",
        ".cache", "out", ".tox", ".nox", ".eggs", ".gradle", ".parcel-cache", ".turbo",
        ".svelte-kit", "_build", ".hypothesis", ".venv", "venv", ".angular", "bower_components",
        ".nyc_output", ".vite", ".expo", ".dart_tool", ".serverless", ".aws-sam", ".webpack",
        "storybook-static", ".docusaurus", ".vercel", ".netlify", ".yarn-cache", ".pnpm-store",
        "_site",
    }
)  # fmt: skip
_BUILD_OUTPUT_SUFFIXES = (".egg-info", ".pyc")

# Places whose own class already says everything is at stake.
_SEVERE = frozenset({"root", "home", "system"})
_GLOB_ALL_LEAVES = frozenset({"*", ".*", ".[!.]*", "{*,.*}"})
_HOME_VARS = ("${HOME}", "$HOME")
_TMP_VARS = ("${TMPDIR}", "$TMPDIR")


def classify_path(
    text: str,
    context: Context,
    *,
    static: bool = True,
    cwd: str | None = None,
    cwd_known: bool = True,
) -> frozenset[str]:
    """The classes of one word used as a path. `cwd` is where the command runs (after a `cd`
    earlier in the line); `cwd_known=False` means a relative path could be anywhere. A brace
    expansion (`/{etc,usr}`) is every path it expands to."""
    key = (text, static, cwd, cwd_known, _context_key(context))
    found = _classified.get(key)
    if found is None:
        if len(_classified) >= 8192:
            _classified.clear()
        found = _classified[key] = _classify(text, context, static, cwd, cwd_known)
    return found


# The classes depend on the word and on nothing of the context but these (no filesystem), so
# they are kept across lines: words come back (`.`, `x.txt`), and classifying costs more.
_CONTEXT_ENV = ("TMPDIR", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME")
_classified: dict[tuple[object, ...], frozenset[str]] = {}
_last_context: list[tuple[Context, tuple[object, ...]]] = []


def _context_key(context: Context) -> tuple[object, ...]:
    """What `classify_path` reads of the context (made once per Context object)."""
    for seen, key in _last_context:
        if seen is context:
            return key
    key = (context.cwd, context.home, context.repo_root, *map(context.getenv, _CONTEXT_ENV))
    _last_context[:] = [(context, key)]
    return key


def _classify(
    text: str, context: Context, static: bool, cwd: str | None, cwd_known: bool
) -> frozenset[str]:
    alternatives = expand_braces(text)
    classes = [
        _classify_one(word, context, static=static, cwd=cwd, cwd_known=cwd_known)
        for word in alternatives
    ]
    return classes[0] if len(classes) == 1 else frozenset[str]().union(*classes)


_BRACES = later(r"\{([^{}]*,[^{}]*)\}")
_MAX_BRACE_WORDS = 64


def expand_braces(text: str) -> list[str]:
    """bash's `{a,b}` brace expansion (comma lists, nested by repetition), capped so a
    pathological word cannot blow up; sequences such as `{1..9}` are left as written."""
    words = [text]
    while True:
        expanded: list[str] = []
        changed = False
        for word in words:
            match = _BRACES.search(word)
            if match is None:
                expanded.append(word)
                continue
            changed = True
            head, tail = word[: match.start()], word[match.end() :]
            expanded += [head + part + tail for part in match.group(1).split(",")]
        words = expanded[:_MAX_BRACE_WORDS]
        if not changed:
            return words


def _classify_one(
    text: str,
    context: Context,
    *,
    static: bool,
    cwd: str | None,
    cwd_known: bool,
) -> frozenset[str]:
    written = text
    if not static:
        # A word with expansions keeps its raw form; its double quotes only stop splitting.
        written = text = text.replace('"', "")
        if cwd_known:
            text = _expand_working_directory(text, cwd or context.cwd)
    expanded = _expand(text, context)
    if expanded is None or (not static and expanded == written):
        return frozenset({"unknown"} | _self_protection(text, context))
    base = cwd or context.cwd
    if not expanded.startswith("/") and not cwd_known:
        return frozenset({"unknown"})
    tilde_home = _tilde_user_home(text, context)
    absolute = expanded if expanded.startswith("/") else posixpath.join(base, expanded)
    leaf = posixpath.basename(absolute.rstrip("/")) if absolute != "/" else ""
    glob_all = leaf in _GLOB_ALL_LEAVES
    directory = posixpath.dirname(absolute) if glob_all else absolute
    resolved = _normalise(directory)

    classes: set[str] = set()
    location = _location(resolved, context, tilde_home)
    if (
        location not in {"build-output", "git-dir"}
        and (glob_all or (_inside(_normalise(base), resolved) and location not in _SEVERE))
        and _is_glob_all_place(resolved, base, context)
    ):
        # `*` in such a place, or the place itself (`rm -rf .`, `rm -rf ..`): everything
        # the working directory holds.
        classes.add("glob-all")
    if _escapes(expanded, base) or _escapes_by_cd(expanded, base, context):
        classes.add("parent-escape")
    classes.add(location)
    classes |= _self_protection(resolved, context)
    classes |= _kinds(resolved, context, tilde_home)
    if location in {"git-dir", "build-output", "project", "outside-repo"} and not _inside(
        resolved, _normalise(base)
    ):
        classes.add("outside-cwd")
    return frozenset(classes)


_PWD_FORMS = ("${PWD}", "$PWD", "$(pwd)", "`pwd`")


def _expand_working_directory(text: str, cwd: str) -> str:
    """`$PWD/build`, `$(pwd)/build`: the directory the command runs in, when it is known."""
    for form in _PWD_FORMS:
        if text == form or text.startswith(form + "/"):
            return cwd + text[len(form) :]
    return text


def _expand(text: str, context: Context) -> str | None:
    """The word with `~`, `$HOME` and `$TMPDIR` expanded; None if another expansion is left.
    A lookup of a program (`$(which python3)`, `` `command -v git` ``) is where programs live;
    a Windows drive path is the place of the same kind (`pathforms.posix_form`)."""
    posix = posix_form(text)
    if posix is not None:
        text = posix
    for var in _HOME_VARS:
        if text == var or text.startswith(var + "/"):
            text = context.home + text[len(var) :]
            break
    for var in _TMP_VARS:
        if text == var or text.startswith(var + "/"):
            text = (context.getenv("TMPDIR") or "/tmp") + text[len(var) :]
            break
    if text == "~" or text.startswith("~/"):
        text = context.home + text[1:]
    elif text.startswith("~"):
        user, _, rest = text[1:].partition("/")
        if not re.fullmatch(r"[A-Za-z0-9._-]+", user):
            return None
        text = posixpath.join(posixpath.dirname(context.home.rstrip("/")) or "/", user) + (
            "/" + rest if rest else ""
        )
    if "$" in text or "`" in text:
        return None
    return text


def _tilde_user_home(text: str, context: Context) -> str | None:
    """The home directory a `~user` word names, so its contents count as a home."""
    if not text.startswith("~") or text == "~" or text.startswith("~/"):
        return None
    user = text[1:].partition("/")[0]
    return posixpath.join(posixpath.dirname(context.home.rstrip("/")) or "/", user)


def _normalise(path: str) -> str:
    normal = posixpath.normpath(path)
    # POSIX keeps a leading `//`; for classification it is the root like `/`.
    return "/" + normal.lstrip("/") if normal.startswith("//") else normal


def _inside(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip("/") + "/")


def _escapes(expanded: str, base: str) -> bool:
    """Whether a `..` step in the word leaves `base` (lexically)."""
    if ".." not in expanded.split("/"):
        return False
    absolute = expanded if expanded.startswith("/") else posixpath.join(base, expanded)
    return not _inside(_normalise(absolute), _normalise(base))


# safesh's own configuration and state: an agent must not approve or trust for itself.
_SAFESH_PARENTS = frozenset(
    {".config", "state", ".cache", "Application Support", "Preferences", "Caches",
     "site-packages", "dist-packages"}
)  # fmt: skip
_SAFESH_FILES = frozenset({"safesh.db", "safesh.db-wal", "safesh.db-shm", "safesh.db-journal"})
# Where platformdirs puts them on Linux, by the variable that moves each (and its default).
_XDG_PLACES = (
    ("XDG_CONFIG_HOME", ".config"),
    ("XDG_STATE_HOME", ".local/state"),
    ("XDG_CACHE_HOME", ".cache"),
    ("XDG_DATA_HOME", ".local/share"),
)
# The installed package itself (its code and built-in rules decide every verdict).
_INSTALL_DIR = posixpath.dirname(posixpath.dirname(posixpath.abspath(__file__)))


def _self_protection(path: str, context: Context) -> frozenset[str]:
    """`safesh-state` and `agent-settings`: what decides whether later commands are judged."""
    classes: set[str] = set()
    if _names_safesh_state(path) or _in_real_safesh_dirs(path, context):
        classes.add("safesh-state")
    if _names_agent_settings(path):
        classes.add("agent-settings")
    if _holds_real_safesh_dirs(path, context):
        classes.add("holds-safesh-state")
    return frozenset(classes)


# A word that runs a lookup of safesh's own program: `rm $(which safesh)`, `cp /bin/true
# "$(command -v safesh)"`.
_SAFESH_LOOKUP = later(
    r"(?:\bwhich|\bcommand\s+-[vV]|\btype\s+-[pPa]|\bwhereis)\s+(?:\S*/)?safesh\b"
)


def _names_safesh_state(path: str) -> bool:
    """`~/.config/safesh/rules.toml`, `~/.local/state/safesh/trusted.json`, `safesh.db`,
    `$XDG_STATE_HOME/safesh/…`: safesh's configuration, approvals and trust records; the
    `safesh` program in a `bin` directory and a `safesh` package in site-packages, wherever
    installed; a word that looks the program up (`$(which safesh)`)."""
    parts = [p for p in path.split("/") if p]
    if parts and parts[-1] in _SAFESH_FILES:
        return True
    if len(parts) >= 2 and parts[-1] == "safesh" and parts[-2] == "bin":
        return True
    if "safesh" in path and _SAFESH_LOOKUP.search(path):
        return True
    for index, part in enumerate(parts):
        if part == "safesh" and index > 0:
            parent = parts[index - 1]
            if parent in _SAFESH_PARENTS or parent.startswith(("$XDG_", "${XDG_")):
                return True
    return False


def _in_real_safesh_dirs(path: str, context: Context) -> bool:
    """Under the directories safesh really uses for this user, wherever XDG_* moved them
    (the judge's environment, not a variable set on the line), or under its installation."""
    if not path.startswith("/"):
        return False
    normal = _normalise(path)
    if _inside(normal, _INSTALL_DIR):
        return True
    for variable, default in _XDG_PLACES:
        base = context.getenv(variable) or posixpath.join(context.home, default)
        if base.startswith("/") and _inside(normal, posixpath.join(_normalise(base), "safesh")):
            return True
    return False


def _holds_real_safesh_dirs(path: str, context: Context) -> bool:
    """A directory below HOME that holds safesh's configuration or state (`~/.config`,
    `~/.local/state`): unpacking an archive there can replace them."""
    if not path.startswith("/"):
        return False
    normal, home = _normalise(path), _normalise(context.home)
    if normal == home or not _inside(normal, home):
        return False
    for variable, default in _XDG_PLACES[:2]:
        base = context.getenv(variable) or posixpath.join(context.home, default)
        real = posixpath.join(_normalise(base), "safesh")
        if real != normal and _inside(real, normal):
            return True
    return False


# Each agent's hook and permission settings: writing them can switch safesh off for that agent
# (`disableAllHooks`, a removed PreToolUse entry, an allow-list) without any safesh command.
_AGENT_DIRS = frozenset({".claude", ".gemini", ".codex", ".cursor", ".copilot"})
# Also the files the agents' shells source before every command (Claude Code's snapshot of the
# user's shell and its sessions' environment scripts, Codex's snapshots): what is written there
# runs, or redefines a word, in every later command (safesh.agents.shell_state).
_AGENT_SETTING_FILES: dict[str, tuple[str, ...]] = {
    ".claude": (
        "settings.json",
        "settings.local.json",
        "managed-settings.json",
        "shell-snapshots",
        "session-env",
    ),
    ".gemini": ("settings.json", "policies"),
    ".codex": ("hooks.json", "config.toml", "rules", "requirements.toml", "shell_snapshots"),
    ".cursor": ("hooks.json", "cli-config.json", "cli.json", "permissions.json"),
    ".copilot": ("config.json", "hooks"),
}
_AGENT_SYSTEM_DIRS = ("/etc/claude-code", "/etc/gemini-cli", "/etc/codex", "/etc/cursor")


def _names_agent_settings(path: str) -> bool:
    """`~/.claude/settings.json`, `.claude/settings.local.json`, `.gemini/settings.json`,
    `.codex/hooks.json`, `.cursor/hooks.json`, `.github/hooks/*.json` (Copilot), the managed
    settings under /etc, and those directories themselves (deleting one removes its hooks)."""
    if any(_inside(path, d) for d in _AGENT_SYSTEM_DIRS):
        return True
    parts = [p for p in path.split("/") if p not in ("", ".")]
    for index, part in enumerate(parts):
        rest = parts[index + 1 :]
        if part in _AGENT_DIRS:
            if not rest:
                return True
            first = rest[0]
            if first in _AGENT_SETTING_FILES[part] or (
                part == ".claude" and first.startswith("settings") and first.endswith(".json")
            ):
                return True
        if part == ".github" and rest[:1] == ["hooks"]:
            return True
    return False


def _escapes_by_cd(expanded: str, base: str, context: Context) -> bool:
    """`cd .. && rm -rf build`, `cd / && rm -rf var`: after a `cd` up to an ancestor of the
    directory the agent works in, a relative word names the same place `../build` would."""
    if expanded.startswith("/"):
        return False
    start, here = _normalise(context.cwd), _normalise(base)
    if here == start or not _inside(start, here):
        return False
    return not _inside(_normalise(posixpath.join(here, expanded)), start)


def _is_glob_all_place(directory: str, base: str, context: Context) -> bool:
    """`*` in the root, a home, the working directory or one of its ancestors names
    everything there; `build/*` names one directory's contents and is judged as that."""
    base = _normalise(base)
    return directory in {"/", _normalise(context.home)} or _inside(base, directory)


def _project_root(context: Context) -> str | None:
    """The directory whose contents count as the project, or None when the working
    directory is no project at all (the root, a home, a system directory)."""
    home = _normalise(context.home)
    if context.repo_root is not None:
        root = _normalise(context.repo_root)
        return None if root in {"/", home} else root
    cwd = _normalise(context.cwd)
    if cwd in {"/", home} or (_is_system(cwd) and not _inside(cwd, home)):
        return None
    if _is_temp(cwd, context):
        # A scratch directory with no repository is no project: what is in it is temp.
        return None
    return cwd


def _location(path: str, context: Context, tilde_home: str | None) -> str:
    if path == "/dev" or path.startswith("/dev/"):
        if path in _PSEUDO_DEVICES or path.startswith(_PSEUDO_DEVICE_PREFIXES):
            return "temp"
        return "device"
    if path == "/":
        return "root"
    homes = [_normalise(context.home)]
    if tilde_home is not None:
        homes.append(_normalise(tilde_home))
    for home in homes:
        if path == home:
            return "home"
        if _inside(path, home):
            first = path[len(home.rstrip("/")) + 1 :].split("/", 1)[0]
            if first in SENSITIVE_HOME_ENTRIES:
                return "home-dotdir"
            if _is_home_cache(path[len(home.rstrip("/")) + 1 :].split("/")):
                return "temp"
    project = _project_root(context)
    if project is not None and _inside(path, project):
        relative = path[len(project.rstrip("/")) + 1 :] if path != project else ""
        parts = [p for p in relative.split("/") if p]
        if parts and parts[0] == ".git":
            return "git-dir"
        if any(p in BUILD_OUTPUT_NAMES or p.endswith(_BUILD_OUTPUT_SUFFIXES) for p in parts):
            return "build-output"
        return "project"
    # A home that lives under a temp directory (CI, test fixtures) is still a home: what is
    # in it is the user's, not scratch.
    if any(home != "/" and _inside(path, home) for home in homes):
        return "outside-repo"
    if _is_temp(path, context):
        # A repository's history in a scratch directory is still history (unpushed commits);
        # a directory that holds `.git` is a repository wherever it is.
        return "git-dir" if ".git" in path.split("/") else "temp"
    if _is_system(path):
        return "system"
    return "outside-repo"


# Caches in a home that their tool fills again: what is at or below one of these is scratch,
# like /tmp (`*` is one app's directory: ~/.cache/pip, ~/Library/Caches/com.x; ~/.cache as a
# whole is not matched).
_HOME_CACHES = (
    (".cache", "*"), ("Library", "Caches", "*"), (".npm", "_cacache"), (".gradle", "caches"),
    (".cargo", "registry", "cache"), ("go", "pkg", "mod", "cache"),
)  # fmt: skip


def _is_home_cache(parts: list[str]) -> bool:
    return any(
        len(parts) >= len(cache)
        and all(p == c or (c == "*" and p) for p, c in zip(parts, cache, strict=False))
        for cache in _HOME_CACHES
    )


def _temp_dirs(context: Context) -> set[str]:
    dirs = {"/tmp", "/var/tmp", "/private/tmp", "/dev/shm"}
    tmpdir = context.getenv("TMPDIR")
    if tmpdir and tmpdir.startswith("/") and _normalise(tmpdir) != "/":
        dirs.add(_normalise(tmpdir))
    return dirs


def _is_temp(path: str, context: Context) -> bool:
    # The temp directory itself is a system directory; only what is inside it is scratch.
    return any(path.startswith(t.rstrip("/") + "/") for t in _temp_dirs(context))


def _is_system(path: str) -> bool:
    if path in {"/tmp", "/var/tmp", "/private/tmp", "/home", "/Users"}:
        return True
    first = path.lstrip("/").split("/", 1)[0]
    if first in {"tmp", "home", "Users"}:
        return False
    return first in _SYSTEM_TOP or bool(_SYSTEM_RE.match(path))


# -- what a file is ------------------------------------------------------------------------------

# Entries of a home that hold keys, tokens or passwords.
_CREDENTIAL_ENTRIES = frozenset(
    {
        ".ssh", ".aws", ".kube", ".gnupg", ".docker", ".azure", ".gcloud", ".password-store",
        ".terraform.d", ".npmrc", ".pypirc", ".netrc", ".git-credentials", ".vault-token",
        ".pgpass", ".my.cnf", ".mozilla", ".thunderbird",
    }
)  # fmt: skip
# Files under ~/.config that hold credentials rather than an app's settings.
_CREDENTIAL_CONFIG_APPS = frozenset({"gcloud", "gh", "hub", "doctl", "rclone", "op", "safesh"})
# Files a shell reads at start-up: whatever is written there runs in every later session.
_STARTUP_ENTRIES = frozenset(
    {
        ".bashrc", ".bash_profile", ".bash_login", ".bash_logout", ".profile", ".zshrc",
        ".zprofile", ".zshenv", ".zlogin", ".zlogout", ".kshrc", ".cshrc", ".tcshrc",
        ".xprofile", ".xinitrc", ".pam_environment",
    }
)  # fmt: skip
_STARTUP_SYSTEM = ("/etc/profile", "/etc/bash.bashrc", "/etc/bashrc", "/etc/zshrc",
                   "/etc/zsh/", "/etc/profile.d/", "/etc/environment")  # fmt: skip
# Who may log in and as whom: accounts, passwords, sudo rights, ssh, PAM, boot, schedules.
_AUTH_FILES = (
    "/etc/passwd", "/etc/shadow", "/etc/group", "/etc/gshadow", "/etc/sudoers",
    "/etc/sudoers.d", "/etc/ssh", "/etc/pam.d", "/etc/security", "/etc/login.defs",
    "/etc/hosts", "/etc/hosts.allow", "/etc/hosts.deny", "/etc/resolv.conf", "/etc/fstab",
    "/etc/crontab", "/etc/cron.d", "/etc/cron.daily", "/etc/cron.hourly", "/etc/systemd",
    "/etc/ld.so.preload", "/etc/ld.so.conf", "/etc/nsswitch.conf", "/etc/shells",
    "/boot", "/var/spool/cron", "/etc/init.d", "/etc/rc.local", "/etc/modprobe.d",
    "/etc/sysctl.conf", "/etc/sysctl.d", "/etc/apt/sources.list", "/etc/yum.repos.d",
)  # fmt: skip
_HOME_PARENTS = ("/home", "/Users")
# Writing here changes the running kernel: sysrq reboots or kills, /proc/sys and /sys tune it.
_KERNEL_CONTROL = ("/proc/sysrq-trigger", "/proc/sys", "/sys", "/dev/mem", "/dev/kmem",
                   "/dev/port", "/proc/kcore")  # fmt: skip


def _kinds(path: str, context: Context, tilde_home: str | None) -> set[str]:
    """`credential`, `startup-file`, `auth-file`, `other-home`, `app-config`, `kernel-control`,
    `infra-state`: what the file is,
    which decides how much writing onto it matters (a key, a shell start-up file, the password
    database, someone else's home, one app's own settings)."""
    kinds: set[str] = set()
    own = _normalise(context.home)
    home = own
    if tilde_home is not None and _normalise(tilde_home) != own:
        kinds.add("other-home")
        home = _normalise(tilde_home)
    elif (_inside(path, "/root") or _inside(path, "/var/root")) and not _inside(path, own):
        # root's home is another user's, unless the command runs as root (a container, a
        # server session): then it is this user's own home
        kinds.add("other-home")
        home = "/root" if _inside(path, "/root") else "/var/root"
    elif not _inside(path, own):
        other = _other_home(path)
        if other is not None:
            kinds.add("other-home")
            home = other
    if _inside(path, home) and path != home:
        parts = path[len(home.rstrip("/")) + 1 :].split("/")
        first = parts[0]
        if first in _CREDENTIAL_ENTRIES:
            kinds.add("credential")
        elif first in _STARTUP_ENTRIES:
            kinds.add("startup-file")
        elif first in {".config", ".local"} and len(parts) >= 3:
            app = parts[2] if first == ".local" and parts[1] in {"share", "state"} else parts[1]
            if first == ".config" and app == "fish":
                kinds.add("startup-file")
            elif app in _CREDENTIAL_CONFIG_APPS:
                kinds.add("credential")
            elif first == ".config" or parts[1] in {"share", "state"}:
                kinds.add("app-config")
    if path.startswith(_STARTUP_SYSTEM) or path in {p.rstrip("/") for p in _STARTUP_SYSTEM}:
        kinds.add("startup-file")
    if any(_inside(path, auth) for auth in _AUTH_FILES):
        kinds.add("auth-file")
    if any(_inside(path, tree) for tree in _KERNEL_CONTROL):
        kinds.add("kernel-control")
    if _is_infra_state(path, home):
        kinds.add("infra-state")
    return kinds


# Terraform's local state (and its workspaces' states), and Pulumi's local backend: often the
# only record of which real resources the configuration owns; without it the next apply makes
# duplicates and the next destroy aims at whatever the state it finds names.
_INFRA_STATE_NAMES = frozenset({"terraform.tfstate", "terraform.tfstate.backup"})


def _is_infra_state(path: str, home: str) -> bool:
    parts = path.split("/")
    if parts[-1] in _INFRA_STATE_NAMES or "terraform.tfstate.d" in parts:
        return True
    return _inside(path, home.rstrip("/") + "/.pulumi/stacks")


def _other_home(path: str) -> str | None:
    """`/home/bob/…` or `/Users/bob/…`: the home of another user, when the path is in one."""
    for parent in _HOME_PARENTS:
        if path.startswith(parent + "/"):
            user = path[len(parent) + 1 :].split("/", 1)[0]
            if user and user not in {"Shared", "shared", "lost+found"}:
                return f"{parent}/{user}"
    return None
