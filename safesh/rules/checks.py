"""Named analyses for what a rule's data cannot express.

A rule names one with `check = "NAME"`. Each check has a stable ID (like bandit's), the
severity it is meant to be used at, a message, and a predicate `(Command, Context) -> str |
None` that returns the evidence (the words that made it match) or None.

`parse-error` and `internal-error` never match a Command: the analysis stage emits findings
for those rule ids itself (a line that cannot be parsed has no commands). They exist so the
built-in rules can carry those ids, reasons and tiers like any other rule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from safesh.lazy_re import later
from safesh.model import Command, Context, SimpleCommand, Span, Tier
from safesh.record import frozen
from safesh.rules.paths import classify_path

Predicate = Callable[[Command, Context], "str | None"]


@frozen
class Check:
    name: str
    id: str
    severity: Tier
    message: str
    predicate: Predicate
    # True when the analysis stage emits the finding for the whole line: rules using it need
    # no match example that a Command could satisfy.
    line_level: bool = False


SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "mksh", "fish", "ash", "busybox"})
INTERPRETERS = frozenset(
    {
        "python", "perl", "ruby", "node", "nodejs", "php", "deno", "bun", "lua", "tclsh",
        "pwsh", "powershell", "osascript", "rscript", "julia", "source", ".",
    }
)  # fmt: skip
_VERSIONED = later(r"^(?P<base>[A-Za-z]+?)(?:[0-9][0-9.]*)?$")


def interpreter_base(name: str) -> str:
    """`python3.11` -> `python`, `bash` -> `bash`."""
    base = _bases.get(name)
    if base is None:
        if len(_bases) >= 4096:
            _bases.clear()
        match = _VERSIONED.match(name)
        base = _bases[name] = match.group("base") if match else name
    return base


# Each command name's base, kept: asked three times of every command (checks, effects).
_bases: dict[str, str] = {}


def dynamic_command(command: Command, context: Context) -> str | None:
    if not command.dynamic:
        return None
    return command.words[0].raw if command.words else command.name


def fork_bomb(command: Command, context: Context) -> str | None:
    """A function that calls itself, piped or in the background, multiplies without bound."""
    if f"function {command.name}" not in command.nesting:
        return None
    if command.pipeline[2] > 1 or command.background:
        return f"{command.name} calls itself from its own body"
    return None


def download_to_interpreter(command: Command, context: Context) -> str | None:
    feed = command.feed
    if feed is None or feed.kind not in {"download", "process-substitution-download"}:
        return None
    base = interpreter_base(command.name)
    if base not in SHELLS and base not in INTERPRETERS:
        return None
    source = " ".join(feed.source) if feed.source else "a download"
    return f"{source} | {command.name}"


# Options that take the program text, per interpreter.
_INLINE_OPTIONS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "python": frozenset({"-c"}),
        "node": frozenset({"-e", "--eval", "-p", "--print"}),
        "nodejs": frozenset({"-e", "--eval", "-p", "--print"}),
        "deno": frozenset({"eval"}),
        "bun": frozenset({"-e", "--eval"}),
        "perl": frozenset({"-e", "-E"}),
        "ruby": frozenset({"-e"}),
        "php": frozenset({"-r"}),
    }
)
# A shell command given to an interpreter as its program (`perl -e "rm -rf /"`).
_SHELL_AS_CODE = later(r"^\s*(sudo\s+)?(rm\s+-[A-Za-z]*[rRf]|dd\s+|mkfs|git\s+(push|reset|clean))")
# Code that is not in the line at all: a command substitution or a whole variable.
_UNSEEN_CODE = later(r"""\$\(|`|^["']?\$\{?[A-Za-z_][A-Za-z0-9_]*\}?["']?$""")


def inline_code(command: Command) -> str | None:
    """The program text given on the command line (`python -c CODE`), if any."""
    options = _INLINE_OPTIONS.get(interpreter_base(command.name))
    if options is None:
        return None
    args = command.argv[1:]
    for index, arg in enumerate(args):
        for option in options:
            if arg == option and index + 1 < len(args):
                return args[index + 1]
            # Short options glue their value: `-c'import os'`, perl's `-le 'code'`.
            if _short_cluster_has(arg, option, _GLUED_VALUES.get(interpreter_base(command.name))):
                rest = arg[arg.index(option[1], 1) + 1 :]
                if rest:
                    return rest
                if index + 1 < len(args):
                    return args[index + 1]
    return None


# Letters that take the rest of their word as a value, so a cluster ends there: perl's
# `-MFile::Path`, `-i.bak`; ruby's `-rfileutils`; python's `-Wignore`.
_GLUED_VALUES: Mapping[str, str] = MappingProxyType(
    {"perl": "MmIiCdDxV0", "ruby": "rICEFKTWx0i", "python": "WXmQ", "node": "r"}
)


def _short_cluster_has(arg: str, option: str, stops: str | None = None) -> bool:
    if len(option) != 2 or not option.startswith("-"):
        return False
    if not arg.startswith("-") or arg.startswith("--"):
        return False
    for letter in arg[1:]:
        if letter == option[1]:
            return True
        if stops and letter in stops:
            return False
    return False


def _code_word_raw(command: Command, code: str) -> str | None:
    """The raw form of the word holding the program text, when it is not static."""
    if len(command.words) != len(command.argv):
        return None
    for word, text in zip(command.words[1:], command.argv[1:], strict=True):
        if text == code and not word.static:
            return word.raw
    return None


def _stdin_program(command: Command) -> str | None:
    """`python3 <<EOF … EOF`, `echo '…' | node`: with no script named, the interpreter runs
    what its standard input holds."""
    feed = command.feed
    if feed is None or feed.kind not in {"heredoc", "herestring", "pipe"} or feed.text is None:
        return None
    args = command.argv[1:]
    if any(not a.startswith("-") for a in args) and "-" not in args:
        return None
    return feed.text


def inline_program(command: Command, context: Context) -> str | None:
    """Program text computed when the line runs (`python3 -c "$CODE"`), or a shell command
    given to an interpreter as its program (`perl -e "rm -rf /"`). What a readable program
    does is judged by its effects (inline.py), target by target."""
    code = inline_code(command)
    if code is None:
        return None
    raw = _code_word_raw(command, code)
    if raw is not None and _UNSEEN_CODE.search(raw):
        return f"program text computed at run time: {raw}"
    found = _SHELL_AS_CODE.search(code)
    return found.group(0) if found else None


# -- where a command writes ----------------------------------------------------------------------

# For each writer: the options that take a value, and which words are written.
_TARGET_DIRECTORY = frozenset({"-t", "--target-directory"})
_WRITER_VALUES: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "cp": frozenset({"-t", "--target-directory", "-S", "--suffix"}),
        "install": frozenset({"-t", "--target-directory", "-m", "--mode", "-o", "--owner",
                              "-g", "--group", "-S", "--suffix"}),
        "ln": frozenset({"-t", "--target-directory", "-S", "--suffix"}),
        "mv": frozenset({"-t", "--target-directory", "-S", "--suffix"}),
        "rsync": frozenset({"-e", "--rsh", "--exclude", "--include", "--exclude-from",
                            "--include-from", "--files-from", "-f", "--filter", "--chmod",
                            "--chown", "--log-file", "--password-file", "-T", "--temp-dir",
                            "--partial-dir", "--backup-dir", "--suffix", "--rsync-path",
                            "--port", "--compare-dest", "--copy-dest", "--link-dest"}),
        "tee": frozenset(),
        "sponge": frozenset(),
        "truncate": frozenset({"-s", "--size", "-r", "--reference"}),
        "sed": frozenset({"-e", "--expression", "-f", "--file", "-l", "--line-length"}),
        "perl": frozenset({"-e", "-E", "-M", "-I"}),
        "curl": frozenset(),
        "wget": frozenset(),
        "sqlite3": frozenset({"-cmd", "-separator", "-newline", "-nullvalue", "-init"}),
        "mount": frozenset({"-o", "--options", "-t", "--types", "-O", "--test-opts", "-L",
                            "--label", "-U", "--uuid", "-N", "--namespace", "--source",
                            "--target"}),
    }
)  # fmt: skip
_NO_SIMPLE = SimpleCommand(argv=(), span=Span(0, 0))
# Editors whose in-place edits unwrap/inplace.py reads (sed and perl are writers above).
_IN_PLACE_EDITORS = frozenset({"ed", "red", "ex", "vim", "vi", "nvim", "gawk", "awk"})
_FIND_WRITES = frozenset({"-fprint", "-fprint0", "-fls", "-fprintf"})
_OVERWRITE_OPS = frozenset({">", ">|", "&>", "<>"})
_APPEND_OPS = frozenset({">>", "&>>"})


def _split(command: Command, values: frozenset[str]) -> tuple[list[str], dict[str, str], set[str]]:
    """Positional words, option values and flags of a writer's argv (a small parser; the
    rules' own parser lives in match.py)."""
    positional: list[str] = []
    options: dict[str, str] = {}
    flags: set[str] = set()
    args = command.argv[1:]
    i = 0
    done = False
    while i < len(args):
        word = args[i]
        i += 1
        if done or not word.startswith("-") or word == "-":
            positional.append(word)
            continue
        if word == "--":
            done = True
            continue
        name, equals, value = word.partition("=")
        if equals and name.startswith("--"):
            options[name] = value
            flags.add(name)
            continue
        if name in values and i < len(args):
            options[name] = args[i]
            flags.add(name)
            i += 1
            continue
        if not word.startswith("--") and len(word) > 2 and word[:2] in values:
            options[word[:2]] = word[2:]
            flags.add(word[:2])
            continue
        flags.add(word)
        if not word.startswith("--"):
            flags.update("-" + letter for letter in word[1:])
    return positional, options, flags


def _rsync_only_lists(argv: tuple[str, ...]) -> bool:
    """rsync told to report rather than copy: `--dry-run`, `--list-only`, or `n` in a short
    option cluster (`-avn`)."""
    for word in argv[1:]:
        if word == "--":
            break
        if word in {"--dry-run", "--list-only"}:
            return True
        if word[:1] == "-" and word[1:2] != "-" and "n" in word[1:]:
            return True
    return False


def write_targets(command: Command, *, appends: bool) -> list[str]:
    """The files a command overwrites (with `appends`, also those it appends to or edits):
    a copy's destination, both ends of a move, `tee`/`truncate` files, `dd of=`, `sed -i`
    files, `curl -o`, `wget -O`, an sqlite3 database, and output redirections."""
    targets: list[str] = []
    for redirect in command.redirects:
        if redirect.target is None:
            continue
        if (
            redirect.op in _OVERWRITE_OPS
            or (appends and redirect.op in _APPEND_OPS)
            or (redirect.op == ">&" and not redirect.target.text.isdigit())
        ):
            targets.append(redirect.target.text)
    name = command.name
    if name in {"dd", "dcfldd", "dc3dd"}:
        targets.extend(a[3:] for a in command.argv[1:] if a.startswith("of="))
        return targets
    other = _other_writer_target(command)
    if other is not None:
        targets.append(other)
        return targets
    if name in {"find", "gfind"}:
        # `-fprint FILE`, `-fls FILE`, `-fprintf FILE FORMAT` truncate FILE and write to it
        args = command.argv[1:]
        targets.extend(args[i + 1] for i, a in enumerate(args[:-1]) if a in _FIND_WRITES)
        return targets
    values = _WRITER_VALUES.get(name)
    if values is None:
        if name not in _IN_PLACE_EDITORS:
            return targets  # most commands: no need to load the in-place editors' reader
        from safesh.unwrap.inplace import edited_files

        return [*targets, *edited_files(command.argv)]
    positional, options, flags = _split(command, values)
    if name == "rsync" and _rsync_only_lists(command.argv):
        return targets  # `-n`/`--dry-run`/`--list-only`: it reports, it writes nothing
    if name in {"cp", "install", "ln", "rsync"}:
        directory = next((options[o] for o in _TARGET_DIRECTORY if o in options), None)
        targets.extend(_copy_destinations(command, positional, directory, flags))
    elif name == "mv":
        directory = next((options[o] for o in _TARGET_DIRECTORY if o in options), None)
        sources = positional if directory is not None else positional[:-1]
        targets.extend([*sources, *_copy_destinations(command, positional, directory, flags)])
    elif name == "tee":
        if appends or not flags & {"-a", "--append"}:
            targets.extend(positional)
    elif name == "sponge":
        # moreutils: `… | sponge FILE` soaks up its input, then replaces FILE (-a appends).
        if appends or "-a" not in flags:
            targets.extend(positional)
    elif name == "truncate":
        targets.extend(positional)
    elif name in {"sed", "perl"}:
        if any(f == "-i" or f.startswith(("-i", "--in-place")) for f in flags):
            script_given = bool(flags & {"-e", "--expression", "-f", "--file", "-E"})
            targets.extend(positional if script_given else positional[1:])
    elif name == "curl":
        args = command.argv[1:]
        targets.extend(args[i + 1] for i, a in enumerate(args[:-1]) if a in {"-o", "--output"})
    elif name == "wget":
        args = command.argv[1:]
        targets.extend(
            args[i + 1] for i, a in enumerate(args[:-1]) if a in {"-O", "--output-document"}
        )
    elif name == "sqlite3" and appends and positional:
        targets.append(positional[0])
    elif name == "mount":
        # what is mounted hides what the target directory held (`mount --bind /tmp/x /etc`)
        if "--target" in options:
            targets.append(options["--target"])
        elif len(positional) >= 2:
            targets.append(positional[-1])
    return [t for t in targets if t and t != "-"]


# Destinations that are directories wherever the line runs: a copy into one writes a file of
# the source's name there, it does not replace the directory.
_DIRECTORIES = frozenset({".", "..", "~", "/tmp", "/var/tmp", "/dev/shm", "$HOME", "${HOME}"})


def _copy_destinations(
    command: Command, positional: list[str], directory: str | None, flags: set[str]
) -> list[str]:
    """The files a copy, link or move writes. Into a directory (`-t DIR`, a `DEST/`, several
    sources, or a directory on disk) each source lands as `DIR/NAME`, so `cp notes.txt /tmp`
    writes `/tmp/notes.txt` and `cp evil /etc` writes `/etc/evil`; else DEST itself."""
    if directory is not None:
        destination, sources = directory, positional
    elif len(positional) >= 2:
        destination, sources = positional[-1], positional[:-1]
    else:
        return []
    into = directory is not None or (
        not flags & {"-T", "--no-target-directory"}
        and (
            destination.endswith("/")
            or destination in _DIRECTORIES
            or len(sources) > 1
            or _is_directory(command, destination)
        )
    )
    names = [source.rstrip("/").rpartition("/")[2] for source in sources]
    if not into or not all(names):
        return [destination]
    base = destination.rstrip("/")
    return [f"{base}/{name}" for name in names]


def _is_directory(command: Command, path: str) -> bool:
    """Whether `path` is a directory now (absolute, or relative to a known working directory);
    a word with expansions or a `~` is not looked up."""
    import os

    if "$" in path or path.startswith("~") or "*" in path:
        return False
    if not path.startswith("/"):
        if command.cwd is None or not command.cwd_known:
            return False
        path = os.path.join(command.cwd, path)
    try:
        return os.path.isdir(path)
    except (OSError, ValueError):
        return False


_TAR_WRITE_MODES = frozenset({"--create", "--append", "--update", "--concatenate"})


def _other_writer_target(command: Command) -> str | None:
    """The file written by tools that name their output apart from cp's `SOURCE DEST` shape:
    the archive `tar -c`/`-r`/`-u` writes (`-f FILE`, `czf FILE`), `sort -o FILE`, the
    destination of `ddrescue IN OUT` and `bmaptool copy IMAGE DEST`. None for any other
    command, or when the output is stdout."""
    argv, name = command.argv, command.name
    if name in {"tar", "gtar", "bsdtar"}:
        return _tar_archive_written(argv)
    if name == "sort":
        for index, word in enumerate(argv[1:-1], start=1):
            if word in {"-o", "--output"}:
                return argv[index + 1]
        return next((w.partition("=")[2] for w in argv if w.startswith("--output=")), None)
    positional = [w for w in argv[1:] if not w.startswith("-")]
    if name == "ddrescue" and len(positional) >= 2:
        return positional[1]
    if name == "bmaptool" and positional[:1] == ["copy"] and len(positional) >= 3:
        return positional[-1]
    return None


def _tar_archive_written(argv: tuple[str, ...]) -> str | None:
    """The archive a tar that creates, appends or updates writes; None when it reads one."""
    first = argv[1] if len(argv) > 1 else ""
    # Old style: the first word is a bundle of letters without a dash (`tar czf out.tgz`).
    old_style = bool(first) and not first.startswith("-")
    clusters = [first] if old_style else [w[1:] for w in argv[1:] if w[:1] == "-" != w[1:2]]
    writes = any(w in _TAR_WRITE_MODES for w in argv[1:]) or any(
        letter in cluster for cluster in clusters for letter in "cruA"
    )
    if not writes:
        return None
    for index, word in enumerate(argv[1:], start=1):
        if word.startswith("--file="):
            return word.partition("=")[2]
        following = argv[index + 1] if index + 1 < len(argv) else None
        if word == "--file" or (index == 1 and old_style and word.endswith("f")):
            return following
        if word[:1] == "-" != word[1:2] and "f" in word[1:]:
            rest = word[word.index("f") + 1 :]
            return rest or following
    return None


def _classes(command: Command, context: Context, text: str) -> frozenset[str]:
    return classify_path(
        text,
        context,
        static="$" not in text and "`" not in text,
        cwd=command.cwd,
        cwd_known=command.cwd_known,
    )


_SENSITIVE = frozenset({"root", "home", "home-dotdir", "system"})
# Where administrators install software of their own: overwriting there is routine.
_LOCAL_INSTALL = ("/usr/local/", "/opt/")


def find_delete_targets(command: Command) -> list[str]:
    """What `find … -delete` deletes, as path words: `ROOT/{}/NAME` with a -name test, else
    the roots themselves."""
    if command.name not in {"find", "gfind"} or not _find_deletes(command.argv):
        return []
    from safesh.unwrap.fanout import found_paths

    return [w.text for w in found_paths(list(command.argv), _NO_SIMPLE) or []]


_FIND_VALUE_TESTS = frozenset(
    {
        "-name", "-iname", "-path", "-ipath", "-wholename", "-iwholename", "-regex", "-iregex",
        "-lname", "-ilname", "-type", "-xtype", "-user", "-group", "-perm", "-size", "-newer",
        "-mtime", "-mmin", "-atime", "-amin", "-ctime", "-cmin", "-maxdepth", "-mindepth",
        "-printf", "-fprint", "-fprintf", "-fls", "-fprint0", "-samefile", "-inum", "-links",
        "-uid", "-gid", "-fstype", "-context", "-used", "-regextype",
    }
)  # fmt: skip


def _find_deletes(argv: tuple[str, ...]) -> bool:
    """Whether `-delete` is an action, not the value of a test (`find . -name -delete`)."""
    index = 1
    while index < len(argv):
        if argv[index] == "-delete":
            return True
        index += 2 if argv[index] in _FIND_VALUE_TESTS else 1
    return False


_MACHINE_PLACES = frozenset({"root", "home", "home-dotdir", "system", "device"})
_PROJECT_PLACES = frozenset(
    {"project", "git-dir", "outside-repo", "outside-cwd", "parent-escape", "unknown", "glob-all"}
)


def find_delete_machine(command: Command, context: Context) -> str | None:
    for target in find_delete_targets(command):
        if _classes(command, context, target) & _MACHINE_PLACES:
            return f"-delete under {target}"
    return None


def find_delete_project(command: Command, context: Context) -> str | None:
    for target in find_delete_targets(command):
        if _classes(command, context, target) & _PROJECT_PLACES:
            return f"-delete under {target}"
    return None


def overwrites_sensitive(command: Command, context: Context) -> str | None:
    for target in write_targets(command, appends=False):
        if target.startswith(_LOCAL_INSTALL):
            continue
        if _classes(command, context, target) & _SENSITIVE:
            return target
    return None


def writes_safesh_state(command: Command, context: Context) -> str | None:
    targets = write_targets(command, appends=True)
    if command.name in {"rm", "unlink", "shred", "srm", "chmod", "chown", "touch", "ln"}:
        targets.extend(a for a in command.argv[1:] if not a.startswith("-"))
    for target in targets:
        if "safesh-state" in _classes(command, context, target):
            return target
    return None


def args_unknown(command: Command, context: Context) -> str | None:
    if not command.args_unknown:
        return None
    wrapper = command.via[-1] if command.via else "a wrapper"
    return f"{wrapper} appends arguments to {command.name} that cannot be seen"


_KILL_SIGNAL_OPTIONS = frozenset({"-s", "-n", "--signal"})


def kill_everything(command: Command, context: Context) -> str | None:
    """`kill -9 -1` (every process the user may signal) or `kill 1` (init); not `kill -1 PID`,
    where `-1` is the signal (SIGHUP)."""
    if command.name != "kill":
        return None
    args = list(command.argv[1:])
    if args and args[0] in _KILL_SIGNAL_OPTIONS:
        args = args[2:]
    elif len(args) > 1 and args[0].startswith("-") and args[0] != "--":
        args = args[1:]  # the signal: -9, -KILL, -SIGTERM, -1 (SIGHUP)
    targets = [a for a in args if a != "--"]
    if "-1" in targets:
        return "kill -1 signals every process the user may signal"
    if "1" in targets:
        return "PID 1 is init: signalling it takes the machine or container down"
    return None


def never(command: Command, context: Context) -> str | None:
    return None


def _registry(*checks: Check) -> Mapping[str, Check]:
    return MappingProxyType({check.name: check for check in checks})


CHECKS: Mapping[str, Check] = _registry(
    Check(
        "dynamic-command", "S001", Tier.ASK,
        "The command word is computed at run time, so what runs cannot be known.",
        dynamic_command,
    ),
    Check(
        "fork-bomb", "S002", Tier.BLOCK,
        "A function that calls itself in a pipe or in the background exhausts the machine.",
        fork_bomb,
    ),
    Check(
        "download-to-interpreter", "S003", Tier.ASK,
        "Code downloaded from the network is run without anyone reading it.",
        download_to_interpreter,
    ),
    Check(
        "inline-program", "S004", Tier.ASK,
        "An inline program deletes files or runs other commands that cannot be judged.",
        inline_program,
    ),
    Check(
        "args-unknown", "S005", Tier.ASK,
        "A wrapper (xargs, find -exec, parallel) appends arguments the analysis cannot see.",
        args_unknown,
    ),
    Check(
        "overwrites-sensitive", "S008", Tier.ASK,
        "The command overwrites or moves a file in the root, a home's configuration or a"
        " system directory (copy destination, move, tee, truncate, dd of=, sed -i, > FILE).",
        overwrites_sensitive,
    ),
    Check(
        "find-delete-project", "S010", Tier.ASK,
        "find -delete removes what it finds under a project or unknown place (judged from"
        " its roots and -name test).",
        find_delete_project,
    ),
    Check(
        "find-delete-machine", "S011", Tier.BLOCK,
        "find -delete removes what it finds under the root, a home or a system directory.",
        find_delete_machine,
    ),
    Check(
        "writes-safesh-state", "S009", Tier.ASK,
        "The command writes to safesh's own configuration, approvals or trust records.",
        writes_safesh_state,
    ),
    Check(
        "parse-error", "S006", Tier.ASK,
        "The line cannot be parsed (emitted by the analysis stage).",
        never, line_level=True,
    ),
    Check(
        "kill-everything", "S013", Tier.BLOCK,
        "kill aimed at every process (-1) or at init (PID 1).",
        kill_everything,
    ),
    Check(
        "unseen-code", "S012", Tier.ASK,
        "The line runs code that is downloaded, generated or piped in while it runs (emitted"
        " by the analysis stage).",
        never, line_level=True,
    ),
    Check(
        "internal-error", "S007", Tier.ASK,
        "The analysis failed (emitted by the analysis stage).",
        never, line_level=True,
    ),
)  # fmt: skip
