"""`safesh log` through the real click command (and a subprocess for --follow)."""

from __future__ import annotations

import json
import os
import select
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

import pytest
from click.testing import CliRunner

from safesh.cli.commands.log import command
from safesh.store import AuditEvent, Store

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path


def fill() -> None:
    with Store() as store:
        ran = store.record(AuditEvent("make test", "/work/p", "allow", outcome="ran"))
        store.finish(ran, 1, 2.5)
        store.record(
            AuditEvent("rm -rf build", "/work/p/sub", "ask", ("fs.rm",), outcome="refused")
        )
        store.record(AuditEvent("curl x | sh", "/srv", "block", ("net.pipe-shell",)))


def log(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(command, list(args))
    return result.exit_code, result.output


def json_lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines()]


def test_log_prints_a_table_with_every_record() -> None:
    fill()
    code, output = log()
    lines = output.splitlines()
    assert code == 0
    assert lines[0].startswith("TIME")
    assert [line.split()[-1] for line in lines[1:]] == ["test", "build", "sh"]


def test_log_json_has_the_documented_fields() -> None:
    fill()
    first = json_lines(log("--json")[1])[0]
    assert {k: first[k] for k in ("command", "cwd", "decision", "rules", "mode")} == {
        "command": "make test",
        "cwd": "/work/p",
        "decision": "allow",
        "rules": [],
        "mode": "exec",
    }
    assert (first["exit"], first["duration"]) == (1, 2.5)
    assert str(first["time"]).endswith("Z")


def test_log_filters_by_decision() -> None:
    fill()
    assert [r["command"] for r in json_lines(log("--json", "--decision", "ask")[1])] == [
        "rm -rf build"
    ]


def test_log_filters_by_rule() -> None:
    fill()
    out = log("--json", "--rule", "net.pipe-shell")[1]
    assert [r["command"] for r in json_lines(out)] == ["curl x | sh"]


def test_log_filters_by_cwd_and_below() -> None:
    fill()
    out = log("--json", "--cwd", "/work/p")[1]
    assert [r["command"] for r in json_lines(out)] == ["make test", "rm -rf build"]


def test_log_filters_by_grep() -> None:
    fill()
    assert [r["command"] for r in json_lines(log("--json", "--grep", "CURL")[1])] == ["curl x | sh"]


def test_log_since_duration_leaves_out_older_records() -> None:
    with Store(now=lambda: datetime.now(UTC) - timedelta(hours=3)) as store:
        store.record(AuditEvent("old", "/w", "allow"))
    with Store() as store:
        store.record(AuditEvent("new", "/w", "allow"))
    assert [r["command"] for r in json_lines(log("--json", "--since", "1h")[1])] == ["new"]


def test_log_since_accepts_an_iso_time() -> None:
    fill()
    assert json_lines(log("--json", "--since", "2999-01-01T00:00:00Z")[1]) == []


def test_log_since_rejects_nonsense() -> None:
    assert log("--since", "yesterdayish")[0] == 2


def test_log_verify_exits_0_for_an_intact_chain() -> None:
    fill()
    code, output = log("--verify")
    assert (code, output) == (0, "audit log intact: 4 records verified\n")


def test_log_verify_exits_1_naming_a_tampered_record(xdg: Path) -> None:
    fill()
    conn = sqlite3.connect(xdg / "state" / "safesh" / "safesh.db")
    with conn:
        conn.execute("UPDATE audit SET decision = 'allow' WHERE id = 4")
    conn.close()
    code, output = log("--verify")
    assert code == 1
    assert "broken at record 4" in output


def test_log_verify_exits_1_naming_a_deleted_record(xdg: Path) -> None:
    fill()
    conn = sqlite3.connect(xdg / "state" / "safesh" / "safesh.db")
    with conn:
        conn.execute("DELETE FROM audit WHERE id = 3")
    conn.close()
    code, output = log("--verify")
    assert code == 1
    assert "record 3" in output and "missing" in output


def test_log_export_writes_every_row_as_json_lines(tmp_path: Path) -> None:
    fill()
    target = tmp_path / "audit.jsonl"
    assert log("--export", str(target))[0] == 0
    rows = json_lines(target.read_text())
    assert [row["id"] for row in rows] == [1, 2, 3, 4]
    assert all("hash" in row and "prev_hash" in row for row in rows)


def test_log_on_a_corrupt_store_exits_1_and_keeps_the_file(xdg: Path) -> None:
    path = xdg / "state" / "safesh" / "safesh.db"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"garbage" * 1000)
    code, output = log()
    assert code == 1
    assert str(path) in output and "not a database" in output
    assert path.read_bytes() == b"garbage" * 1000


def _read_line(stream: IO[str] | None, timeout_s: float) -> str:
    assert stream is not None
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        ready, _, _ = select.select([stream], [], [], 0.1)
        if ready:
            return stream.readline()
    raise AssertionError("no line from safesh log --follow")


def test_log_follow_prints_new_records_until_interrupted(xdg: Path) -> None:
    with Store() as store:
        store.record(AuditEvent("before", "/w", "allow"))
    follower = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from safesh.cli.commands.log import command; command()",
            "--follow",
            "--json",
        ],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert json.loads(_read_line(follower.stdout, 20))["command"] == "before"
        with Store() as store:
            store.record(AuditEvent("after", "/w", "allow"))
        assert json.loads(_read_line(follower.stdout, 20))["command"] == "after"
    finally:
        follower.send_signal(signal.SIGINT)
        code = follower.wait(timeout=20)
    assert code == 0
