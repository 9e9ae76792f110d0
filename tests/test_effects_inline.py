"""Interpreter one-liners judged by what they do to which target: Python read with `ast`,
Node, Perl, Ruby, PHP, Lua and awk read by their calls; commands they run are judged as
commands; fork bombs in any language."""

from __future__ import annotations

import pytest
from effects_helpers import STOPPED, explain, judge

from safesh.model import Tier

BLOCK = [
    "python3 -c 'import shutil; shutil.rmtree(\"/\")'",
    "python3 -c \"import shutil, os; shutil.rmtree(os.path.expanduser('~'))\"",
    "python3 -c \"import shutil; shutil.rmtree('/etc')\"",
    "python -c \"import os; os.system('rm -rf /')\"",
    "python3 -c \"import subprocess; subprocess.run(['rm', '-rf', '/home/user'])\"",
    "python3 -c \"import subprocess; subprocess.call('rm -rf ~/*', shell=True)\"",
    'python3 -c "from pathlib import Path; import shutil; shutil.rmtree(Path.home())"',
    "python3 -c \"import shutil as s; s.rmtree('/usr')\"",
    "python3 -c \"from shutil import rmtree; rmtree('/var/lib/postgresql')\"",
    "node -e \"require('fs').rmSync(require('os').homedir(), {recursive: true, force: true})\"",
    "node -e \"require('child_process').execSync('rm -rf /')\"",
    "perl -e 'system(\"rm -rf /\")'",
    "perl -MFile::Path -e 'rmtree(\"/home/bob\")'",
    "ruby -e 'system(\"rm -rf ~\")'",
    "ruby -rfileutils -e 'FileUtils.rm_rf(\"/etc\")'",
    "php -r 'system(\"rm -rf /\");'",
    "lua -e 'os.execute(\"rm -rf /\")'",
    "awk 'BEGIN { system(\"rm -rf /\") }'",
    "python3 -c 'import os\nwhile True:\n    os.fork()'",
    "perl -e 'fork while fork'",
    "ruby -e 'loop { fork }'",
    "python3 - <<'EOF'\nimport shutil\nshutil.rmtree('/')\nEOF",
]

STOP = [
    "python3 -c \"import shutil; shutil.rmtree('src')\"",
    "python3 -c \"import shutil; shutil.rmtree('../other-repo')\"",
    "python3 -c \"import os; os.system('git reset --hard')\"",
    "python3 -c \"import subprocess; subprocess.run('git push --force origin main', shell=True)\"",
    "python3 -c \"import os, glob; [os.remove(p) for p in glob.glob('*')]\"",
    'python3 -c "import sys, shutil; shutil.rmtree(sys.argv[1])" data',
    'python3 -c "exec(input())"',
    "node -e \"require('fs').rmSync('src', {recursive: true})\"",
    "node -e \"require('child_process').execSync('kubectl delete ns staging')\"",
    "node -e \"const {execSync} = require('child_process'); execSync(process.argv[1])\" x",
    "perl -e 'unlink glob \"*\"'",
    "ruby -e 'FileUtils.rm_rf(\"app\")'",
    "php -r 'exec(\"git clean -fdx\");'",
    "awk '{ system(\"rm -rf \" $1) }' dirs.txt",
    "awk '{print | \"sh\"}' cmds.txt",
    "gawk 'BEGIN { while ((\"git push -f\" | getline line) > 0) print line }'",
    "python3 -c \"import os; os.chmod('/etc/shadow', 0o644)\"",
    "Rscript -e 'unlink(\"data\", recursive = TRUE)'",
    "Rscript -e 'system(\"git clean -fdx\")'",
    'perl -e \'system "git", "push", "--force"\'',
    "awk '{ system(\"rm -rf \" $1) }' dirs.txt",
    "ruby -e 'FileUtils.rm_rf(ARGV[0])' -rfileutils src",
]

PASS = [
    "python3 -c 'import shutil; shutil.rmtree(\"build\")'",
    "python3 -c \"import shutil; shutil.rmtree('dist', ignore_errors=True)\"",
    "python3 -c \"import shutil; [shutil.rmtree(d, ignore_errors=True) for d in ['build',"
    " 'dist', '.pytest_cache']]\"",
    'python3 -c "import shutil, glob; [shutil.rmtree(p) for p in'
    " glob.glob('**/__pycache__', recursive=True)]\"",
    "python3 -c \"import os; os.remove('notes.txt')\"",
    "python3 -c \"import os; os.remove('/tmp/app.lock')\"",
    "python3 -c \"import os; os.system('ls -la')\"",
    "python3 -c \"import subprocess; print(subprocess.check_output(['git', 'status']).decode())\"",
    "python3 -c \"import subprocess; subprocess.run('pytest -q', shell=True)\"",
    "python3 -c 'import json,sys; print(json.load(sys.stdin)[\"version\"])' < package.json",
    "python3 -c \"print('rm -rf /')\"",
    "python3 -c \"open('out.txt','w').write('x')\"",
    "python3 -c \"import sqlite3; c = sqlite3.connect('app.db'); c.execute('select 1')\"",
    "node -e \"require('fs').rmSync('dist', {recursive: true, force: true})\"",
    "node -e \"require('fs').rmSync('node_modules/.cache', {recursive: true, force: true})\"",
    "node -e \"console.log(require('./package.json').version)\"",
    "node -e \"require('child_process').execSync('npm run build', {stdio: 'inherit'})\"",
    "perl -pi -e 's/foo/bar/' src/app.pl",
    "perl -ne 'print if /ERROR/' app.log",
    "ruby -e 'puts RUBY_VERSION'",
    "ruby -e 'FileUtils.rm_rf(\"coverage\")' -rfileutils",
    "php -r 'echo PHP_VERSION;'",
    "lua -e 'print(1+1)'",
    "python3 -c \"import os; [os.remove(f) for f in os.listdir('.') if f.endswith('.pyc')]\"",
    "ruby -rfileutils -e 'FileUtils.mkdir_p(\"tmp/pids\")'",
    "node -e \"require('child_process').execSync('git status', {stdio: 'inherit'})\"",
    "Rscript -e 'print(sessionInfo())'",
    "Rscript -e 'unlink(\"_site\", recursive = TRUE)' -e 'x <- 1'",
    "awk '{print $1}' access.log",
    "awk -F, '{ s += $3 } END { print s }' data.csv",
    "awk 'BEGIN { system(\"date\") }'",
    "awk '{ print > \"out/\" $1 }' data.txt",
    "sqlite3 -csv app.db 'select * from users'",
    "sqlite3 -header -csv app.db 'select count(*) from t' > counts.csv",
]


@pytest.mark.parametrize("line", BLOCK)
def test_inline_code_reaching_a_catastrophic_target_is_blocked(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision is Tier.BLOCK, explain(analysis)


@pytest.mark.parametrize("line", STOP)
def test_inline_code_deleting_project_files_or_running_destructive_commands_stops(
    line: str,
) -> None:
    analysis = judge(line)
    assert analysis.decision in STOPPED, explain(analysis)


@pytest.mark.parametrize("line", PASS)
def test_inline_code_cleaning_build_output_or_only_reading_passes(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision not in STOPPED, explain(analysis)


def test_a_command_run_by_inline_code_names_the_interpreter_it_came_through() -> None:
    analysis = judge("python3 -c \"import os; os.system('git reset --hard')\"")
    finding = next(f for f in analysis.findings if f.rule_id == "git.reset-hard")
    assert finding.command is not None
    assert "python3 runs" in finding.command.via
