"""Previews: before a human decides on a command that asks or is blocked, safesh shows what it
would destroy, from read-only probes within a small time budget (issue 13).

Every test builds its own repository or directory under pytest's temporary directory and
judges command lines with `safesh check --json` / `safesh -c`; nothing destructive runs."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from previewkit import check_json, commit_file, git, make_repo, user_env
from userkit import safesh

REFUSED = 77


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return user_env(tmp_path)


def digest_tree(root: Path) -> dict[str, str]:
    """Every file under root (the .git directory included) with its hash and mtime."""
    return {
        str(p): f"{hashlib.sha256(p.read_bytes()).hexdigest()}:{p.stat().st_mtime_ns}"
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_reset_hard_names_the_modified_files(repo: Path, env: dict[str, str]) -> None:
    commit_file(repo, "app.py", "v1\n", "first")
    commit_file(repo, "lib/util.py", "v1\n", "second")
    (repo / "app.py").write_text("v2 unsaved work\n")
    (repo / "lib/util.py").write_text("v2\n")
    preview = check_json("git reset --hard", repo, env)["preview"]
    assert preview["count"] == 2
    assert any("app.py" in item for item in preview["items"])
    assert any("lib/util.py" in item for item in preview["items"])
    assert "2 files" in preview["summary"]


def test_rm_rf_of_a_directory_counts_its_files_and_bytes(repo: Path, env: dict[str, str]) -> None:
    commit_file(repo, "README", "r\n", "first")
    for index in range(12):
        (repo / "data" / f"part{index % 3}").mkdir(parents=True, exist_ok=True)
        (repo / "data" / f"part{index % 3}" / f"f{index}.bin").write_bytes(b"x" * 100)
    report = check_json("rm -rf data", repo, env)
    assert report["decision"] == "ask"
    preview = report["preview"]
    assert preview["count"] == 12
    assert "12 files" in preview["summary"]
    assert "1.2 KB" in preview["summary"]
    assert preview["items"] == ["data/  (12 files, 1.2 KB)"]


def test_file_preview_says_which_files_git_tracks_and_what_lies_outside(
    repo: Path, env: dict[str, str], tmp_path: Path
) -> None:
    commit_file(repo, "src/a.py", "a\n", "first")
    commit_file(repo, "src/b.py", "b\n", "second")
    (repo / "src" / "scratch.txt").write_text("untracked\n")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "keep.txt").write_text("k\n")
    summary = check_json(f"rm -rf src {outside}", repo, env)["preview"]["summary"]
    assert "4 files" in summary
    assert "2 files tracked by git" in summary
    assert "1 outside the project" in summary


def test_git_clean_counts_the_untracked_files_it_would_remove(
    repo: Path, env: dict[str, str]
) -> None:
    commit_file(repo, "kept.py", "k\n", "first")
    (repo / "notes.txt").write_text("mine\n")
    (repo / "tmp").mkdir()
    (repo / "tmp" / "a.log").write_text("log\n")
    preview = check_json("git clean -fd", repo, env)["preview"]
    assert preview["count"] == 2
    assert "git clean deletes 2 files" in preview["summary"]
    assert (repo / "notes.txt").exists()  # -n, never -f


def test_find_delete_counts_only_what_the_expression_matches(
    repo: Path, env: dict[str, str]
) -> None:
    commit_file(repo, "a.orig", "a\n", "first")
    (repo / "b.orig").write_text("b\n")
    (repo / "c.py").write_text("c\n")
    summary = check_json("find . -name '*.orig' -delete", repo, env)["preview"]["summary"]
    assert "find deletes 2 files" in summary
    assert "1 file tracked by git" in summary


def test_force_push_lists_the_commits_it_drops(repo: Path, env: dict[str, str]) -> None:
    commit_file(repo, "a", "1\n", "base")
    git(repo, "checkout", "-q", "-b", "teammate")
    commit_file(repo, "b", "2\n", "teammate's fix")
    commit_file(repo, "c", "3\n", "teammate's test")
    git(repo, "update-ref", "refs/remotes/origin/main", "teammate")
    git(repo, "checkout", "-q", "main")
    git(repo, "branch", "-D", "teammate")
    commit_file(repo, "d", "4\n", "my rewrite")
    preview = check_json("git push --force origin main", repo, env)["preview"]
    assert preview["count"] == 2
    text = "\n".join(preview["items"])
    assert "teammate's fix" in text and "teammate's test" in text
    assert "my rewrite" not in text
    assert "as of the last fetch" in preview["summary"]


def test_deleting_a_remote_branch_lists_commits_no_other_ref_keeps(
    repo: Path, env: dict[str, str]
) -> None:
    commit_file(repo, "a", "1\n", "base")
    git(repo, "checkout", "-q", "-b", "gone")
    commit_file(repo, "b", "2\n", "only on the remote")
    git(repo, "update-ref", "refs/remotes/origin/gone", "gone")
    git(repo, "checkout", "-q", "main")
    git(repo, "branch", "-D", "gone")
    preview = check_json("git push origin --delete gone", repo, env)["preview"]
    assert preview["count"] == 1
    assert any("only on the remote" in item for item in preview["items"])


def test_branch_force_delete_lists_its_unmerged_commits(repo: Path, env: dict[str, str]) -> None:
    commit_file(repo, "a", "1\n", "base")
    git(repo, "checkout", "-q", "-b", "feature")
    commit_file(repo, "b", "2\n", "unmerged idea")
    git(repo, "checkout", "-q", "main")
    preview = check_json("git branch -D feature", repo, env)["preview"]
    assert preview["count"] == 1
    assert any("unmerged idea" in item for item in preview["items"])


def test_sqlite_delete_counts_rows_without_writing_the_database(
    tmp_path: Path, env: dict[str, str]
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    database = work / "app.db"
    with sqlite3.connect(database) as conn:
        conn.execute("CREATE TABLE t (x INTEGER)")
        conn.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(42)])
    conn.close()
    before = digest_tree(work)
    preview = check_json("sqlite3 app.db 'DELETE FROM t'", work, env)["preview"]
    assert preview["count"] == 42
    assert "42 rows" in preview["summary"]
    assert digest_tree(work) == before


def test_sqlite_drop_table_counts_the_rows_it_holds(tmp_path: Path, env: dict[str, str]) -> None:
    database = tmp_path / "app.db"
    with sqlite3.connect(database) as conn:
        conn.execute("CREATE TABLE users (name TEXT)")
        conn.executemany("INSERT INTO users VALUES (?)", [("a",), ("b",), ("c",)])
    conn.close()
    preview = check_json("sqlite3 app.db 'DROP TABLE users'", tmp_path, env)["preview"]
    assert preview["count"] == 3


def test_probes_never_write_to_the_repository(repo: Path, env: dict[str, str]) -> None:
    commit_file(repo, "a.py", "1\n", "base")
    git(repo, "checkout", "-q", "-b", "feature")
    commit_file(repo, "b.py", "2\n", "feature")
    git(repo, "checkout", "-q", "main")
    (repo / "a.py").write_text("changed\n")
    (repo / "untracked.txt").write_text("u\n")
    before = digest_tree(repo)
    for line in (
        "git reset --hard",
        "git checkout -- .",
        "git clean -fdx",
        "git branch -D feature",
        "git stash clear",
        "rm -rf .",
    ):
        check_json(line, repo, env)
    assert digest_tree(repo) == before


def test_a_huge_tree_is_cut_short_and_the_preview_says_so(tmp_path: Path) -> None:
    env = user_env(tmp_path, {"preview_budget": "1ms"})
    repo = make_repo(tmp_path / "repo")
    commit_file(repo, "README", "r\n", "base")
    huge = repo / "huge"
    for directory in range(40):
        folder = huge / f"d{directory}"
        folder.mkdir(parents=True)
        for index in range(100):
            (folder / f"f{index}").write_bytes(b"")
    preview = check_json("rm -rf huge", repo, env)["preview"]
    assert preview["cut_short"] is True
    assert "cut short" in preview["summary"]


def test_a_capped_walk_says_its_count_is_a_lower_bound(tmp_path: Path) -> None:
    env = user_env(tmp_path, {"preview_max_files": "50"})
    repo = make_repo(tmp_path / "repo")
    commit_file(repo, "README", "r\n", "base")
    for index in range(120):
        (repo / "data").mkdir(exist_ok=True)
        (repo / "data" / f"f{index}").write_bytes(b"1")
    section = check_json("rm -rf data", repo, env)["preview"]["sections"][0]
    assert section["complete"] is False
    assert "at least" in section["summary"]


def test_network_dry_runs_are_off_by_default(tmp_path: Path, env: dict[str, str]) -> None:
    preview = check_json("terraform destroy", tmp_path, env)["preview"]
    assert "network previews are off" in preview["summary"]
    assert not (tmp_path / "stub-ran").exists()


def test_network_dry_run_runs_the_tools_own_plan_when_turned_on(tmp_path: Path) -> None:
    env = user_env(tmp_path, {"preview_network": "on", "preview_budget": "10s"})
    terraform = tmp_path / "stub-bin" / "terraform"
    plan = "  # aws_s3_bucket.logs will be destroyed\\nPlan: 0 to add, 0 to change, 1 to destroy."
    terraform.write_text(f'#!/bin/sh\necho "$*" >> "{tmp_path}/stub-ran"\nprintf "{plan}\\n"\n')
    preview = check_json("terraform destroy", tmp_path, env)["preview"]
    assert preview["count"] == 1
    assert preview["items"] == ["aws_s3_bucket.logs"]
    assert "plan -destroy" in (tmp_path / "stub-ran").read_text()


def test_kubectl_server_dry_run_lists_what_it_would_delete_when_turned_on(
    tmp_path: Path,
) -> None:
    env = user_env(tmp_path, {"preview_network": "on"})
    kubectl = tmp_path / "stub-bin" / "kubectl"
    kubectl.write_text(
        f'#!/bin/sh\necho "$*" >> "{tmp_path}/stub-ran"\n'
        'printf "deployment.apps/web\\nservice/web\\n"\n'
    )
    preview = check_json("kubectl delete -n shop deploy,svc -l app=web", tmp_path, env)["preview"]
    assert preview["count"] == 2
    assert preview["items"] == ["deployment.apps/web", "service/web"]
    assert "--dry-run=server" in (tmp_path / "stub-ran").read_text()


def test_allowed_lines_get_no_preview(repo: Path, env: dict[str, str]) -> None:
    commit_file(repo, "a", "1\n", "base")
    assert check_json("git status", repo, env)["preview"] is None


def test_the_refusal_an_agent_reads_carries_the_preview(repo: Path, env: dict[str, str]) -> None:
    commit_file(repo, "app.py", "v1\n", "first")
    (repo / "app.py").write_text("unsaved\n")
    result = safesh("-c", "git reset --hard", env=env, cwd=repo)
    assert result.returncode == REFUSED
    assert "preview: git reset --hard discards uncommitted changes to 1 file" in result.stderr
    assert "app.py" in result.stderr
    assert (repo / "app.py").read_text() == "unsaved\n"


def test_the_human_check_report_shows_the_preview(repo: Path, env: dict[str, str]) -> None:
    commit_file(repo, "app.py", "v1\n", "first")
    (repo / "app.py").write_text("unsaved\n")
    result = safesh("check", "--cwd", str(repo), "git checkout -- .", env=env)
    assert "preview: git checkout discards uncommitted changes to 1 file" in result.stdout
    assert "app.py  (+1 -1)" in result.stdout


def test_a_bad_preview_setting_is_a_rules_error(tmp_path: Path) -> None:
    env = user_env(tmp_path, {"preview_budget": "soon"})
    report = check_json("ls", tmp_path, env)
    assert report["decision"] == "ask"
    assert any(f["rule"] == "core.rules-error" for f in report["findings"])
