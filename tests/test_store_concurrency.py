"""Many safesh processes (several agents and a human) write one store at the same time."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from safesh.store import Store

REPO = Path(__file__).resolve().parent.parent
PROCESSES = 8
RECORDS_EACH = 50

# Every worker waits for the go file, so they all hit the (new) database at once, including
# the race to create its schema.
_WORKER_PRELUDE = """
import os, sys, time
from pathlib import Path
from safesh.store import AuditEvent, Store
path, go, worker = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
while not go.exists():
    time.sleep(0.005)
"""

_RECORD_WORKER = (
    _WORKER_PRELUDE
    + """
for n in range(int(sys.argv[4])):
    # A new connection per record, as each safesh invocation opens its own.
    with Store(path) as store:
        rid = store.record(AuditEvent(f"echo {worker}-{n}", "/work", "allow", agent=worker))
        if n % 5 == 0:
            store.finish(rid, 0, 0.01)
"""
)

_CONSUME_WORKER = (
    _WORKER_PRELUDE
    + """
with Store(path) as store:
    grant = store.consume_grant("rm -rf build", "/work", "fp")
print("granted" if grant else "none")
"""
)

_REQUEST_WORKER = (
    _WORKER_PRELUDE
    + """
with Store(path) as store:
    print(store.request_approval("rm -rf build", "/work", "fp", ["fs.rm"], "deletes").id)
"""
)


def run_workers(script: str, path: Path, tmp_path: Path, *extra: str) -> list[str]:
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(path), str(go), f"w{i}", *extra],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(PROCESSES)
    ]
    time.sleep(0.3)  # let every interpreter start and reach the barrier
    go.touch()
    outputs = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        assert "locked" not in err
        outputs.append(out.strip())
    return outputs


def test_concurrent_writers_lose_no_record(tmp_path: Path) -> None:
    path = tmp_path / "state" / "safesh.db"
    run_workers(_RECORD_WORKER, path, tmp_path, str(RECORDS_EACH))
    with Store(path) as store:
        commands = {record.command for record in store.records()}
    expected = {f"echo w{i}-{n}" for i in range(PROCESSES) for n in range(RECORDS_EACH)}
    assert commands == expected


def test_concurrent_writers_keep_one_unbroken_chain(tmp_path: Path) -> None:
    path = tmp_path / "state" / "safesh.db"
    run_workers(_RECORD_WORKER, path, tmp_path, str(RECORDS_EACH))
    with Store(path) as store:
        result = store.verify()
    finishes = PROCESSES * len(range(0, RECORDS_EACH, 5))
    assert (result.ok, result.checked) == (True, PROCESSES * RECORDS_EACH + finishes)


def test_a_once_grant_is_used_by_exactly_one_of_many_processes(tmp_path: Path) -> None:
    path = tmp_path / "safesh.db"
    with Store(path) as store:
        request = store.request_approval("rm -rf build", "/work", "fp", ["fs.rm"], "deletes")
        store.approve(request.id, by="alice")
    outputs = run_workers(_CONSUME_WORKER, path, tmp_path)
    assert sorted(outputs) == ["granted"] + ["none"] * (PROCESSES - 1)


def test_concurrent_identical_requests_share_one_id(tmp_path: Path) -> None:
    path = tmp_path / "safesh.db"
    outputs = run_workers(_REQUEST_WORKER, path, tmp_path)
    assert len(set(outputs)) == 1
    with Store(path) as store:
        assert len(store.pending()) == 1
