"""The db pack on whole lines: destructive statements through every client and source stop,
reads and targeted writes pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from safesh.analyze import analyze
from safesh.model import Context, Tier
from safesh.rules import RuleSet, load_ruleset

CTX = Context(cwd="/home/user/project", home="/home/user", repo_root="/home/user/project")
STOPPED = {Tier.ASK, Tier.BLOCK}


@pytest.fixture(scope="module")
def builtin() -> RuleSet:
    return load_ruleset("/nonexistent-project", user_file=Path("/nonexistent/rules.toml"))


@pytest.mark.parametrize(
    "line",
    [
        "psql -U app -d shop -c 'DROP SCHEMA public CASCADE'",
        "psql postgres://u@h/db -c 'TRUNCATE TABLE orders RESTART IDENTITY'",
        "PGPASSWORD=x psql -h db -c 'DELETE FROM sessions'",
        "mysql -uroot -e 'DROP DATABASE IF EXISTS shop'",
        "mariadb -e 'ALTER TABLE users DROP COLUMN email' shop",
        "sqlite3 app.db 'UPDATE users SET password = NULL'",
        "sqlite3 -cmd 'DROP TABLE t' app.db",
        "duckdb data.duckdb 'DROP TABLE events'",
        "clickhouse-client -q 'TRUNCATE TABLE events'",
        "printf 'DROP TABLE x;' | mysql shop",
        "cat <<'SQL' | psql shop\nDELETE FROM users;\nSQL",
        "mongosh mongodb://h/shop --eval 'db.orders.deleteMany({})'",
        "mongo shop --eval 'db.dropDatabase()'",
        "redis-cli -h cache -p 6380 -a secret FLUSHALL",
        "echo FLUSHDB | redis-cli",
        "psql -f does-not-exist.sql shop",
        "dropdb -h db shop",
        "mongorestore --drop --uri mongodb://h dump/",
        "docker exec -i pg psql -U app -c 'DROP TABLE users'",
    ],
)
def test_stops(line: str, builtin: RuleSet) -> None:
    analysis = analyze(line, CTX, builtin)
    assert analysis.decision in STOPPED, [f.rule_id for f in analysis.findings]


@pytest.mark.parametrize(
    "line",
    [
        "psql -c 'SELECT * FROM users WHERE id = 1'",
        "psql -c '\\d+ users'",
        "psql -c 'EXPLAIN SELECT * FROM orders'",
        "psql -c \"UPDATE users SET name = 'x' WHERE id = 7\"",
        "psql -c 'INSERT INTO t VALUES (1)'",
        "psql -c 'CREATE INDEX CONCURRENTLY i ON t (a)'",
        "mysql -e 'SELECT COUNT(*) FROM orders' shop",
        "mysql -e 'DELETE FROM sessions WHERE expires < NOW()'",
        "sqlite3 app.db '.schema users'",
        "sqlite3 app.db 'SELECT name FROM sqlite_master'",
        "mongosh --eval 'db.users.countDocuments()'",
        "redis-cli INFO memory",
        "redis-cli DEL session:42",
        "pg_dump shop > shop.sql",
        "mysqldump shop > shop.sql",
        "createdb shop_test",
        "psql -c 'GRANT SELECT ON users TO reporting'",  # notify: reversible
        "echo 'DROP TABLE x' > notes.txt",
    ],
)
def test_passes(line: str, builtin: RuleSet) -> None:
    analysis = analyze(line, CTX, builtin)
    assert analysis.decision not in STOPPED, [f.rule_id for f in analysis.findings]
