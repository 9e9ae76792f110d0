"""Family: work discarded in version-control systems other than git, and a machine's guards
switched off by configuration. Subversion, Mercurial, Perforce, Bazaar, Fossil and git-annex
reverts, clean updates, strips and forced drops ask, as `git checkout -- FILE` does; so do
turning TLS verification off in a tool's saved settings, stopping fail2ban, and a virus
scanner told to delete across the system. Status, diffs, reverts that keep backups, reading
the settings and scans that only report pass.
"""

from __future__ import annotations

import pytest
from judgekit import stops

DISCARDS = [
    "svn revert -R .",
    "svn revert src/app.c",
    "svn rm --force src",
    "svn cleanup --remove-unversioned",
    "hg strip -r 1234",
    "hg update --clean",
    "hg up -C default",
    "hg revert --all --no-backup",
    "p4 revert //...",
    "bzr revert",
    "fossil scrub --verily",
    "git annex drop --force .",
    "cd vendor && svn revert -R .",
]


@pytest.mark.parametrize("line", DISCARDS)
def test_discarding_work_in_another_vcs_asks(line: str) -> None:
    assert stops(line)


GUARDS_OFF = [
    "git config --global http.sslVerify false",
    "npm config set strict-ssl false",
    "conda config --set ssl_verify false",
    "pip config set global.trusted-host pypi.org",
    "fail2ban-client stop",
    "sudo clamscan --remove -r /",
]


@pytest.mark.parametrize("line", GUARDS_OFF)
def test_switching_a_guard_off_in_saved_settings_asks(line: str) -> None:
    assert stops(line)


ORDINARY = [
    "svn status",
    "svn diff",
    "hg status",
    "hg update default",
    "hg revert --all",
    "p4 opened",
    "p4 revert -a //...",
    "fossil status",
    "git annex get .",
    "git config --global user.name 'Ann'",
    "git config --global pull.rebase false",
    "git config --get http.sslVerify",
    "npm config get strict-ssl",
    "conda config --set auto_activate_base false",
    "fail2ban-client status sshd",
    "clamscan -r /home",
    "clamscan --remove -r ./downloads",
]


@pytest.mark.parametrize("line", ORDINARY)
def test_status_reads_and_safe_spellings_pass(line: str) -> None:
    assert not stops(line)
