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
from collections.abc import Callable, Iterator

from safesh.lazy_re import later
from safesh.model import Command, Context
from safesh.record import frozen
from safesh.rules.clients import (
    MONGO_CLIENTS,
    RAW_PROTOCOL_CLIENTS,
    REDIS_CLIENTS,
    SQL_CLIENTS,
)
from safesh.rules.kvprotocol import raw_protocol_kinds, redis_kinds

SQL_KINDS = frozenset(
    {
        "drop",
        "drop-database",
        "truncate",
        "delete-no-where",
        "update-no-where",
        "alter-drop",
        "grant",
        "grant-admin",
        "revoke",
        "flush",
        "shutdown",
        "delete",
        "server-admin",
        "kill-sessions",
        "unparsable",
    }
)


_MAX_FILE_BYTES = 1_000_000


@frozen
class SqlSource:
    """One piece of text a client runs; `text` None means it exists but cannot be seen."""

    text: str | None
    origin: str  # "-c", "file x.sql", "heredoc", "pipe", ...
    # What the text is known to do without reading it (a dump made to drop what it restores).
    kinds: frozenset[str] = frozenset()


def sql_kinds(command: Command, context: Context) -> tuple[frozenset[str], str]:
    """The kinds of what `command` sends to its database, and evidence naming the source."""
    name = command.name
    if name in REDIS_CLIENTS:
        return redis_kinds(command)
    if name in RAW_PROTOCOL_CLIENTS:
        return raw_protocol_kinds(command)
    sources = tuple(_sources(command, context))
    kinds: set[str] = set()
    evidence: list[str] = []

    def include(path: str) -> str | None:
        return _read(path, command, context).text

    for source in sources:
        found = (
            source.kinds
            if source.kinds
            else frozenset({"unparsable"})
            if source.text is None
            else (
                _mongo_kinds(source.text, include)
                if name in MONGO_CLIENTS
                else classify_sql(source.text, SQL_CLIENTS.get(name, ""), include)
            )
        )
        if found:
            kinds |= found
            evidence.append(_snippet(source))
    return frozenset(kinds), "; ".join(evidence)


def _snippet(source: SqlSource) -> str:
    if source.kinds:
        return source.origin
    if source.text is None:
        return f"{source.origin} (not readable)"
    text = " ".join(source.text.split())
    return f"{source.origin}: {text[:80]}{'…' if len(text) > 80 else ''}"


def _sources(command: Command, context: Context) -> Iterator[SqlSource]:
    name = command.name
    args = command.argv[1:]
    computed = frozenset(w.text for w in command.words[1:] if not w.static)
    if name in {"psql", "pgcli"}:
        yield from _option_values(args, {"-c", "--command"}, "-c", computed)
        for path in _values(args, {"-f", "--file"}):
            yield _read(path, command, context)
    elif name in {"mysql", "mariadb", "mycli"}:
        yield from _option_values(args, {"-e", "--execute"}, "-e", computed)
    elif name in {"sqlite3", "sqlite", "duckdb"}:
        # sqlite's options are single-dash words (`-csv`, `-cmd`): nothing is glued to `-c`.
        for value in _values(args, {"-cmd", "-c"}, glued=False):
            yield SqlSource(value, "-cmd")
        positional = _sqlite_positional(args)
        for text in positional[1:]:
            yield SqlSource(text, "argument")
    elif name in {"clickhouse-client", "clickhouse"}:
        yield from _option_values(args, {"--query", "-q"}, "--query")
        for path in _values(args, {"--queries-file"}):
            yield _read(path, command, context)
    elif name in MONGO_CLIENTS:
        yield from _option_values(args, {"--eval"}, "--eval", computed)
        for path in _values(args, {"--file", "-f"}):
            yield _read(path, command, context)
        # `mongosh [OPTIONS] [DB ADDRESS] [FILE.js …]`: each script runs after connecting.
        for path in _mongo_scripts(args):
            yield _read(path, command, context)
    yield from _feed_source(command, context)
    for redirect in command.redirects:
        # `mysql db < dump.sql`: the client reads the file on standard input.
        if redirect.op == "<" and redirect.target is not None and redirect.fd in (None, 0):
            target = redirect.target
            if not target.static:
                yield SqlSource(None, f"< {target.text}")
            else:
                yield _read(target.text, command, context)


# mongosh's / mongo's options that take a value as the next word.
_MONGO_VALUE_OPTIONS = frozenset(
    {"--host", "--port", "-u", "--username", "-p", "--password", "--authenticationDatabase",
     "--authenticationMechanism", "--eval", "--file", "-f", "--tlsCertificateKeyFile",
     "--tlsCAFile", "--tlsCertificateKeyFilePassword", "--tlsCRLFile", "--apiVersion",
     "--awsAccessKeyId", "--awsSecretAccessKey", "--awsSessionToken", "--keyVaultNamespace",
     "--kmsURL", "--gssapiServiceName", "--sspiHostnameCanonicalization", "--sslPEMKeyFile",
     "--sslCAFile", "--sslPEMKeyPassword", "--sslCRLFile", "--csfleLibraryPath",
     "--cryptSharedLibPath", "--oidcRedirectUri"}
)  # fmt: skip


def _mongo_scripts(args: tuple[str, ...]) -> Iterator[str]:
    """The script files among mongosh's positional words (`app.js`, `./scripts/wipe.js`);
    the other positional word is the database address."""
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in _MONGO_VALUE_OPTIONS:
            index += 2
            continue
        if not arg.startswith("-") and arg.lower().endswith((".js", ".mongodb", ".mjs")):
            yield arg
        index += 1


def _values(args: tuple[str, ...], options: set[str], glued: bool = True) -> Iterator[str]:
    """Values of `options` in any spelling: `-c X`, `-cX` (unless not `glued`),
    `--command=X`."""
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
            elif (
                glued
                and len(option) == 2
                and arg.startswith(option)
                and len(arg) > 2
                and arg[1] != "-"
            ):
                yield arg[2:]
        index += 1


def _option_values(
    args: tuple[str, ...], options: set[str], origin: str, computed: frozenset[str] = frozenset()
) -> Iterator[SqlSource]:
    """The values of `options`; code that only exists when the line runs (`--eval "$(cat
    wipe.js)"`, `-c "$SQL"`: a command's output, or the whole value one variable) cannot be
    seen here. A variable inside a visible statement (`WHERE id = $ID`) leaves it readable."""
    for value in _values(args, options):
        unseen = any(value and value in word for word in computed) and bool(
            _COMPUTED_CODE.search(value.strip("\"'"))
        )
        yield SqlSource(None if unseen else value, origin)


# A command substitution anywhere, or a value that is one parameter expansion and nothing else.
_COMPUTED_CODE = later(r"\$\(|`|^\s*\$(\{[^}]*\}|\w+)\s*$")


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
        elif _dump_kinds(feed.source):
            yield SqlSource(
                None, f"pipe from {' '.join(feed.source)[:80]}", _dump_kinds(feed.source)
            )
        # Another program's output (a generator) cannot be judged from here.


# A dump piped straight into a client restores over whatever the client connects to, and a dump
# made to clean drops each table (or the database) before re-creating it: pg_dump only with
# --clean, mysqldump unless told to skip it (its default --opt holds --add-drop-table).
_PG_DUMP_FLAGS = frozenset("abBcCOsvxwW")  # pg_dump's short options that take no value
_MYSQLDUMP_KEEPS = frozenset({"--skip-add-drop-table", "--skip-opt", "--no-create-info", "-t",
                              "--compact", "--skip-create-options"})  # fmt: skip


def _dump_kinds(source: tuple[str, ...]) -> frozenset[str]:
    name = os.path.basename(source[0]) if source else ""
    args = source[1:]
    if name in {"pg_dump", "pg_dumpall"}:
        shorts = [a[1:] for a in args if a[:1] == "-" and a[1:2] not in "-" and len(a) > 1]
        flags = {a for a in args if a.startswith("--")}
        flags |= {"-" + c for cluster in shorts if set(cluster) <= _PG_DUMP_FLAGS for c in cluster}
        if "--clean" not in flags and "-c" not in flags:
            return frozenset()
        creates = "--create" in flags or "-C" in flags or name == "pg_dumpall"
        return frozenset({"drop", "drop-database"} if creates else {"drop"})
    if name in {"mysqldump", "mariadb-dump", "mysqlpump"}:
        if _MYSQLDUMP_KEEPS.intersection(args):
            return frozenset()
        return frozenset({"drop", "drop-database"} if "--add-drop-database" in args else {"drop"})
    return frozenset()


# -- SQL ---------------------------------------------------------------------------------------

# Client meta-commands: psql's `\d`, sqlite's `.tables`, mysql's `source FILE` / `\. FILE`.
# Most do not change data. Those that include a file (`\i`, `.read`, `source`) are judged by
# the file when it can be read here, and are unknown otherwise; those that run a shell
# command (`\!`, `.shell`, `.system`) are unknown; sqlite's `.restore` replaces the database.
_META_LINE = later(
    r"^\s*(?:\\(?P<cmd>\w+|\.|!)|\.(?P<dot>\w+)|(?P<source>source)\b)\s*(?P<arg>.*)$", re.I
)
_INCLUDES = frozenset({"i", "ir", "include", "include_relative", "read", ".", "source"})
_SHELL_ESCAPES = frozenset({"!", "shell", "system"})
_REPLACES_DATABASE = frozenset({"restore"})
_MAX_INCLUDE_DEPTH = 4
_COMMAND_KINDS = {
    "TRUNCATE": "truncate",
    "GRANT": "grant",
    "REVOKE": "revoke",
    "DROP": "drop",
}
_CODE_DROP = later(r"\bDROP\b", re.I)
_CODE_TRUNCATE = later(r"\bTRUNCATE\b", re.I)
_CODE_WRITES = later(r"\b(DELETE|UPDATE|ALTER|GRANT|REVOKE|EXECUTE)\b", re.I)
# A grant that hands over the whole server or lets the grantee grant on (`ON *.*`, `TO PUBLIC`,
# `WITH GRANT OPTION`, a superuser or server-file role), and an account made or turned into a
# superuser (`ALTER USER app WITH SUPERUSER`): the data is exposed to whoever holds it, which
# cannot be taken back by a REVOKE. Ordinary grants (`GRANT SELECT ON orders TO analyst`) are
# `grant`.
_ADMIN_PRIVILEGE = later(
    r"\bON\s+\*\.\*|\bTO\s+PUBLIC\b|\bWITH\s+(GRANT|ADMIN)\s+OPTION\b|\bSUPER(USER)?\b"
    r"|\bCREATEROLE\b|\bBYPASSRLS\b|\b(?!no)\w*superuser\b|\bsysadmin\b|\bdb_owner\b|\bdba\b"
    r"|\bpg_(execute_server_program|read_server_files|write_server_files)\b",
    re.I,
)
_ACCOUNT = later(r"^\s*(USER|ROLE|LOGIN)\b", re.I)


def classify_sql(
    text: str,
    dialect: str,
    include: Callable[[str], str | None] | None = None,
    _depth: int = 0,
) -> frozenset[str]:
    """The kinds of the statements in `text`; reads and harmless writes give no kind.
    `include(path)` returns the text of a file a meta-command includes (None: unreadable)."""
    kinds: set[str] = set()
    lines: list[str] = []
    for line in text.splitlines():
        meta = _META_LINE.match(line)
        if meta is None:
            lines.append(line)
            continue
        command = (meta.group("cmd") or meta.group("dot") or meta.group("source") or "").lower()
        argument = meta.group("arg").strip().rstrip(";").strip().strip("'\"")
        if command == "source" and (dialect != "mysql" or not _is_path_argument(argument)):
            lines.append(line)  # a column called `source` on its own line
            continue
        if command in _INCLUDES:
            body = include(argument) if include is not None and argument else None
            if body is None or _depth >= _MAX_INCLUDE_DEPTH:
                kinds.add("unparsable")
            else:
                kinds |= classify_sql(body, dialect, include, _depth + 1)
        elif command in _SHELL_ESCAPES:
            kinds.add("unparsable")
        elif command in _REPLACES_DATABASE:
            kinds.add("drop-database")
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
        if _only_inspects(body):
            return frozenset(kinds)
        return frozenset(kinds | {"unparsable"})
    for statement in statements:
        if statement is None:
            continue
        if isinstance(
            statement,
            exp.Binary | exp.Column | exp.Identifier | exp.Literal | exp.Paren | exp.Alias,
        ):
            # A bare expression at the top is what sqlglot makes of a mistyped keyword, or of
            # a statement it does not know (`RESET MASTER` reads as the column RESET named
            # MASTER; it deletes every binary log).
            kinds.add("unparsable")
            continue
        kinds |= _statement_kinds(statement, dialect)
    return frozenset(kinds)


# Statements that only show the server's own catalogue, whatever follows the keyword: what
# sqlglot cannot parse among them (`SHOW GRANTS FOR app@localhost`) changes nothing.
_INSPECTS = later(r"^\s*(SHOW|DESCRIBE|DESC|HELP)\b", re.I)


def _only_inspects(body: str) -> bool:
    """Every `;`-separated statement of `body` is a SHOW/DESCRIBE/HELP. A `;` inside a
    string splits it too, so the tail (`… 'x; DROP TABLE t'`) is then not one: unknown."""
    statements = [s for s in body.split(";") if s.strip()]
    return bool(statements) and all(_INSPECTS.match(s) for s in statements)


def _is_path_argument(argument: str) -> bool:
    return bool(argument) and not any(c in argument for c in " ,()=")


def _always_true(where: object) -> bool:
    """`WHERE 1`, `WHERE true`, `WHERE 1 = 1`: a filter that keeps every row."""
    from sqlglot import expressions as e

    if where is None:
        return True
    condition = where.this if isinstance(where, e.Where) else where
    if isinstance(condition, e.Paren):
        return _always_true(condition.this)
    if isinstance(condition, e.Boolean):
        return bool(condition.this)
    if isinstance(condition, e.Literal) and not condition.is_string:
        return condition.this not in {"0", "0.0"}
    if isinstance(condition, e.EQ):
        left, right = condition.this, condition.expression
        return isinstance(left, e.Literal) and isinstance(right, e.Literal) and left == right
    if isinstance(condition, e.Or):
        return _always_true(condition.this) or _always_true(condition.expression)
    return False


def _statement_kinds(statement: object, dialect: str = "") -> set[str]:
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
        elif isinstance(node, e.DropPartition):
            kinds.add("alter-drop")
        elif isinstance(node, e.TruncateTable):
            kinds.add("truncate")
        elif isinstance(node, e.Delete) and _always_true(node.args.get("where")):
            kinds.add("delete-no-where")
        elif isinstance(node, e.Update) and _always_true(node.args.get("where")):
            kinds.add("update-no-where")
        elif isinstance(node, e.Create) and node.args.get("replace"):
            if str(node.args.get("kind") or "").upper() == "TABLE":
                kinds.add("drop")  # CREATE OR REPLACE TABLE throws the old rows away
        elif isinstance(node, e.Grant):
            kinds.add("grant-admin" if _ADMIN_PRIVILEGE.search(node.sql()) else "grant")
        elif isinstance(node, e.Revoke):
            kinds.add("revoke")
        elif isinstance(node, e.Command):
            kinds |= _command_kinds(node, dialect)
        elif isinstance(node, e.Anonymous) and _kills_selected_sessions(node):
            kinds.add("kill-sessions")
    return kinds


def _kills_selected_sessions(node: object) -> bool:
    """`pg_terminate_backend(pid)` / `pg_cancel_backend(pid)` over the rows of a query (`…
    FROM pg_stat_activity`): every session it selects. A pid written as a number is one."""
    from sqlglot import expressions as e

    assert isinstance(node, e.Anonymous)
    if str(node.name).lower() not in {"pg_terminate_backend", "pg_cancel_backend"}:
        return False
    return not all(isinstance(a, e.Literal) for a in node.expressions)


def _command_kinds(node: object, dialect: str) -> set[str]:
    """Statements sqlglot keeps opaque: judged by their keyword and, for code blocks, by the
    words in them."""
    from sqlglot import expressions as e

    assert isinstance(node, e.Command)
    keyword = str(node.args.get("this") or "").upper()
    rest = str(
        node.expression.this if isinstance(node.expression, e.Literal) else node.expression or ""
    )
    if keyword == "GRANT" and _ADMIN_PRIVILEGE.search(rest):
        return {"grant-admin"}
    if keyword in _COMMAND_KINDS:
        return {_COMMAND_KINDS[keyword]}
    if keyword in {"ALTER", "CREATE"} and _ACCOUNT.match(rest):
        # An account's attributes: a superuser is `grant-admin`, a password or login a `grant`.
        return {"grant-admin" if _ADMIN_PRIVILEGE.search(rest) else "grant"}
    if keyword == "ALTER":
        return {"alter-drop"} if _CODE_DROP.search(rest) else set()
    if keyword == "EXPLAIN":
        # EXPLAIN ANALYZE runs the statement.
        words = rest.split(None, 1)
        if words and words[0].upper() == "ANALYZE" and len(words) > 1:
            return set(classify_sql(words[1], dialect))
        if words and words[0].startswith("(") and "ANALYZE" in words[0].upper():
            return set(classify_sql(rest.split(")", 1)[-1], dialect))
        return set()
    if keyword == "DO":
        # An anonymous code block (PL/pgSQL): what it runs is code, not parsed statements.
        found = set()
        if _CODE_DROP.search(rest):
            found.add("drop")
        if _CODE_TRUNCATE.search(rest):
            found.add("truncate")
        if not found and _CODE_WRITES.search(rest):
            found.add("unparsable")
        return found
    return set()


# -- MongoDB (Redis and raw protocols: kvprotocol.py) ---------------------------------------

_MONGO_PATTERNS = (
    (
        later(r"\.dropDatabase\s*\(|(runCommand|adminCommand)\s*\(\s*\{\s*['\"]?dropDatabase"),
        "drop-database",
    ),
    (
        later(
            r"\.(drop|dropCollection|dropIndex|dropIndexes|dropUser|dropAllUsers|dropRole"
            r"|dropAllRoles|dropSearchIndex)\s*\("
            r"|(runCommand|adminCommand)\s*\(\s*\{\s*['\"]?drop['\"]?\s*:"
        ),
        "drop",
    ),
    # The delete and update commands: `q: {}` (or another filter matching every document)
    # with `limit: 0` deletes all; with `multi: true` it updates all.
    (
        later(
            r"['\"]?deletes['\"]?\s*:\s*\[\s*\{[^]]*?['\"]?q['\"]?\s*:\s*\{\s*\}[^]]*?limit['\"]?\s*:\s*0\b"
        ),
        "delete-no-where",
    ),
    (
        later(
            r"['\"]?updates['\"]?\s*:\s*\[\s*\{[^]]*?['\"]?q['\"]?\s*:\s*\{\s*\}[^]]*?multi['\"]?\s*:\s*true"
        ),
        "update-no-where",
    ),
    # The same in a bulkWrite: `{deleteMany: {filter: {}}}`.
    (
        later(r"['\"]?deleteMany['\"]?\s*:\s*\{\s*['\"]?filter['\"]?\s*:\s*\{\s*\}"),
        "delete-no-where",
    ),
    (
        later(r"['\"]?updateMany['\"]?\s*:\s*\{\s*['\"]?filter['\"]?\s*:\s*\{\s*\}"),
        "update-no-where",
    ),
    # renameCollection(target, true) drops the collection already called `target`.
    (later(r"\.renameCollection\s*\([^)]*,\s*true\s*\)"), "drop"),
    (later(r"\.(deleteOne|deleteMany|remove|findOneAndDelete)\s*\("), "delete"),
    # The server stops for every client: db.shutdownServer(), adminCommand({shutdown: 1}).
    (
        later(
            r"\.shutdownServer\s*\(|(runCommand|adminCommand)\s*\(\s*\{\s*['\"]?shutdown['\"]?\s*:"
        ),
        "shutdown",
    ),
)


def _mongo_kinds(
    text: str, include: Callable[[str], str | None] | None = None, _depth: int = 0
) -> frozenset[str]:
    """The kinds of the mongo shell code `text`; `load("FILE")` runs FILE, judged by its text
    when `include` can read it, unknown otherwise (as psql's `\\i`)."""
    found = {kind for pattern, kind in _MONGO_PATTERNS if pattern.search(text)}
    for load in _MONGO_LOAD.finditer(text):
        path = load.group("path")
        body = include(path) if include is not None and path else None
        if body is None or _depth >= _MAX_INCLUDE_DEPTH:
            found.add("unparsable")
        else:
            found |= _mongo_kinds(body, include, _depth + 1)
    return frozenset(found | _mongo_call_kinds(text))


# `load("scripts/wipe.js")`: the shell runs that file; a name computed in code is unknown.
_MONGO_LOAD = later(r"(?<![\w.])load\s*\(\s*(?:(['\"`])(?P<path>[^'\"`]*)\1)?")


# Calls whose first argument is a filter: what it matches decides how much they change.
_MONGO_FILTERED = later(r"\.(deleteMany|remove|updateMany|update)\s*\(")
# A filter that matches every document once spaces and quotes are gone: `{}`, `_id` that all
# meet (`{$exists: true}`, `{$gt: MinKey}`) or all but those named (`$ne`, `$nin`, `$type`),
# `$where`/`$expr` always true, a lone `$comment`, an `$or` with an empty member. Not another
# field's `{$ne: null}`: a purge of soft-deleted rows (`{deletedAt: {$ne: null}}`) is that.
_MATCH_ALL = later(
    r"\{\}|\{\$(where|expr):(true|1|(function\(\))?\{?return(true|1);?\}?|\(\)=>(true|1))\}"
    r"|\{_id:\{\$(exists:(true|1)|ne:[^{},]*|gte?:minkey(\(\))?|nin:\[[^\]{}]*\]|type:[^{},]*)\}\}"
    r"|\{\$(and|or):\[\{\}\]\}|\{\$or:\[(.*,)?\{\}(,.*)?\]\}|\{\$comment:[^{},]*\}",
    re.I,
)

_JUST_ONE = later(r"^(true|1)$|justOne:(true|1)")
_MULTI = later(r"multi:(true|1)")


def _mongo_call_kinds(text: str) -> set[str]:
    """`deleteMany(F)`, `remove(F)`, `updateMany(F, …)` whose filter F matches every document
    (`{}`, `{_id: {$exists: true}}`, none at all), and `update(F, U, {multi: true})`: every
    document is deleted or rewritten. `remove(F, true)` / `{justOne: true}` and `update`
    without `multi` change one document."""
    kinds: set[str] = set()
    for call in _MONGO_FILTERED.finditer(text):
        method = call.group(1)
        arguments = _call_arguments(text, call.end())
        if arguments is None:
            continue
        squeezed = ["".join(a.split()).replace('"', "").replace("'", "") for a in arguments]
        if squeezed[:1] not in ([], [""]) and not _MATCH_ALL.fullmatch(squeezed[0]):
            continue
        options = squeezed[1:]
        if method == "remove" and options[:1] and _JUST_ONE.search(options[0]):
            continue
        if method == "update" and not any(_MULTI.search(o) for o in options[1:]):
            continue
        kinds.add("delete-no-where" if method in {"deleteMany", "remove"} else "update-no-where")
    return kinds


def _call_arguments(text: str, start: int) -> list[str] | None:
    """The top-level arguments of the call whose `(` ends just before `start`, split at commas
    outside brackets and strings; None when the call does not close."""
    depth, quote, current = 0, "", ""
    arguments: list[str] = []
    for index in range(start, min(len(text), start + 20_000)):
        char = text[index]
        if quote:
            current += char
            if char == quote and text[index - 1] != "\\":
                quote = ""
            continue
        if char in "\"'`":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                arguments.append(current)
                return [a.strip() for a in arguments] if any(a.strip() for a in arguments) else []
            depth -= 1
        elif char == "," and depth == 0:
            arguments.append(current)
            current = ""
            continue
        current += char
    return None
