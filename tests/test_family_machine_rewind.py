"""Family: machines rolled back or cut off at the hypervisor. Reverting a virtual machine,
container or system to a snapshot in place (virsh, Proxmox, VirtualBox, LXD/Incus, VMware,
Parallels, multipass, vagrant, timeshift, snapper, a restic restore over the system), cutting a
guest's power without a clean shutdown, deleting a hypervisor's snapshot, volume or cluster
node, backups deleted by maintenance that ignores its safety margin, and a product's own
uninstaller: each asks, through any wrapper. Taking snapshots, listing them, starting and
cleanly stopping guests, and restoring into a scratch directory pass.
"""

from __future__ import annotations

import pytest
from judgekit import stops

REWINDS = [
    "virsh snapshot-revert web01 snap1",
    "virsh snapshot-revert --domain web01 --snapshotname snap1 --force",
    "qm rollback 100 snap1",
    "virsh -c qemu:///system snapshot-revert web01 snap1",
    "ssh pve1 'qm rollback 100 snap1'",
    "pct rollback 200 before-upgrade",
    'VBoxManage snapshot "Win10" restore "clean-install"',
    "vboxmanage snapshot myvm restorecurrent",
    "lxc restore c1 snap0",
    "incus snapshot restore web snap0",
    "vmrun -T ws revertToSnapshot /vms/ubuntu.vmx base",
    "govc snapshot.revert -vm web base",
    "multipass restore dev.snapshot1",
    "vagrant snapshot restore web pre-upgrade",
    "timeshift --restore --snapshot '2024-01-01_00-00-01' --yes",
    "sudo snapper rollback 42",
    "restic restore latest --target /",
    "restic -r /srv/restic restore 4bba301e -t /etc",
]


@pytest.mark.parametrize("line", REWINDS)
def test_rolling_a_machine_back_in_place_asks(line: str) -> None:
    assert stops(line)


HARD_STOPS = [
    "qm stop 100",
    "sudo qm reset 101",
    "pct stop 200",
    "qm delsnapshot 100 pre-upgrade",
    "pvesm free local-lvm:vm-100-disk-0",
    "pvecm delnode pve2",
    "virsh reset web01",
    'VBoxManage controlvm "Ubuntu Dev" poweroff',
    "govc vm.power -off -force web-01",
    "govc datastore.rm -ds datastore1 vm/old.vmdk",
    "for vm in 100 101 102; do qm stop $vm; done",
]


@pytest.mark.parametrize("line", HARD_STOPS)
def test_cutting_a_guest_off_or_deleting_hypervisor_storage_asks(line: str) -> None:
    assert stops(line)


MACHINE_DELETIONS = [
    "kopia maintenance run --full --safety=none",
    "pgbackrest --stanza=main stanza-delete --force",
    "/usr/local/bin/k3s-uninstall.sh",
    "sudo /usr/local/bin/k3s-agent-uninstall.sh",
    "rke2-uninstall.sh",
    "/usr/local/bin/k3s-killall.sh",
]


@pytest.mark.parametrize("line", MACHINE_DELETIONS)
def test_backup_maintenance_without_margin_and_uninstallers_ask(line: str) -> None:
    assert stops(line)


ORDINARY = [
    "virsh list --all",
    "virsh snapshot-list web01",
    "virsh snapshot-create-as web01 pre-upgrade",
    "virsh shutdown web01",
    "qm list",
    "qm start 100",
    "qm shutdown 100",
    "qm snapshot 100 pre-upgrade",
    "qm listsnapshot 100",
    "pvesm status",
    'VBoxManage snapshot "Win10" take "before-update"',
    'VBoxManage startvm "Ubuntu Dev" --type headless',
    "lxc snapshot c1 snap0",
    "lxc list",
    "govc vm.power -on web-01",
    "govc vm.info web-01",
    "multipass recover dev",
    "vagrant snapshot save pre-upgrade",
    "vagrant halt",
    "timeshift --list",
    'timeshift --create --comments "before upgrade"',
    "snapper list",
    "restic restore latest --target /tmp/restore",
    "restic snapshots",
    "kopia maintenance run --full",
    "pgbackrest --stanza=main info",
]


@pytest.mark.parametrize("line", ORDINARY)
def test_snapshots_taken_listed_and_clean_stops_pass(line: str) -> None:
    assert not stops(line)
