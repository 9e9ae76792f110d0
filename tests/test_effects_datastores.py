"""Destructive statements given to database clients the sql pack does not parse (cqlsh,
influx, sqlcmd, snowsql, bq, cockroach, cypher-shell, …): any client that is handed a DROP,
TRUNCATE or an unfiltered DELETE stops; its reads pass."""

from __future__ import annotations

import pytest
from effects_helpers import STOPPED, explain, judge
from hypothesis import example, given
from hypothesis import strategies as st

DESTROYING = [
    "cqlsh -e 'DROP TABLE ks.events;'",
    'cqlsh cassandra.internal -e "TRUNCATE ks.sessions"',
    "influx -database metrics -execute 'DROP MEASUREMENT cpu'",
    "sqlcmd -S localhost -U sa -Q 'TRUNCATE TABLE dbo.Logs'",
    "snowsql -c dev -q 'DROP SCHEMA analytics CASCADE'",
    "bq query --nouse_legacy_sql 'DROP TABLE ds.users'",
    "bq query 'DELETE FROM ds.events WHERE 1=1'",
    "cockroach sql --insecure -e 'DROP TABLE orders'",
    "trino --execute 'DROP TABLE hive.web.logs'",
    "beeline -e 'DROP DATABASE staging CASCADE'",
    "cypher-shell -u neo4j 'MATCH (n) DETACH DELETE n'",
    "wrangler d1 execute prod-db --command 'DELETE FROM users'",
    "turso db shell mydb 'DROP TABLE sessions'",
    "echo 'DROP KEYSPACE logs;' | cqlsh",
    "usql pg://localhost/app -c 'TRUNCATE audit_log'",
]

READING = [
    "cqlsh -e 'DESCRIBE KEYSPACES'",
    'cqlsh -e "SELECT * FROM ks.events LIMIT 10"',
    "influx -execute 'SHOW MEASUREMENTS' -database metrics",
    "sqlcmd -S localhost -Q 'SELECT @@VERSION'",
    "bq query 'SELECT COUNT(*) FROM ds.users'",
    "bq ls ds",
    "cockroach sql --insecure -e 'SHOW TABLES'",
    "cypher-shell 'MATCH (n:User) RETURN n LIMIT 5'",
    "wrangler d1 execute db --command 'SELECT * FROM users LIMIT 3'",
    "mysqldump --add-drop-table shop > shop.sql",
    "sqlfluff fix migrations/0003_drop_users.sql",
]


@pytest.mark.parametrize("line", DESTROYING)
def test_a_destroying_statement_to_any_database_client_stops(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision in STOPPED, explain(analysis)


@pytest.mark.parametrize("line", READING)
def test_reads_and_dump_tools_pass(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision not in STOPPED, explain(analysis)


# -- the keyword check before the destroying-statement pattern ----------------------------------

# Words and pieces the pattern is made of, in either case and with look-alike letters.
_STATEMENT_TOKENS = st.sampled_from(
    ["DROP", "drop", "Table", "TRUNCATE", "truncate", "DELETE", "from", "WHERE", "true", "1=1",
     "ALTER", "alter", "FLUSHALL", "FLUſHALL", "flushdb", "MATCH", "(n)", "DETACH", "x",
     "users", " ", " ", "\t", "\n", ";", "ſ", "ı", "K", "é", "`t`", '"t"', "-la", "/tmp"]
)  # fmt: skip


@given(st.lists(_STATEMENT_TOKENS, max_size=6).map(" ".join))
@example("FLUſHALL").via("a look-alike letter the pattern matches")
@example("  drop table x; ls")
def test_text_the_keyword_check_skips_never_matches_the_destroying_pattern(text: str) -> None:
    from safesh.rules.datacode import destroying_statement
    from safesh.rules.effects import _may_name_a_statement

    if not _may_name_a_statement(text):
        assert not destroying_statement(text)


@pytest.mark.parametrize("text", ["DROP TABLE users", "truncate logs", "FLUſHALL", "flushdb"])
def test_statements_reach_the_pattern(text: str) -> None:
    from safesh.rules.effects import _may_name_a_statement

    assert _may_name_a_statement(text)
