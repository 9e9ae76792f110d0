"""Where a database client's SQL comes from, and what the parser makes of it: includes,
redirected files, always-true filters, code blocks, and that sqlglot is only imported for a
database client."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from safesh.analyze import analyze
from safesh.model import Context, Tier
from safesh.rules import RuleSet, load_ruleset
from safesh.rules.sql import classify_sql


@pytest.fixture(scope="module")
def builtin() -> RuleSet:
    return load_ruleset("/nonexistent-project", user_file=Path("/nonexistent/rules.toml"))


def in_dir(path: Path) -> Context:
    return Context(cwd=str(path), home=str(path.parent), repo_root=str(path))


def rules(line: str, ctx: Context, ruleset: RuleSet) -> set[str]:
    return {f.rule_id for f in analyze(line, ctx, ruleset).findings}


@pytest.mark.parametrize(
    ("sql", "dialect", "kind"),
    [
        ("DELETE FROM t WHERE 1 = 1", "postgres", "delete-no-where"),
        ("UPDATE t SET a = 1 WHERE true", "postgres", "update-no-where"),
        ("DELETE FROM t WHERE id = 3 OR 1 = 1", "postgres", "delete-no-where"),
        ("CREATE OR REPLACE TABLE t AS SELECT 1", "postgres", "drop"),
        ("EXPLAIN ANALYZE DELETE FROM t", "postgres", "delete-no-where"),
        ("DO $$ BEGIN EXECUTE 'DROP TABLE x'; END $$", "postgres", "drop"),
        ("DO $$ BEGIN DELETE FROM t; END $$", "postgres", "unparsable"),
        ("ALTER TABLE t DROP PARTITION 202401", "clickhouse", "alter-drop"),
        ("ALTER TABLE t DELETE WHERE 1", "clickhouse", "delete-no-where"),
        ("\\! rm -rf /", "postgres", "unparsable"),
        (".restore backup.db", "sqlite", "drop-database"),
        ("source missing.sql", "mysql", "unparsable"),
        ("\\. missing.sql", "mysql", "unparsable"),
    ],
)
def test_kinds(sql: str, dialect: str, kind: str) -> None:
    assert kind in classify_sql(sql, dialect)


@pytest.mark.parametrize(
    ("sql", "dialect"),
    [
        ("EXPLAIN DELETE FROM t", "postgres"),
        ("DELETE FROM t WHERE id = 1", "postgres"),
        ("ALTER TABLE t DELETE WHERE id = 3", "clickhouse"),
        ("SELECT id,\n  source\nFROM events", "mysql"),
        ("CREATE OR REPLACE VIEW v AS SELECT 1", "postgres"),
        ("SELECT 1 WHERE 1 = 1", "postgres"),
    ],
)
def test_harmless(sql: str, dialect: str) -> None:
    assert classify_sql(sql, dialect) == frozenset()


def test_an_included_file_is_judged_by_its_content(tmp_path: Path) -> None:
    def include(path: str) -> str | None:
        return {"drop.sql": "DROP TABLE users;", "read.sql": "SELECT 1;"}.get(path)

    assert classify_sql("\\i drop.sql", "postgres", include) == {"drop"}
    assert classify_sql("\\i read.sql", "postgres", include) == frozenset()
    assert classify_sql("source drop.sql;", "mysql", include) == {"drop"}
    assert classify_sql(".read read.sql", "sqlite", include) == frozenset()


def test_includes_do_not_recurse_forever() -> None:
    assert "unparsable" in classify_sql("\\i self.sql", "postgres", lambda _: "\\i self.sql")


def test_redirected_file_is_read(tmp_path: Path, builtin: RuleSet) -> None:
    ctx = in_dir(tmp_path)
    (tmp_path / "wipe.sql").write_text("DROP TABLE users;\n")
    (tmp_path / "seed.sql").write_text("INSERT INTO users VALUES (1);\n")
    assert "db.drop" in rules("mysql appdb < wipe.sql", ctx, builtin)
    assert rules("mysql appdb < seed.sql", ctx, builtin) == set()
    assert "db.unparsable-sql" in rules("psql < missing.sql", ctx, builtin)
    assert "db.drop" in rules("mysql -e 'source wipe.sql' appdb", ctx, builtin)
    assert rules("psql -c '\\i seed.sql'", ctx, builtin) == set()


def test_mongo_commands(builtin: RuleSet, tmp_path: Path) -> None:
    ctx = in_dir(tmp_path)
    assert "db.drop" in rules("mongosh --eval 'db.runCommand({drop: \"users\"})'", ctx, builtin)
    assert "db.drop" in rules("mongosh --eval 'db.dropAllUsers()'", ctx, builtin)
    assert rules("mongosh --eval 'db.users.find({drop: 1})'", ctx, builtin) == set()


def test_reads_pass(builtin: RuleSet, tmp_path: Path) -> None:
    ctx = in_dir(tmp_path)
    lines = ["psql -c 'SELECT * FROM users LIMIT 10;' appdb", "mysql -e 'SHOW DATABASES'",
             "sqlite3 app.db '.schema'", "redis-cli GET k", "psql -l", "mysql appdb"]  # fmt: skip
    for line in lines:
        assert analyze(line, ctx, builtin).decision is Tier.ALLOW, line


def test_sqlglot_is_imported_only_for_a_database_client() -> None:
    program = (
        "import sys\n"
        "from pathlib import Path\n"
        "from safesh.analyze import analyze\n"
        "from safesh.model import Context\n"
        "from safesh.rules import load_ruleset\n"
        "rs = load_ruleset('/nonexistent', user_file=Path('/nonexistent/rules.toml'),"
        " use_cache=False)\n"
        "ctx = Context(cwd='/tmp', home='/tmp')\n"
        "for line in ['ls -la', 'kubectl delete pod x', 'aws s3 rm s3://b/x', 'rails db:drop',"
        " 'echo DROP TABLE x', 'git push -f']:\n"
        "    analyze(line, ctx, rs)\n"
        "print('sqlglot' in sys.modules)\n"
        "analyze(\"psql -c 'DROP TABLE x'\", ctx, rs)\n"
        "print('sqlglot' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "True"]
