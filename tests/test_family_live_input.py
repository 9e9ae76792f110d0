"""Family: a line that starts a program which runs what is typed at it later (a shell with no
script, an interpreter with no program, a database console with no SQL, a remote login with no
command, an editor or pager with a shell escape, `at`/`crontab` reading jobs), judged for an
agent that can type into what it started without any hook seeing it (Codex CLI's
`exec_command` with a terminal, then `write_stdin`; `Context.live_input`).

Such a start asks; the same program given what to run in the line itself is judged by what it
runs. Where nobody can type into the command (a human's shell, Claude Code, Gemini CLI), the
start is judged as before.
"""

from __future__ import annotations

import pytest
from judgekit import CONTEXT, RULES, decide, stops

from safesh.analyze import analyze
from safesh.model import Tier
from safesh.record import replace

LIVE = replace(CONTEXT, live_input=True)

# (a start that reads typed input, the same program told what to run)
STARTS = [
    ("bash", "bash -c 'make test'"),
    ("bash -i", "bash scripts/build.sh"),
    ("bash -l", "bash -lc 'npm ci'"),
    ("sh -s", "sh -c 'ls'"),
    ("zsh", "zsh -c 'echo ok'"),
    ("exec bash", "exec bash -c 'ls'"),
    ("sudo bash", "sudo bash -c 'ls /root'"),
    ("env FOO=1 sh", "env FOO=1 sh -c 'echo $FOO'"),
    ("python3", "python3 script.py"),
    ("python3 -i script.py", "python3 -c 'print(1)'"),
    ("python3 -", "python3 -m pytest -q"),
    ("python3.12", "python3.12 -m venv .venv"),
    ("python3 -m pdb app.py", "python3 -m http.server 8000"),
    ("python3 -m asyncio", "python3 -m json.tool data.json"),
    ("ipython", "ipython script.py"),
    ("node", "node server.js"),
    ("node -i", "node -e 'console.log(1)'"),
    ("perl -de0", "perl -ne 'print' log.txt"),
    ("ruby", "ruby app.rb"),
    ("irb", "ruby -e 'puts 1'"),
    ("php -a", "php artisan migrate:status"),
    ("psql mydb", "psql -c 'select 1' mydb"),
    ("psql -h db -U app app", "psql -h db -U app app -c 'select count(*) from t'"),
    ("mysql -u root app", "mysql -u root -e 'show tables' app"),
    ("sqlite3 app.db", "sqlite3 app.db 'select count(*) from t'"),
    ("redis-cli", "redis-cli -h cache GET session:1"),
    ("mongosh", "mongosh --eval 'db.stats()'"),
    ("mongosh mongodb://db/app", "mongosh mongodb://db/app --quiet --eval 'db.version()'"),
    ("ssh web1", "ssh web1 uptime"),
    ("ssh -t deploy@web1", "ssh -N -L 8080:localhost:80 web1"),
    ("docker exec -it web bash", "docker exec web ls /app"),
    ("kubectl exec -it api-0 -- sh", "kubectl exec api-0 -- cat /etc/hostname"),
    ("sudo -u postgres psql", "sudo -u postgres psql -c 'select 1'"),
    ("vim notes.txt", "vim -c wq notes.txt"),
    ("less app.log", "tail -n 50 app.log"),
    ("git diff | less", "git diff | cat"),
    ("gdb ./prog", "gdb -batch -ex run ./prog"),
    ("at now + 5 minutes", "atq"),
    ("crontab -e", "crontab -l"),
    ("tmux new -s dev", "tmux new -d -s dev 'make watch'"),
    ("tmux attach -t dev", "tmux ls"),
    ("screen", "screen -dmS build make"),
    ("script", "script -q -c 'make test' build.log"),
    ("bash -c python3", "bash -c 'python3 manage.py check'"),
    ("bash /dev/stdin", "bash ./deploy-preview.sh"),
    ("source /dev/stdin", "source .venv/bin/activate"),
    ("timeout 600 python3", "timeout 600 python3 train.py"),
    ("cd /srv/app && python3", "cd /srv/app && python3 manage.py migrate --plan"),
]


@pytest.mark.parametrize(("start", "told"), STARTS)
def test_a_start_reading_typed_input_asks_and_the_program_told_what_to_run_does_not(
    start: str, told: str
) -> None:
    assert decide(start, LIVE) is Tier.ASK, start
    assert not stops(told, LIVE), told


# Input given in the line itself: nothing is left for the agent to type.
FED = [
    "bash < /dev/null",
    "echo ls | bash",
    "bash <<'EOF'\nls -la\nEOF",
    "python3 <<'EOF'\nprint(1)\nEOF",
    "python3 < /dev/null",
    "psql mydb <<< 'select 1'",
    "cat queries.txt | redis-cli",
    "ssh web1 <<'EOF'\nuptime\nEOF",
    "bash -c 'python3' < /dev/null",
    "echo 'print(1)' | bash -c python3",
    "python3 &",
    "nohup python3 &",
    "xargs -n1 python3 < scripts.txt",
    "mongosh mongodb://db/app seed.js",
]


@pytest.mark.parametrize("line", FED)
def test_input_given_in_the_line_is_not_typed_later(line: str) -> None:
    problems = analyze(line, LIVE, RULES).findings
    assert "core.live-input" not in {f.rule_id for f in problems}, line


@pytest.mark.parametrize("line", ["bash", "python3", "psql mydb", "ssh web1", "vim notes.txt"])
def test_where_nobody_types_into_the_command_a_start_is_judged_as_before(line: str) -> None:
    assert not stops(line, CONTEXT), line


def test_the_finding_says_what_to_do_instead() -> None:
    findings = analyze("python3", LIVE, RULES).findings
    found = next(f for f in findings if f.rule_id == "core.live-input")
    assert "python3 -c" in (found.alternative or "")
    assert "typed" in found.reason


@pytest.mark.parametrize(
    "line",
    ["bash --version", "python3 --version", "node --version", "psql --version", "ls -la",
     "git status", "make test", "npm test", "pytest -q", "cat README.md"],
)  # fmt: skip
def test_ordinary_work_keeps_flowing(line: str) -> None:
    assert not stops(line, LIVE), line
