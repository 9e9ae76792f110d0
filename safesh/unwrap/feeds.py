"""What feeds a command's standard input: a heredoc, a here-string, a download (also through
filters that pass it on), the text of `echo`/`printf`/`cat <<` earlier in the pipeline; and the
command lines inside `$(…)` and backticks of an unquoted heredoc body.

May use: `safesh.model`, `.words`, `.wrappers` (its table of simple wrappers) and the standard
library.
"""

from __future__ import annotations

from operator import attrgetter

from safesh.lazy_re import later, re
from safesh.model import Feed, ParsedLine, SimpleCommand, new_feed
from safesh.unwrap.words import command_name, is_assignment
from safesh.unwrap.wrappers import SIMPLE_WRAPPERS, VALUE_OPTIONS

_STATIC = attrgetter("static")
DOWNLOADERS = frozenset({"curl", "wget", "fetch", "http", "https", "xh", "aria2c", "lwp-request"})


# Programs that copy their input to their output (maybe decoded), so a download piped through
# them is still a download.
PASS_THROUGH = frozenset(
    {
        "tee", "cat", "gunzip", "zcat", "gzip", "bunzip2", "bzcat", "xz", "xzcat", "unxz",
        "zstd", "zstdcat", "base64", "tr", "sed", "head", "tail", "dos2unix", "iconv",
        "openssl", "gpg", "pv", "buffer", "mbuffer", "stdbuf",
    }
)  # fmt: skip


class Pipelines:
    """The pipelines of one parsed line, indexed once so that finding a command's
    predecessor, and the download upstream of it, costs the same at every stage: walking
    back from each stage of `cat | cat | …` made a long pipeline quadratic (cubic overall)."""

    def __init__(self, parsed: ParsedLine) -> None:
        self.parsed = parsed
        self._by_position: dict[tuple[int, int, tuple[str, ...]], SimpleCommand] = {}
        self._by_element: dict[tuple[int, int], list[SimpleCommand]] = {}
        for simple in parsed.commands:
            pipe_id, index, _ = simple.pipeline
            # The first command at a position wins, as a scan from the start would find it.
            self._by_position.setdefault((pipe_id, index, simple.nesting), simple)
            self._by_element.setdefault((pipe_id, index), []).append(simple)
        self._downloads: dict[int, tuple[str, ...] | None] = {}
        self._argv: dict[int, tuple[str, ...]] = {}

    def argv(self, simple: SimpleCommand) -> tuple[str, ...]:
        """`peeled_argv(simple)`, computed once per command of the line (each stage of a
        pipeline is asked for as the source of the next, and again on the download path)."""
        known = self._argv.get(id(simple))
        if known is None:
            known = self._argv[id(simple)] = peeled_argv(simple)
        return known

    def element(self, pipe_id: int, index: int) -> list[SimpleCommand]:
        """Every command of one pipeline element, nested ones included, in source order."""
        return self._by_element.get((pipe_id, index), [])

    def previous(self, simple: SimpleCommand) -> SimpleCommand | None:
        pipe_id, index, _ = simple.pipeline
        return self._by_position.get((pipe_id, index - 1, simple.nesting))

    def download_into(
        self, simple: SimpleCommand, argv: tuple[str, ...] | None = None
    ) -> tuple[str, ...] | None:
        """The downloader's argv when `simple` writes what a download wrote: it is the
        download, or a filter that passes its input on (`curl … | gunzip`) fed by one.
        Memoised per command, so a whole pipeline is answered in one pass. `argv`:
        `self.argv(simple)`, when the caller has it."""
        key = id(simple)
        if key in self._downloads:
            return self._downloads[key]
        # Walk back to the first stage already answered (or the head), then answer forwards.
        chain: list[tuple[SimpleCommand, tuple[str, ...]]] = []  # each stage with its argv
        current: SimpleCommand | None = simple
        known = argv  # the first stage's, when given
        while current is not None and id(current) not in self._downloads:
            if not current.argv:
                stage_argv: tuple[str, ...] = ()
            else:
                stage_argv = known if known is not None else self.argv(current)
            known = None
            chain.append((current, stage_argv))
            current = self._upstream_filter_source(current, stage_argv)
        answer = self._downloads.get(id(current)) if current is not None else None
        for stage, stage_argv in reversed(chain):
            answer = _own_download(stage_argv, answer)
            self._downloads[id(stage)] = answer
        return self._downloads[key]

    def _upstream_filter_source(
        self, simple: SimpleCommand, argv: tuple[str, ...]
    ) -> SimpleCommand | None:
        """The stage before `simple` when `simple` (peeled: `argv`) is a pass-through filter
        (else None)."""
        if not argv or argv[0] not in PASS_THROUGH:
            return None
        _, index, _ = simple.pipeline
        return self.previous(simple) if index > 0 else None


def _own_download(
    argv: tuple[str, ...], upstream: tuple[str, ...] | None
) -> tuple[str, ...] | None:
    """What a stage whose peeled argv is `argv` writes of a download: its own, or its input's
    (`upstream`) when it passes that on; () argv: a command without words."""
    if argv and argv[0] in DOWNLOADERS:
        return argv
    if not argv or argv[0] not in PASS_THROUGH:
        return None
    return upstream


def feed_for(simple: SimpleCommand, pipelines: Pipelines) -> Feed | None:
    """What feeds `simple`'s standard input: a heredoc or here-string, a download (also
    through filters that pass it on), or the previous command of its pipeline."""
    for redirect in simple.redirects:
        if redirect.op in {"<<", "<<-"} and redirect.heredoc is not None:
            return Feed("heredoc", text=redirect.heredoc)
        if redirect.op == "<<<" and redirect.heredoc is not None:
            return Feed("herestring", text=redirect.heredoc)
    _, index, length = simple.pipeline
    if index == 0 or length < 2:
        return None
    previous = pipelines.previous(simple)
    if previous is None:
        return compound_feed(pipelines, simple)
    if not previous.argv:
        return None
    return feed_from(previous, pipelines)


def feed_from(previous: SimpleCommand, pipelines: Pipelines) -> Feed:
    """What `previous` writes into the pipe that follows it."""
    source_argv = pipelines.argv(previous)
    # `curl … | tee x.sh | bash`, `curl … | gunzip | sh`: a filter passes the download on.
    downloaded = pipelines.download_into(previous, source_argv)
    if downloaded is not None:
        return Feed("download", source=downloaded)
    # Built directly (safesh.model.new_feed): one per stage of a pipeline.
    if not all(map(_STATIC, previous.argv)):
        return new_feed("pipe", None, source_argv)
    return new_feed("pipe", pipe_text(source_argv, previous), source_argv)


def compound_feed(pipelines: Pipelines, simple: SimpleCommand) -> Feed:
    """What a compound element of the pipeline (`(echo a; echo b) | sh`, `{ …; } | sh`,
    `for …; done | sh`) writes: the joined text when every command directly inside it is a
    plain `echo`/`printf`, else output nobody can read here."""
    pipe_id, index, _ = simple.pipeline
    depth = len(simple.nesting)
    inside = [
        other
        for other in pipelines.element(pipe_id, index - 1)
        if len(other.nesting) > depth and other.nesting[:depth] == simple.nesting
    ]
    texts: list[str] = []
    for other in inside:
        argv = peeled_argv(other)
        text = pipe_text(argv, other) if all(w.static for w in other.argv) else None
        if text is None or not argv or argv[0] not in {"echo", "printf"}:
            break
        texts.append(text)
    nestings = {other.nesting[depth] for other in inside}
    plain = bool(inside) and len(texts) == len(inside) and nestings <= {"subshell", "group"}
    source = peeled_argv(inside[0]) if inside else ()
    return Feed("pipe", source=source, text="\n".join(texts) if plain else None)


# Wrappers that take one positional word before the command.
_POSITIONAL_WRAPPERS = frozenset({"timeout", "chrt", "taskset", "flock", "chroot"})
_WRAPPERS = SIMPLE_WRAPPERS | _POSITIONAL_WRAPPERS


def peeled_argv(simple: SimpleCommand) -> tuple[str, ...]:
    """The argv of a pipe source with simple wrappers dropped (`sudo curl …` is a download)."""
    words = [w.text for w in simple.argv]
    while words and (command_name(words[0]) in _WRAPPERS or is_assignment(words[0])):
        wrapper = command_name(words[0])
        values = VALUE_OPTIONS.get(wrapper, frozenset())
        words = words[1:]
        while words and words[0].startswith("-"):
            if words[0] == "--":
                words = words[1:]
                break
            words = words[2:] if words[0] in values else words[1:]
        if wrapper in _POSITIONAL_WRAPPERS:
            words = words[1:]  # `timeout 10 …`, `flock FILE …`: the duration, the lock file
    if words:
        words[0] = command_name(words[0])
    return tuple(words)


def pipe_text(argv: tuple[str, ...], simple: SimpleCommand) -> str | None:
    """The text a pipe source writes, when it is plainly known (`echo`, `printf`, `cat <<`)."""
    if not argv:
        return None
    if argv[0] == "echo":
        args = [a for a in argv[1:] if a not in {"-n", "-e", "-E", "-ne", "-en"}]
        text = " ".join(args)
        return backslash_escapes(text) if {"-e", "-ne", "-en"} & set(argv[1:]) else text
    if argv[0] == "printf" and len(argv) > 1:
        return printf_text(argv[1:])
    if argv[0] == "cat" and len(argv) == 1:
        for redirect in simple.redirects:
            if redirect.heredoc is not None:
                return redirect.heredoc
    return None


_PRINTF_SPEC = later(r"%[-+ #0]*[0-9*]*(?:\.[0-9*]+)?([sbdiouxXcfeEgGq%])")


def printf_text(args: tuple[str, ...]) -> str:
    """What `printf FORMAT ARG…` writes: `%s`/`%b`/`%d` … take the arguments in turn and the
    format is used again while arguments remain (`printf '%s' 'rm -rf ~'` writes `rm -rf ~`);
    `-v NAME` writes nothing (it assigns)."""
    if args[0] == "-v":
        return ""
    if args[0] == "--":
        args = args[1:]
    if not args:
        return ""
    fmt, rest = args[0], list(args[1:])
    out: list[str] = []
    for _ in range(64):
        used = 0
        position = 0
        for match in _PRINTF_SPEC.finditer(fmt):
            out.append(fmt[position : match.start()])
            position = match.end()
            if match.group(1) == "%":
                out.append("%")
                continue
            out.append(rest[used] if used < len(rest) else "")
            used += 1
        out.append(fmt[position:])
        rest = rest[used:]
        if not rest or used == 0:
            break
    return backslash_escapes("".join(out))


_ESCAPE = later(r"\\(x[0-9A-Fa-f]{1,2}|0?[0-7]{1,3}|[abefnrtv\\])")
_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "e": "\x1b", "f": "\f", "n": "\n", "r": "\r", "t": "\t",
                   "v": "\v", "\\": "\\"}  # fmt: skip


def backslash_escapes(text: str) -> str:
    """`echo -e` and printf's escapes: `\\x72\\x6d` is `rm`, `\\162` (or `\\0162`) is `r`."""
    if "\\" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] == "x":
            return chr(int(code[1:], 16))
        if code[0].isdigit():
            return chr(int(code, 8) % 256)
        return _SIMPLE_ESCAPES[code]

    return _ESCAPE.sub(one, text)


def mentions_download(raw: str) -> bool:
    return any(re.search(rf"(^|[\s(;|&]){re.escape(d)}\s", raw) for d in DOWNLOADERS)


def heredoc_substitutions(body: str) -> list[str] | None:
    """The command lines inside `$(…)` and backticks of an unquoted heredoc body, outermost
    first; None when one is not closed. In such a body only `\\` escapes `$`, `` ` `` and `\\`,
    and quotes outside a substitution are plain characters."""
    found: list[str] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            i += 2
            continue
        if char == "`":
            end = _closing_backtick(body, i + 1)
            if end is None:
                return None
            found.append(body[i + 1 : end].replace("\\`", "`"))
            i = end + 1
            continue
        if body.startswith("$(", i) and not body.startswith("$((", i):
            end = _closing_paren(body, i + 2)
            if end is None:
                return None
            found.append(body[i + 2 : end])
            i = end + 1
            continue
        i += 1
    return found


def _closing_backtick(text: str, start: int) -> int | None:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == "`":
            return i
        i += 1
    return None


def _closing_paren(text: str, start: int) -> int | None:
    """The index of the `)` closing a `$(` whose contents start at `start`; quotes and
    nested parentheses inside are a command line's own."""
    depth = 1
    quote: str | None = None
    i = start
    while i < len(text):
        char = text[i]
        if quote == "'":
            if char == "'":
                quote = None
        elif char == "\\":
            i += 2
            continue
        elif quote == '"':
            if char == '"':
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None
