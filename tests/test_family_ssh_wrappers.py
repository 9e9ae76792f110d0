"""Family: programs built on ssh that hand it settings or a command: sshfs's `-o` list
(`ssh_command=CMD`, ssh's own `ProxyCommand=`), autossh (ssh's options and remote command
behind its own `-M PORT`), mosh (`--ssh=CMD` here, the command after the host there). What
runs on this machine is judged as a local line, what runs on the host as a remote one, as
`ssh` itself is; their everyday uses pass. A configuration file given with `-F FILE` is read
for the same settings.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from effects_helpers import STOPPED, explain, judge

from safesh.model import Context, Tier

RUNS_SOMETHING_DESTRUCTIVE = [
    "sshfs -o ssh_command='rm -rf ~/notes' db1:/srv /mnt/srv",
    "sshfs db1:/srv /mnt/srv -o ssh_command='rm -rf ~/notes'",
    "sshfs -o reconnect,ssh_command='rm -rf ~/notes' db1:/srv /mnt",
    "sshfs -oProxyCommand='rm -rf ~/notes' db1:/srv /mnt",
    "sshfs -o reconnect,ProxyCommand='rm -rf ~/notes',ServerAliveInterval=15 db1:/srv /mnt",
    "sshfs -o ssh_command=\"ssh -o ProxyCommand='rm -rf ~/notes'\" db1:/srv /mnt",
    "sshfs -o sftp_server='rm -rf /srv/data' db1:/srv /mnt",
    "autossh -M 0 -o ProxyCommand='rm -rf ~/notes' db1",
    "autossh -M 20000 db1 'rm -rf /srv/data'",
    "autossh -M 0 -f -N db1 -o LocalCommand='rm -rf ~/notes'",
    "mosh db1 -- rm -rf /srv/data",
    "mosh deploy@db1 rm -rf /srv/data",
    "mosh --ssh='ssh -o ProxyCommand=\"rm -rf ~/notes\"' db1",
    'mosh --ssh "rm -rf ~/notes" db1',
    "mosh db1 -- sudo reboot",
    "mosh --server='rm -rf /srv/data' db1",
]

EVERYDAY = [
    "sshfs db1:/srv /mnt/srv",
    "sshfs -o reconnect,ServerAliveInterval=15,IdentityFile=~/.ssh/id db1:/srv /mnt/srv",
    "sshfs -o ssh_command='ssh -i ~/.ssh/key' db1:/srv /mnt",
    "sshfs -o ProxyCommand='ssh -W %h:%p bastion' db1:/srv /mnt",
    "sshfs -o sftp_server='/usr/lib/openssh/sftp-server' db1:/srv /mnt",
    "sshfs -p 2222 -o allow_other db1: /mnt",
    "autossh -M 0 -f -N -L 5432:localhost:5432 db1",
    "autossh -M 0 db1 uptime",
    "mosh db1",
    "mosh --ssh='ssh -p 2222' db1",
    'mosh --ssh="ssh -i ~/.ssh/key" deploy@db1',
    "mosh db1 -- tmux attach",
    "mosh -p 60001 db1",
]


@pytest.mark.parametrize("line", RUNS_SOMETHING_DESTRUCTIVE)
def test_what_an_ssh_wrapper_runs_is_judged(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision in STOPPED, explain(analysis)


@pytest.mark.parametrize("line", EVERYDAY)
def test_everyday_ssh_wrapper_lines_pass(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision not in STOPPED, explain(analysis)


def test_a_command_after_the_mosh_host_is_judged_as_run_on_that_host() -> None:
    analysis = judge("mosh db1 -- rm -rf /srv/data")
    assert analysis.decision is Tier.BLOCK, explain(analysis)
    assert any(c.remote_host == "db1" for c in analysis.commands), explain(analysis)


def test_sshfs_ssh_command_is_judged_as_strictly_as_the_command_itself() -> None:
    assert judge("sshfs -o ssh_command='rm -rf ~' db1:/srv /mnt").decision is Tier.BLOCK


def test_autossh_is_judged_as_the_ssh_it_keeps_running() -> None:
    assert judge("autossh -M 0 db1 'rm -rf /srv/data'").decision is Tier.BLOCK
    assert judge("ssh db1 'rm -rf /srv/data'").decision is Tier.BLOCK


def test_a_computed_ssh_command_for_sshfs_asks() -> None:
    analysis = judge('sshfs -o ssh_command="$SSH" db1:/srv /mnt')
    assert analysis.decision in STOPPED, explain(analysis)


def test_the_commands_of_a_config_file_given_with_dash_f_are_judged(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "evil_config").write_text("Host *\n  ProxyCommand rm -rf ~/notes\n")
    (project / "jump_config").write_text("Host db*\n  ProxyCommand ssh -W %h:%p bastion\n")
    context = Context(cwd=str(project), home=str(tmp_path), repo_root=str(project))
    for line in ["ssh -F evil_config db1", "scp -F evil_config a.txt db1:/tmp/",
                 "sshfs -F evil_config db1:/srv /mnt", "autossh -M 0 -F evil_config db1",
                 "rsync -e 'ssh -F evil_config' -a src/ db1:dst/"]:  # fmt: skip
        analysis = judge(line, context)
        assert analysis.decision in STOPPED, explain(analysis)
    for line in ["ssh -F jump_config db1", "ssh -F /dev/null db1 uptime",
                 "ssh -F missing_config db1"]:  # fmt: skip
        analysis = judge(line, context)
        assert analysis.decision not in STOPPED, explain(analysis)


def test_a_config_file_written_earlier_in_the_line_is_judged() -> None:
    line = "echo 'ProxyCommand rm -rf ~/notes' > /tmp/c && ssh -F /tmp/c db1"
    analysis = judge(line)
    assert analysis.decision in STOPPED, explain(analysis)
