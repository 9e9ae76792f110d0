"""The parse stage: a command line or a whole script -> `ParsedLine`, a flat tuple of simple
commands in source order.

A line of plain words (`ls -la`, `make && make test`, `a | b`) is read by `plain` without a
front end, exactly as they would read it. Otherwise bashlex is tried first (it is exact for
what it supports); tree-sitter-bash only when bashlex raises (`[[ ]]`, `case`, `$(( ))`,
arrays, `time`, `select`, quoted heredoc delimiters, …), or first for an input over
LARGE_INPUT characters, where bashlex is too slow.
When both fail, `ParseError` carries bashlex's message and position; `incomplete` says the
input merely ended too early (the interactive shell then reads another line).

Every command appears, including those inside `$(…)`, backticks, `<(…)`/`>(…)`, function
bodies, loops, conditionals, `case` arms, subshells and groups. Heredoc bodies are data: they
are recorded on the `Redirect` (terminator stripped; tabs stripped for `<<-`), never parsed.

`SimpleCommand.nesting` names, outermost first:

    "$(…)"            command substitution, `$(…)` or backticks
    "<(…)" / ">(…)"   process substitution
    "function NAME"   a function body (the braces of the body add nothing)
    "for" "select" "while" "until" "if" "case"   compound commands (condition and body)
    "subshell"        ( … )
    "group"           { …; }
    "coproc"          coproc CMD

Commands inside `[[ … ]]` and `(( … ))` are not commands (only substitutions inside are).

Other conventions: a redirect on a compound (`{ a; b; } > f`, `while …; done < f`) is copied
onto every command inside it, before the command's own. Commands directly inside a compound
that is one element of a pipeline share that element's pipeline triple (`curl x | (sh)`:
`sh` is index 1). `cmd &` (or `a && b &`) marks every command of that and-or list, and all
commands nested in it, `background`. `NAME+=v` and `NAME[i]=v` are assignments to NAME.
An array value `(a b)` keeps its raw text. A `<<<` here-string has its word both as
`target` and as `heredoc` text.

Modules: `plain` (lines of plain words), `bashlex_front` (first), `treesitter_front` (where
bashlex fails), `isolated` (tree-sitter in a forked child), `words` (quote removal and word
values shared by both), `bashlex_tables` (bashlex's LALR tables, cached).
May use: `safesh.model`, `safesh.locations`, `safesh.lazy_re` and the standard library; never a
later stage.
"""

from __future__ import annotations

from safesh.lazy_re import later
from safesh.model import ParsedLine, ParseError
from safesh.parse.plain import LARGE_INPUT, parse_plain

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from safesh.parse.words import FrontendError

__all__ = ["LARGE_INPUT", "ParseError", "parse_line", "parse_plain"]


# Above LARGE_INPUT characters (safesh.parse.plain) tree-sitter is tried first: bashlex is
# pure Python and costs ~30 µs a character (a 64 KB script: ~2 s), tree-sitter a few µs.
# Both produce the same ParsedLine for what they both read; short lines, the common case,
# keep bashlex's reading.
# Substitutions nested deeper than this are refused before parsing: bashlex re-reads each
# level's whole text (quadratic), both front ends recurse per level, and no real command
# nests this deep. Refusing is the fail-closed answer (ParseError: a human is asked).
MAX_NESTING = 32
_NESTING_TOKENS = later(r"[$<>]\(|[()]")


def parse_line(source: str) -> ParsedLine:
    """Parse `source` (one line or a script). Raises ParseError when neither front-end can."""
    plain = parse_plain(source)  # a line of plain words needs no front end
    if plain is not None:
        return plain
    # Imported here, not at the top, so that importing a helper of this package
    # (`safesh.parse.words`) does not load bashlex, and a plain line loads neither.
    from safesh.parse.bashlex_front import parse_bashlex
    from safesh.parse.words import FrontendError

    depth = substitution_depth(source)
    if depth > MAX_NESTING:
        message = f"substitutions nest {depth} levels deep (safesh reads at most {MAX_NESTING})"
        raise ParseError(message, source)
    if len(source) > LARGE_INPUT:
        from safesh.parse.treesitter_front import parse_treesitter

        try:
            return parse_treesitter(source)
        except FrontendError as treesitter_error:
            try:
                return parse_bashlex(source)
            except FrontendError as bashlex_error:
                raise _combined_error(source, bashlex_error, treesitter_error) from None
    try:
        return parse_bashlex(source)
    except FrontendError as bashlex_error:
        first = bashlex_error
    from safesh.parse.treesitter_front import parse_treesitter  # lazily: only when bashlex fails

    try:
        return parse_treesitter(source)
    except FrontendError as treesitter_error:
        raise _combined_error(source, first, treesitter_error) from None


def substitution_depth(source: str) -> int:
    """How deeply `$(…)`, `<(…)` and `>(…)` nest, counting plain parentheses inside them
    as structure only. Quotes are not considered, so this can only over-count."""
    stack: list[bool] = []  # True for a substitution, False for a plain parenthesis
    depth = deepest = 0
    for match in _NESTING_TOKENS.finditer(source):
        token = match.group()
        if token == ")":
            if stack and stack.pop():
                depth -= 1
        elif token == "(":
            stack.append(False)
        else:
            stack.append(True)
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def _combined_error(source: str, bashlex: FrontendError, treesitter: FrontendError) -> ParseError:
    incomplete = bashlex.incomplete or treesitter.incomplete
    message = bashlex.message
    if incomplete and "unexpected EOF" not in message:
        message = f"unexpected EOF ({message})"
    if treesitter.position is not None and treesitter.position != bashlex.position:
        message = f"{message}; tree-sitter: {treesitter.message} at character {treesitter.position}"
    position = bashlex.position if bashlex.position is not None else treesitter.position
    if position is not None:
        position = max(0, min(position, len(source)))
    return ParseError(message, source, position, incomplete=incomplete)
