"""How loading the rules grows with the size of a project's `.safesh.toml`.

    python3 bench/rules_load.py [--sizes 250,500,1000,2000] [--no-cap]

Writes a project file of N generated rules (each a plain command rule with one example) into a
temporary directory and times one uncached load of the built-in, user and project layers. The
time per rule should stay flat as N grows (linear loading); a quadratic step shows as a time
per rule that doubles with N. `--no-cap` lifts the project-file caps so sizes past them can be
measured; without it, sizes past the caps report the refusal instead.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

RULE = """
[[rule]]
id = "bench.rule-{n}"
command = ["tool{n}"]
reversible = false
blast = "project"
reason = "Generated rule {n}."
match = ["tool{n} --go"]
not_match = ["other{n}"]
"""


def project_text(count: int) -> str:
    return "".join(RULE.format(n=n) for n in range(count))


def time_load(count: int, lift_caps: bool) -> str:
    from safesh.rules import RulesError, load_ruleset
    from safesh.rules.layering import build_ruleset
    from safesh.rules.reading import Source, builtin_rules_file

    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        project = root / ".safesh.toml"
        project.write_text(project_text(count))
        builtin = builtin_rules_file()
        started = time.perf_counter()
        try:
            if lift_caps:
                sources = (
                    Source("builtin", builtin, builtin.read_bytes(), True),
                    Source("project", project, project.read_bytes(), False),
                )
                build_ruleset(sources, max_project_rules=None)
            else:
                load_ruleset(str(root), user_file=root / "none", use_cache=False)
        except RulesError as error:
            return f"refused in {time.perf_counter() - started:.3f}s: {error}"
        elapsed = time.perf_counter() - started
        return f"{elapsed:.3f}s  ({elapsed / count * 1e6:.0f} µs per rule)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="250,500,1000,2000")
    parser.add_argument("--no-cap", action="store_true")
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"{size:6d} rules: {time_load(size, args.no_cap)}")


if __name__ == "__main__":
    main()
