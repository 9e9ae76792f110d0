"""Streaming the audit log to a syslog collector (`safesh log --syslog ADDRESS [--follow]`).

Why syslog and not OpenTelemetry logs: syslog needs nothing beyond the standard library (no
SDK, no protocol versions to track on the hot path of a guard), and every collector a team
already runs takes it: rsyslog, syslog-ng, journald, Vector, Fluent Bit, Splunk and Datadog
agents, and the OpenTelemetry Collector itself through its syslog receiver, so choosing
syslog reaches OTel users too.

Each record is one RFC 5424 message: facility 13 ("log audit"), severity from the decision
(block: warning, ask/notify/approvals: notice, allow: info), MSGID `command` or `approval`,
structured data `[safesh@32473 id=… decision=… rules=…]`, and the record's JSON (the shape of
`safesh log --json`) as the message. Over TCP, messages are framed by octet counting
(RFC 6587); over UDP or a Unix socket (`/dev/log`), one datagram each. Standard library only.
"""

from __future__ import annotations

import json
import os
import socket
from typing import Any

from safesh.record import frozen

FACILITY_LOG_AUDIT = 13
SEVERITY = {"block": 4, "ask": 5, "notify": 5, "allow": 6}
SEVERITY_OTHER = 5
ENTERPRISE_ID = "safesh@32473"  # 32473: the example enterprise number RFC 5612 reserves
MAX_DATAGRAM = 60_000


@frozen
class SyslogTarget:
    transport: str  # "udp" | "tcp" | "unix"
    host: str = ""
    port: int = 514
    path: str = ""


def parse_target(text: str) -> SyslogTarget:
    """`udp://HOST:PORT`, `tcp://HOST:PORT`, `HOST:PORT` (UDP), or a Unix socket path."""
    if text.startswith("/"):
        return SyslogTarget("unix", path=text)
    transport, _, rest = text.rpartition("://")
    transport = transport or "udp"
    if transport not in ("udp", "tcp"):
        raise ValueError(f"unknown syslog transport {transport!r} (udp, tcp or a socket path)")
    host, _, port = rest.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"expected HOST:PORT, got {rest!r}")
    return SyslogTarget(transport, host.strip("[]"), int(port))


def format_message(record: dict[str, Any], hostname: str, procid: int) -> bytes:
    """One RFC 5424 message for an audit record (`AuditRecord.to_dict()`)."""
    decision = record.get("decision")
    severity = SEVERITY.get(decision, SEVERITY_OTHER) if isinstance(decision, str) else 5
    pri = FACILITY_LOG_AUDIT * 8 + severity
    kind = record.get("kind")
    msgid = kind if kind in ("command", "approval") else "record"
    params = {
        "id": record.get("id"),
        "decision": decision,
        "outcome": record.get("outcome"),
        "rules": ",".join(record.get("rules") or []),
        "agent": record.get("agent"),
        "session": record.get("session"),
    }
    structured = "".join(
        f' {name}="{_sd_escape(str(value))}"' for name, value in params.items() if value
    )
    header = (
        f"<{pri}>1 {record.get('time') or '-'} {_header_word(hostname)} safesh {procid} {msgid} "
        f"[{ENTERPRISE_ID}{structured}] "
    )
    body = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    return (header + body).encode("utf-8", errors="backslashreplace")


def _sd_escape(value: str) -> str:
    # RFC 5424 section 6.3.3: `"`, `\` and `]` are escaped inside a PARAM-VALUE.
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


def _header_word(text: str) -> str:
    word = "".join(char for char in text if 33 <= ord(char) <= 126)
    return word[:255] or "-"


class SyslogSender:
    """An open connection to one collector; `send` one record at a time, then `close`."""

    def __init__(self, target: SyslogTarget, timeout_s: float = 5.0) -> None:
        self.target = target
        self.hostname = socket.gethostname()
        self.procid = os.getpid()
        if target.transport == "unix":
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self.sock.settimeout(timeout_s)
            self.sock.connect(target.path)
        elif target.transport == "tcp":
            self.sock = socket.create_connection((target.host, target.port), timeout=timeout_s)
        else:
            family = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_DGRAM)[0][0]
            self.sock = socket.socket(family, socket.SOCK_DGRAM)
            self.sock.settimeout(timeout_s)
            self.sock.connect((target.host, target.port))

    def send(self, record: dict[str, Any]) -> None:
        message = format_message(record, self.hostname, self.procid)
        if self.target.transport == "tcp":
            self.sock.sendall(str(len(message)).encode() + b" " + message)
            return
        if len(message) > MAX_DATAGRAM:
            # A datagram has a size limit; the full record stays in `safesh log --json`.
            message = message[: MAX_DATAGRAM - 3] + "…".encode()
        self.sock.send(message)

    def close(self) -> None:
        self.sock.close()
