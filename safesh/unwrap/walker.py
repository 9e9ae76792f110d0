"""The walk itself: every simple command of a parsed line, in order, peeled by the handler its
command name selects (`safesh.unwrap.handlers`), with the state one line carries from command
to command (the directory `cd` moved to, HOME/TMPDIR/PWD assigned, files written) and the
emission of each command found as a `Command` for the rules.

May use: `safesh.model`, every other module of `safesh.unwrap` and the standard library; no
module of the package imports this one except the package itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter

from safesh.lazy_re import later
from safesh.model import (
    Command,
    Context,
    Feed,
    ParsedLine,
    ParseError,
    SimpleCommand,
    Span,
    Word,
    new_command,
)
from safesh.record import field, mutable, replace
from safesh.unwrap import definitions, injectors, wrappers
from safesh.unwrap.command_word import brace_words, has_glob, which_name
from safesh.unwrap.cwd import cd_target, is_prefix, scope
from safesh.unwrap.definitions import (
    LEAVERS,
    NO_SESSION,
    NOT_FOUND_HANDLER,
    SessionState,
    rerouted,
    runs_not_found_handler,
    session_body,
    session_functions,
    session_traps,
)
from safesh.unwrap.expand import Bindings, Lookup, Value, readings
from safesh.unwrap.feeds import Pipelines, feed_for, heredoc_substitutions, mentions_download
from safesh.unwrap.handlers import handler as handler_of
from safesh.unwrap.site import MAX_DEPTH, Frame, ParseFn, Site, Unparsed, Unwrapped, new_site
from safesh.unwrap.variables import (
    BINDERS,
    DECLARERS,
    HOLDS_COMMANDS,
    PATH_VARS,
    STARTUP_VARS,
    alias_definitions,
    called_bodies,
    command_variables,
    guarded_assignments,
    loop_variables,
    note_bindings,
    path_assignments,
    reassigned_word,
)
from safesh.unwrap.words import command_name, is_assignment, looks_like_bad_assignment, resolve_path
from safesh.unwrap.written import UNREDIRECTED, WRITERS, written_by


def unwrap(
    parsed: ParsedLine,
    context: Context,
    parse: ParseFn | None = None,
    session: SessionState | None = None,
) -> Unwrapped:
    """Every command `parsed` will run, with wrappers peeled and nested shells parsed.
    `session`: what the shell the line runs in already defines (the interactive shell)."""
    if parse is None:
        from safesh.parse import parse_line

        parse = parse_line
    walker = Walker(context=context, parse=parse)
    frame = Frame(depth=0, via=(), span=None, remote_host=None, cwd=None, cwd_known=True)
    if session is not None:
        walker.start_from(session, Frame(0, (), Span(0, len(parsed.source)), None, None, True))
    walker.walk_line(parsed, frame)
    if session is not None and any(c.name in LEAVERS and not c.via for c in walker.commands):
        walker.exit_traps(frame)
    if context.live_input:
        # An agent can type into what the line starts, and no hook sees what it types. (The
        # module is loaded only for such a line: most have no live input.)
        from safesh.unwrap.live_input import live_input_problems

        walker.unparsed.extend(live_input_problems(walker.commands, parsed.commands, context))
    return Unwrapped(tuple(walker.commands), tuple(walker.unparsed))


@mutable
class Walker:
    """Collects what one `unwrap` call finds; lives only for that call."""

    context: Context
    parse: ParseFn
    commands: list[Command] = field(default_factory=list)
    unparsed: list[Unparsed] = field(default_factory=list)
    # Each parsed line's pipelines, indexed once (by id; the line is kept alive beside them).
    pipelines: dict[int, tuple[ParsedLine, Pipelines]] = field(default_factory=dict)
    # HOME / TMPDIR assigned earlier in the line (`export HOME=/; rm -rf ~`): words that
    # expand them can no longer be judged from the context's values.
    line_assigned: dict[str, str] = field(default_factory=dict)
    # BASH_ENV, SAFESH_*, XDG_*, PATH … exported earlier in the line: every later command
    # inherits them (a shell's start-up file, a nested safesh's settings).
    line_guarded: dict[str, str] = field(default_factory=dict)
    # Files an earlier command in the line writes (`curl -o i.sh URL`, `cat > run.sh <<EOF`),
    # by absolute path: a later `bash i.sh` runs what was written, not what is on disk now.
    written: dict[str, Feed] = field(default_factory=dict)
    # Values the line gives its variables so far (see expand.py).
    bindings: Bindings = field(default_factory=Bindings)
    # The bodies of functions the line defines and calls, by name.
    bodies: dict[str, tuple[ParsedLine, list[SimpleCommand]]] = field(default_factory=dict)
    # Aliases the line defines (`alias g=git`), and git aliases it configures.
    aliases: dict[str, str | None] = field(default_factory=dict)
    git_aliases: dict[str, str] = field(default_factory=dict)
    # The function bodies being walked for a call (a recursive call is not walked again).
    calling: set[int] = field(default_factory=set)
    # What the shell the line runs in already defines (`start_from`).
    session: SessionState = field(default=NO_SESSION)
    # The context's environment as a dict (`_env`).
    env: dict[str, str] | None = None

    def exit_traps(self, frame: Frame) -> None:
        """The session's EXIT action, judged when the line leaves the shell."""
        for signal, action in session_traps(self.session, leaving=True):
            self.walk_source(action, replace(frame, via=(f"trap {signal}",)), f"trap {signal}")

    def start_from(self, session: SessionState, frame: Frame) -> None:
        """Begin with what the session's shell holds, as if an earlier part of the line had
        defined it: its aliases, variables and `"$@"`; its functions are parsed when called.
        What it could not report makes the line ask."""
        self.session = session
        # The start-up files its exported BASH_ENV / ENV name run in every shell it starts.
        for name in STARTUP_VARS:
            startup = self.context.getenv(name)
            if startup:
                self.line_guarded[name] = startup
        self.aliases.update(session.aliases)
        for name, value in session.variables:
            self.bindings.assign(name, value)
        if session.positional is not None:
            self.bindings.assign("@", session.positional)
        for problem in session.problems:
            message = f"safesh cannot tell what the shell defines: {problem}"
            self.note_unparsed(frame, message, "", kind="session")

    # -- lines -----------------------------------------------------------------------------

    def pipelines_of(self, parsed: ParsedLine) -> Pipelines:
        """`parsed`'s pipelines, indexed on first use: finding a command's predecessor (and a
        download upstream of it) then costs the same at every stage of a long pipeline."""
        known = self.pipelines.get(id(parsed))
        if known is None:
            known = self.pipelines[id(parsed)] = (parsed, Pipelines(parsed))
        return known[1]

    def walk_line(self, parsed: ParsedLine, frame: Frame) -> None:
        bodies = called_bodies(parsed)
        definitions.shadowed_builtin(self, parsed.functions, frame)
        outer = (self.bindings, self.bodies, dict(self.aliases))
        # A nested line sees what the outer line set (eval and source run in the same
        # shell); what it sets does not leak back out.
        # Another host sees none of this shell's variables.
        self.bindings = self.bindings.copy() if frame.remote_host is None else Bindings()
        self.bindings.unknown |= loop_variables(parsed.source)
        self.bodies = {**self.bodies, **{name: (parsed, body) for name, body in bodies.items()}}
        skip = {id(simple) for _, body in bodies.items() for simple in body}
        self.walk_commands(parsed.commands, parsed, frame, skip)
        self.bindings, self.bodies, self.aliases = outer

    def walk_commands(
        self,
        commands: Sequence[SimpleCommand],
        parsed: ParsedLine,
        frame: Frame,
        skip: set[int],
    ) -> None:
        """Walk `commands` in order, carrying what each changes for the next: the directory,
        variables, aliases, files written. Commands in `skip` (the bodies of functions the
        line calls) are judged at each call instead."""
        functions = frozenset(parsed.functions) | session_functions(self.session)
        pipelines = self.pipelines_of(parsed)
        cwd_stack: list[tuple[tuple[str, ...], str | None, bool]] = []
        cwd, cwd_known = frame.cwd, frame.cwd_known
        inner = frame  # the frame of the commands at the current directory, made once per cd
        previous_end = 0
        for simple in commands:
            # A `cd` only holds for commands at its nesting level or deeper: `(cd /tmp); rm x`
            # must not evaluate `x` under /tmp.
            while cwd_stack and not is_prefix(cwd_stack[-1][0], scope(simple.nesting)):
                _, cwd, cwd_known = cwd_stack.pop()
            between = parsed.source[previous_end : simple.span.start]
            previous_end = max(previous_end, simple.span.end)
            if id(simple) in skip:
                continue
            if (inner.cwd, inner.cwd_known) != (cwd, cwd_known):
                inner = replace(frame, cwd=cwd, cwd_known=cwd_known)
            if self.session.traps:
                self.every_command_traps(inner)
            self.walk_simple(simple, pipelines, inner, functions)
            # `a && b`, `a || b`: what the second one sets may not happen.
            conditional = "&&" in between or "||" in between
            name = self.note_line_state(simple, pipelines, inner, conditional)
            moved = cd_target(simple, inner, self.context) if name in _MAY_MOVE else None
            if moved is not None:
                cwd_stack.append((scope(simple.nesting), cwd, cwd_known))
                cwd, cwd_known = moved
        if self.session.traps:
            # bash's prompt runs commands of its own after the line: the traps run again
            # then, with what the line left in the variables.
            self.every_command_traps(replace(frame, cwd=cwd, cwd_known=cwd_known))

    def every_command_traps(self, frame: Frame) -> None:
        """The session's trap actions (but EXIT), judged before each command of the line
        typed, with the variables as they are there: DEBUG runs there, and the others (ERR,
        RETURN, CHLD, INT…) may. Not in a function's body or a nested line."""
        if frame.depth or frame.via:
            return
        for signal, action in session_traps(self.session, leaving=False):
            self.walk_source(action, replace(frame, via=(f"trap {signal}",)), f"trap {signal}")

    def note_line_state(
        self, simple: SimpleCommand, pipelines: Pipelines, frame: Frame, conditional: bool
    ) -> str | None:
        """What `simple` changes for the commands after it: HOME/TMPDIR/PWD, variables,
        aliases, files it writes. Returns the program its command word names (None: none)."""
        # Each is asked only of a command it may find something in (the names each looks
        # for first): most commands assign, define and write nothing.
        argv = simple.argv
        head = argv[0].text if argv else None
        name = None if head is None else command_name(head)
        if name is None or name in DECLARERS:
            self.line_assigned.update(path_assignments(simple))
            self.line_guarded.update(guarded_assignments(simple))
        if name is None or (argv[0].static and name in BINDERS):
            text = pipelines.parsed.source[simple.span.start : simple.span.end]
            note_bindings(
                self.bindings, simple, text, conditional, lambda raw: self._resolve(raw, frame)
            )
        if head == "alias":
            self.aliases.update(alias_definitions(simple))
        peeled = pipelines.argv(simple)
        if peeled and peeled[0] in WRITERS and (simple.redirects or peeled[0] in UNREDIRECTED):
            base = frame.cwd or self.context.cwd
            self.written.update(written_by(simple, base, self.context.home, peeled))
        return name

    def walk_source(self, source: str, frame: Frame, what: str) -> None:
        if frame.depth > MAX_DEPTH:
            self.note_unparsed(frame, f"{what} nests deeper than {MAX_DEPTH} levels", source)
            return
        try:
            parsed = self.parse(source)
        except ParseError as error:
            self.note_unparsed(frame, f"cannot parse the {what}: {error}", source)
            return
        self.walk_line(parsed, frame)

    def note_unparsed(
        self, frame: Frame, message: str, source: str, kind: str = "unparsable"
    ) -> None:
        self.unparsed.append(Unparsed(frame.span or Span(0, len(source)), message, source, kind))

    # -- files written earlier in the line ---------------------------------------------------

    def written_script(self, path: str, site: Site) -> Feed | None:
        """What an earlier command in this line wrote to `path`, if it wrote it."""
        base = site.frame.cwd or self.context.cwd
        return self.written.get(resolve_path(path, base, self.context.home))

    def run_written(self, path: str, written: Feed, site: Site, runner: str) -> None:
        """Judge running a file written earlier in this line: its text when it is known,
        else (a download, computed output) it cannot be judged."""
        if written.kind == "download":
            self.note_unparsed(
                site.frame,
                f"{runner} runs {path}, which {' '.join(written.source)[:80]} downloads earlier"
                " in this line: code from the network that nobody has read",
                path,
                kind="unseen",
            )
        elif written.text is not None:
            self.walk_source(written.text, site.nested(f"{runner} {path}"), f"script {path}")
        else:
            self.note_unparsed(
                site.frame,
                f"{runner} runs {path}, whose contents this line computes",
                path,
                kind="unseen",
            )

    # -- simple commands ---------------------------------------------------------------------

    def walk_simple(
        self,
        simple: SimpleCommand,
        pipelines: Pipelines,
        frame: Frame,
        functions: frozenset[str],
    ) -> None:
        feed = feed_for(simple, pipelines)
        guarded = tuple(self.line_guarded.items())
        # Positional (see emit): simple, frame, feed, functions, via, args_unknown,
        # remote_host, assignments, expanded.
        host = frame.remote_host
        site = new_site(simple, frame, feed, functions, frame.via, False, host, guarded, False)
        if definitions.defines_anything(simple):
            definitions.special_elements(self, site)
            definitions.prompt_assignments(self, site)
        self.peel(list(simple.argv), site)
        if simple.redirects:
            self._walk_heredoc_substitutions(site)

    def _walk_heredoc_substitutions(self, site: Site) -> None:
        """bash expands `$(…)` and backticks in the body of an unquoted heredoc (`cat <<EOF`)
        before the command reads it: those commands run whatever the command is."""
        for redirect in site.simple.redirects:
            if redirect.op not in {"<<", "<<-"} or redirect.heredoc_quoted:
                continue
            if redirect.heredoc is None:
                continue
            substitutions = heredoc_substitutions(redirect.heredoc)
            if substitutions is None:
                self.note_unparsed(
                    site.frame, "an unterminated $( or ` in a heredoc body", redirect.heredoc
                )
                continue
            for source in substitutions:
                self.walk_source(source, site.nested("heredoc $(…)"), "heredoc substitution")

    def peel(self, words: list[Word], site: Site) -> None:
        """Find the command `words` really runs, emitting it (and anything it nests)."""
        if site.remote_host is None and site.frame.remote_host is not None:
            site = replace(site, remote_host=site.frame.remote_host)
        # `env A=1 cmd` and a leading assignment that the parser left in argv
        while words and words[0].static and "=" in words[0].text and is_assignment(words[0].text):
            name, _, value = words[0].text.partition("=")
            site = replace(site, assignments=(*site.assignments, (name, value)))
            words = words[1:]
        if (
            len(words) > 1
            and words[0].static
            and "=" in words[0].text  # what the pattern needs first (cheaper than a search)
            and looks_like_bad_assignment(words[0].text)
        ):
            # `1A=2 git reset --hard`: bash would report "command not found", but a word that
            # was meant as an assignment is no program; judge what follows it.
            self.peel(words[1:], site.inner(words[0].text))
            return
        if words and not words[0].static:
            named = which_name(words[0].raw)
            if named is not None:
                # `$(which python3) -m pytest` runs python3, whatever PATH finds for it
                head = replace(words[0], text=named, raw=named, static=True)
                self.peel([head, *words[1:]], site.inner(f"$(which {named})"))
                return
        if not site.expanded and not all(map(_STATIC, words)):
            found = readings(words, self._lookup(site))
            if found is not None:
                # Each way the words may read once the line's variables are expanded.
                for reading in found:
                    self.peel(list(reading.words), site.inner(reading.label, expanded=True))
                return
        if not words:
            if site.simple.redirects and not site.via:
                self.emit(words, site)
            return
        head = words[0]
        if not head.static:
            self.emit(words, site, dynamic=True)
            return
        if head.raw == head.text and _UNREAD_SYNTAX.search(head.raw):
            # An unquoted command word cannot hold blanks or operators: the parser did not
            # understand this part of the line (`time (…)`); read it again as a line.
            source = " ".join(w.raw for w in words)
            self.walk_source(source, site.nested("re-read"), "command word")
            return
        raw = head.raw
        expandable = "{" in raw or "*" in raw or "?" in raw or "[" in raw  # what it reads
        if expandable and self._expanded_command_word(words, site):
            return
        name = command_name(head.text)
        if head.raw == head.text and name in self.aliases and f"alias {name}" not in site.via:
            # An alias: bash reads its value in place of the word. Only where the word is a
            # command word of a later line, though; after `sudo`, in `bash -c`, or on the
            # line that defines it, the word runs as written, so that is judged as well.
            alias = self.aliases[name]
            if alias is None:
                self.emit(words, site, dynamic=True)
                return
            value = " ".join([alias, *(w.raw for w in words[1:])])
            self.walk_source(value, site.nested(f"alias {name}"), f"alias {name}")
        for path in rerouted(self.session, name) if self.session.hashed else ():
            # `hash -p PATH NAME` earlier in the session: NAME runs PATH.
            self.peel([replace(head, text=path, raw=path), *words[1:]], site.inner(f"hash {name}"))
        if name in site.functions:
            # A call of a function defined in this line: its body runs with these arguments
            # (a body of a function never called here was judged where it stands).
            self.emit(words, site)
            self._call(name, words, site)
            return
        if "/" in head.text:
            written = self.written_script(head.text, site)
            if written is not None and written.kind == "program":
                # `cp /bin/rm ./x && ./x -rf ~`: the copy (or link) runs the program it is.
                program = written.source[0]
                self.peel(
                    [replace(head, text=program, raw=program), *words[1:]],
                    site.inner(f"{head.text}, a copy of {program}"),
                )
                return
            if written is not None:
                self.emit(words, site)
                self.run_written(head.text, written, site, "the line")
                return
        handler = handler_of(name)
        if (
            site.assignments
            or site.simple.assignments
            or not HOLDS_COMMANDS.isdisjoint(self.bindings.values)
        ) and (handler is None or name in _RUNS_COMMAND_VARIABLES or _runs_command_options(name)):
            self._command_variables(site)
        if handler is None or len(site.via) > 4 * MAX_DEPTH:
            self.emit(words, site)
            if handler is None and len(site.via) <= 4 * MAX_DEPTH:
                if not injectors.runs_after_dashes(self, name, words, site):
                    wrappers.scan_unknown_wrapper(self, name, words, site)
                # (the session's functions first: PATH is looked up in the whole environment)
                if self.session.functions and runs_not_found_handler(
                    self.session, name, self.context.getenv("PATH")
                ):
                    # bash runs the session's handler with the words as its arguments
                    handler_words = [replace(head, text=NOT_FOUND_HANDLER), *words]
                    self._call(NOT_FOUND_HANDLER, handler_words, site)
            return
        handler(self, name, words, site)

    def _expanded_command_word(self, words: list[Word], site: Site) -> bool:
        """A command word bash expands before it looks the program up: `{rm,-rf,~}` is
        read again as the words it gives; `/bin/r[m]` names a program only the filesystem
        knows, so it is judged as computed at run time (asks)."""
        raw = words[0].raw
        if "{" in raw:
            expanded = brace_words(raw)
            if expanded == []:
                self.emit(words, site, dynamic=True)
                return True
            if expanded is not None:
                source = " ".join([*expanded, *(w.raw for w in words[1:])])
                self.walk_source(source, site.nested("brace expansion"), "command word")
                return True
        if has_glob(raw):
            self.emit(words, site, dynamic=True)
            return True
        return False

    def _command_variables(self, site: Site) -> None:
        """`PAGER='rm -rf ~' man ls`, `LESSOPEN='|x %s' less f`: the program runs the value."""
        own = [(k, v.text) for k, v in site.simple.assignments if v.static]
        # set earlier in the line (`export PAGER=…; man ls`): each value it may hold
        earlier = [
            (k, " ".join(v))
            for k in HOLDS_COMMANDS & self.bindings.values.keys()
            for v in self.bindings.values[k]
            if v is not None
        ]
        for key, value in command_variables([*earlier, *own, *site.assignments]):
            if key not in site.via:  # the value's own commands see the same variable
                self.walk_source(value, site.nested(key), f"{key} command")

    def _resolve(self, raw: str, frame: Frame) -> list[Value]:
        """The values an assignment's expanding value may have (`OUT=${OUT:-dist}`,
        `t="$HOME/.cache"`): no word splitting, one value per reading; None when unknown."""
        fallback = {"HOME": self.context.home, "PWD": frame.cwd or self.context.cwd}
        lookup = Lookup(self.bindings, frame.positional, self._env(), fallback)
        found = readings([Word(raw, raw, Span(0, len(raw)), static=False)], lookup)
        if found is None:
            return [None]
        values: list[Value] = []
        for reading in found:
            if len(reading.words) == 1 and reading.words[0].static:
                values.append((reading.words[0].text,))
            elif not reading.words:
                values.append(("",))
            else:
                values.append(None)
        return values

    def _lookup(self, site: Site) -> Lookup:
        return Lookup(self.bindings, site.frame.positional, self._env())

    def _env(self) -> dict[str, str]:
        """The context's environment as a dict, made once per walk (Lookup only reads it)."""
        if self.env is None:
            self.env = dict(self.context.env)
        return self.env

    def _call(self, name: str, words: list[Word], site: Site) -> None:
        if name not in self.bodies:
            found = session_body(self.session, name, self.parse, site.frame, self)
            if found is None:
                return
            self.bodies[name] = found
        parsed, body = self.bodies[name]
        if id(body) in self.calling:
            return  # a recursive call: the body is being judged already
        args = tuple(w.text for w in words[1:]) if all(w.static for w in words[1:]) else None
        frame = replace(
            site.frame,
            via=(*site.via, f"function {name}"),
            positional=args,
            span=site.frame.span or site.simple.span,
        )
        self.calling.add(id(body))
        try:
            self.walk_commands(body, parsed, frame, set())
        finally:
            self.calling.discard(id(body))

    def note_git_alias(self, name: str, value: str) -> None:
        self.git_aliases[name] = value

    def git_alias(self, name: str) -> str | None:
        return self.git_aliases.get(name)

    def emit(
        self,
        words: Sequence[Word],
        site: Site,
        dynamic: bool = False,
        _variant: bool = False,
    ) -> None:
        simple, frame, feed = site.simple, site.frame, site.feed
        name = (
            command_name(words[0].text)
            if words and not dynamic
            else (words[0].text if words else "")
        )
        assignments = site.assignments
        if simple.assignments:
            assignments = tuple((k, v.text) for k, v in simple.assignments) + assignments
        reassigned = (
            PATH_VARS & ({k for k, _ in assignments} | set(self.line_assigned))
            if assignments or self.line_assigned
            else _NONE
        )
        if reassigned and words and not dynamic and not _variant:
            # `TMPDIR=/x rm -rf $TMPDIR/y` expands the old value, `export TMPDIR=/x; rm …` the
            # new one (unless a subshell ended in between): both readings are judged.
            values = {**self.line_assigned, **dict(assignments)}
            variant = [words[0], *(reassigned_word(w, reassigned, values) for w in words[1:])]
            if variant != list(words):
                label = ", ".join(f"{n}={values.get(n, '')}" for n in sorted(reassigned))
                self.emit(variant, site.inner(label), dynamic, _variant=True)
        if feed is None and len(words) > 1 and "<(" in "\0".join(map(_RAW, words[1:])):
            downloads = [w.raw for w in words[1:] if "<(" in w.raw and mentions_download(w.raw)]
            if downloads:
                feed = Feed("process-substitution-download", source=tuple(downloads))
        argv = (name, *map(_TEXT, words[1:])) if words else ()
        # Built directly, every field in Command's order (safesh.model.new_command): one is
        # made per command found (tests/test_large_inputs.py pins the order).
        self.commands.append(
            new_command(
                name,  # name
                argv,  # argv
                tuple(words),  # words
                frame.span or simple.span,  # span
                " ".join(map(_RAW, simple.argv)),  # source
                simple.redirects,  # redirects
                assignments,  # assignments
                site.via,  # via
                simple.nesting,  # nesting
                feed,  # feed
                simple.pipeline,  # pipeline
                dynamic,  # dynamic
                site.args_unknown,  # args_unknown
                site.remote_host,  # remote_host
                frame.depth,  # depth
                simple.background,  # background
                frame.cwd,  # cwd
                frame.cwd_known,  # cwd_known
            )
        )


# Handlers of programs that run a pager or an editor themselves (the others pass the
# environment on to a command that is judged in turn).
# Programs with a handler of their own that still run a command variable's value: git and
# crontab themselves, and shells, whose commands inherit it (an interactive bash also runs
# PROMPT_COMMAND before each prompt).
_RUNS_COMMAND_VARIABLES = frozenset({"git", "crontab", "bash", "sh", "zsh", "dash", "ksh"})
_NONE: frozenset[str] = frozenset()
# Command names cd_target may find a move in (`builtin cd`, `command cd` too).
_MAY_MOVE = frozenset({"cd", "pushd", "builtin", "command"})
_UNREAD_SYNTAX = later(r"[\s();|&<>]")
# A word's fields, read in C (map, all): a long line asks for them per word of each command.
_STATIC = attrgetter("static")
_TEXT = attrgetter("text")
_RAW = attrgetter("raw")


def _runs_command_options(name: str) -> bool:
    """Whether `name` runs a command given in one of its options (`rsync -e`, `tar
    --to-command`): its handler's table, loaded only for a line that sets variables."""
    from safesh.unwrap.runners import COMMAND_OPTIONS

    return name in COMMAND_OPTIONS
