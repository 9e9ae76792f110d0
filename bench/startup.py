"""safesh's speed, measured side by side in one run (issue 12's figures and targets).

    python3 bench/startup.py [--runs 20] [--quick] [--no-node]

Prints, with the machine's noise hitting everything alike (interleaved runs, medians):
  * start-up: `bash -c true`, `python3 -c pass`, `safesh -c true` with the resident judge
    warm, on a cold start (no judge yet: the line is judged in-process and a judge started),
    and with no judge (SAFESH_DAEMON=off); `safesh hook claude-code` (warm judge and none);
    `safesh check`; the Node peer's hook (cc-safety-net, npm-installed into a cache directory;
    skipped with the reason when npm is missing or the install fails);
  * `safesh.check()` per call in process (median, p99) on the shared corpus (or a sample);
  * a growth curve from 1 KB to 1 MB through the hook (warm judge) for plain scripts, long
    pipelines, `&&` chains, nested `$(…)` and `eval` chains: time and answer of each;
  * 16 agents calling the hook at once (p50 / p99).
Targets are printed beside the figures. Everything runs in a throw-away HOME / XDG tree with
its own judge, stopped at the end.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT.parent / "shared" / "corpus"
NPM_CACHE = Path(os.environ.get("SAFESH_BENCH_NPM", Path.home() / ".cache" / "safesh-bench"))
PAYLOAD = ROOT / "tests" / "fixtures" / "agent-protocols" / "claude-pretooluse-input.json"
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
SIZES = [1_000, 4_000, 16_000, 64_000, 256_000, 1_000_000]
BENIGN = [
    "ls -la src",
    "git status",
    'echo "$HOME"',
    "grep -rn TODO .",
    'for f in *.py; do wc -l "$f"; done',
    "if [ -f x ]; then cat x; fi",
]


# -- inputs ------------------------------------------------------------------------------------


def plain_script(size: int) -> str:
    lines: list[str] = []
    total = 0
    while total < size:
        line = BENIGN[len(lines) % len(BENIGN)]
        lines.append(line)
        total += len(line) + 1
    return "\n".join(lines)


def pipeline(size: int) -> str:
    return " | ".join(["cat"] * max(1, size // 6))


def and_chain(size: int) -> str:
    return " && ".join(["echo hi"] * max(1, size // 11))


def nested(size: int) -> str:
    depth = max(1, size // 8)
    return "echo " + "$(echo " * depth + "x" + ")" * depth


def eval_chain(size: int) -> str:
    return "eval " * max(1, size // 5) + "ls"


KINDS: dict[str, Callable[[int], str]] = {
    "plain script": plain_script,
    "pipeline": pipeline,
    "&& chain": and_chain,
    "nested $(…)": nested,
    "eval chain": eval_chain,
}


# -- environment -------------------------------------------------------------------------------


class Bench:
    """A throw-away user (HOME, XDG directories, runtime directory) and how to run safesh."""

    def __init__(self, root: Path) -> None:
        runtime = Path(tempfile.mkdtemp(prefix="sb", dir="/tmp"))
        runtime.chmod(0o700)
        self.runtime = runtime
        self.home = root / "home"
        self.home.mkdir()
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SAFESH_", "XDG_"))},
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(root / "config"),
            "XDG_STATE_HOME": str(root / "state"),
            "XDG_CACHE_HOME": str(root / "cache"),
            "XDG_RUNTIME_DIR": str(runtime),
            "SAFESH_NONINTERACTIVE": "1",
        }
        installed = Path(sys.executable).parent / "safesh"
        self.safesh = [str(installed)] if installed.exists() else [sys.executable, "-m", "safesh"]

    def run(self, argv: list[str], stdin: str | None = None, **extra: str) -> float:
        start = time.perf_counter()
        subprocess.run(
            argv,
            input=stdin,
            env={**self.env, **extra},
            cwd=self.home,
            capture_output=True,
            text=True,
            check=False,
        )
        return time.perf_counter() - start

    def control(self, action: str) -> int:
        result = subprocess.run(
            [*self.safesh, "daemon", action], env=self.env, capture_output=True, check=False
        )
        return result.returncode

    def stop_judge(self) -> None:
        self.control("stop")
        for _ in range(200):
            if self.control("status") != 0:
                return
            time.sleep(0.02)

    def payload(self, command: str) -> str:
        data = json.loads(PAYLOAD.read_text())
        data["cwd"] = str(self.home)
        data["tool_input"]["command"] = command
        return json.dumps(data)

    def hook(self, command: str) -> tuple[float, str]:
        """One hook call through the judge: (seconds, permission decision)."""
        start = time.perf_counter()
        result = subprocess.run(
            [*self.safesh, "hook", "claude-code"],
            input=self.payload(command),
            env=self.env,
            cwd=self.home,
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed = time.perf_counter() - start
        try:
            decision = json.loads(result.stdout)["hookSpecificOutput"]["permissionDecision"]
        except (ValueError, KeyError, TypeError):
            decision = f"unreadable (exit {result.returncode})"
        return elapsed, str(decision)

    def close(self) -> None:
        self.stop_judge()
        shutil.rmtree(self.runtime, ignore_errors=True)


def compile_bytecode() -> None:
    """Byte-compile the package as `pip install` does (a checkout run with
    PYTHONDONTWRITEBYTECODE=1 would otherwise recompile every module on every start)."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "safesh")],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def node_peer(bench: Bench) -> tuple[list[str] | None, str]:
    """The Node peer's hook command, or None and why it is skipped."""
    if shutil.which("npm") is None or shutil.which("node") is None:
        return None, "npm or node is not installed"
    binary = NPM_CACHE / "node_modules" / ".bin" / "cc-safety-net"
    if not binary.exists():
        NPM_CACHE.mkdir(parents=True, exist_ok=True)
        npm = ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(NPM_CACHE)]
        install = subprocess.run(
            [*npm, "cc-safety-net"],
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        if install.returncode != 0 or not binary.exists():
            return None, f"npm install cc-safety-net failed: {install.stderr.strip()[-200:]}"
    return ["node", str(binary), "hook", "-cc"], "cc-safety-net (npm)"


# -- the measurements --------------------------------------------------------------------------


def startup(bench: Bench, runs: int, node: list[str] | None) -> dict[str, float]:
    safesh = bench.safesh
    payload = bench.payload("ls -la")
    cases: dict[str, Callable[[], float]] = {
        "bash -c true": lambda: bench.run(["bash", "-c", "true"]),
        "python3 -c pass": lambda: bench.run([sys.executable, "-c", "pass"]),
        "safesh -c true (warm judge)": lambda: bench.run([*safesh, "-c", "true"]),
        "safesh -c true (cold start)": lambda: cold(bench),
        "safesh -c true (no judge)": lambda: bench.run(
            [*safesh, "-c", "true"], SAFESH_DAEMON="off"
        ),
        "safesh hook (warm judge)": lambda: bench.run([*safesh, "hook", "claude-code"], payload),
        "safesh hook (no judge)": lambda: bench.run(
            [*safesh, "hook", "claude-code"], payload, SAFESH_DAEMON="off"
        ),
        "safesh check": lambda: bench.run([*safesh, "check", "ls -la"]),
    }
    if node is not None:
        cases["node peer hook"] = lambda: bench.run(node, payload)
    for measure in cases.values():  # warm caches (parser tables, compiled rules, the judge)
        measure()
    bench.control("start")
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, measure in cases.items():
            if "warm" in name:
                # Not timed: the cold and no-judge cases stop the judge, and a judge started
                # just now serves its first request from children that have never judged (about
                # twice the steady cost). An agent's judge has served many; one untimed request
                # of the same kind brings it to that steady state.
                bench.control("start")
                measure()
            elif "no judge" in name:
                # Not timed. Without a judge none runs beside: the one the cold case started
                # (or a warm case's replacement spares) would still be warming up, and on a
                # small machine that took the CPU from the run being measured.
                bench.stop_judge()
            samples[name].append(measure())
    return {name: statistics.median(values) for name, values in samples.items()}


def load() -> str:
    """The machine's 1-minute load average and its CPUs: ratios drift with it (every run's
    waits for a CPU grow with the load), so figures are quoted with it."""
    return f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"


def cold(bench: Bench) -> float:
    bench.stop_judge()  # not timed
    return bench.run([*bench.safesh, "-c", "true"])


def corpus_lines() -> tuple[str, list[str]]:
    lines: list[str] = []
    for path in sorted(CORPUS_DIR.glob("*.jsonl")) if CORPUS_DIR.is_dir() else []:
        with path.open() as handle:
            lines += [json.loads(row)["cmd"] for row in handle if row.strip()]
    if lines:
        return f"shared corpus ({len(lines)} lines)", lines
    return f"built-in sample ({len(SAMPLE)} lines)", SAMPLE


def per_call(bench: Bench, lines: list[str]) -> tuple[float, float]:
    os.environ.update({k: v for k, v in bench.env.items() if k.startswith(("XDG_", "HOME"))})
    sys.path.insert(0, str(ROOT))
    import safesh

    cwd = str(bench.home)
    for line in lines[:50]:  # warm up lazy imports (tree-sitter, sqlglot) and the rules
        safesh.check(line, cwd=cwd)
    timings = []
    for line in lines:
        start = time.perf_counter()
        safesh.check(line, cwd=cwd)
        timings.append(time.perf_counter() - start)
    timings.sort()
    return statistics.median(timings), timings[min(len(timings) - 1, int(len(timings) * 0.99))]


def growth(bench: Bench, sizes: list[int]) -> list[tuple[str, int, float, str]]:
    bench.control("start")
    rows = []
    for kind, make in KINDS.items():
        for size in sizes:
            elapsed, decision = bench.hook(make(size))
            rows.append((kind, size, elapsed, decision))
            print(f"  {kind:<13} {size:>9,} B  {elapsed:7.3f} s  {decision}", flush=True)
    return rows


def agents_at_once(bench: Bench, agents: int, rounds: int) -> tuple[float, float]:
    bench.control("start")
    lines = ["ls -la", "git status", "rm -rf /", "git push --force origin main", "npm test"]

    def one_agent(index: int) -> list[float]:
        return [bench.hook(lines[(index + r) % len(lines)])[0] for r in range(rounds)]

    with concurrent.futures.ThreadPoolExecutor(agents) as pool:
        timings = sorted(t for batch in pool.map(one_agent, range(agents)) for t in batch)
    return statistics.median(timings), timings[min(len(timings) - 1, int(len(timings) * 0.99))]


# -- the report --------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="sizes up to 64 KB; fewer rounds")
    parser.add_argument("--no-node", action="store_true", help="skip the Node peer")
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from safesh.agents.settings import HOOK_TIMEOUT_SECONDS
    from safesh.judge.budget import DEADLINE_SECONDS

    compile_bytecode()
    with tempfile.TemporaryDirectory() as state:
        bench = Bench(Path(state))
        try:
            node, node_note = (None, "skipped (--no-node)") if options.no_node else node_peer(bench)
            print(f"Node peer: {node_note}")
            before = load()
            medians = startup(bench, options.runs, node)
            python = medians["python3 -c pass"]
            runs = f"median of {options.runs} interleaved runs"
            print(f"start-up, {runs} (machine load {before} -> {load()}):")
            for name, value in medians.items():
                print(f"  {name:<28} {value * 1000:8.1f} ms  {value / python:5.2f} x python")
            warm = medians["safesh -c true (warm judge)"] / python
            alone = medians["safesh -c true (no judge)"] / python
            print(f"  target: -c true <= 1.5 x python with the judge: {warm:.2f} x")
            print(f"  target: -c true <= 3 x python without:          {alone:.2f} x")
            if node is not None:
                ratio = medians["safesh hook (warm judge)"] / medians["node peer hook"]
                print(f"  target: hook <= 0.5 x the Node peer's:          {ratio:.2f} x")
            label, lines = corpus_lines()
            median, p99 = per_call(bench, lines)
            print(f"safesh.check() per call, in process, {label}:")
            print(
                f"  median {median * 1000:.3f} ms   p99 {p99 * 1000:.3f} ms"
                "   (target median <= 1 ms, p99 <= 5 ms)"
            )
            sizes = [s for s in SIZES if s <= 64_000] if options.quick else SIZES
            print(f"growth through the hook (deadline {DEADLINE_SECONDS:g} s):")
            rows = growth(bench, sizes)
            small = max(e for _, size, e, _ in rows if size <= 64_000)
            worst = max(e for _, _, e, _ in rows)
            print(f"  target: every input up to 64 KB within 1 s: slowest {small:.3f} s")
            print(
                f"  target: nothing after the deadline: slowest {worst:.3f} s "
                f"(deadline {DEADLINE_SECONDS:g} s + start-up; "
                f"agents wait {HOOK_TIMEOUT_SECONDS} s)"
            )
            p50, p99 = agents_at_once(bench, 16, 3 if options.quick else 6)
            print(f"16 agents at once, hook through the judge: p50 {p50 * 1000:.1f} ms")
            print(f"  p99 {p99 * 1000:.1f} ms")
        finally:
            bench.close()


if __name__ == "__main__":
    main()
