"""The generic verb and option vocabularies (cli.destroy-verb, cli.destroy-option): a CLI no
rule names still stops when a subcommand or an option deletes, and its read-only look-alikes
pass."""

from __future__ import annotations

import pytest
from effects_helpers import STOPPED, explain, judge

from safesh.model import Tier

DESTRUCTIVE = [
    # hosting, platform and data CLIs typed the way agents type them
    "scw instance server delete 11111111-2222 zone=fr-par-1",
    "exoscale compute instance delete web-1 --force",
    "upcloud server delete web-1",
    "netlify env:unset API_KEY && netlify sites:delete 1234 --force",
    "railway environment delete staging",
    "render services delete srv-123 --confirm",
    "pscale branch delete mydb feature-x --force",
    "neonctl branches delete br-123",
    "turso db destroy mydb --yes",
    "planetscale database delete prod-db",
    "databricks clusters delete --cluster-id 123",
    "snowsql-admin drop-warehouse wh1",
    "confluent kafka topic delete orders",
    "rabbitmqadmin delete queue name=jobs",
    "influx bucket delete --name metrics",
    "meilisearch-cli indexes delete movies",
    "typesense-cli collections drop products",
    "qdrant-cli collection delete docs",
    "weaviate-cli schema delete",
    "pinecone index delete my-index",
    "stripe customers delete cus_123",
    "auth0 users delete auth0|123",
    "okta-cli apps delete 0oa1",
    "firebase firestore:delete --all-collections --force",
    "wrangler kv:namespace delete --namespace-id abc",
    "wrangler r2 bucket delete assets",
    "supabase storage rm ss:///bucket/file",
    "b2 delete-bucket my-bucket",
    "s3cmd rb s3://my-bucket",
    "mc rm --recursive --force minio/data",
    "gh repo delete me/old --yes",
    "gh secret delete API_TOKEN",
    "glab variable delete TOKEN",
    "doppler secrets delete API_KEY --yes",
    "infisical secrets delete API_KEY",
    "op item delete 'AWS root'",
    "vault secrets disable -path=kv",
    "vault token revoke -self",
    "vault lease revoke -prefix aws/",
    # backups, snapshots, local virtual machines
    "restic -r /srv/restic forget --keep-daily 7 --prune",
    "borg prune --keep-daily=7 /backups",
    "kopia snapshot delete k123 --delete",
    "virsh destroy web && virsh undefine web --remove-all-storage",
    "incus delete web --force",
    "lxc delete web",
    "multipass delete --purge dev",
    "vagrant destroy -f",
    "podman-remote volume-rm data",
    "ctr -n k8s.io containers delete web",
    "kubeadm reset --force",
    "k3s-killall-helper reset",
    "pm2 delete all",
    "supervisorctl remove worker",
    # task runners and project scripts that say what they do
    "just db-reset",
    "./scripts/dev.sh drop-db",
    "bin/console doctrine:database:drop --force",
    "php bin/console doctrine:schema:drop --force",
    "task db:drop",
    "npm run db:drop",
    "yarn db:reset",
    "pnpm run db:migrate:fresh",
    # options that delete, in any CLI
    "kafka-topics.sh --bootstrap-server k:9092 --topic events --delete",
    "kafka-consumer-groups --bootstrap-server k:9092 --group g --delete",
    "s5cmd sync --delete ./site/ s3://bucket/site/",
    "gpg --batch --yes --delete-secret-and-public-key ABCDEF",
    "argocd app sync web --prune",
    "mongoimport --drop --collection users users.json",
    "elasticdump --input=x --output=http://es:9200/idx --delete",
]

LOOK_ALIKES = [
    "scw instance server list",
    "netlify sites:list",
    "pscale branch list mydb",
    "turso db show mydb",
    "stripe customers list --limit 3",
    "gh repo view me/old",
    "gh pr merge 42 --squash --delete-branch",
    "vault kv get secret/app",
    "restic snapshots",
    "restic forget --keep-daily 7 --dry-run",
    "borg list /backups",
    "virsh list --all",
    "vagrant status",
    "pm2 list",
    "kubeadm token list",
    "kafka-topics.sh --bootstrap-server k:9092 --list",
    "mytool deleted-items list",
    "mytool list-deleted",
    "mytool describe-deletion-policy",
    "mytool help delete",
    "mytool delete --help",
    "mytool delete -h",
    "mytool delete --dry-run web-1",
    "mytool undelete web-1",
    "npm uninstall left-pad",
    "pnpm remove lodash",
    "yarn remove react",
    "pip uninstall -y requests",
    "uv remove httpx",
    "cargo remove serde",
    "poetry remove django",
    "brew uninstall --cask firefox",
    "rustup toolchain uninstall nightly",
    "pre-commit uninstall",
    "conda env remove -n old",
    "pip cache purge",
    "npm cache clean --force",
    "resolvectl flush-caches",
    "pytest -k delete",
    "pytest tests/test_delete.py -k 'delete and not slow'",
    "go test ./... -run TestDelete",
    "grep -rn 'delete' src/",
    "rg -w remove",
    "echo 'drop it'",
    "git commit -m 'remove the old parser'",
    "git rm --cached secrets.env",
    "git remote prune origin",
    "make clean",
    "npm run build",
    "yarn add del",
    "npm install truncate",
    "cat drop_tables.sql",
    "touch remove.txt",
    "mkdir purge",
    "jq 'del(.a)' data.json",
    "sed -i 's/delete/remove/' src/app.py",
    "mytool create --name 'remove later'",
    "helm repo remove bitnami",
    "docker compose stop web",
]


@pytest.mark.parametrize("line", DESTRUCTIVE)
def test_a_deleting_subcommand_or_option_of_any_cli_stops(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision in STOPPED, explain(analysis)


@pytest.mark.parametrize("line", LOOK_ALIKES)
def test_read_only_look_alikes_and_package_removal_pass(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision not in STOPPED, explain(analysis)


def test_a_generic_deletion_aimed_at_production_is_blocked() -> None:
    analysis = judge("scw rdb instance delete prod-db")
    assert analysis.decision is Tier.BLOCK, explain(analysis)


def test_the_verb_is_read_from_camel_case_and_colon_spellings() -> None:
    for line in ["acmectl deleteUser 42", "acmectl users:purge", "acmectl Remove-Item x"]:
        assert judge(line).decision in STOPPED, line


def test_a_verb_that_is_a_short_options_value_is_not_a_subcommand() -> None:
    assert judge("mytool -k delete run").decision not in STOPPED
