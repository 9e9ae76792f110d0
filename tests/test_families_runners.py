"""Family: programs that take code or a command line as an argument, a script or their input,
and run it: Tcl/expect (`spawn`, `exec`, `system`, and what `send` types into a shell or ssh
session it spawned), GNU screen (its window's program, `-X stuff` typing, `-X exec`), and a
shell running a script by name (`bash reset-db.sh` is `./reset-db.sh`). What they run is judged
as a command line of its own; what they only print, match or type as a password is not.
"""

from __future__ import annotations

import pytest
from effects_helpers import STOPPED, explain, judge

from safesh.model import Tier
from safesh.unwrap.tcl import shell_lines

RUN_DESTRUCTIVE = [
    "expect -c 'spawn rm -rf /srv/data; expect eof'",
    'expect -c "spawn git push --force origin main; expect eof"',
    'expect -c \'spawn ssh ops@db1; expect "# "; send "dropdb billing\\r"; expect eof\'',
    'expect <<\'EOF\'\nspawn bash\nexpect "$ "\nsend "git reset --hard origin/main\\r"\nEOF',
    "tclsh <<< 'exec rm -rf /var/lib/app'",
    "echo 'exec git clean -fdx' | tclsh",
    "expect -c 'if {1} { exec rm -rf /opt/app }'",
    "expect -c 'system rm -rf ~/work'",
    "screen -S dev -X stuff 'rm -rf ~/data\\n'",
    "screen -S dev -p 0 -X stuff $'git push -f origin main\\r'",
    "screen -dmS job rm -rf /srv/cache",
    "screen -S dev -X exec git clean -fdx",
    "bash scripts/drop_database.sh",
    "sh ./deploy.sh delete-old --yes",
]

RUN_EVERYDAY = [
    'expect -c \'spawn ssh host; expect "password:"; send "hunter2\\r"; interact\'',
    'expect -c \'spawn npm login; expect "Username:"; send "me\\r"; expect eof\'',
    "expect -c 'spawn ls -la; expect eof'",
    "echo 'puts [exec date]' | tclsh",
    "expect -c 'puts \"rm -rf / is dangerous\"'",
    "screen -S dev -X stuff 'npm run dev\\n'",
    "screen -dmS job npm run dev",
    "screen -r dev",
    "screen -ls",
    "bash scripts/build.sh",
]


@pytest.mark.parametrize("line", RUN_DESTRUCTIVE)
def test_what_the_program_runs_is_judged(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision in STOPPED, explain(analysis)


@pytest.mark.parametrize("line", RUN_EVERYDAY)
def test_what_it_prints_matches_or_types_as_a_password_passes(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision not in STOPPED, explain(analysis)


def test_a_system_path_deleted_by_spawn_blocks_like_the_command() -> None:
    assert judge("expect -c 'spawn rm -rf /etc'").decision is Tier.BLOCK


def test_tcl_reads_braces_quotes_brackets_and_comments() -> None:
    code = '# exec rm -rf /\nset out [exec ls -l]; if {$x} { exec rm -rf [pwd] }\nputs "exec no"'
    assert shell_lines(code).splitlines() == ["ls -l", "rm -rf $TCL_VALUE"]


def test_send_on_an_ssh_session_runs_on_its_host() -> None:
    code = 'spawn ssh web1\nsend "uptime\\r"'
    assert shell_lines(code).splitlines() == ["ssh web1", "ssh web1 uptime"]


def test_exec_keeps_its_pipeline_and_channel_redirects() -> None:
    assert shell_lines("exec sh -c {ls /} 2>@1 | wc -l") == "sh -c 'ls /' 2>&1 | wc -l"


SCRIPTS_BY_NAME = [
    ("python tools/wipe_bucket.py --bucket media", True),
    ("node scripts/delete-stale-users.js", True),
    ("ruby script/nuke_cache.rb", True),
    ("perl purge_old.pl", True),
    ("tsx scripts/reset-db.ts", True),
    ("python -W ignore tools/drop_tables.py", True),
    ("python scripts/seed_data.py", False),
    ("python3 scripts/remove_unused_imports.py src/", False),
    ("node --require dotenv/config scripts/seed.js", False),
    ("ruby app.rb", False),
    ("node -e 'console.log(1)'", False),
    ("python -m http.server 8000", False),
]


@pytest.mark.parametrize(("line", "stops"), SCRIPTS_BY_NAME)
def test_an_interpreter_runs_a_script_judged_by_its_name(line: str, stops: bool) -> None:
    analysis = judge(line)
    assert (analysis.decision in STOPPED) is stops, explain(analysis)


FLEET_AND_CLONES = [
    ("pssh -h hosts.txt -i 'rm -rf /srv/cache'", True),
    ("pdsh -w web[1-4] 'git -C /srv/app reset --hard'", True),
    ("clush -a 'rm -rf /var/lib/app'", True),
    ("salt --out json 'web*' cmd.run 'rm -rf /srv/data'", True),
    ("pssh -h hosts.txt -i uptime", False),
    ("salt '*' test.ping", False),
    ("npx rimraf ~/notes", True),
    ("rimraf /var/lib/app", True),
    ("npx del-cli '../other-repo/**'", True),
    ("npx rimraf dist", False),
    ("rimraf node_modules coverage", False),
    ("del-cli --dry-run '~/notes/**'", False),
]


@pytest.mark.parametrize(("line", "stops"), FLEET_AND_CLONES)
def test_fleet_commands_and_rm_clones_are_judged_like_the_command(line: str, stops: bool) -> None:
    analysis = judge(line)
    assert (analysis.decision in STOPPED) is stops, explain(analysis)
