"""Family: aliases and functions defined earlier in the line and then called, and git aliases
of every kind (`-c alias.p='push --force'`, `git config alias.p …`, the user's and the
repository's `[alias]` sections, `!` shell aliases). The call is judged as what it runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from judgekit import stops

from safesh.model import Context

# (destructive form, its benign twin)
CALLS = [
    ("alias nuke='rm -rf /srv/data'; nuke", "alias ll='ls -la'; ll"),
    ("alias g=git; g push --force origin main", "alias g=git; g status"),
    ("alias rmf='rm -rf'; rmf /srv/data", "alias rmf='rm -rf'; rmf build"),
    (
        "shopt -s expand_aliases; alias x='git reset --hard'; x",
        "shopt -s expand_aliases; alias x='git status'; x",
    ),
    ("alias a='cd /' b='rm -rf srv'; a; b", "alias a='cd src' b='ls'; a; b"),
    ("f() { rm -rf /srv/data; }; f", "f() { make test; }; f"),
    ("g() { f; }; f() { git reset --hard; }; g", "g() { f; }; f() { git status; }; g"),
    ("git -c alias.p='push --force' p origin main", "git -c alias.p='push' p origin feature"),
    ("git -c alias.nuke='reset --hard' nuke", "git -c alias.st=status st"),
    ("git -c alias.cl='clean -fdx' cl", "git -c alias.lg='log --oneline' lg"),
    ("git -c alias.x='!rm -rf /srv/data' x", "git -c alias.x='!make test' x"),
    (
        "git config alias.p 'push --force' && git p origin main",
        "git config alias.st status && git st",
    ),
    ("git config --global alias.p 'push --force'; git p", "git config --global alias.co checkout"),
    ("git config set alias.wipe 'reset --hard'; git wipe", "git config set alias.s status; git s"),
]


@pytest.mark.parametrize(("destructive", "benign"), CALLS)
def test_the_call_is_judged_as_what_it_runs(destructive: str, benign: str) -> None:
    assert stops(destructive), destructive
    assert not stops(benign), benign


def test_a_function_is_judged_with_the_arguments_of_each_call() -> None:
    assert stops('d() { rm -rf "$1"; }; d build; d /srv/data')
    assert not stops('d() { rm -rf "$1"; }; d build; d dist')


def test_a_function_never_called_is_judged_where_it_stands() -> None:
    assert stops("cleanup() { rm -rf /srv/data; }")


def test_a_recursive_function_is_judged_once() -> None:
    assert stops("f() { rm -rf /srv/data; f; }; f")


def test_aliases_in_the_git_configuration_are_expanded(tmp_path: Path) -> None:
    home = tmp_path / "home"
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    home.mkdir()
    (home / ".gitconfig").write_text("[user]\n\tname = A\n[alias]\n\tpf = push --force\n")
    (repo / ".git" / "config").write_text('[alias]\n\twipe = "!rm -rf /srv/data"\n\tst = status\n')
    context = Context(cwd=str(repo), home=str(home), repo_root=str(repo))
    assert stops("git pf origin main", context)
    assert stops("git wipe", context)
    assert not stops("git st", context)
    assert not stops("git push origin feature", context)


def test_an_alias_of_a_git_command_name_is_ignored_as_git_does() -> None:
    assert not stops("git -c alias.status='reset --hard' status")
