"""The bashlex front-end: walk bashlex's AST into the flat list of simple commands.

bashlex quirks handled here (0.18):

* `bashlex.parse` crashes (AttributeError) on empty, blank or comment-only input and silently
  stops at a part it cannot read; we run its top-level loop ourselves and insist that whatever
  is left after the last node is blank or comments.
* Heredoc values include the terminator line (stripped here), and quoted delimiters are
  compared literally (`<<'EOF'` wants a line `'EOF'`), which can hide commands after the real
  terminator: we refuse quoted delimiters and let tree-sitter parse them.
* Single quotes inside a word are mishandled by its word expansion (`'a'$(rm x)'b'` hides
  the substitution, `a'$(x)'` invents one): words mixing `'` with `$(`, `${`, backticks or
  `<(`/`>(` are refused.
* `${x:-$(cmd)}` is a single ParameterNode whose command is never parsed: refused, so the
  command is not missed.
* `time`, `case`, `[[ ]]`, `$(( ))`, arrays, `((…))`, C-style `for`, `select`, `coproc`
  and empty `$()` raise; the caller falls back to tree-sitter.
* `2>&1` has an int target without a position; the position is taken from the source.
* A function body `{ …; }` is a compound node like a group; it does not add "group".
"""

from __future__ import annotations

from safesh.lazy_re import later
from safesh.model import ParsedLine, Redirect, Span, Word
from safesh.parse.bashlex_tables import import_bashlex
from safesh.parse.words import (
    NEST_CMDSUB,
    NEST_GROUP,
    NEST_PROCSUB_IN,
    NEST_PROCSUB_OUT,
    NEST_SUBSHELL,
    Builder,
    Ctx,
    FrontendError,
    heredoc_delimiter,
    make_word,
    nest_function,
    span_of,
    split_assignment,
)
from safesh.record import replace

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from typing import Any

FRONTEND = "bashlex"

# Lines left after bashlex's last node may only be blank or comments.
_BLANK_OR_COMMENTS = later(r"(?:[ \t]*(?:#[^\n]*)?(?:\n|$))*")
_LIST_SEPARATORS = frozenset({";", "&", "\n"})
_EXPANDING = ("$(", "`", "<(", ">(", "${")


def parse_bashlex(source: str) -> ParsedLine:
    """Parse with bashlex or raise FrontendError (never anything else)."""
    try:
        nodes = _top_level_nodes(source)
        builder = Builder()
        walker = _Walker(source, builder)
        for node in nodes:
            walker.statement(node, Ctx())
    except FrontendError:
        raise
    except Exception as exc:  # bashlex is buggy: any crash means "cannot parse"
        raise _frontend_error(exc, 0) from exc
    return ParsedLine(source, tuple(builder.commands), FRONTEND, tuple(builder.functions))


def _top_level_nodes(source: str) -> list[Any]:
    """bashlex.parse's loop, without its crash on blank input and its silent early stop."""
    bashlex = import_bashlex()
    parser_module, ast = bashlex.parser, bashlex.ast
    nodes: list[Any] = []
    index = 0
    while index < len(source):
        try:
            node = parser_module._parser(source[index:]).parse()
        except Exception as exc:
            raise _frontend_error(exc, index) from exc
        if not isinstance(node, ast.node):
            break
        ast.posshifter(index).visit(node)
        nodes.append(node)
        end_finder = parser_module._endfinder()
        end_finder.visit(node)
        end = max(node.pos[1], end_finder.end)
        # bashlex skips one character after each node; it must not be part of a command.
        if end < len(source) and not source[end].isspace():
            raise FrontendError(f"bashlex stopped at {source[end]!r}", end)
        index = end + 1
    if _BLANK_OR_COMMENTS.fullmatch(source, index) is None:
        raise FrontendError("bashlex stopped before the end of the input", index)
    return nodes


def _frontend_error(exc: Exception, offset: int) -> FrontendError:
    message = str(getattr(exc, "message", "") or exc) or type(exc).__name__
    position = getattr(exc, "position", None)
    if isinstance(position, int):
        position += offset
    else:
        position = None
    incomplete = "unexpected EOF" in message or "delimited by end-of-file" in message
    if incomplete and "unexpected EOF" not in message:
        message = f"unexpected EOF: {message}"
    return FrontendError(message, position, incomplete=incomplete)


class _Walker:
    def __init__(self, source: str, builder: Builder) -> None:
        self.source = source
        self.builder = builder

    def statement(self, node: Any, ctx: Ctx) -> None:
        kind = node.kind
        if kind == "command":
            self.command(node, ctx)
        elif kind == "list":
            self.sequence(node.parts, ctx)
        elif kind == "pipeline":
            self.pipeline(node, ctx)
        elif kind == "compound":
            self.compound(node, ctx)
        elif kind == "function":
            self.function(node, ctx)
        elif kind in ("if", "for", "while", "until"):
            self.construct(node, ctx.nest(kind))
        elif kind not in ("operator", "reservedword", "pipe"):
            raise FrontendError(f"unexpected bashlex node {kind!r}", node.pos[0])

    def sequence(self, parts: list[Any], ctx: Ctx) -> None:
        """`a && b & c; d`: `&` backgrounds the whole and-or list before it."""
        group: list[Any] = []
        for part in parts:
            if part.kind == "operator" and part.op in _LIST_SEPARATORS:
                self.and_or(group, ctx, part.op == "&")
                group = []
            else:
                group.append(part)
        self.and_or(group, ctx, False)

    def and_or(self, group: list[Any], ctx: Ctx, background: bool) -> None:
        inner = replace(ctx, background=True) if background else ctx
        for node in group:
            self.statement(node, inner)

    def pipeline(self, node: Any, ctx: Ctx) -> None:
        elements = [p for p in node.parts if p.kind not in ("pipe", "reservedword")]
        if len(elements) == 1:  # `! cmd`
            self.statement(elements[0], ctx)
            return
        pid = self.builder.new_pipeline()
        for index, element in enumerate(elements):
            self.statement(element, replace(ctx, pipeline=(pid, index, len(elements))))

    def compound(self, node: Any, ctx: Ctx, *, function_body: bool = False) -> None:
        redirects = getattr(node, "redirects", None) or []
        inner = replace(ctx, redirects=(*ctx.redirects, *(self.redirect(r) for r in redirects)))
        first = node.list[0] if node.list else None
        if first is not None and first.kind == "reservedword":
            if self.source.startswith("((", first.pos[0]):
                # bash reads `((` as an arithmetic command; bashlex as two subshells.
                raise FrontendError("bashlex does not support ((…))", first.pos[0])
            if first.word == "(":
                inner = inner.nest(NEST_SUBSHELL)
            elif first.word == "{" and not function_body:
                inner = inner.nest(NEST_GROUP)
        for item in node.list:
            self.statement(item, inner)
        for redirect in redirects:
            self.substitutions(redirect, ctx)

    def function(self, node: Any, ctx: Ctx) -> None:
        name = self.source[node.name.pos[0] : node.name.pos[1]]
        self.builder.add_function(name)
        # Defining a function runs nothing; its body runs wherever it is called.
        inner = replace(ctx, pipeline=None).nest(nest_function(name))
        if node.body.kind == "compound":
            self.compound(node.body, inner, function_body=True)
        else:
            self.statement(node.body, inner)

    def construct(self, node: Any, ctx: Ctx) -> None:
        for part in node.parts:
            if part.kind == "word":  # for's variable and list
                self.substitutions(part, ctx)
            else:
                self.statement(part, ctx)

    def command(self, node: Any, ctx: Ctx) -> None:
        argv: list[Word] = []
        assignments: list[tuple[str, Word]] = []
        redirects: list[Redirect] = []
        extents: list[tuple[int, int]] = []
        for part in node.parts:
            if part.kind == "redirect":
                redirect = self.redirect(part)
                redirects.append(redirect)
                extents.append((redirect.span.start, redirect.span.end))
                continue
            if part.kind not in ("word", "assignment"):
                raise FrontendError(f"unexpected bashlex node {part.kind!r}", part.pos[0])
            start, end = self.checked_pos(part)
            extents.append((start, end))
            split = split_assignment(self.source[start:end]) if not argv else None
            if part.kind == "assignment" and split is not None:
                name, offset = split
                value = make_word(self.source, start + offset, end, nested=_has_commands(part))
                assignments.append((name, value))
            else:
                argv.append(make_word(self.source, start, end, nested=_has_commands(part)))
        self.builder.emit(ctx, argv, assignments, redirects, span_of(extents))
        for part in node.parts:
            self.substitutions(part, ctx)

    def substitutions(self, node: Any, ctx: Ctx) -> None:
        """Walk the commands inside a word, assignment or redirect target."""
        if node.kind == "redirect":
            if not isinstance(node.output, int | str) and node.output is not None:
                self.substitutions(node.output, ctx)
            return
        for part in getattr(node, "parts", None) or []:
            if part.kind == "commandsubstitution":
                self.statement(part.command, ctx.substitution(NEST_CMDSUB))
            elif part.kind == "processsubstitution":
                inward = self.source.startswith("<", part.pos[0])
                name = NEST_PROCSUB_IN if inward else NEST_PROCSUB_OUT
                self.statement(part.command, ctx.substitution(name))
            elif part.kind == "parameter" and any(s in part.value for s in ("$(", "`", "<(", ">(")):
                raise FrontendError("bashlex does not parse commands inside ${…}", part.pos[0])

    def redirect(self, node: Any) -> Redirect:
        op: str = node.type
        fd = node.input if isinstance(node.input, int) else None
        start, end = node.pos
        output = node.output
        if op in ("<<", "<<-"):
            delim_start, delim_end = self.checked_pos(output)
            delimiter, quoted = heredoc_delimiter(self.source[delim_start:delim_end])
            if quoted:
                raise FrontendError("bashlex reads quoted heredoc delimiters literally", start)
            value = node.heredoc.value if node.heredoc is not None else None
            if not isinstance(value, str) or not value.endswith(delimiter):
                raise FrontendError("heredoc without its terminator", start)
            body = value[: len(value) - len(delimiter)]
            return Redirect(op, None, Span(start, delim_end), fd, body, False)
        if isinstance(output, int | str):  # `2>&1`, `>&-`: no node, so no position
            text = str(output)
            target = Word(text, text, Span(end - len(text), end))
        else:
            word_start, word_end = self.checked_pos(output)
            target = make_word(self.source, word_start, word_end, nested=_has_commands(output))
        heredoc = target.text if op == "<<<" else None
        return Redirect(op, target, Span(start, end), fd, heredoc)

    def checked_pos(self, node: Any) -> tuple[int, int]:
        start, end = node.pos
        if not (0 <= start <= end <= len(self.source)):
            raise FrontendError("bashlex gave a position outside the input", None)
        raw = self.source[start:end]
        # bashlex's word expansion mishandles single quotes: `'a'$(rm x)'b'` hides the
        # substitution, `a'$(x)'` invents one. Such words go to tree-sitter instead.
        wholly_quoted = raw.count("'") == 2 and raw.startswith("'") and raw.endswith("'")
        if "'" in raw and not wholly_quoted and any(s in raw for s in _EXPANDING):
            raise FrontendError("bashlex misreads single quotes around expansions", start)
        return int(start), int(end)


def _has_commands(node: Any) -> bool:
    return any(
        p.kind in ("commandsubstitution", "processsubstitution")
        for p in getattr(node, "parts", None) or []
    )
