"""What feeds a command's standard input: a heredoc, a here-string, a download (also through
filters that pass it on), the text of `echo`/`printf`/`cat <<` earlier in the pipeline; and the
command lines inside `$(…)` and backticks of an unquoted heredoc body.

May use: `safesh.model`, `.words`, `.wrappers` (its table of simple wrappers) and the standard
library.
"""

from __future__ import annotations

import re

from safesh.model import Feed, ParsedLine, SimpleCommand
from safesh.unwrap.words import command_name, is_assignment
from safesh.unwrap.wrappers import SIMPLE_WRAPPERS, VALUE_OPTIONS

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


def feed_for(simple: SimpleCommand, parsed: ParsedLine) -> Feed | None:
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
    previous = previous_in_pipeline(parsed, simple)
    if previous is None:
        return compound_feed(parsed, simple)
    if not previous.argv:
        return None
    return feed_from(previous, parsed)


def feed_from(previous: SimpleCommand, parsed: ParsedLine) -> Feed:
    """What `previous` writes into the pipe that follows it."""
    source_argv = peeled_argv(previous)
    # `curl … | tee x.sh | bash`, `curl … | gunzip | sh`: a filter passes the download on.
    upstream: SimpleCommand | None = previous
    while upstream is not None and upstream.argv:
        upstream_argv = peeled_argv(upstream)
        if upstream_argv and upstream_argv[0] in DOWNLOADERS:
            return Feed("download", source=upstream_argv)
        if not upstream_argv or upstream_argv[0] not in PASS_THROUGH:
            break
        upstream = previous_in_pipeline(parsed, upstream)
    if not all(w.static for w in previous.argv):
        return Feed("pipe", source=source_argv, text=None)
    return Feed("pipe", source=source_argv, text=pipe_text(source_argv, previous))


def compound_feed(parsed: ParsedLine, simple: SimpleCommand) -> Feed:
    """What a compound element of the pipeline (`(echo a; echo b) | sh`, `{ …; } | sh`,
    `for …; done | sh`) writes: the joined text when every command directly inside it is a
    plain `echo`/`printf`, else output nobody can read here."""
    pipe_id, index, _ = simple.pipeline
    depth = len(simple.nesting)
    inside = [
        other
        for other in parsed.commands
        if other.pipeline[0] == pipe_id
        and other.pipeline[1] == index - 1
        and len(other.nesting) > depth
        and other.nesting[:depth] == simple.nesting
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


def previous_in_pipeline(parsed: ParsedLine, simple: SimpleCommand) -> SimpleCommand | None:
    pipe_id, index, _ = simple.pipeline
    for other in parsed.commands:
        if (
            other.pipeline[0] == pipe_id
            and other.pipeline[1] == index - 1
            and (other.nesting == simple.nesting)
        ):
            return other
    return None


# Wrappers that take one positional word before the command.
_POSITIONAL_WRAPPERS = frozenset({"timeout", "chrt", "taskset", "flock", "chroot"})


def peeled_argv(simple: SimpleCommand) -> tuple[str, ...]:
    """The argv of a pipe source with simple wrappers dropped (`sudo curl …` is a download)."""
    words = [w.text for w in simple.argv]
    while words and (
        command_name(words[0]) in SIMPLE_WRAPPERS | _POSITIONAL_WRAPPERS or is_assignment(words[0])
    ):
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
        args = [a for a in argv[1:] if a not in {"-n", "-e", "-E"}]
        return " ".join(args)
    if argv[0] == "printf" and len(argv) > 1:
        return argv[1].replace("\\n", "\n")
    if argv[0] == "cat" and len(argv) == 1:
        for redirect in simple.redirects:
            if redirect.heredoc is not None:
                return redirect.heredoc
    return None


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
