"""Code handed to another shell on this host, as a string, a script or standard input:
`bash -euo pipefail -c STRING`, `bash SCRIPT`, a shell reading a heredoc, a pipe, `< FILE`,
`/dev/stdin` or `<(…)`, `source FILE`, `eval`, `su -c`/`runuser -c`, `script -c`. The code is
parsed and walked as a command line of its own, one level deeper; code nobody can read here
(a download, a pipe from an unknown program) is reported as unseen.

May use: `safesh.model`, `.site`, `.words`, `.feeds`, `.wrappers` and the standard library.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from safesh.lazy_re import later
from safesh.model import Feed, ParseError, Word
from safesh.record import frozen, replace
from safesh.unwrap.feeds import DOWNLOADERS, Pipelines, feed_from
from safesh.unwrap.words import command_name, resolve_path
from safesh.unwrap.wrappers import simple_wrapper

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from safesh.unwrap.site import Site, Walk

MAX_SCRIPT_BYTES = 1 << 20
# Turns a program's input (a crontab) into the shell command lines it runs.
Translate = Callable[[str], str]
SHELLS = frozenset(
    {"sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "busybox-sh", "fish", "yash", "posh",
     "rbash", "ksh93", "pdksh", "oksh", "loksh", "bash5", "hush"}
)  # fmt: skip

# Letters of a shell's option cluster that take the next word as their value, in order:
# `-o pipefail`, `-O extglob` (bash's shopt), `-euo pipefail`, `+o posix`; fish's `-o FILE`.
_VALUE_LETTERS = frozenset("oO")
# Long options that take the next word as their value (or `--opt=value`).
_VALUE_LONG = frozenset(
    {"--rcfile", "--init-file", "--emulate", "--debug", "--debug-output", "--profile",
     "--profile-startup", "--features"}
)  # fmt: skip
# fish's options whose value is code: `fish -C CODE`, `fish --command=CODE`.
_FISH_CODE = frozenset({"-C", "--init-command", "--command"})
# Script operands that are standard input.
_STDIN_PATHS = frozenset({"-", "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"})
_C_CLUSTER = later(r"^-[A-Za-z]*c[A-Za-z]*$")


@frozen
class ShellCall:
    """How a shell was invoked: the code it runs from `-c` (`command`, None when absent),
    more code from fish's `-C`, the script operand, and whether it reads standard input."""

    wants_command: bool
    command: Word | None
    more_code: tuple[Word, ...]
    script: Word | None
    reads_stdin: bool
    opaque: bool  # an option word that is not static: what it says cannot be known


def parse_shell_call(words: list[Word], *, fish: bool = False) -> ShellCall:
    """Read a shell's own options, as bash, dash, ksh, zsh and fish do: clusters of letters
    (`-xeu`), letters that take the next word as a value wherever they sit in a cluster
    (`-euo pipefail`, `-oO pipefail extglob`), `+` clusters, long options, `--` and `-`. With
    `-c` the command string is the first word after the options (`bash -c -e 'cmd'`)."""
    i = 1
    wants_command = reads_stdin = opaque = False
    more_code: list[Word] = []
    command: Word | None = None
    while i < len(words):
        word = words[i]
        text = word.text
        if text in {"--", "-"}:
            i += 1
            break
        if not word.static and (
            word.raw.startswith(("-", "+", '"-', "'-"))
            or any(_C_CLUSTER.match(x.text) for x in words[i + 1 :] if x.static)
        ):
            # `bash $FLAGS -c '…'`: where the options end cannot be told.
            opaque = True
            break
        if text.startswith("--"):
            key, eq, value = text.partition("=")
            takes = key in _VALUE_LONG or key in _FISH_CODE
            if key in _FISH_CODE:
                code = Word(value, value, word.span) if eq else _at(words, i + 1)
                if key == "--command":
                    wants_command, command = True, code
                elif code is not None:
                    more_code.append(code)
            i += 2 if takes and not eq else 1
            continue
        if len(text) > 1 and text[0] in "-+" and not word.text[1:2].isdigit():
            values = 0
            for letter in text[1:]:
                if letter == "c":
                    wants_command = True
                elif letter == "s":
                    reads_stdin = True
                elif letter == "C" and fish:  # fish -C CODE (bash's -C is noclobber)
                    code = _at(words, i + 1 + values)
                    if code is not None:
                        more_code.append(code)
                    values += 1
                elif letter in _VALUE_LETTERS:
                    values += 1
            i += 1 + values
            continue
        break
    rest = words[i:]
    script: Word | None = None
    if wants_command:
        command = command if command is not None else (rest[0] if rest else None)
    elif rest and not reads_stdin:
        script = rest[0]
        if script.static and script.text in _STDIN_PATHS:
            script, reads_stdin = None, True
    elif not rest:
        reads_stdin = True
    return ShellCall(wants_command, command, tuple(more_code), script, reads_stdin, opaque)


def _at(words: list[Word], index: int) -> Word | None:
    return words[index] if index < len(words) else None


# `safesh SUBCOMMAND`: its own tools, judged as the `safesh` command (rules.toml, pack
# `safesh`). Anything else makes safesh the shell (`safesh -c`, `safesh SCRIPT`, `safesh -s`).
# Kept equal to `safesh.cli.subcommands.SUBCOMMANDS` by tests/test_nested_safesh.py (a stage
# may not import the front end).
SAFESH_SUBCOMMANDS = frozenset(
    {"check", "rules", "trust", "approvals", "approve", "deny", "log", "hook", "install-hook",
     "doctor", "shims", "paths", "serve", "mcp", "daemon", "snapshots", "undo"}
)  # fmt: skip


def safesh(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """safesh inside a line is the shell it is: its `-c` string, script or standard input is
    judged here, with the user's rules. The line must not choose its settings (XDG_*,
    SAFESH_*, PATH, PYTHON*): the nested safesh would judge and run with the line's."""
    if len(words) > 1 and words[1].text in SAFESH_SUBCOMMANDS:
        w.emit(words, site)
        return
    names = {key for key, _ in _assignments(site)}
    chosen = sorted(
        {key for key in names if key.startswith(("SAFESH_", "XDG_", "PYTHON"))} | (names & {"PATH"})
    )
    if chosen:
        w.note_unparsed(
            site.frame,
            f"{name} runs with settings this line chooses ({', '.join(chosen)}): its rules, "
            "approvals and shell would not be the user's",
            " ".join(x.text for x in words),
            kind="unseen",
        )
    options = [x for x in words[1:] if x.text != "--dry-run"]
    if len(options) < len(words) - 1:
        w.emit(words, site)  # a dry run runs nothing
        return
    shell(w, name, [words[0], *options], site)


def _assignments(site: Site) -> list[tuple[str, str]]:
    """Variables the command is run with: before it, through `env`, exported earlier."""
    own = [(key, value.text if value.static else "$?") for key, value in site.simple.assignments]
    return [*own, *site.assignments]


def _startup_files(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """Code a shell runs before its command: BASH_ENV / ENV, `--rcfile`, `--init-file`. A file
    written earlier in the line or on disk here is judged as code; one nobody can see asks."""
    files = [value for key, value in _assignments(site) if key in {"BASH_ENV", "ENV"} and value]
    for index, word in enumerate(words[1:], start=1):
        key, eq, value = word.text.partition("=")
        if key in {"--rcfile", "--init-file"}:
            following = Word(value, value, word.span) if eq else _at(words, index + 1)
            if following is not None:
                files.append(following.text if following.static else "$?")
    for path in files:
        seen = "$" not in path and "`" not in path
        if seen:
            seen = walk_script_file(w, path, site.inner(f"{name} start-up file {path}"))
        if not seen:
            w.note_unparsed(
                site.frame,
                f"{name} first runs the start-up file {path}, whose contents safesh cannot see",
                path,
                kind="unseen",
            )


def shell(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`bash -c STRING`, `bash SCRIPT`, `bash` reading a heredoc or a pipe, `bash <(curl …)`."""
    _startup_files(w, name, words, site)
    call = parse_shell_call(words, fish=name == "fish")
    for code in call.more_code:
        run_command_string(w, f"{name} -C", code, words, site)
    if site.args_unknown and _program_from_input(call):
        # `xargs bash -c`, `xargs -I{} sh -c {}`, `parallel bash {}`: the program itself
        # comes from input nobody can see here.
        w.emit(words, site, dynamic=True)
        return
    if call.opaque:
        w.emit(words, site, dynamic=True)
        return
    if call.wants_command:
        if call.command is None:
            w.emit(words, site)
            return
        run_command_string(w, f"{name} -c", call.command, words, site)
        return
    if call.script is not None:
        script = call.script
        substituted = substitution_feed(w, script)
        if substituted is not None:
            # `bash <(curl …)`, `bash <(echo 'cmd')`: the script is what the inner command writes.
            run_stdin_program(w, name, words, replace(site, feed=substituted))
            return
        w.emit(words, site)
        if script.static:
            # `bash reset-db.sh ARGS` runs like `./reset-db.sh ARGS`: the script's name and its
            # arguments are judged as that command's too (a script named for dropping asks).
            at = next(i for i, x in enumerate(words) if x is script)
            w.emit(words[at:], site.inner(f"{name} {script.text}"))
            walk_script_file(w, script.text, site.inner(f"{name} {script.text}"))
        return
    run_stdin_program(w, name, words, site)


def _program_from_input(call: ShellCall) -> bool:
    placeholders = {"{}", "{1}"}
    if call.wants_command:
        return call.command is None or call.command.text in placeholders
    script = call.script
    return script is None or script.text in placeholders or not script.static


def run_command_string(w: Walk, label: str, string: Word, words: list[Word], site: Site) -> None:
    """Walk a command string handed to a shell (`bash -c STRING`, `su -c STRING`)."""
    if not string.static:
        raw = string.raw
        if (any(d in raw for d in DOWNLOADERS) and "$(" in raw) or "`" in raw:
            download = Feed("download", source=tuple(raw.split()))
            w.emit(words, replace(site, feed=download))
            return
        w.emit(words, site, dynamic=True)
        return
    w.walk_source(string.text, site.nested(label), f"{label} string")


def stdin_feed(w: Walk, site: Site) -> Feed | None:
    """What a program that reads its code from standard input reads: the site's feed, or a
    `< FILE` / `< <(…)` redirect (as a `cat FILE` pipe, or the substitution's output)."""
    for redirect in site.simple.redirects:
        if redirect.op != "<" or redirect.fd not in (None, 0) or redirect.target is None:
            continue
        target = redirect.target
        if target.static and target.text in _STDIN_PATHS:
            continue  # `< /dev/stdin`: what feeds the line's own standard input
        substituted = substitution_feed(w, target)
        if substituted is not None:
            return substituted
        if target.static:
            return Feed("pipe", source=("cat", target.text))
        return Feed("pipe", source=(target.raw,))
    return site.feed


def run_stdin_program(
    w: Walk, name: str, words: list[Word], site: Site, translate: Translate | None = None
) -> None:
    """`NAME` runs the program on its standard input (a shell without a script, `at`,
    `crontab -`): judge that program when its text is known, else report it unseen.
    `translate` turns what is read into the command lines it runs."""
    feed = stdin_feed(w, site)
    w.emit(words, replace(site, feed=feed))
    if feed is None:
        return
    if feed.kind in {"heredoc", "herestring", "pipe"} and feed.text is not None:
        text = translate(feed.text) if translate is not None else feed.text
        w.walk_source(text, site.nested(f"{name} <stdin>"), "script on standard input")
    elif feed.kind == "pipe" and feed.source[:1] == ("cat",) and len(feed.source) == 2:
        inner = site.inner(f"{name} <{feed.source[1]}")
        walk_script_file(w, feed.source[1], inner, translate)
    elif feed.kind == "pipe" and _prints_shell_setup(feed.source):
        # `source <(kubectl completion bash)`: a local tool printing its own shell setup.
        return
    elif feed.kind == "pipe":
        # `… | base64 -d | sh`, `generate | bash`: the program is whatever the pipe carries.
        source = " ".join(feed.source)[:80] or "the previous command"
        w.note_unparsed(
            site.frame,
            f"{name} runs what `{source}` writes, which safesh cannot read",
            source,
            kind="unseen",
        )


def substitution_feed(w: Walk, word: Word) -> Feed | None:
    """What a process substitution word `<(CMD)` makes readable: a download when CMD fetches
    from the network, else what CMD writes into a pipe. None when `word` is not one."""
    raw = word.raw
    if not (raw.startswith("<(") and raw.endswith(")")):
        return None
    inner = raw[2:-1]
    if any(re.search(rf"(^|[\s(;|&]){re.escape(d)}\s", inner) for d in DOWNLOADERS):
        return Feed("process-substitution-download", source=(raw,))
    try:
        parsed = w.parse(inner)
    except ParseError:
        return Feed("pipe", source=(inner,))
    top = [c for c in parsed.commands if not c.nesting]
    if len({c.pipeline[0] for c in top}) != 1 or not top[-1].argv:
        return Feed("pipe", source=(inner,))
    return feed_from(top[-1], Pipelines(parsed))


def _prints_shell_setup(source: tuple[str, ...]) -> bool:
    if not source:
        return False
    completion = {"completion", "completions"} & set(source[1:3])
    return command_name(source[0]) in SHELL_SETUP_PRINTERS or bool(completion)


def source_builtin(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`source FILE` / `. FILE` runs the file in this shell."""
    if len(words) < 2:
        w.emit(words, site)
        return
    target = words[1]
    substituted = substitution_feed(w, target)
    if substituted is not None:
        run_stdin_program(w, name, words, replace(site, feed=substituted))
        return
    if target.static and target.text in _STDIN_PATHS:
        run_stdin_program(w, name, words, site)
        return
    w.emit(words, site)
    if target.static:
        walk_script_file(w, target.text, site.inner(f"{name} {target.text}"))


def eval_builtin(w: Walk, name: str, words: list[Word], site: Site) -> None:
    args = words[1:]
    if not args:
        return
    if not all(x.static for x in args):
        # `eval "$(pyenv init -)"`: a local tool printing shell setup is the idiom; what it
        # runs is judged as a command of its own. Anything else is code nobody can see.
        printer = _SETUP_PRINTER.match(args[0].raw) if len(args) == 1 else None
        setup = printer is not None and printer.group(1) in SHELL_SETUP_PRINTERS
        w.emit(words, site, dynamic=not setup)  # fmt: skip
        return
    w.walk_source(" ".join(x.text for x in args), site.nested("eval"), "eval string")


_SETUP_PRINTER = later(r"""^"?\$\(\s*([A-Za-z0-9_.-]+)(\s[^;|&`$()<>]*)?\)"?$""")
# Tools whose documented use is `eval "$(TOOL …)"` to set up the shell.
SHELL_SETUP_PRINTERS = frozenset(
    {
        "ssh-agent", "gpg-agent", "keychain", "pyenv", "rbenv", "nodenv", "goenv", "jenv",
        "plenv", "phpenv", "direnv", "poetry", "conda", "mamba", "micromamba", "brew",
        "zoxide", "starship", "fnm", "mise", "rtx", "asdf", "opam", "dircolors", "thefuck",
        "luarocks", "pdm", "rye", "uv", "gh", "kubectl", "helm", "register-python-argcomplete",
        "atuin", "mcfly", "fzf", "rustup", "nvm", "pixi", "hatch", "pipenv", "virtualenvwrapper",
    }
)  # fmt: skip


def su(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`su [-] [USER] -c STRING`, `runuser -l USER -c STRING`: the string runs in USER's
    shell. (`runuser -u USER CMD…` is a plain wrapper.)"""
    for i, word in enumerate(words[1:], start=1):
        if word.text in {"-c", "--command"} and i + 1 < len(words):
            run_command_string(w, f"{name} -c", words[i + 1], words, site)
            return
        if word.text.startswith("--command="):
            value = word.text.partition("=")[2]
            string = replace(word, text=value)
            run_command_string(w, f"{name} -c", string, words, site)
            return
        if name == "runuser" and word.text in {"-u", "--user"}:
            simple_wrapper(w, name, words, site)
            return
        letter, clustered = _cluster_value(word, words[i + 1 : i + 2])
        if letter == "c" and clustered is not None:  # `su -lc STRING`, `su -cSTRING` (getopt)
            run_command_string(w, f"{name} -c", clustered, words, site)
            return
        if letter == "u" and name == "runuser":  # `runuser -lu USER CMD…`
            simple_wrapper(w, name, words, site)
            return
    w.emit(words, site)


# su's and runuser's short options that take a value; in a cluster the first of them takes
# the rest of the cluster, or the next word.
_SU_VALUE_LETTERS = frozenset("csgGwu")


def _cluster_value(word: Word, following: list[Word]) -> tuple[str, Word | None]:
    """The first value-taking letter of a short-option cluster (`-lc STRING`, `-cSTRING`,
    `-lu USER`) and its value, as getopt reads them; ("", None) for a word that is no
    cluster or holds no such letter."""
    text = word.text
    if not text.startswith("-") or text.startswith("--") or len(text) < 3:
        return "", None
    for index in range(1, len(text)):
        letter = text[index]
        if letter not in _SU_VALUE_LETTERS:
            continue
        if index < len(text) - 1:
            return letter, replace(word, text=text[index + 1 :])
        return letter, following[0] if following else None
    return "", None


def script_command(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`script [-q] [-c CMD] [FILE]` (util-linux) runs CMD under a recorded terminal; BSD and
    macOS `script [-q] FILE CMD…` run the words after the file."""
    for i, word in enumerate(words[1:], start=1):
        text = word.text
        if text in {"-c", "--command"} and i + 1 < len(words):
            run_command_string(w, "script -c", words[i + 1], words, site)
            return
        if text.startswith("--command="):
            run_command_string(w, "script -c", replace(word, text=text[10:]), words, site)
            return
        short_c = len(text) > 2 and text[0] == "-" and text[1] != "-" and text.endswith("c")
        if short_c and i + 1 < len(words):  # `-qc CMD`
            run_command_string(w, "script -c", words[i + 1], words, site)
            return
    positional = [x for x in words[1:] if not x.text.startswith("-")]
    if len(positional) >= 2 and not any(x.text in {"-c", "--command"} for x in words):
        w.emit(words, site)
        w.peel(positional[1:], site.inner(name))
        return
    w.emit(words, site)


def walk_script_file(w: Walk, path: str, site: Site, translate: Translate | None = None) -> bool:
    """A script run by a shell is analysed: as written earlier in the line, or as it is on
    disk when it exists here and is small enough. `translate` turns a file that is not a
    shell script (a crontab) into the command lines it runs. False when nothing was read."""
    written = w.written_script(path, site)
    if written is not None:
        runner = site.via[-1].split()[0] if site.via else "shell"
        if translate is not None and written.text is not None:
            written = replace(written, text=translate(written.text))
        w.run_written(path, written, site, runner)
        return True
    text = read_local_file(w, path, site)
    if text is None:
        return False
    source = translate(text) if translate is not None else text
    w.walk_source(source, site.nested_frame(), f"script {path}")
    return True


def read_local_file(w: Walk, path: str, site: Site) -> str | None:
    """The text of `path` on this host, when it exists and is small enough to read."""
    frame = site.frame
    if frame.remote_host:
        return None
    base = frame.cwd or w.context.cwd
    full = resolve_path(path, base, w.context.home)
    try:
        if not os.path.isfile(full) or os.path.getsize(full) > MAX_SCRIPT_BYTES:
            return None
        with open(full, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return None
