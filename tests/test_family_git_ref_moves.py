"""Family: git commands that move, overwrite or delete a ref by force (`git branch -f NAME
START`, `-M`/`-C` onto another branch, `git switch -C NAME START`, `git checkout -B NAME START`,
`git update-ref REF REV`, `git symbolic-ref -d HEAD`, `git tag -f`, a forced delete however its
options are spelled) and the settings that make gc expire everything at once. Each asks, as
`git branch -D` does: the commits drop off the branch and live on only in the reflog. Creating a
branch, renaming the current one (`git branch -M main`) and the create-or-switch idiom without
a start point pass.
"""

from __future__ import annotations

import pytest
from judgekit import decide, stops

from safesh.model import Tier

BRANCH_MOVES = [
    "git branch -f main HEAD~3",
    "git branch -f feature origin/main",
    "git branch --force feature v1.0",
    "git branch -f main abc1234",
    "git branch feature -f origin/feature",
    "git branch -f --track feature origin/feature",
    "git branch -M old new",
    "git branch -M feature/login main",
    "git branch --move --force old new",
    "git branch --force --move old new",
    "git branch -m -f old new",
    "git branch -f -m old new",
    "git branch -mf old new",
    "git branch -fm old new",
    "git branch -m --force old new",
    "git branch -C main backup",
    "git branch --copy --force main backup",
    "git branch -c -f main backup",
    "git branch -cf main backup",
    "git switch -C main origin/main",
    "git switch -C main HEAD~2",
    "git switch --force-create main origin/main",
    "git switch --force-create=main origin/main",
    "git switch -fC feature HEAD~1",
    "git switch -f -C feature HEAD~1",
    "git switch --discard-changes -C feature HEAD~1",
    "git switch -q -C release v1.2.0",
    "git checkout -B main origin/main",
    "git checkout -B main --track origin/main",
    "git checkout -q -B release v1.2.0",
    "git checkout -fB main origin/main",
    "git checkout --force -B main origin/main",
    'git checkout -B"main" origin/main',
    "git switch -C main -- origin/main",
    "git worktree add -B main ../wt origin/main",
    "git worktree add -f -B main ../wt HEAD~1",
]

WRAPPED = [
    "sudo git branch -f main HEAD~3",
    "sudo -u deploy git checkout -B main origin/main",
    "env GIT_DIR=.git git branch -f main HEAD~3",
    "timeout 30 git switch -C main origin/main",
    "nice git branch -M old new",
    "command git branch -f main HEAD~3",
    "/usr/bin/git branch -f main HEAD~3",
    "git -C repo branch -f main HEAD~1",
    "git -c core.hooksPath=/dev/null checkout -B main origin/main",
    "git --git-dir=.git --work-tree=. branch -f main HEAD~1",
    "git fetch origin && git checkout -B main origin/main",
    "cd repo && git branch -f main origin/main",
    "bash -c 'git branch -f main HEAD~3'",
    "echo main | xargs -I{} git branch -f {} origin/main",
]

FORCED_DELETES = [
    "git branch -D feature",
    "git branch -Dr origin/feature",
    "git branch --delete --force old",
    "git branch --force --delete old",
    "git branch -d -f wip",
    "git branch -df wip",
    "git branch -fd wip",
    "git branch --delete -f wip",
    "git branch -f --delete wip",
    "git branch -d --force wip",
    "git branch --force -d wip",
    "git branch -D feature-a feature-b",
]

REF_SURGERY = [
    "git update-ref refs/heads/main HEAD~3",
    "git update-ref refs/heads/main abc1234",
    "git update-ref refs/heads/main abc1234 def5678",
    "git update-ref HEAD HEAD~5",
    "git update-ref --no-deref HEAD HEAD~1",
    "git update-ref -m 'reset' refs/heads/main HEAD~1",
    "git update-ref refs/tags/v1.0 abc1234",
    "git update-ref refs/stash HEAD",
    "git update-ref --stdin",
    "git update-ref -z --stdin",
    "git update-ref refs/heads/main HEAD~3 && git reset --hard main",
    "git config alias.reset-main 'checkout -B main origin/main' && git reset-main",
    "git update-ref -d refs/heads/feature",
    "git update-ref -d HEAD",
    "git symbolic-ref -d HEAD",
    "git symbolic-ref --delete HEAD",
    "git symbolic-ref -q -d HEAD",
]

TAG_MOVES = [
    "git tag -f v1.0",
    "git tag -f v1.0 HEAD~1",
    "git tag --force v1.0 abc123",
    "git tag -fa v1.0 -m 'release'",
    "git tag -a -f -m 'release' v2.0 main",
    "git tag -s -f v1.0",
    "git tag v1.0 -f",
]

EXPIRING = [
    "git gc --prune=now",
    "git gc --prune=all",
    "git gc --prune=0",
    "git gc --aggressive --prune=now",
    "git gc --prune=1.second.ago",
    "git reflog expire --expire=now --all",
    "git reflog expire --expire-unreachable=now --all",
    "git reflog expire --all --expire=all",
    "git reflog expire --expire=now --all && git gc --prune=now",
    "git -c gc.reflogExpire=now -c gc.pruneExpire=now gc",
    "git -c gc.pruneExpire=now gc",
    "git -c gc.reflogExpireUnreachable=0 gc --aggressive",
    "git -c GC.PruneExpire=now gc",
    "git config gc.pruneExpire now",
    "git config --global gc.reflogExpire 0",
    "git config --local gc.reflogExpireUnreachable now",
    "git config set gc.reflogExpireUnreachable now",
    "git stash clear",
    "git stash drop",
    "git stash drop -q stash@{2}",
    "git worktree remove --force ../wt",
    "git worktree remove -f -f ../wt",
]

EVERYDAY = [
    "git branch feat",
    "git branch feature/login a1b2c3d",
    "git branch feat origin/main",
    "git branch --track feat origin/feat",
    "git branch -a",
    "git branch -a -v",
    "git branch -vv",
    "git branch -r",
    "git branch --list 'feat*'",
    "git branch --show-current",
    "git branch --contains HEAD",
    "git branch --merged main",
    "git branch -u origin/main",
    "git branch --set-upstream-to=origin/main feat",
    "git branch -d merged",
    "git branch --delete merged",
    "git branch -m old new",
    "git branch --move old new",
    "git branch -m feature/login feature/signup",
    "git branch -M main",
    "git branch -c main backup",
    "git branch -f feat",
    "git switch feat",
    "git switch -c feat",
    "git switch -cfeature",
    "git switch --create feat",
    "git switch -c feat origin/main",
    "git switch -C feat",
    "git switch -Cfixup",
    "git switch --detach v1.2.0",
    "git switch -",
    "git checkout main",
    "git checkout -b feat",
    "git checkout -b feat origin/main",
    "git checkout -B feat",
    "git checkout -Bnew-branch",
    "git checkout --track origin/feat",
    "git worktree add -b feat ../wt",
    "git worktree add -b feat ../wt origin/main",
    "git worktree add -B feat ../wt",
    "git switch --force-create feat",
    "git tag v1.0",
    "git tag v1.2.0 a1b2c3d",
    "git tag -a v1.0 -m 'release'",
    "git tag -s v1.0 -m 'release'",
    "git tag -l",
    "git tag --list 'v1.*'",
    "git tag --contains HEAD",
    "git tag -v v1.0",
    "git update-ref refs/remotes/origin/main HEAD",
    "git update-ref refs/heads/new HEAD 0000000000000000000000000000000000000000",
    "git symbolic-ref HEAD",
    "git symbolic-ref --short HEAD",
    "git symbolic-ref -q --short refs/remotes/origin/HEAD",
    "git symbolic-ref HEAD refs/heads/main",
    "git symbolic-ref -d refs/remotes/origin/HEAD",
    "git show-ref --heads",
    "git for-each-ref refs/heads",
    "git gc",
    "git gc --aggressive",
    "git gc --auto",
    "git gc --prune",
    "git gc --no-prune",
    "git gc --prune=2.weeks.ago",
    "git -c gc.auto=0 gc",
    "git config gc.auto 0",
    "git config gc.reflogExpire 90.days",
    "git config --get gc.pruneExpire",
    "git reflog",
    "git reflog show feat",
    "git stash",
    "git stash list",
    "git stash pop",
    "git stash show -p",
    "git worktree remove ../wt",
    "git worktree prune",
    "git log --oneline main..feat",
    "git commit -m 'git branch -f main HEAD~3'",
    "echo 'git checkout -B main origin/main'",
    "grep -r 'update-ref' docs/",
]


@pytest.mark.parametrize("line", BRANCH_MOVES + WRAPPED)
def test_moving_an_existing_branch_to_another_commit_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", FORCED_DELETES)
def test_a_forced_branch_delete_asks_however_its_options_are_spelled(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", REF_SURGERY)
def test_setting_or_deleting_a_ref_by_hand_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", TAG_MOVES)
def test_moving_a_tag_by_force_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", EXPIRING)
def test_expiring_the_reflog_or_unreachable_objects_now_asks(line: str) -> None:
    assert stops(line), line


@pytest.mark.parametrize("line", EVERYDAY)
def test_creating_listing_and_renaming_branches_passes(line: str) -> None:
    assert not stops(line), line


def test_a_branch_move_asks_and_is_not_blocked() -> None:
    """Judged as `git branch -D` is: a human may well mean it."""
    assert decide("git branch -f main HEAD~3") == decide("git branch -D main") == Tier.ASK
