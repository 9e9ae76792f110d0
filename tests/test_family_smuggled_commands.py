"""Family: a command line handed to a program through a variable, a URL or an option value.

Each runs its text as a shell command: a COMMAND_VARS variable (PAGER, EDITOR,
PROMPT_COMMAND…) exported into a shell reaches what that shell runs, and an interactive bash
runs PROMPT_COMMAND itself; gawk's coprocess `|&` runs its string as `|` does; git's `ext::`
remote runs the URL's text; rsync's `--rsync-path` runs on the far side. Harmless values pass.
"""

from __future__ import annotations

import pytest
from judgekit import stops


@pytest.mark.parametrize(
    "line",
    [
        "PROMPT_COMMAND='rm -rf ~/' bash -i",
        "export PROMPT_COMMAND='rm -rf ~/'; bash -i",
        "PAGER='rm -rf ~/' bash -c 'man ls'",
        "EDITOR='rm -rf ~/ #' sh -c 'crontab -e'",
        "gawk 'BEGIN { \"rm -rf ~/\" |& getline }'",
        'gawk \'BEGIN { print "x" |& "rm -rf ~/" }\'',
        "gawk 'BEGIN { cmd = \"rm -rf ~/\"; cmd |& getline }'",
        "git -c protocol.ext.allow=always clone 'ext::sh -c rm% -rf% ~/'",
        "git -c protocol.ext.allow=always fetch 'ext::sh -c rm% -rf% /srv'",
        "git remote add backup 'ext::sh -c rm% -rf% /srv'",
        "rsync --rsync-path='rm -rf /srv' -av src/ host:/dst/",
    ],
)
def test_a_smuggled_command_line_is_judged(line: str) -> None:
    assert stops(line)


@pytest.mark.parametrize(
    "line",
    [
        "PROMPT_COMMAND='history -a' bash -i",
        "PAGER=cat bash -c 'git log'",
        "EDITOR=vim bash -c 'git commit'",
        "awk '{ print $1 | \"sort\" }' access.log",
        "git clone 'ext::ssh -p 2222 host %S /repo.git'",
        "git clone https://github.com/org/repo.git",
        "rsync --rsync-path='sudo rsync' -av src/ host:/dst/",
        "rsync --rsync-path='mkdir -p /srv/app && rsync' -av src/ host:/srv/app/",
    ],
)
def test_harmless_values_pass(line: str) -> None:
    assert not stops(line)
