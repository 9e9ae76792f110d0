"""Text written into a shell's start-up file (`~/.bashrc`, `~/.profile`, `~/.zshrc`, fish's
config, `/etc/profile.d/*.sh`) is code that runs at every login: when the line shows it
(`echo 'CODE' >> ~/.bashrc`, `printf …`, `cat >> ~/.zshrc <<'EOF'`, `… | tee -a ~/.profile`),
it is judged as a command line of its own, so appending `curl … | sh` asks like running it
would, and `export PATH=…` stays a note.

May use: `safesh.model`, `.site`, `.words` and the standard library.
"""

from __future__ import annotations

from safesh.model import Word
from safesh.unwrap.words import resolve_path

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from safesh.unwrap.site import Site, Walk

_STARTUP_NAMES = frozenset(
    {".bashrc", ".bash_profile", ".bash_login", ".profile", ".zshrc", ".zprofile", ".zshenv",
     ".zlogin", ".kshrc", ".mkshrc", ".cshrc", ".tcshrc", ".login", "config.fish", ".envrc",
     "bash.bashrc", "zshrc", "zprofile", "zshenv"}
)  # fmt: skip
_STARTUP_DIRS = ("/etc/profile.d/", "/.config/fish/conf.d/", "/etc/zsh/")
_WRITES = frozenset({">>", ">", ">|", "&>>", "&>"})
_ECHO_ESCAPES = {"\\n": "\n", "\\t": "\t", "\\r": "\n"}


def is_startup_file(path: str) -> bool:
    """Whether a resolved path is a file a shell runs when it starts."""
    name = path.rstrip("/").rpartition("/")[2]
    return name in _STARTUP_NAMES or path == "/etc/profile" or path.startswith(_STARTUP_DIRS)


def _startup_target(w: Walk, word: Word, site: Site) -> str | None:
    if not word.static:
        return None
    base = site.frame.cwd or w.context.cwd
    path = resolve_path(word.text, base, w.context.home)
    return path if is_startup_file(path) else None


def _redirected_startup(w: Walk, site: Site) -> str | None:
    """The start-up file the command's standard output is written into, if any."""
    for redirect in site.simple.redirects:
        if redirect.op in _WRITES and redirect.fd in (None, 1) and redirect.target is not None:
            found = _startup_target(w, redirect.target, site)
            if found is not None:
                return found
    return None


def _echoed(name: str, args: list[Word]) -> str | None:
    """What `echo ARGS` / `printf FORMAT ARGS` prints; printf's `%s` take its arguments in
    order (other directives print nothing known). A word with variables is read as written,
    the variables left for the walk to judge as unknown (`echo "curl $URL | sh"`); one with a
    command substitution writes that command's output, which is not known here."""
    if not args or any("$(" in x.raw or "`" in x.raw for x in args if not x.static):
        return None  # a command's output is written: what runs at login is not on the line
    texts = [x.text if x.static else _as_written(x.raw) for x in args]
    if any(not x.static for x in args) and " ".join(texts).lstrip().startswith("$"):
        return None  # `echo "$LINE"`: the whole line is a value this line does not show
    if name == "echo":
        escapes = False
        while texts and texts[0] in {"-e", "-n", "-E", "-en", "-ne"}:
            escapes = escapes or "e" in texts.pop(0)
        text = " ".join(texts)
        if escapes:
            for escape, char in _ECHO_ESCAPES.items():
                text = text.replace(escape, char)
        return text
    if texts[0] == "--":
        texts = texts[1:]
    if not texts:
        return None
    text = texts[0]
    values = iter(texts[1:])
    while "%s" in text:
        text = text.replace("%s", next(values, ""), 1)
    for escape, char in _ECHO_ESCAPES.items():
        text = text.replace(escape, char)
    return text


def _as_written(raw: str) -> str:
    """A double-quoted word's text with its expansions kept: `"curl $URL | sh"`."""
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        return raw[1:-1]
    return raw


def _judge(w: Walk, content: str, path: str, site: Site) -> None:
    if content.strip():
        w.walk_source(content, site.nested(f"{path} at login"), f"code written into {path}")


def printer(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`echo`/`printf` into a start-up file; `cat` (of a heredoc or a pipe) into one."""
    w.emit(words, site)
    path = _redirected_startup(w, site)
    if path is None:
        return
    if name in {"echo", "printf"}:
        content = _echoed(name, words[1:])
    else:
        content = _fed(site) if len(words) == 1 or words[1].text == "-" else None
    if content is not None:
        _judge(w, content, path, site)


def tee(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`… | tee [-a] FILE…`: what comes down the pipe is written into each FILE."""
    w.emit(words, site)
    content = _fed(site)
    if content is None:
        return
    for word in words[1:]:
        if word.text.startswith("-"):
            continue
        path = _startup_target(w, word, site)
        if path is not None:
            _judge(w, content, path, site)
            return


def _fed(site: Site) -> str | None:
    feed = site.feed
    if feed is None or feed.kind not in {"heredoc", "herestring", "pipe"}:
        return None
    return feed.text
