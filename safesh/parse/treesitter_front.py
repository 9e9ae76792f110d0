"""The tree-sitter front-end, used where bashlex gives up (`[[ ]]`, `case`, `$(( ))`, arrays,
`time`, `select`, quoted heredoc delimiters, …). Produces the same model as the bashlex one.

Any ERROR or MISSING node makes the whole parse fail: a half-understood line is never
classified. tree-sitter-bash quirks handled here (0.25):

* offsets are in UTF-8 bytes; they are converted to character offsets.
* a heredoc redirect swallows the rest of its line: `cat <<EOF | sh && x` puts `| sh` and
  `&& x` *inside* the heredoc_redirect node; they are moved back into the pipeline / list.
* a redirect after a pipeline (`a | cat <<EOF`, `a | cat > f`) is attached to the whole
  pipeline; bash binds it to the last command, and so do we.
* `$"x"` is two sibling nodes (`$` and a string): adjacent argument nodes form one word.
* `time` and `coproc` are plain command words: the keyword is dropped (`time -p` too).
* inside backticks, `\\$` and `\\`` start nested substitutions that tree-sitter does not see:
  refused rather than missed.

Size (about 630 lines, over the ~600 guide) on purpose: almost all of it is one walker over
one grammar whose node handlers call each other and share the quirk fixes above (a heredoc
moved back into its list must be re-walked by the pipeline and list handlers). Cutting it
across modules would split the handlers that must agree on those fixes; the word-level
helpers it shares with bashlex already live in `safesh.parse.words`.

May import `safesh.model`, `safesh.parse.words` and tree-sitter; never a later stage.
"""

from __future__ import annotations

import functools
import threading
from itertools import pairwise
from operator import attrgetter
from typing import TYPE_CHECKING

from safesh.model import ParsedLine, Redirect, Span, Word, new_span
from safesh.parse.words import (
    NEST_CASE,
    NEST_CMDSUB,
    NEST_COPROC,
    NEST_GROUP,
    NEST_PROCSUB_IN,
    NEST_PROCSUB_OUT,
    NEST_SUBSHELL,
    Builder,
    Ctx,
    FrontendError,
    heredoc_delimiter,
    make_word,
    may_hold_commands,
    nest_function,
    span_of,
    split_assignment,
    strip_leading_tabs,
    word_of,
)
from safesh.record import frozen, mutable, replace

if TYPE_CHECKING:
    from collections.abc import Callable

    from tree_sitter import Node, Parser

FRONTEND = "tree-sitter"

_STATEMENTS = frozenset(
    {
        "command",
        "pipeline",
        "list",
        "redirected_statement",
        "negated_command",
        "variable_assignment",
        "variable_assignments",
        "declaration_command",
        "unset_command",
        "test_command",
        "function_definition",
        "for_statement",
        "c_style_for_statement",
        "while_statement",
        "if_statement",
        "case_statement",
        "compound_statement",
        "subshell",
    }
)
# Nodes whose statement children simply run in order, in the enclosing construct.
_SEQUENCES = frozenset({"program", "do_group", "elif_clause", "else_clause", "case_item"})
_REDIRECTS = frozenset({"file_redirect", "heredoc_redirect", "herestring_redirect"})
_SUBSTITUTIONS = frozenset({"command_substitution", "process_substitution"})
_PIPELINE_PARTS = frozenset({"pipeline", "redirected_statement", "negated_command"})
_CASE_TERMINATORS = frozenset({";;", ";&", ";;&"})
# Reserved words that bash never accepts where a command starts.
_NOT_COMMAND_NAMES = frozenset({"then", "elif", "else", "fi", "do", "done", "esac", "}", "in"})
_ASSIGNMENTS = frozenset({"variable_assignment", "variable_assignments"})
# Command words `command` looks at twice: reserved words it refuses, `time` and `coproc`.
_KEYWORDS = _NOT_COMMAND_NAMES | {"time", "coproc"}
_NOT_EXPANSIONS = (_STATEMENTS - _ASSIGNMENTS) | {"heredoc_body", "heredoc_redirect"}
_START_BYTE = attrgetter("start_byte")
_END_BYTE = attrgetter("end_byte")


@functools.cache
def _parser() -> Parser:
    # Imported here so that tree-sitter is only loaded when bashlex has failed.
    import tree_sitter
    import tree_sitter_bash

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language()))


# The one tree-sitter Parser is not safe to use from two threads at once (it crashes the
# process), and a judge abandoned at its deadline (safesh.judge.budget) may still be parsing
# when the next line is judged: parses take turns.
_PARSE_LOCK = threading.Lock()


def parse_treesitter(source: str) -> ParsedLine:
    """Parse with tree-sitter or raise FrontendError (never anything else).

    tree-sitter runs in a forked child (`safesh.parse.isolated`): a crash in its C code is
    then a line that was not understood (which asks), not a dead hook that every agent
    reads as "go ahead"."""
    from safesh.parse.isolated import parse_in_child

    _parser()  # load the grammar here, so every child starts with it
    return parse_in_child(parse_here, source)


def parse_here(source: str) -> ParsedLine:
    """Parse with tree-sitter in this process (what the isolated child runs)."""
    data = source.encode("utf-8", "surrogatepass")
    try:
        with _PARSE_LOCK:
            root = _parser().parse(data).root_node
    except Exception as exc:
        raise FrontendError(f"tree-sitter failed: {exc}", None) from exc
    offsets = _Offsets(source, data)
    if root.has_error:
        raise _syntax_error(root, source, offsets)
    builder = Builder()
    try:
        _Walker(source, offsets, builder).sequence(root, Ctx())
    except RecursionError as exc:
        raise FrontendError("input nested too deeply", None) from exc
    return ParsedLine(source, tuple(builder.commands), FRONTEND, tuple(builder.functions))


class _Offsets:
    """Byte offset -> character offset (identity for ASCII input)."""

    def __init__(self, source: str, data: bytes) -> None:
        self.table: list[int] | None = None
        if len(data) != len(source):
            table = [0] * (len(data) + 1)
            position = 0
            for index, char in enumerate(source):
                width = len(char.encode("utf-8", "surrogatepass"))
                for k in range(width):
                    table[position + k] = index
                position += width
            table[position] = len(source)
            self.table = table

    def __call__(self, byte: int) -> int:
        return byte if self.table is None else self.table[byte]


def _syntax_error(root: Node, source: str, offsets: _Offsets) -> FrontendError:
    bad = _first_error(root)
    if bad is None:
        return FrontendError("tree-sitter could not parse the input", None)
    position = offsets(bad.start_byte)
    at_end = position >= len(source.rstrip())
    if bad.is_missing:
        return FrontendError(
            f"missing {bad.type!r}" + (" (unexpected EOF)" if at_end else ""),
            position,
            incomplete=at_end,
        )
    return FrontendError("syntax error", position)


def _first_error(node: Node) -> Node | None:
    if node.is_error or node.is_missing:
        return node
    for child in node.children:
        if child.has_error or child.is_missing:
            found = _first_error(child)
            if found is not None:
                return found
    return None


@frozen
class _Element:
    """One element of a pipeline: a node (None for a bare redirection) and the redirect nodes
    that bind to it from outside (the redirected_statement around it)."""

    node: Node | None
    redirects: tuple[Node, ...] = ()
    where: Node | None = None  # the node whose span a bare redirection takes


@mutable
class _Flat:
    """A flattened pipeline (see _Walker.pipeline_elements)."""

    heads: list[Node]
    elements: list[_Element]
    tails: list[Node]

    def extend(self, other: _Flat) -> None:
        if other.heads:  # only a list body brings heads, and a list is never piped
            raise FrontendError("unexpected list inside a pipeline", None)
        self.elements += other.elements
        self.tails += other.tails


class _Walker:
    def __init__(self, source: str, offsets: _Offsets, builder: Builder) -> None:
        self.source = source
        self.offsets = offsets
        self.builder = builder
        # A node's character offsets. Asked for several times per node of a long script:
        # for ASCII input (bytes are characters) C getters answer without a Python call.
        self.start: Callable[[Node], int] = _START_BYTE
        self.end: Callable[[Node], int] = _END_BYTE
        if offsets.table is not None:
            self.start = self._start_char
            self.end = self._end_char

    # ----- structure -------------------------------------------------------------------------

    def sequence(self, node: Node, ctx: Ctx) -> None:
        """Run the statement children of `node` in order; `cmd &` backgrounds `cmd`."""
        children = _list_members(node)
        kinds = [child.type for child in children]  # each read once (a call into the binding)
        parent = node.type
        c_style = parent == "c_style_for_statement"
        body = node.child_by_field_name("body") if c_style else None
        for index, child in enumerate(children):
            kind = kinds[index]
            if kind in _CASE_TERMINATORS and parent != "case_item":
                raise FrontendError(f"unexpected {kind!r}", self.start(child))
            if c_style and child != body:
                self.expansion(child, ctx)  # the (( init; test; step )) part is arithmetic
            elif kind in _STATEMENTS:
                background = index + 1 < len(children) and kinds[index + 1] == "&"
                self.statement(child, replace(ctx, background=True) if background else ctx)
            elif kind in _SEQUENCES:
                self.sequence(child, ctx)
            elif child.is_named and kind != "comment":
                self.expansion(child, ctx)

    def statement(self, node: Node, ctx: Ctx) -> None:
        kind = node.type
        if kind == "command":  # what pipeline_elements would make of it, without the detour
            self.command(node, ctx, ())
        elif kind == "list":
            self.sequence(node, ctx)
        elif kind in _PIPELINE_PARTS:
            flat = self.pipeline_elements(node)
            for head in flat.heads:
                self.statement(head, ctx)
            self.pipeline(flat.elements, ctx)
            for tail in flat.tails:
                self.statement(tail, ctx)
        elif kind in ("variable_assignment", "variable_assignments"):
            self.bare_assignments(node, ctx)
        elif kind in ("declaration_command", "unset_command"):
            self.command(node, ctx, ())
        elif kind == "test_command":
            if node.children and node.children[0].type == "[":  # `[` is a command
                self.command(node, ctx, ())
            else:  # [[ … ]]: only substitutions inside are commands
                self.substitutions(node, ctx)
        elif kind == "function_definition":
            self.function(node, ctx)
        elif kind == "compound_statement":
            first = node.children[0].type if node.children else ""
            if first == "((":  # arithmetic command
                self.substitutions(node, ctx)
            else:
                self.sequence(node, ctx.nest(NEST_GROUP))
        elif kind == "subshell":
            self.sequence(node, ctx.nest(NEST_SUBSHELL))
        elif kind in ("for_statement", "while_statement"):
            self.sequence(node, ctx.nest(node.children[0].type))  # for/select, while/until
        elif kind == "c_style_for_statement":
            self.sequence(node, ctx.nest("for"))
        elif kind == "if_statement":
            self.sequence(node, ctx.nest("if"))
        elif kind == "case_statement":
            self.sequence(node, ctx.nest(NEST_CASE))
        else:
            raise FrontendError(f"unexpected tree-sitter node {kind!r}", self.start(node))

    def pipeline_elements(self, node: Node) -> _Flat:
        """Flatten a pipeline, undoing tree-sitter's heredoc and redirect attachment quirks:
        the statements to run before it (`a &&` when tree-sitter hung `2>&1` on `a && b`),
        its elements, and the statements that follow it (`&& x` swallowed by a heredoc)."""
        kind = node.type
        if kind == "pipeline":
            flat = _Flat([], [], [])
            for child in node.named_children:
                if child.type == "comment":
                    continue
                if flat.tails:
                    raise FrontendError("unexpected pipeline after a list", self.start(child))
                if child.type == "list" and flat.elements:
                    # tree-sitter-bash reads `a | b | c && d` as `a | (b | c && d)`; bash as
                    # `(a | b | c) && d`: the list's first member ends this pipeline, and the
                    # rest follow it.
                    members = [m for m in _list_members(child) if m.is_named]
                    members = [m for m in members if m.type != "comment"]
                    flat.extend(self.pipeline_elements(members[0]))
                    flat.tails += members[1:]
                else:
                    flat.extend(self.pipeline_elements(child))
            return flat
        if kind == "negated_command":
            inner = [c for c in node.named_children if c.type != "comment"]
            if len(inner) != 1:
                raise FrontendError("unexpected negated command", self.start(node))
            return self.pipeline_elements(inner[0])
        if kind != "redirected_statement":
            return _Flat([], [_Element(node)], [])
        redirects, pipe_tail, list_tail = self.split_redirects(node)
        body = node.child_by_field_name("body")
        heads: list[Node] = []
        if body is not None and body.type == "list":
            # bash binds a redirection to the last command of `a && b > f`, not to the list.
            parts = [c for c in body.named_children if c.type != "comment"]
            heads, body = parts[:-1], parts[-1]
        if body is None:
            flat = _Flat([], [_Element(None, tuple(redirects), node)], [])
        else:
            flat = self.pipeline_elements(body)
            last = flat.elements[-1]
            flat.elements[-1] = replace(last, redirects=(*last.redirects, *redirects))
        flat.heads[:0] = heads
        for extra in pipe_tail:
            flat.extend(self.pipeline_elements(extra))
        flat.tails += list_tail
        return flat

    def split_redirects(self, node: Node) -> tuple[list[Node], list[Node], list[Node]]:
        """The redirect nodes of a redirected_statement, plus what a heredoc swallowed: the
        rest of the pipeline (`| sh`) and of the and-or list (`&& x`)."""
        redirects: list[Node] = []
        pipe_tail: list[Node] = []
        list_tail: list[Node] = []
        for index, child in enumerate(node.children):
            if node.field_name_for_child(index) != "redirect":
                continue
            redirects.append(child)
            if child.type != "heredoc_redirect":
                continue
            for inner_index, inner in enumerate(child.children):
                field = child.field_name_for_child(inner_index)
                if inner.type in _REDIRECTS:
                    redirects.append(inner)
                elif inner.type == "pipeline":
                    pipe_tail.append(inner)
                elif field == "right":
                    list_tail.append(inner)
        return redirects, pipe_tail, list_tail

    def pipeline(self, elements: list[_Element], ctx: Ctx) -> None:
        if len(elements) == 1:
            self.element(elements[0], ctx)
            return
        pid = self.builder.new_pipeline()
        for index, element in enumerate(elements):
            self.element(element, ctx.in_pipeline((pid, index, len(elements))))

    def element(self, element: _Element, ctx: Ctx) -> None:
        node = element.node
        if node is None:  # `> file` alone, or `> file cmd args` (the words are in the redirect)
            where = element.where
            assert where is not None
            self.command(where, ctx, element.redirects, bare=True)
        elif node.type == "command":
            self.command(node, ctx, element.redirects)
        else:
            if any(self.redirect_targets(r)[1] for r in element.redirects):
                raise FrontendError("words after a compound's redirection", self.start(node))
            outer = tuple(self.redirect(r) for r in element.redirects)
            self.statement(node, replace(ctx, redirects=(*ctx.redirects, *outer)))
            for r in element.redirects:
                self.substitutions(r, ctx)

    def function(self, node: Node, ctx: Ctx) -> None:
        name_node = node.child_by_field_name("name")
        if name_node is None:
            raise FrontendError("function without a name", self.start(node))
        name = self.text(name_node)
        self.builder.add_function(name)
        # Defining a function runs nothing; its body runs wherever it is called.
        inner = replace(ctx, pipeline=None).nest(nest_function(name))
        redirect_nodes = [
            c for i, c in enumerate(node.children) if node.field_name_for_child(i) == "redirect"
        ]
        inner = replace(inner, redirects=(*inner.redirects, *map(self.redirect, redirect_nodes)))
        body = node.child_by_field_name("body")
        if body is None:
            raise FrontendError("function without a body", self.start(node))
        if body.type == "compound_statement":
            self.sequence(body, inner)  # the braces of a function body are not a group
        else:
            self.statement(body, inner)
        for r in redirect_nodes:
            self.substitutions(r, ctx)

    # ----- simple commands ------------------------------------------------------------------

    def command(
        self, node: Node, ctx: Ctx, outer_redirects: tuple[Node, ...], *, bare: bool = False
    ) -> None:
        """A simple command. `bare`: `node` is a redirected_statement without a body, whose
        only parts are its redirections."""
        assignments: list[tuple[str, Word]] = []
        extents: list[tuple[int, int]] = []
        redirect_nodes: list[Node] = []
        word_nodes: list[Node] = []
        if bare:
            children: list[Node] = []
        elif node.type == "test_command":
            children = _test_words(node)
        else:
            children = node.children
        # The children below which a substitution may sit (walked after the command).
        expanding: list[Node] = []
        source, start_of, end_of = self.source, self.start, self.end
        for child in children:
            kind = child.type
            if kind == "heredoc_redirect" and _swallows(child):
                raise FrontendError("unexpected heredoc layout", start_of(child))
            if kind in _REDIRECTS:
                redirect_nodes.append(child)
                continue
            start, end = start_of(child), end_of(child)
            text = source[start:end]
            if "$" in text or "`" in text or "(" in text:  # may_hold_commands, inline
                expanding.append(child)  # a substitution needs `$`, a backtick or `(`
            if kind == "variable_assignment" and not word_nodes:
                assignments.append(self.assignment(child))
                extents.append((start, end))
            elif kind != "comment":
                word_nodes.append(child)
        redirect_nodes += outer_redirects
        groups = _adjacent_groups(word_nodes)
        if redirect_nodes:  # (the words' own groups come in source order already)
            for r in redirect_nodes:
                groups += self.redirect_targets(r)[1]  # tree-sitter puts `> f x y`'s x, y there
            groups.sort(key=lambda group: group[0].start_byte)
        if len(groups) > 1:
            self.check_one_line(groups)
        argv = [self.word(group) for group in groups]
        nesting_ctx = ctx
        if argv and argv[0].raw in _KEYWORDS:
            if argv[0].raw in _NOT_COMMAND_NAMES:  # tree-sitter accepts a stray `fi`
                raise FrontendError(f"syntax error near {argv[0].raw!r}", argv[0].span.start)
            argv, keyword = _drop_keyword(argv)
            if keyword == "coproc":
                nesting_ctx = ctx.nest(NEST_COPROC)
        redirects = [self.redirect(r) for r in redirect_nodes]
        extents += [(w.span.start, w.span.end) for w in argv]
        extents += [(r.span.start, r.span.end) for r in redirects]
        span = span_of(extents) if extents else self.span(node)
        self.builder.emit(nesting_ctx, argv, assignments, redirects, span)
        for child in expanding:
            self.expansion(child, nesting_ctx)
        for r in redirect_nodes:
            self.substitutions(r, nesting_ctx)

    def check_one_line(self, groups: list[list[Node]]) -> None:
        """A line break (not escaped) ends a simple command, yet tree-sitter-bash runs the
        next line into the last command of `a | b | c` when that line is an and-or list
        (`a | b | c⏎rm -rf / && x` gives `c rm -rf /`): the command on that line would be
        judged as arguments. Refused, so the other front end reads the line."""
        for before, after in pairwise(groups):
            gap = self.source[self.end(before[-1]) : self.start(after[0])]
            if "\n" in gap and "\n" in gap.replace("\\\n", ""):
                raise FrontendError(
                    "tree-sitter ran two lines into one command", self.start(after[0])
                )

    def bare_assignments(self, node: Node, ctx: Ctx) -> None:
        items = [node] if node.type == "variable_assignment" else list(node.named_children)
        assignments = [self.assignment(a) for a in items if a.type == "variable_assignment"]
        self.builder.emit(ctx, [], assignments, [], self.span(node))
        self.substitutions(node, ctx)

    def assignment(self, node: Node) -> tuple[str, Word]:
        start, end = self.start(node), self.end(node)
        split = split_assignment(self.source[start:end])
        if split is None:
            raise FrontendError("unexpected assignment", start)
        name, offset = split
        nested = may_hold_commands(self.source[start:end]) and _has_commands(node)
        return name, make_word(self.source, start + offset, end, nested=nested)

    def word(self, group: list[Node]) -> Word:
        start, end = self.start(group[0]), self.end(group[-1])
        raw = self.source[start:end]
        # may_hold_commands, inline (once per word of a long script)
        holds = ("$" in raw or "`" in raw or "(" in raw) and any(map(_has_commands, group))
        return word_of(raw, start, end, holds)

    def redirect(self, node: Node) -> Redirect:
        start = self.start(node)
        if node.type == "heredoc_redirect":
            return self.heredoc(node)
        fd: int | None = None
        op = ""
        for index, child in enumerate(node.children):
            field = node.field_name_for_child(index)
            if field == "descriptor":
                fd = int(self.text(child)) if self.text(child).isdigit() else None
            elif not child.is_named and not op:
                op = child.type
        targets = self.redirect_targets(node)[0]
        if op.endswith("&-") and not targets:  # `>&-`: tree-sitter folds the `-` in
            op = op[:-1]
            dash = self.end(node) - 1
            return Redirect(op, Word("-", "-", Span(dash, dash + 1)), self.span(node), fd)
        if not targets:
            raise FrontendError(f"redirection {op!r} without a target", start)
        target = self.word(targets)
        heredoc = target.text if op == "<<<" else None
        return Redirect(op, target, Span(start, target.span.end), fd, heredoc)

    def redirect_targets(self, node: Node) -> tuple[list[Node], list[list[Node]]]:
        """The target word's nodes, and the further words tree-sitter put in the redirect
        (`> f x y` has destinations f, x, y; bash makes x and y arguments)."""
        if node.type == "heredoc_redirect":
            return [], []
        nodes: list[Node] = []
        seen_op = False
        for index, child in enumerate(node.children):
            field = node.field_name_for_child(index)
            if field == "descriptor":
                continue
            if not child.is_named and not seen_op:
                seen_op = True
            elif field == "destination" or child.is_named:
                nodes.append(child)
        groups = _adjacent_groups(nodes)
        return (groups[0], groups[1:]) if groups else ([], [])

    def heredoc(self, node: Node) -> Redirect:
        op, fd = "<<", None
        start_node = body_node = end_node = None
        for index, child in enumerate(node.children):
            if node.field_name_for_child(index) == "descriptor":
                fd = int(self.text(child)) if self.text(child).isdigit() else None
            elif child.type in ("<<", "<<-"):
                op = child.type
            elif child.type == "heredoc_start":
                start_node = child
            elif child.type == "heredoc_body":
                body_node = child
            elif child.type == "heredoc_end":
                end_node = child
        if start_node is None or end_node is None:
            raise FrontendError("heredoc without its terminator", self.start(node), incomplete=True)
        delimiter, quoted = heredoc_delimiter(self.text(start_node))
        end_start = self.start(end_node)
        indent = self.source[_line_start(self.source, end_start) : end_start]
        # tree-sitter also ends a `<<` document at an indented terminator; bash does not.
        if self.text(end_node) != delimiter or indent.strip("\t" if op == "<<-" else ""):
            raise FrontendError("heredoc terminator does not match", end_start)
        body = ""
        if body_node is not None:
            # From the start of the body's first line up to the terminator's line (for `<<-`
            # tree-sitter starts the body after the first line's tabs).
            first_line = _line_start(self.source, self.start(body_node))
            body = self.source[first_line:end_start]
            body = body[: _line_start(body, len(body))]
        body = self._whole_body(node, start_node, end_start, body)
        if op == "<<-":
            body = strip_leading_tabs(body)
        return Redirect(op, None, Span(self.start(node), self.end(start_node)), fd, body, quoted)

    def _whole_body(self, node: Node, start_node: Node, end_start: int, body: str) -> str:
        """The body from the line after `<<DELIM` to the terminator, when tree-sitter lost
        its first lines: a body line starting with `\\` is read as a continuation and comes
        out as words, so the body node starts later (or is empty) and the hidden lines would
        never be judged. Only for a heredoc that is the first on its line; a later one's body
        starts after the earlier one's terminator, which tree-sitter gets right."""
        start_line = _line_start(self.source, self.start(start_node))
        siblings = node.parent.children if node.parent is not None else []
        for sibling in siblings:
            if (
                sibling.type == "heredoc_redirect"
                and sibling.start_byte < node.start_byte
                and _line_start(self.source, self.start(sibling)) == start_line
            ):
                return body
        newline = self.source.find("\n", self.end(start_node))
        if newline == -1 or newline >= end_start:
            return body
        whole = self.source[newline + 1 : end_start]
        whole = whole[: _line_start(whole, len(whole))]
        return whole if len(whole) > len(body) and whole.endswith(body) else body

    # ----- commands inside words ------------------------------------------------------------

    def substitutions(self, node: Node, ctx: Ctx) -> None:
        """Walk the commands in $(…), `…`, <(…), >(…) anywhere below `node`."""
        for child in node.children:
            self.expansion(child, ctx)

    def expansion(self, node: Node, ctx: Ctx) -> None:
        """Walk the commands in `node` if it is a substitution, else below it. Not below
        heredoc bodies (data) nor nested statements and heredoc redirects (walked as such)."""
        kind = node.type
        if kind == "command_substitution":
            self.check_backticks(node)
            self.sequence(node, ctx.substitution(NEST_CMDSUB))
        elif kind == "process_substitution":
            inward = self.source.startswith("<", self.start(node))
            self.sequence(node, ctx.substitution(NEST_PROCSUB_IN if inward else NEST_PROCSUB_OUT))
        elif kind not in _NOT_EXPANSIONS and node.child_count:
            self.substitutions(node, ctx)

    def check_backticks(self, node: Node) -> None:
        text = self.text(node)
        if text.startswith("`") and ("\\`" in text or "\\$" in text):
            raise FrontendError("nested substitutions inside backticks", self.start(node))

    # ----- positions ------------------------------------------------------------------------

    def _start_char(self, node: Node) -> int:
        return self.offsets(node.start_byte)

    def _end_char(self, node: Node) -> int:
        return self.offsets(node.end_byte)

    def span(self, node: Node) -> Span:
        return new_span(self.start(node), self.end(node))

    def text(self, node: Node) -> str:
        return self.source[self.start(node) : self.end(node)]


def _adjacent_groups(nodes: list[Node]) -> list[list[Node]]:
    """Nodes with no blank between them are one shell word (`$"x"` is two nodes)."""
    groups: list[list[Node]] = []
    for node in nodes:
        if groups and groups[-1][-1].end_byte == node.start_byte:
            groups[-1].append(node)
        else:
            groups.append([node])
    return groups


def _drop_keyword(argv: list[Word]) -> tuple[list[Word], str | None]:
    """`time [-p] CMD` and `coproc CMD` run CMD; tree-sitter sees the keyword as a command."""
    if not argv or argv[0].raw not in ("time", "coproc") or len(argv) == 1:
        return argv, None
    keyword = argv[0].raw
    rest = argv[1:]
    if keyword == "time":
        while rest and rest[0].raw in ("-p", "--"):
            rest = rest[1:]
    elif len(rest) > 1 and rest[1].raw in ("{", "("):
        raise FrontendError("coproc NAME { … } is not supported", rest[0].span.start)
    return (rest, keyword) if rest else (argv, None)


_TEST_WORDS = frozenset(
    {
        "word",
        "string",
        "raw_string",
        "ansi_c_string",
        "translated_string",
        "simple_expansion",
        "expansion",
        "command_substitution",
        "process_substitution",
        "arithmetic_expansion",
        "concatenation",
        "number",
        "test_operator",
        "regex",
        "extglob_pattern",
    }
)


def _test_words(node: Node) -> list[Node]:
    """The word nodes of `[ … ]`, which tree-sitter parses into an expression tree."""
    words: list[Node] = []
    for child in node.children:
        if child.type in _TEST_WORDS or child.child_count == 0:
            words.append(child)
        else:
            words += _test_words(child)
    return words


def _swallows(heredoc: Node) -> bool:
    """Whether a heredoc_redirect holds more than its own parts (see split_redirects)."""
    own = ("<<", "<<-", "heredoc_start", "heredoc_body", "heredoc_end", "file_descriptor")
    return any(child.type not in own for child in heredoc.children)


def _has_commands(node: Node) -> bool:
    if node.type in _SUBSTITUTIONS:
        return True
    return any(_has_commands(c) for c in node.children if c.type != "heredoc_body")


def _line_start(text: str, position: int) -> int:
    return text.rfind("\n", 0, position) + 1


def _list_members(node: Node) -> list[Node]:
    """The children of `node`; for an and-or list, those of the whole left-nested chain
    (`a && b || c` is list(list(a && b) || c)) in order, found without recursing: a long
    `&&` chain would otherwise exceed Python's recursion limit one level per `&&`. Walking
    the nested lists' children inline is what walking each nested list would do."""
    if node.type != "list":
        return list(node.children)
    tails: list[list[Node]] = []
    current = node
    while current.type == "list" and current.children and current.children[0].type == "list":
        tails.append(list(current.children[1:]))
        current = current.children[0]
    members = list(current.children)
    for tail in reversed(tails):
        members += tail
    return members
