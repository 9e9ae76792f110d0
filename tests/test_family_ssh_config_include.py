"""Family: ssh configuration that pulls in other files or runs commands. A `-F FILE`
configuration, or one a line writes into ~/.ssh/config, whose `Include` names files (globs, `~`,
names relative to ~/.ssh) is read with them: a ProxyCommand, LocalCommand, KnownHostsCommand or
`Match exec` in an included file is judged as the command line it is, a RemoteCommand as the
command it runs on the host, nested includes are followed, and an included file that exists
but cannot be read, or whose name the line computes, asks. `-o RemoteCommand=CMD` is judged as
`ssh HOST CMD`. Includes of harmless settings, and of files that are not there (ssh skips
them), pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from judgekit import stops

from safesh.model import Context

EVIL = "Host *\n  ProxyCommand rm -rf ~/notes\n"
JUMP = "Host db*\n  ProxyCommand ssh -W %h:%p bastion\n  User deploy\n"


@pytest.fixture
def home(tmp_path: Path) -> Context:
    project = tmp_path / "project"
    ssh = tmp_path / ".ssh"
    (ssh / "config.d").mkdir(parents=True)
    project.mkdir()
    (ssh / "evil.conf").write_text(EVIL)
    (ssh / "config.d" / "10-evil.conf").write_text(EVIL)
    (ssh / "jump.conf").write_text(JUMP)
    (ssh / "local.conf").write_text("PermitLocalCommand yes\nLocalCommand rm -rf ~/notes\n")
    (ssh / "known.conf").write_text("KnownHostsCommand /bin/sh -c 'rm -rf ~/notes'\n")
    (ssh / "match.conf").write_text('Match host db* exec "rm -rf ~/notes"\n  User x\n')
    (ssh / "nested.conf").write_text("Include evil.conf\n")
    (ssh / "deeper.conf").write_text("Host *\n  Include nested.conf\n")
    (ssh / "loop.conf").write_text("Include loop.conf\n")
    (project / "evil_include").write_text(f"Include {ssh / 'evil.conf'}\n")
    (project / "relative_include").write_text("Include evil.conf\n")
    (project / "tilde_include").write_text("Include ~/.ssh/evil.conf\n")
    (project / "glob_include").write_text("Include ~/.ssh/config.d/*.conf\n")
    (project / "quoted_include").write_text('Include "~/.ssh/jump.conf" "~/.ssh/evil.conf"\n')
    (project / "eq_include").write_text("include=evil.conf\n")
    (project / "indented_include").write_text("Host db1\n    INCLUDE evil.conf\n")
    (project / "local_include").write_text("Include local.conf\n")
    (project / "known_include").write_text("Include known.conf\n")
    (project / "match_include").write_text("Include match.conf\n")
    (project / "nested_include").write_text("Include deeper.conf\n")
    (project / "loop_include").write_text("Include loop.conf\n")
    (project / "dir_include").write_text(f"Include {ssh}\n")
    (project / "var_include").write_text("Include ${SSH_EXTRA}\n")
    (project / "jump_include").write_text("Include jump.conf\n")
    (project / "missing_include").write_text("Include nothing-here.conf ~/.ssh/none.d/*.conf\n")
    (project / "match_only").write_text('Match exec "rm -rf ~/notes"\n')
    (ssh / "remote.conf").write_text("Host db*\n  RemoteCommand sudo rm -rf /srv/data\n")
    (project / "remote_include").write_text("Include remote.conf\n")
    (project / "remote_only").write_text(
        "Host *\n  RemoteCommand rm -rf /srv/data\n  RequestTTY yes\n"
    )
    (project / "remote_uptime").write_text("Host *\n  RemoteCommand uptime\n")
    return Context(cwd=str(project), home=str(tmp_path), repo_root=str(project))


STOPPED_CONFIGS = [
    "evil_include",
    "relative_include",
    "tilde_include",
    "glob_include",
    "quoted_include",
    "eq_include",
    "indented_include",
    "local_include",
    "known_include",
    "match_include",
    "nested_include",
    "loop_include",
    "dir_include",
    "var_include",
    "match_only",
    "remote_include",
    "remote_only",
]


@pytest.mark.parametrize("config", STOPPED_CONFIGS)
@pytest.mark.parametrize(
    "template",
    ["ssh -F {} db1", "ssh -F {} db1 uptime", "scp -F {} a.txt db1:/tmp/",
     "sftp -F {} db1", "sshfs -F {} db1:/srv /mnt", "autossh -M 0 -F {} db1",
     "rsync -e 'ssh -F {}' -a src/ db1:dst/", "git -c core.sshCommand='ssh -F {}' fetch"],
)  # fmt: skip
def test_a_command_in_an_included_file_is_judged(config: str, template: str, home: Context) -> None:
    line = template.format(config)
    assert stops(line, home), line


@pytest.mark.parametrize("config", ["jump_include", "missing_include", "remote_uptime"])
def test_includes_of_harmless_or_absent_files_pass(config: str, home: Context) -> None:
    for line in [f"ssh -F {config} db1", f"scp -F {config} a.txt db1:/tmp/"]:
        assert not stops(line, home), line


def test_an_include_written_into_the_ssh_config_is_followed(home: Context) -> None:
    assert stops("echo 'Include ~/.ssh/evil.conf' >> ~/.ssh/config", home)
    assert stops("printf 'Host *\\n  Include evil.conf\\n' > ~/.ssh/config.d/extra", home)
    assert stops("sed -i '1i Include evil.conf' ~/.ssh/config", home)


def test_an_include_of_a_file_written_earlier_in_the_line_is_judged(home: Context) -> None:
    line = (
        "echo 'ProxyCommand rm -rf ~/notes' > /tmp/holes1-inc.conf"
        " && echo 'Include /tmp/holes1-inc.conf' > /tmp/holes1-c && ssh -F /tmp/holes1-c db1"
    )
    assert stops(line, home)


@pytest.mark.parametrize(
    "line",
    ["ssh -o RemoteCommand='rm -rf /srv/data' db1", "ssh -o 'RemoteCommand rm -rf /srv/data' db1",
     "ssh -oRemoteCommand='sudo reboot' db1", "ssh db1 -o RemoteCommand='rm -rf /srv/data'",
     "ssh -t -o RemoteCommand='sudo rm -rf /srv/data' deploy@db1",
     "autossh -M 0 -o RemoteCommand='rm -rf /srv/data' db1",
     "echo 'RemoteCommand rm -rf /srv/data' >> ~/.ssh/config"],
)  # fmt: skip
def test_a_remote_command_set_as_an_option_is_judged_as_run_on_the_host(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize(
    "line", ["ssh -o RemoteCommand=uptime db1", "ssh -o RemoteCommand=none db1", "ssh db1 uptime"]
)
def test_an_everyday_remote_command_setting_passes(line: str) -> None:
    assert not stops(line), line
