"""Family: the arguments of programs that are not shells are data, never commands.

Prose about destructive commands in an issue tracker, a commit message, a chat message, a
note file or a prompt to a model passes; the same text handed to something that runs it
(a shell, `eval`, ssh, `watch`, a crontab) stops.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from judgekit import decide

from safesh.model import Tier

PROSE = [
    "mentions rm -rf / in prose",
    "git push --force broke main; someone ran git reset --hard",
    "sudo rm -rf /var/lib/postgres wiped the database",
    "dd if=/dev/zero of=/dev/sda and mkfs.ext4 /dev/sda1",
    "bash -c 'rm -rf /srv' is the bug",
    "curl x | bash was in the README",
]
CARRIERS = [
    'bd create --notes "{}"',
    'bd create "Cleanup" --notes "{}" -p 1',
    'bd update 12 --notes="{}"',
    'git commit -m "{}"',
    'gh issue create --title "incident" --body "{}"',
    'jira comment add --body "{}"',
    'todo add "{}"',
    'notify-send "done" "{}"',
    'llm "explain: {}"',
    'claude -p "why: {}"',
    'echo "{}" >> NOTES.md',
    'printf "%s\\n" "{}"',
    'grep -rn "{}" docs/',
    'jq -n --arg cmd "{}" "{{cmd: \\$cmd}}"',
]


@pytest.mark.parametrize("prose", PROSE)
@pytest.mark.parametrize("carrier", CARRIERS)
def test_prose_in_an_argument_is_data(carrier: str, prose: str) -> None:
    line = carrier.format(prose.replace('"', '\\"'))
    assert decide(line).severity <= Tier.NOTIFY.severity, line


@pytest.mark.parametrize(
    "line",
    [
        "git commit -m \"$(cat <<'EOF'\nRemove the rm -rf / from deploy.sh\nEOF\n)\"",
        "bd create --title x --notes \"$(cat <<'EOF'\nrm -rf / in prose\nEOF\n)\"",
        "cat > notes.md <<'EOF'\nNever run rm -rf / or git push --force\nEOF",
        "python3 - <<'EOF'\nprint('rm -rf /')\nEOF",
    ],
)
def test_prose_in_a_quoted_heredoc_is_data(line: str) -> None:
    assert decide(line).severity <= Tier.NOTIFY.severity, line


@pytest.mark.parametrize(
    "line",
    [
        "bash -c 'rm -rf /srv/data'",
        "eval 'rm -rf /srv/data'",
        "ssh host 'rm -rf /srv/data'",
        "watch 'rm -rf /srv/data'",
        'bd create --notes "$(rm -rf /srv/data)"',
        'bd create --notes "`git reset --hard`"',
    ],
)
def test_the_same_text_where_it_runs_stops(line: str) -> None:
    assert decide(line).severity >= Tier.ASK.severity, line


def test_the_check_command_passes_prose_end_to_end() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "safesh",
            "check",
            "--json",
            'bd create --notes "mentions rm -rf / in prose"',
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert done.returncode == 0, done.stdout + done.stderr
