"""Issue 9, item 4: self-protection by what is touched, not how it is spelt.

Any write to safesh's configuration, state, cache or install, or to an agent's hook or
permission settings, by any program or language, stops (ask: a human decides), wherever XDG_*
really put safesh's directories; a variable set on the line does not move them.
"""

from __future__ import annotations

import pytest

import safesh

# The user's real environment: safesh's directories moved by XDG_* to places no name gives away.
REAL_ENV = {
    "HOME": "/home/u",
    "XDG_CONFIG_HOME": "/data/cfg",
    "XDG_STATE_HOME": "/data/st",
    "XDG_CACHE_HOME": "/data/cache",
    "PATH": "/usr/bin:/bin",
}

TOUCHES_SAFESH = [
    "python3 -c \"import sqlite3; sqlite3.connect('/data/st/safesh/safesh.db')"
    ".execute('update approvals set state=1')\"",
    "python3 -c \"from sqlite3 import connect; connect('/data/st/safesh/safesh.db')\"",
    "echo 'disable_packs = [\"fs\"]' >> /data/cfg/safesh/rules.toml",
    "XDG_CONFIG_HOME=/tmp/x tee /data/cfg/safesh/rules.toml < /dev/null",
    "sed -i s/ask/allow/ /data/cfg/safesh/rules.toml",
    "cp /tmp/planted.pickle /data/cache/safesh/rules.pickle",
    "mv /tmp/t.json /data/st/safesh/trusted.json",
    "python3 -c \"open('/data/st/safesh/trusted.json', 'w').write('{}')\"",
    "node -e \"require('fs').writeFileSync('/data/cfg/safesh/rules.toml', '')\"",
    "rm -rf /data/st/safesh",
    "python3 -c \"from safesh.store import Store; Store().approve('a1b2')\"",
    "python3 -c \"from safesh import store; store.Store().approve('a1b2')\"",
    "python3 -c 'import safesh.store.approvals'",
    "safesh install-hook claude-code --uninstall",
    "python3 -m safesh install-hook codex --uninstall",
]

TOUCHES_AGENT_SETTINGS = [
    "echo '{\"disableAllHooks\": true}' > .claude/settings.local.json",
    "sed -i 's/safesh hook claude-code/true/' ~/.claude/settings.json",
    "perl -i -pe 's/safesh//' ~/.claude/settings.json",
    "python3 -c \"import json; json.dump({}, open('.claude/settings.local.json', 'w'))\"",
    "cp /tmp/s.json ~/.gemini/settings.json",
    "rm ~/.codex/hooks.json",
    "mv .cursor/hooks.json /tmp/",
    "tee .github/hooks/safesh.json < /dev/null",
    "truncate -s 0 ~/.codex/config.toml",
    "rm -rf .claude",
]

HARMLESS = [
    "cat ~/.claude/settings.json",
    "ls ~/.claude",
    "echo notes > .claude/commands/review.md",
    "cp ~/.claude/settings.json /tmp/backup.json",
    "python3 -c \"import safesh; print(safesh.check('ls').decision)\"",
    "python3 -c \"import sqlite3; sqlite3.connect('app.db').execute('select 1')\"",
    "cat /data/cfg/safesh/rules.toml",
]


@pytest.mark.parametrize("line", TOUCHES_SAFESH + TOUCHES_AGENT_SETTINGS)
def test_touching_what_decides_the_verdicts_stops(line: str) -> None:
    report = safesh.check(line, cwd="/home/u/proj", env=REAL_ENV)
    assert not report.runs, report.rule_ids()


@pytest.mark.parametrize("line", HARMLESS)
def test_reading_or_backing_up_those_files_runs(line: str) -> None:
    report = safesh.check(line, cwd="/home/u/proj", env=REAL_ENV)
    assert report.runs, report.rule_ids()


def test_the_real_directories_come_from_the_users_environment_not_the_line() -> None:
    """The line moves XDG_STATE_HOME; the store it writes is still the user's real one."""
    line = "XDG_STATE_HOME=/tmp/elsewhere sqlite3 /data/st/safesh/safesh.db 'delete from audit'"
    assert "safesh.state-write" in safesh.check(line, cwd="/home/u/proj", env=REAL_ENV).rule_ids()


def test_the_install_itself_is_protected() -> None:
    from pathlib import Path

    package = Path(safesh.__file__).resolve().parent
    line = f"echo '' > {package}/rules.toml"
    assert "safesh.state-write" in safesh.check(line, cwd="/home/u/proj", env=REAL_ENV).rule_ids()


def test_unpacking_an_archive_over_safeshs_directories_stops() -> None:
    """`tar -x -C ~/.config` can replace ~/.config/safesh/rules.toml; `-C ~/src` cannot."""
    env = {"HOME": "/home/u", "PATH": "/usr/bin:/bin"}
    over = safesh.check("tar -xf planted.tar -C ~/.config", cwd="/home/u/proj", env=env)
    assert "safesh.state-write" in over.rule_ids()
    elsewhere = safesh.check("tar -xf release.tar -C ~/src", cwd="/home/u/proj", env=env)
    assert elsewhere.runs
