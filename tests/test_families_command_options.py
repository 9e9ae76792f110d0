"""Family: an option's value (or an operand) that the tool runs as a command line.

`tar --to-command`, `--checkpoint-action=exec=`, `-I`; `zip -TT`; `rsync -e`; `nodemon --exec`;
`npx -c`; an editor's `-c '!CMD'` / `+'!CMD'` / `system("CMD")`; `gdb -ex 'shell CMD'`; Emacs's
`(shell-command "CMD")`; `concurrently 'CMD' …`; git's `rebase --exec`, `bisect run`,
`submodule foreach` and `GIT_SSH_COMMAND`-style variables. The command is judged as a line of
its own; the everyday values of the same options (a compressor, `ssh -p`, `npm test`, an editor
command without a shell escape) pass.
"""

from __future__ import annotations

import pytest
from effects_helpers import STOPPED, explain, judge

RUNS_A_COMMAND = [
    "tar --to-command='rm -rf ~/notes' -xf a.tar",
    "tar -cf /dev/null --checkpoint=1 --checkpoint-action=exec='rm -rf ~/notes' src",
    "tar -I 'sh -c \"rm -rf ~/notes\"' -xf a.tar.zst",
    "zip -T -TT 'rm -rf ~/notes' out.zip src",
    "rsync -e 'sh -c \"rm -rf ~/notes\"' -a src/ host:dst/",
    "nodemon --exec 'rm -rf ~/notes'",
    "npx -c 'git push --force origin main'",
    "vim -c '!rm -rf ~/notes' -c q",
    "vim +'silent !git clean -fdx' +qa",
    "nvim --headless -c 'call system(\"rm -rf ~/notes\")' -c qa",
    "gdb -batch -ex 'shell rm -rf ~/notes'",
    "emacs --batch --eval '(shell-command \"rm -rf ~/notes\")'",
    "concurrently 'rm -rf ~/notes' 'npm run dev'",
    "git rebase --exec 'rm -rf ~/notes' HEAD~3",
    "git rebase -x 'git push -f origin main' main",
    "git bisect run rm -rf ~/notes",
    "git submodule foreach 'git reset --hard'",
    "git submodule foreach --recursive git clean -fdx",
    "GIT_SSH_COMMAND='rm -rf ~/notes' git fetch",
]

EVERYDAY_VALUES = [
    "tar -I zstd -xf a.tar.zst",
    "tar --use-compress-program='pigz -p 4' -cf a.tgz src",
    "rsync -e 'ssh -p 2222' -a src/ host:dst/",
    "nodemon --exec 'python app.py'",
    "npx -c 'eslint src'",
    "vim -c 'set number' README.md",
    "vim +42 src/app.py",
    "gdb -batch -ex run -ex bt ./a.out",
    "emacs --batch --eval '(message \"hi\")'",
    "concurrently 'npm run api' 'npm run web'",
    "git rebase -x 'npm test' main",
    "git bisect run make test",
    "git submodule foreach git pull origin main",
    "GIT_SSH_COMMAND='ssh -i ~/.ssh/deploy_key' git fetch",
    "GIT_EDITOR=true git rebase --continue",
]


@pytest.mark.parametrize("line", RUNS_A_COMMAND)
def test_the_command_in_the_value_is_judged(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision in STOPPED, explain(analysis)


@pytest.mark.parametrize("line", EVERYDAY_VALUES)
def test_everyday_values_pass(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision not in STOPPED, explain(analysis)
