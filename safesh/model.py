"""The values that flow between the stages of the pipeline.

parse  -> ParsedLine (SimpleCommand, Word, Redirect)
unwrap -> tuple[Command, ...]        (wrappers peeled, nested shells parsed)
classify -> tuple[Finding, ...]      (rules matched against each Command)
decide -> Outcome                    (what to do: run, prompt, refuse)

Every value here is immutable, so a stage can never change what an earlier stage saw.
"""

from __future__ import annotations

from safesh.choice import Choice
from safesh.record import field, frozen


class Tier(Choice):
    """A decision tier, ordered by severity (compare with `.severity`)."""

    ALLOW = "allow"
    NOTIFY = "notify"
    ASK = "ask"
    BLOCK = "block"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]

    @classmethod
    def most_severe(cls, tiers: list[Tier] | tuple[Tier, ...]) -> Tier:
        return max(tiers, key=lambda t: t.severity, default=cls.ALLOW)

    @classmethod
    def parse(cls, text: str) -> Tier:
        try:
            return cls(text)
        except ValueError:
            names = ", ".join(t.value for t in cls)
            raise ValueError(f"unknown tier {text!r} (expected one of: {names})") from None


_SEVERITY = {Tier.ALLOW: 0, Tier.NOTIFY: 1, Tier.ASK: 2, Tier.BLOCK: 3}


@frozen
class Span:
    """Character offsets [start, end) into the top-level command line."""

    start: int
    end: int


@frozen
class Word:
    """One shell word.

    `text` is the value after quote removal when the word is static (no parameter, command or
    arithmetic expansion). A word with expansions keeps its raw form in `text` and has
    `static=False`. Tilde and glob characters are left in `text` (`~/x`, `*.log`); `glob` says
    whether the word contains unquoted glob characters.
    """

    text: str
    raw: str
    span: Span
    static: bool = True
    glob: bool = False


@frozen
class Redirect:
    """A redirection. `op` is the operator as bash spells it: `>`, `>>`, `<`, `<<`, `<<-`,
    `<<<`, `>&`, `&>`, `>|`, `<>`. `target` is the file word (None for a heredoc); `fd` the
    explicit descriptor number if one was written (`2>`). `heredoc` holds the body of a `<<`
    document or the word of a `<<<` here-string."""

    op: str
    target: Word | None
    span: Span
    fd: int | None = None
    heredoc: str | None = None
    heredoc_quoted: bool = False


@frozen
class SimpleCommand:
    """A simple command as the parser found it, before wrappers are understood.

    `argv` starts with the command word (assignments and redirections excluded). An empty argv
    means a bare assignment or redirection (`x=1`, `> file`).

    `pipeline` identifies the pipeline the command belongs to: (pipeline id, index in it,
    length of it). Commands that share a pipeline id are connected by `|`; index 0 is the
    first. `nesting` names the constructs around the command from outermost to innermost,
    e.g. ("$(…)",), ("function f",), ("for",), ("<(…)",).
    """

    argv: tuple[Word, ...]
    span: Span
    assignments: tuple[tuple[str, Word], ...] = ()
    redirects: tuple[Redirect, ...] = ()
    pipeline: tuple[int, int, int] = (0, 0, 1)
    nesting: tuple[str, ...] = ()
    background: bool = False


@frozen
class ParsedLine:
    """A whole command line (or script) as a flat list of simple commands."""

    source: str
    commands: tuple[SimpleCommand, ...]
    frontend: str  # "bashlex" or "tree-sitter"
    # Names of shell functions defined in the line; calling one is not a dynamic command.
    functions: tuple[str, ...] = ()


class ParseError(Exception):
    """Neither front-end could parse the line. `position` is a character offset or None.
    `incomplete` is True when the line ends too early (open quote, heredoc, `if` without
    `fi`, trailing `|`): more input could make it parse (the interactive shell reads on)."""

    def __init__(
        self, message: str, source: str, position: int | None = None, incomplete: bool = False
    ) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.position = position
        self.incomplete = incomplete

    def __str__(self) -> str:
        if self.position is None:
            return self.message
        return f"{self.message} (at character {self.position})"


@frozen
class Feed:
    """What feeds a command's standard input, when the analysis knows it.

    kind: "heredoc" (text is the body), "herestring" (text is the word), "pipe" (source is the
    argv of the command before it in the pipeline), "download" (the pipe source fetches from
    the network: curl, wget, ...), "process-substitution-download" (`bash <(curl …)`).
    """

    kind: str
    text: str | None = None
    source: tuple[str, ...] = ()


@frozen
class Command:
    """The unit that rules are matched against: one command as it will really run.

    `name` is the normalised command word (`\\rm`, `"rm"`, `/bin/rm` -> `rm`). `argv` holds the
    word texts with argv[0] == name. `via` records the wrappers and nesting that were peeled to
    reach it, outermost first, e.g. ("sudo",), ("bash -c",), ("ssh db1",), ("xargs",).
    `dynamic` is True when the command word is not static, so the command cannot be judged.
    `args_unknown` is True when a wrapper appends arguments the analysis cannot see
    (xargs, find -exec {}, parallel). `remote_host` is set for commands run through ssh.
    """

    name: str
    argv: tuple[str, ...]
    words: tuple[Word, ...]
    span: Span
    source: str
    redirects: tuple[Redirect, ...] = ()
    assignments: tuple[tuple[str, str], ...] = ()
    via: tuple[str, ...] = ()
    nesting: tuple[str, ...] = ()
    feed: Feed | None = None
    pipeline: tuple[int, int, int] = (0, 0, 1)
    dynamic: bool = False
    args_unknown: bool = False
    remote_host: str | None = None
    depth: int = 0
    background: bool = False
    # The directory the command runs in when an earlier `cd` in the same line changed it
    # (None: the context's cwd). `cwd_known` is False after a `cd` to a non-static place,
    # so relative paths can be anywhere.
    cwd: str | None = None
    cwd_known: bool = True


@frozen
class Context:
    """What the analysis knows about where the command runs. Cheap and local only."""

    cwd: str
    home: str
    env: tuple[tuple[str, str], ...] = ()
    repo_root: str | None = None
    # The line's standard input is a terminal an agent keeps and types into later (Codex's
    # `exec_command` with a terminal, then `write_stdin`), which safesh never sees: a program
    # that runs what is typed at it cannot be judged by its start alone.
    live_input: bool = False

    def getenv(self, name: str) -> str | None:
        for key, value in self.env:
            if key == name:
                return value
        return None


@frozen
class Finding:
    """One rule that matched one command (or the line as a whole, when `command` is None)."""

    rule_id: str
    tier: Tier
    reason: str
    command: Command | None
    alternative: str | None = None
    confirm: str | None = None  # "type": a human must type the target's name
    target: str | None = None  # what the confirmation names (branch, namespace, bucket, path)
    evidence: str | None = None  # the words that made it match, for the message
    pack: str | None = None
    # Why the command acts on production, when that raised this finding (approvals of such
    # findings may need two people).
    production: str | None = None


@frozen
class Analysis:
    """Everything the analysis stages produced for one line."""

    source: str
    context: Context
    commands: tuple[Command, ...]
    findings: tuple[Finding, ...]
    decision: Tier
    frontend: str | None
    parse_error: str | None = None
    profile: str = "default"
    notes: tuple[str, ...] = field(default_factory=tuple)


# -- building the values a long line makes by the ten thousand ---------------------------------
#
# A record's __init__ (safesh.record) takes *args and **kwargs and checks them: about 3 µs a
# value, where storing the fields is under 1 µs. A 64 KB script makes some 40 000 words,
# spans and simple commands, and as many commands and sites again after unwrapping: a third
# of its judging time went to __init__. These build the same values (state in `__dict__`,
# in field order, exactly as __init__ stores it) for the few classes made per word or per
# command. None has a __post_init__, a factory or a field left out of __init__; every field
# is passed. tests/test_record_builders.py checks each against its class's own __init__.

_new = object.__new__


def new_span(start: int, end: int) -> Span:
    """Span(start, end), built directly (see above)."""
    span: Span = _new(Span)
    state = span.__dict__
    state["start"] = start
    state["end"] = end
    return span


def new_word(text: str, raw: str, span: Span, static: bool, glob: bool) -> Word:
    """Word(text, raw, span, static, glob), built directly (see above)."""
    word: Word = _new(Word)
    state = word.__dict__
    state["text"] = text
    state["raw"] = raw
    state["span"] = span
    state["static"] = static
    state["glob"] = glob
    return word


def new_plain_word(text: str, start: int, end: int) -> Word:
    """Word(text, text, Span(start, end), True, False), the word of plain characters that
    most words are, with its span, in one call (see above)."""
    span: Span = _new(Span)
    state = span.__dict__
    state["start"] = start
    state["end"] = end
    word: Word = _new(Word)
    state = word.__dict__
    state["text"] = text
    state["raw"] = text
    state["span"] = span
    state["static"] = True
    state["glob"] = False
    return word


def new_simple_command(
    argv: tuple[Word, ...],
    span: Span,
    assignments: tuple[tuple[str, Word], ...],
    redirects: tuple[Redirect, ...],
    pipeline: tuple[int, int, int],
    nesting: tuple[str, ...],
    background: bool,
) -> SimpleCommand:
    """SimpleCommand(…every field in order…), built directly (see above)."""
    simple: SimpleCommand = _new(SimpleCommand)
    state = simple.__dict__
    state["argv"] = argv
    state["span"] = span
    state["assignments"] = assignments
    state["redirects"] = redirects
    state["pipeline"] = pipeline
    state["nesting"] = nesting
    state["background"] = background
    return simple


def new_command(
    name: str,
    argv: tuple[str, ...],
    words: tuple[Word, ...],
    span: Span,
    source: str,
    redirects: tuple[Redirect, ...],
    assignments: tuple[tuple[str, str], ...],
    via: tuple[str, ...],
    nesting: tuple[str, ...],
    feed: Feed | None,
    pipeline: tuple[int, int, int],
    dynamic: bool,
    args_unknown: bool,
    remote_host: str | None,
    depth: int,
    background: bool,
    cwd: str | None,
    cwd_known: bool,
) -> Command:
    """Command(…every field in order…), built directly (see above)."""
    command: Command = _new(Command)
    state = command.__dict__
    state["name"] = name
    state["argv"] = argv
    state["words"] = words
    state["span"] = span
    state["source"] = source
    state["redirects"] = redirects
    state["assignments"] = assignments
    state["via"] = via
    state["nesting"] = nesting
    state["feed"] = feed
    state["pipeline"] = pipeline
    state["dynamic"] = dynamic
    state["args_unknown"] = args_unknown
    state["remote_host"] = remote_host
    state["depth"] = depth
    state["background"] = background
    state["cwd"] = cwd
    state["cwd_known"] = cwd_known
    return command


def new_feed(kind: str, text: str | None, source: tuple[str, ...]) -> Feed:
    """Feed(kind, text, source), built directly (see above)."""
    feed: Feed = _new(Feed)
    state = feed.__dict__
    state["kind"] = kind
    state["text"] = text
    state["source"] = source
    return feed
