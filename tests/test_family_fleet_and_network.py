"""Family: the fleet and the network around it. Commands run on many hosts (salt execution
functions that reboot or stop services or apply states, Fabric's `fab -- CMD`, EC2 Instance
Connect's `mssh HOST CMD`), firewall rules removed, replaced or reloaded wholesale, ssh
dropped, bridges deleted, cloud firewalls opened to the whole internet, IAM bindings removed,
keys and service accounts disabled, a CDN purged of everything, a merge that bypasses branch
protection and an in-place control-plane upgrade: each asks. Pings, listings, dry runs, test
applies, scoped rules and narrow invalidations pass.
"""

from __future__ import annotations

import pytest
from judgekit import stops

FLEET = [
    "salt '*' system.reboot",
    "salt -G 'os:Ubuntu' service.stop nginx",
    "salt '*' state.highstate",
    "salt 'web*' state.apply nginx",
    "fab -H web1,web2 -- 'sudo rm -rf /srv/app'",
    "fab -H web1 -- sudo reboot",
    "mssh ec2-user@i-0abc123 'sudo rm -rf /var/lib/mysql'",
]


@pytest.mark.parametrize("line", FLEET)
def test_what_runs_on_the_fleet_is_judged(line: str) -> None:
    assert stops(line)


NETWORK = [
    "iptables -D INPUT 3",
    "sudo iptables -R INPUT 1 -j DROP",
    "iptables-restore < /etc/iptables/rules.v4",
    "iptables -A INPUT -p tcp --dport 22 -j DROP",
    "sudo iptables -I INPUT 1 -p tcp --dport ssh -j REJECT",
    "brctl delbr br0",
    "gcloud compute firewall-rules create allow-all --allow all --source-ranges 0.0.0.0/0",
    "az network nsg rule create -g rg --nsg-name nsg -n open --priority 100"
    " --source-address-prefixes '*' --destination-port-ranges 22 --access Allow",
]


@pytest.mark.parametrize("line", NETWORK)
def test_firewall_holes_and_lockouts_ask(line: str) -> None:
    assert stops(line)


CLOUD = [
    "gcloud projects remove-iam-policy-binding my-proj --member=user:a@x.com --role=roles/owner",
    "gcloud iam service-accounts disable sa@proj.iam.gserviceaccount.com",
    "gcloud kms keys versions disable 1 --key k --keyring r --location global",
    "aws cloudfront create-invalidation --distribution-id E1 --paths '/*'",
    "gh pr merge 123 --admin --squash",
    "kubeadm upgrade apply v1.29.0 -y",
]


@pytest.mark.parametrize("line", CLOUD)
def test_access_removed_keys_disabled_and_cluster_wide_changes_ask(line: str) -> None:
    assert stops(line)


ORDINARY = [
    "salt '*' test.ping",
    "salt 'web*' state.apply test=True",
    "salt '*' cmd.run 'uptime'",
    "fab --list",
    "fab -H web1 -- uptime",
    "mssh i-0abc123 uptime",
    "iptables -L -n -v",
    "iptables-save > /tmp/rules.bak",
    "iptables-restore --test < rules.v4",
    "iptables -A INPUT -p tcp --dport 8080 -j ACCEPT",
    "iptables -A INPUT -s 203.0.113.9 -p tcp --dport 22 -j DROP",
    "brctl show",
    "gcloud compute firewall-rules list",
    "gcloud compute firewall-rules create office --allow tcp:22 --source-ranges 203.0.113.0/24",
    "gcloud projects get-iam-policy my-proj",
    "aws cloudfront create-invalidation --distribution-id E1 --paths /index.html",
    "gh pr merge 123 --squash",
    "kubeadm upgrade plan",
    "az storage blob delete-batch -s c --account-name sa --pattern '*.log' --dryrun",
    "vagrant global-status --prune",
]


@pytest.mark.parametrize("line", ORDINARY)
def test_reads_tests_and_scoped_changes_pass(line: str) -> None:
    assert not stops(line)
