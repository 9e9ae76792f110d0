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
from safesh.model import Context, Tier
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


# -- an editor, a shell or a console that another program's subcommand starts ----------------

# (a line that opens something reading typed input, the same tool told what to do instead)
OPENED = [
    ("git commit", "git commit -m 'fix: parser'"),
    ("git commit -a", "git commit -am 'wip'"),
    ("git commit --amend", "git commit --amend --no-edit"),
    ("git commit -v", "git commit -F msg.txt"),
    ("git commit -e -m draft", "git commit -m draft"),
    ("git commit -p -m x", "git commit -C HEAD"),
    ("git -C repo commit", "git -C repo commit -m x"),
    ("git rebase -i HEAD~3", "git rebase main"),
    ("git rebase --interactive main", "git rebase --onto main a b"),
    ("git rebase --continue", "GIT_EDITOR=true git rebase --continue"),
    ("git merge --edit feature", "git merge feature"),
    ("git merge --continue", "git merge --abort"),
    ("git pull -e", "git pull --rebase"),
    ("git revert -e HEAD", "git revert --no-edit HEAD"),
    ("git cherry-pick -e abc123", "git cherry-pick --continue"),
    ("git tag -a v1.0", "git tag -a v1.0 -m 'release 1.0'"),
    ("git tag -s v1.0", "git tag -am 'release' v1.0"),
    ("git notes add", "git notes add -m 'reviewed'"),
    ("git add -p", "git add -A"),
    ("git add -i", "git add src/"),
    ("git checkout -p", "git checkout -b feature"),
    ("git restore -p src/", "git restore --staged src/"),
    ("git stash -p", "git stash push -m wip"),
    ("git clean -i", "git clean -n"),
    ("git config --edit", "git config user.name Ann"),
    ("git mergetool", "git diff --name-only --diff-filter=U"),
    ("kubectl edit deploy/api", "kubectl get deploy/api -o yaml"),
    ("kubectl -n prod edit cm/settings", "kubectl -n prod get cm/settings"),
    ("kubectl run -it dbg --image=busybox", "kubectl run -it dbg --image=busybox -- ls /"),
    ("kubectl debug -it node/n1 --image=busybox",
     "kubectl debug node/n1 -it --image=busybox -- ls"),
    ("kubectl attach -it api-0", "kubectl attach api-0"),
    ("oc rsh api-0", "oc rsh api-0 ls /"),
    ("oc debug node/n1", "oc debug node/n1 -- chroot /host ls"),
    ("visudo", "visudo -c"),
    ("vipw", "getent passwd"),
    ("sudoedit /etc/hosts", "cat /etc/hosts"),
    ("systemctl edit nginx", "systemctl cat nginx"),
    ("virsh edit vm1", "virsh dumpxml vm1"),
    ("virsh", "virsh list --all"),
    ("heroku config:edit", "heroku config"),
    ("heroku pg:psql", "heroku pg:psql -c 'select 1'"),
    ("fc", "fc -l"),
    ("chroot /mnt", "chroot /mnt ls /"),
    ("nsenter -t 1 -a", "nsenter -t 1 -m -- ls"),
    ("unshare -r", "unshare -r id"),
    ("runuser -l bob", "runuser -u bob -- id"),
    ("newgrp docker", "id -Gn"),
    ("run0", "run0 ls /root"),
    ("systemd-run --shell", "systemd-run --user make"),
    ("machinectl shell c1", "machinectl shell c1 /bin/ls"),
    ("nix-shell", "nix-shell --run make"),
    ("nix develop", "nix develop -c make"),
    ("nix repl", "nix build"),
    ("poetry shell", "poetry run pytest"),
    ("pipenv shell", "pipenv run pytest"),
    ("vagrant ssh", "vagrant ssh -c uptime"),
    ("lxc shell c1", "lxc exec c1 -- ls"),
    ("multipass shell", "multipass exec vm -- ls"),
    ("distrobox enter", "distrobox enter -- ls"),
    ("gcloud compute ssh vm1", "gcloud compute ssh vm1 --command=uptime"),
    ("gcloud beta compute ssh vm1", "gcloud compute instances list"),
    ("aws ssm start-session --target i-1",
     "aws ssm start-session --target i-1 --document-name AWS-StartPortForwardingSession"),
    ("fly ssh console", "fly ssh console -C 'ls /'"),
    ("rails console", "rails db:migrate:status"),
    ("bundle exec rails c", "bundle exec rails runner 'puts 1'"),
    ("python3 manage.py shell", "python3 manage.py shell -c 'print(1)'"),
    ("python3 manage.py dbshell", "python3 manage.py check"),
    ("php artisan tinker", "php artisan route:list"),
    ("flask shell", "flask routes"),
    ("cockroach sql", "cockroach sql -e 'select 1'"),
    ("deno", "deno run main.ts"),
    ("ts-node", "ts-node script.ts"),
    ("R", "Rscript analysis.R"),
    ("octave", "octave --eval '1+1'"),
    ("sftp deploy@web1", "sftp -b batch.txt deploy@web1"),
    ("lftp ftp.example.com", "lftp -c 'mirror /pub out'"),
    ("smbclient //fs/share", "smbclient //fs/share -c 'ls'"),
    ("mc", "ls -la"),
    ("docker run -it ubuntu", "docker run --rm ubuntu echo hi"),
    ("docker run --rm -ti -v $PWD:/w node:20", "docker run --rm -v $PWD:/w -w /w node:20 npm test"),
    ("podman run -it fedora", "podman run -d -it fedora"),
    ("docker container run -i alpine", "docker run -i alpine cat"),
    ("docker compose run web", "docker compose run --rm web npm test"),
    ("docker attach web", "docker logs web"),
    ("docker start -ai web", "docker start web"),
]  # fmt: skip


@pytest.mark.parametrize(("opens", "told"), OPENED)
def test_a_subcommand_opening_an_editor_shell_or_console_asks_and_told_what_to_do_does_not(
    opens: str, told: str
) -> None:
    assert "core.live-input" in _rules(opens), opens
    assert "core.live-input" not in _rules(told), told


def _rules(line: str, context: Context = LIVE) -> set[str]:
    return {f.rule_id for f in analyze(line, context, RULES).findings}


# An editor that reads nothing, chosen in the line or in the agent's environment.
PINNED = [
    "GIT_EDITOR=true git commit",
    "GIT_EDITOR=: git commit --amend",
    "git -c core.editor=true commit",
    "env GIT_EDITOR=true git tag -a v1",
    "GIT_SEQUENCE_EDITOR=\"sed -i 's/^pick/squash/'\" git rebase -i HEAD~3",
    "EDITOR=true git commit",
    "KUBE_EDITOR=cat kubectl edit deploy/api",
    "EDITOR=/bin/true visudo",
]


@pytest.mark.parametrize("line", PINNED)
def test_an_editor_that_reads_nothing_opens_nothing_to_type_into(line: str) -> None:
    assert "core.live-input" not in _rules(line), line


@pytest.mark.parametrize(
    ("env", "line"),
    [({"GIT_EDITOR": "true"}, "git commit"), ({"EDITOR": "cat"}, "git commit --amend"),
     ({"KUBE_EDITOR": "true"}, "kubectl edit deploy/api")],
)  # fmt: skip
def test_an_editor_pinned_in_the_agents_environment_counts(env: dict[str, str], line: str) -> None:
    context = replace(LIVE, env=tuple(env.items()))
    assert "core.live-input" not in _rules(line, context), line


def test_an_interactive_editor_in_the_environment_still_opens() -> None:
    context = replace(LIVE, env=(("GIT_EDITOR", "vim"),))
    assert "core.live-input" in _rules("git commit", context)


def test_the_sequence_editor_of_rebase_is_its_own() -> None:
    # GIT_SEQUENCE_EDITOR takes the todo list; the message editor still opens for --continue
    assert "core.live-input" not in _rules("GIT_SEQUENCE_EDITOR=true git rebase -i main")
    assert "core.live-input" in _rules("GIT_SEQUENCE_EDITOR=true git rebase --continue")


# -- inline code that runs what it reads from its input ---------------------------------------

# (inline code evaluating what is typed, inline code only reading or transforming its input)
INLINE = [
    ("node -e 'eval(require(\"fs\").readFileSync(0,\"utf8\"))'",
     "node -e 'console.log(require(\"fs\").readFileSync(0,\"utf8\").length)'"),
    ("node -e 'require(\"repl\").start()'", "node -e 'process.stdin.pipe(process.stdout)'"),
    ("perl -e 'eval <STDIN>'", "perl -e 'print scalar <STDIN>'"),
    ("perl -ne 'eval'", "perl -ne 'print if /x/'"),
    ("perl -e 'while (<>) { system $_ }'", "perl -pe 's/a/b/'"),
    ("python3 -c 'import sys; exec(sys.stdin.read())'",
     "python3 -c 'import sys; print(sys.stdin.read().upper())'"),
    ("python3 -c 'import code; code.interact()'",
     "python3 -c 'import json,sys; print(json.load(sys.stdin))'"),
    ("python3 -c 'import os; os.system(input())'", "python3 -c 'print(input())'"),
    ("python3 -c 'import pty; pty.spawn(\"/bin/sh\")'",
     "python3 -c 'import os; print(os.getcwd())'"),
    ("ruby -e 'eval STDIN.read'", "ruby -e 'puts STDIN.read.size'"),
    ("ruby -ne 'system $_'", "ruby -ne 'puts $_.upcase'"),
    ("ruby -e 'binding.irb'", "ruby -e 'puts 1'"),
    ("php -r 'eval(fgets(STDIN));'", "php -r 'echo strtoupper(fgets(STDIN));'"),
]  # fmt: skip


@pytest.mark.parametrize(("evaluates", "reads"), INLINE)
def test_inline_code_that_runs_its_typed_input_asks_and_code_that_only_reads_it_does_not(
    evaluates: str, reads: str
) -> None:
    assert "core.live-input" in _rules(evaluates), evaluates
    assert "core.live-input" not in _rules(reads), reads


@pytest.mark.parametrize(
    "line",
    ["perl -e 'eval <STDIN>' < script.pl", "echo 'print 1' | perl -e 'eval <STDIN>'",
     "python3 -c 'import sys; exec(sys.stdin.read())' <<'EOF'\nprint(1)\nEOF"],
)  # fmt: skip
def test_inline_code_given_its_input_in_the_line_reads_nothing_typed(line: str) -> None:
    assert "core.live-input" not in _rules(line), line


# -- a pipe from a program that passes on what is typed ----------------------------------------


@pytest.mark.parametrize(
    ("typed", "given"),
    [("cat | python3", "cat setup.py | python3"), ("cat - | sh", "cat a.sh b.sh | sh"),
     ("tee | python3", "tee out.txt < in.py | python3"),
     ("head -c 4096 | bash", "head -n 5 f | bash"),
     ("cat | psql app", "cat < schema.sql | psql app")],
)  # fmt: skip
def test_a_pipe_from_a_program_passing_on_typed_input_is_typed_input(
    typed: str, given: str
) -> None:
    assert "core.live-input" in _rules(typed), typed
    assert "core.live-input" not in _rules(given), given


# -- less's start-up commands: judged for every caller -----------------------------------------


@pytest.mark.parametrize(
    "line",
    ["less '+!rm -rf ~' app.log", "less '++!rm -rf ~' a b", "git diff | less '+!rm -rf ~'",
     "LESS='-R +!rm -rf ~' less app.log", "export LESS='+!rm -rf ~'; git log",
     "LESS='+!rm -rf ~' man ls"],
)  # fmt: skip
def test_a_pagers_start_up_shell_command_is_judged_as_a_command(line: str) -> None:
    assert decide(line) is Tier.BLOCK, line


@pytest.mark.parametrize(
    "line", ["less +G app.log", "less +/error app.log", "LESS=-FRX git log", "less -R app.log"]
)
def test_a_pagers_ordinary_start_up_options_run_nothing(line: str) -> None:
    assert not stops(line), line


def test_the_opener_vocabulary_is_indexed_by_name() -> None:
    # live_input loads live_openers only for a line naming one of OPENER_PROGRAMS
    from safesh.unwrap import live_input, live_openers

    assert live_openers.PROGRAMS == live_input.OPENER_PROGRAMS
    assert not live_openers.PROGRAMS & (set(live_input.CONSOLES) | set(live_input._SPECIAL))


@pytest.mark.parametrize(
    "line",
    ["bash -c 'cat | python3' < script.py", "bash -c 'cat < script.py | python3'",
     "echo 'print(1)' | cat | python3", "cat script.py - | python3 < /dev/null"],
)  # fmt: skip
def test_a_pass_through_fed_by_the_line_passes_on_nothing_typed(line: str) -> None:
    assert "core.live-input" not in _rules(line), line
