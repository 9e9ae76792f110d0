"""What starts reading typed input from a line that does not look like a console: an editor
another program opens (`git commit` with no message, `kubectl edit`, `visudo`), a shell or a
console a subcommand starts (`nix develop`, `vagrant ssh`, `rails console`, `docker run -it
IMAGE` running the image's own command), and inline code that runs what it reads from its
input (`perl -e 'eval <STDIN>'`, `python3 -c 'import code; code.interact()'`).

The vocabulary is data: `OPENERS` (a program, the subcommand that starts something, the
options that give it something else to do instead), the git subcommands that open an editor
or ask questions, and the patterns of inline code that evaluates its input. An editor pinned
to one that reads nothing (`GIT_EDITOR=true`, `git -c core.editor=true`, `KUBE_EDITOR=cat`, in
the line or the agent's environment) opens nothing to type into.

Loaded only for an agent's live line that names one of `PROGRAMS` (live_input checks the
name first). May use: `safesh.model`, `safesh.record`, `safesh.lazy_re`, `.remote`'s option
tables (loaded with it for docker/podman) and the standard library.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from safesh.lazy_re import later
from safesh.record import frozen

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    import re

# The value of an environment variable as the command will see it (the line's own
# assignments first, then the agent's environment), or None.
Lookup = Callable[[str], "str | None"]


def _set(*items: str) -> frozenset[str]:
    return frozenset(items)


# -- editors ----------------------------------------------------------------------------------

# Programs named as an editor that read no typed input: the file is kept as it is, printed, or
# edited by a script (`GIT_SEQUENCE_EDITOR="sed -i 's/^pick/squash/'"`).
QUIET_EDITORS = _set("true", ":", "false", "cat", "sed", "gsed", "touch", "echo", "tee")
# Editors variables in the order git reads them; `config:` entries are `-c KEY=VALUE` of the
# line (git's own configuration files are not read: an editor set only there still asks).
_GIT_EDITOR = ("GIT_EDITOR", "config:core.editor", "VISUAL", "EDITOR")
_GIT_SEQUENCE_EDITOR = ("GIT_SEQUENCE_EDITOR", "config:sequence.editor", *_GIT_EDITOR)
_VISUAL = ("VISUAL", "EDITOR")


def editor_pinned(chain: Sequence[str], lookup: Lookup) -> bool:
    """Whether the editor the program would open (the first variable of `chain` that is set)
    is one that reads no typed input. Nothing set: the program's default (vi) reads it."""
    for variable in chain:
        value = (lookup(variable) or "").strip()
        if value:
            first = value.split()[0].rsplit("/", 1)[-1]
            return first in QUIET_EDITORS
    return False


# -- git ----------------------------------------------------------------------------------------

# git's options before the subcommand that take the next word.
_GIT_GLOBAL_VALUES = _set(
    "-C", "-c", "--git-dir", "--work-tree", "--namespace", "--config-env", "--super-prefix",
    "--attr-source",
)  # fmt: skip


@frozen
class GitOpener:
    """When a git subcommand opens an editor or asks questions typed answers decide.

    `opens`: options that make it write a message, in an editor unless `given` options give
    the text (`tag -a` unless `-m`); `forces`: options that open the editor whatever else is
    given (`--edit`); `default`: it writes a message even with neither (`git commit`; `git
    merge` only when it has a terminal, which the hook cannot see). `prompts`: options that
    make it ask per hunk or per file. `sequence`: options that open the sequence editor
    (`rebase -i`). Short letters in a cluster (`-am`) count as `-a` `-m`; a letter of
    `letters_with_value` ends the cluster. Subcommand words count as options (`notes add`)."""

    opens: frozenset[str] = frozenset()
    forces: frozenset[str] = frozenset()
    given: frozenset[str] = frozenset()
    default: bool = False
    prompts: frozenset[str] = frozenset()
    sequence: frozenset[str] = frozenset()
    letters_with_value: str = ""


# The message options of the commands that write a commit, a tag or a note.
_MESSAGE = _set("-m", "--message", "-F", "--file", "--no-edit")
_EDIT = _set("-e", "--edit")
# Options that pick hunks by typed answers (`y`/`n`/`e`), discarding or staging what they say.
_PATCH = _set("-p", "--patch")
GIT_OPENERS: dict[str, GitOpener] = {
    "commit": GitOpener(
        opens=_set("--squash"), forces=_EDIT | _set("-c", "--reedit-message"),
        given=_MESSAGE | _set("-C", "--reuse-message", "--fixup", "--dry-run"), default=True,
        prompts=_PATCH | _set("--interactive"), letters_with_value="mFCctS",
    ),
    "merge": GitOpener(opens=_set("--continue"), forces=_EDIT, given=_set("--no-edit")),
    "pull": GitOpener(forces=_EDIT, given=_set("--no-edit")),
    "rebase": GitOpener(
        opens=_set("--continue"), forces=_set("--edit-todo"),
        sequence=_set("-i", "--interactive"), letters_with_value="xsXC",
    ),
    # (their `--continue`, and `revert` itself, edit only when stdin is a terminal)
    "cherry-pick": GitOpener(forces=_EDIT, given=_set("--no-edit")),
    "revert": GitOpener(forces=_EDIT, given=_set("--no-edit")),
    "tag": GitOpener(
        opens=_set("-a", "--annotate", "-s", "--sign", "-u", "--local-user"), forces=_EDIT,
        given=_MESSAGE | _set("-d", "--delete", "-l", "--list", "-v", "--verify"),
        letters_with_value="mFun",
    ),
    "notes": GitOpener(opens=_set("add", "append"), forces=_set("edit"),
                       given=_MESSAGE | _set("-C")),
    "add": GitOpener(forces=_EDIT, prompts=_PATCH | _set("-i", "--interactive")),
    "reset": GitOpener(prompts=_PATCH),
    "checkout": GitOpener(prompts=_PATCH),
    "restore": GitOpener(prompts=_PATCH, letters_with_value="s"),
    "stash": GitOpener(prompts=_PATCH, letters_with_value="m"),
    "clean": GitOpener(prompts=_set("-i", "--interactive"), letters_with_value="e"),
    "config": GitOpener(forces=_EDIT | _set("edit")),
    "branch": GitOpener(forces=_set("--edit-description")),
    "mergetool": GitOpener(default=True, given=_set("--tool-help")),
    "difftool": GitOpener(default=True, given=_set("--tool-help")),
    "send-email": GitOpener(forces=_set("--compose", "--annotate")),
}  # fmt: skip


def _options_of(words: Sequence[str], letters_with_value: str) -> set[str]:
    """The options among `words`, long ones without their `=value`, short clusters split into
    their letters up to the first one that takes a value (`-am msg` -> -a, -m). Positional
    words are included as they are (`git notes add`)."""
    found: set[str] = set()
    for word in words:
        if word == "--":
            break
        if word.startswith("--"):
            found.add(word.split("=", 1)[0])
        elif word.startswith("-") and len(word) > 2:
            for letter in word[1:]:
                found.add("-" + letter)
                if letter in letters_with_value:
                    break
        else:
            found.add(word)
    return found


def git(args: Sequence[str], lookup: Lookup) -> str | None:
    """What a git line opens for typed input: an editor (unless pinned to one that reads
    nothing) or questions whose answers decide what it stages, discards or deletes."""
    configs: dict[str, str] = {}
    i = 0
    while i < len(args) and args[i].startswith("-"):
        if args[i] == "-c" and i + 1 < len(args):
            key, _, value = args[i + 1].partition("=")
            configs["config:" + key.lower()] = value
        i += 2 if args[i] in _GIT_GLOBAL_VALUES else 1
    if i >= len(args) or args[i] not in GIT_OPENERS:
        return None
    verb, opener = args[i], GIT_OPENERS[args[i]]
    options = _options_of(args[i + 1 :], opener.letters_with_value)
    if options & opener.prompts:
        return f"git {verb}'s questions (the answers typed decide what it does; `e` edits)"
    sequence = bool(options & opener.sequence)
    writes = bool(options & opener.opens) or opener.default
    if not (sequence or options & opener.forces or (writes and not options & opener.given)):
        return None

    def look(variable: str) -> str | None:
        return configs.get(variable) if variable.startswith("config:") else lookup(variable)

    if editor_pinned(_GIT_SEQUENCE_EDITOR if sequence else _GIT_EDITOR, look):
        return None
    return f"an editor (git {verb} opens one; its `:!` and kin run commands)"


# -- subcommands that start a shell, a console or an editor ------------------------------------


@frozen
class Opener:
    """A program (and subcommand) that starts something reading typed input.

    `verbs`: the subcommand words that start it, each a sequence (`("compute", "ssh")`); `()`
    for the program itself. `editors`: the variables naming the editor it opens, in the order
    it reads them (empty: it is not an editor). `given`: options that give it something else
    to do (a command, a script, `--check`); `--` among them: words after `--` are a command.
    `needs`: options without one of which it starts nothing (`docker attach` needs none,
    `kubectl attach` needs `-i`). `values`: options that take the next word. `operands`:
    positional words after the subcommand that are not a command to run (`chroot DIR`); more
    than that is a command. None: positional words never are."""

    what: str
    verbs: tuple[tuple[str, ...], ...] = ((),)
    editors: tuple[str, ...] = ()
    given: frozenset[str] = frozenset()
    needs: frozenset[str] = frozenset()
    values: frozenset[str] = frozenset()
    operands: int | None = None


_SHELL = "a shell"
_KUBE_VALUES = _set(
    "-n", "--namespace", "--context", "--cluster", "--user", "-s", "--server", "--kubeconfig",
    "--token", "-l", "--selector", "-o", "--output", "-c", "--container", "--image",
    "--restart", "--overrides", "--port", "--labels", "--target", "--profile", "--env",
    "--serviceaccount", "--pod-running-timeout", "-f", "--filename",
)  # fmt: skip
_KUBE_INPUT = _set("-i", "--stdin")
# Subcommand words that only pick a release channel (`gcloud beta compute ssh`).
_CHANNELS = _set("alpha", "beta", "preview")

# fmt: off
OPENERS: dict[str, tuple[Opener, ...]] = {
    "kubectl": (
        Opener("an editor on a live Kubernetes object", verbs=(("edit",),
               ("apply", "edit-last-applied")), editors=("KUBE_EDITOR", "EDITOR"),
               values=_KUBE_VALUES),
        Opener("the image's own command (often a shell), with the agent's input attached",
               verbs=(("run",), ("debug",)), needs=_KUBE_INPUT, given=_set("--"),
               values=_KUBE_VALUES),
        Opener("the container's main process, with the agent's input attached",
               verbs=(("attach",),), needs=_KUBE_INPUT, values=_KUBE_VALUES),
    ),
    "oc": (
        Opener("an editor on a live OpenShift object", verbs=(("edit",),),
               editors=("OC_EDITOR", "KUBE_EDITOR", "EDITOR"), values=_KUBE_VALUES),
        Opener("a shell in a pod", verbs=(("rsh",),), operands=1, values=_KUBE_VALUES),
        Opener("a debug shell (`oc debug` starts one by default)", verbs=(("debug",),),
               given=_set("--"), values=_KUBE_VALUES),
        Opener("the image's own command, with the agent's input attached", verbs=(("run",),),
               needs=_KUBE_INPUT, given=_set("--"), values=_KUBE_VALUES),
        Opener("the container's main process, with the agent's input attached",
               verbs=(("attach",),), needs=_KUBE_INPUT, values=_KUBE_VALUES),
    ),
    "visudo": (Opener("an editor on the sudo rules", editors=("SUDO_EDITOR", "VISUAL", "EDITOR"),
                      given=_set("-c", "--check", "-V", "--version", "-h", "--help")),),
    "vipw": (Opener("an editor on the password file", editors=_VISUAL,
                    given=_set("-V", "--version", "-h", "--help")),),
    "vigr": (Opener("an editor on the group file", editors=_VISUAL,
                    given=_set("-V", "--version", "-h", "--help")),),
    "sudoedit": (Opener("an editor run by sudo", editors=("SUDO_EDITOR", "VISUAL", "EDITOR"),
                        given=_set("-V", "--version", "-h", "--help", "-l", "--list")),),
    "edquota": (Opener("an editor on disk quotas", editors=_VISUAL, given=_set("-p", "-t", "-T")),),
    "vidir": (Opener("an editor on a directory listing (deleting a line deletes the file)",
                     editors=_VISUAL),),
    "vipe": (Opener("an editor in a pipe", editors=_VISUAL),),
    "fc": (Opener("an editor on shell history, whose text then runs", editors=("FCEDIT", "EDITOR"),
                  given=_set("-l", "-s")),),
    "systemctl": (Opener("an editor on a unit's drop-in", verbs=(("edit",),),
                         editors=("SYSTEMD_EDITOR", "EDITOR", "VISUAL"), given=_set("--stdin"),
                         values=_set("-H", "--host", "-M", "--machine", "--drop-in",
                                     "-p", "--property", "-t", "--type", "--root")),),
    "virsh": (
        Opener("an editor on a libvirt definition", verbs=tuple(
            (verb,) for verb in ("edit", "net-edit", "pool-edit", "iface-edit", "nwfilter-edit",
                                 "snapshot-edit", "checkpoint-edit", "nwfilter-binding-edit")),
               editors=("VISUAL", "EDITOR"), values=_set("-c", "--connect", "-l", "--log",
                                                         "-k", "--keepalive-interval")),
        Opener("a libvirt shell", operands=0, given=_set("-V", "--version", "-h", "--help"),
               values=_set("-c", "--connect", "-l", "--log", "-k", "--keepalive-interval",
                           "-K", "--keepalive-count", "-d", "--debug", "-e", "--escape")),
        Opener("a guest's console", verbs=(("console",),),
               values=_set("-c", "--connect", "--devname")),
    ),
    "heroku": (
        Opener("an editor on an app's config vars", verbs=(("config:edit",),),
               editors=("VISUAL", "EDITOR")),
        Opener("a database console", verbs=(("pg:psql",), ("redis:cli",), ("psql",)),
               given=_set("-c", "--command", "-f", "--file")),
    ),
    "chroot": (Opener(_SHELL, operands=1, given=_set("--help", "--version"),
                      values=_set("--userspec", "--groups")),),
    "nsenter": (Opener(_SHELL, operands=0, given=_set("--help", "-V", "--version"),
                       values=_set("-t", "--target", "-S", "--setuid", "-G", "--setgid",
                                   "-N", "--net-socket")),),
    "unshare": (Opener(_SHELL, operands=0, given=_set("--help", "-V", "--version"),
                       values=_set("--map-user", "--map-group", "--map-users", "--map-groups",
                                   "-S", "--setuid", "-G", "--setgid", "--propagation", "-R",
                                   "--root", "-w", "--wd", "--setgroups")),),
    "runuser": (Opener(_SHELL, operands=1, given=_set("-c", "--command", "--session-command",
                                                      "-u", "--user", "--help"),
                       values=_set("-g", "--group", "-G", "--supp-group", "-s", "--shell",
                                   "-w", "--whitelist-environment")),),
    "newgrp": (Opener(_SHELL, given=_set("--help", "-V", "--version")),),
    "run0": (Opener(_SHELL, operands=0, given=_set("--help", "--version"),
                    values=_set("-u", "--user", "-g", "--group", "--nice", "-D", "--chdir",
                                "--setenv", "--property", "--unit", "--description", "--slice",
                                "--machine", "--background")),),
    "systemd-run": (Opener(_SHELL, needs=_set("-S", "--shell")),),
    "machinectl": (Opener(_SHELL, verbs=(("shell",),), operands=1,
                          values=_set("-M", "--machine", "-H", "--host", "--uid", "-E",
                                      "--setenv")),
                   Opener("a login prompt", verbs=(("login",),))),
    "nix-shell": (Opener(_SHELL, given=_set("--run", "--command", "-i", "--help", "--version"),
                         values=_set("-p", "--packages", "-A", "--attr", "-I", "--arg",
                                     "--argstr", "--expr", "-E")),),
    "nix": (Opener(_SHELL, verbs=(("develop",), ("shell",)),
                   given=_set("-c", "--command", "--help")),
            Opener("a Nix REPL", verbs=(("repl",),))),
    "poetry": (Opener(_SHELL, verbs=(("shell",),)),),
    "pipenv": (Opener(_SHELL, verbs=(("shell",),)),),
    "hatch": (Opener(_SHELL, verbs=(("shell",),)),),
    "pdm": (Opener(_SHELL, verbs=(("shell",),)),),
    "vagrant": (Opener("a login shell on the VM", verbs=(("ssh",),), operands=1,
                       given=_set("-c", "--command", "--help")),),
    "lxc": (Opener("a shell in a container", verbs=(("shell",), ("console",))),),
    "incus": (Opener("a shell in a container", verbs=(("shell",), ("console",))),),
    "multipass": (Opener("a shell in a VM", verbs=(("shell",), ("sh",))),),
    "distrobox": (Opener("a shell in a container", verbs=(("enter",),),
                         given=_set("-e", "--exec", "--")),),
    "toolbox": (Opener("a shell in a container", verbs=(("enter",),)),),
    "gcloud": (Opener("a login shell on the VM", verbs=(("compute", "ssh"), ("cloud-shell", "ssh")),
                      given=_set("--command", "--help")),
               Opener("a VM's serial console", verbs=(("compute", "connect-to-serial-port"),))),
    "aws": (Opener("a shell on the instance (Session Manager)", verbs=(("ssm", "start-session"),),
                   given=_set("--document-name", "--help")),),
    "az": (Opener("a login shell on the VM", verbs=(("ssh", "vm"), ("ssh", "arc")),
                  given=_set("--", "--help", "-h")),
           Opener("a VM's serial console", verbs=(("serial-console", "connect"),))),
    "fly": (Opener("a shell on the machine", verbs=(("ssh", "console"), ("console",)),
                   given=_set("-C", "--command", "--help")),),
    "flyctl": (Opener("a shell on the machine", verbs=(("ssh", "console"), ("console",)),
                      given=_set("-C", "--command", "--help")),),
    "railway": (Opener("a shell or database console", verbs=(("shell",), ("connect",), ("ssh",))),),
    "rails": (Opener("a Ruby console on the app", verbs=(("console",), ("c",), ("dbconsole",),
                                                        ("db",))),),
    "flask": (Opener("a Python console on the app", verbs=(("shell",),)),),
    "manage.py": (Opener("a Python or database console on the app",
                         verbs=(("shell",), ("dbshell",), ("shell_plus",)),
                         given=_set("-c", "--command", "--help")),),
    "artisan": (Opener("a PHP console on the app", verbs=(("tinker",),),
                       given=_set("--execute", "--help")),),
    "cockroach": (Opener("an SQL console", verbs=(("sql",),),
                         given=_set("-e", "--execute", "-f", "--file", "--help")),),
    "deno": (Opener("a JavaScript REPL", verbs=(("repl",),)),
             Opener("a JavaScript REPL", operands=0, given=_set("-h", "--help", "-V",
                                                                "--version"))),
    "bun": (Opener("a JavaScript REPL", verbs=(("repl",),)),),
    "ts-node": (Opener("a TypeScript REPL", operands=0,
                       given=_set("-e", "--eval", "-p", "--print", "-h", "--help", "-v",
                                  "--version"),
                       values=_set("-r", "--require", "-P", "--project", "-C", "--compiler",
                                   "-O", "--compiler-options", "--cwd")),),
    "tsx": (Opener("a TypeScript REPL", operands=0,
                   given=_set("-e", "--eval", "-p", "--print", "-h", "--help", "-v", "--version"),
                   values=_set("--tsconfig", "--import", "--require", "-r")),),
    "lein": (Opener("a Clojure REPL", verbs=(("repl",),)),),
    "sbt": (Opener("an sbt shell (`;` runs tasks, `console` a Scala REPL)", operands=0,
                   given=_set("-h", "--help", "--version", "--client")),),
    "iex": (Opener("an Elixir shell", given=_set("-h", "--help", "-v", "--version")),),
    "erl": (Opener("an Erlang shell", given=_set("-noshell", "-detached", "-eval", "-s", "-run",
                                                 "-noinput")),),
    "r": (Opener("an R console (`system()` runs commands)", operands=0,
                 given=_set("-e", "-f", "--file", "--version", "-h", "--help", "CMD")),),
    "octave": (Opener("an Octave console (`system` runs commands)", operands=0,
                      given=_set("--eval", "--version", "-h", "--help")),),
    "gnuplot": (Opener("a gnuplot console (`!` runs commands)", operands=0,
                       given=_set("-e", "-V", "--version", "-h", "--help")),),
    "scala": (Opener("a Scala REPL", operands=0, given=_set("-e", "-version", "-help")),),
    "spark-shell": (Opener("a Spark shell", given=_set("-i", "--version", "--help")),),
    "pyspark": (Opener("a Spark shell", given=_set("--version", "--help")),),
    "guile": (Opener("a Scheme REPL", operands=0, given=_set("-c", "-s", "--version", "-h",
                                                          "--help")),),
    "racket": (Opener("a Racket REPL", operands=0, given=_set("-e", "-f", "-t", "-r",
                                                              "--version", "-h", "--help")),),
    "sbcl": (Opener("a Lisp REPL", given=_set("--script", "--eval", "--load", "--non-interactive",
                                              "--version", "--help")),),
    "ocaml": (Opener("an OCaml REPL", operands=0, given=_set("-version", "-help", "--help")),),
    "utop": (Opener("an OCaml REPL", given=_set("-version", "-help", "--help")),),
    "swipl": (Opener("a Prolog REPL", operands=0, given=_set("-g", "-t", "--version",
                                                             "--help")),),
    "sftp": (Opener("an sftp console (`!` runs commands)", operands=1,
                    given=_set("-b", "-h", "-V"),
                    values=_set("-B", "-c", "-D", "-F", "-i", "-J", "-l", "-o", "-P", "-R",
                                "-S", "-s", "-X")),),
    "ftp": (Opener("an ftp console (`!` runs commands)", given=_set("-h", "--help")),),
    "lftp": (Opener("an lftp console (`!` runs commands)",
                    given=_set("-c", "-e", "-f", "-h", "--help", "-v", "--version"),
                    values=_set("-p", "-u", "--user", "--password", "--env-password")),),
    "smbclient": (Opener("an smb console (`!` runs commands)",
                         given=_set("-c", "--command", "-L", "--list", "-V", "--version",
                                    "-?", "--help"),
                         values=_set("-U", "--user", "-W", "--workgroup", "-p", "--port",
                                     "-I", "--ip-address", "-m", "--max-protocol", "-A",
                                     "--authentication-file", "-s", "--configfile", "-d",
                                     "--debuglevel", "-D", "--directory")),),
    "mc": (Opener("a file manager (its command line runs commands)",
                  given=_set("-V", "--version", "-h", "--help")),),
    "ranger": (Opener("a file manager (`!` runs commands)",
                      given=_set("--version", "-h", "--help")),),
    "vifm": (Opener("a file manager (`:!` runs commands)",
                    given=_set("--version", "-v", "-h", "--help")),),
    "nnn": (Opener("a file manager (`!` starts a shell)", given=_set("-V", "-h")),),
    "lf": (Opener("a file manager (`!` runs commands)",
                  given=_set("-version", "-help", "-remote")),),
}
# fmt: on


def _positionals(args: Sequence[str], values: frozenset[str]) -> list[tuple[int, str]]:
    """The positional words of `args` (index, text), skipping options and their values, up
    to a `--`."""
    found: list[tuple[int, str]] = []
    i = 0
    while i < len(args):
        word = args[i]
        if word == "--":
            break
        if word.startswith("-") and len(word) > 1:
            i += 2 if word in values else 1
            continue
        found.append((i, word))
        i += 1
    return found


def _has(args: Sequence[str], options: frozenset[str]) -> bool:
    """Whether one of `options` is among `args` (`--opt=value` and short clusters count:
    `-it` holds `-i`). A `--` in `options` stands for a `--` followed by words."""
    for index, word in enumerate(args):
        if word == "--":
            return "--" in options and index + 1 < len(args)
        key = word.split("=", 1)[0]
        if key in options:
            return True
        cluster = word.startswith("-") and not word.startswith("--") and len(word) > 2
        if cluster and any("-" + letter in options for letter in word[1:]):
            return True
    return False


def _starts(opener: Opener, args: Sequence[str], lookup: Lookup) -> bool:
    positionals = _positionals(args, opener.values)
    texts = [text for _, text in positionals]
    after = 0
    for verb in opener.verbs:
        start = 1 if texts[:1] and texts[0] in _CHANNELS and verb else 0
        if tuple(texts[start : start + len(verb)]) == verb:
            after = start + len(verb)
            break
    else:
        return False
    if opener.operands is not None and len(texts) - after > opener.operands:
        return False
    if _has(args, opener.given) or (opener.needs and not _has(args, opener.needs)):
        return False
    return not (opener.editors and editor_pinned(opener.editors, lookup))


def opener(name: str, args: Sequence[str], lookup: Lookup) -> str | None:
    """What `name ARGS` starts that reads typed input, or None."""
    if name == "git":
        return git(args, lookup)
    if name in CONTAINER_PROGRAMS:
        return container(name, args)
    for each in OPENERS.get(name, ()):
        if _starts(each, args, lookup):
            return each.what
    return None


# -- containers started with the agent's input attached ----------------------------------------

CONTAINER_PROGRAMS = _set("docker", "podman", "nerdctl", "finch", "docker-compose")


def container(name: str, args: Sequence[str]) -> str | None:
    """`docker run -it IMAGE` with no command runs the image's own (often a shell) with the
    agent's input attached; so do `docker compose run SERVICE` (interactive by default),
    `docker start -ai C` and `docker attach C`. A command after the image is judged as what
    runs inside (remote.container_exec)."""
    from safesh.unwrap import remote  # loaded already: the line runs docker

    rest = list(args)
    if name == "docker-compose":
        rest = ["compose", *rest]
    else:
        rest = rest[_skip(rest, remote.DOCKER_GLOBAL_VALUES) :]
    if rest[:1] == ["container"]:
        rest = rest[1:]
    compose = rest[:1] == ["compose"]
    if compose:
        rest = rest[1:]
        rest = rest[_skip(rest, remote.COMPOSE_GLOBAL_VALUES) :]
    if not rest:
        return None
    verb, rest = rest[0], rest[1:]
    if verb == "attach" and not compose:
        return None if _has(rest, _set("--no-stdin", "--help")) else _ATTACHED
    if verb == "start" and not compose:
        return _ATTACHED if _has(rest, _set("-i", "--interactive")) else None
    if verb != "run":
        return None
    start = _skip(rest, remote.RUN_VALUES)
    options = rest[:start]
    if _has(options, _set("-d", "--detach", "--entrypoint", "--help")):
        return None
    if not compose and not _has(options, _set("-i", "--interactive")):
        return None
    if start < len(rest) and rest[start] == "--":
        start += 1
    if len(rest) > start + 1:
        return None  # a command after the image: judged as what runs inside
    return "the image's own command (often a shell), with the agent's input attached"


_ATTACHED = "the container's main process, with the agent's input attached"


def _skip(words: Sequence[str], values: frozenset[str]) -> int:
    i = 0
    while i < len(words) and words[i].startswith("-") and words[i] != "--":
        i += 2 if words[i] in values else 1
    return i


# -- inline code that runs what it reads from its input ----------------------------------------


@frozen
class InlineReader:
    """Inline code (`-e`, `-c`) in one language that reads its standard input and runs it,
    or starts a REPL on it. `reads`: code that reads the input; `runs`: code that evaluates
    or runs text; `repl`: code that starts a console on the input by itself. `loops`:
    options that read the input for the code (`perl -n`: each line is `$_`)."""

    reads: re.Pattern[str]
    runs: re.Pattern[str]
    repl: re.Pattern[str] | None = None
    loops: frozenset[str] = frozenset()


# fmt: off
INLINE_READERS: dict[str, InlineReader] = {
    "python": InlineReader(
        reads=later(r"\bsys\s*\.\s*stdin\b|\binput\s*\(|\braw_input\s*\(|\bopen\s*\(\s*0\b"
                    r"|/dev/stdin|\bfileinput\b|\bos\s*\.\s*read\s*\(\s*0\b"),
        runs=later(r"\bexec\s*\(|\beval\s*\(|\bcompile\s*\(|\bsubprocess\b|\brunpy\b"
                   r"|\bos\s*\.\s*(?:system|popen|exec\w*|spawn\w*)\s*\("),
        repl=later(r"\bcode\s*\.\s*interact\b|\bInteractive(?:Console|Interpreter)\b"
                   r"|\bpdb\s*\.\s*(?:set_trace|run|Pdb)\b|\bbreakpoint\s*\(|\bembed\s*\("
                   r"|\bpty\s*\.\s*spawn\b|\bstart_ipython\b|\bptpython\b"),
    ),
    "node": InlineReader(
        reads=later(r"readFileSync\s*\(\s*(?:0\b|['\"]/dev/stdin)|\bprocess\s*\.\s*stdin\b"
                    r"|\breadline\b"),
        runs=later(r"\beval\s*\(|\bFunction\s*\(|\bvm\b|child_process|\bexec(?:Sync)?\s*\("
                   r"|\bspawn(?:Sync)?\s*\("),
        repl=later(r"\brepl\b['\"]?\s*\)?\s*\.\s*start\b"),
    ),
    "perl": InlineReader(
        reads=later(r"<\s*(?:STDIN|ARGV)?\s*>|<<>>|\breadline\b|\bSTDIN\b"),
        runs=later(r"\beval\b|\bsystem\b|\bexec\b|`|\bqx\b"),
        repl=later(r"\bDB::|\bperl5db\b"),
        loops=frozenset({"-n", "-p"}),
    ),
    "ruby": InlineReader(
        reads=later(r"\bSTDIN\b|\$stdin\b|\bgets\b|\bARGF\b|\breadlines?\b|\$<"),
        runs=later(r"\b(?:instance_|class_|module_)?eval\b|\bsystem\b|\bexec\b|`|%x"
                   r"|\bspawn\b|\bOpen3\b|\bpopen\b"),
        repl=later(r"\bIRB\s*\.\s*start\b|\bbinding\s*\.\s*(?:irb|pry)\b|\bPry\s*\.\s*start\b"),
        loops=frozenset({"-n", "-p"}),
    ),
    "php": InlineReader(
        reads=later(r"\bSTDIN\b|php://stdin|\bfgets\b|\breadline\s*\(|\bstream_get_contents\b"),
        runs=later(r"\beval\s*\(|\bsystem\s*\(|\bshell_exec\s*\(|\bpassthru\s*\("
                   r"|\bexec\s*\(|\bpopen\s*\(|\bproc_open\s*\(|`"),
    ),
}
# fmt: on


def inline_reads_input(language: str, code: str, loops: bool) -> bool:
    """Whether `code` (a `-c`/`-e` program in `language`) runs what it reads from its input,
    or starts a console on it. `loops`: an option makes the program read its input itself
    (`perl -ne 'eval'`: each line is `$_`)."""
    reader = INLINE_READERS.get(language)
    if reader is None:
        return False
    if reader.repl is not None and reader.repl.search(code):
        return True
    reads = (loops and bool(reader.loops)) or reader.reads.search(code) is not None
    return reads and reader.runs.search(code) is not None


PROGRAMS = frozenset({*OPENERS, "git", *CONTAINER_PROGRAMS})
