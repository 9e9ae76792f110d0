"""The values the unwrap stage passes between its parts: where a nested source sits (`Frame`),
what is known where a command word is being peeled (`Site`), what could not be understood
(`Unparsed`), the stage's result (`Unwrapped`), and the interface a handler sees of the walk
(`Walk`, a protocol, so handler modules never import the walker).

May use: `safesh.model` and the standard library; nothing else of the package.
"""

from __future__ import annotations

from collections.abc import Callable

from safesh.model import Command, Context, Feed, ParsedLine, SimpleCommand, Span, Word
from safesh.record import frozen, replace

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any, Protocol

MAX_DEPTH = 6

ParseFn = Callable[[str], ParsedLine]


@frozen
class Unparsed:
    """Something the analysis had to understand but could not: a nested `bash -c` string or
    script that does not parse, too deep a nesting (kind "unparsable"), or code that only
    exists when the line runs: downloaded, generated or piped into a shell (kind "unseen"),
    or what the shell the line runs in defines, which it could not report (kind "session").
    The analysis turns it into an `ask`."""

    span: Span
    message: str
    source: str
    kind: str = "unparsable"


@frozen
class Unwrapped:
    commands: tuple[Command, ...]
    unparsed: tuple[Unparsed, ...]


@frozen
class Frame:
    """Where a nested source sits: every command found inside takes the outer span, so a
    report points at the place in the line the human typed."""

    depth: int
    via: tuple[str, ...]
    span: Span | None
    remote_host: str | None
    cwd: str | None
    cwd_known: bool
    # The arguments of the function call whose body this frame walks (`$1`, `"$@"`).
    positional: tuple[str, ...] | None = None


def nested_frame(
    frame: Frame, simple: SimpleCommand, via: tuple[str, ...], host: str | None = None
) -> Frame:
    """The frame of a command line that a command in `frame` hands to another shell."""
    return Frame(
        depth=frame.depth + 1,
        via=via,
        span=frame.span or simple.span,
        remote_host=host or frame.remote_host,
        # A remote or nested shell starts where the outer one stands; a remote host's
        # directory is unknown.
        cwd=None if host else frame.cwd,
        cwd_known=False if host else frame.cwd_known,
    )


@frozen
class Site:
    """What is known where a command word is being peeled: the simple command it came from,
    the nesting frame, what feeds its standard input, and what the wrappers peeled so far
    said (their names, unseen arguments, a remote host, environment assignments)."""

    simple: SimpleCommand
    frame: Frame
    feed: Feed | None
    functions: frozenset[str]
    via: tuple[str, ...]
    args_unknown: bool = False
    remote_host: str | None = None
    assignments: tuple[tuple[str, str], ...] = ()
    # The words were already expanded with the values the line gives its variables.
    expanded: bool = False

    def inner(self, wrapper: str, **changes: Any) -> Site:
        """The site of the command that `wrapper` runs."""
        if not changes.keys() <= _SITE_FIELDS:
            return replace(self, via=(*self.via, wrapper), **changes)  # raises, as it should
        # Built directly (a record's replace() costs several microseconds; a long line peels
        # a wrapper or an expansion off thousands of commands).
        site = new_site(
            self.simple,
            self.frame,
            self.feed,
            self.functions,
            (*self.via, wrapper),
            self.args_unknown,
            self.remote_host,
            self.assignments,
            self.expanded,
        )
        site.__dict__.update(changes)
        return site

    def nested_frame(self, host: str | None = None) -> Frame:
        """The frame for a command line this site hands to another shell."""
        return nested_frame(self.frame, self.simple, self.via, host)

    def nested(self, wrapper: str, host: str | None = None) -> Frame:
        """The frame for a command line that `wrapper` hands to another shell."""
        return self.inner(wrapper).nested_frame(host)


# Every field of Site but `via`, which `inner` extends.
_SITE_FIELDS = frozenset(
    {"simple", "frame", "feed", "functions", "args_unknown", "remote_host", "assignments",
     "expanded"}
)  # fmt: skip


def new_site(
    simple: SimpleCommand,
    frame: Frame,
    feed: Feed | None,
    functions: frozenset[str],
    via: tuple[str, ...],
    args_unknown: bool,
    remote_host: str | None,
    assignments: tuple[tuple[str, str], ...],
    expanded: bool,
) -> Site:
    """Site(…every field in order…) without the record's __init__, one per command of the
    line: see safesh.model's builders (Site has no __post_init__ and no factory either)."""
    site: Site = object.__new__(Site)
    state = site.__dict__
    state["simple"] = simple
    state["frame"] = frame
    state["feed"] = feed
    state["functions"] = functions
    state["via"] = via
    state["args_unknown"] = args_unknown
    state["remote_host"] = remote_host
    state["assignments"] = assignments
    state["expanded"] = expanded
    return site


if TYPE_CHECKING:

    class Walk(Protocol):
        """What a handler may ask of the walk in progress."""

        @property
        def context(self) -> Context: ...

        @property
        def parse(self) -> ParseFn: ...

        def peel(self, words: list[Word], site: Site) -> None:
            """Find the command `words` really runs, emitting it and what it nests."""

        def emit(self, words: Sequence[Word], site: Site, dynamic: bool = False) -> None:
            """Record `words` as a command that runs."""

        def walk_source(self, source: str, frame: Frame, what: str) -> None:
            """Parse `source` as a command line of its own and walk it."""

        def note_unparsed(
            self, frame: Frame, message: str, source: str, kind: str = "unparsable"
        ) -> None:
            """Record something that could not be understood (the analysis asks)."""

        def written_script(self, path: str, site: Site) -> Feed | None:
            """What an earlier command in this line wrote to `path`, if it wrote it."""

        def run_written(self, path: str, written: Feed, site: Site, runner: str) -> None:
            """Judge running a file written earlier in this line."""

        def note_git_alias(self, name: str, value: str) -> None:
            """`git config alias.NAME VALUE` earlier in the line defines NAME for later."""

        def git_alias(self, name: str) -> str | None:
            """The value of a git alias the line defined, if it did."""

    # A handler receives the walk, the command name and the words starting at that name.
    Handler = Callable[[Walk, str, list[Word], Site], None]
