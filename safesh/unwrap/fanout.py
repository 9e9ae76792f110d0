"""Commands that run a command once per input: `xargs`, `find -exec/-execdir/-ok`,
GNU `parallel`/`sem`. What they append is what the pipe writes or what find finds: after
`find ROOT -name N`, paths under ROOT (`found_paths`), otherwise input nobody has seen.

May use: `safesh.model`, `.site`, `.words`, `.wrappers` (its option tables) and the standard
library.
"""

from __future__ import annotations

import posixpath

from safesh.model import SimpleCommand, Word
from safesh.record import replace
from safesh.unwrap.words import command_name
from safesh.unwrap.wrappers import VALUE_OPTIONS

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from safesh.unwrap.site import Site, Walk


def xargs(w: Walk, name: str, words: list[Word], site: Site) -> None:
    simple, feed = site.simple, site.feed
    i = 1
    value_options = VALUE_OPTIONS["xargs"]
    token: str | None = None
    while i < len(words):
        text = words[i].text
        if text == "--":
            i += 1
            break
        if not text.startswith("-"):
            break
        if text in {"-I", "-J"} and i + 1 < len(words):
            token = words[i + 1].text
        elif text.startswith(("-I", "-J")) and len(text) > 2:
            token = text[2:]
        elif text == "-i" or text.startswith(("-i", "--replace")):
            token = text.partition("=")[2] or (text[2:] if text.startswith("-i") else "") or "{}"
        i += 2 if text in value_options else 1
    rest = words[i:]
    if not rest:
        # xargs with no command runs echo.
        w.emit(words, site)
        return
    # What xargs appends is what the pipe writes. After `find ROOT -name N`, those are paths
    # under ROOT, and they are judged as such; otherwise they stay unseen.
    found = found_paths(list(feed.source), simple) if feed and feed.kind == "pipe" else None
    if found is not None and feed is not None and _deletes(rest):
        # `find ROOT -name N | xargs rm` deletes what `find ROOT -name N -delete` would, and
        # is judged as that as well (a wrong test deletes far more than meant)
        deleting = [Word(t, t, simple.span) for t in (*feed.source, "-delete")]
        w.emit(deleting, site.inner(f"{name} {rest[0].text}", feed=None, args_unknown=False))
    if found is not None:
        rest = append_found(rest, found, token)
        w.peel(rest, site.inner(name, feed=None, args_unknown=False))
        return
    if token:
        rest = unseen_token(rest, token)
    w.peel(rest, site.inner(name, feed=None, args_unknown=True))


# Programs that delete the paths they are given.
_DELETERS = frozenset({"rm", "unlink", "shred", "srm", "gshred", "grm", "trash", "trash-put"})


def _deletes(words: list[Word]) -> bool:
    """A program that deletes the paths it is given, one by one (a recursive `rm -r` is
    judged by the rm rules with the found paths, which say more)."""
    if not words or command_name(words[0].text) not in _DELETERS:
        return False
    return not any(
        w.text in {"-r", "-R", "--recursive"}
        or (w.text[:1] == "-" and w.text[1:2] != "-" and ("r" in w.text or "R" in w.text))
        for w in words[1:]
    )


def unseen_token(words: list[Word], token: str) -> list[Word]:
    """`xargs -I{} sh -c 'rm -rf {}'`: the token becomes input nobody has seen, written as an
    expansion (`$INPUT`) so a path holding it is `unknown`."""
    out = []
    for word in words:
        if token in word.text:
            text = word.text.replace(token, '"$INPUT"' if " " in word.text else "$INPUT")
            out.append(replace(word, text=text, static=" " in word.text and word.static))
        else:
            out.append(word)
    return out


_FIND_GLOBAL = frozenset({"-H", "-L", "-P"})
_FIND_TESTS_WITH_VALUE = frozenset({"-D"})


def found_paths(find_argv: list[str], simple: SimpleCommand) -> list[Word] | None:
    """The paths `find ROOT… [-name N]` prints, as words a rule can classify: `ROOT/{}/N`
    (`{}` standing for any directories in between), or `ROOT/*` without a name test."""
    if not find_argv or find_argv[0] not in {"find", "gfind", "fd", "fdfind"}:
        return None
    if find_argv[0] != "find" and find_argv[0] != "gfind":
        return None
    args = find_argv[1:]
    i = 0
    while i < len(args) and (args[i] in _FIND_GLOBAL or args[i].startswith("-O")):
        i += 1
    if i < len(args) and args[i] in _FIND_TESTS_WITH_VALUE:
        i += 2
    roots: list[str] = []
    while i < len(args) and not args[i].startswith(("-", "(", "!", "\\(")):
        roots.append(args[i])
        i += 1
    expression = args[i:]
    names = [expression[k + 1] for k, x in enumerate(expression[:-1]) if x in {"-name", "-iname"}]
    alternatives = {"-o", "-or", ","} & set(expression)
    name = names[0] if len(names) == 1 and not alternatives and "/" not in names[0] else ""
    result = []
    for root in roots or ["."]:
        if name and posixpath.normpath(root) != "/":
            text = root.rstrip("/") + "/{}/" + name
        else:
            # Without a name test every entry under the root may match: everything in it.
            text = root.rstrip("/") + "/*"
        dynamic = "$" in text or "`" in text
        result.append(Word(text, text, simple.span, static=not dynamic))
    return result


def append_found(rest: list[Word], found: list[Word], token: str | None) -> list[Word]:
    if token is None:
        return [*rest, *found]
    out: list[Word] = []
    for word in rest:
        if word.text == token:
            out.extend(found)
        else:
            out.append(word)
    return out


def parallel(w: Walk, name: str, words: list[Word], site: Site) -> None:
    i = 1
    token = "{}"
    while i < len(words) and words[i].text.startswith("-"):
        text = words[i].text
        if text == "--":
            i += 1
            break
        if text in {"-I", "--replace"} and i + 1 < len(words):
            token = words[i + 1].text
        i += 2 if text in _PARALLEL_VALUE_OPTIONS else 1
    rest = words[i:]
    cut = next((k for k, x in enumerate(rest) if x.text in {":::", "::::", ":::+", "::::+"}), None)
    command_words = rest[: len(rest) if cut is None else cut]
    inputs = [] if cut is None else rest[cut + 1 :]
    static_inputs = (
        cut is not None
        and rest[cut].text in {":::", ":::+"}
        and all(x.static for x in inputs)
        and not any(x.text.startswith(":::") for x in inputs)
    )
    nested = site.nested(name)
    if not command_words:
        w.emit(words, site)
        if static_inputs:
            # `parallel ::: 'rm -rf /'`: each input is a command line.
            for item in inputs:
                w.walk_source(item.text, nested, "parallel input")
        return
    if static_inputs and inputs:
        # Each input fills the replacement string, or is appended.
        for item in inputs:
            filled = [replace(x, text=x.text.replace(token, item.text)) for x in command_words]
            if not any(token in x.text for x in command_words):
                filled.append(item)
            walk_words(w, filled, site.inner(name, feed=None, args_unknown=False))
        return
    command_words = unseen_token(command_words, token)
    if len(command_words) == 1 and " " in command_words[0].text:
        w.walk_source(command_words[0].text, nested, "parallel command")
        return
    w.peel(command_words, site.inner(name, feed=None, args_unknown=True))


_PARALLEL_VALUE_OPTIONS = frozenset(
    {
        "-j", "--jobs", "-S", "--sshlogin", "-a", "--arg-file", "--results", "--res",
        "--joblog", "-d", "--delimiter", "-I", "--replace", "--tmpdir", "--workdir", "--wd",
        "-n", "--max-args", "-N", "-L", "--max-lines", "-P", "--timeout", "--retries",
        "--delay", "--colsep", "-C", "--tagstring", "--halt", "--memfree", "--load",
        "--block", "--basefile", "--bf", "--transferfile", "--tf", "--return", "--env",
        "--sshloginfile", "--slf", "--limit", "-E", "--id", "--semaphorename", "--fg-id",
        "--sqlmaster", "--sqlworker", "--sqlandworker", "--progress-file", "--cat-file",
    }
)  # fmt: skip


def walk_words(w: Walk, words: list[Word], site: Site) -> None:
    """A command composed from words (parallel runs it through a shell: one word holding
    spaces is a command line of its own)."""
    if len(words) == 1 and " " in words[0].text:
        w.walk_source(words[0].text, site.nested_frame(), "parallel command")
        return
    w.peel(words, site)


def find_exec(w: Walk, name: str, words: list[Word], site: Site) -> None:
    simple = site.simple
    own: list[Word] = []
    actions: list[tuple[str, list[Word]]] = []
    i = 1
    while i < len(words):
        if words[i].text in {"-exec", "-execdir", "-ok", "-okdir"}:
            action = words[i].text
            j = i + 1
            while j < len(words) and words[j].text not in {";", "+", "\\;"}:
                j += 1
            actions.append((action, list(words[i + 1 : j])))
            own.append(words[i])
            i = j + 1
            continue
        own.append(words[i])
        i += 1
    w.emit([words[0], *own], site)
    if any(_deletes(a) for _, a in actions):
        # `-exec rm {} +` deletes what `-delete` would: judged as that as well
        deleting = [words[0], *own, Word("-delete", "-delete", simple.span)]
        w.emit(deleting, site.inner("find -exec rm", feed=None, args_unknown=False))
    found = found_paths([command_name(words[0].text), *(x.text for x in own)], simple)
    for action, inner in actions:
        if not inner:
            continue
        # `{}` is each found path: under the roots find walks, named by -name when given.
        known = found is not None and any(x.text == "{}" for x in inner)
        if known and found is not None:
            inner = append_found(inner, found, "{}")
        w.peel(inner, site.inner(f"find {action}", feed=None, args_unknown=not known))  # fmt: skip


_FD_VALUES = frozenset(
    {"-e", "--extension", "-t", "--type", "-E", "--exclude", "-d", "--max-depth",
     "--min-depth", "--exact-depth", "-S", "--size", "--changed-within", "--changed-before",
     "--change-newer-than", "--change-older-than", "-o", "--owner", "-j", "--threads",
     "--max-results", "-c", "--color", "--base-directory", "--search-path",
     "--path-separator", "--ignore-file", "--format", "--batch-size", "--max-buffer-time",
     "--hyperlink"}
)  # fmt: skip
_FD_EXEC = frozenset({"-x", "--exec", "-X", "--exec-batch"})
_FD_PLACEHOLDERS = ("{}", "{/}", "{//}", "{.}", "{/.}")
_REGEX_SPECIALS = frozenset("^$()[]{}|+?\\")


def fd_exec(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`fd [PATTERN] [ROOT…] -x CMD` / `-X CMD`: CMD runs on every path fd finds, named by
    `{}` (or appended): under ROOT (the working directory by default), matching PATTERN."""
    own: list[Word] = []
    actions: list[tuple[str, list[Word]]] = []
    i = 1
    while i < len(words):
        text = words[i].text
        if text in _FD_EXEC:
            j = i + 1
            while j < len(words) and words[j].text not in {";", "\\;"}:
                j += 1
            actions.append((text, list(words[i + 1 : j])))
            i = j + 1
            continue
        own.append(words[i])
        i += 1
    w.emit([words[0], *own], site)
    found = _fd_found(own, site.simple)
    for action, inner in actions:
        if not inner:
            continue
        if any(p in x.text for x in inner for p in _FD_PLACEHOLDERS[1:]):
            for placeholder in _FD_PLACEHOLDERS[1:]:
                inner = unseen_token(inner, placeholder)
        if any(x.text == "{}" for x in inner):
            inner = append_found(inner, found, "{}")
        elif not any("{}" in x.text for x in inner):
            inner = [*inner, *found]
        else:
            inner = unseen_token(inner, "{}")
        w.peel(inner, site.inner(f"{name} {action}", feed=None, args_unknown=False))


def _fd_found(own: list[Word], simple: SimpleCommand) -> list[Word]:
    """The paths fd prints, as words a rule can classify (like `found_paths` for find)."""
    positional: list[str] = []
    extensions: list[str] = []
    roots: list[str] = []
    glob = False
    i = 0
    while i < len(own):
        text = own[i].text
        following = own[i + 1].text if i + 1 < len(own) else ""
        if text in {"-e", "--extension"}:
            extensions.append(following)
        elif text == "--search-path":
            roots.append(following)
        elif text in {"-g", "--glob"}:
            glob = True
        if text.startswith("-"):
            i += 2 if text in _FD_VALUES else 1
            continue
        positional.append(text)
        i += 1
    pattern = positional[0] if positional else ""
    roots = roots or positional[1:] or ["."]
    name = ""
    if pattern and pattern != "." and (glob or not _REGEX_SPECIALS & set(pattern)):
        name = pattern if glob else f"*{pattern}*"
    elif not pattern and len(extensions) == 1:
        name = f"*.{extensions[0]}"
    result = []
    for root in roots:
        if name and posixpath.normpath(root) != "/":
            text = root.rstrip("/") + "/{}/" + name
        else:
            text = root.rstrip("/") + "/*"
        dynamic = "$" in text or "`" in text
        result.append(Word(text, text, simple.span, static=not dynamic))
    return result
