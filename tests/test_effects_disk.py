"""Block devices, RAID, LVM, filesystem repair and macOS diskutil."""

from __future__ import annotations

import pytest
from effects_helpers import STOPPED, explain, judge

from safesh.model import Tier

BLOCK = [
    "sudo mdadm --create /dev/md0 --level=0 --raid-devices=2 /dev/sdb /dev/sdc",
    "sudo mdadm --zero-superblock /dev/sdb1",
    "sudo lvremove -f /dev/vg0/data",
    "sudo vgremove -ff vg0",
    "sudo pvremove /dev/sdb",
    "sudo lvreduce -L 5G /dev/vg0/home",
    "sudo blkdiscard -f /dev/nvme1n1",
    "sudo wipefs -a /dev/sdb",
    "sudo sgdisk --zap-all /dev/sdb",
    "sudo cryptsetup luksFormat /dev/sdb1",
    "sudo cryptsetup erase /dev/sdb1",
    "diskutil eraseDisk JHFS+ Empty disk2",
    "diskutil apfs deleteVolume disk1s5",
    "diskutil zeroDisk /dev/disk3",
    "sudo badblocks -w /dev/sdb",
    "sudo zpool create -f tank /dev/sdb",
    "sudo mkfs.xfs -f /dev/sdb1",
]

ASK = [
    "sudo fsck -y /dev/sda1",
    "sudo e2fsck -fy /dev/mapper/vg0-root",
    "sudo xfs_repair -L /dev/sdb1",
    "sudo btrfs check --repair /dev/sdc",
    "sudo parted -s /dev/sdb mklabel gpt",
    "sudo sgdisk -d 2 /dev/sda",
    "sudo fdisk /dev/nvme0n1",
    "sudo mdadm --stop /dev/md0",
]

PASS = [
    "lsblk",
    "sudo fdisk -l",
    "sudo parted -l",
    "sudo sgdisk -p /dev/sda",
    "cat /proc/mdstat",
    "sudo mdadm --detail /dev/md0",
    "sudo lvs",
    "sudo vgdisplay",
    "sudo fsck -n /dev/sda1",
    "sudo xfs_repair -n /dev/sdb1",
    "diskutil list",
    "diskutil info disk2",
    "sudo cryptsetup status cryptroot",
    "df -h",
    "sudo blkid",
]


@pytest.mark.parametrize("line", BLOCK)
def test_destroying_a_disk_array_or_volume_is_blocked(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision is Tier.BLOCK, explain(analysis)


@pytest.mark.parametrize("line", ASK)
def test_repairing_or_partitioning_a_disk_asks(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision in STOPPED, explain(analysis)


@pytest.mark.parametrize("line", PASS)
def test_listing_disks_and_dry_runs_pass(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision not in STOPPED, explain(analysis)
