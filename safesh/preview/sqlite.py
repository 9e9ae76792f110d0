"""Probe: the rows a `DELETE`, `DROP TABLE` or `TRUNCATE` sent to a local SQLite database
(`sqlite3 FILE 'SQL'`, or SQL on its standard input) would remove.

The database is opened read-only (`file:…?mode=ro`, so it is never created or written) and
each statement becomes `SELECT count(*) FROM table [WHERE …]`; a progress handler stops a
slow count when the budget runs out.

Imports: the standard library, sqlglot (only when an SQLite client is on the line),
`safesh.model` and `safesh.preview`'s own modules.
"""

from __future__ import annotations

import os
import sqlite3
from urllib.parse import quote

from safesh.model import Command, Context
from safesh.preview.paths import base_dir
from safesh.preview.types import MAX_ITEMS, Budget, BudgetExceeded, Section, Settings, plural

CLIENTS = frozenset({"sqlite3", "sqlite"})
_VALUED = frozenset({"-cmd", "-separator", "-nullvalue", "-newline", "-init", "-vfs"})
UNDO_NONE = "no snapshot: database changes are not kept by safesh; back the file up first"


def probe(command: Command, context: Context, budget: Budget, settings: Settings) -> Section | None:
    if command.name not in CLIENTS:
        return None
    positional = _positional(command.argv[1:])
    base = base_dir(command, context)
    if not positional or base is None or positional[0] == ":memory:":
        return None
    database = os.path.join(base, positional[0])
    sql = [*positional[1:]]
    feed = command.feed
    if feed is not None and feed.kind in ("heredoc", "herestring") and feed.text:
        sql.append(feed.text)
    counts = _counts("\n;\n".join(sql), database, budget)
    if counts is None:
        return None
    rows = sum(n for _, n in counts if n is not None)
    unknown = [what for what, n in counts if n is None]
    items = [
        f"{what}: {plural(n, 'row')}" if n is not None else f"{what}: not counted"
        for what, n in counts
    ]
    summary = f"{command.name} removes {plural(rows, 'row')} from {positional[0]}"
    if unknown:
        summary += f" (at least; {plural(len(unknown), 'statement')} not counted)"
    return Section(
        kind="rows",
        command=command.source,
        summary=summary,
        count=rows,
        items=tuple(items[:MAX_ITEMS]),
        more=max(0, len(items) - MAX_ITEMS),
        complete=not unknown,
        undo=UNDO_NONE,
        undoable=False,
    )


def _positional(args: tuple[str, ...]) -> list[str]:
    positional: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in _VALUED:
            skip = True
        elif arg.startswith("-") and not positional:
            continue
        else:
            positional.append(arg)
    return positional


def count_queries(sql: str) -> list[tuple[str, str | None]]:
    """(what the statement does, the read-only query that counts its rows or None)."""
    import sqlglot
    from sqlglot import exp

    try:
        statements = sqlglot.parse(sql, read="sqlite")
    except Exception:
        return []
    out: list[tuple[str, str | None]] = []
    for statement in statements:
        if isinstance(statement, exp.Delete):
            table = statement.this
            where = statement.args.get("where")
            query = exp.select("count(*)").from_(table.copy())
            if where is not None:
                query = query.where(where.this.copy())
            label = f"DELETE FROM {table.sql(dialect='sqlite')}" + (" WHERE …" if where else "")
            out.append((label, query.sql(dialect="sqlite")))
        elif (
            isinstance(statement, exp.Drop)
            and str(statement.args.get("kind", "")).upper() == "TABLE"
        ):
            # Newer sqlglot lists the tables in `tables`; older ones keep one in `this`.
            tables = statement.args.get("tables") or [statement.this]
            for table in (t for t in tables if isinstance(t, exp.Table)):
                query = exp.select("count(*)").from_(table.copy())
                label = f"DROP TABLE {table.sql(dialect='sqlite')}"
                out.append((label, query.sql(dialect="sqlite")))
        elif statement is not None and type(statement).__name__ == "TruncateTable":
            for table in statement.expressions:
                query = exp.select("count(*)").from_(table.copy())
                out.append((f"TRUNCATE {table.sql(dialect='sqlite')}", query.sql(dialect="sqlite")))
    return out


def _counts(sql: str, database: str, budget: Budget) -> list[tuple[str, int | None]] | None:
    queries = count_queries(sql)
    if not queries or not os.path.isfile(database):
        return None
    try:
        conn = sqlite3.connect(f"file:{quote(database)}?mode=ro", uri=True, timeout=0.1)
    except sqlite3.Error:
        return None
    # Called every 1000 virtual-machine steps: returning non-zero interrupts the query.
    conn.set_progress_handler(lambda: int(budget.expired()), 1000)
    counts: list[tuple[str, int | None]] = []
    try:
        for label, query in queries:
            if query is None:
                counts.append((label, None))
                continue
            try:
                (value,) = conn.execute(query).fetchone()
                counts.append((label, int(value)))
            except sqlite3.Error:
                if budget.expired():
                    raise BudgetExceeded from None
                counts.append((label, None))
    finally:
        conn.close()
    return counts
