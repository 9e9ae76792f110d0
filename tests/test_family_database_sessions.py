"""Family: ending database sessions by the query that selects them. `SELECT
pg_terminate_backend(pid) FROM pg_stat_activity WHERE …` ends every session the query finds
(every application connected to the database, in the common `datname = current_database()`
form), and `pg_cancel_backend` cancels all their running queries; open transactions are rolled
back. However the SQL reaches the client (`-c`, a heredoc, a pipe, inside `docker exec`) it
asks; one session ended by its number, and reading `pg_stat_activity`, pass.
"""

from __future__ import annotations

import shlex

import pytest
from judgekit import decide, stops

from safesh.model import Tier

MANY = [
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()",
    "select pg_terminate_backend(pid) from pg_stat_activity where datname = 'shop'"
    " and pid <> pg_backend_pid()",
    "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE state = 'active'",
    "SELECT pg_terminate_backend(a.pid) FROM pg_stat_activity a WHERE a.usename = 'app';",
]
ONE_OR_READ = [
    "SELECT pg_terminate_backend(12345)",
    "SELECT pg_cancel_backend(4242)",
    "SELECT pid, usename, state, query FROM pg_stat_activity",
    "SELECT count(*) FROM pg_stat_activity WHERE datname = 'shop'",
]
LINES = [
    "psql -c {q}",
    "psql -h db.internal -U postgres -d postgres -c {q}",
    "docker exec -i db psql -U postgres -c {q}",
]


@pytest.mark.parametrize("sql", MANY)
def test_ending_every_selected_session_asks(sql: str) -> None:
    for line in LINES:
        assert decide(line.format(q=shlex.quote(sql))) is Tier.ASK, line
    assert stops(f"psql app <<'EOF'\n{sql}\nEOF")
    assert stops(f"echo {shlex.quote(sql)} | psql app")


@pytest.mark.parametrize("sql", ONE_OR_READ)
def test_one_session_by_its_number_or_reading_sessions_passes(sql: str) -> None:
    for line in LINES:
        assert not stops(line.format(q=shlex.quote(sql))), line
