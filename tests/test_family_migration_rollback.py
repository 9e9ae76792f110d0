"""Migrations run backwards, a family the fourth held-out probe found (notes/heldout4_data.py):
a down step drops what its up step created, with the rows in it, in every migration tool.
Running them forward, reading their state and printing their SQL stay quiet.
"""

from __future__ import annotations

import pytest
from judgekit import decide, stops

from safesh.model import Tier

ROLLBACKS = [
    "alembic downgrade -1",
    "alembic downgrade ae1027a6acf",
    "alembic -c alembic.prod.ini downgrade base",
    "alembic --config deploy/alembic.ini downgrade -2",
    "python -m alembic downgrade -1",
    "flask db downgrade",
    "rails db:rollback",
    "bin/rails db:rollback STEP=3",
    "bundle exec rake db:migrate:down VERSION=20240101000000",
    "rails db:migrate:redo",
    "python manage.py migrate shop zero",
    "./manage.py migrate accounts 0001",
    "python3 manage.py migrate --database replica billing 0003_auto",
    "django-admin migrate shop zero --settings=site.settings.prod",
    "npx knex migrate:rollback",
    "knex migrate:down",
    "npx sequelize-cli db:migrate:undo",
    "npx sequelize db:seed:undo --seed 2024-users.js",
    "npx typeorm migration:revert -d src/data-source.ts",
    "npx mikro-orm migration:down",
    "php artisan migrate:rollback --step=2",
    "php bin/console doctrine:migrations:migrate prev",
    "php bin/console doctrine:migrations:execute 'DoctrineMigrations\\Version20240101' --down",
    "mix ecto.rollback",
    "MIX_ENV=prod mix ecto.rollback --step 2",
    "flyway undo",
    "liquibase rollback --tag=v1.2",
    "liquibase rollback-to-date 2024-01-01",
    "dbmate rollback",
    "dbmate down",
    'goose -dir migrations postgres "$DATABASE_URL" down',
    'goose postgres "$DATABASE_URL" redo',
    'migrate -path db/migrations -database "$DATABASE_URL" down 1',
    "diesel migration revert",
    "diesel migration redo",
    "sqlx migrate revert",
    "sea-orm-cli migrate down",
    "atlas migrate down --env prod",
    "hasura migrate apply --down 1",
    "dotnet ef database update 0",
]

FORWARD_AND_READS = [
    "alembic upgrade head",
    "alembic history --verbose",
    "alembic current",
    "alembic downgrade base --sql",
    "alembic downgrade -1 --sql > down.sql",
    "flask db upgrade",
    "rails db:migrate:status",
    "python manage.py showmigrations shop",
    "python manage.py sqlmigrate shop 0002",
    "python manage.py migrate --plan",
    "npx knex migrate:status",
    "npx sequelize-cli db:migrate:status",
    "npx typeorm migration:show -d src/data-source.ts",
    "php artisan migrate:rollback --pretend",
    "php artisan migrate:status",
    "php bin/console doctrine:migrations:status",
    "mix ecto.migrations",
    "flyway info",
    "liquibase rollback-sql --tag=v1.2",
    "liquibase history",
    "dbmate status",
    'goose -dir migrations postgres "$DATABASE_URL" status',
    'migrate -path db/migrations -database "$DATABASE_URL" version',
    "diesel migration list",
    "sqlx migrate info",
    "sqlx migrate revert --dry-run",
]

FORWARD_CHANGES = [
    "python manage.py migrate",
    "python manage.py migrate shop",
    "rails db:migrate",
    "npx knex migrate:latest",
    "mix ecto.migrate",
    "flyway migrate",
    "liquibase update",
    "dbmate up",
    "diesel migration run",
]


@pytest.mark.parametrize("line", ROLLBACKS)
def test_running_migrations_backwards_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", FORWARD_AND_READS)
def test_reading_migration_state_or_printing_the_down_sql_runs(line: str) -> None:
    assert not stops(line), line


@pytest.mark.parametrize("line", FORWARD_CHANGES)
def test_migrating_forward_is_recorded_not_asked(line: str) -> None:
    assert decide(line) in (Tier.ALLOW, Tier.NOTIFY), line


def test_a_rollback_aimed_at_production_is_blocked() -> None:
    assert decide("RAILS_ENV=production bin/rails db:rollback") == Tier.BLOCK
