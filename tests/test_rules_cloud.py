"""The aws, gcloud, azure, iac, docker, publish, messaging and framework packs, judged on
whole lines (beyond each rule's own examples): what stops, and the look-alikes that do not."""

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


STOP = [
    # aws: verb families across services
    "aws dynamodb delete-table --table-name t",
    "aws s3api delete-objects --bucket b --delete file://d.json",
    "aws eks delete-nodegroup --cluster-name c --nodegroup-name n",
    "aws iam detach-role-policy --role-name r --policy-arn arn:x",
    "aws route53 change-resource-record-sets --hosted-zone-id Z --change-batch file://b.json"
    " && aws route53 delete-hosted-zone --id Z",
    "aws ec2 revoke-security-group-ingress --group-id sg-1 --protocol tcp --port 22",
    "aws kinesis deregister-stream-consumer --stream-arn arn:x --consumer-name c",
    "aws elbv2 deregister-targets --target-group-arn arn:x --targets Id=i-1",
    "aws ecs stop-task --cluster c --task t",
    "aws ec2 reboot-instances --instance-ids i-1",
    "aws rds failover-db-cluster --db-cluster-identifier c",
    "aws s3 mv s3://a/x s3://b/x --delete",
    "aws sesv2 send-email --from-email-address a@x.com --destination ToAddresses=b@x.com",
    # gcloud / azure
    "gcloud functions delete f --region us-central1",
    "gcloud alpha storage rm gs://b/o",
    "gcloud compute instances stop vm-1 --zone z",
    "gsutil rm gs://b/a.txt",
    "az storage container delete -n c --account-name a",
    "az webapp restart -g rg -n app",
    "az keyvault purge --name v",
    # iac
    "terraform apply",
    "terraform -chdir=infra apply tfplan",
    "tofu apply -destroy -auto-approve",
    "terragrunt run-all apply",
    "pulumi up -y -s dev",
    "cdk deploy --all --require-approval never",
    "terraform state push errored.tfstate",
    # docker
    "docker rm -f $(docker ps -aq)",
    "docker container rm web",
    "docker image rm nginx",
    "podman rmi app",
    "docker stack rm app",
    "docker compose down --rmi all -v",
    "docker-compose -f docker-compose.prod.yml down --volumes",
    # publish
    "npm publish",
    "pnpm publish --no-git-checks",
    "yarn publish --new-version 1.2.3",
    "twine upload --repository pypi dist/*",
    "uv publish --token $PYPI_TOKEN",
    "poetry publish",
    "cargo publish --allow-dirty",
    "gem push pkg/x-1.0.gem",
    "docker push ghcr.io/me/app:latest",
    "docker buildx build --push -t ghcr.io/me/app:1 .",
    "gh release delete v1.0.0 -y",
    "./gradlew clean publish",
    "mvn -B clean deploy",
    # framework
    "bin/rails db:schema:load",
    "rake db:drop db:create",
    "python manage.py reset_db --noinput",
    "npx prisma db push --accept-data-loss",
    "npx knex migrate:rollback --all",
    "php artisan db:wipe --force",
    "mix ecto.reset",
    "flyway -url=jdbc:x clean",
    "liquibase drop-all",
    "npx supabase db reset",
    # messaging
    "sendmail bob@example.com < msg.txt",
    "aws sns publish --phone-number +15555550100 --message hi",
]

PASS = [
    "aws s3 ls s3://b --recursive",
    "aws ec2 describe-security-groups",
    "aws iam list-users",
    "aws s3 rm s3://b/x --dryrun",
    "aws ec2 terminate-instances --instance-ids i-1 --dry-run",
    "aws dynamodb delete-table help",
    "aws sts get-caller-identity --profile dev",
    "aws logs start-live-tail --log-group-identifiers g",
    "aws s3 cp s3://b/report.csv .",
    "gcloud compute instances list",
    "gcloud run services describe web",
    "gcloud compute instances delete --help",
    "gsutil ls -l gs://b",
    "az vm list -o table",
    "az group show -n rg",
    "terraform plan",
    "terraform plan -destroy",
    "terraform validate",
    "terraform show",
    "terraform state list",
    "tofu init -upgrade",
    "pulumi preview",
    "cdk diff",
    "cdk synth",
    "docker ps -a",
    "docker images",
    "docker build -t app .",
    "docker compose up -d --build",
    "docker compose ps",
    "docker compose logs -f",
    "docker image prune",
    "docker run --rm alpine echo hi",
    "docker stop web",
    "docker pull nginx:1.25",
    "npm publish --dry-run",
    "npm pack",
    "npm ci",
    "cargo publish --dry-run",
    "cargo owner --list",
    "uv build",
    "twine check dist/*",
    "gh release view v1.0.0",
    "gh pr create --fill",
    "rails db:migrate",
    "rails db:migrate:status",
    "python manage.py makemigrations",
    "python manage.py showmigrations",
    "npx prisma migrate dev",
    "npx prisma generate",
    "knex migrate:rollback",
    "mix ecto.migrate",
    "flyway info",
    "mail",
]


@pytest.mark.parametrize("line", STOP)
def test_stops(line: str, builtin: RuleSet) -> None:
    analysis = analyze(line, CTX, builtin)
    assert analysis.decision in STOPPED, (line, [f.rule_id for f in analysis.findings])


@pytest.mark.parametrize("line", PASS)
def test_passes(line: str, builtin: RuleSet) -> None:
    analysis = analyze(line, CTX, builtin)
    assert analysis.decision not in STOPPED, (line, [f.rule_id for f in analysis.findings])


def test_packs_switch_off_by_name(tmp_path: Path) -> None:
    user = tmp_path / "user.toml"
    user.write_text('disable_packs = ["aws", "publish"]\n')
    ruleset = load_ruleset(str(tmp_path), user_file=user, use_cache=False)
    assert analyze("aws dynamodb delete-table --table-name t", CTX, ruleset).decision is Tier.ALLOW
    assert analyze("npm publish", CTX, ruleset).decision is Tier.ALLOW
    assert analyze("docker rm web", CTX, ruleset).decision is Tier.ASK
