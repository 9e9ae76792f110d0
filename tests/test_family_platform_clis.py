"""Family: hosting platforms' and database operators' one-step cutovers, and the database
shells they open. Rotating a managed database's credentials, restoring a backup or copying
another database over it, promoting or unfollowing a follower, killing its connections,
detaching it from the app, rolling a release back, handing the app to another owner, failing
a cluster over, hibernating or fencing it: each asks, in any option order and through any
wrapper. The SQL typed into a platform's database shell (`heroku pg:psql -c`, `kubectl cnpg
psql -- -c`, `pscale shell < FILE`, `turso db shell DB SQL`, `wrangler d1 execute
--command`) is judged as the client's. Reading, listing, creating and the shells themselves
pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from judgekit import decide, project_in, stops

from safesh.model import Context, Tier

CUTOVERS = [
    "heroku pg:credentials:rotate --all -a shop",
    "heroku pg:credentials:rotate -a shop",
    "heroku pg:credentials:rotate DATABASE --all --confirm shop",
    "heroku pg:credentials:rotate HEROKU_POSTGRESQL_RED --name analyst --app=shop",
    "heroku releases:rollback v12 -a shop",
    "heroku releases:rollback --app shop",
    "heroku rollback v41 -a shop",
    "heroku pg:backups:restore b101 DATABASE_URL -a shop --confirm shop",
    "heroku pg:backups:restore 'https://s3.example.com/db.dump' DATABASE_URL -a shop",
    "heroku pg:backups restore b101 DATABASE_URL --app shop",
    "heroku pg:copy shop-old::DATABASE_URL DATABASE_URL -a shop",
    "heroku pg:promote HEROKU_POSTGRESQL_RED -a shop",
    "heroku pg:unfollow HEROKU_POSTGRESQL_RED --app shop",
    "heroku pg:killall -a shop",
    "heroku pg:kill 4567 --force -a shop",
    "heroku pg:upgrade HEROKU_POSTGRESQL_RED -a shop",
    "heroku apps:transfer acme-team -a shop",
    "heroku addons:detach DATABASE -a shop",
    "heroku redis:credentials --reset -a shop",
    "heroku domains:clear -a shop",
    "fly postgres failover -a shop-db",
    "flyctl pg failover --app shop-db",
    "fly apps move shop --org other",
    "fly machine kill 3d8d9014b32d38 -a shop",
    "fly machines kill 3d8d9014b32d38 --app shop",
    "vercel rollback",
    "vercel rollback https://shop-abc.vercel.app --yes",
    "neonctl branches restore main ^self@2024-01-01T00:00:00Z",
    "neonctl branch restore br-1 br-2 --preserve-under-name old",
    "pscale deploy-request revert shop 3",
    "kubectl cnpg promote pg-main pg-main-2",
    "kubectl cnpg hibernate on pg-main",
    "kubectl -n db cnpg fencing on pg-main 1",
    "kubectl cnpg fencing on pg-main '*' --namespace db",
    "kubectl cnpg restart pg-main",
    "fly postgres restart -a shop-db",
    "kubectl pgo restore hippo --repoName repo1",
    "kubectl pgo stop hippo",
    "dotnet ef database update 0",
]
WRAPPERS = ["{}", "sudo {}", "env HEROKU_API_KEY=x {}", "timeout 300 {}", "npx {}"]
BENIGN = [
    "heroku pg:credentials -a shop",
    "heroku pg:credentials:url DATABASE -a shop",
    "heroku releases -a shop",
    "heroku releases:info v12 -a shop",
    "heroku pg:backups -a shop",
    "heroku pg:backups:capture -a shop",
    "heroku pg:backups:download -a shop",
    "heroku pg:info -a shop",
    "heroku addons -a shop",
    "heroku logs --tail -a shop",
    "heroku pg:credentials:rotate --help",
    "fly postgres list",
    "fly pg status -a shop-db",
    "fly apps list",
    "fly machine list -a shop",
    "fly deploy",
    "vercel ls",
    "vercel inspect dpl_abc",
    "vercel deploy --prod",
    "neonctl branches list",
    "neonctl branches create --name dev",
    "pscale deploy-request list shop",
    "pscale branch create shop dev",
    "kubectl cnpg status pg-main",
    "kubectl cnpg hibernate off pg-main",
    "kubectl cnpg fencing off pg-main 1",
    "kubectl cnpg report cluster pg-main",
    "kubectl pgo show backup hippo",
    "kubectl pgo start hippo",
    "dotnet ef database update",
    "dotnet ef database update AddOrders",
]


@pytest.mark.parametrize("line", CUTOVERS)
def test_a_one_step_cutover_asks_through_any_wrapper(line: str) -> None:
    for wrapper in WRAPPERS:
        if wrapper.startswith("npx") and not line.startswith(("vercel", "neonctl")):
            continue
        assert stops(wrapper.format(line)), wrapper.format(line)


@pytest.mark.parametrize("line", BENIGN)
def test_reading_listing_and_creating_pass(line: str) -> None:
    assert not stops(line)


DESTRUCTIVE_SQL = ["DROP TABLE users", "TRUNCATE orders", "DELETE FROM users"]
SHELLS_WITH_SQL = [
    "heroku pg:psql -a shop -c {q}",
    "heroku pg:psql DATABASE_URL --app shop --command {q}",
    "heroku psql -a shop -c {q}",
    "kubectl cnpg psql pg-main -- -c {q}",
    "kubectl -n db cnpg psql pg-main -- -d app -c {q}",
    "turso db shell shop {q}",
    "wrangler d1 execute shop --command {q}",
    "wrangler d1 execute shop --remote --command={q}",
    "npx wrangler d1 execute shop --command {q} --remote",
]
SHELLS_ON_STDIN = [
    "heroku pg:psql -a shop",
    "fly postgres connect -a shop-db",
    "fly pg connect -a shop-db -d app",
    "kubectl cnpg psql pg-main",
    "pscale shell shop main",
    "turso db shell shop",
]


@pytest.mark.parametrize("sql", DESTRUCTIVE_SQL)
def test_sql_typed_into_a_platform_database_shell_is_judged(sql: str) -> None:
    for line in SHELLS_WITH_SQL:
        assert stops(line.format(q=repr(sql))), line.format(q=repr(sql))
    for shell in SHELLS_ON_STDIN:
        assert stops(f"{shell} <<'EOF'\n{sql};\nEOF"), shell
        assert stops(f"echo '{sql};' | {shell}"), shell
        assert stops(f"{shell} <<< '{sql}'"), shell


def test_harmless_sql_and_the_shells_themselves_pass() -> None:
    for line in SHELLS_WITH_SQL:
        assert not stops(line.format(q="'SELECT count(*) FROM users'")), line
    for shell in SHELLS_ON_STDIN:
        assert not stops(shell), shell
        assert not stops(f"{shell} <<'EOF'\nSELECT 1;\nEOF"), shell


@pytest.fixture
def project(tmp_path: Path) -> Context:
    return project_in(tmp_path)


def test_sql_files_given_to_a_platform_shell_are_read(project: Context) -> None:
    Path(project.cwd, "wipe.sql").write_text("DROP TABLE users;\n")
    Path(project.cwd, "report.sql").write_text("SELECT count(*) FROM users;\n")
    lines = [
        "heroku pg:psql -a shop -f {f}",
        "heroku pg:psql -a shop --file={f}",
        "heroku pg:psql -a shop < {f}",
        "fly postgres connect -a shop-db < {f}",
        "kubectl cnpg psql pg-main -- -f {f}",
        "kubectl cnpg psql pg-main < {f}",
        "pscale shell shop main < {f}",
        "turso db shell shop < {f}",
        "wrangler d1 execute shop --file {f}",
        "wrangler d1 execute shop --file=./{f} --remote",
    ]
    for line in lines:
        assert stops(line.format(f="wipe.sql"), project), line
        assert not stops(line.format(f="report.sql"), project), line


def test_a_sql_file_that_cannot_be_read_asks(project: Context) -> None:
    for line in ["heroku pg:psql -a shop -f gone.sql", "wrangler d1 execute shop --file gone.sql",
                 "kubectl cnpg psql pg-main -- -f gone.sql"]:  # fmt: skip
        assert decide(line, project) is Tier.ASK, line


def test_redis_commands_typed_into_a_platform_shell_are_judged() -> None:
    assert stops("heroku redis:cli -a shop <<< FLUSHALL")
    assert stops("fly redis connect <<< 'FLUSHDB'")
    assert not stops("heroku redis:cli -a shop <<< 'GET session:1'")


CLOUD_SQL = [
    "aws rds-data execute-statement --resource-arn arn:x --secret-arn arn:y --sql {q}",
    "aws --profile dev redshift-data execute-statement --cluster-identifier c1 --sql={q}",
    "aws athena start-query-execution --query-string {q} --work-group primary",
    "gcloud spanner databases execute-sql shop --instance i1 --sql {q}",
    "az postgres flexible-server execute -n db1 -u admin -p x --querytext {q}",
    "az mysql flexible-server execute -n db1 -u admin -p x -q {q}",
    "render psql db-1 -c {q}",
]
CLOUD_SHELLS = ["gcloud sql connect db1 --user=postgres", "railway connect postgres"]


@pytest.mark.parametrize("sql", DESTRUCTIVE_SQL)
def test_sql_a_cloud_cli_sends_to_a_managed_database_is_judged(sql: str) -> None:
    for line in CLOUD_SQL:
        assert stops(line.format(q=repr(sql))), line.format(q=repr(sql))
    for shell in CLOUD_SHELLS:
        assert stops(f"{shell} <<< '{sql}'"), shell
        assert stops(f"echo '{sql};' | {shell}"), shell


def test_reads_through_a_cloud_cli_pass() -> None:
    for line in CLOUD_SQL:
        assert not stops(line.format(q="'SELECT count(*) FROM users'")), line
    for shell in CLOUD_SHELLS:
        assert not stops(shell), shell
        assert not stops(f"{shell} <<< 'SELECT 1'"), shell
    assert not stops("aws s3 cp drop.sql s3://bucket/drop.sql")
