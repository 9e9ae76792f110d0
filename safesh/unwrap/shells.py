"""Code handed to another shell as a string, a script or standard input: `bash -c STRING`,
`bash SCRIPT`, a shell reading a heredoc or a pipe, `source FILE`, `eval`, `su -c`, and remote
commands (`ssh HOST CMD`, `ansible HOSTS -m shell -a CMD`). The string is parsed and walked as a
command line of its own, one level deeper.

May use: `safesh.model`, `.site`, `.words`, `.feeds`, `.wrappers` (its option tables) and the
standard library.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace

from safesh.model import Feed, Word
from safesh.unwrap.feeds import DOWNLOADERS
from safesh.unwrap.words import resolve_path, split_options
from safesh.unwrap.wrappers import VALUE_OPTIONS

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from safesh.unwrap.site import Site, Walk

MAX_SCRIPT_BYTES = 1 << 20
SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "busybox-sh", "fish"})


def ssh(w: Walk, name: str, words: list[Word], site: Site) -> None:
    feed = site.feed
    _, rest = split_options(words[1:], VALUE_OPTIONS["ssh"])
    if not rest:
        w.emit(words, site)
        return
    host = rest[0].text
    remote = rest[1:]
    if not remote:
        w.emit(words, replace(site, remote_host=host))
        if feed is not None and feed.kind in {"heredoc", "herestring"} and feed.text:
            w.walk_source(feed.text, site.nested(f"ssh {host}", host), "remote script")
        return
    if not all(x.static for x in remote):
        w.emit(remote, site.inner(f"ssh {host}", remote_host=host), dynamic=True)
        return
    # ssh joins the remaining words with spaces and the remote shell parses the result.
    w.walk_source(
        " ".join(x.text for x in remote),
        site.nested(f"ssh {host}", host),
        "remote command",
    )


def su(w: Walk, name: str, words: list[Word], site: Site) -> None:
    for i, word in enumerate(words[1:], start=1):
        if word.text in {"-c", "--command"} and i + 1 < len(words):
            string = words[i + 1]
            if not string.static:
                w.emit(words, site, dynamic=True)
                return
            w.walk_source(string.text, site.nested("su -c"), "su -c string")
            return
        if word.text.startswith("--command="):
            w.walk_source(word.text.partition("=")[2], site.nested("su -c"), "su -c string")
            return
    w.emit(words, site)


def eval_builtin(w: Walk, name: str, words: list[Word], site: Site) -> None:
    args = words[1:]
    if not args:
        return
    if not all(x.static for x in args):
        # `eval "$(pyenv init -)"`: a local tool printing shell setup is the idiom; what it
        # runs is judged as a command of its own. Anything else is code nobody can see.
        printer = _SETUP_PRINTER.match(args[0].raw) if len(args) == 1 else None
        setup = printer is not None and printer.group(1) in _SHELL_SETUP_PRINTERS
        w.emit(words, site, dynamic=not setup)  # fmt: skip
        return
    w.walk_source(" ".join(x.text for x in args), site.nested("eval"), "eval string")


_SETUP_PRINTER = re.compile(r"""^"?\$\(\s*([A-Za-z0-9_.-]+)(\s[^;|&`$()<>]*)?\)"?$""")
# Tools whose documented use is `eval "$(TOOL …)"` to set up the shell.
_SHELL_SETUP_PRINTERS = frozenset(
    {
        "ssh-agent", "gpg-agent", "keychain", "pyenv", "rbenv", "nodenv", "goenv", "jenv",
        "plenv", "phpenv", "direnv", "poetry", "conda", "mamba", "micromamba", "brew",
        "zoxide", "starship", "fnm", "mise", "rtx", "asdf", "opam", "dircolors", "thefuck",
        "luarocks", "pdm", "rye", "uv", "gh", "kubectl", "helm", "register-python-argcomplete",
        "atuin", "mcfly", "fzf", "rustup", "nvm", "pixi", "hatch", "pipenv", "virtualenvwrapper",
    }
)  # fmt: skip


def shell(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`bash -c STRING`, `bash SCRIPT`, `bash` reading a heredoc or a pipe, `bash <(curl …)`."""
    feed, args_unknown = site.feed, site.args_unknown
    i = 1
    command_string: Word | None = None
    reads_stdin = False
    saw_c = False
    while i < len(words):
        text = words[i].text
        if text == "--":
            i += 1
            break
        if text in {"-o", "+o", "-O", "+O", "--rcfile", "--init-file"} and i + 1 < len(words):
            i += 2
            continue
        if (text.startswith("-") and text != "-") or (text.startswith("+") and len(text) > 1):
            letters = text.lstrip("-+")
            if not text.startswith("--") and "c" in letters:
                saw_c = True
                if i + 1 < len(words):
                    command_string = words[i + 1]
                i = len(words)
                break
            if not text.startswith("--") and "s" in letters:
                reads_stdin = True
            i += 1
            continue
        break
    label = f"{name} -c"
    if args_unknown and (
        (saw_c and (command_string is None or command_string.text in {"{}", "{1}"}))
        or (
            not saw_c and (i >= len(words) or words[i].text in {"{}", "{1}"} or not words[i].static)
        )
    ):
        # `xargs bash -c`, `xargs -I{} sh -c {}`, `parallel bash {}`: the program itself
        # comes from input nobody can see here.
        w.emit(words, site, dynamic=True)
        return
    if saw_c and command_string is None:
        w.emit(words, site)
        return
    if command_string is not None:
        if not command_string.static:
            raw = command_string.raw
            if (any(d in raw for d in DOWNLOADERS) and "$(" in raw) or "`" in raw:
                download = Feed("download", source=tuple(raw.split()))
                w.emit(words, replace(site, feed=download))
                return
            w.emit(words, site, dynamic=True)
            return
        w.walk_source(command_string.text, site.nested(label), f"{label} string")
        return
    rest = words[i:]
    if rest and not reads_stdin and rest[0].text != "-":
        script = rest[0]
        if "<(" in script.raw and any(d in script.raw for d in DOWNLOADERS):
            w.emit(
                words,
                replace(site, feed=Feed("process-substitution-download", source=(script.raw,))),
            )
            return
        w.emit(words, site)
        if script.static:
            walk_script_file(w, script.text, site.inner(f"{name} {script.text}"))
        return
    # The shell reads its program from standard input.
    w.emit(words, site)
    if feed is None:
        return
    if feed.kind in {"heredoc", "herestring", "pipe"} and feed.text is not None:
        w.walk_source(feed.text, site.nested(f"{name} <stdin>"), "script on standard input")
    elif feed.kind == "pipe" and feed.source[:1] == ("cat",) and len(feed.source) == 2:
        walk_script_file(w, feed.source[1], site.inner(f"{name} <{feed.source[1]}"))
    elif feed.kind == "pipe":
        # `… | base64 -d | sh`, `generate | bash`: the program is whatever the pipe carries.
        source = " ".join(feed.source)[:80] or "the previous command"
        w.note_unparsed(
            site.frame,
            f"{name} runs what `{source}` writes, which safesh cannot read",
            source,
            kind="unseen",
        )


def source_builtin(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`source FILE` / `. FILE` runs the file in this shell."""
    w.emit(words, site)
    if len(words) < 2:
        return
    target = words[1]
    if "<(" in target.raw and any(d in target.raw for d in DOWNLOADERS):
        w.emit(
            words, replace(site, feed=Feed("process-substitution-download", source=(target.raw,)))
        )
        return
    if target.static:
        walk_script_file(w, target.text, site.inner(f"{name} {target.text}"))


_ANSIBLE_SHELL_MODULES = frozenset(
    {"shell", "command", "raw", "ansible.builtin.shell", "ansible.builtin.command",
     "ansible.builtin.raw"}
)  # fmt: skip
_ANSIBLE_VALUE_OPTIONS = frozenset(
    {"-m", "--module-name", "-a", "--args", "-i", "--inventory", "-u", "--user", "-l",
     "--limit", "-f", "--forks", "-e", "--extra-vars", "-b", "--become-user", "-T",
     "--timeout", "-c", "--connection", "--private-key", "-M", "--module-path", "-t",
     "--tree", "-P", "--poll", "-B", "--background", "--vault-id", "--vault-password-file"}
)  # fmt: skip


def ansible(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`ansible HOSTS -m shell -a 'CMD'`: CMD runs on every host the pattern names (the
    `command` module is the default when only `-a` is given)."""
    w.emit(words, site)
    module, arguments, pattern = "command", None, None
    i = 1
    while i < len(words):
        text = words[i].text
        if text in {"-m", "--module-name"} and i + 1 < len(words):
            module = words[i + 1].text
        elif text in {"-a", "--args"} and i + 1 < len(words):
            arguments = words[i + 1]
        elif text.startswith("--args="):
            arguments = Word(text.partition("=")[2], text, words[i].span)
        if text in _ANSIBLE_VALUE_OPTIONS:
            i += 2
            continue
        if not text.startswith("-") and pattern is None:
            pattern = text
        i += 1
    if arguments is None or module not in _ANSIBLE_SHELL_MODULES:
        return
    host = pattern or "all"
    if not arguments.static:
        w.emit([arguments], site.inner(f"ansible {host}", remote_host=host), dynamic=True)
        return
    w.walk_source(arguments.text, site.nested(f"ansible {host}", host), "ansible command")


def walk_script_file(w: Walk, path: str, site: Site) -> None:
    """A script run by a shell is analysed: as written earlier in the line, or as it is on
    disk when it exists here and is small enough."""
    written = w.written_script(path, site)
    if written is not None:
        w.run_written(path, written, site, site.via[-1].split()[0] if site.via else "shell")
        return
    frame = site.frame
    if frame.remote_host:
        return
    base = frame.cwd or w.context.cwd
    full = resolve_path(path, base, w.context.home)
    try:
        if not os.path.isfile(full) or os.path.getsize(full) > MAX_SCRIPT_BYTES:
            return
        with open(full, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return
    w.walk_source(text, site.nested_frame(), f"script {path}")
