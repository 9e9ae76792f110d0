"""Family: upkeep commands that lose data for good. Garbage collection that deletes what a
tool decides is unreferenced (DVC's cache and remote, MLflow's deleted runs, OpenShift's
pruned images once confirmed), mail queues emptied, apps removed together with their users'
data, shared storage withdrawn from its clients, machines released or nodes cleaned, a
controller killed, a Workspace user suspended, and a hosted search index emptied: each asks.
Dry runs, listings, holds, plain uninstalls and unsuspending pass.
"""

from __future__ import annotations

import pytest
from judgekit import stops

LOSSES = [
    "dvc gc --workspace --cloud",
    "dvc gc -w -c -f",
    "mlflow gc --backend-store-uri sqlite:///mlflow.db",
    "oc adm prune images --confirm",
    "postsuper -d ALL",
    "sudo postsuper -d ALL deferred",
    "exim -bp | exiqgrep -i | xargs exim -Mrm",
    "flatpak uninstall --all --delete-data -y",
    "snap remove --purge firefox",
    "exportfs -ua",
    "gluster volume stop gv0 force",
    "maas admin machine release 4y3h7n",
    "puppet node clean web01.example.com",
    "juju kill-controller prod-ctrl -y",
    "gam update user alice@acme.com suspended on",
    "algolia indices clear products -y",
]


@pytest.mark.parametrize("line", LOSSES)
def test_upkeep_that_loses_data_or_access_asks(line: str) -> None:
    assert stops(line)


ORDINARY = [
    "dvc gc --workspace --dry-run",
    "dvc pull",
    "mlflow ui",
    "oc adm prune images",
    "postqueue -p",
    "postsuper -h ALL",
    "mailq",
    "exim -bp",
    "flatpak uninstall org.mozilla.firefox",
    "snap remove firefox",
    "exportfs -v",
    "gluster volume info",
    "maas admin machines read",
    "juju status",
    "gam update user alice@acme.com suspended off",
    "gam info user alice@acme.com",
    "algolia indices list",
]


@pytest.mark.parametrize("line", ORDINARY)
def test_dry_runs_listings_and_plain_removals_pass(line: str) -> None:
    assert not stops(line)
