"""The "needs a look" marks: which notify records a human has reviewed, by whom and when.

An append-only JSON-lines file beside the store (`<state dir>/web-reviews.jsonl`), so the
audit chain itself is never written by the web page except through the store's own calls.
A damaged line is skipped: the record then simply shows as not yet reviewed (fail visible).
Standard library only.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from safesh.record import frozen


@frozen
class Review:
    record_id: int
    by: str
    at: str


def default_file() -> Path:
    from safesh import locations

    return locations.state_dir() / "web-reviews.jsonl"


def read_reviews(path: Path) -> dict[int, Review]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    found: dict[int, Review] = {}
    for line in text.splitlines():
        try:
            item = json.loads(line)
            review = Review(int(item["record"]), str(item["by"]), str(item["at"]))
        except (ValueError, KeyError, TypeError):
            continue
        found.setdefault(review.record_id, review)
    return found


def mark_reviewed(path: Path, record_id: int, by: str, at: str) -> None:
    """Append one mark. One `write` of one line to an O_APPEND file: concurrent marks from
    two pages interleave whole lines."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"record": record_id, "by": by, "at": at}, ensure_ascii=False) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)
