"""The k8s pack on whole lines: deletes, evictions, scale-to-zero and exposure stop; reads,
dry runs and help pass; ordinary changes are recorded (notify)."""

from __future__ import annotations

from pathlib import Path

import pytest

from safesh.analyze import analyze
from safesh.model import Context, Tier
from safesh.rules import RuleSet, load_ruleset

CTX = Context(cwd="/home/user/project", home="/home/user", repo_root="/home/user/project")


@pytest.fixture(scope="module")
def builtin() -> RuleSet:
    return load_ruleset("/nonexistent-project", user_file=Path("/nonexistent/rules.toml"))


@pytest.mark.parametrize(
    ("line", "tier"),
    [
        ("kubectl delete po --all -n dev", Tier.ASK),
        ("kubectl delete deploy,svc -l app=web", Tier.ASK),
        ("kubectl --namespace dev delete pvc data-0", Tier.ASK),
        ("kubectl drain node-1 --ignore-daemonsets --delete-emptydir-data", Tier.ASK),
        ("kubectl drain node-1 --dry-run=none", Tier.ASK),
        ("kubectl scale statefulset/db --replicas=0", Tier.ASK),
        ("oc scale dc/web --replicas 0", Tier.ASK),
        ('kubectl patch deploy web --type merge -p \'{"spec":{"replicas":0}}\'', Tier.ASK),
        ("kubectl apply -f k8s/ --prune -l app=web", Tier.ASK),
        ("kubectl certificate approve --force alice-csr", Tier.ASK),
        ("kubectl proxy --address 0.0.0.0 --accept-hosts '.*'", Tier.ASK),
        ("helm uninstall web -n dev", Tier.ASK),
        ("helmfile destroy", Tier.ASK),
        ("kubectl apply -f k8s/deployment.yaml", Tier.NOTIFY),
        ("kubectl rollout undo deployment/web", Tier.NOTIFY),
        ("kubectl cordon node-1", Tier.NOTIFY),
        ("helm upgrade --install web ./chart", Tier.NOTIFY),
        ("kubectl get pods -A", Tier.ALLOW),
        ("kubectl describe node node-1", Tier.ALLOW),
        ("kubectl logs -f deploy/web", Tier.ALLOW),
        ("kubectl diff -f k8s/", Tier.ALLOW),
        ("kubectl delete pod web --dry-run=client -o yaml", Tier.ALLOW),
        ("kubectl drain node-1 --dry-run", Tier.ALLOW),
        ("kubectl apply -f k8s/ --dry-run=server", Tier.ALLOW),
        ("kubectl scale deploy/web --replicas=3", Tier.NOTIFY),
        ('kubectl patch deploy web -p \'{"spec":{"replicas":10}}\'', Tier.NOTIFY),
        ("kubectl wait --for delete po web-7d9f", Tier.ALLOW),
        ("kubectl port-forward svc/web 8080:80", Tier.ALLOW),
        ("kubectl rollout status deploy/web", Tier.ALLOW),
        ("kubectl apply view-last-applied -f k8s/deployment.yaml", Tier.ALLOW),
        ("helm template web ./chart", Tier.ALLOW),
        ("helm install web ./chart --dry-run", Tier.ALLOW),
        ("helm list -A", Tier.ALLOW),
    ],
)
def test_tier(line: str, tier: Tier, builtin: RuleSet) -> None:
    analysis = analyze(line, CTX, builtin)
    assert analysis.decision is tier, [f.rule_id for f in analysis.findings]


def test_confirmation_names_namespace_and_resource(builtin: RuleSet) -> None:
    findings = analyze("kubectl -n shop delete deploy api", CTX, builtin).findings
    (finding,) = [f for f in findings if f.rule_id == "k8s.delete"]
    assert finding.confirm == "type" and finding.target == "shop/api"


def test_command_inside_a_pod_is_judged(builtin: RuleSet) -> None:
    findings = analyze("kubectl exec -it db-0 -- psql -c 'TRUNCATE orders'", CTX, builtin).findings
    assert "db.drop" in {f.rule_id for f in findings}
