"""What reading the agent's shell snapshot costs the hook (`safesh.agents.shell_state`).

Claude Code sources a snapshot of the user's shell before every Bash command; the hook reads
it on every call. This times, in one process, for a Claude-format bash snapshot of a
realistic size (default: a synthetic nvm-sized suite of 120 functions, ~250 KB; `--nvm
PATH/nvm.sh` encodes the functions of a real nvm.sh instead, read with a regex, not run):
- `shell_context` alone for lines that name nothing in the snapshot (the common case);
- the hook's whole judgement (`_judge_in_agent_shell`) with and without the snapshot, for
  an ordinary line, a line using Claude's `grep` helper, an alias, and a call of the suite.

    python bench/agent_snapshot.py [--runs 30] [--nvm path/to/nvm.sh]
"""

from __future__ import annotations

import argparse
import base64
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from safesh.agents.protocols import HookRequest
from safesh.agents.shell_state import read_snapshot, shell_context
from safesh.cli.commands.hook import _judge_in_agent_shell

HELPERS = Path("/work/shared/agent-protocols/claude-shell-snapshot-example.sh")


def synthetic_functions(count: int = 120) -> list[str]:
    body = "".join(
        f'    if [ -n "${{NVM_DIR-}}" ]; then\n        nvm_echo "step {i}" | command awk '
        f"'{{print $1}}';\n    fi;\n"
        for i in range(40)
    )
    return [f"nvm_part_{n} () \n{{ \n{body}}}\n" for n in range(count)] + [
        'nvm () \n{ \n    nvm_part_1 "$@";\n    nvm_part_2 "$@"\n}\n'
    ]


def nvm_functions(path: Path) -> list[str]:
    """The top-level functions of nvm.sh, as text (a regex over the file; nothing is run)."""
    text = path.read_text()
    found = re.findall(r"^([a-z_]+)\(\) \{\n(.*?)^\}\n", text, re.M | re.S)
    return [f"{name} () \n{{ \n{body}}}\n" for name, body in found]


def snapshot_text(functions: list[str]) -> str:
    lines = ["# Snapshot file", "unalias -a 2>/dev/null || true", "# Functions"]
    for function in functions:
        b64 = base64.encodebytes(function.encode()).decode().rstrip("\n")
        lines.append(f"eval \"$(echo '{b64}' | base64 -d)\" > /dev/null 2>&1")
    lines += ["# Shell Options", "shopt -s expand_aliases", "set -o hashall", "# Aliases"]
    lines += ["alias -- ll='ls -alF'", "alias -- gs='git status'"]
    helpers = HELPERS.read_text().split("\n", 3)[3] if HELPERS.exists() else ""
    return "\n".join(lines) + "\n" + helpers


def timed(work: Callable[[], object], runs: int) -> tuple[float, float]:
    work()  # the first call pays for imports and caches
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), max(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--nvm", type=Path)
    args = parser.parse_args()
    functions = nvm_functions(args.nvm) if args.nvm else synthetic_functions()
    text = snapshot_text(functions)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "with"
        folder = home / ".claude" / "shell-snapshots"
        folder.mkdir(parents=True)
        (folder / "snapshot-bash-1764550000000-abcdef.sh").write_text(text)
        bare = Path(tmp) / "without"
        bare.mkdir()
        print(f"snapshot: {len(functions)} functions, {len(text) // 1024} KB")
        median, worst = timed(lambda: read_snapshot("x", text), args.runs)
        print(f"{'scan the snapshot':44} median {median:7.2f} ms  max {worst:7.2f} ms")
        env_with = {"HOME": str(home), "PATH": "/usr/bin:/bin"}
        env_without = {"HOME": str(bare), "PATH": "/usr/bin:/bin"}
        for line in ("ls -la", "git status"):
            # In a long-lived process (the resident judge) the scan is kept per file version.
            median, worst = timed(
                partial(shell_context, "claude-code", "s", line, env_with), args.runs
            )
            label = f"shell_context {line!r} (kept scan)"
            print(f"{label:44} median {median:7.2f} ms  max {worst:7.2f} ms")
        for line in ("ls -la", "grep -rn TODO src", "ll", "nvm use 18" if args.nvm else "nvm"):
            for label, env in (("with", env_with), ("without", env_without)):
                request = HookRequest("claude-code", "Bash", line, tmp, "s", "PreToolUse")
                judge = partial(_judge_in_agent_shell, "claude-code", request, line, env)
                median, worst = timed(judge, args.runs)
                name = f"judge {line!r} {label} snapshot"
                print(f"{name:44} median {median:7.2f} ms  max {worst:7.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
