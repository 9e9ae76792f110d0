"""Family: what this side feeds a command that runs elsewhere. `ssh HOST CMD` hands CMD its
own standard input, and `docker exec -i` / `kubectl exec -i` / `docker compose exec` hand the
pipe into them to the command in the container: a local `< FILE` (read here), a heredoc, a
here-string or `echo`/`printf`/`cat FILE |` is judged as that command's input, so a database
client given a DROP, or a remote shell given `rm -rf`, stops as it does locally. A local file
that cannot be read here asks where its text decides. Harmless input and commands that only
store it pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from judgekit import project_in, stops

from safesh.model import Context

FILES = {
    "drop.sql": "DROP TABLE users;\n",
    "report.sql": "SELECT count(*) FROM users;\n",
    "wipe.js": "db.users.deleteMany({})\n",
    "count.js": "db.users.countDocuments({})\n",
    "purge.sh": "rm -rf /var/lib/mysql\n",
    "status.sh": "uptime\ndf -h\n",
}
# (a line running a client elsewhere, given {f} on its standard input through `< {f}`)
REMOTE_CLIENTS = [
    "ssh db psql < {f}",
    "ssh -i key.pem ubuntu@db 'psql -U app shop' < {f}",
    "ssh -p 2222 db sudo -u postgres psql < {f}",
    "ssh db mysql shop < {f}",
    "docker exec -i db psql -U app < {f}",
    "docker compose exec -T db psql -U app < {f}",
    "kubectl exec -i pg-0 -- psql -U app < {f}",
    "kubectl -n data exec -i pg-0 -c postgres -- psql < {f}",
]
PIPED = [
    "cat {f} | ssh db psql",
    "cat {f} | docker exec -i db psql",
    "cat {f} | kubectl exec -i pg-0 -- psql",
    "cat {f} | podman exec -i db psql",
]


@pytest.fixture
def project(tmp_path: Path) -> Context:
    return project_in(tmp_path, FILES)


@pytest.mark.parametrize("line", REMOTE_CLIENTS + PIPED)
def test_sql_fed_to_a_client_elsewhere_is_judged(project: Context, line: str) -> None:
    assert stops(line.format(f="drop.sql"), project)
    assert not stops(line.format(f="report.sql"), project)


@pytest.mark.parametrize(
    "line",
    ["echo 'DROP TABLE users;' | ssh db psql", "printf 'TRUNCATE orders;\\n' | ssh db psql",
     "ssh db psql <<< 'DROP TABLE users'", "ssh db psql <<'EOF'\nDROP TABLE users;\nEOF",
     "echo 'DROP TABLE users;' | docker exec -i db psql",
     "echo 'DROP TABLE users;' | kubectl exec -i pg-0 -- psql",
     "echo FLUSHALL | ssh cache redis-cli", "echo 'FLUSHDB' | docker exec -i cache redis-cli"],
)  # fmt: skip
def test_text_on_the_line_fed_to_a_client_elsewhere_is_judged(line: str) -> None:
    assert stops(line)


def test_mongo_scripts_fed_elsewhere_are_judged(project: Context) -> None:
    for line in ["ssh db mongosh app < {f}", "docker exec -i mongo mongosh app < {f}",
                 "cat {f} | kubectl exec -i mongo-0 -- mongosh app"]:  # fmt: skip
        assert stops(line.format(f="wipe.js"), project), line
        assert not stops(line.format(f="count.js"), project), line


@pytest.mark.parametrize(
    "line",
    ["ssh db 'bash -s' < {f}", "ssh db bash -s < {f}", "ssh db sh < {f}",
     "cat {f} | ssh db bash", "ssh db 'sudo bash -s' < {f}"],
)  # fmt: skip
def test_a_local_script_fed_to_a_remote_shell_is_judged(project: Context, line: str) -> None:
    assert stops(line.format(f="purge.sh"), project)
    assert not stops(line.format(f="status.sh"), project)
    assert stops(line.format(f="missing.sh"), project)


def test_input_that_cannot_be_read_here_asks_where_it_decides(project: Context) -> None:
    assert stops("ssh db psql < missing.sql", project)
    assert not stops("ssh db 'cat > /tmp/x.sql' < missing.sql", project)


@pytest.mark.parametrize(
    "line",
    ["ssh db uptime", "ssh db 'cat > /tmp/x.sql' < drop.sql", "ssh db tee /tmp/notes < drop.sql",
     "echo hi | ssh db cat", "ssh db 'bash -s' <<< uptime", "ssh db ls < /dev/null",
     "ssh -n db uptime", "echo hi | docker exec -i app cat"],
)  # fmt: skip
def test_input_that_is_only_stored_or_harmless_passes(project: Context, line: str) -> None:
    assert not stops(line, project)
