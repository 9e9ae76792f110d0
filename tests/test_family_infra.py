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


# -- programs that run a command with credentials or secrets in its environment -------------------

INJECTED_DESTROYS = [
    "aws-vault exec billing-admin -- aws s3 rm s3://invoices --recursive",
    "aws-vault exec --duration=1h billing-admin aws rds delete-db-cluster --db-cluster-id x",
    "aws-okta exec ops -- helm uninstall billing -n billing",
    "saml2aws exec --exec-profile ops -- terraform destroy -auto-approve",
    "doppler run -p billing -c prd -- npx prisma migrate reset --force",
    "doppler run --command 'rails db:schema:load'",
    "op run --env-file .env.tpl -- redis-cli FLUSHALL",
    "infisical run --env=prod -- psql -c 'DROP TABLE invoices'",
    "chamber exec billing ops -- kubectl delete ns billing",
    "envchain ops terraform destroy",
    "direnv exec ./infra/prod tofu destroy -auto-approve",
    "dotenv -e .env.production -- npx knex migrate:rollback --all",
    "sops exec-env secrets.prod.yaml 'aws s3 rb s3://invoices --force'",
    "berglas exec -- dropdb invoices",
    "teller run -- rails db:drop",
]
INJECTED_LOOKS = [
    "aws-vault exec billing-admin -- aws s3 ls s3://invoices",
    "aws-vault list",
    "doppler run -p billing -c prd -- npx prisma migrate status",
    "doppler secrets get DATABASE_URL --plain",
    "op run --env-file .env.tpl -- npm test",
    "infisical run --env=dev -- npm run dev",
    "envchain ops terraform plan",
    "direnv exec ./infra/prod tofu plan",
    "sops exec-env secrets.prod.yaml 'env | grep -c AWS'",
    "sops -d secrets.prod.yaml",
]


@pytest.mark.parametrize("line", INJECTED_DESTROYS)
def test_a_destructive_command_run_with_injected_credentials_stops(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", INJECTED_LOOKS)
def test_an_ordinary_command_run_with_injected_credentials_runs(line: str) -> None:
    assert not stops(line), line


@pytest.mark.parametrize(
    "line",
    [
        "secretctl run --vault prod -- terraform destroy -auto-approve",
        "creds-wrapper exec prod -- kubectl delete ns billing",
    ],
)
def test_an_unknown_program_that_runs_what_follows_dashes_is_read_like_one(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize(
    "line",
    [
        "secretctl run --vault prod -- terraform plan",
        "mytool run -- --verbose",
        "bazel run //tools:gen -- --out gen/",
        "notes add -- 'terraform destroy broke staging'",
    ],
)
def test_an_unknown_program_with_dashes_and_nothing_destructive_after_runs(line: str) -> None:
    assert not stops(line), line


# -- long-tail data stores -------------------------------------------------------------------------

LONG_TAIL_DESTROYS = [
    "hdfs dfs -rm -r -skipTrash /warehouse/events",
    "hadoop fs -rmr /user/etl/out",
    "nodetool -h 10.0.0.4 removenode 0f1e2d3c",
    "nodetool clearsnapshot -t before-upgrade -- ks",
    "cbt -instance prod deletetable sessions",
    "zkCli.sh -server zk:2181 rmr /brokers",
    "ossutil rm -r -f oss://invoices/2024/",
    "athena-query --query 'DROP TABLE raw.events'",
    "curl -X PURGE https://cdn.example.org/",
    "mongosh app --eval 'db.events.bulkWrite([{ deleteMany: { filter: {} } }])'",
    "mongosh app --eval 'db.events.renameCollection(\"events_v1\", true)'",
    "redis-cli --cluster call 10.0.0.1:7000 FLUSHDB",
    "consul force-leave -prune node-7",
    "nomad node drain -enable -yes 1f2e",
    "rpk topic alter-config audit --set retention.ms=1",
    "gcloud pubsub subscriptions seek audit-sub --time=2031-01-01T00:00:00Z",
]
LONG_TAIL_LOOKS = [
    "hdfs dfs -ls -R /warehouse/events",
    "nodetool -h 10.0.0.4 status",
    "nodetool removenode status",
    "cbt -instance prod ls sessions",
    "zkCli.sh -server zk:2181 ls /brokers",
    "ossutil ls oss://invoices/2024/",
    "athena-query --query 'SELECT count(*) FROM raw.events'",
    "mongosh app --eval 'db.events.bulkWrite([{ deleteMany: { filter: { day: 1 } } }])'",
    "mongosh app --eval 'db.events.renameCollection(\"events_v1\")'",
    "redis-cli --cluster call 10.0.0.1:7000 INFO",
    "nomad node drain -disable 1f2e",
    "rpk topic describe audit",
]


@pytest.mark.parametrize("line", LONG_TAIL_DESTROYS)
def test_a_long_tail_data_store_deletion_stops(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", LONG_TAIL_LOOKS)
def test_a_long_tail_data_store_read_runs(line: str) -> None:
    assert not stops(line), line


# -- deployments that delete what they do not name, migrations that revert everything --------------

DEPLOYS_AND_MIGRATIONS_THAT_DROP = [
    "az deployment group create --resource-group billing -f infra.json --mode Complete",
    "kubectl apply --force -f k8s/billing/",
    "sqitch revert --to @ROOT -y",
    "migrate -source file://db -database postgres://prod/billing down -all",
    "goose -dir db/migrations mysql 'u:p@/billing' reset",
    "atlas schema apply -u mysql://prod/billing --to file://schema.sql --auto-approve",
    "skeema push billing --allow-unsafe",
    "hasura metadata reset",
    "gh-ost --table invoices --database billing --alter 'drop column legacy' --execute",
    "pulumi state unprotect --all --yes",
]
DEPLOYS_AND_MIGRATIONS_THAT_KEEP = [
    "az deployment group create --resource-group billing --template-file infra.json",
    "kubectl apply -f k8s/billing/",
    "sqitch deploy -y",
    "migrate -source file://db -database postgres://localhost/billing down 1",
    "goose -dir db/migrations mysql 'u:p@/billing' status",
    "atlas schema apply -u mysql://dev/billing --to file://schema.sql --dry-run",
    "skeema diff billing",
    "gh-ost --table invoices --database billing --alter 'add column note text' --execute",
]


@pytest.mark.parametrize("line", DEPLOYS_AND_MIGRATIONS_THAT_DROP)
def test_a_deploy_or_migration_that_drops_what_it_does_not_name_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", DEPLOYS_AND_MIGRATIONS_THAT_KEEP)
def test_a_deploy_or_migration_that_adds_or_steps_runs(line: str) -> None:
    assert not stops(line), line


# -- registries: tags deleted, copies out of a registry ----------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "regctl tag rm ghcr.io/acme/billing:stable",
        "az acr repository untag --name acmereg --image billing:stable",
        "docker buildx imagetools create -t ghcr.io/acme/billing:stable ghcr.io/acme/billing:rc1",
        "skopeo copy oci-archive:billing.tar docker://ghcr.io/acme/billing:stable",
    ],
)
def test_changing_what_a_registry_tag_points_at_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize(
    "line",
    [
        "regctl tag ls ghcr.io/acme/billing",
        "skopeo copy --src-creds u:p docker://ghcr.io/acme/billing:stable dir:/tmp/billing",
        "docker buildx imagetools inspect ghcr.io/acme/billing:stable",
    ],
)
def test_reading_or_copying_out_of_a_registry_runs(line: str) -> None:
    assert not stops(line), line


@pytest.mark.parametrize(
    "line", ["supabase secrets unset STRIPE_KEY", "heroku config:unset STRIPE_KEY -a billing"]
)
def test_unsetting_a_platform_secret_asks(line: str) -> None:
    assert stops(line), line


def test_listing_an_env_of_a_deployment_runs() -> None:
    assert not stops("kubectl set env deployment/billing --list -n production")


# -- local state of infrastructure tools, raw datastore protocols, nix run -------------------------

STATE_LOST = [
    "rm -f envs/prod/terraform.tfstate",
    "rm -rf terraform.tfstate.d/prod",
    ": > terraform.tfstate",
    "mv terraform.tfstate terraform.tfstate.old",
    "cp /dev/null envs/prod/terraform.tfstate.backup",
]
STATE_KEPT = [
    "cp envs/prod/terraform.tfstate /tmp/prod.tfstate.copy",
    "terraform state pull > prod-backup.tfstate",
    "jq '.resources[].type' envs/prod/terraform.tfstate",
    "rm -f prod.tfplan",
]


@pytest.mark.parametrize("line", STATE_LOST)
def test_deleting_or_overwriting_terraform_state_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", STATE_KEPT)
def test_reading_or_copying_terraform_state_runs(line: str) -> None:
    assert not stops(line), line


@pytest.mark.parametrize(
    "line",
    [
        "printf 'SELECT 3\\r\\nFLUSHDB\\r\\n' | ncat cache.internal 6379",
        "echo 'flush_all' | nc -q1 memcached 11211",
        "printf 'SHUTDOWN NOSAVE\\r\\n' | nc cache.internal 6379",
    ],
)
def test_a_datastore_command_fed_to_a_raw_tcp_client_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize(
    "line",
    ["printf 'INFO\\r\\n' | nc cache.internal 6379", "echo version | nc memcached 11211"],
)
def test_a_harmless_command_fed_to_a_raw_tcp_client_runs(line: str) -> None:
    assert not stops(line), line


def test_nix_run_judges_the_package_program_with_its_arguments() -> None:
    assert stops("nix run nixpkgs#google-cloud-sdk -- projects delete acme-prod")


def test_nix_run_of_a_harmless_program_runs() -> None:
    assert not stops("nix run nixpkgs#awscli2 -- sts get-caller-identity")


# -- DNS pushes, outages on hosting platforms, repositories made public, unclean elections ---------

OUTAGES_AND_EXPOSURES = [
    "dnscontrol push",
    "octodns-sync --config-file config/prod.yaml --doit",
    "cli53 rrdelete example.org api CNAME",
    "heroku maintenance:on --app billing",
    "heroku ps:kill worker.2 --app billing",
    "flyctl ips release 2a09:8280::1 --app billing",
    "gh api --method PATCH /repos/acme/ledger --field private=false",
    "kafka-leader-election.sh --bootstrap-server b:9092 --election-type unclean --topic audit",
]
LOOKALIKES = [
    "dnscontrol preview",
    "octodns-sync --config-file config/prod.yaml",
    "heroku maintenance --app billing",
    "heroku maintenance:off --app billing",
    "flyctl ips list --app billing",
    "gh api --method PATCH /repos/acme/ledger --field has_wiki=false",
    "kafka-leader-election --bootstrap-server b:9092 --election-type preferred --topic audit",
]


@pytest.mark.parametrize("line", OUTAGES_AND_EXPOSURES)
def test_an_outage_an_exposure_or_a_lossy_election_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", LOOKALIKES)
def test_their_previews_and_reverses_run(line: str) -> None:
    assert not stops(line), line


# -- kubectl plugins, data pipelines, account-wide switches -------------------------------------

PLUGIN_AND_PIPELINE_DESTROYS = [
    "kubectl cnpg destroy billing-pg 2",
    "kubectl -n rook-ceph rook-ceph rbd rm replicapool/pvc-9",
    "kubectl foo-operator purge --all",
    "dbt build --full-refresh --target prod --select orders",
    "bq load --replace=true ds.orders gs://b/empty.csv",
    "airflow db clean --clean-before-timestamp 2031-01-01 -y",
    "snow sql -q 'DROP TABLE raw.orders'",
    "aws lambda put-function-concurrency --function-name b --reserved-concurrent-executions 0",
    "aws iam create-login-profile --user-name root-like --password hunter2",
    "aws account close-account",
]
PLUGIN_AND_PIPELINE_READS = [
    "kubectl cnpg status billing-pg",
    "kubectl -n rook-ceph rook-ceph ceph status",
    "kubectl ctx staging",
    "dbt build --target prod --select orders",
    "bq load ds.orders_staging gs://b/orders.csv",
    "airflow db clean --clean-before-timestamp 2031-01-01 --dry-run",
    "snow sql -q 'SELECT 1'",
    "aws lambda put-function-concurrency --function-name b --reserved-concurrent-executions 50",
]


@pytest.mark.parametrize("line", PLUGIN_AND_PIPELINE_DESTROYS)
def test_plugins_pipelines_and_account_switches_that_destroy_ask(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", PLUGIN_AND_PIPELINE_READS)
def test_their_reads_and_ordinary_runs_run(line: str) -> None:
    assert not stops(line), line


@pytest.mark.parametrize(
    "line",
    [
        "mysql -uroot -e 'RESET MASTER'",
        "mariadb -e 'RESET SLAVE ALL'",
        "mysql -e 'RESET REPLICA ALL'",
    ],
)
def test_a_statement_the_parser_reads_as_a_bare_alias_is_unknown_so_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize(
    "line", ["mysql -e 'SELECT id x FROM t'", "psql -c 'SELECT 1 AS one'", "psql -c 'COMMIT'"]
)
def test_selects_with_aliases_still_run(line: str) -> None:
    assert not stops(line), line


def test_a_restore_that_updates_live_objects_asks() -> None:
    assert stops(
        "velero restore create r2 --from-schedule nightly --existing-resource-policy update"
    )


def test_a_restore_that_leaves_live_objects_alone_runs() -> None:
    assert not stops("velero restore create r2 --from-schedule nightly")
