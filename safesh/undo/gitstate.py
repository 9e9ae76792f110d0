"""Keeping and restoring git state a command discards: working-tree and index changes
(`git stash create`, which writes a commit and touches nothing else), deleted branches (their
commit) and dropped stash entries. Everything kept is pinned under
`refs/safesh/snapshots/ID/…` so that `git gc` keeps it until the snapshot expires.

Restoring refuses to overwrite anything changed since: a file is written back only when it
still holds what the command left (or already holds what was kept), a branch is recreated
only when no branch of that name exists, and HEAD must be where the command left it.

Imports: the standard library and `safesh.preview` (its read-only git runner and the
`GitWork` description of what a git command discards).
"""

from __future__ import annotations

import os
import subprocess
from typing import Any

from safesh.preview.gitread import git_env
from safesh.preview.gitwork import GitWork

_TIMEOUT_S = 60.0


class GitFailed(Exception):
    pass


def run(args: list[str], cwd: str, stdin: bytes | None = None) -> str:
    result = subprocess.run(
        ["git", "-c", "core.fsmonitor=false", *args],
        cwd=cwd,
        env={k: v for k, v in git_env().items() if k != "GIT_OPTIONAL_LOCKS"},
        input=stdin,
        capture_output=True,
        timeout=_TIMEOUT_S,
    )
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitFailed(f"git {' '.join(args[:2])}: {message[-1] if message else 'failed'}")
    return result.stdout.decode("utf-8", "surrogateescape")


def _try(args: list[str], cwd: str) -> str | None:
    try:
        return run(args, cwd).strip()
    except (GitFailed, OSError, subprocess.SubprocessError):
        return None


# -- keeping ----------------------------------------------------------------------------------


def keep(work: GitWork, snapshot_id: str) -> dict[str, Any] | None:
    """Pin what `work` would discard; the manifest entry, or None when nothing would be lost."""
    repo = _try(["rev-parse", "--show-toplevel"], work.directory)
    if repo is None:
        raise GitFailed(f"{work.directory} is not in a git repository")
    prefix = f"refs/safesh/snapshots/{snapshot_id}"
    if work.action == "branch-delete":
        return _keep_branches(work, repo, prefix)
    if work.action in ("stash-drop", "stash-clear"):
        return _keep_stashes(work, repo, prefix)
    head = _try(["rev-parse", "--verify", "HEAD^{commit}"], repo)
    if head is None:
        raise GitFailed("the repository has no commit yet")
    stash = run(["stash", "create"], repo).strip()
    after = head
    if work.action == "reset-hard" and work.refs:
        after = run(["rev-parse", "--verify", work.refs[0] + "^{commit}"], repo).strip()
    if not stash and after == head:
        return None
    refs = [f"{prefix}/head"]
    run(["update-ref", refs[0], head], repo)
    if stash:
        refs.append(f"{prefix}/worktree")
        run(["update-ref", refs[1], stash], repo)
    return {
        "kind": "worktree",
        "action": work.action,
        "repo": repo,
        "head": head,
        "branch": _try(["symbolic-ref", "-q", "HEAD"], repo),
        "stash": stash or None,
        "after": after,
        "staged": work.action == "reset-hard" or work.staged,
        "refs": refs,
    }


def _keep_branches(work: GitWork, repo: str, prefix: str) -> dict[str, Any] | None:
    branches = []
    for name in work.refs:
        commit = _try(["rev-parse", "--verify", f"refs/heads/{name}^{{commit}}"], repo)
        if commit is None:
            continue
        ref = f"{prefix}/branch/{name}"
        run(["update-ref", ref, commit], repo)
        upstream = {
            key: _try(["config", "--get", f"branch.{name}.{key}"], repo)
            for key in ("remote", "merge")
        }
        branches.append({"name": name, "commit": commit, "ref": ref, "upstream": upstream})
    if not branches:
        return None
    return {
        "kind": "branch",
        "repo": repo,
        "branches": branches,
        "refs": [b["ref"] for b in branches],
    }


def _keep_stashes(work: GitWork, repo: str, prefix: str) -> dict[str, Any] | None:
    listing = _try(["stash", "list", "--format=%gd%x00%H%x00%gs"], repo) or ""
    entries = [line.split("\0") for line in listing.splitlines() if line.count("\0") == 2]
    if work.action == "stash-drop":
        ref = work.refs[0] if work.refs else "stash@{0}"
        ref = f"stash@{{{ref}}}" if ref.isdigit() else ref
        entries = [e for e in entries if e[0] == ref]
    kept = []
    for index, (_, commit, message) in enumerate(entries):
        ref = f"{prefix}/stash/{index}"
        run(["update-ref", ref, commit], repo)
        kept.append({"commit": commit, "message": message, "ref": ref})
    if not kept:
        return None
    return {"kind": "stash", "repo": repo, "stashes": kept, "refs": [k["ref"] for k in kept]}


def drop_refs(manifest: Any) -> None:
    for entry in getattr(manifest, "git", []):
        for ref in entry.get("refs", []):
            _try(["update-ref", "-d", ref], entry["repo"])


# -- restoring --------------------------------------------------------------------------------


def check(entry: dict[str, Any]) -> list[str]:
    """What changed since the snapshot that a restore would overwrite (empty: safe)."""
    repo = entry["repo"]
    if not os.path.isdir(repo):
        return [f"{repo} no longer exists"]
    if entry["kind"] == "branch":
        problems = []
        for branch in entry["branches"]:
            now = _try(["rev-parse", "--verify", f"refs/heads/{branch['name']}"], repo)
            if now is not None and now != branch["commit"]:
                problems.append(f"branch {branch['name']} exists again at another commit")
        return problems
    if entry["kind"] == "stash":
        return []
    head = _try(["rev-parse", "--verify", "HEAD"], repo)
    if head != entry["after"]:
        return [
            f"HEAD is now {str(head)[:12]}, not {entry['after'][:12]} where the command left it"
        ]
    return [f"{path} changed since" for path, _ in _worktree_plan(entry) if _ == "conflict"]


def restore(entry: dict[str, Any]) -> list[str]:
    """Put the kept state back (after `check` found nothing in the way); what was restored."""
    repo = entry["repo"]
    if entry["kind"] == "branch":
        done = []
        for branch in entry["branches"]:
            name = branch["name"]
            if _try(["rev-parse", "--verify", f"refs/heads/{name}"], repo) is not None:
                continue
            # The empty old value makes git refuse if the branch appeared meanwhile.
            run(["update-ref", f"refs/heads/{name}", branch["commit"], ""], repo)
            for key, value in (branch.get("upstream") or {}).items():
                if value:
                    run(["config", f"branch.{name}.{key}", value], repo)
            done.append(f"branch {name} at {branch['commit'][:12]}")
        return done
    if entry["kind"] == "stash":
        listed = _try(["stash", "list", "--format=%H"], repo) or ""
        done = []
        for kept in reversed(entry["stashes"]):  # oldest first keeps their order
            if kept["commit"] in listed.split():
                continue
            run(["stash", "store", "-m", kept["message"], kept["commit"]], repo)
            done.append(f"stash {kept['message']}")
        return done
    plan = _worktree_plan(entry)
    if entry["head"] != entry["after"]:
        run(["reset", "--keep", entry["head"]], repo)
    done = []
    for path, action in plan:
        if action == "write":
            _write(repo, entry["stash"], path)
            done.append(path)
    if entry["staged"] and entry["stash"]:
        index = run(["ls-tree", "-r", "-z", f"{entry['stash']}^2"], repo)
        changed = set(
            _names(run(["diff", "--name-only", "-z", entry["head"], f"{entry['stash']}^2"], repo))
        )
        lines = []
        for record in index.split("\0"):
            if not record:
                continue
            meta, _, path = record.partition("\t")
            if path in changed:
                mode, _, sha = meta.split(" ")
                lines.append(f"{mode} {sha}\t{path}")
        if lines:
            run(["update-index", "--index-info"], repo, stdin=("\n".join(lines) + "\n").encode())
    return [f"changes to {path}" for path in done]


def _names(out: str) -> list[str]:
    return [name for name in out.split("\0") if name]


def _worktree_plan(entry: dict[str, Any]) -> list[tuple[str, str]]:
    """For each file the snapshot changed: write (it still holds what the command left),
    same (it already holds what was kept) or conflict."""
    stash, repo = entry["stash"], entry["repo"]
    if not stash:
        return []
    # What the command left: the target commit for reset --hard and restore --staged; the
    # index (the stash's second parent) for checkout -- / restore of the working tree only.
    after_tree = entry["after"] if entry["staged"] else f"{stash}^2"
    plan = []
    for path in _names(
        run(["diff", "--name-only", "-z", "--no-renames", entry["head"], stash], repo)
    ):
        current = _blob_of_file(repo, path)
        if current == _blob_in(repo, stash, path):
            plan.append((path, "same"))
        elif current == _blob_in(repo, after_tree, path):
            plan.append((path, "write"))
        else:
            plan.append((path, "conflict"))
    return plan


def _blob_in(repo: str, tree: str, path: str) -> str | None:
    out = _try(["rev-parse", "--verify", "--quiet", f"{tree}:{path}"], repo)
    return out or None


def _blob_of_file(repo: str, path: str) -> str | None:
    full = os.path.join(repo, path)
    if not os.path.lexists(full):
        return None
    return _try(["hash-object", "--", path], repo)


def _write(repo: str, stash: str, path: str) -> None:
    full = os.path.join(repo, path)
    listing = run(["ls-tree", "-z", stash, "--", path], repo).strip("\0")
    if not listing:
        if os.path.lexists(full):
            os.unlink(full)
        return
    mode, _, sha = listing.partition("\t")[0].split(" ")
    data = subprocess.run(
        ["git", "cat-file", "blob", sha],
        cwd=repo,
        capture_output=True,
        check=True,
        timeout=_TIMEOUT_S,
    ).stdout
    os.makedirs(os.path.dirname(full) or repo, exist_ok=True)
    if os.path.lexists(full):
        os.unlink(full)
    if mode == "120000":
        os.symlink(data.decode("utf-8", "surrogateescape"), full)
        return
    with open(full, "wb") as handle:
        handle.write(data)
    os.chmod(full, 0o755 if mode == "100755" else 0o644)
