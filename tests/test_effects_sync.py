"""Tools that delete or overwrite at a destination (rsync --delete*, rclone, azcopy, aws s3
sync --delete, gsutil rsync -d, scp onto system paths): judged by the destination."""

from __future__ import annotations

import pytest
from effects_helpers import STOPPED, explain, judge

from safesh.model import Tier

STOP = [
    "rsync -av --delete ./ /mnt/backup/project/",
    "rsync -avz --delete-after dist/ deploy@web1:/var/www/app/",
    "rsync -a --delete-excluded --exclude node_modules ./ ../mirror/",
    "rsync -rlptD --del src/ backup/src/",
    "rsync -a --remove-source-files ./uploads/ archive@nas:/archive/uploads/",
    "rclone sync ./site s3remote:www.example.com",
    "rclone sync -P gdrive:Photos ./photos-mirror",
    "rclone delete --min-age 30d b2:logs",
    "rclone deletefile remote:bucket/report.csv",
    "rclone rmdirs remote:bucket/tmp",
    "rclone move ./outbox remote:inbox",
    "aws s3 sync ./build s3://www.example.com --delete",
    "gsutil -m rsync -r -d ./public gs://example-site",
    "azcopy sync ./public 'https://acct.blob.core.windows.net/$web' --delete-destination=true",
    "azcopy rm 'https://acct.blob.core.windows.net/backups/2023' --recursive=true",
    "scp nginx.conf root@web1:/etc/nginx/nginx.conf",
    "scp -r ./conf deploy@web1:/etc/",
    "rsync -a ./bin/ web1:/usr/local/../bin/",
    "scp authorized_keys deploy@web1:~/.ssh/authorized_keys",
]

BLOCK = [
    "rsync -a --delete empty/ ~/",
    "rsync -a --delete /tmp/empty/ $HOME/",
    "rsync -a --delete ./dist/ root@web1:/",
    "rsync -av --delete backup/ /etc/",
    "rsync -a --delete ./ /usr/",
    "rclone purge remote:",
    "rsync -a --delete x/ deploy@web1:",
    "rsync -a --delete x/ /home/bob/",
]

PASS = [
    "rsync -av src/ backup/",
    "rsync -avz dist/ deploy@web1:/var/www/app/",
    "rsync -a --delete src/ build/",
    "rsync -a --delete ./data/ /tmp/data-copy/",
    "rsync -av --delete --dry-run ./ /mnt/backup/",
    "rsync -n -a --delete ./ /mnt/backup/",
    "rclone copy ./site remote:bucket",
    "rclone ls remote:bucket",
    "rclone sync ./site remote:bucket --dry-run",
    "rclone lsd remote:",
    "aws s3 sync ./build s3://www.example.com",
    "gsutil -m rsync -r ./public gs://example-site",
    "azcopy copy ./public 'https://acct.blob.core.windows.net/web' --recursive",
    "scp dist/app.tgz deploy@web1:/srv/app/",
    "scp deploy@web1:/etc/nginx/nginx.conf ./nginx.conf",
    "scp -i ~/.ssh/deploy_key build.tgz deploy@web1:releases/",
]


@pytest.mark.parametrize("line", STOP)
def test_deleting_or_overwriting_at_a_destination_stops(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision in STOPPED, explain(analysis)


@pytest.mark.parametrize("line", BLOCK)
def test_a_deleting_sync_onto_a_home_the_root_or_the_system_is_blocked(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision is Tier.BLOCK, explain(analysis)


@pytest.mark.parametrize("line", PASS)
def test_copies_dry_runs_and_syncs_into_scratch_or_build_output_pass(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision not in STOPPED, explain(analysis)
