"""Migrations run all the way back, a family the fourth held-out probe found
(notes/heldout4_data.py): migrating to zero drops every table the migrations made, with the
rows, in each tool's own words (`migrate APP zero`, `update 0`, `migrate first`, golang-migrate
`down` without a count). One step back stays what it was, a migration that is recorded and asked
for in production (tests/test_rules_cloud.py, tests/test_family_infra.py); reading the state
and printing the SQL run.
"""

from __future__ import annotations

import pytest
from judgekit import CONTEXT, RULES, decide, stops

from safesh.analyze import analyze
from safesh.model import Tier

ALL_THE_WAY_BACK = [
    "alembic downgrade base",
    "alembic -c alembic.prod.ini downgrade base",
    "alembic --config deploy/alembic.ini downgrade base",
    "python -m alembic downgrade base",
    "flask db downgrade base",
    "python manage.py migrate shop zero",
    "./manage.py migrate accounts zero",
    "python3 manage.py migrate --database replica billing zero",
    "django-admin migrate shop zero --settings=site.settings.prod",
    "rails db:migrate VERSION=0",
    "npx knex migrate:rollback --all",
    "npx sequelize-cli db:migrate:undo:all",
    "npx typeorm migration:revert --all -d src/data-source.ts",
    "php bin/console doctrine:migrations:migrate first",
    "MIX_ENV=prod mix ecto.rollback --all",
    "liquibase rollback-count 5",
    'goose -dir migrations postgres "$DATABASE_URL" reset',
    'migrate -path db/migrations -database "$DATABASE_URL" down',
    'migrate -path db/migrations -database "$DATABASE_URL" down -all',
    "diesel migration revert --all",
    "dotnet ef database update 0",
    "sql-migrate down -limit=0",
    "yoyo rollback --all --batch",
    "tern migrate --destination 0",
    "vendor/bin/phinx rollback -t 0",
    "npx mikro-orm migration:down --to 0",
    "dbmate drop",
]

ONE_STEP_BACK = [
    "alembic downgrade -1",
    "rails db:rollback",
    "python manage.py migrate shop 0002",
    "npx knex migrate:rollback",
    "npx sequelize-cli db:migrate:undo",
    "mix ecto.rollback",
    'migrate -path db/migrations -database "$DATABASE_URL" down 1',
    "diesel migration revert",
    "php bin/console doctrine:migrations:migrate prev",
    "dotnet ef database update",
    "npx typeorm migration:revert -d src/data-source.ts",
    "dbmate rollback",
    "dbmate down",
    'goose -dir db/migrations postgres "$DATABASE_URL" down',
    "sql-migrate down",
    "sqlx migrate revert",
    "npx db-migrate down",
    "npx migrate-mongo down",
    "npx node-pg-migrate down",
    "yoyo rollback",
    "vendor/bin/phinx rollback",
    "npx mikro-orm migration:down",
    "sea-orm-cli migrate down",
]

READS_AND_PRINTED_SQL = [
    "alembic upgrade head --sql",
    "alembic downgrade base --sql",
    "alembic history --verbose",
    "alembic -c alembic.prod.ini current",
    "python manage.py showmigrations shop",
    "python manage.py sqlmigrate shop 0002",
    "rails db:migrate:status",
    "npx knex migrate:status",
    "php bin/console doctrine:migrations:status",
    "flyway info",
    "dbmate status",
    'goose -dir db/migrations postgres "$DATABASE_URL" status',
    "npx typeorm migration:show -d src/data-source.ts",
    "sqlx migrate info",
    "yoyo list",
]


@pytest.mark.parametrize("line", ALL_THE_WAY_BACK)
def test_migrating_all_the_way_back_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", ONE_STEP_BACK)
def test_one_step_back_is_a_migration_that_runs(line: str) -> None:
    assert not stops(line), line


@pytest.mark.parametrize("line", ONE_STEP_BACK[-13:])
def test_one_step_back_in_every_tool_is_recorded_as_a_migration(line: str) -> None:
    # recorded, and asked for in production, as `rails db:rollback` is
    assert "framework.db-migrate" in {f.rule_id for f in analyze(line, CONTEXT, RULES).findings}


@pytest.mark.parametrize("line", READS_AND_PRINTED_SQL)
def test_reading_migration_state_or_printing_the_sql_runs(line: str) -> None:
    assert not stops(line), line


def test_migrating_all_the_way_back_in_production_is_blocked() -> None:
    assert decide("RAILS_ENV=production python manage.py migrate shop zero") == Tier.BLOCK


def test_one_step_back_on_a_production_database_asks() -> None:
    # framework.db-migrate asks where the target is production, for every tool alike
    assert decide("migrate -source file://db -database postgres://prod/billing down 1") is Tier.ASK
    assert decide("RAILS_ENV=production rails db:rollback") is Tier.ASK
