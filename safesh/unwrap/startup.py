"""Text written into a file whose content runs later (stored.py says which files, and what of
their text runs: a shell's start-up file at every login, ssh's client configuration, cron
tables, systemd units, git hooks and configuration, `.npmrc`): when the line shows the text
(`echo 'CODE' >> ~/.bashrc`, `printf …`, `cat >> ~/.zshrc <<'EOF'`, `… | tee -a FILE`,
`cat SRC > FILE`, `cp SRC FILE`), the code in it is judged as a command line of its own, so
appending `curl … | sh` to ~/.bashrc asks like running it would, a cron entry or a hook that
deletes the home blocks, and `export PATH=…` stays a note. Text the line does not show (a
variable, a command's output, a download) written into such a file asks, where the kind says
so.

May use: `safesh.model`, `.site`, `.words`, `.stored`, `.shells`, `.written` and the standard
library.
"""

from __future__ import annotations

from safesh.model import Word
from safesh.unwrap.stored import StoredKind, is_ssh_config, ssh_config_rest, stored_code
from safesh.unwrap.words import resolve_path

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from safesh.unwrap.site import Handler, Site, Walk

_WRITES = frozenset({">>", ">", ">|", "&>>", "&>"})
Target = tuple[str, StoredKind]


def is_startup_file(path: str) -> bool:
    """Whether a resolved path is a file a shell runs when it starts."""
    kind = stored_code(path)
    return kind is not None and kind.when == "at login"


def _stored_target(w: Walk, word: Word, site: Site) -> Target | None:
    if not word.static:
        return None
    base = site.frame.cwd or w.context.cwd
    path = resolve_path(word.text, base, w.context.home)
    kind = stored_code(path)
    return None if kind is None else (path, kind)


def _redirected_target(w: Walk, site: Site) -> Target | None:
    """The stored-code file the command's standard output is written into, if any."""
    for redirect in site.simple.redirects:
        if redirect.op in _WRITES and redirect.fd in (None, 1) and redirect.target is not None:
            found = _stored_target(w, redirect.target, site)
            if found is not None:
                return found
    return None


def _echoed(name: str, args: list[Word]) -> str | None:
    """What `echo ARGS` / `printf FORMAT ARGS` prints; printf's `%s` take its arguments in
    order (other directives print nothing known). A word with variables is read as written,
    the variables left for the walk to judge as unknown (`echo "curl $URL | sh"`); one with a
    command substitution writes that command's output, which is not known here."""
    if not args or any("$(" in x.raw or "`" in x.raw for x in args if not x.static):
        return None  # a command's output is written: what runs later is not on the line
    texts = [x.text if x.static else _as_written(x.raw) for x in args]
    if any(not x.static for x in args) and " ".join(texts).lstrip().startswith("$"):
        return None  # `echo "$LINE"`: the whole line is a value this line does not show
    if name == "echo":
        escapes = False
        while texts and texts[0] in {"-e", "-n", "-E", "-en", "-ne"}:
            escapes = escapes or "e" in texts.pop(0)
        text = " ".join(texts)
        if escapes:
            from safesh.unwrap.feeds import backslash_escapes

            text = backslash_escapes(text)
        return text
    from safesh.unwrap.feeds import printf_text

    return printf_text(tuple(texts)) or None


def _as_written(raw: str) -> str:
    """A double-quoted word's text with its expansions kept: `"curl $URL | sh"`."""
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        return raw[1:-1]
    return raw


def _judge(w: Walk, content: str | None, target: Target, site: Site, how: str) -> None:
    """Judge what `content` will run; `None`: the text is not on the line."""
    path, kind = target
    if content is None:
        if kind.unseen_asks:
            w.note_unparsed(
                site.frame,
                f"{how} into {path}, which runs {kind.when}: text this line does not show",
                path,
                kind="unseen",
            )
        return
    source = kind.read(content)
    if source.strip():
        w.walk_source(source, site.nested(f"{path} {kind.when}"), f"code written into {path}")
    if is_ssh_config(kind):
        ssh_config_rest(w, content, site, path)


def printer(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`echo`/`printf` into a stored-code file; `cat` (of a heredoc, a pipe, files) into one."""
    w.emit(words, site)
    if not site.simple.redirects:
        return  # (what _redirected_target finds nothing in: most `cat`, `echo`)
    target = _redirected_target(w, site)
    if target is None:
        return
    if name in {"echo", "printf"}:
        content = _echoed(name, words[1:])
    elif len(words) == 1 or words[1].text == "-":
        content = _fed(site)
    else:
        content = _files_text(w, [x for x in words[1:] if not x.text.startswith("-")], site)
    _judge(w, content, target, site, f"{name} writes")


def tee(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`… | tee [-a] FILE…` (or moreutils' `sponge [-a] FILE`): what comes down the pipe is
    written into each FILE."""
    w.emit(words, site)
    for word in words[1:]:
        if word.text.startswith("-"):
            continue
        target = _stored_target(w, word, site)
        if target is not None:
            _judge(w, _fed(site), target, site, "tee writes")
            return


def _fed(site: Site) -> str | None:
    feed = site.feed
    if feed is None or feed.kind not in {"heredoc", "herestring", "pipe"}:
        return None
    return feed.text


def _files_text(w: Walk, files: list[Word], site: Site) -> str | None:
    """The text of `files` one after another, as written earlier in the line or as they are
    here; None when one cannot be read."""
    from safesh.unwrap.shells import read_local_file

    texts: list[str] = []
    for word in files:
        if not word.static:
            return None
        written = w.written_script(word.text, site)
        text = written.text if written is not None else read_local_file(w, word.text, site)
        if text is None:
            return None
        texts.append(text)
    return "\n".join(texts) if texts else None


# Options of cp/mv/install/ln that take a value (`-t DIR` names the destination).
_COPY_VALUES = frozenset(
    {"-t", "--target-directory", "-S", "--suffix", "-m", "--mode", "-o", "--owner", "-g",
     "--group", "--backup", "--reflink", "--sparse", "--preserve", "--context", "-Z"}
)  # fmt: skip


def copier(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`cp SRC… DEST`, `install SRC DEST`, `mv`, `ln [-s] SRC DEST`: a source copied (or
    linked) into a stored-code file is judged as the code it holds there."""
    w.emit(words, site)
    operands: list[Word] = []
    directory: Word | None = None
    i = 1
    while i < len(words):
        text = words[i].text
        if text in {"-t", "--target-directory"} and i + 1 < len(words):
            directory = words[i + 1]
        elif text.startswith("--target-directory="):
            directory = Word(text.partition("=")[2], text, words[i].span)
        if text in _COPY_VALUES:
            i += 2
            continue
        if not text.startswith("-") or text == "-":
            operands.append(words[i])
        i += 1
    if directory is None:
        if len(operands) < 2:
            return
        directory, operands = operands[-1], operands[:-1]
    for source in operands:
        _copied(w, name, source, directory, site)


def _copied(w: Walk, name: str, source: Word, dest: Word, site: Site) -> None:
    target = _stored_target(w, dest, site)
    if target is None and source.static and dest.static:
        # DEST may be a directory: the file lands there under its own name.
        base = source.text.rstrip("/").rpartition("/")[2]
        inside = Word(f"{dest.text.rstrip('/')}/{base}", dest.raw, dest.span, True)
        target = _stored_target(w, inside, site)
    if target is None:
        return
    if name == "ln":
        # A link runs what the source holds when it is run; a relative source is read
        # from the link's directory.
        link_dir = target[0].rpartition("/")[0]
        if source.static and not source.text.startswith(("/", "~")):
            source = Word(f"{link_dir}/{source.text}", source.raw, source.span, True)
    _judge(w, _files_text(w, [source], site), target, site, f"{name} copies {source.text}")


def downloader(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`curl -o FILE URL`, `wget -O FILE URL` into a stored-code file: code from the network
    that runs later, unread."""
    from safesh.unwrap.written import download_outputs

    w.emit(words, site)
    if not all(x.static for x in words):
        return
    outputs = download_outputs(tuple(x.text for x in words))
    for output in outputs:
        target = _stored_target(w, Word(output, output, words[0].span, True), site)
        if target is not None:
            path, kind = target
            message = f"{name} downloads into {path}, which runs {kind.when}: code nobody has read"
            w.note_unparsed(site.frame, message, path, kind="unseen")
            return


# The handlers this module adds to the walk's table (through runners.HANDLERS).
HANDLERS: dict[str, Handler] = {
    **dict.fromkeys(["echo", "printf", "cat"], printer),
    **dict.fromkeys(["tee", "sponge"], tee),
    **dict.fromkeys(["cp", "mv", "install", "ln"], copier),
    **dict.fromkeys(["curl", "wget"], downloader),
}
