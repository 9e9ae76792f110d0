"""Family: a setting or an option value that a remote or admin client turns into a command.

Also: ansible ad-hoc modules with `state=absent` (judged as the command that does the same on
the hosts, or by rule cli.ansible-absent), and `kadmin -q`, `smbclient -c`, `lftp -c/-e` lines.

ssh/scp/sftp `-o ProxyCommand=CMD`, `-o LocalCommand=CMD`, `-o KnownHostsCommand=CMD` run CMD
on this machine through the user's shell, so CMD is judged as a command line of its own; the
everyday settings (a jump through a bastion, `nc %h %p`, host key options) pass.
"""

from __future__ import annotations

import pytest
from effects_helpers import STOPPED, explain, judge

from safesh.model import Tier

SSH_RUNS_LOCALLY = [
    "ssh -o ProxyCommand='rm -rf ~/notes' db1",
    "ssh -oProxyCommand='rm -rf ~/notes' db1 uptime",
    "ssh -o 'ProxyCommand git push --force origin main' db1",
    "ssh -o LocalCommand='rm -rf ~/notes' -o PermitLocalCommand=yes db1",
    "ssh -o knownhostscommand='rm -rf ~/notes' db1",
    "scp -o ProxyCommand='rm -rf ~/notes' report.txt db1:/tmp/",
    "sftp -o ProxyCommand='rm -rf ~/notes' db1",
    "rsync -a -e \"ssh -o ProxyCommand='rm -rf ~/notes'\" src/ db1:dst/",
]

SSH_EVERYDAY_SETTINGS = [
    "ssh -o ProxyCommand='ssh -W %h:%p bastion' db1",
    "ssh -o ProxyCommand='nc -X 5 -x proxy:1080 %h %p' db1 uptime",
    "ssh -o ProxyCommand=none db1",
    "ssh -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null db1 uptime",
    "ssh -o ProxyJump=bastion db1",
    "scp -o ProxyCommand='ssh -W %h:%p bastion' report.txt db1:/tmp/",
    "sftp -o Port=2222 db1",
]


@pytest.mark.parametrize("line", SSH_RUNS_LOCALLY)
def test_the_local_command_of_an_ssh_setting_is_judged(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision in STOPPED, explain(analysis)


@pytest.mark.parametrize("line", SSH_EVERYDAY_SETTINGS)
def test_everyday_ssh_settings_pass(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision not in STOPPED, explain(analysis)


def test_a_proxy_command_is_judged_as_strictly_as_the_command_itself() -> None:
    assert judge("ssh -o ProxyCommand='rm -rf ~' db1").decision is Tier.BLOCK
    assert judge("rm -rf ~").decision is Tier.BLOCK


def test_ssh_options_written_after_the_host_are_read_too() -> None:
    analysis = judge("ssh db1 -o ProxyCommand='rm -rf ~/notes'")
    assert analysis.decision in STOPPED, explain(analysis)


def test_options_after_the_host_are_not_part_of_the_remote_command() -> None:
    analysis = judge("ssh db1 -t -o ConnectTimeout=5 uptime")
    assert analysis.decision not in STOPPED, explain(analysis)


def test_the_program_scp_runs_instead_of_ssh_is_judged() -> None:
    analysis = judge("scp -S ./wipe-all.sh report.txt db1:/tmp/")
    assert analysis.decision in STOPPED, explain(analysis)


def test_a_computed_proxy_command_is_not_let_through_unread() -> None:
    analysis = judge('ssh -o ProxyCommand="$PROXY" db1')
    assert analysis.decision in STOPPED, explain(analysis)


# ansible ad-hoc modules: `state=absent` removes what the module manages on every host the
# pattern names; shell/command/raw arguments are the remote command line.
ANSIBLE_REMOVES = [
    "ansible all -m file -a 'path=/srv/data state=absent'",
    "ansible web -m ansible.builtin.file -a 'state=absent path=/var/lib/app'",
    "ansible web -m shell -a 'rm -rf /srv/data'",
    "ansible web -m raw -a 'rm -rf /var/lib/app'",
    "ansible db -m command -a 'dropdb shop'",
    "ansible all -m user -a 'name=bob state=absent remove=yes'",
    "ansible all -m group -a 'name=devs state=absent'",
    "ansible all -m community.docker.docker_container -a 'name=db state=absent'",
    "ansible db -m community.postgresql.postgresql_db -a 'name=shop state=absent'",
    "ansible all -m ansible.posix.mount -a 'path=/data state=absent'",
    "ansible db -m community.general.lvol -a 'vg=vg0 lv=data state=absent force=yes'",
    "ansible k8s -m kubernetes.core.k8s -a 'kind=Namespace name=prod state=absent'",
    "ansible all -i hosts.ini -b -m some_vendor_module -a 'name=x state=absent'",
    "ansible all -b -m file -a 'path=/var/lib/app state=absent'",
    "ansible all -m script -a './wipe-disks.sh --yes'",
    "ansible all -m reboot",
    'ansible all -m file -a \'{"path": "/var/lib/app", "state": "absent"}\'',
    "ansible win -m ansible.windows.win_reboot",
]

ANSIBLE_EVERYDAY = [
    "ansible all -m ping",
    "ansible all -m file -a 'path=/srv/data state=directory mode=0755'",
    "ansible all -m user -a 'name=bob state=present'",
    "ansible all -m apt -a 'name=nginx state=absent'",
    "ansible all -m ansible.builtin.dnf -a 'name=httpd state=absent'",
    "ansible all -m mount -a 'path=/data state=mounted src=/dev/sdb1 fstype=ext4'",
    "ansible all -m mount -a 'path=/data state=absent' --check",
    "ansible web -m shell -a 'uptime'",
    "ansible all -b -m script -a './report.sh'",
    "ansible all -m setup -a 'filter=ansible_distribution*'",
]


@pytest.mark.parametrize("line", ANSIBLE_REMOVES)
def test_an_ansible_module_that_removes_is_stopped(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision in STOPPED, explain(analysis)


@pytest.mark.parametrize("line", ANSIBLE_EVERYDAY)
def test_everyday_ansible_modules_pass(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision not in STOPPED, explain(analysis)


def test_the_file_module_removing_a_system_directory_blocks_like_rm() -> None:
    line = "ansible all -m file -a 'path=/srv/data state=absent'"
    assert judge(line).decision is judge("rm -rf /srv/data").decision is Tier.BLOCK


# Administration shells given one line to run: its verb is read like a command's.
ADMIN_LINES_THAT_DELETE = [
    "kadmin -q 'delprinc bob@EXAMPLE.COM'",
    "kadmin -p admin/admin -q 'delprinc -force bob'",
    "kadmin.local -q 'delete_principal -force host/web1'",
    "smbclient //fs/share -U bob -c 'deltree old-reports'",
    "lftp -e 'rm -r /www/old; bye' ftp.example.com",
]

ADMIN_LINES_THAT_READ = [
    "kadmin.local -q listprincs",
    "kadmin -p admin/admin -q 'getprinc bob'",
    "kadmin.local -q 'addprinc -randkey host/web1'",
    "smbclient //fs/share -U bob -c 'ls'",
    "lftp -c 'open ftp.example.com; mirror -R dist /www'",
]


@pytest.mark.parametrize("line", ADMIN_LINES_THAT_DELETE)
def test_an_admin_shell_line_that_deletes_is_stopped(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision in STOPPED, explain(analysis)


@pytest.mark.parametrize("line", ADMIN_LINES_THAT_READ)
def test_an_admin_shell_line_that_reads_or_adds_passes(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision not in STOPPED, explain(analysis)
