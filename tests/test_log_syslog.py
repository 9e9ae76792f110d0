"""`safesh log --syslog ADDRESS`: the audit log streamed to a syslog collector (RFC 5424)."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from userkit import safesh, user_environment

from safesh.cli.syslog_stream import SyslogTarget, format_message, parse_target

# <PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG
RFC5424 = re.compile(
    rb"^<(\d+)>1 (\S+) (\S+) safesh (\d+) (command|approval|record) (\[.*?[^\\]\]) (.*)$"
)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return user_environment(tmp_path, ("terraform", "rm"))


def parse(message: bytes) -> tuple[int, str, dict[str, Any]]:
    found = RFC5424.match(message)
    assert found is not None, message
    return int(found.group(1)), found.group(6).decode(), json.loads(found.group(7))


def test_records_go_to_a_udp_collector_as_rfc5424_with_the_json_record(
    tmp_path: Path, env: dict[str, str]
) -> None:
    assert safesh("-c", "echo one", env=env, cwd=tmp_path).returncode == 0
    assert safesh("-c", "terraform destroy", env=env, cwd=tmp_path).returncode == 77
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as collector:
        collector.bind(("127.0.0.1", 0))
        collector.settimeout(10)
        port = collector.getsockname()[1]
        result = safesh("log", "--syslog", f"udp://127.0.0.1:{port}", env=env, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        sent = int(re.search(r"sent (\d+) records", result.stderr).group(1))  # type: ignore[union-attr]
        messages = [collector.recv(65535) for _ in range(sent)]
    parsed = {record["command"]: (pri, sd, record) for pri, sd, record in map(parse, messages)}
    allow_pri, _sd, allowed = parsed["echo one"]
    ask_pri, ask_sd, asked = parsed["terraform destroy"]
    assert allow_pri == 13 * 8 + 6 and allowed["decision"] == "allow"
    assert ask_pri == 13 * 8 + 5 and asked["rules"] == ["iac.destroy"]
    assert 'decision="ask"' in ask_sd and 'rules="iac.destroy"' in ask_sd


def test_follow_streams_new_records_over_tcp_with_octet_counting(
    tmp_path: Path, env: dict[str, str]
) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(20)
        port = listener.getsockname()[1]
        follower = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "safesh",
                "log",
                "--follow",
                "--syslog",
                f"tcp://127.0.0.1:{port}",
            ],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
        )
        try:
            connection, _ = listener.accept()
            connection.settimeout(20)
            time.sleep(0.5)
            assert safesh("-c", "echo streamed", env=env, cwd=tmp_path).returncode == 0
            data = b""
            while b"echo streamed" not in data:
                chunk = connection.recv(65535)
                assert chunk, "the follower closed the connection"
                data += chunk
            connection.close()
        finally:
            follower.send_signal(signal.SIGINT)
            follower.wait(timeout=20)
    length, _, rest = data.partition(b" ")
    message = rest[: int(length)]
    assert parse(message)[2]["command"] == "echo streamed"


def test_an_unreachable_collector_is_a_clear_error(tmp_path: Path, env: dict[str, str]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again below: nothing listens there
    result = safesh("log", "--syslog", f"tcp://127.0.0.1:{port}", env=env, cwd=tmp_path)
    assert result.returncode == 1 and "cannot reach syslog" in result.stderr


def test_structured_data_escapes_quotes_backslashes_and_brackets() -> None:
    record = {"id": 7, "kind": "command", "time": "2026-01-01T00:00:00Z", "decision": "ask",
              "rules": [], "agent": 'a"b]c\\d', "command": "x"}  # fmt: skip
    message = format_message(record, "host name", 42)
    assert b'agent="a\\"b\\]c\\\\d"' in message
    assert message.startswith(b"<109>1 2026-01-01T00:00:00Z hostname safesh 42 command [")
    assert json.loads(message.split(b"] ", 1)[1]) == record


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("udp://logs.example:514", SyslogTarget("udp", "logs.example", 514)),
        ("logs.example:1514", SyslogTarget("udp", "logs.example", 1514)),
        ("tcp://[::1]:601", SyslogTarget("tcp", "::1", 601)),
        ("/dev/log", SyslogTarget("unix", path="/dev/log")),
    ],
)
def test_addresses(text: str, target: SyslogTarget) -> None:
    assert parse_target(text) == target


@pytest.mark.parametrize("text", ["http://x:1", "x", "udp://x:0", "tcp://:514"])
def test_bad_addresses_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_target(text)
