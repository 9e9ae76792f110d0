"""Host and identity administration: killing many processes, runlevels, accounts,
crontab replacement, firewalls, kernel tuning, permissions of system and credential files."""

from __future__ import annotations

import pytest
from effects_helpers import STOPPED, explain, judge

STOP = [
    "killall node",
    "sudo killall -9 nginx",
    "pkill -u deploy",
    "sudo pkill -9 -u www-data",
    "kill -9 $(pgrep -f gunicorn)",
    "kill $(lsof -t -i:8080)",
    "pgrep -f celery | xargs kill -9",
    "ps aux | grep python | awk '{print $2}' | xargs kill",
    "sudo init 0",
    "sudo telinit 6",
    "sudo passwd root",
    "echo 'alice:secret' | sudo chpasswd",
    "sudo usermod -aG sudo alice",
    "sudo useradd -m -s /bin/bash tmpadmin",
    "sudo userdel -r bob",
    "sudo chsh -s /usr/bin/zsh alice",
    "crontab -r",
    "crontab new-jobs.txt",
    "echo '0 * * * * /srv/backup.sh' | crontab -",
    "sudo iptables -F",
    "sudo iptables -P INPUT ACCEPT",
    "sudo nft flush ruleset",
    "sudo ufw disable",
    "sudo ufw --force reset",
    "sudo ufw default deny incoming && sudo ufw enable",
    "sudo sysctl -w vm.overcommit_memory=1",
    "sudo sysctl kernel.panic=10",
    "echo 3 | sudo tee /proc/sys/vm/drop_caches",
    "sudo chmod 777 /etc/sudoers",
    "sudo chmod 644 /etc/shadow",
    "chmod 644 ~/.ssh/id_ed25519",
    "chmod o+r ~/.aws/credentials",
    "sudo chown nobody /etc/passwd",
    "sudo chown -h bob /usr/bin/passwd",
    "sudo chmod u+s /bin/bash",
    "sudo chmod 4755 /usr/local/bin/helper",
    "chmod 000 ~/.ssh",
    "chmod 000 src",
    "sudo chmod 755 /",
    "chmod 777 ~",
    "sudo chgrp users /etc/ssh/sshd_config",
]

PASS = [
    "kill 12345",
    "kill -TERM 4242",
    "kill $(cat server.pid)",
    'kill -HUP "$(cat /run/app.pid)"',
    "pgrep -af node",
    "pkill -f 'next dev'",
    "killall -l",
    "ps aux | grep node",
    "crontab -l",
    "crontab -l > crontab.bak",
    "id alice",
    "passwd -S alice",
    "getent group docker",
    "sudo iptables -L -n",
    "sudo ufw status verbose",
    "sudo ufw allow 443/tcp",
    "sysctl -a | grep swappiness",
    "sysctl vm.swappiness",
    "chmod +x scripts/deploy.sh",
    "chmod 600 ~/.ssh/id_ed25519",
    "chmod 700 ~/.ssh",
    "chmod go-rwx ~/.ssh/config",
    "chmod 400 deploy-key.pem",
    "chmod -R u+w build",
    "chmod 644 src/app.py",
    "sudo chown -R $(whoami) node_modules",
    "chown -R me:me ./data",
    "sudo chown $USER /usr/local/bin/tool",
    "sudo chmod 755 /usr/local/bin/tool",
]


@pytest.mark.parametrize("line", STOP)
def test_host_and_identity_administration_stops(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision in STOPPED, explain(analysis)


@pytest.mark.parametrize("line", PASS)
def test_reading_state_and_ordinary_permission_changes_pass(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision not in STOPPED, explain(analysis)
