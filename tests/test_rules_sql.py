"""What SQL a database client runs, and what it does (safesh/rules/sql.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from safesh.model import Command, Context, Feed, Span, Word
from safesh.rules.sql import classify_sql, sql_kinds

CTX = Context(cwd="/home/user/project", home="/home/user", repo_root="/home/user/project")


def cmd(*argv: str, feed: Feed | None = None) -> Command:
    words = tuple(Word(a, a, Span(0, 0)) for a in argv)
    return Command(name=argv[0], argv=argv, words=words, span=Span(0, 0), source="", feed=feed)


def kinds(*argv: str, feed: Feed | None = None, context: Context = CTX) -> frozenset[str]:
    return sql_kinds(cmd(*argv, feed=feed), context)[0]


@pytest.mark.parametrize(
    ("sql", "kind"),
    [
        ("DROP TABLE users", "drop"),
        ("drop table if exists users", "drop"),
        ("DROP DATABASE shop", "drop-database"),
        ("DROP SCHEMA s CASCADE", "drop-database"),
        ("TRUNCATE orders", "truncate"),
        ("DELETE FROM users", "delete-no-where"),
        ("UPDATE t SET a = 1", "update-no-where"),
        ("ALTER TABLE t DROP COLUMN c", "alter-drop"),
        ("GRANT ALL ON t TO u", "grant"),
        ("REVOKE ALL ON t FROM u", "revoke"),
        ("SELECT 1; DROP TABLE t", "drop"),
        ("WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x", "delete-no-where"),
    ],
)
def test_destructive_statements_are_classified(sql: str, kind: str) -> None:
    assert kind in classify_sql(sql, "postgres")


@pytest.mark.parametrize(
    "sql",
    ["SELECT * FROM users", "EXPLAIN SELECT 1", "DELETE FROM t WHERE id = 1",
     "UPDATE t SET a = 1 WHERE id = 2", "ALTER TABLE t ADD COLUMN c int", "\\d users", "\\dt",
     "INSERT INTO t VALUES (1)"],
)  # fmt: skip
def test_reads_and_targeted_writes_have_no_kind(sql: str) -> None:
    assert classify_sql(sql, "postgres") == frozenset()


def test_garbage_sql_is_unparsable() -> None:
    assert classify_sql("DROPP TABLEE x (((", "postgres") == {"unparsable"}


def test_psql_include_meta_command_is_unparsable() -> None:
    assert classify_sql("\\i other.sql", "postgres") == {"unparsable"}


def test_psql_command_option() -> None:
    assert kinds("psql", "-h", "db", "-c", "DROP TABLE t") == {"drop"}


def test_psql_long_command_option_with_equals() -> None:
    assert kinds("psql", "--command=TRUNCATE t") == {"truncate"}


def test_psql_file_is_read_relative_to_cwd(tmp_path: Path) -> None:
    (tmp_path / "m.sql").write_text("DROP TABLE t;\n")
    context = Context(cwd=str(tmp_path), home="/home/user")
    assert kinds("psql", "-f", "m.sql", context=context) == {"drop"}


def test_psql_missing_file_is_unparsable() -> None:
    assert kinds("psql", "-f", "/nonexistent/m.sql") == {"unparsable"}


def test_heredoc_feed_is_classified() -> None:
    assert kinds("psql", feed=Feed("heredoc", text="DELETE FROM t;\n")) == {"delete-no-where"}


def test_pipe_text_from_echo_is_classified() -> None:
    assert kinds("psql", feed=Feed("pipe", source=("echo", "x"), text="DROP TABLE x")) == {"drop"}


def test_pipe_from_unknown_program_is_not_judged() -> None:
    assert kinds("psql", feed=Feed("pipe", source=("pg_dump", "db"))) == frozenset()


def test_mysql_execute_option_glued() -> None:
    assert kinds("mysql", "-eDROP DATABASE x") == {"drop-database"}


def test_sqlite_sql_argument_after_database() -> None:
    assert kinds("sqlite3", "app.db", "DROP TABLE t") == {"drop"}


def test_sqlite_dot_command_passes() -> None:
    assert kinds("sqlite3", "app.db", ".tables") == frozenset()


def test_sqlite_cmd_option() -> None:
    assert kinds("sqlite3", "-cmd", "DELETE FROM t", "app.db") == {"delete-no-where"}


def test_clickhouse_query_option() -> None:
    assert kinds("clickhouse-client", "--query", "DROP TABLE t") == {"drop"}


@pytest.mark.parametrize(
    ("code", "kind"),
    [("db.dropDatabase()", "drop-database"), ("db.users.drop()", "drop"),
     ("db.users.deleteMany({})", "delete-no-where")],
)  # fmt: skip
def test_mongosh_eval(code: str, kind: str) -> None:
    assert kind in kinds("mongosh", "shop", "--eval", code)


def test_mongosh_targeted_delete_is_not_delete_all() -> None:
    assert "delete-no-where" not in kinds("mongosh", "--eval", "db.u.deleteMany({a: 1})")


@pytest.mark.parametrize("argv", [("redis-cli", "FLUSHALL"), ("redis-cli", "-n", "2", "flushdb")])
def test_redis_flush(argv: tuple[str, ...]) -> None:
    assert kinds(*argv) == {"flush"}


def test_redis_del_is_a_targeted_delete() -> None:
    assert kinds("redis-cli", "DEL", "k") == {"delete"}


def test_redis_read_has_no_kind() -> None:
    assert kinds("redis-cli", "GET", "k") == frozenset()
