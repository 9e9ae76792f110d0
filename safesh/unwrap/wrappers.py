"""Wrappers: programs that run another program given as their arguments (`sudo`, `env`,
`timeout`, `nice`, `command`, `exec`, `watch`, `busybox`, `python -m`, package runners like
`npx`/`uv run`), their tables of value-taking options, and the
scan of unknown programs whose arguments name a destructive one. Each handler receives the words
starting at the wrapper's name and hands the wrapped words back to the walk.

May use: `safesh.model`, `.site`, `.words` and the standard library.
"""

from __future__ import annotations

from safesh.model import Word
from safesh.record import replace
from safesh.unwrap.words import (
    command_name,
    is_assignment,
    option_texts,
    resolve_path,
    split_options,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from safesh.unwrap.site import Site, Walk

# Wrapper tables: the options of each wrapper that take a value, so the wrapped command is found.


# Wrapper tables: the options of each wrapper that take a value, so the wrapped command is found.
VALUE_OPTIONS: dict[str, frozenset[str]] = {
    "sudo": frozenset(
        {"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T", "-R", "--user", "--group"}
    ),
    "doas": frozenset({"-u", "-C"}),
    "pkexec": frozenset({"--user"}),
    "nice": frozenset({"-n", "--adjustment"}),
    "ionice": frozenset({"-c", "-n", "--class", "--classdata"}),
    "chrt": frozenset(),
    "stdbuf": frozenset({"-i", "-o", "-e", "--input", "--output", "--error"}),
    "timeout": frozenset({"-s", "-k", "--signal", "--kill-after"}),
    "exec": frozenset({"-a"}),
    "watch": frozenset({"-n", "--interval", "-d", "-q", "--equexit"}),
    "time": frozenset({"-f", "-o", "--format", "--output"}),
    "setsid": frozenset(),
    "flock": frozenset({"-w", "--timeout", "-E", "--conflict-exit-code"}),
    "taskset": frozenset(),
    "runuser": frozenset({"-u", "-g", "-G", "--user", "--group"}),
    "xargs": frozenset(
        {
            "-n",
            "-L",
            "-s",
            "-P",
            "-d",
            "-a",
            "-E",
            "-I",
            "--max-args",
            "--max-lines",
            "--max-chars",
            "--max-procs",
            "--delimiter",
            "--arg-file",
            "-J",
            "-R",
            "-S",
        }
    ),
    "ssh": frozenset(
        {
            "-b",
            "-B",
            "-c",
            "-D",
            "-E",
            "-e",
            "-F",
            "-I",
            "-i",
            "-J",
            "-L",
            "-l",
            "-m",
            "-O",
            "-o",
            "-p",
            "-P",
            "-Q",
            "-R",
            "-S",
            "-W",
            "-w",
        }
    ),
    "strace": frozenset({"-e", "-o", "-p", "-s", "-u", "-a", "-b", "-E", "-I", "-O", "-S", "-X"}),
    "ltrace": frozenset({"-e", "-o", "-p", "-s", "-u", "-a", "-n", "-l"}),
    "su": frozenset({"-c", "-s", "-g", "-G", "--command", "--shell", "--group", "-w"}),
    "chroot": frozenset({"--userspec", "--groups"}),
    "unshare": frozenset(),
    "nsenter": frozenset({"-t", "--target"}),
}

# Wrappers whose first positional word is the command to run.
SIMPLE_WRAPPERS = frozenset(
    {
        "sudo",
        "doas",
        "pkexec",
        "nice",
        "nohup",
        "ionice",
        "stdbuf",
        "setsid",
        "unbuffer",
        "builtin",
        "time",
        "torsocks",
        "proxychains",
        "proxychains4",
        "strace",
        "ltrace",
        "runuser",
        "catchsegv",
        "caffeinate",
        "firejail",
        "fakeroot",
        "unshare",
        "nsenter",
    }
)


def simple_wrapper(w: Walk, name: str, words: list[Word], site: Site) -> None:
    options, rest = split_options(words[1:], VALUE_OPTIONS.get(name, frozenset()))
    texts = option_texts(options)
    if name == "sudo" and texts & {"-e", "--edit"}:
        # `sudo -e FILE` edits FILE as root (sudoedit); FILE is no command.
        w.emit(words, site)
        return
    if name in {"sudo", "doas"} and not rest and texts & {"-i", "-s", "--login", "--shell"}:
        # `sudo -i` / `sudo -s`: an interactive root shell.
        w.emit(words, site)
        return
    if not rest:
        w.emit(words, site)
        return
    w.peel(rest, site.inner(name))


def timeout(w: Walk, name: str, words: list[Word], site: Site) -> None:
    _, rest = split_options(words[1:], VALUE_OPTIONS["timeout"])
    if len(rest) < 2:
        w.emit(words, site)
        return
    w.peel(rest[1:], site.inner(name))


def skip_one_positional(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`chrt PRIO cmd`, `taskset MASK cmd`, `flock FILE cmd`, `chroot DIR cmd`."""
    if name == "flock":
        # `flock [-c CMD] FILE [-c CMD]`: the string runs with `sh -c`, wherever it sits.
        for i, word in enumerate(words[1:-1], start=1):
            if word.text in {"-c", "--command"}:
                string = words[i + 1]
                if not string.static:
                    w.emit(words, site, dynamic=True)
                    return
                w.walk_source(string.text, site.nested("flock -c"), "flock -c string")
                return
    options, rest = split_options(words[1:], VALUE_OPTIONS.get(name, frozenset()))
    if name == "taskset" and "-p" in option_texts(options):
        rest = []
    if len(rest) < 2:
        w.emit(words, site)
        return
    w.peel(rest[1:], site.inner(name))


def env_command(w: Walk, name: str, words: list[Word], site: Site) -> None:
    frame, assignments = site.frame, site.assignments
    i = 1
    rest = words[1:]
    while i < len(words):
        text = words[i].text
        if text == "--":
            i += 1
            break
        if text in {"-S", "--split-string"} and i + 1 < len(words):
            # `env -S 'rm -rf /'`: the string is split into a command line.
            joined = " ".join([words[i + 1].text, *(x.raw for x in words[i + 2 :])])
            w.walk_source(joined, replace(site, frame=frame).nested("env -S"), "env -S string")
            return
        if text.startswith("-S") and len(text) > 2:
            joined = " ".join([text[2:], *(x.raw for x in words[i + 1 :])])
            w.walk_source(joined, replace(site, frame=frame).nested("env -S"), "env -S string")
            return
        if text in {"-C", "--chdir"} and i + 1 < len(words):
            # `env -C / rm -rf var`: the command runs in that directory.
            target = words[i + 1]
            if target.static and not target.glob:
                base = frame.cwd or w.context.cwd
                frame = replace(frame, cwd=resolve_path(target.text, base, w.context.home))
            else:
                frame = replace(frame, cwd=None, cwd_known=False)
            i += 2
            continue
        if text.startswith("--chdir="):
            frame = replace(frame, cwd=None, cwd_known=False)
            i += 1
            continue
        if text in {"-u", "--unset", "-P"} and i + 1 < len(words):
            i += 2
            continue
        if text.startswith("-"):
            i += 1
            continue
        if is_assignment(text):
            key, _, value = text.partition("=")
            assignments = (*assignments, (key, value))
            i += 1
            continue
        break
    rest = words[i:]
    if not rest:
        w.emit(words, replace(site, frame=frame, assignments=assignments))
        return
    w.peel(rest, site.inner(name, frame=frame, assignments=assignments))


def command_builtin(w: Walk, name: str, words: list[Word], site: Site) -> None:
    options, rest = split_options(words[1:], frozenset())
    flags = "".join(o.text.lstrip("-") for o in options)
    if (("v" in flags or "V" in flags) and len(rest) <= 1) or not rest:
        # `command -v rm` only looks the name up. With more words (`command -v git reset
        # --hard`) it still only looks up names, but nobody writes that to look something up:
        # the words are judged as the command they spell.
        w.emit(words, site)
        return
    w.peel(rest, site.inner(name))


def exec_builtin(w: Walk, name: str, words: list[Word], site: Site) -> None:
    _, rest = split_options(words[1:], VALUE_OPTIONS["exec"])
    if not rest:
        w.emit(words, site)
        return
    w.peel(rest, site.inner(name))


def watch(w: Walk, name: str, words: list[Word], site: Site) -> None:
    options, rest = split_options(words[1:], VALUE_OPTIONS["watch"])
    if not rest:
        w.emit(words, site)
        return
    if option_texts(options) & {"-x", "--exec"}:
        w.peel(rest, site.inner(name))
        return
    # Without -x, watch joins its arguments and runs them with `sh -c`.
    w.walk_source(" ".join(x.text for x in rest), site.nested("watch"), "watch command")


def multicall(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`busybox rm -rf x`, `toybox rm …`: a multi-call binary runs the applet it names."""
    rest = words[1:]
    if not rest or rest[0].text.startswith("-"):
        w.emit(words, site)
        return
    w.peel(rest, site.inner(name))


def python_module(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`python3 -m safesh approve 1`, `python -m pip …`: the module runs like its command;
    `python tools/wipe_bucket.py ARGS` is judged like `./tools/wipe_bucket.py ARGS` too."""
    w.emit(words, site)
    index = 1
    while index < len(words):
        word = words[index]
        if word.text == "-m" and index + 1 < len(words):
            module = words[index + 1]
            if module.static and module.text.replace("_", "").replace(".", "").isalnum():
                w.peel(words[index + 1 :], site.inner(f"{name} -m", feed=None))  # fmt: skip
            return
        if word.text in {"-c", "-"}:
            return
        if not word.text.startswith("-"):
            emit_script(w, name, words, index, site)
            return
        index += 2 if word.text in {"-W", "-X"} else 1


def emit_script(w: Walk, runner: str, words: list[Word], index: int, site: Site) -> None:
    """An interpreter runs the script `words[index]` with the words after it: the script is
    also judged as a command of its own, by its name (`wipe_bucket.py`) and arguments."""
    script = words[index]
    if script.static and not script.text.startswith("<("):
        w.emit(words[index:], site.inner(f"{runner} {script.text}"))


# The package managers that run a script or a dependency's program named as their first word,
# and their own commands, which are not such a name.
_SCRIPT_RUNNERS: dict[str, frozenset[str]] = {
    "yarn": frozenset(
        {"add", "audit", "autoclean", "bin", "cache", "check", "config", "constraints", "create",
         "dedupe", "dlx", "exec", "explain", "generate-lock-entry", "global", "help", "import",
         "info", "init", "install", "licenses", "link", "list", "login", "logout", "node", "npm",
         "outdated", "owner", "pack", "patch", "patch-commit", "plugin", "policies", "publish",
         "rebuild", "remove", "run", "search", "set", "stage", "tag", "team", "unlink", "unplug",
         "up", "upgrade", "upgrade-interactive", "version", "versions", "why", "workspace",
         "workspaces", "test", "start", "dev", "build", "lint", "format", "serve", "watch"}
    ),
    "pnpm": frozenset(
        {"add", "approve-builds", "audit", "bin", "cat-file", "cat-index", "catalog", "config",
         "create", "dedupe", "deploy", "dlx", "doctor", "env", "exec", "fetch", "find-hash", "i",
         "ignored-builds", "import", "init", "install", "install-test", "it", "licenses", "link",
         "list", "ln", "ls", "outdated", "pack", "patch", "patch-commit", "patch-remove", "prune",
         "publish", "rb", "rebuild", "recursive", "remove", "restart", "rm", "root", "run",
         "sbom", "self-update", "server", "setup", "start", "store", "t", "test", "un",
         "uninstall", "unlink", "up", "update", "upgrade", "why", "help", "view", "info",
         "version", "login", "logout", "whoami", "owner", "search", "c", "get", "set"}
    ),
}  # fmt: skip


def _runs_a_bin(name: str, first: Word) -> bool:
    text = first.text
    return (
        first.static
        and not text.startswith("-")
        and text not in _SCRIPT_RUNNERS[name]
        and "/" not in text
    )


# Programs that delete the paths they are given, as `rm -rf` does (a dependency's CLI, often run
# through npx or a package.json script); their options that only list what would go.
RM_CLONES = frozenset({"rimraf", "del-cli", "rmrf", "rm-rf", "premove"})
_RM_CLONE_DRY = frozenset({"--dry-run", "-d", "--help", "-h", "--version", "-v"})


def rm_clone(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`rimraf dist`, `npx del-cli 'build/**'`: judged as `rm -rf` of the same paths, so the
    path classes decide (build output passes, a home or a system tree stops)."""
    texts = {x.text for x in words[1:]}
    paths = [x for x in words[1:] if not x.text.startswith("-")]
    if texts & _RM_CLONE_DRY or not paths:
        w.emit(words, site)
        return
    span = words[0].span
    rm = [Word("rm", "rm", span), Word("-rf", "-rf", span)]
    w.peel([*rm, *paths], site.inner(name))


# Package managers' options that take a value and may come before their command.
_RUNNER_LEADING_VALUES = frozenset(
    {"--filter", "-F", "-C", "--dir", "--directory", "--project", "-P", "--cwd", "--python",
     "--config-file", "--color", "--loglevel", "--reporter"}
)  # fmt: skip


def package_runner(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`npx prisma …`, `uv run rails …`, `poetry run …`, `bundle exec …`: the tool after the
    runner is what runs."""
    rest = words[1:]
    run, dlx = frozenset({"run"}), frozenset({"dlx", "exec"})
    runner_verbs = {
        "uv": run,
        "poetry": run,
        "pipenv": run,
        "bundle": frozenset({"exec"}),
        "pnpm": dlx,
        "yarn": dlx,
        "pdm": run,
        "hatch": run,
        "rye": run,
        "pipx": run,
    }
    verbs = runner_verbs.get(name)
    if verbs is not None:
        # The manager's own options before its command (`pnpm --filter api exec`, `uv
        # --directory srv run`, `yarn workspace api exec`) leave what runs unchanged.
        _, rest = split_options(rest, _RUNNER_LEADING_VALUES)
        if name == "yarn" and len(rest) > 2 and rest[0].text == "workspace":
            rest = rest[2:]
        if name in _SCRIPT_RUNNERS and rest and _runs_a_bin(name, rest[0]):
            # `yarn typeorm schema:drop`, `pnpm prisma migrate reset`: a word that is not one
            # of the manager's own commands is a script or a dependency's program, which runs.
            w.emit(words, site)
            w.peel(rest, site.inner(name))
            return
        if not rest or rest[0].text not in verbs:
            w.emit(words, site)
            return
        rest = rest[1:]
    value_options = frozenset(
        {"-p", "--package", "--with", "--python", "-e", "--env", "--from", "--index",
         "--index-url", "--extra-index-url", "--spec", "--pip-args", "--with-requirements",
         "--env-file", "--directory", "--project", "--filter", "-F"}
    )  # fmt: skip
    if name == "npx":
        for index, word in enumerate(rest[:-1]):
            if word.text in {"-c", "--call"}:
                # `npx -c 'CMD'`: the string runs with the shell, the packages on PATH.
                call = rest[index + 1]
                if not call.static:
                    w.emit(words, site, dynamic=True)
                    return
                w.walk_source(call.text, site.nested("npx -c"), "npx -c string")
                return
    _, rest = split_options(rest, value_options)
    if not rest:
        w.emit(words, site)
        return
    w.peel(rest, site.inner(name))


# Names whose appearance among an unknown program's arguments is judged as a command.
WRAPPED_DANGER = frozenset(
    {
        "rm", "find", "dd", "shred", "wipefs", "git", "bash", "sh", "zsh", "dash", "ksh",
        "eval", "xargs", "chmod", "chown", "truncate", "srm", "busybox",
    }
)  # fmt: skip
# Programs known to take such a name as a plain argument or a subcommand of their own
# (`git rm`, `docker rm`, `man rm`, `grep -w rm`, `apt install git`).
NOT_WRAPPERS = frozenset(
    {
        "git", "docker", "podman", "nerdctl", "buildah", "kubectl", "oc", "helm", "npm",
        "pnpm", "yarn", "bun", "deno", "cargo", "brew", "apt", "apt-get", "apt-cache", "dnf", "yum",
        "pacman", "apk", "zypper", "port", "pip", "pip3", "pipx", "gem", "conda", "mamba",
        "snap", "flatpak", "man", "info", "help", "tldr", "whatis", "apropos", "which",
        "whereis", "type", "hash", "alias", "unalias", "complete", "compgen", "echo",
        "printf", "grep", "egrep", "fgrep", "rg", "ag", "ack", "sed", "awk", "jq", "hg",
        "svn", "jj", "dvc", "gh", "glab", "aws", "gcloud", "gsutil", "az", "rclone",
        "mc", "s3cmd", "hdfs", "go", "ls", "cat", "touch", "mkdir", "stat", "file", "wc",
        "head", "tail", "less", "more", "vim", "vi", "nano", "code", "emacs", "diff",
        "test", "[", "[[", "read", "export", "declare", "local", "unset", "set", "trap",
        "cd", "pushd", "mv", "cp", "ln", "install", "tar", "zip", "unzip", "curl", "wget",
        "tee", "history", "fc", "pgrep", "pkill", "killall", "ps", "kill", "nix", "guix",
        "asdf", "mise", "systemctl", "journalctl", "strings", "command", "exec", "time",
        "shellcheck", "shfmt", "bats", "expect", "script",
    }
)  # fmt: skip


def scan_unknown_wrapper(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`sem rm -rf /`, `with-creds git reset --hard`: a program safesh does not know may
    be a wrapper that runs its arguments. When a later word names a program that can
    destroy things, that command is judged too (the rules decide whether it does)."""
    if name in NOT_WRAPPERS or name.startswith("git-"):
        return
    for index in range(1, len(words)):
        word = words[index]
        if not word.static:
            continue
        inner = command_name(word.text)
        if inner in WRAPPED_DANGER or inner.startswith("mkfs"):
            w.peel(words[index:], site.inner(f"{name} …", feed=None, args_unknown=False))
            return
