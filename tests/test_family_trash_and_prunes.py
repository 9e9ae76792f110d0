"""Family: cleanups that cannot be taken back although they sound like housekeeping. Emptying
the trash (`gio trash --empty`, `trash-empty`, KDE's `ktrash5 --empty`, `gtrash prune`)
deletes for good every file that was only moved there; `docker network prune` removes every
network no container uses right now, with the subnets and options it was made with. They
ask; moving a file to the trash, listing or restoring it, and reading networks pass.
"""

from __future__ import annotations

import pytest
from judgekit import decide, stops

from safesh.model import Tier

EMPTIES = [
    "gio trash --empty",
    "gvfs-trash --empty",
    "trash-empty",
    "trash-empty 30",
    "trash-empty --trash-dir /mnt/usb/.Trash-1000",
    "sudo trash-empty -f",
    "ktrash5 --empty",
    "trash -e",
    "gtrash prune --day 30",
]
KEEPS = [
    "gio trash build.log",
    "gio trash --list",
    "gio trash --restore trash:///build.log",
    "trash-put build.log",
    "trash-list",
    "trash-restore",
    "trash-empty --dry-run",
    "trash-empty --help",
    "trash old.log",
]


@pytest.mark.parametrize("line", EMPTIES)
def test_emptying_the_trash_asks(line: str) -> None:
    assert decide(line) is Tier.ASK, line


@pytest.mark.parametrize("line", KEEPS)
def test_moving_to_listing_or_restoring_from_the_trash_passes(line: str) -> None:
    assert not stops(line), line


@pytest.mark.parametrize(
    "line",
    ["docker network prune", "docker network prune -f --filter until=24h",
     "podman network prune -f", "sudo nerdctl network prune"],
)  # fmt: skip
def test_pruning_networks_asks(line: str) -> None:
    assert decide(line) is Tier.ASK, line


@pytest.mark.parametrize(
    "line",
    ["docker network ls", "docker network inspect app-net", "docker network create app-net",
     "docker network prune --help", "docker image prune"],
)  # fmt: skip
def test_reading_or_making_networks_passes(line: str) -> None:
    assert not stops(line), line
