"""What the SQL (or database command) sent to a database client does.

`sql_kinds(command, context)` finds the statements a client will run (its command-line
option, a file it reads, a heredoc, a pipe from `echo`) and classifies them into the
`sql_any` kinds of docs/rules.md. sqlglot is imported only here, and this module is imported
only when a database client is on the line: importing sqlglot costs ~75 ms.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

from safesh.model import Command, Context

SQL_KINDS = frozenset(
    {
        "drop",
        "drop-database",
        "truncate",
        "delete-no-where",
        "update-no-where",
        "alter-drop",
        "grant",
        "revoke",
        "flush",
        "delete",
        "unparsable",
    }
)

# Which sqlglot dialect reads each client's SQL.
SQL_CLIENTS = {
    "psql": "postgres",
    "pgcli": "postgres",
    "mysql": "mysql",
    "mariadb": "mysql",
    "mycli": "mysql",
    "sqlite3": "sqlite",
    "sqlite": "sqlite",
    "clickhouse-client": "clickhouse",
    "clickhouse": "clickhouse",
    "duckdb": "duckdb",
}
MONGO_CLIENTS = frozenset({"mongosh", "mongo"})
REDIS_CLIENTS = frozenset({"redis-cli", "valkey-cli", "keydb-cli"})
DATABASE_CLIENTS = frozenset(SQL_CLIENTS) | MONGO_CLIENTS | REDIS_CLIENTS

_MAX_FILE_BYTES = 1_000_000


@dataclass(frozen=True)
class SqlSource:
    """One piece of text a client runs; `text` None means it exists but cannot be seen."""

    text: str | None
    origin: str  # "-c", "file x.sql", "heredoc", "pipe", ...


def sql_kinds(command: Command, context: Context) -> tuple[frozenset[str], str]:
    """The kinds of what `command` sends to its database, and evidence naming the source."""
    name = command.name
    if name in REDIS_CLIENTS:
        return _redis_kinds(command)
    sources = tuple(_sources(command, context))
    kinds: set[str] = set()
    evidence: list[str] = []
    for source in sources:
        found = (
            frozenset({"unparsable"})
            if source.text is None
            else (
                _mongo_kinds(source.text)
                if name in MONGO_CLIENTS
                else classify_sql(source.text, SQL_CLIENTS.get(name, ""))
            )
        )
        if found:
            kinds |= found
            evidence.append(_snippet(source))
    return frozenset(kinds), "; ".join(evidence)


def _snippet(source: SqlSource) -> str:
    if source.text is None:
        return f"{source.origin} (not readable)"
    text = " ".join(source.text.split())
    return f"{source.origin}: {text[:80]}{'…' if len(text) > 80 else ''}"


def _sources(command: Command, context: Context) -> Iterator[SqlSource]:
    name = command.name
    args = command.argv[1:]
    if name in {"psql", "pgcli"}:
        yield from _option_values(args, {"-c", "--command"}, "-c")
        for path in _values(args, {"-f", "--file"}):
            yield _read(path, command, context)
    elif name in {"mysql", "mariadb", "mycli"}:
        yield from _option_values(args, {"-e", "--execute"}, "-e")
    elif name in {"sqlite3", "sqlite", "duckdb"}:
        yield from _option_values(args, {"-cmd", "-c"}, "-cmd")
        positional = _sqlite_positional(args)
        for text in positional[1:]:
            yield SqlSource(text, "argument")
    elif name in {"clickhouse-client", "clickhouse"}:
        yield from _option_values(args, {"--query", "-q"}, "--query")
    elif name in MONGO_CLIENTS:
        yield from _option_values(args, {"--eval"}, "--eval")
        for path in _values(args, {"--file", "-f"}):
            yield _read(path, command, context)
    yield from _feed_source(command, context)


def _values(args: tuple[str, ...], options: set[str]) -> Iterator[str]:
    """Values of `options` in any spelling: `-c X`, `-cX`, `--command=X`."""
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            return
        if arg in options and index + 1 < len(args):
            yield args[index + 1]
            index += 2
            continue
        for option in options:
            if option.startswith("--") and arg.startswith(option + "="):
                yield arg[len(option) + 1 :]
            elif len(option) == 2 and arg.startswith(option) and len(arg) > 2 and arg[1] != "-":
                yield arg[2:]
        index += 1


def _option_values(args: tuple[str, ...], options: set[str], origin: str) -> Iterator[SqlSource]:
    for value in _values(args, options):
        yield SqlSource(value, origin)


def _sqlite_positional(args: tuple[str, ...]) -> list[str]:
    valued = {"-cmd", "-separator", "-nullvalue", "-newline", "-init", "-vfs", "-c"}
    positional: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in valued:
            index += 2
            continue
        if arg.startswith("-") and not positional:
            index += 1
            continue
        positional.append(arg)
        index += 1
    return positional


def _read(path: str, command: Command, context: Context) -> SqlSource:
    """A SQL file the client reads. A file that cannot be read is unknown SQL."""
    base = command.cwd or context.cwd
    full = path if os.path.isabs(path) else os.path.join(base, path)
    if not command.cwd_known and not os.path.isabs(path):
        return SqlSource(None, f"file {path}")
    try:
        with open(full, "rb") as handle:
            data = handle.read(_MAX_FILE_BYTES + 1)
    except OSError:
        return SqlSource(None, f"file {path}")
    if len(data) > _MAX_FILE_BYTES:
        return SqlSource(None, f"file {path} (too large)")
    return SqlSource(data.decode("utf-8", errors="replace"), f"file {path}")


def _feed_source(command: Command, context: Context) -> Iterator[SqlSource]:
    feed = command.feed
    if feed is None:
        return
    if feed.kind in {"heredoc", "herestring"}:
        yield SqlSource(feed.text, feed.kind)
    elif feed.kind == "pipe":
        if feed.text is not None:
            yield SqlSource(feed.text, f"pipe from {feed.source[0] if feed.source else '?'}")
        elif len(feed.source) == 2 and feed.source[0] == "cat":
            yield _read(feed.source[1], command, context)
        # Another program's output (pg_dump, a generator) cannot be judged from here.


# -- SQL ---------------------------------------------------------------------------------------

# Client meta-commands: psql's `\d`, sqlite's `.tables`; they do not change data (`\i` and
# `.read` include files, which cannot be seen and are therefore unknown).
_META_LINE = re.compile(r"^\s*(\\|\.)(?P<cmd>\w+)")
_INCLUDES = frozenset({"i", "ir", "include", "include_relative", "read", "restore", "import"})
_COMMAND_KINDS = {
    "TRUNCATE": "truncate",
    "GRANT": "grant",
    "REVOKE": "revoke",
    "DROP": "drop",
}


def classify_sql(text: str, dialect: str) -> frozenset[str]:
    """The kinds of the statements in `text`; reads and harmless writes give no kind."""
    kinds: set[str] = set()
    lines: list[str] = []
    for line in text.splitlines():
        meta = _META_LINE.match(line)
        if meta is None:
            lines.append(line)
        elif meta.group("cmd") in _INCLUDES:
            kinds.add("unparsable")
    body = "\n".join(lines).strip()
    if not body:
        return frozenset(kinds)
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    # sqlglot logs a warning whenever it falls back to an opaque Command; that is expected
    # here (VACUUM, EXPLAIN) and must not reach the user's terminal.
    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    try:
        statements = sqlglot.parse(body, read=dialect or None)
    except (SqlglotError, RecursionError, ValueError):
        return frozenset(kinds | {"unparsable"})
    for statement in statements:
        if statement is None:
            continue
        if isinstance(
            statement, exp.Binary | exp.Column | exp.Identifier | exp.Literal | exp.Paren
        ):
            # A bare expression at the top is what sqlglot makes of a mistyped keyword.
            kinds.add("unparsable")
            continue
        kinds |= _statement_kinds(statement)
    return frozenset(kinds)


def _statement_kinds(statement: object) -> set[str]:
    from sqlglot import expressions as e

    kinds: set[str] = set()
    assert isinstance(statement, e.Expression)
    for node in statement.walk():
        if isinstance(node, e.Drop):
            kind = str(node.args.get("kind") or "").upper()
            if node.find_ancestor(e.Alter) is not None:
                kinds.add("alter-drop")
            elif kind in {"DATABASE", "SCHEMA"}:
                kinds.add("drop-database")
            else:
                kinds.add("drop")
        elif isinstance(node, e.TruncateTable):
            kinds.add("truncate")
        elif isinstance(node, e.Delete) and node.args.get("where") is None:
            kinds.add("delete-no-where")
        elif isinstance(node, e.Update) and node.args.get("where") is None:
            kinds.add("update-no-where")
        elif isinstance(node, e.Grant):
            kinds.add("grant")
        elif isinstance(node, e.Revoke):
            kinds.add("revoke")
        elif isinstance(node, e.Command):
            keyword = str(node.args.get("this") or "").upper()
            if keyword in _COMMAND_KINDS:
                kinds.add(_COMMAND_KINDS[keyword])
            elif keyword == "ALTER" and re.search(r"\bDROP\b", str(node.expression or ""), re.I):
                kinds.add("alter-drop")
    return kinds


# -- MongoDB and Redis -------------------------------------------------------------------------

_MONGO_PATTERNS = (
    (re.compile(r"\.dropDatabase\s*\("), "drop-database"),
    (re.compile(r"\.drop\s*\(|\.dropCollection\s*\(|\.dropIndexes\s*\("), "drop"),
    (re.compile(r"\.(deleteMany|remove)\s*\(\s*(\{\s*\})?\s*\)"), "delete-no-where"),
    (re.compile(r"\.updateMany\s*\(\s*\{\s*\}"), "update-no-where"),
    (re.compile(r"\.(deleteOne|deleteMany|remove|findOneAndDelete)\s*\("), "delete"),
)


def _mongo_kinds(text: str) -> frozenset[str]:
    return frozenset(kind for pattern, kind in _MONGO_PATTERNS if pattern.search(text))


_REDIS_VALUE_OPTIONS = frozenset(
    {"-h", "-p", "-s", "-a", "-u", "-n", "-r", "-i", "-d", "--user", "--pass", "--pattern"}
)
_REDIS_KINDS = {
    "FLUSHALL": "flush",
    "FLUSHDB": "flush",
    "DEL": "delete",
    "UNLINK": "delete",
    "SHUTDOWN": "flush",
}


def _redis_kinds(command: Command) -> tuple[frozenset[str], str]:
    args = command.argv[1:]
    index = 0
    while index < len(args) and args[index].startswith("-"):
        index += 2 if args[index] in _REDIS_VALUE_OPTIONS else 1
    words: list[str] = list(args[index : index + 1])
    feed = command.feed
    if feed is not None and feed.text:
        words += [line.split()[0] for line in feed.text.splitlines() if line.split()]
    kinds = {_REDIS_KINDS[w.upper()] for w in words if w.upper() in _REDIS_KINDS}
    return frozenset(kinds), " ".join(w for w in words if w.upper() in _REDIS_KINDS)
