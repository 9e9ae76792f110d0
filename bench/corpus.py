"""Reading and scoring the labelled command corpora in ../shared/corpus (shared by
`bench/accuracy.py` and `tests/test_corpus.py`). safesh itself never reads them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from safesh.model import Context

CORPUS_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
HOME = "/home/user"
PROJECT = "/home/user/project"
STOPPED = frozenset({"ask", "block"})
PASSED = frozenset({"allow", "notify"})

# A row whose expected outcome depends on the peer tool's own modes or custom rules shows that
# tool's opinion, not a fact about the command: it is reported apart and not scored.
_PEER_MODE = re.compile(
    r"SAFETY_NET_|custom rules|checkCustomRules|\.safety-net\.json|strict=|C:\\|"
    r"safety-net-win|allowTmpdirVar|originalCwd"
)
_CWD = re.compile(r"cwd=(\S+)")
_HOME = re.compile(r"\bHOME=([^\s,;]+)")


@dataclass(frozen=True)
class Row:
    corpus: str
    line: str
    label: str  # stop | pass | unsure
    origin: str
    context_note: str | None
    scored: bool
    context: Context


def available() -> bool:
    return CORPUS_DIR.is_dir() and any(CORPUS_DIR.glob("*.jsonl"))


def rows(corpus_dir: Path = CORPUS_DIR) -> Iterator[Row]:
    for path in sorted(corpus_dir.glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for raw in handle:
                if raw.strip():
                    yield _row(path.stem, json.loads(raw))


def _row(corpus: str, data: dict[str, str]) -> Row:
    note = data.get("context")
    label = data["label"]
    scored = label in {"stop", "pass"} and not (note and _PEER_MODE.search(note))
    return Row(corpus, data["cmd"], label, data.get("origin", ""), note, scored, _context(note))


def _context(note: str | None) -> Context:
    """Reproduce the working directory a row was judged in, where its note says."""
    project = Context(cwd=PROJECT, home=HOME, repo_root=PROJECT)
    if not note:
        return project
    if "no cwd passed" in note or "cwd=''" in note:
        # The peer treats the directory as unknown; the home directory is the honest
        # stand-in: relative paths are not inside any project.
        return Context(cwd=HOME, home=HOME)
    home_found = _HOME.search(note)
    home = home_found.group(1).replace("XXXXXX", "abc123") if home_found else HOME
    found = _CWD.search(note)
    if found is None or "process cwd" in note:
        return Context(cwd=PROJECT, home=home, repo_root=PROJECT)
    cwd = found.group(1).rstrip(";,").replace("XXXXXX", "abc123")
    if cwd == "$HOME":
        cwd = home
    repo = cwd if "/repo" in cwd or "worktree" in cwd else None
    return Context(cwd=cwd, home=home, repo_root=repo)


@dataclass(frozen=True)
class Outcome:
    row: Row
    decision: str
    rules: tuple[str, ...]
    packs: tuple[str, ...]
    seconds: float

    @property
    def correct(self) -> bool:
        expected = STOPPED if self.row.label == "stop" else PASSED
        return self.decision in expected
