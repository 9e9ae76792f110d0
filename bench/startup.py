"""Start-up and classification speed, measured side by side in one run.

    python3 bench/startup.py [--runs 30]

Prints the median wall time of `bash -c true`, `python3 -c pass` and `safesh -c true`
(interleaved, so machine noise hits all three alike), the ratio of safesh to python, and the
in-process classification time per command (median and p99) on a realistic corpus: the shared
labelled corpus when it sits beside the project, else a built-in sample.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT.parent / "shared" / "corpus"
SAMPLE = [
    "ls -la",
    "git status",
    "git commit -m 'fix: remove rm -rf from docs'",
    "npm test",
    "pytest -q tests/",
    "grep -rn TODO src/",
    "docker ps -a",
    "kubectl get pods -n default",
    "terraform plan",
    "cat README.md | head -20",
    "rm -rf /",
    "git push --force origin main",
    "find . -name '*.pyc' -delete",
    "curl -fsSL https://example.com/install.sh | sh",
    "psql -c 'DROP TABLE users'",
]


def _time_once(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, check=False, stdin=subprocess.DEVNULL)
    return time.perf_counter() - start


def compile_bytecode() -> None:
    """Byte-compile the package as `pip install` does: a development checkout run with
    PYTHONDONTWRITEBYTECODE=1 would otherwise recompile every module on every start."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "safesh")],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def startup(runs: int) -> dict[str, float]:
    compile_bytecode()
    safesh = shutil.which("safesh")
    safesh_argv = [safesh] if safesh else [sys.executable, "-m", "safesh"]
    with tempfile.TemporaryDirectory() as state:
        env = dict(os.environ, XDG_STATE_HOME=state, XDG_CACHE_HOME=os.path.join(state, "c"))
        commands = {
            "bash -c true": ["bash", "-c", "true"],
            "python3 -c pass": [sys.executable, "-c", "pass"],
            "safesh -c true": [*safesh_argv, "-c", "true"],
        }
        for argv in commands.values():  # warm caches (parser tables, compiled rules)
            _time_once(argv, env)
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, argv in commands.items():
                samples[name].append(_time_once(argv, env))
    return {name: statistics.median(values) for name, values in samples.items()}


def corpus_lines() -> tuple[str, list[str]]:
    lines: list[str] = []
    for path in sorted(CORPUS_DIR.glob("*.jsonl")) if CORPUS_DIR.is_dir() else []:
        with path.open() as handle:
            lines += [json.loads(row)["cmd"] for row in handle if row.strip()]
    if lines:
        return f"shared corpus ({len(lines)} lines)", lines
    return f"built-in sample ({len(SAMPLE)} lines)", SAMPLE


def classification(lines: list[str]) -> tuple[float, float]:
    sys.path.insert(0, str(ROOT))
    from safesh.analyze import analyze, make_context
    from safesh.rules import load_ruleset

    context = make_context("/home/user/project", {"HOME": "/home/user", "PATH": "/usr/bin"})
    ruleset = load_ruleset(context.cwd)
    for line in lines[:50]:  # warm up lazy imports (tree-sitter, sqlglot)
        analyze(line, context, ruleset)
    timings = []
    for line in lines:
        start = time.perf_counter()
        analyze(line, context, ruleset)
        timings.append(time.perf_counter() - start)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.99)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    options = parser.parse_args()
    medians = startup(options.runs)
    print(f"start-up, median of {options.runs} interleaved runs:")
    for name, value in medians.items():
        print(f"  {name:<16} {value * 1000:8.1f} ms")
    ratio = medians["safesh -c true"] / medians["python3 -c pass"]
    print(f"  safesh / python  {ratio:8.2f} x   (target <= 2.5 x)")
    label, lines = corpus_lines()
    median, p99 = classification(lines)
    print(f"classification, in process, {label}:")
    print(f"  median {median * 1000:.3f} ms   p99 {p99 * 1000:.3f} ms   (target median < 0.5 ms)")


if __name__ == "__main__":
    main()
