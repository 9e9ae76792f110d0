"""Family: data destroyed by code rather than by a database client's statement — through an
application's models (ActiveRecord, Django, SQLAlchemy, Eloquent, Ecto, Prisma, Sequelize,
Mongoose), a datastore's library (redis, pymongo, boto3) or SQL written in a string that the
code executes — given inline (`python -c`, `node -e`, a heredoc) or to an application console
(`rails runner`, `rails c`, `manage.py shell -c`, `artisan tinker --execute`, `mix run -e`).
Reads, counts, single-record deletes and code that merely mentions the words pass.
"""

from __future__ import annotations

import pytest
from judgekit import stops

from safesh.rules.datacode import BULK_CALLS, data_code_facts

DATA_DESTROYED = [
    "rails runner 'User.delete_all'",
    "bin/rails runner -e production 'Order.destroy_all'",
    "bundle exec rails runner 'User.where(active: false).delete_all'",
    "rails r 'ActiveRecord::Base.connection.execute(\"TRUNCATE events\")'",
    "rails c <<'EOF'\nUser.destroy_all\nEOF",
    "rails runner 'ActiveRecord::Migration.drop_table(:users)'",
    "python manage.py shell -c 'from shop.models import Order; Order.objects.all().delete()'",
    "./manage.py shell --command='Session.objects.all().delete()'",
    "echo 'User.objects.all().delete()' | python manage.py shell",
    "uv run python manage.py shell -c 'from x.models import Log; Log.objects.delete()'",
    "django-admin shell -c 'from django.contrib.auth.models import User; User.objects.all().delete()'",  # noqa: E501
    "php artisan tinker --execute=\"DB::table('users')->truncate()\"",
    'php artisan tinker --execute "App\\Models\\Post::truncate()"',
    "php artisan tinker --execute=\"DB::table('orders')->delete()\"",
    "mix run -e 'MyApp.Repo.delete_all(MyApp.User)'",
    "elixir -e 'Repo.delete_all(Order)'",
    "python3 -c 'import redis; redis.Redis().flushall()'",
    "python3 -c 'import redis; redis.from_url(\"redis://cache:6379/0\").flushdb()'",
    "node -e \"new (require('ioredis'))().flushall()\"",
    'python3 -c \'import boto3; boto3.resource("s3").Bucket("b").object_versions.delete()\'',
    'python3 -c \'import boto3; boto3.resource("s3").Bucket("prod-assets").objects.all().delete()\'',  # noqa: E501
    'python3 -c \'import boto3; boto3.client("s3").delete_bucket(Bucket="logs")\'',
    'python -c \'import boto3; boto3.client("dynamodb").delete_table(TableName="orders")\'',
    'python -c \'import boto3; boto3.client("ec2").terminate_instances(InstanceIds=["i-1"])\'',
    'python -c \'import sqlite3; sqlite3.connect("app.db").execute("DROP TABLE users")\'',
    'python -c \'import psycopg; psycopg.connect("dbname=prod").execute("DELETE FROM orders")\'',
    "python - <<'EOF'\nfrom app import db\ndb.drop_all()\nEOF",
    "python3 - <<'EOF'\nfrom app.db import session\nfrom app.models import User\nsession.query(User).delete()\nsession.commit()\nEOF",  # noqa: E501
    "python -c 'from pymongo import MongoClient; MongoClient().shop.orders.delete_many({})'",
    "python -c 'from pymongo import MongoClient; MongoClient().drop_database(\"shop\")'",
    "node -e \"require('./db').users.deleteMany({})\"",
    "node -e \"const {PrismaClient}=require('@prisma/client'); new PrismaClient().user.deleteMany()\"",  # noqa: E501
    "node -e \"require('./models').sequelize.sync({ force: true })\"",
    "node -e \"require('./models').Order.destroy({ where: {}, truncate: true })\"",
    "node -e \"require('./db').collection('events').drop()\"",
    'ruby -e \'require "pg"; PG.connect(dbname: "prod").exec("DROP DATABASE shop")\'',
    'php -r \'$p = new PDO("sqlite:app.db"); $p->exec("DROP TABLE users");\'',
]

EVERYDAY = [
    "rails runner 'puts User.count'",
    "rails runner 'User.find(3).destroy'",
    "rails runner lib/tasks/report.rb",
    "rails c",
    "python manage.py shell",
    "python manage.py shell -c 'print(User.objects.count())'",
    "python manage.py shell -c 'User.objects.filter(id=3).first()'",
    'php artisan tinker --execute="dump(App\\Models\\User::count())"',
    "mix run priv/repo/seeds.exs",
    "mix run -e 'IO.puts(Repo.aggregate(User, :count))'",
    "python3 -c 'import redis; print(redis.Redis().ping())'",
    "python3 -c 'import boto3; print(boto3.client(\"s3\").list_buckets())'",
    'python -c \'import sqlite3; print(sqlite3.connect("app.db").execute("SELECT 1").fetchall())\'',
    'python -c \'import pandas as pd; df = pd.read_csv("x.csv"); print(df.drop(columns=["a"]))\'',
    "node -e 'const s = new Set([1]); s.delete(1); console.log(s)'",
    "node -e \"console.log('delete from the cache')\"",
    "python -c 'd = {}; d.clear()'",
    "python -c 'from pymongo import MongoClient; print(MongoClient().shop.orders.count_documents({}))'",  # noqa: E501
    "python -c 'from pymongo import MongoClient; MongoClient().shop.orders.delete_one({\"_id\": 1})'",  # noqa: E501
]


@pytest.mark.parametrize("line", DATA_DESTROYED)
def test_code_that_drops_or_empties_data_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", EVERYDAY)
def test_code_that_reads_or_deletes_one_record_runs(line: str) -> None:
    assert not stops(line), line


@pytest.mark.parametrize(("what", "pattern"), BULK_CALLS)
def test_every_bulk_call_in_the_vocabulary_is_reached_by_some_line(what: str, pattern: str) -> None:
    import re

    assert any(re.search(pattern, line) for line in DATA_DESTROYED), what


def test_text_without_any_of_the_words_is_not_read_further() -> None:
    assert data_code_facts("print(User.objects.count())") == set()
