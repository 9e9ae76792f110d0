"""Undo: before a destructive local command runs because a human approved it, safesh keeps a
snapshot of what it destroys, and `safesh undo ID` puts it back (issue 13).

The round trips go through the real entry points: `safesh -c` refuses with a request id,
`safesh approve ID`, the identical re-run runs, `safesh undo ID` restores. The real `rm` runs
only inside pytest's temporary directory under /tmp; other destructive programs are stubs."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest
from human_terminal import in_a_terminal, needs_human_session
from previewkit import commit_file, git, make_repo, tree_bytes, user_env
from userkit import safesh

REFUSED = 77

# The team keeps release artefacts in build/, so deleting it asks here (by default it is
# regenerable build output and runs).
KEEP_BUILD = """
[[rule]]
id = "team.keep-build"
reason = "build/ holds the signed release artefacts in this project."
tier = "ask"
command = ["rm"]
args_any = ["build"]
match = ["rm -rf build"]
"""


# Approving is a human's act in a terminal of their own (safesh/agents/session.py).
pytestmark = needs_human_session


def approve_as_human(approval_id: str, env: dict[str, str]) -> Any:
    import sys

    return in_a_terminal([sys.executable, "-m", "safesh", "approve", approval_id], env)


@pytest.fixture(autouse=True)
def _under_tmp(tmp_path: Path) -> None:
    # The real rm runs in these tests: only ever inside a temporary directory under /tmp.
    assert str(tmp_path.resolve()).startswith("/tmp/")


def approve_and_rerun(line: str, cwd: Path, env: dict[str, str]) -> tuple[str, dict[str, Any], Any]:
    """Refused with a request id -> `safesh approve ID` -> the identical re-run runs.
    Returns (request id, the request as `safesh approvals --json` showed it, the re-run)."""
    first = safesh("-c", line, env=env, cwd=cwd)
    assert first.returncode == REFUSED, first.stderr
    pending = json.loads(safesh("approvals", "--json", env=env).stdout)
    assert [p["command"] for p in pending] == [line]
    request = pending[0]
    assert request["id"] in first.stderr
    assert approve_as_human(request["id"], env).returncode == 0
    second = safesh("-c", line, env=env, cwd=cwd)
    assert second.returncode == 0, second.stderr
    return request["id"], request, second


def snapshot_id(stderr: str) -> str:
    for line in stderr.splitlines():
        if line.startswith("safesh: snapshot "):
            return line.split()[2]
    raise AssertionError(f"no snapshot in: {stderr}")


def worktree_bytes(repo: Path) -> dict[str, bytes]:
    return {k: v for k, v in tree_bytes(repo).items() if not k.startswith(".git/")}


def modes(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): stat.S_IMODE(p.lstat().st_mode) for p in root.rglob("*")}


def make_build(project: Path) -> Path:
    build = project / "build"
    (build / "lib" / "deep").mkdir(parents=True)
    (build / "app.bin").write_bytes(bytes(range(256)) * 40)
    (build / "lib" / "deep" / "data.json").write_text('{"a": 1}\n')
    tool = build / "run.sh"
    tool.write_text("#!/bin/sh\necho hi\n")
    tool.chmod(0o750)
    (build / "latest").symlink_to("app.bin")
    return build


def project_with_build(tmp_path: Path) -> Path:
    """A project directory holding `make_build`'s build/."""
    project = tmp_path / "project"
    project.mkdir()
    make_build(project)
    return project


def test_approved_rm_rf_build_is_undone_byte_for_byte(tmp_path: Path) -> None:
    env = user_env(tmp_path, rules=KEEP_BUILD)
    project = project_with_build(tmp_path)
    build = project / "build"
    before, before_modes = tree_bytes(build), modes(build)
    _, request, rerun = approve_and_rerun("rm -rf build", project, env)
    assert request["preview"]["count"] == 4  # three files and a symbolic link
    assert "a snapshot is kept if it runs" in json.dumps(request["preview"])
    assert not build.exists()
    kept = snapshot_id(rerun.stderr)
    listed = json.loads(safesh("snapshots", "--json", env=env).stdout)
    assert [s["id"] for s in listed] == [kept]
    result = safesh("undo", kept, env=env)
    assert result.returncode == 0, result.stderr
    assert tree_bytes(build) == before
    assert modes(build) == before_modes
    assert os.readlink(build / "latest") == "app.bin"


def test_undo_refuses_to_overwrite_what_changed_since(tmp_path: Path) -> None:
    env = user_env(tmp_path, rules=KEEP_BUILD)
    project = project_with_build(tmp_path)
    _, _, rerun = approve_and_rerun("rm -rf build", project, env)
    (project / "build").mkdir()
    (project / "build" / "new.txt").write_text("written after the delete\n")
    result = safesh("undo", snapshot_id(rerun.stderr), env=env)
    assert result.returncode != 0
    assert "exists again" in result.stderr
    assert tree_bytes(project / "build") == {"new.txt": b"written after the delete\n"}


def test_a_snapshot_is_restored_once(tmp_path: Path) -> None:
    env = user_env(tmp_path, rules=KEEP_BUILD)
    project = project_with_build(tmp_path)
    _, _, rerun = approve_and_rerun("rm -rf build", project, env)
    kept = snapshot_id(rerun.stderr)
    assert safesh("undo", kept, env=env).returncode == 0
    again = safesh("undo", kept, env=env)
    assert again.returncode != 0
    assert "already restored" in again.stderr


def test_approved_git_reset_hard_is_undone(tmp_path: Path) -> None:
    env = user_env(tmp_path)
    repo = make_repo(tmp_path / "repo")
    commit_file(repo, "app.py", "v1\n", "first")
    commit_file(repo, "lib.py", "lib v1\n", "second")
    (repo / "app.py").write_text("v2: an afternoon of work\n")
    (repo / "lib.py").write_text("lib v2 staged\n")
    git(repo, "add", "lib.py")
    (repo / "new.py").write_text("new file, staged\n")
    git(repo, "add", "new.py")
    before = worktree_bytes(repo)
    staged_before = git(repo, "diff", "--cached", "--name-only")
    _, request, rerun = approve_and_rerun("git reset --hard", repo, env)
    assert any("app.py" in item for item in request["preview"]["items"])
    assert (repo / "app.py").read_text() == "v1\n"
    assert not (repo / "new.py").exists()
    result = safesh("undo", snapshot_id(rerun.stderr), env=env)
    assert result.returncode == 0, result.stderr
    assert worktree_bytes(repo) == before
    assert git(repo, "diff", "--cached", "--name-only") == staged_before


def test_approved_git_reset_hard_to_an_older_commit_is_undone(tmp_path: Path) -> None:
    env = user_env(tmp_path)
    repo = make_repo(tmp_path / "repo")
    commit_file(repo, "a.txt", "1\n", "one")
    head = commit_file(repo, "a.txt", "2\n", "two")
    (repo / "a.txt").write_text("3 uncommitted\n")
    _, request, rerun = approve_and_rerun("git reset --hard HEAD~1", repo, env)
    assert any("two" in item for item in request["preview"]["items"])
    assert git(repo, "rev-parse", "HEAD").strip() != head
    result = safesh("undo", snapshot_id(rerun.stderr), env=env)
    assert result.returncode == 0, result.stderr
    assert git(repo, "rev-parse", "HEAD").strip() == head
    assert (repo / "a.txt").read_text() == "3 uncommitted\n"


def test_approved_git_branch_force_delete_is_undone(tmp_path: Path) -> None:
    env = user_env(tmp_path)
    repo = make_repo(tmp_path / "repo")
    commit_file(repo, "a", "1\n", "base")
    git(repo, "checkout", "-q", "-b", "feature")
    tip = commit_file(repo, "b", "2\n", "unmerged idea")
    git(repo, "checkout", "-q", "main")
    _, _, rerun = approve_and_rerun("git branch -D feature", repo, env)
    assert "feature" not in git(repo, "branch", "--list")
    result = safesh("undo", snapshot_id(rerun.stderr), env=env)
    assert result.returncode == 0, result.stderr
    assert git(repo, "rev-parse", "refs/heads/feature").strip() == tip


def test_undo_of_a_branch_refuses_when_the_name_is_taken_again(tmp_path: Path) -> None:
    env = user_env(tmp_path)
    repo = make_repo(tmp_path / "repo")
    base = commit_file(repo, "a", "1\n", "base")
    git(repo, "checkout", "-q", "-b", "feature")
    commit_file(repo, "b", "2\n", "unmerged idea")
    git(repo, "checkout", "-q", "main")
    _, _, rerun = approve_and_rerun("git branch -D feature", repo, env)
    git(repo, "branch", "feature", base)
    result = safesh("undo", snapshot_id(rerun.stderr), env=env)
    assert result.returncode != 0
    assert git(repo, "rev-parse", "refs/heads/feature").strip() == base


def test_a_snapshot_over_the_budget_is_announced_before_anyone_decides(tmp_path: Path) -> None:
    env = user_env(tmp_path, {"snapshot_budget": "1KB"}, rules=KEEP_BUILD)
    project = project_with_build(tmp_path)
    first = safesh("-c", "rm -rf build", env=env, cwd=project)
    assert first.returncode == REFUSED
    assert "undo: no snapshot:" in first.stderr
    assert "over the snapshot budget" in first.stderr
    assert (project / "build").exists()


def test_old_snapshots_expire_and_the_budget_drops_the_oldest(tmp_path: Path) -> None:
    env = user_env(tmp_path, {"snapshot_budget": "15KB", "snapshot_retention": "1d"}, KEEP_BUILD)
    expired = tmp_path / "state" / "safesh" / "snapshots" / "expired1"
    expired.mkdir(parents=True)
    (expired / "manifest.json").write_text(
        json.dumps({"id": "expired1", "command": "rm x", "cwd": "/", "created": 1.0, "size": 1})
    )
    ids = []
    for name in ("one", "two"):
        project = tmp_path / name
        project.mkdir()
        make_build(project)  # about 10 KB: two do not fit in 15 KB
        _, _, rerun = approve_and_rerun("rm -rf build", project, env)
        ids.append(snapshot_id(rerun.stderr))
    listed = [s["id"] for s in json.loads(safesh("snapshots", "--json", env=env).stdout)]
    assert listed == [ids[1]]
    assert not expired.exists()


def test_the_audit_record_names_the_preview_and_the_snapshot(tmp_path: Path) -> None:
    env = user_env(tmp_path, rules=KEEP_BUILD)
    project = project_with_build(tmp_path)
    _, _, rerun = approve_and_rerun("rm -rf build", project, env)
    log = safesh("log", "--json", env=env).stdout.splitlines()
    notes = [json.loads(line).get("note") or "" for line in log]
    assert any(note.startswith("preview: rm deletes 4 files") for note in notes)
    assert any(f"snapshot {snapshot_id(rerun.stderr)}" in note for note in notes)


def test_approvals_list_shows_the_preview(tmp_path: Path) -> None:
    env = user_env(tmp_path, rules=KEEP_BUILD)
    project = project_with_build(tmp_path)
    assert safesh("-c", "rm -rf build", env=env, cwd=project).returncode == REFUSED
    listing = safesh("approvals", env=env).stdout
    assert "preview: rm deletes 4 files" in listing
    assert "build/  (4 files" in listing


def test_a_store_from_before_previews_is_upgraded_in_place(tmp_path: Path) -> None:
    env = user_env(tmp_path)
    state = tmp_path / "state" / "safesh"
    state.mkdir(parents=True)
    from safesh.store.connection import _SCHEMA

    old_schema = _SCHEMA.replace(",\n    preview     TEXT", "")
    with sqlite3.connect(state / "safesh.db") as conn:
        for statement in old_schema.format(genesis="0" * 64).split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute(
            "INSERT INTO approvals (id, command, cwd, fingerprint, rule_ids, reason, tier, "
            "created, expires, status) VALUES ('abcdefgh', 'git reset --hard', '/w', 'f', "
            "'[]', 'r', 'ask', '2026-01-01T00:00:00.000Z', '2999-01-01T00:00:00.000Z', "
            "'pending')"
        )
        conn.execute("PRAGMA user_version = 1")
    conn.close()
    listed = json.loads(safesh("approvals", "--json", env=env).stdout)
    assert [(r["id"], r["preview"]) for r in listed] == [("abcdefgh", None)]


def test_approved_stash_drop_is_undone(tmp_path: Path) -> None:
    env = user_env(tmp_path)
    repo = make_repo(tmp_path / "repo")
    commit_file(repo, "a.txt", "1\n", "base")
    (repo / "a.txt").write_text("half-done idea\n")
    git(repo, "stash", "push", "-q", "-m", "idea")
    _, request, rerun = approve_and_rerun("git stash drop", repo, env)
    assert any("idea" in item for item in request["preview"]["items"])
    assert git(repo, "stash", "list") == ""
    result = safesh("undo", snapshot_id(rerun.stderr), env=env)
    assert result.returncode == 0, result.stderr
    assert "idea" in git(repo, "stash", "list")
    git(repo, "stash", "pop", "-q")
    assert (repo / "a.txt").read_text() == "half-done idea\n"


def test_approved_checkout_of_one_file_is_undone_and_other_changes_stay(tmp_path: Path) -> None:
    env = user_env(tmp_path)
    repo = make_repo(tmp_path / "repo")
    commit_file(repo, "a.py", "a1\n", "base")
    commit_file(repo, "b.py", "b1\n", "more")
    (repo / "a.py").write_text("a2 discarded by mistake\n")
    (repo / "b.py").write_text("b2 kept\n")
    _, _, rerun = approve_and_rerun("git checkout -- a.py", repo, env)
    assert (repo / "a.py").read_text() == "a1\n"
    result = safesh("undo", snapshot_id(rerun.stderr), env=env)
    assert result.returncode == 0, result.stderr
    assert (repo / "a.py").read_text() == "a2 discarded by mistake\n"
    assert (repo / "b.py").read_text() == "b2 kept\n"


def hook(agent: str, command: str, cwd: Path, env: dict[str, str]) -> Any:
    import subprocess
    import sys

    fixtures = Path(__file__).resolve().parent / "fixtures" / "agent-protocols"
    name = {"codex": "codex-pretooluse-input.json", "claude-code": "claude-pretooluse-input.json"}
    data = json.loads((fixtures / name[agent]).read_text())
    data["cwd"] = str(cwd)
    data["tool_input"]["command"] = command
    return subprocess.run(
        [sys.executable, "-m", "safesh", "hook", agent],
        input=json.dumps(data),
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def test_a_hook_grant_keeps_a_snapshot_before_the_agent_runs_it(tmp_path: Path) -> None:
    env = user_env(tmp_path)
    repo = make_repo(tmp_path / "repo")
    commit_file(repo, "a", "1\n", "base")
    git(repo, "checkout", "-q", "-b", "feature")
    tip = commit_file(repo, "b", "2\n", "unmerged idea")
    git(repo, "checkout", "-q", "main")
    line = "git branch -D feature"
    refused = hook("codex", line, repo, env)
    assert "git branch -D deletes 1 branch with 1 commit" in refused.stdout + refused.stderr
    request = json.loads(safesh("approvals", "--json", env=env).stdout)[0]["id"]
    assert approve_as_human(request, env).returncode == 0
    allowed = hook("codex", line, repo, env)
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    git(repo, "branch", "-D", "feature")  # what the agent does with the allow
    kept = json.loads(safesh("snapshots", "--json", env=env).stdout)
    assert [s["command"] for s in kept] == [line]
    assert safesh("undo", kept[0]["id"], env=env).returncode == 0
    assert git(repo, "rev-parse", "refs/heads/feature").strip() == tip


def test_confirming_in_the_interactive_shell_keeps_a_snapshot(tmp_path: Path) -> None:
    import re
    import sys

    pexpect = pytest.importorskip("pexpect")
    env = user_env(tmp_path)
    repo = make_repo(tmp_path / "repo")
    commit_file(repo, "a", "1\n", "base")
    git(repo, "checkout", "-q", "-b", "feature")
    tip = commit_file(repo, "b", "2\n", "unmerged idea")
    git(repo, "checkout", "-q", "main")
    interactive = {k: v for k, v in env.items() if k != "SAFESH_NONINTERACTIVE"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "safesh", "-i"],
        env={**interactive, "TERM": "xterm"},
        cwd=str(repo),
        encoding="utf-8",
        timeout=60,
    )
    try:
        prompt = re.compile(r"safesh:[^\r\n]*[$#] ")
        child.expect(prompt)
        child.sendline("git branch -D feature")
        child.expect(r"\[y/N\] ")
        assert "1 unmerged commit" in str(child.before)
        child.sendline("y")
        child.expect(r"safesh: snapshot (\w+) kept")
        kept = str(child.match.group(1))
        child.expect(prompt)
        child.sendline("exit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert "feature" not in git(repo, "branch", "--list")
    assert safesh("undo", kept, env=env).returncode == 0
    assert git(repo, "rev-parse", "refs/heads/feature").strip() == tip


BLOCK_BUILD = KEEP_BUILD.replace('tier = "ask"', 'tier = "block"').replace(
    "team.keep-build", "team.never-build"
)


def test_a_blocked_line_previews_its_loss_but_promises_no_snapshot(tmp_path: Path) -> None:
    env = user_env(tmp_path, rules=BLOCK_BUILD)
    project = project_with_build(tmp_path)
    refused = safesh("-c", "rm -rf build", env=env, cwd=project)
    assert refused.returncode == REFUSED
    assert "preview:" in refused.stderr
    assert "undo:" not in refused.stderr
    report = json.loads(safesh("check", "--json", "rm -rf build", env=env, cwd=project).stdout)
    assert report["preview"]["count"] == 4
    assert all(section["undo"] is None for section in report["preview"]["sections"])
