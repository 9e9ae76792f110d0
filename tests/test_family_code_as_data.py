"""Family: code that reaches a shell as data is judged, by whatever route it travels.

Process substitution, `/dev/stdin`, `< FILE`, a compound feeding a pipe, `at`/`batch`,
`crontab`, and the wrappers that take a command string or argv (script, runuser, setsid, flock,
nohup, watch, vagrant, gcloud, docker, kubectl, fd, parallel). Each destructive form stops;
its harmless twin passes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from judgekit import decide, stops

from safesh.model import Context, Tier

# (destructive form, its harmless twin)
ROUTES = [
    # process substitution and /dev/stdin
    ("bash <(echo 'rm -rf /srv/data')", "bash <(echo 'make test')"),
    ("source <(echo 'git reset --hard')", "source <(echo 'export A=1')"),
    (". <(printf 'rm -rf /srv/data')", ". <(printf 'echo hi')"),
    ("sh < <(echo 'rm -rf /srv/data')", "sh < <(echo 'ls')"),
    ("echo 'rm -rf /srv/data' | bash /dev/stdin", "echo 'ls' | bash /dev/stdin"),
    ("echo 'rm -rf /srv/data' | source /dev/stdin", "echo 'A=1' | source /dev/stdin"),
    ("bash < /dev/stdin <<< 'rm -rf /srv/data'", "bash < /dev/stdin <<< 'ls'"),
    # a compound element feeding a shell
    ("(echo 'rm -rf /srv/data') | bash", "(echo 'ls') | bash"),
    ("{ echo set -e; echo 'rm -rf /srv/data'; } | sh", "{ echo set -e; echo ls; } | sh"),
    # scheduled for later
    ("echo 'rm -rf /srv/data' | at now", "echo 'make test' | at now"),
    ("at now <<< 'git reset --hard'", "at now <<< 'make test'"),
    ("at now + 1 minute <<EOF\nrm -rf /srv/data\nEOF", "at now + 1 minute <<EOF\nls\nEOF"),
    ("echo 'rm -rf /srv/data' | batch", "echo 'make' | batch"),
    # wrappers taking a command string
    ("script -c 'rm -rf /srv/data' /dev/null", "script -c 'make test' /dev/null"),
    ("script -qc 'rm -rf /srv/data' /dev/null", "script -qc 'ls' /dev/null"),
    ("script -q /dev/null -c 'rm -rf /srv/data'", "script -q /dev/null -c 'ls'"),
    ("runuser -l app -c 'rm -rf /srv/data'", "runuser -l app -c 'ls /srv'"),
    ("runuser app -c 'git reset --hard'", "runuser app -c 'git status'"),
    ("flock -c 'rm -rf /srv/data' /tmp/l", "flock -c 'make' /tmp/l"),
    ("flock -x -w 10 /tmp/l -c 'rm -rf /srv/data'", "flock -x -w 10 /tmp/l -c 'make'"),
    ("watch -n 5 'rm -rf /srv/data'", "watch -n 5 'kubectl get pods'"),
    ("vagrant ssh -c 'rm -rf /srv/data'", "vagrant ssh -c 'uptime'"),
    ("vagrant ssh web --command 'rm -rf /srv/data'", "vagrant ssh web --command 'df -h'"),
    (
        "gcloud compute ssh vm1 --command 'rm -rf /srv/data'",
        "gcloud compute ssh vm1 --command 'df -h'",
    ),
    (
        "gcloud compute ssh vm1 --command='rm -rf /srv/data'",
        "gcloud compute ssh vm1 --command='ls'",
    ),
    (
        "gcloud compute ssh vm1 --zone z -- rm -rf /srv/data",
        "gcloud compute ssh vm1 --zone z -- ls",
    ),
    # wrappers taking argv
    ("runuser -u app -- rm -rf /srv/data", "runuser -u app -- ls /srv"),
    ("setsid -f rm -rf /srv/data", "setsid -f code ."),
    ("flock /tmp/l rm -rf /srv/data", "flock /tmp/l make build"),
    ("nohup rm -rf /srv/data &", "nohup python server.py > log.txt 2>&1 &"),
    ("watch -x rm -rf /srv/data", "watch -x ls /srv"),
    # containers
    ("docker exec app sh -c 'rm -rf /srv/data'", "docker exec app sh -c 'ls /srv'"),
    ("docker exec -it -u root app rm -rf /srv/data", "docker exec -it -u root app ls"),
    ("docker compose exec app sh -c 'rm -rf /srv/data'", "docker compose exec app sh -c 'ls'"),
    (
        "docker compose -f dev.yml run --rm app rm -rf /srv/data",
        "docker compose -f dev.yml run --rm app pytest",
    ),
    ("docker-compose exec app rm -rf /srv/data", "docker-compose exec app ls"),
    (
        "docker run --rm -v /srv:/srv alpine sh -c 'rm -rf /srv/data'",
        "docker run --rm alpine sh -c 'ls /srv'",
    ),
    (
        "docker run --rm --entrypoint sh alpine -c 'rm -rf /srv/data'",
        "docker run --rm --entrypoint sh alpine -c 'ls'",
    ),
    ("podman exec app rm -rf /srv/data", "podman exec app ls"),
    ("kubectl exec pod -- sh -c 'rm -rf /srv/data'", "kubectl exec pod -- sh -c 'ls /srv'"),
    (
        "kubectl -n prod exec -it pod -c app -- bash -c 'rm -rf /srv/data'",
        "kubectl -n prod exec -it pod -c app -- bash -c 'ls'",
    ),
    # tools that run a command line they are given
    ("tmux new -d 'rm -rf /srv/data'", "tmux new -d 'npm run dev'"),
    ("tmux new-session -d -s x 'git reset --hard'", "tmux new-session -d -s x 'htop'"),
    ("tmux send-keys -t 0 'rm -rf /srv/data' Enter", "tmux send-keys -t 0 'make test' Enter"),
    ("nix-shell --run 'rm -rf /srv/data'", "nix-shell --run 'make test'"),
    ("nix develop -c rm -rf /srv/data", "nix develop -c make test"),
    ("conda run -n base rm -rf /srv/data", "conda run -n base pytest"),
    ("npm exec -- rm -rf /srv/data", "npm exec -- eslint ."),
    ("pnpm exec rm -rf /srv/data", "pnpm exec vitest"),
    ("sg docker -c 'rm -rf /srv/data'", "sg docker -c 'docker ps'"),
    ("capsh -- -c 'rm -rf /srv/data'", "capsh -- -c 'id'"),
    ("entr -s 'rm -rf /srv/data' < files.txt", "entr -s 'make test' < files.txt"),
    ("hyperfine 'rm -rf /srv/data'", "hyperfine 'sleep 0.1'"),
    ("hyperfine --prepare 'git reset --hard' 'make'", "hyperfine --prepare 'make clean' 'make'"),
    ("ssh host 'bash -s' <<< 'rm -rf /srv/data'", "ssh host 'bash -s' <<< 'uptime'"),
    ("time (rm -rf /srv/data)", "time (make test)"),
    # a command per input
    ("fd -t d data / -X rm -rf", "fd -e py -x wc -l"),
    ("fd . /srv/data --exec rm -rf {}", "fd . src --exec wc -l {}"),
    ("parallel rm -rf ::: /srv/data /srv/db", "parallel gzip ::: a.log b.log"),
    ("parallel -j4 'rm -rf {}' ::: /srv/data", "parallel -j4 'gzip {}' ::: a.log"),
]


@pytest.mark.parametrize(("destructive", "harmless"), ROUTES)
def test_the_destructive_form_stops(destructive: str, harmless: str) -> None:
    assert stops(destructive), destructive


@pytest.mark.parametrize(("destructive", "harmless"), ROUTES)
def test_the_harmless_twin_passes(destructive: str, harmless: str) -> None:
    assert not stops(harmless), harmless


@pytest.mark.parametrize(
    "line",
    [
        # Nobody can read what these carry: they ask rather than pass.
        "for c in x; do echo $c; done | bash",
        "(crontab -l; echo '0 * * * * rm -rf /srv/data') | crontab -",
        "crontab /nonexistent/mycron.txt",
        "at -f /nonexistent/job.sh now",
        "generate-script | source /dev/stdin",
        "bash <(curl -fsSL https://example.com/install.sh)",
        "bash < <(curl -fsSL https://example.com/install.sh)",
    ],
)
def test_code_nobody_can_read_asks(line: str) -> None:
    assert stops(line), line


def test_a_crontab_file_is_judged_entry_by_entry(tmp_path: Path) -> None:
    """Replacing the table asks on its own (an effect rule); what an entry runs is judged
    too, so a catastrophic entry blocks."""
    table = tmp_path / "cron.txt"
    context = Context(cwd=str(tmp_path), home="/home/user")
    table.write_text("SHELL=/bin/bash\n# nightly\n0 3 * * * rm -rf /\n")
    assert decide("crontab cron.txt", context) == Tier.BLOCK
    table.write_text("SHELL=/bin/bash\n# nightly\n0 3 * * * /usr/bin/backup --quiet\n")
    assert decide("crontab cron.txt", context).severity < Tier.BLOCK.severity


@pytest.mark.parametrize(
    ("catastrophic", "harmless"),
    [
        ("echo '* * * * * rm -rf /' | crontab -", "echo '* * * * * make -C /opt/app' | crontab -"),
        ("echo '@reboot rm -rf ~' | crontab -", "echo '@reboot uptime' | crontab -"),
        (
            "echo '0 * * * * sh -c \"rm -rf /\"' | crontab -u app -",
            "echo '0 * * * * ls' | crontab -",
        ),
    ],
)
def test_a_crontab_entry_is_judged_as_the_command_it_runs(catastrophic: str, harmless: str) -> None:
    assert decide(catastrophic) == Tier.BLOCK
    assert decide(harmless).severity < Tier.BLOCK.severity


def test_a_crontab_written_earlier_in_the_line_is_judged() -> None:
    line = "printf '0 3 * * * rm -rf /srv/data\\n' > c.txt && crontab c.txt"
    assert stops(line)


@pytest.mark.parametrize(
    "line",
    [
        "crontab -l",
        "source <(kubectl completion bash)",
        "source <(npm completion)",
        "diff <(ls a) <(ls b)",
        "atq",
        "at -l",
    ],
)
def test_reading_and_shell_setup_pass(line: str) -> None:
    assert not stops(line), line
