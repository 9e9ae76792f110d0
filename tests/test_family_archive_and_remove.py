"""Family: an archiver that deletes what it archived moves it, as `mv` does.

`tar --remove-files`, `zip -m` and `7z a -sdel` delete their sources once they are in the
archive; the content then lives only there (often in /tmp). So they are judged as moving the
sources: a home, its keys or a system directory asks, as `mv ~/.ssh /tmp/x` does; the
project's own files pass. Archiving without removal reads only and passes.
"""

from __future__ import annotations

import pytest
from judgekit import stops


@pytest.mark.parametrize(
    "line",
    [
        "tar --remove-files -czf /tmp/home.tgz ~",
        "tar -czf /tmp/etc.tgz --remove-files /etc",
        "tar czf /tmp/ssh.tgz --remove-files ~/.ssh",
        "tar -c --remove-files -f /tmp/aws.tar ~/.aws",
        "sudo tar --remove-files -cJf /tmp/var.txz /var/lib/mysql",
        "zip -rm /tmp/home.zip ~",
        "zip -r -m /tmp/keys.zip ~/.ssh",
        "zip --move -r /tmp/keys.zip ~/.gnupg",
        "7z a -sdel /tmp/home.7z ~/",
    ],
)
def test_archiving_away_a_home_or_system_directory_asks(line: str) -> None:
    assert stops(line)


@pytest.mark.parametrize(
    "line",
    [
        "tar --remove-files -czf logs.tgz logs/",
        "tar -czf /tmp/home.tgz ~",
        "tar czf backup.tgz src",
        "zip -rm old-reports.zip reports/2023",
        "zip -r /tmp/keys.zip ~/.ssh",
        "7z a -sdel build.7z build/",
        "7z a /tmp/home.7z ~/",
    ],
)
def test_archiving_project_files_or_keeping_the_sources_passes(line: str) -> None:
    assert not stops(line)
