"""Production context (docs/rules.md, "Production context"): what raises a finding, what
does not, and that deciding never leaves the machine."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from safesh.analyze import analyze
from safesh.model import Context, Tier
from safesh.rules import RuleSet, load_ruleset
from safesh.rules.production import is_target_variable, names_production, production_signal


@pytest.fixture(scope="module")
def builtin() -> RuleSet:
    return load_ruleset("/nonexistent-project", user_file=Path("/nonexistent/rules.toml"))


def context(tmp_path: Path, env: dict[str, str] | None = None) -> Context:
    home = tmp_path / "home"
    project = home / "project"
    project.mkdir(parents=True, exist_ok=True)
    return Context(
        cwd=str(project),
        home=str(home),
        env=tuple(sorted((env or {}).items())),
        repo_root=str(project),
    )


def decide(line: str, ctx: Context, ruleset: RuleSet) -> Tier:
    return analyze(line, ctx, ruleset).decision


def write_kubeconfig(path: Path, current: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "apiVersion: v1\nclusters: []\ncontexts:\n- name: dev\n- name: prod-eu\n"
        f"current-context: {current}\nkind: Config\n"
    )


# -- signals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("prod-eu", True), ("production", True), ("eu-live-1", True), ("products", False),
     ("reproduce", False), ("staging", False), ("PROD", True)],
)  # fmt: skip
def test_patterns_match_whole_tokens(text: str, expected: bool) -> None:
    assert names_production(text, ("prod", "production", "live")) is expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("RAILS_ENV", True), ("NODE_ENV", True), ("APP_ENV", True), ("ENVIRONMENT", True),
     ("ASPNETCORE_ENVIRONMENT", True), ("AWS_PROFILE", True), ("TF_WORKSPACE", True),
     ("VIRTUAL_ENV", False), ("PATH", False), ("HOME", False)],
)  # fmt: skip
def test_which_variables_name_an_environment(name: str, expected: bool) -> None:
    assert is_target_variable(name) is expected


# -- escalation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("kubectl --context prod-eu delete pod x", Tier.BLOCK),
        ("kubectl -n production apply -f k8s/", Tier.ASK),
        ("aws --profile prod ec2 run-instances --image-id ami-1", Tier.ASK),
        ("aws --profile prod s3 rm s3://b/x", Tier.BLOCK),
        ("gcloud --project shop-prod run deploy web --image i", Tier.ASK),
        ("helm upgrade web ./chart --kube-context live-eu", Tier.ASK),
        ("docker --context prod rm web", Tier.BLOCK),
        ("RAILS_ENV=production rails db:migrate", Tier.ASK),
        ("RAILS_ENV=production bin/rails db:drop", Tier.BLOCK),
        ("ssh prod-db psql -c 'DROP TABLE users'", Tier.BLOCK),
    ],
)
def test_state_changes_aimed_at_production_are_raised(
    line: str, expected: Tier, tmp_path: Path, builtin: RuleSet
) -> None:
    assert decide(line, context(tmp_path), builtin) is expected


@pytest.mark.parametrize(
    "line",
    [
        "kubectl --context prod-eu get pods",
        "kubectl -n production describe deploy web",
        "kubectl -n prod logs -f deploy/web",
        "aws --profile prod ec2 describe-instances",
        "aws --profile prod s3 ls s3://b",
        "gcloud --project shop-prod compute instances list",
        "terraform plan -var-file=prod.tfvars",
        "helm --kube-context prod list",
        "RAILS_ENV=production rails db:migrate:status",
        "ssh prod-web cat /var/log/nginx/error.log",
        "psql -h prod-db -c 'SELECT count(*) FROM users'",
    ],
)
def test_reads_stay_allowed_in_production(line: str, tmp_path: Path, builtin: RuleSet) -> None:
    env = {"RAILS_ENV": "production", "AWS_PROFILE": "prod", "TF_WORKSPACE": "prod"}
    assert decide(line, context(tmp_path, env), builtin) is Tier.ALLOW


def test_the_same_change_outside_production_is_not_raised(tmp_path: Path, builtin: RuleSet) -> None:
    ctx = context(tmp_path)
    assert decide("kubectl --context dev delete pod x", ctx, builtin) is Tier.ASK
    assert decide("kubectl apply -f k8s/", ctx, builtin) is Tier.NOTIFY
    assert decide("aws --profile dev s3 rm s3://b/x", ctx, builtin) is Tier.ASK


def test_subcommand_words_do_not_name_production(tmp_path: Path, builtin: RuleSet) -> None:
    # `live` is an environment pattern, but `start-live-tail` is an operation, not a target.
    line = "aws logs start-live-tail --log-group-identifiers /aws/lambda/f"
    assert decide(line, context(tmp_path), builtin) is Tier.NOTIFY


def test_kubeconfig_current_context(tmp_path: Path, builtin: RuleSet) -> None:
    ctx = context(tmp_path)
    write_kubeconfig(Path(ctx.home) / ".kube" / "config", "prod-eu")
    assert decide("kubectl delete pod web-1", ctx, builtin) is Tier.BLOCK
    assert decide("kubectl apply -f k8s/", ctx, builtin) is Tier.ASK
    assert decide("helm rollback web 3", ctx, builtin) is Tier.ASK
    assert decide("kubectl get pods", ctx, builtin) is Tier.ALLOW
    # An explicit --context wins over the file's current context.
    assert decide("kubectl --context dev delete pod web-1", ctx, builtin) is Tier.ASK


def test_kubeconfig_variable_and_option(tmp_path: Path, builtin: RuleSet) -> None:
    dev, live = tmp_path / "dev.yaml", tmp_path / "cluster.yaml"
    write_kubeconfig(dev, "dev")
    write_kubeconfig(live, "live")
    ctx = context(tmp_path, {"KUBECONFIG": f"{tmp_path / 'missing.yaml'}:{live}"})
    assert decide("kubectl delete pod web-1", ctx, builtin) is Tier.BLOCK
    line = f"kubectl --kubeconfig {dev} delete pod web-1"
    assert decide(line, ctx, builtin) is Tier.ASK


def test_kubeconfig_is_not_read_for_other_tools(
    tmp_path: Path, builtin: RuleSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = context(tmp_path)
    write_kubeconfig(Path(ctx.home) / ".kube" / "config", "prod")
    opened: list[str] = []
    real_open = open

    def spy(file: object, *args: object, **kwargs: object) -> object:
        opened.append(str(file))
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("builtins.open", spy)
    assert decide("docker rm web", ctx, builtin) is Tier.ASK
    assert decide("kubectl get pods", ctx, builtin) is Tier.ALLOW  # no finding: nothing read
    assert not [f for f in opened if ".kube" in f]


def test_terraform_workspace_file_and_variable(tmp_path: Path, builtin: RuleSet) -> None:
    ctx = context(tmp_path)
    assert decide("terraform apply", ctx, builtin) is Tier.ASK
    (Path(ctx.cwd) / ".terraform").mkdir()
    (Path(ctx.cwd) / ".terraform" / "environment").write_text("prod\n")
    assert decide("terraform apply", ctx, builtin) is Tier.BLOCK
    assert decide("terraform plan", ctx, builtin) is Tier.ALLOW
    staging = context(tmp_path / "other", {"TF_WORKSPACE": "production"})
    assert decide("terraform import aws_s3_bucket.b b", staging, builtin) is Tier.ASK


def test_gcloud_active_configuration(tmp_path: Path, builtin: RuleSet) -> None:
    ctx = context(tmp_path)
    base = Path(ctx.home) / ".config" / "gcloud"
    (base / "configurations").mkdir(parents=True)
    (base / "active_config").write_text("work\n")
    (base / "configurations" / "config_work").write_text(
        "[core]\naccount = me@example.com\nproject = shop-prod\n"
    )
    assert decide("gcloud run deploy web --image i", ctx, builtin) is Tier.ASK
    assert decide("gcloud compute instances list", ctx, builtin) is Tier.ALLOW
    assert decide("gcloud --project shop-dev run deploy web --image i", ctx, builtin) is (
        Tier.NOTIFY
    )


def test_environment_variables(tmp_path: Path, builtin: RuleSet) -> None:
    prod = context(tmp_path, {"AWS_PROFILE": "prod"})
    assert decide("aws ec2 run-instances --image-id ami-1", prod, builtin) is Tier.ASK
    rails = context(tmp_path, {"RAILS_ENV": "production"})
    assert decide("rails db:drop", rails, builtin) is Tier.BLOCK
    # An ambient variable does not turn local file work into production work.
    assert decide("rm -rf src", rails, builtin) is Tier.ASK
    venv = context(tmp_path, {"VIRTUAL_ENV": "/home/user/live/.venv"})
    assert decide("kubectl apply -f k8s/", venv, builtin) is Tier.NOTIFY


def test_signal_reports_the_evidence(tmp_path: Path, builtin: RuleSet) -> None:
    findings = analyze("ssh prod-db psql -c 'DROP TABLE t'", context(tmp_path), builtin).findings
    (finding,) = [f for f in findings if f.rule_id == "db.drop"]
    assert "production (ssh host prod-db)" in finding.reason


def test_user_override_is_final(tmp_path: Path) -> None:
    user = tmp_path / "user.toml"
    user.write_text('[overrides]\n"k8s.change" = "notify"\n')
    ruleset = load_ruleset(str(tmp_path), user_file=user, use_cache=False)
    line = "kubectl --context prod apply -f k8s/"
    assert decide(line, context(tmp_path), ruleset) is Tier.NOTIFY


def test_configured_patterns(tmp_path: Path) -> None:
    user = tmp_path / "user.toml"
    user.write_text('production_patterns = ["prd", "main-eu"]\n')
    ruleset = load_ruleset(str(tmp_path), user_file=user, use_cache=False)
    ctx = context(tmp_path)
    assert decide("kubectl --context prd-1 delete pod x", ctx, ruleset) is Tier.BLOCK
    assert decide("kubectl --context prod delete pod x", ctx, ruleset) is Tier.ASK


def test_no_network_and_no_processes(
    tmp_path: Path, builtin: RuleSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("production context must be decided locally")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(subprocess, "Popen", refuse)
    ctx = context(tmp_path, {"AWS_PROFILE": "prod", "RAILS_ENV": "production"})
    write_kubeconfig(Path(ctx.home) / ".kube" / "config", "prod")
    lines = [
        "kubectl delete pod x",
        "helm upgrade web ./chart",
        "aws s3 rm s3://b/x",
        "gcloud compute instances delete vm",
        "terraform apply",
        "ssh prod-db 'psql -c \"DROP TABLE t\"'",
        "rails db:drop",
        "docker --context prod rm web",
    ]
    for line in lines:
        assert decide(line, ctx, builtin).severity >= Tier.ASK.severity, line


def test_production_signal_is_none_without_patterns(tmp_path: Path) -> None:
    from safesh.model import Command, Span

    command = Command(
        name="kubectl", argv=("kubectl", "-n", "prod", "delete", "pod", "x"), words=(),
        span=Span(0, 0), source="",
    )  # fmt: skip
    assert production_signal(command, context(tmp_path), ()) is None
    assert production_signal(command, context(tmp_path), ("prod",)) is not None
