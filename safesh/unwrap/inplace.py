"""Editors that change a file in place (`sed -i`, `perl -pi -e`, `gawk -i inplace`, `ed`, `ex`,
`vim -c`/`-s`) when the file holds code that runs later (stored.py: a start-up file, a cron
table, a systemd unit, a git hook, ssh's configuration…). Where the edit is on the line and
simple enough to follow (sed's `s`, `a`, `i`, `c`, `d`; perl's `s///`), it is applied to the
file's text as it is here (or as written earlier in the line), and the commands the file runs
afterwards that it did not run before are judged as command lines of their own: `sed -i
's/.*/rm -rf ~/' ~/.bashrc` is judged as `rm -rf ~` at login. An edit that cannot be followed (a
script from a file, an expansion, ed's or vim's commands, perl code beyond `s///`), or a file
that exists but cannot be read here, asks: what will run is not on the line.

Addresses are not followed: a substitution is applied to every line, which may judge more
than the edit changes, never less.

May use: `safesh.model`, `.site`, `.words`, `.stored`, `.shells`, `.runners` and the standard
library.
"""

from __future__ import annotations

from safesh.lazy_re import later
from safesh.model import Span, Word
from safesh.unwrap import runners
from safesh.unwrap.stored import StoredKind, is_ssh_config, ssh_config_rest, stored_code
from safesh.unwrap.words import resolve_path

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    import re

    from safesh.unwrap.site import Frame, Handler, Site, Walk

# An edit: (pattern, replacement parts) for a substitution applied to every line, or the text
# of lines it adds. A replacement part is literal text or the number of a group (0: the match).
Part = str | int
Substitution = tuple["re.Pattern[str]", tuple[Part, ...], int]  # pattern, parts, count (0: all)


class _Unfollowed(Exception):
    """The edit does something this reader does not follow."""


# -- the edit applied to the text ---------------------------------------------------------------


def _apply(text: str, substitutions: list[Substitution], added: list[str]) -> str:
    lines = text.split("\n")
    for pattern, parts, count in substitutions:

        def expand(match: re.Match[str], parts: tuple[Part, ...] = parts) -> str:
            return "".join(p if isinstance(p, str) else (match.group(p) or "") for p in parts)

        lines = [pattern.sub(expand, line, count=count) for line in lines]
    return "\n".join(lines + added)


def _compile(regex: str, flags: str) -> re.Pattern[str]:
    import re

    try:
        return re.compile(regex, re.IGNORECASE if "I" in flags or "i" in flags else 0)
    except (re.error, RecursionError, OverflowError) as error:
        raise _Unfollowed(f"a pattern this reader cannot follow: {regex}") from error


# POSIX bracket classes, in Python's spelling.
_POSIX_CLASSES = {
    "[:alpha:]": "a-zA-Z", "[:digit:]": "0-9", "[:alnum:]": "a-zA-Z0-9", "[:upper:]": "A-Z",
    "[:lower:]": "a-z", "[:space:]": r"\s", "[:blank:]": r" \t", "[:xdigit:]": "0-9A-Fa-f",
    "[:punct:]": r"!-/:-@\[-`{-~", "[:word:]": r"\w", "[:print:]": r" -~", "[:graph:]": r"!-~",
    "[:cntrl:]": r"\x00-\x1f",
}  # fmt: skip
_ESCAPES = {"n": "\n", "t": "\t"}


def _sed_regex(regex: str, extended: bool) -> str:
    """A sed regular expression (basic, or extended with -E) in Python's syntax."""
    for name, spelled in _POSIX_CLASSES.items():
        regex = regex.replace(name, spelled)
    out: list[str] = []
    i = 0
    while i < len(regex):
        char = regex[i]
        if char == "\\" and i + 1 < len(regex):
            nxt = regex[i + 1]
            i += 2
            if nxt in "<>":
                out.append(r"\b")
            elif nxt in "(){}+?|":
                out.append(("\\" + nxt) if extended else nxt)
            elif nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
            else:
                out.append("\\" + nxt)
            continue
        if char in "(){}+?|" and not extended:
            out.append("\\" + char)
        else:
            out.append(char)
        i += 1
    return "".join(out)


def _replacement(text: str, perl: bool) -> tuple[Part, ...]:
    """sed's replacement (`&`, `\\1`) or perl's (`$&`, `$1`, `${1}`) as parts."""
    import re

    parts: list[Part] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt.isdigit():
                parts.append(int(nxt))
            elif nxt in "lLuUE":
                raise _Unfollowed("a case conversion in the replacement")
            else:
                parts.append(_ESCAPES.get(nxt, nxt))
            i += 2
        elif char == "&" and not perl:
            parts.append(0)
            i += 1
        elif char in "$@" and perl:
            group = re.match(r"\$(?:(\d+)|\{(\d+)\}|(&))", text[i:])
            if group is None:
                raise _Unfollowed("a perl variable in the replacement")
            parts.append(int(group.group(1) or group.group(2) or 0))
            i += group.end()
        else:
            parts.append(char)
            i += 1
    return tuple(parts)


def _substitution(regex: str, replacement: str, flags: str, perl: bool) -> Substitution:
    """One `s/regex/replacement/flags` in Python's terms; a replacement naming a group the
    pattern does not have is an error of the editor's, not followed."""
    pattern = _compile(regex, flags)
    parts = _replacement(replacement, perl)
    if any(isinstance(p, int) and p > pattern.groups for p in parts):
        raise _Unfollowed(f"a replacement naming a group {regex} does not have")
    return pattern, parts, 0 if "g" in flags else 1


# -- sed's script -------------------------------------------------------------------------------


def _delimited(script: str, i: int, delimiter: str) -> tuple[str, int]:
    """The text up to an unescaped `delimiter` (an escaped delimiter stands for itself), and
    the index past it."""
    out: list[str] = []
    while i < len(script):
        char = script[i]
        if char == "\\" and i + 1 < len(script):
            pair = script[i : i + 2]
            out.append(delimiter if pair[1] == delimiter else pair)
            i += 2
            continue
        if char == delimiter:
            return "".join(out), i + 1
        out.append(char)
        i += 1
    raise _Unfollowed("an unterminated expression")


def _past_address(script: str, i: int) -> int:
    """Past the addresses before a command (`3`, `$`, `/re/`, `\\%re%`, `1,5`, `1~2`, `!`)."""
    while i < len(script):
        char = script[i]
        if char.isdigit() or char in "$,~+! \t":
            i += 1
        elif char == "/":
            i = _delimited(script, i + 1, "/")[1]
            while i < len(script) and script[i] in "IM":
                i += 1
        elif char == "\\" and i + 1 < len(script):
            i = _delimited(script, i + 2, script[i + 1])[1]
        else:
            break
    return i


def _line_text(script: str, i: int) -> tuple[str, int]:
    """The text argument of `a`, `i`, `c` (GNU's one-line form or `a\\` and the next lines)."""
    end = i
    while end < len(script) and script[end] != "\n":
        end += 2 if script[end] == "\\" else 1
    while end < len(script) and script[end - 1] == "\\":  # `a\` continued over lines
        nxt = script.find("\n", end + 1)
        end = len(script) if nxt < 0 else nxt
    text = script[i:end].lstrip(" \t")
    text = text.removeprefix("\\").lstrip("\n")
    return text.replace("\\\n", "\n"), end


def sed_edit(scripts: list[str], extended: bool) -> tuple[list[Substitution], list[str]]:
    """The substitutions and added lines of sed `scripts`; `_Unfollowed` for anything else
    that changes the text (`y`, `r`, `e`, `R`, `w`, a hold-space command, …)."""
    substitutions: list[Substitution] = []
    added: list[str] = []
    for script in scripts:
        i = 0
        while i < len(script):
            if script[i] in " \t\n;{}":
                i += 1
                continue
            if script[i] == "#":
                nxt = script.find("\n", i)
                i = len(script) if nxt < 0 else nxt
                continue
            i = _past_address(script, i)
            if i >= len(script):
                break
            command = script[i]
            i += 1
            if command == "s" and i < len(script):
                delimiter = script[i]
                regex, i = _delimited(script, i + 1, delimiter)
                replacement, i = _delimited(script, i, delimiter)
                start = i
                while i < len(script) and script[i] in "gpiImM0123456789":
                    i += 1
                flags = script[start:i]
                if i < len(script) and script[i] in "ewW":
                    raise _Unfollowed("a substitution that runs or writes")
                regex = _sed_regex(regex, extended)
                substitutions.append(_substitution(regex, replacement, flags, perl=False))
            elif command in "aic":
                text, i = _line_text(script, i)
                added.append(text)
            elif command in "dDpPnN=lqQ":
                continue
            else:
                raise _Unfollowed(f"sed's `{command}` command")
    return substitutions, added


# -- perl's program -----------------------------------------------------------------------------

_PERL_SUBSTITUTION = later(r"\s*s(\W)")
_CLOSERS = {"{": "}", "(": ")", "[": "]", "<": ">"}


def perl_edit(code: str) -> list[Substitution]:
    """The `s/X/Y/flags;` statements of a `perl -pi -e` program; `_Unfollowed` for any other
    code."""
    substitutions: list[Substitution] = []
    i = 0
    while i < len(code):
        if code[i] in " \t\n;":
            i += 1
            continue
        match = _PERL_SUBSTITUTION.match(code, i)
        if match is None:
            raise _Unfollowed("perl code other than s///")
        opener = match.group(1)
        regex, i = _delimited(code, match.end(), _CLOSERS.get(opener, opener))
        if opener in _CLOSERS:
            while i < len(code) and code[i] in " \t":
                i += 1
            if i >= len(code) or code[i] not in _CLOSERS:
                raise _Unfollowed("a bracketed substitution this reader does not follow")
            opener = code[i]
            i += 1
        replacement, i = _delimited(code, i, _CLOSERS.get(opener, opener))
        start = i
        while i < len(code) and code[i].isalpha():
            i += 1
        flags = code[start:i]
        if set(flags) - set("gimsx"):
            raise _Unfollowed(f"perl substitution flags {flags}")
        substitutions.append(_substitution(regex, replacement, flags, perl=True))
    return substitutions


# -- reading each editor's command line ---------------------------------------------------------

# The result of reading a line: the files edited in place, and how (None: not followed).
Edit = tuple[list[Substitution], list[str]] | None
_SED_VALUES = frozenset({"-e", "--expression", "-f", "--file", "-l", "--line-length"})


def _option_value(text: str, index: int, words: list[Word], i: int) -> tuple[str, bool, int]:
    """The value of the short option ending at `text[index - 1]`: the rest of its cluster, or
    else the next word; whether the line shows it, and the index of the word after it."""
    if text[index:] or i >= len(words):
        return text[index:], True, i
    return words[i].text, words[i].static, i + 1


def _sed(words: list[Word]) -> tuple[list[Word], Edit]:
    scripts: list[str] = []
    operands: list[Word] = []
    in_place = extended = unseen = False
    i = 1
    while i < len(words):
        word = words[i]
        text = word.text
        i += 1
        if text == "--":
            operands.extend(words[i:])
            break
        if text.startswith("--"):
            name, eq, value = text.partition("=")
            in_place = in_place or name == "--in-place"
            extended = extended or name == "--regexp-extended"
            if name in _SED_VALUES and not eq and i < len(words):
                value, unseen = words[i].text, unseen or not words[i].static
                i += 1
            if name == "--expression":
                scripts.append(value)
            unseen = unseen or name in {"--file", "--null-data"}
            continue
        if not text.startswith("-") or text == "-":
            operands.append(word)
            continue
        for index, letter in enumerate(text[1:], start=2):
            if letter == "i":
                in_place = True
                if text == "-i" and i < len(words) and words[i].text == "":
                    i += 1  # BSD sed's `-i ''`: an empty backup suffix, not the script
                break  # the rest is the backup suffix
            extended = extended or letter in "Er"
            unseen = unseen or letter == "z"
            if letter in "efl":
                value, shown, i = _option_value(text, index, words, i)
                unseen = unseen or not shown
                if letter == "e":
                    scripts.append(value)
                unseen = unseen or letter == "f"
                break
    if not in_place:
        return [], None
    if not scripts and operands and not unseen:
        script_word, operands = operands[0], operands[1:]
        scripts.append(script_word.text)
        unseen = not script_word.static
    if unseen:
        return operands, None
    try:
        return operands, sed_edit(scripts, extended)
    except _Unfollowed:
        return operands, None


_PERL_VALUES = frozenset({"-e", "-E", "-M", "-m", "-I", "-F", "-x", "-C", "-d"})


def _perl(words: list[Word]) -> tuple[list[Word], Edit]:
    code: list[str] = []
    operands: list[Word] = []
    in_place = printing = unseen = False
    i = 1
    while i < len(words) and not operands:
        text = words[i].text
        i += 1
        if text == "--" or not text.startswith("-") or text == "-":
            # the files (or, before any -e, the program's file: code not on the line)
            operands = words[i if text == "--" else i - 1 :]
            unseen = unseen or not code
            break
        index = 1
        while index < len(text):
            letter = text[index]
            index += 1
            if letter == "i":
                in_place = True
                break  # the rest is the backup suffix
            printing = printing or letter == "p"
            if letter in "eE":
                value, shown, i = _option_value(text, index, words, i)
                unseen = unseen or not shown
                code.append(value)
                break
            if letter in "0l":  # `-0777`, `-l012`: the digits are the option's; `-lpi` goes on
                while index < len(text) and (text[index].isdigit() or text[index] in "xX"):
                    index += 1
            elif "-" + letter in _PERL_VALUES:
                break  # the rest of the cluster is the option's value
    if not in_place:
        return [], None
    if unseen or not printing:
        return operands, None  # `-n` prints what the program prints: not followed
    try:
        return operands, (perl_edit("\n".join(code)), [])
    except _Unfollowed:
        return operands, None


def _gawk(words: list[Word]) -> tuple[list[Word], Edit]:
    """`gawk -i inplace 'PROGRAM' FILE…`: the files are rewritten with the program's output,
    which is not followed."""
    texts = [x.text for x in words[1:]]
    loads = any(
        (t in {"-i", "--include"} and n == "inplace") or t in {"-iinplace", "--include=inplace"}
        for t, n in zip(texts, [*texts[1:], ""], strict=True)
    )
    if not loads:
        return [], None
    operands = [w for w in words[1:] if not w.text.startswith("-") and w.text != "inplace"]
    program_file = any(t in {"-f", "--file"} or t.startswith("--file=") for t in texts)
    return (operands if program_file else operands[1:]), None


# Options of vim/ex that make it edit without a human at the keys: commands given on the line
# or read from a script.
_SCRIPTED = frozenset({"-c", "--cmd", "-s", "-S", "-es", "-Es", "-e"})


def _editor(words: list[Word]) -> tuple[list[Word], Edit]:
    """ed/red read their commands from standard input; ex and vim with `-c`, `+CMD`, `-s`,
    `-es`: what they write is not followed."""
    name = words[0].text.rpartition("/")[2]
    texts = [x.text for x in words[1:]]
    if name not in {"ed", "red", "ex"} and not any(
        t in _SCRIPTED or t.startswith("+") for t in texts
    ):
        return [], None
    # vim's `-s FILE` reads keys from FILE; in ex mode (`ex`, `-e`, `-es`) `-s` is silent
    valued = {"-c", "--cmd", "-S"}
    if name not in {"ed", "red", "ex"} and not {"-e", "-es", "-Es"} & set(texts):
        valued.add("-s")
    operands: list[Word] = []
    skip = False
    for word in words[1:]:
        if skip:
            skip = False
        elif word.text in valued and name not in {"ed", "red"}:
            skip = True  # the option's value
        elif not word.text.startswith(("-", "+")):
            operands.append(word)
    return operands, None


_READERS = {"sed": _sed, "gsed": _sed, "perl": _perl, "gawk": _gawk, "awk": _gawk}
_EDITORS = frozenset({"ed", "red", "ex", "vim", "vi", "nvim"})


def edited_files(argv: tuple[str, ...]) -> list[str]:
    """The files ed, ex, a scripted vim or `gawk -i inplace` rewrites (the rules' write
    targets; sed -i and perl -i are read there already)."""
    name = argv[0].rpartition("/")[2] if argv else ""
    if name not in _EDITORS and name not in {"gawk", "awk"}:
        return []
    words = [Word(a, a, Span(0, 0)) for a in argv]
    targets, _ = _READERS.get(name, _editor)(words)
    return [t.text for t in targets]


def _judge(w: Walk, name: str, target: Word, kind: StoredKind, edit: Edit, site: Site) -> None:
    import os

    from safesh.unwrap.shells import read_local_file

    base = site.frame.cwd or w.context.cwd
    path = resolve_path(target.text, base, w.context.home)
    how = f"{name} edits {path} in place, which runs {kind.when}"
    written = w.written_script(target.text, site)
    text = written.text if written is not None else read_local_file(w, target.text, site)
    missing = text is None and written is None and not os.path.lexists(path)
    if edit is None or (text is None and not missing):
        reason = "its new text is not on the line" if edit is None else "safesh cannot read it"
        w.note_unparsed(site.frame, f"{how}: {reason}", path, kind="unseen")
        return
    substitutions, added = edit
    if text is None:
        # Not here (the line may be judged on another machine than the one it edits): what
        # the edit writes, each replacement's own text, is judged as lines of the file.
        text = ""
        added = [
            *added,
            *("".join(p for p in parts if isinstance(p, str)) for _, parts, _ in substitutions),
        ]
    before = set(kind.read(text).splitlines())
    after = kind.read(_apply(text, substitutions, added)).splitlines()
    fresh = [line for line in after if line not in before]
    if fresh:
        _walk_lines(w, fresh, site.nested(f"{path} {kind.when}"), f"code {name} writes")
    if is_ssh_config(kind):
        edited = _apply(text, substitutions, added).splitlines()
        old = set(text.splitlines())
        ssh_config_rest(w, "\n".join(x for x in edited if x not in old), site, path)


def _walk_lines(w: Walk, lines: list[str], frame: Frame, what: str) -> None:
    """The changed lines as one source when they parse together, else one by one (a changed
    `if …; then` line does not parse on its own, and then asks)."""
    from safesh.model import ParseError

    joined = "\n".join(lines)
    try:
        w.parse(joined)
    except ParseError:
        for line in lines:
            w.walk_source(line, frame, what)
        return
    w.walk_source(joined, frame, what)


def in_place_editor(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """sed/perl/awk/ed/ex/vim editing a stored-code file in place: the code the edit adds is
    judged where it will run. Everything else these commands do is judged by their usual
    handler (perl's script, vim's `-c '!CMD'`) and by the rules."""
    if name in runners.COMMAND_OPTIONS:
        runners.command_options(w, name, words, site)
    elif name == "perl":
        runners.script_runner(w, name, words, site)
    else:
        w.emit(words, site)
    targets, edit = _READERS.get(name, _editor)(words)
    base = site.frame.cwd or w.context.cwd
    for target in targets:
        if not target.static:
            continue
        kind = stored_code(resolve_path(target.text, base, w.context.home))
        if kind is not None:
            _judge(w, name, target, kind, edit, site)


# The handlers this module adds to the walk's table (walker.HANDLERS).
HANDLERS: dict[str, Handler] = dict.fromkeys(
    ["sed", "gsed", "perl", "gawk", "awk", "ed", "red", "ex", "vim", "vi", "nvim"],
    in_place_editor,
)
