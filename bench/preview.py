"""How long previews take, against their budget (issue 13).

    python3 bench/preview.py [--files 50000] [--runs 5] [--budget 500ms]

Builds a throwaway git repository in a temporary directory with a tree of `--files` files, a
modified tracked file and an unmerged branch, then times `safesh.check(..., preview=True)` for
lines that are previewed (rm -rf of the tree, git reset --hard, git branch -D) and for an
allowed line (which must cost nothing extra). Prints the median and worst wall time of each and
whether its preview was cut short; the worst should stay near the budget however big the tree.
Speed targets live here, never in the unit tests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LINES = ("rm -rf data", "git reset --hard", "git branch -D spike", "git status")


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def build(repo: Path, files: int) -> None:
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "bench@example.test")
    git(repo, "config", "user.name", "bench")
    (repo / "app.py").write_text("v1\n")
    git(repo, "add", "app.py")
    git(repo, "commit", "-qm", "base")
    git(repo, "checkout", "-q", "-b", "spike")
    (repo / "spike.py").write_text("idea\n")
    git(repo, "add", "spike.py")
    git(repo, "commit", "-qm", "spike")
    git(repo, "checkout", "-q", "main")
    (repo / "app.py").write_text("v2\n")
    per_dir = 500
    for index in range(files):
        folder = repo / "data" / f"d{index // per_dir}"
        if index % per_dir == 0:
            folder.mkdir(parents=True)
        (folder / f"f{index}").write_bytes(b"x" * 64)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=50000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--budget", default="500ms")
    args = parser.parse_args()
    import safesh

    with tempfile.TemporaryDirectory(prefix="safesh-bench-preview-") as base:
        repo = Path(base) / "repo"
        repo.mkdir()
        config = Path(base) / "config" / "safesh"
        config.mkdir(parents=True)
        (config / "rules.toml").write_text(
            f'[settings]\npreview_budget = "{args.budget}"\npreview_max_files = "1000000"\n'
        )
        os.environ["XDG_CONFIG_HOME"] = str(Path(base) / "config")
        os.environ["XDG_CACHE_HOME"] = str(Path(base) / "cache")
        build(repo, args.files)
        safesh.check("true", cwd=str(repo))  # warm: rules loaded and cached, modules imported
        print(f"tree: {args.files} files; budget {args.budget}; {args.runs} runs each")
        for line in LINES:
            times, cut = [], False
            for _ in range(args.runs):
                start = time.perf_counter()
                report = safesh.check(line, cwd=str(repo), preview=True)
                times.append(time.perf_counter() - start)
                cut = cut or bool(report.preview and report.preview.cut_short)
            summary = report.preview.summary if report.preview else "(no preview)"
            print("   runs:", [round(t * 1000) for t in times])
            print(
                f"{line:<22} median {statistics.median(times) * 1000:7.1f} ms  "
                f"worst {max(times) * 1000:7.1f} ms  cut short: {cut!s:<5}  {summary[:60]}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
