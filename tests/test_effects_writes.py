"""Writes onto sensitive files by any route (`>`, `>>`, tee, cp, mv, ln -sf, install,
truncate, sed -i, dd, inline programs): system files, keys, start-up files, other users'
homes stop; an app's own settings and project files do not."""

from __future__ import annotations

import pytest
from effects_helpers import STOPPED, explain, judge

from safesh.model import Tier

STOP = [
    "echo 'nameserver 1.1.1.1' | sudo tee /etc/resolv.conf",
    "sudo cp sudoers.new /etc/sudoers",
    "echo 'deploy ALL=(ALL) NOPASSWD:ALL' | sudo tee /etc/sudoers.d/deploy",
    "sudo install -m 0440 deploy.sudoers /etc/sudoers.d/deploy",
    "sudo ln -sf /bin/true /usr/bin/sudo",
    "sudo mv /etc/passwd /etc/passwd.bak",
    "sudo truncate -s 0 /etc/shadow",
    "sudo sed -i '/^root/d' /etc/shadow",
    "dd if=/dev/zero of=/boot/vmlinuz bs=1 count=1",
    "cat /dev/null > ~/.ssh/known_hosts",
    "echo 'ssh-ed25519 AAAA attacker' >> ~/.ssh/authorized_keys",
    "cp id_rsa ~/.ssh/id_rsa",
    "echo 'alias ls=rm' > ~/.bashrc",
    "printf 'export PATH=/tmp/evil:$PATH\\n' > ~/.zshrc",
    "cp profile.sh ~/.profile",
    "mv ~/.gitconfig /tmp/",
    "tee ~/.aws/credentials < creds.txt",
    "echo '[default]' > ~/.aws/config",
    "cp x /home/bob/.bashrc",
    "echo hi > ~bob/notes.txt",
    "sudo cp key.pub /root/.ssh/authorized_keys",
    "echo '127.0.0.1 example.com' | sudo tee -a /etc/hosts",
    "echo '* * * * * root /tmp/x' | sudo tee -a /etc/crontab",
    "sudo tee /etc/systemd/system/x.service < x.service",
    "python3 -c \"open('/etc/hosts','w').write('')\"",
    "python3 -c \"import pathlib; pathlib.Path('/etc/motd').write_text('hi')\"",
    "python3 -c \"import os; open(os.path.expanduser('~/.ssh/authorized_keys'), 'a').write('k')\"",
    "node -e \"require('fs').writeFileSync('/etc/hosts', '')\"",
    "node -e \"require('fs').appendFileSync(require('os').homedir() +"
    " '/.ssh/authorized_keys', 'k')\"",
    'ruby -e \'File.write("/etc/hosts", "")\'',
    'php -r \'file_put_contents("/etc/passwd", "");\'',
    'perl -e \'open(my $f, ">", "/etc/hosts"); print $f ""\'',
    'awk \'BEGIN { print "x" > "/etc/hosts" }\'',
    "echo 1 | sudo tee /proc/sys/net/ipv4/ip_forward",
    "echo b | sudo tee /proc/sysrq-trigger",
    "sudo tar -xzpf rootfs-backup.tgz -C /",
    "tar xf dotfiles.tar -C ~/.ssh",
    "sudo unzip -o patch.zip -d /usr/lib/app",
]

PASS = [
    "echo hi > notes.txt",
    "cp .env.example .env",
    "cat config.json > ~/.config/myapp/config.json",
    "mkdir -p ~/.config/myapp && cp settings.toml ~/.config/myapp/settings.toml",
    "echo '{}' > ~/.local/share/myapp/state.json",
    "cp ~/.ssh/id_ed25519.pub ./deploy_key.pub",
    "cat ~/.ssh/config",
    "sudo cp mytool /usr/local/bin/mytool",
    "sudo install -m 755 build/tool /usr/local/bin/tool",
    "sudo ln -sf /opt/node/bin/node /usr/local/bin/node",
    "ln -s ../shared/config.yml config.yml",
    "sed -i 's/old/new/' src/app.py",
    "tee build/log.txt < out.txt",
    "python3 -c \"open('out.json','w').write('{}')\"",
    "node -e \"require('fs').writeFileSync('dist/version.txt', '1')\"",
    'awk \'{ print > "out/" $1 ".txt" }\' data.tsv',
    "echo x > /tmp/scratch.txt",
    "curl -o ~/Downloads/tool.tgz https://example.com/tool.tgz",
    "echo 'export PATH=$HOME/.local/bin:$PATH' >> ~/.bashrc",
    "tar -xzf release.tgz -C dist/",
    "sudo tar -C /usr/local -xzf go1.22.linux-amd64.tar.gz",
    "unzip -q fonts.zip -d assets/fonts",
    "tar -xf archive.tar",
]


@pytest.mark.parametrize("line", STOP)
def test_writing_onto_a_sensitive_file_by_any_route_stops(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision in STOPPED, explain(analysis)


@pytest.mark.parametrize("line", PASS)
def test_project_files_app_settings_and_local_installs_pass(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision not in STOPPED, explain(analysis)


def test_appending_to_a_shell_startup_file_is_recorded() -> None:
    analysis = judge("echo 'export A=1' >> ~/.zshrc")
    assert analysis.decision is Tier.NOTIFY, explain(analysis)
