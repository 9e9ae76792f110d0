"""How well safesh separates destructive commands from everyday work, on labelled corpora.

    python3 bench/accuracy.py [--misses N]

For each corpus in ../shared/corpus (rows labelled `unsure`, or whose expected outcome depends
on the peer tool's own modes, are reported apart and not scored) and per rule pack: the share
of destructive commands stopped (ask or block), the share of benign commands let through
(allow or notify), every miss, crashes, and the classification time per command.
Targets: 100% stopped, at least 99% let through, no crash.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import Outcome, Row, available, rows

from safesh.analyze import analyze
from safesh.rules import load_ruleset


def classify_all(all_rows: list[Row]) -> tuple[list[Outcome], list[tuple[Row, str]]]:
    ruleset = load_ruleset("/nonexistent-project", user_file=Path("/nonexistent/rules.toml"))
    outcomes: list[Outcome] = []
    crashes: list[tuple[Row, str]] = []
    for row in all_rows:
        start = time.perf_counter()
        try:
            analysis = analyze(row.line, row.context, ruleset)
        except Exception as error:
            crashes.append((row, f"{type(error).__name__}: {error}"))
            continue
        seconds = time.perf_counter() - start
        decisive = [f for f in analysis.findings if f.tier == analysis.decision]
        outcomes.append(
            Outcome(
                row,
                analysis.decision.value,
                tuple(dict.fromkeys(f.rule_id for f in decisive)),
                tuple(dict.fromkeys(f.pack or "?" for f in decisive)),
                seconds,
            )
        )
    return outcomes, crashes


JUDGEMENTS = Path(__file__).resolve().parent.parent / "tests" / "corpus_judgements.toml"


def judgements() -> dict[tuple[str, str], str]:
    """Rows whose label we disagree with, and why (tests/corpus_judgements.toml)."""
    import tomllib

    if not JUDGEMENTS.is_file():
        return {}
    with JUDGEMENTS.open("rb") as handle:
        return {(r["line"], r["label"]): r["why"] for r in tomllib.load(handle)["row"]}


def share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100.0 * part / whole:.1f}%)" if whole else "n/a"


def report(outcomes: list[Outcome], crashes: list[tuple[Row, str]], misses: int) -> int:
    failures = 0
    for corpus in sorted({o.row.corpus for o in outcomes}):
        mine = [o for o in outcomes if o.row.corpus == corpus]
        scored = [o for o in mine if o.row.scored]
        stop = [o for o in scored if o.row.label == "stop"]
        benign = [o for o in scored if o.row.label == "pass"]
        stopped = sum(o.correct for o in stop)
        passed = sum(o.correct for o in benign)
        print(f"\n== {corpus}: {len(mine)} rows, {len(scored)} scored")
        print(f"  destructive stopped : {share(stopped, len(stop))}   (target 100%)")
        print(f"  benign let through  : {share(passed, len(benign))}   (target >= 99%)")
        apart = Counter((o.row.label, o.decision) for o in mine if not o.row.scored)
        if apart:
            print("  not scored (unsure or peer-mode rows), label -> decision:")
            for (label, decision), count in sorted(apart.items()):
                print(f"    {label:<7} -> {decision:<6} {count}")
        by_pack: dict[str, Counter[str]] = defaultdict(Counter)
        for o in scored:
            for pack in o.packs or ("(none)",):
                key = (
                    "stopped"
                    if o.row.label == "stop" and o.correct
                    else ("false-stop" if o.row.label == "pass" and not o.correct else None)
                )
                if key:
                    by_pack[pack][key] += 1
        if by_pack:
            print("  per pack: destructive rows it stopped / benign rows it stopped wrongly")
            for pack, counts in sorted(by_pack.items()):
                print(f"    {pack:<22} {counts['stopped']:5d} / {counts['false-stop']}")
        wrong = [o for o in scored if not o.correct]
        documented = judgements()
        disputed = [o for o in wrong if (o.row.line, o.row.label) in documented]
        failures += len(wrong) - len(disputed)
        if disputed:
            print(
                f"  of the misses, {len(disputed)} are labels we disagree with "
                "(tests/corpus_judgements.toml says why); the others are real misses"
            )
        if wrong:
            print(f"  misses ({len(wrong)}):")
            for o in wrong[:misses]:
                rules = ",".join(o.rules) or "-"
                mark = " (disputed label)" if o in disputed else ""
                print(f"    [{o.row.label} -> {o.decision} {rules}]{mark} {o.row.line[:150]!r}")
            if len(wrong) > misses:
                print(f"    … and {len(wrong) - misses} more (--misses)")
    print(f"\ncrashes: {len(crashes)}")
    for row, error in crashes[:misses]:
        print(f"  {row.line[:120]!r}: {error}")
    times = sorted(o.seconds for o in outcomes)
    if times:
        p99 = times[int(len(times) * 0.99)]
        print(
            f"classification time per command: median {statistics.median(times) * 1000:.3f} ms,"
            f" p99 {p99 * 1000:.3f} ms over {len(times)} lines"
        )
    return failures + len(crashes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--misses", type=int, default=400, help="how many misses to list")
    options = parser.parse_args()
    if not available():
        print("no corpus found beside the project (../shared/corpus); nothing to measure")
        return
    outcomes, crashes = classify_all(list(rows()))
    report(outcomes, crashes, options.misses)


if __name__ == "__main__":
    main()
