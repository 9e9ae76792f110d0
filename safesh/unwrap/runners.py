"""Tools whose purpose is to run a command line they are given, as a string or after `--`:
terminal multiplexers (`tmux new 'CMD'`, `tmux send-keys 'CMD' Enter`), environment shells
(`nix-shell --run`, `nix develop -c`, `conda run`, `npm exec --`), identity switchers (`sg GROUP
-c`, `capsh -- -c`), and runners (`entr`, `hyperfine`). The command is judged as a command line
of its own. Build tools that run the project's own program (`cargo run -- ARGS`, `go run PKG
ARGS`, `dotnet run -- ARGS`) hand ARGS to that program, judged as its command line. Tcl
programs (`expect -c`, `tclsh`) run what their `spawn`/`exec`/`system`/`send` say; GNU screen
runs its window's program and what `-X stuff` types. Options whose value is a command the
tool runs (`tar --to-command`, `vim -c '!CMD'`, `gdb -ex 'shell CMD'`, `rsync -e`) are judged
like a `-c` string, and so is the command fleet runners (`pssh`, `pdsh`, `clush`, `salt …
cmd.run`, `fab -- CMD`) run on many hosts. `HANDLERS` maps the names to the walk.

May use: `safesh.model`, `safesh.record`, `.site`, `.shells`, `.tcl`, `.startup`, `.foreign`,
`.wrappers` and the standard library.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from safesh.lazy_re import later
from safesh.model import Word
from safesh.record import replace
from safesh.unwrap import foreign, startup
from safesh.unwrap.shells import run_command_string, run_stdin_program, walk_script_file
from safesh.unwrap.tcl import shell_lines
from safesh.unwrap.wrappers import RM_CLONES, emit_script, rm_clone, scan_unknown_wrapper

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from safesh.unwrap.site import Site, Walk


def _joined(words: list[Word]) -> Word:
    """Words a tool joins with spaces and hands to `sh -c`."""
    text = " ".join(w.text for w in words)
    raw = " ".join(w.raw for w in words)
    return Word(text, raw, words[0].span, static=all(w.static for w in words))


def _operands(words: list[Word], values: frozenset[str]) -> tuple[dict[str, Word], list[Word]]:
    """A tool's options (with the value each took) and its other words, up to a `--`."""
    options: dict[str, Word] = {}
    operands: list[Word] = []
    i = 0
    while i < len(words):
        text = words[i].text
        if text == "--":
            operands += words[i + 1 :]
            break
        if text.startswith("-") and len(text) > 1:
            key, eq, value = text.partition("=")
            if eq:
                options[key] = Word(value, value, words[i].span, words[i].static)
            elif text in values and i + 1 < len(words):
                options[text] = words[i + 1]
                i += 2
                continue
            else:
                options[text] = words[i]
            i += 1
            continue
        operands.append(words[i])
        i += 1
    return options, operands


_TMUX_RUNS = frozenset(
    {"new", "new-session", "new-window", "neww", "split-window", "splitw", "respawn-pane",
     "respawnp", "respawn-window", "respawnw", "run-shell", "run", "display-popup", "popup"}
)  # fmt: skip
_TMUX_VALUES = frozenset(
    {"-s", "-n", "-c", "-t", "-x", "-y", "-e", "-F", "-f", "-l", "-L", "-S", "-N", "-d", "-w",
     "-h", "-T", "-b", "-B", "-M"}
)  # fmt: skip
_TMUX_FLAGS = frozenset({"-d", "-A", "-D", "-E", "-P", "-X", "-v", "-h", "-b", "-f", "-I", "-Z"})
_KEY_NEWLINES = frozenset({"Enter", "C-m", "KPEnter", "C-j"})


def tmux(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`tmux new -d 'CMD'` runs CMD with the shell; `tmux send-keys 'CMD' Enter` types it into
    a shell."""
    w.emit(words, site)
    texts = [x.text for x in words]
    verb_at = next((i for i, t in enumerate(texts[1:], 1) if not t.startswith("-")), None)
    if verb_at is None:
        return
    verb = texts[verb_at]
    rest = words[verb_at + 1 :]
    values = _TMUX_VALUES - _TMUX_FLAGS
    _, operands = _operands(rest, values)
    if verb in _TMUX_RUNS and operands:
        run_command_string(w, f"tmux {verb}", _joined(operands), words, site)
    elif verb in {"send-keys", "send"} and operands:
        keys = [x for x in operands if x.text not in _KEY_NEWLINES]
        if keys:
            typed = _joined(keys)
            lines = Word(typed.text, typed.raw, typed.span, typed.static)
            run_command_string(w, "tmux send-keys", lines, words, site)


def nix(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`nix-shell --run CMD` / `--command CMD`; `nix develop|shell … -c CMD…` /
    `--command CMD…`."""
    w.emit(words, site)
    texts = [x.text for x in words]
    if name == "nix-shell":
        for i, text in enumerate(texts[1:-1], 1):
            if text in {"--run", "--command"}:
                run_command_string(w, f"nix-shell {text}", words[i + 1], words, site)
                return
        return
    if len(texts) < 2 or texts[1] not in {"develop", "shell", "run"}:
        return
    for i, text in enumerate(texts[2:], 2):
        if text in {"-c", "--command"} and i + 1 < len(words):
            w.peel(words[i + 1 :], site.inner(f"nix {texts[1]}", feed=None))
            return
    if texts[1] == "run" and "--" in texts[2:]:
        # `nix run nixpkgs#awscli2 -- s3 rb s3://b`: the package's program (named like the
        # package, here `awscli2`) runs with the words after `--`; judged under that name.
        dashes = texts.index("--", 2)
        installables = [x for x in words[2:dashes] if not x.text.startswith("-")]
        if installables and installables[0].static:
            program = installables[0].text.rpartition("#")[2].rpartition(".")[2] or "nix-run"
            named = replace(installables[0], text=program, raw=program)
            w.peel([named, *words[dashes + 1 :]], site.inner("nix run", feed=None))


_CONDA_VALUES = frozenset({"-n", "--name", "-p", "--prefix", "--cwd", "--env"})


def conda_run(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`conda run [-n ENV] CMD…` (also mamba, micromamba, pixi run)."""
    w.emit(words, site)
    if len(words) < 2 or words[1].text not in {"run", "exec"}:
        return
    i = 2
    while i < len(words) and words[i].text.startswith("-"):
        if words[i].text == "--":
            i += 1
            break
        i += 2 if words[i].text in _CONDA_VALUES else 1
    if i < len(words):
        w.peel(words[i:], site.inner(f"{name} {words[1].text}", feed=None))


def npm_exec(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`npm exec -- CMD…`, `npm exec -c 'CMD'`, `pnpm exec CMD…`, `yarn exec CMD…`,
    `bun x CMD`: the command after the runner is what runs."""
    w.emit(words, site)
    texts = [x.text for x in words]
    if len(texts) < 2 or texts[1] not in {"exec", "x", "dlx"}:
        return
    options, operands = _operands(words[2:], frozenset({"-c", "--call", "-p", "--package"}))
    call = options.get("-c") or options.get("--call")
    if call is not None:
        run_command_string(w, f"{name} exec -c", call, words, site)
    elif operands:
        w.peel(operands, site.inner(f"{name} {texts[1]}", feed=None))


def sg(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`sg GROUP [-c] CMD`: CMD is a string the shell runs as GROUP."""
    w.emit(words, site)
    operands = [x for x in words[1:] if x.text not in {"-", "-c"}]
    if len(operands) >= 2:
        run_command_string(w, "sg", _joined(operands[1:]), words, site)


def capsh(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`capsh [OPTIONS] -- ARGS…`: capsh runs bash with ARGS (`-- -c 'CMD'`)."""
    w.emit(words, site)
    texts = [x.text for x in words]
    if "--" in texts:
        after = words[texts.index("--") + 1 :]
        bash = Word("bash", "bash", words[0].span)
        w.peel([bash, *after], site.inner("capsh --", feed=None))


def entr(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`entr [-s] CMD…` runs CMD (with `-s`, the string with the shell) on each change."""
    w.emit(words, site)
    i = 1
    shell = False
    while i < len(words) and words[i].text.startswith("-"):
        shell = shell or "s" in words[i].text
        i += 1
    rest = words[i:]
    if not rest:
        return
    if shell:
        run_command_string(w, "entr -s", _joined(rest), words, site)
    else:
        w.peel(rest, site.inner("entr", feed=None))


_HYPERFINE_VALUES = frozenset(
    {"-w", "--warmup", "-m", "--min-runs", "-M", "--max-runs", "-r", "--runs", "-S", "--shell",
     "-u", "--time-unit", "-n", "--command-name", "--style", "--sort", "--export-asciidoc",
     "--export-csv", "--export-json", "--export-markdown", "--export-orgmode", "--output",
     "--input", "-p", "--prepare", "-c", "--cleanup", "-s", "--setup", "--conclude"}
)  # fmt: skip
# hyperfine options whose value is itself a command it runs.
_HYPERFINE_COMMANDS = frozenset(
    {"-p", "--prepare", "-c", "--cleanup", "-s", "--setup", "--conclude"}
)  # fmt: skip


def hyperfine(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`hyperfine [OPTIONS] CMD…`: every CMD (and the prepare/cleanup/setup commands) runs
    with the shell, many times."""
    w.emit(words, site)
    i = 1
    while i < len(words):
        text = words[i].text
        if text in _HYPERFINE_VALUES and i + 1 < len(words):
            if text in _HYPERFINE_COMMANDS:
                run_command_string(w, f"hyperfine {text}", words[i + 1], words, site)
            i += 2
            continue
        if text in {"-L", "--parameter-list"}:
            i += 3
            continue
        if text in {"-P", "--parameter-scan"}:
            i += 4
            continue
        if not text.startswith("-"):
            run_command_string(w, "hyperfine", words[i], words, site)
        i += 1


# -- build tools that run the project's own program ------------------------------------------

_CARGO_VALUES = frozenset(
    {"--bin", "--example", "-p", "--package", "--features", "-F", "--target", "--profile",
     "-j", "--jobs", "--manifest-path", "--target-dir", "--color", "--config", "-Z",
     "--message-format", "--lockfile-path"}
)  # fmt: skip
_GO_VALUES = frozenset(
    {"-tags", "-ldflags", "-gcflags", "-asmflags", "-mod", "-modfile", "-exec", "-p", "-o",
     "-C", "-pkgdir", "-overlay", "-toolexec", "-installsuffix", "-buildmode", "-compiler",
     "-gccgoflags", "-pgo", "-covermode", "-coverpkg"}
)  # fmt: skip
_DOTNET_VALUES = frozenset(
    {"-c", "--configuration", "-f", "--framework", "-p", "--project", "-r", "--runtime",
     "-a", "--arch", "--os", "--launch-profile", "-lp", "-v", "--verbosity", "-e",
     "--environment"}
)  # fmt: skip
_PROGRAM = "project-program"  # the name a built program without a known name is judged by


def _program_word(name: str, like: Word) -> Word:
    """The built program as a command word: its binary's or package's last path part (a
    file's suffix dropped), else a neutral name. Never `.` or a shell's name: the word is
    judged by the rules, not run through a handler."""
    base = name.rstrip("/").rpartition("/")[2].removesuffix(".go").removesuffix(".csproj")
    if not base or base in {".", ".."} or not base.replace("-", "").replace("_", "").isalnum():
        base = _PROGRAM
    return Word(base, base, like.span)


def project_program(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`cargo run [--bin B] -- ARGS`, `go run ./cmd/admin ARGS`, `dotnet run -- ARGS`: the
    project's program runs with ARGS, so ARGS are judged as that program's command line
    (`cargo run -- delete-all` spells a destroying subcommand like any CLI would)."""
    w.emit(words, site)
    texts = [x.text for x in words]
    if len(texts) < 2 or texts[1] not in {"run", "r"} or (name == "go" and texts[1] != "run"):
        return
    rest = words[2:]
    if name == "go":
        program, args = _go_program(rest)
    else:
        values = _CARGO_VALUES if name == "cargo" else _DOTNET_VALUES
        options, operands = _operands(rest, values)
        if "--" not in [x.text for x in rest]:
            return
        chosen = options.get("--bin") or options.get("--example") or options.get("--project")
        chosen = chosen or options.get("-p") or options.get("--package")
        program = chosen.text if chosen is not None and chosen.static else _PROGRAM
        args = operands
    if not args:
        return
    head = _program_word(program, words[0])
    w.emit([head, *args], site.inner(f"{name} run"))


def _go_program(words: list[Word]) -> tuple[str, list[Word]]:
    """`go run [build flags] PKG|FILE.go… [ARGS]`: the package or files, then the program's
    arguments."""
    i = 0
    while i < len(words) and words[i].text.startswith("-"):
        key = words[i].text.partition("=")[0]
        i += 2 if key in _GO_VALUES and "=" not in words[i].text else 1
    if i >= len(words):
        return _PROGRAM, []
    if words[i].text.endswith(".go"):
        first = words[i].text
        while i < len(words) and words[i].text.endswith(".go"):
            i += 1
        return first, words[i:]
    return words[i].text.removesuffix("/..."), words[i + 1 :]


# -- Tcl (expect, tclsh, wish) and GNU screen --------------------------------------------------

# expect's options that take a value (`-c` is handled as code, `-f`/`-b` as the script).
_EXPECT_VALUES = frozenset({"-D"})


def tcl(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`expect -c CODE`, `expect [-f] SCRIPT`, `tclsh SCRIPT`, `wish`, or a script on standard
    input (`expect <<'EOF'`, `tclsh <<< CODE`): what its `spawn`, `exec`, `system` and `send`
    run is judged as shell command lines (`tcl.shell_lines`)."""
    codes: list[Word] = []
    script: Word | None = None
    i = 1
    while i < len(words):
        text = words[i].text
        if text == "-c" and i + 1 < len(words):
            codes.append(words[i + 1])
            i += 2
            continue
        if text in {"-f", "-b"} and i + 1 < len(words):
            script = words[i + 1]
            break
        if text == "--":
            i += 1
            break
        if text.startswith("-") and len(text) > 1:
            i += 2 if text in _EXPECT_VALUES else 1
            continue
        break
    if script is None and i < len(words) and not codes:
        script = words[i]
    for code in codes:
        if not code.static:
            w.emit(words, site, dynamic=True)
            return
    if script is not None and script.static and script.text in {"-", "/dev/stdin"}:
        run_stdin_program(w, name, words, site, shell_lines)
        return
    if script is None and not codes:
        run_stdin_program(w, name, words, site, shell_lines)
        return
    w.emit(words, site)
    for code in codes:
        lines = shell_lines(code.text)
        if lines:
            w.walk_source(lines, site.nested(f"{name} -c"), f"{name} -c script")
    if script is not None and script.static:
        walk_script_file(w, script.text, site.inner(f"{name} {script.text}"), shell_lines)


# screen's options that take the next word (also at the end of a cluster: `-dmS NAME`).
_SCREEN_VALUE_LETTERS = frozenset("SpcehstTrRx")  # -r/-R/-x NAME: a session to attach
_SCREEN_NEWLINES = ("\\n", "\\r", "^M", "^J", "\\012", "\\015")


def screen(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`screen [-dmS NAME] CMD…` runs CMD in a new window; `screen -X stuff TEXT` types TEXT
    into the session's shell (a newline in it runs the line); `screen -X exec CMD…` and
    `-X screen CMD…` run CMD."""
    w.emit(words, site)
    i = 1
    while i < len(words):
        text = words[i].text
        if text == "-X":
            _screen_command(w, words, words[i + 1 :], site)
            return
        if text in {"-Logfile", "-list", "-ls", "-wipe"}:
            i += 2 if text == "-Logfile" else 1
            continue
        if text.startswith("-") and len(text) > 1:
            i += 2 if text[-1] in _SCREEN_VALUE_LETTERS else 1
            continue
        w.peel(words[i:], site.inner("screen", feed=None))
        return


def _screen_command(w: Walk, words: list[Word], command: list[Word], site: Site) -> None:
    if not command:
        return
    verb, rest = command[0].text, command[1:]
    if verb == "stuff" and rest:
        typed = rest[0]
        text = typed.text
        for newline in _SCREEN_NEWLINES:
            text = text.replace(newline, "\n")
        run_command_string(w, "screen stuff", Word(text, typed.raw, typed.span, typed.static),
                           words, site)  # fmt: skip
    elif verb in {"exec", "screen"} and rest:
        program = rest
        if verb == "exec" and set(rest[0].text) <= set(".!|:"):
            program = rest[1:]  # `exec !.. CMD`: which windows the program's I/O goes to
        if program:
            w.peel(program, site.inner(f"screen -X {verb}", feed=None))


# -- options whose value is a command the tool runs --------------------------------------------

# For each tool, the options whose value it runs as a command, and how the value spells it:
# `sh` the whole value is a shell command line; `bang` an editor command whose `!CMD` (or
# `system("CMD")`) runs CMD; `gdb` a debugger command whose `shell CMD` / `!CMD` runs CMD;
# `exec=` a tar checkpoint action `exec=CMD`; `lisp` an Emacs form whose `(shell-command "CMD")`
# runs CMD; `admin` a line for an administration shell (`kadmin -q 'delprinc bob'`, `smbclient -c
# 'deltree x'`), walked as a command line so its verb is read like a command's
# (cli.destroy-command / cli.destroy-verb). `+CMD` is the editors' short form of `-c CMD`;
# `less` a pager's start-up commands (`less '+!CMD'`), whose `!CMD` runs CMD.
COMMAND_OPTIONS: dict[str, dict[str, str]] = {
    "tar": {"--to-command": "sh", "--checkpoint-action": "exec=", "--use-compress-program": "sh",
            "-I": "sh", "--info-script": "sh", "--new-volume-script": "sh", "-F": "sh",
            "--rsh-command": "sh"},
    "gtar": {"--to-command": "sh", "--checkpoint-action": "exec=", "--use-compress-program": "sh",
             "-I": "sh"},
    "zip": {"-TT": "sh", "--unzip-command": "sh"},
    "rsync": {"-e": "sh", "--rsh": "sh", "--rsync-path": "sh"},  # --rsync-path runs remotely
    "nodemon": {"--exec": "sh", "-x": "sh"},
    "vim": {"-c": "bang", "--cmd": "bang", "+": "bang"},
    "nvim": {"-c": "bang", "--cmd": "bang", "+": "bang"},
    "vi": {"-c": "bang", "--cmd": "bang", "+": "bang"},
    "view": {"-c": "bang", "+": "bang"},
    "ex": {"-c": "bang", "+": "bang"},
    "gvim": {"-c": "bang", "--cmd": "bang", "+": "bang"},
    "gdb": {"-ex": "gdb", "--ex": "gdb", "-iex": "gdb", "-eval-command": "gdb",
            "--eval-command": "gdb", "-init-eval-command": "gdb"},
    "lldb": {"-o": "gdb", "--one-line": "gdb", "-O": "gdb", "-k": "gdb"},
    "emacs": {"--eval": "lisp", "-eval": "lisp"},
    "man": {"-P": "sh", "--pager": "sh", "-H": "sh", "--html": "sh"},
    "less": {"+": "less"},
    "osascript": {"-e": "applescript"},
    "kadmin": {"-q": "admin", "--query": "admin"},
    "kadmin.local": {"-q": "admin", "--query": "admin"},
    "kadmin.heimdal": {"-q": "admin"},
    "smbclient": {"-c": "admin", "--command": "admin"},
    "lftp": {"-c": "admin", "-e": "admin"},
}  # fmt: skip
# Tools each of whose positional words is a shell command line they run.
COMMAND_OPERANDS = frozenset({"concurrently", "watchexec"})
_VIM_SYSTEM = later(r"""\bsystem\(\s*(["'])(.*?)\1""")
_LISP_DELETE = later(r"""\((delete-directory|delete-file)\s+"((?:[^"\\]|\\.)*)"(\s+(?:t|'t)\b)?""")
_APPLESCRIPT_SHELL = later(r"""do\s+shell\s+script\s+"((?:[^"\\]|\\.)*)\"""")
_LISP_SHELL = later(
    r"""\((?:async-)?shell-command(?:-to-string)?\s+"((?:[^"\\]|\\.)*)\"""", re.S
)  # fmt: skip


def _spelled(style: str, value: str) -> str | None:
    """The shell command line a tool's option value runs, or None when it runs none."""
    text = value.strip()
    if style in {"sh", "admin"}:
        return text
    if style == "exec=":
        return text[5:] if text.startswith("exec=") else None
    if style == "less":  # `less '+!CMD'`, `'++!CMD'` (each file): `!` runs CMD in a shell
        style, text = "bang", text.lstrip("+")
    if style == "bang":
        text = text.lstrip(":").strip()
        for prefix in ("silent!", "silent", "exe", "execute"):
            text = text.removeprefix(prefix).strip()
        if text.startswith("!"):
            return text[1:]
        found = _VIM_SYSTEM.search(text)
        return found.group(2) if found else None
    if style == "gdb":
        if text.startswith("!"):
            return text[1:]
        return text[6:] if text.startswith("shell ") else None
    if style == "applescript":
        found = _APPLESCRIPT_SHELL.search(text)
        return found.group(1).replace('\\"', '"') if found else None
    found = _LISP_SHELL.search(text)
    if found is not None:
        return found.group(1).replace('\\"', '"')
    # Emacs deleting files itself: judged as the rm that does the same
    deleted = _LISP_DELETE.search(text)
    if deleted is None:
        return None
    recursive = " -r" if deleted.group(1) == "delete-directory" and deleted.group(3) else ""
    path = deleted.group(2)
    # Emacs expands `~` itself: a plain path stays unquoted so that the shell reads it so too
    if re.fullmatch(r"[\w~./+@%:-]+", path):
        word = path
    else:
        import shlex  # only for an Emacs form that deletes an odd name

        word = shlex.quote(path)
    return f"rm -f{recursive} -- {word}"


def command_options(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`tar --to-command=CMD`, `vim -c '!CMD'`, `gdb -ex 'shell CMD'`, `rsync -e CMD`,
    `nodemon --exec CMD`, `concurrently 'CMD' 'CMD'`: the command in an option's value (or, for
    some tools, each operand) is judged as a command line of its own."""
    w.emit(words, site)
    table = COMMAND_OPTIONS.get(name, {})
    i = 1
    while i < len(words):
        word = words[i]
        text = word.text
        key, eq, value = text.partition("=")
        style = table.get(key) if text.startswith("-") else None
        if style is not None and (eq or i + 1 < len(words)):
            found = Word(value, value, word.span, word.static) if eq else words[i + 1]
            _run_spelled(w, f"{name} {key}", style, found, words, site)
            i += 1 if eq else 2
            continue
        if name in COMMAND_OPERANDS and text == "--":
            if i + 1 < len(words):
                w.peel(words[i + 1 :], site.inner(name, feed=None))
            return
        if "+" in table and text.startswith("+") and len(text) > 1:
            _run_spelled(w, f"{name} +", table["+"], replace(word, text=text[1:]), words, site)
        elif name in COMMAND_OPERANDS and not text.startswith("-"):
            _run_spelled(w, name, "sh", word, words, site)
        i += 1
    scan_unknown_wrapper(w, name, words, site)


def _run_spelled(
    w: Walk, label: str, style: str, value: Word, words: list[Word], site: Site
) -> None:
    if not value.static:
        return  # a computed value: the tool's own finding (if any) stands
    command = _spelled(style, value.text)
    if command:
        w.walk_source(command, site.nested(label), f"{label} command")


# -- fleet runners: one command line on many hosts ----------------------------------------------

# The options of each tool that take a value; the words after them are the command line, which
# runs on every host the tool is given.
FLEET_VALUES: dict[str, frozenset[str]] = {
    "pssh": frozenset({"-h", "-H", "-l", "-p", "-o", "-e", "-t", "-O", "-x", "-X", "--hosts",
                       "--host", "--user", "--par", "--outdir", "--errdir", "--timeout",
                       "--option", "--extra-args", "--extra-arg"}),
    "pdsh": frozenset({"-w", "-x", "-g", "-X", "-l", "-t", "-u", "-f", "-R", "-N"}),
    "clush": frozenset({"-w", "-x", "-g", "-X", "-l", "-t", "-u", "-f", "-R", "-o", "-O",
                        "--nodes", "--exclude", "--group", "--user", "--fanout", "--options",
                        "--option", "--rcopy", "--copy", "--dest"}),
}  # fmt: skip
FLEET_VALUES["parallel-ssh"] = FLEET_VALUES["pssh"]
# salt's execution functions whose argument is a shell command line.
_SALT_SHELL = frozenset(
    {"cmd.run", "cmd.shell", "cmd.run_all", "cmd.run_stdout", "cmd.run_stderr", "cmd.exec_code",
     "cmd.run_bg", "cmd.powershell"}
)  # fmt: skip


def fleet(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`pssh -h hosts CMD`, `pdsh -w web[1-9] CMD`, `clush -a CMD`: CMD runs on each host;
    `salt TARGET cmd.run CMD`: the same through salt's minions; `fab -H a,b -- CMD`: Fabric
    runs the words after `--` on each host (the words before are task names)."""
    w.emit(words, site)
    if name == "fab":
        texts = [x.text for x in words]
        if "--" not in texts[1:]:
            return
        command = words[texts.index("--", 1) + 1 :]
    elif name in {"salt", "salt-ssh"}:
        positional = [x for x in words[1:] if not x.text.startswith("-")]
        at = next((i for i, x in enumerate(positional[:-1]) if x.text in _SALT_SHELL), None)
        if at is None:
            return
        command = [positional[at + 1]]
    else:
        _, command = _operands(words[1:], FLEET_VALUES[name])
    if not command:
        return
    run_command_string(w, f"{name} hosts", _joined(command), words, site)


# -- interpreters running a script file ------------------------------------------------------

# Each interpreter's options that take the next word, and those after which the program is
# inline code (no script operand follows).
_SCRIPT_VALUES: dict[str, frozenset[str]] = {
    "node": frozenset({"-r", "--require", "--import", "--loader", "--experimental-loader",
                       "--env-file", "--conditions", "-C", "--title", "--inspect-port"}),
    "ruby": frozenset({"-r", "-I", "-C", "-E", "--encoding"}),
    "perl": frozenset({"-I", "-M", "-m", "-x"}),
    "php": frozenset({"-c", "-d", "-z", "-t"}),
    "tsx": frozenset({"--tsconfig", "--env-file", "--import", "--require"}),
    "ts-node": frozenset({"-r", "--require", "-P", "--project", "-C", "--compiler", "-O",
                          "--compilerOptions"}),
}  # fmt: skip
_SCRIPT_VALUES["nodejs"] = _SCRIPT_VALUES["node"]
_INLINE_CODE = frozenset({"-e", "--eval", "-p", "--print", "-E", "-r", "-R", "-B", "-n", "-"})


def script_runner(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`node scripts/delete-stale-users.js`, `ruby script/nuke_cache.rb`, `perl purge.pl`: the
    script is judged as a command of its own too, by its name and arguments."""
    w.emit(words, site)
    values = _SCRIPT_VALUES[name]
    index = 1
    while index < len(words):
        text = words[index].text
        if text in values:
            index += 2
            continue
        if text in _INLINE_CODE:
            return  # inline code: the rules read it (safesh/rules/inline.py)
        if text.startswith("-"):
            index += 1
            continue
        emit_script(w, name, words, index, site)
        return


# The handlers this module adds to the walk's table (safesh.unwrap.handlers).
HANDLERS: dict[str, Callable[[Walk, str, list[Word], Site], None]] = {
    **dict.fromkeys(["cargo", "go", "dotnet"], project_program),
    **dict.fromkeys(["expect", "tclsh", "wish", "expectk", "jimsh"], tcl),
    "screen": screen,
    **startup.HANDLERS,
    **dict.fromkeys([*COMMAND_OPTIONS, *COMMAND_OPERANDS], command_options),
    **dict.fromkeys([*FLEET_VALUES, "salt", "salt-ssh", "fab"], fleet),
    **dict.fromkeys(RM_CLONES, rm_clone),
    **dict.fromkeys(_SCRIPT_VALUES, script_runner),
    **dict.fromkeys([*foreign.CODE_OPTIONS, "cmd"], foreign.other_shell),
}
