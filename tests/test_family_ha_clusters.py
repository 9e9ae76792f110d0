"""Family: high-availability clusters cut over, and servers rebuilt from an image. Patroni
and repmgr switching or failing a primary over, rebuilding a replica from another (reinit,
standby clone, pg_rewind), Pacemaker fencing a node or putting it in standby, a Firebase
config rolled back, and OpenStack/Azure/Hetzner/DigitalOcean/Linode servers rebuilt or
reimaged ask. `-h` excuses a line as help only where it is help: for a tool whose `-h` takes
a host (repmgr, nodetool, redis-cli) it excuses nothing. Status and listings pass.
"""

from __future__ import annotations

import pytest
from judgekit import stops

CUTOVERS = [
    "patronictl -c /etc/patroni.yml reinit pg-cluster pg-2 --force",
    "patronictl switchover pg-cluster --leader pg-1 --candidate pg-2 --force",
    "patronictl failover pg-cluster --candidate pg-2 --force",
    "repmgr standby clone -h primary -U repmgr -d repmgr --force",
    "repmgr node rejoin -d 'host=primary' --force-rewind",
    "pg_rewind --target-pgdata=/var/lib/postgresql/16/main --source-server='host=primary'",
    "pcs stonith fence node2",
    "pcs node standby node1",
    "crm node standby node1",
    "firebase remoteconfig:rollback -v 12 --force",
]


@pytest.mark.parametrize("line", CUTOVERS)
def test_switching_or_rebuilding_a_cluster_member_asks(line: str) -> None:
    assert stops(line)


REIMAGES = [
    "openstack server rebuild --image ubuntu-22.04 web-1",
    "az vmss reimage -g rg -n scaleset",
    "az vm reimage -g rg -n vm1",
    "hcloud server rebuild web-1 --image ubuntu-24.04",
    "doctl compute droplet-action rebuild 123 --image ubuntu-24-04-x64",
]


@pytest.mark.parametrize("line", REIMAGES)
def test_rebuilding_a_server_from_an_image_asks(line: str) -> None:
    assert stops(line)


def test_a_host_option_spelled_h_does_not_excuse_a_line_as_help() -> None:
    assert stops("repmgr standby clone -h primary --force")


ORDINARY = [
    "patronictl -c /etc/patroni.yml list",
    "repmgr cluster show",
    "repmgr standby clone -h primary --dry-run",
    "pg_rewind -n --target-pgdata=/data --source-server='host=primary'",
    "pcs status",
    "pcs node unstandby node1",
    "crm status",
    "openstack server list",
    "az vmss list-instances -g rg -n ss",
    "hcloud server list",
    "repmgr -h",
]


@pytest.mark.parametrize("line", ORDINARY)
def test_status_listings_and_dry_runs_pass(line: str) -> None:
    assert not stops(line)
