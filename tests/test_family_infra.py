"""Families of infrastructure lines a held-out probe found (notes/heldout3_infra.py), each
with variants the probe does not hold and the look-alikes an operator runs every day.

Stopped: granting roles (Kubernetes bindings, Azure role assignments, SQL grants of the whole
server or superuser), scaling a hosted app to zero, NoExecute taints, stopping a database
server through its client, pruning the whole build cache, a node's container runtime, cloud
CLIs that nest the verb four words deep, change batches that delete records, `mc mirror
--remove`. Passing: the reads, the ordinary grants and scales, copying out of a pod, and
switching the local kubeconfig.
"""

from __future__ import annotations

import pytest
from judgekit import decide, stops

from safesh.model import Tier

ROLE_GRANTS = [
    "kubectl create clusterrolebinding dev-admin --clusterrole=cluster-admin --user=dev@ex.com",
    "kubectl create rolebinding ci --clusterrole=admin --serviceaccount=ci:runner -n staging",
    "oc adm policy add-cluster-role-to-group cluster-admin developers",
    "az role assignment create --role 'User Access Administrator' --assignee ops@example.com",
    "az ad sp create-for-rbac -n deployer --role Owner --scopes /subscriptions/9",
]
ROLE_READS = [
    "kubectl get rolebindings -A",
    "kubectl create clusterrolebinding x --clusterrole=view --user=a --dry-run=client -o yaml",
    "az role assignment list --all -o table",
    "kubectl auth can-i '*' '*' --as=system:serviceaccount:ci:runner",
]


@pytest.mark.parametrize("line", ROLE_GRANTS)
def test_binding_a_role_to_someone_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", ROLE_READS)
def test_reading_or_rendering_role_bindings_runs(line: str) -> None:
    assert not stops(line), line


SQL_ADMIN_GRANTS = [
    "mysql -uroot -e \"GRANT ALL ON *.* TO 'bot'@'%' WITH GRANT OPTION\"",
    "psql -c 'ALTER ROLE reporting SUPERUSER'",
    "psql -c 'GRANT USAGE ON SCHEMA public TO PUBLIC'",
    "psql -c 'GRANT cloudsqlsuperuser TO migrator'",
    "psql -c 'GRANT pg_write_server_files TO etl'",
]
SQL_ORDINARY_GRANTS = [
    "psql -c 'GRANT SELECT, INSERT ON invoices TO billing'",
    "mysql -e \"GRANT SELECT ON reports.* TO 'bi'@'10.0.0.%'\"",
    "psql -c 'ALTER ROLE reporting NOSUPERUSER'",
    'psql -c "SELECT rolname FROM pg_roles WHERE rolsuper"',
]


@pytest.mark.parametrize("line", SQL_ADMIN_GRANTS)
def test_sql_grant_of_the_whole_server_or_superuser_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", SQL_ORDINARY_GRANTS)
def test_sql_grant_of_named_objects_runs(line: str) -> None:
    assert not stops(line), line


SCALE_TO_ZERO = [
    "heroku ps:scale worker=0 --app billing",
    "heroku ps:scale web=0:Standard-2X -a billing",
    "dokku ps:scale billing worker=0",
    "flyctl scale count 0 --app billing --yes",
    "nomad job scale billing 0",
]
SCALE_UP = [
    "heroku ps:scale worker=3 --app billing",
    "heroku ps:scale web=10",
    "flyctl scale count 2 --app billing",
    "fly scale show -a billing",
]


@pytest.mark.parametrize("line", SCALE_TO_ZERO)
def test_scaling_a_hosted_app_to_zero_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", SCALE_UP)
def test_scaling_a_hosted_app_up_or_looking_runs(line: str) -> None:
    assert not stops(line), line


def test_a_noexecute_taint_asks() -> None:
    assert stops("kubectl taint nodes worker-2 maintenance=true:NoExecute --overwrite")


@pytest.mark.parametrize(
    "line",
    [
        "kubectl taint nodes worker-2 maintenance=true:NoSchedule",
        "kubectl taint nodes worker-2 maintenance:NoExecute-",
    ],
)
def test_a_noschedule_taint_or_removing_a_taint_runs(line: str) -> None:
    assert not stops(line), line


SERVER_SHUTDOWNS = [
    "mongosh mongodb://db.internal/admin --eval 'db.getSiblingDB(\"admin\").shutdownServer()'",
    "mongo --eval 'db.adminCommand({ \"shutdown\": 1, force: true })'",
    "mariadb-admin --user=root shutdown",
    "pg_ctl -D /srv/pg -m fast stop",
    "pg_ctlcluster 15 main restart",
    "valkey-cli -h cache SHUTDOWN",
]
SERVER_LOOKS = [
    "mongosh --eval 'db.adminCommand({ serverStatus: 1 })'",
    "mysqladmin -u root processlist",
    "pg_ctl -D /srv/pg status",
    "pg_ctlcluster 15 main status",
]


@pytest.mark.parametrize("line", SERVER_SHUTDOWNS)
def test_stopping_a_database_server_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", SERVER_LOOKS)
def test_a_database_servers_status_runs(line: str) -> None:
    assert not stops(line), line


def test_pruning_the_whole_build_cache_asks() -> None:
    assert stops("podman builder prune --all -f")


def test_pruning_dangling_build_cache_runs() -> None:
    assert not stops("docker buildx prune --force")


@pytest.mark.parametrize(
    "line", ["crictl rmp --all --force", "crictl stop 0a1b2c", "crictl rmi -a"]
)
def test_the_nodes_container_runtime_removing_or_stopping_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize(
    "line", ["crictl ps", "crictl pods --namespace kube-system", "crictl stats"]
)
def test_the_nodes_container_runtime_reads_run(line: str) -> None:
    assert not stops(line), line


DEEP_CLOUD_DELETES = [
    "doctl compute domain records delete example.org 998877 -f",
    "doctl kubernetes cluster node-pool delete staging gpu-pool --force",
    "exo compute sks nodepool delete staging np-gpu",
    "gcloud firestore bulk-delete --collection-ids=sessions --quiet",
]


@pytest.mark.parametrize("line", DEEP_CLOUD_DELETES)
def test_a_cloud_verb_nested_four_words_deep_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize(
    "line",
    [
        "doctl compute domain records list example.org",
        "doctl kubernetes cluster node-pool list staging",
    ],
)
def test_a_nested_cloud_listing_runs(line: str) -> None:
    assert not stops(line), line


def test_a_change_batch_that_deletes_dns_records_asks() -> None:
    line = (
        "aws route53 change-resource-record-sets --hosted-zone-id Z9 --change-batch "
        '\'{"Changes":[{"Action":"DELETE","ResourceRecordSet":{"Name":"api.example.org","Type":"CNAME"}}]}\''
    )
    assert stops(line)


def test_a_change_batch_that_upserts_dns_records_runs() -> None:
    line = (
        "aws route53 change-resource-record-sets --hosted-zone-id Z9 --change-batch "
        '\'{"Changes":[{"Action":"UPSERT","ResourceRecordSet":{"Name":"api.example.org","Type":"CNAME"}}]}\''
    )
    assert not stops(line)


@pytest.mark.parametrize(
    "line",
    [
        "mc mirror --remove --overwrite ./public minio/site",
        "mc mirror --watch --remove local/a local/b",
    ],
)
def test_mc_mirror_that_removes_at_the_destination_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize(
    "line", ["mc mirror ./public minio/site", "mc mirror --remove --dry-run ./public minio/site"]
)
def test_mc_mirror_that_only_adds_runs(line: str) -> None:
    assert not stops(line), line


@pytest.mark.parametrize(
    "line",
    [
        "kubectl cp payments/api-0:/var/log/app.log ./app.log",
        "kubectl cp -n payments api-0:/tmp/dump.sql dump.sql",
    ],
)
def test_copying_out_of_a_pod_runs(line: str) -> None:
    assert decide(line) == Tier.ALLOW, line


def test_copying_into_a_pod_is_a_change() -> None:
    assert (
        decide("kubectl cp ./hotfix.py payments/api-0:/app/hotfix.py").severity
        >= Tier.NOTIFY.severity
    )


def test_writing_the_local_kubeconfig_for_a_cluster_runs() -> None:
    assert not stops("aws eks update-kubeconfig --name production-eu --alias prod")


# -- commands a cloud CLI runs on the machines it manages ---------------------------------------

REMOTE_RUNS_THAT_DESTROY = [
    "aws ssm send-command --document-name AWS-RunShellScript --instance-ids i-9 "
    "--parameters 'commands=[\"rm -rf /var/lib/docker\"]'",
    "aws ssm send-command --document-name AWS-RunShellScript --targets Key=tag:role,Values=web "
    '--parameters \'{"commands":["sudo systemctl stop nginx"]}\'',
    "aws ssm start-session --target i-9 --document-name AWS-StartInteractiveCommand "
    "--parameters command='rm -rf /srv/uploads'",
    "aws ecs execute-command --cluster web --task 3f2a --interactive --command 'rm -rf /data'",
    "az vm run-command invoke -g rg -n db1 --command-id RunShellScript --scripts 'rm -rf /srv'",
    "az aks command invoke -g rg -n k1 --command 'kubectl delete namespace billing'",
    "heroku run --app billing -- rake db:drop",
    "fly ssh console --app billing --command 'rm -rf /data/uploads'",
    "doctl compute ssh db-1 --ssh-command 'dropdb billing'",
]
REMOTE_RUNS_THAT_LOOK = [
    "aws ssm send-command --document-name AWS-RunShellScript --instance-ids i-9 "
    '--parameters \'commands=["df -h","uptime"]\'',
    "aws ssm send-command --document-name AWS-RunPatchBaseline --instance-ids i-9 "
    "--parameters Operation=Scan",
    "az vm run-command invoke -g rg -n db1 --command-id RunShellScript --scripts 'free -m'",
    "az aks command invoke -g rg -n k1 --command 'kubectl get nodes'",
    "heroku run --app billing -- rails runner 'puts User.count'",
    "fly ssh console --app billing --command 'ls -la /data'",
    "doctl compute ssh db-1 --ssh-command 'systemctl status postgresql'",
]


@pytest.mark.parametrize("line", REMOTE_RUNS_THAT_DESTROY)
def test_a_destructive_command_a_cloud_cli_runs_on_its_machines_stops(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", REMOTE_RUNS_THAT_LOOK)
def test_a_harmless_command_a_cloud_cli_runs_on_its_machines_runs(line: str) -> None:
    assert not stops(line), line


@pytest.mark.parametrize(
    "line",
    [
        "aws ssm send-command --document-name AWS-RunShellScript --instance-ids i-9 "
        "--parameters file://commands.json",
        "az vm run-command invoke -g rg -n db1 --command-id RunShellScript --scripts @fix.sh",
    ],
)
def test_a_remote_command_that_cannot_be_seen_asks(line: str) -> None:
    assert stops(line), line


# -- switching off what protects data ------------------------------------------------------------

PROTECTION_OFF = [
    "aws rds modify-db-cluster --db-cluster-identifier orders --no-deletion-protection",
    "aws rds modify-db-instance --db-instance-identifier orders --backup-retention-period=0",
    "aws s3api put-bucket-versioning --bucket ledger --versioning-configuration Status=Suspended",
    "aws dynamodb update-table --table-name Ledger --no-deletion-protection-enabled",
    "gcloud sql instances patch ledger --no-backup --quiet",
    "gcloud container clusters update k1 --region eu --no-enable-deletion-protection",
    'kubectl patch namespace billing -p \'{"metadata":{"finalizers":null}}\' --type=merge',
    'kubectl patch pv pvc-123 -p \'{"spec":{"persistentVolumeReclaimPolicy":"Delete"}}\'',
    "redis-cli -h cache CONFIG SET appendonly no",
    "valkey-cli config set save ''",
]
PROTECTION_ON = [
    "aws rds modify-db-cluster --db-cluster-identifier orders --deletion-protection",
    "aws s3api put-bucket-versioning --bucket ledger --versioning-configuration Status=Enabled",
    "gcloud sql instances patch ledger --backup-start-time 03:00",
    'kubectl patch pv pvc-123 -p \'{"spec":{"persistentVolumeReclaimPolicy":"Retain"}}\'',
    "redis-cli CONFIG SET save '900 1'",
    "redis-cli CONFIG GET appendonly",
]


@pytest.mark.parametrize("line", PROTECTION_OFF)
def test_switching_off_deletion_protection_backups_or_persistence_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", PROTECTION_ON)
def test_switching_protection_on_or_reading_it_runs(line: str) -> None:
    assert not stops(line), line


# -- brokers, vaults and backups: emptying by configuration, sealing, rewriting -----------------

DATA_GONE_BY_SETTING = [
    "kafka-configs --bootstrap-server b:9092 --alter --entity-type topics --entity-name audit "
    "--add-config retention.ms=100",
    "kafka-topics --bootstrap-server b:9092 --alter --topic audit --config cleanup.policy=delete",
    "rabbitmqctl -n rabbit@mq1 stop_app",
    "vault operator seal",
    "borg recreate --exclude 'sh:**/*.iso' ssh://backup/./repo",
]
SETTINGS_THAT_KEEP_DATA = [
    "kafka-configs --bootstrap-server b:9092 --describe --entity-type topics --entity-name audit",
    "kafka-topics --bootstrap-server b:9092 --alter --topic audit --partitions 24",
    "rabbitmqctl -n rabbit@mq1 start_app",
    "vault operator unseal",
    "borg recreate --dry-run --list --exclude 'sh:**/*.iso' ssh://backup/./repo",
]


@pytest.mark.parametrize("line", DATA_GONE_BY_SETTING)
def test_a_setting_that_empties_seals_or_rewrites_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", SETTINGS_THAT_KEEP_DATA)
def test_a_setting_that_keeps_the_data_runs(line: str) -> None:
    assert not stops(line), line


@pytest.mark.parametrize(
    "line",
    [
        "mysql -e 'SHOW GRANTS FOR reporter@localhost'",
        "mysql -e \"SHOW GRANTS FOR 'reporter'@'%'; SHOW PROCESSLIST\"",
    ],
)
def test_a_catalogue_statement_the_parser_does_not_know_runs(line: str) -> None:
    assert not stops(line), line


def test_an_unknown_statement_after_a_catalogue_one_stays_unknown() -> None:
    assert stops("mysql -e \"SHOW GRANTS FOR 'a;DROP TABLE t'@h\"")
