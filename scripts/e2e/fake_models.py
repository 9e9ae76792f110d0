"""A fake model API on 127.0.0.1 for the conformance suite: it makes a real coding agent call
its shell tool once, then reports what the tool returned.

It speaks just enough of three APIs for the clients the suite pins:
- Anthropic Messages (`POST /v1/messages`, streamed as server-sent events): Claude Code.
- OpenAI Responses (`POST /v1/responses`, streamed): Codex CLI.
- Gemini (`POST /v1beta/models/M:streamGenerateContent?alt=sse`, `:generateContent`,
  `:countTokens`): Gemini CLI.

The command to run travels in the prompt, base64-encoded after the marker `RUN64:`, so no
state is shared between the driver and the server and nothing is quoted through a shell. The
first turn that carries the shell tool answers with a call to it; the turn that carries the
tool's result answers `TOOL-RESULT: <what the tool returned>`, so the driver reads from the
client's own final output exactly what the model was told. Every request is appended to a
JSON-lines log (for debugging and for recording the clients' wrapper lines).

Standard library only; run as `python fake_models.py --port-file F --log L`.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MARKER = re.compile(r"RUN64:([A-Za-z0-9+/=]+)")
# Text to type into the session the command leaves running (Codex's `write_stdin`), also
# base64: the command is started with a terminal and, once the client reports the session id,
# these characters are written to it.
TYPED = re.compile(r"STDIN64:([A-Za-z0-9+/=]+)")
SESSION_ID = re.compile(r"session ID (\d+)")
RESULT_PREFIX = "TOOL-RESULT: "
MCP_TOOL = "mcp__safesh__run_command"  # Claude Code's name for the `safesh mcp` tool
WAIT_ID = "toolu_wait01"


def command_in(text: str, marker: re.Pattern[str] = MARKER) -> str | None:
    found = marker.findall(text)
    if not found:
        return None
    return base64.b64decode(found[-1]).decode("utf-8")


def _texts(value: Any) -> list[str]:
    """Every string anywhere inside a JSON value (prompts hide in nested blocks)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [t for item in value for t in _texts(item)]
    if isinstance(value, dict):
        return [t for item in value.values() for t in _texts(item)]
    return []


def _flat(value: Any) -> str:
    return "\n".join(_texts(value))


# ------------------------------------------------------------------ Anthropic Messages


def anthropic_plan(body: dict[str, Any]) -> tuple[str, Any]:
    """('tool', input) or ('text', text) for one Messages request."""
    tools = {t.get("name") for t in body.get("tools") or [] if isinstance(t, dict)}
    messages = body.get("messages") or []
    last = messages[-1] if messages else {}
    content = last.get("content") if isinstance(last, dict) else None
    waited = False
    if isinstance(content, list):
        results = [b for b in content if isinstance(b, dict) and b.get("type") == "tool_result"]
        waited = bool(results) and results[-1].get("tool_use_id") == WAIT_ID
        if results and not waited:
            block = results[-1]
            flag = " [is_error]" if block.get("is_error") else ""
            return "text", RESULT_PREFIX + _flat(block.get("content")) + flag
    command = command_in(_flat(messages))
    if command is None:
        return "text", "ok"
    if "VIA-MCP" in _flat(messages):
        if MCP_TOOL not in tools and "WaitForMcpServers" in tools and not waited:
            # Claude Code connects MCP servers in the background: wait for them, as a model would.
            return "tool", {"name": "WaitForMcpServers", "input": {}, "id": WAIT_ID}
        if MCP_TOOL not in tools:
            return "text", "the safesh MCP tool was not offered"
        return "tool", {"name": MCP_TOOL, "input": {"command": command}}
    if "Bash" not in tools:
        return "text", "ok"
    return "tool", {
        "name": "Bash",
        "input": {"command": command, "description": "conformance step"},
    }


def anthropic_events(plan: tuple[str, Any], model: str) -> list[tuple[str, dict[str, Any]]]:
    kind, value = plan
    start = {
        "type": "message_start",
        "message": {
            "id": "msg_fake",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": 1, "output_tokens": 1},
        },
    }
    events: list[tuple[str, dict[str, Any]]] = [("message_start", start)]
    if kind == "tool":
        block = {
            "type": "tool_use",
            "id": value.get("id", "toolu_fake01"),
            "name": value["name"],
            "input": {},
        }
        delta = {"type": "input_json_delta", "partial_json": json.dumps(value["input"])}
        stop = "tool_use"
    else:
        block = {"type": "text", "text": ""}
        delta = {"type": "text_delta", "text": value}
        stop = "end_turn"
    events += [
        (
            "content_block_start",
            {"type": "content_block_start", "index": 0, "content_block": block},
        ),
        ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta}),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop, "stop_sequence": None},
                "usage": {"output_tokens": 1},
            },
        ),
        ("message_stop", {"type": "message_stop"}),
    ]
    return events


def anthropic_message(plan: tuple[str, Any], model: str) -> dict[str, Any]:
    kind, value = plan
    if kind == "tool":
        content = [
            {
                "type": "tool_use",
                "id": "toolu_fake01",
                "name": value["name"],
                "input": value["input"],
            }
        ]
    else:
        content = [{"type": "text", "text": value}]
    return {
        "id": "msg_fake",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": "tool_use" if kind == "tool" else "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 1, "output_tokens": 1},
    }


# ------------------------------------------------------------------ OpenAI Responses


def responses_plan(body: dict[str, Any]) -> tuple[str, Any]:
    items = body.get("input") or []
    outputs = [
        i
        for i in items
        if isinstance(i, dict)
        and i.get("type") in ("function_call_output", "custom_tool_call_output")
    ]
    last = items[-1] if items else {}
    user_text = _flat([i for i in items if isinstance(i, dict) and i.get("role") == "user"])
    tools = [t for t in body.get("tools") or [] if isinstance(t, dict)]
    by_name = {t.get("name"): t for t in tools}
    typed = command_in(user_text, TYPED)
    if (
        outputs
        and isinstance(last, dict)
        and last.get("type")
        in (
            "function_call_output",
            "custom_tool_call_output",
        )
    ):
        session = SESSION_ID.search(_flat(outputs[0].get("output")))
        if typed is not None and len(outputs) == 1 and session and "write_stdin" in by_name:
            # The command left a session running: type into it, as a model would.
            write = {"session_id": int(session.group(1)), "chars": typed, "yield_time_ms": 3000}
            return "tool", ("write_stdin", write)
        return "text", RESULT_PREFIX + "\n".join(_flat(o.get("output")) for o in outputs)
    command = command_in(user_text)
    if command is None:
        return "text", "ok"
    for name in ("shell_command", "exec_command", "shell"):
        tool = by_name.get(name)
        if tool is None:
            continue
        props = (tool.get("parameters") or {}).get("properties") or {}
        if "cmd" in props:
            args: dict[str, Any] = {"cmd": command}
            if typed is not None:
                # A terminal of its own, kept alive for the typing that follows.
                args.update(tty=True, yield_time_ms=2000)
        elif (props.get("command") or {}).get("type") == "array":
            args = {"command": ["bash", "-lc", command]}
        else:
            args = {"command": command}
        return "tool", (name, args)
    return "text", "no shell tool offered: " + ", ".join(str(n) for n in by_name)


def responses_events(plan: tuple[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    kind, value = plan
    if kind == "tool":
        name, args = value
        serial = "02" if name == "write_stdin" else "01"  # each call of a turn its own id
        item: dict[str, Any] = {
            "type": "function_call",
            "id": f"fc_fake{serial}",
            "call_id": f"call_fake{serial}",
            "name": name,
            "arguments": json.dumps(args),
            "status": "completed",
        }
    else:
        item = {
            "type": "message",
            "id": "msg_fake01",
            "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": value, "annotations": []}],
        }
    usage = {
        "input_tokens": 1,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": 1,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": 2,
    }
    return [
        ("response.created", {"type": "response.created", "response": {"id": "resp_fake"}}),
        (
            "response.output_item.added",
            {"type": "response.output_item.added", "output_index": 0, "item": item},
        ),
        (
            "response.output_item.done",
            {"type": "response.output_item.done", "output_index": 0, "item": item},
        ),
        (
            "response.completed",
            {
                "type": "response.completed",
                "response": {"id": "resp_fake", "status": "completed", "usage": usage},
            },
        ),
    ]


# ------------------------------------------------------------------ Gemini


def gemini_plan(body: dict[str, Any]) -> tuple[str, Any]:
    contents = body.get("contents") or []
    last = contents[-1] if contents else {}
    parts = last.get("parts") if isinstance(last, dict) else None
    if isinstance(parts, list):
        responses = [
            p["functionResponse"] for p in parts if isinstance(p, dict) and "functionResponse" in p
        ]
        if responses:
            return "text", RESULT_PREFIX + _flat(responses[-1].get("response"))
    declared = {
        d.get("name")
        for tool in body.get("tools") or []
        if isinstance(tool, dict)
        for d in tool.get("functionDeclarations") or []
        if isinstance(d, dict)
    }
    users = [c for c in contents if isinstance(c, dict) and c.get("role") == "user"]
    command = command_in(_flat(users[-1:]))
    if command is None or "run_shell_command" not in declared:
        return "text", "ok"
    return "tool", {"command": command, "description": "conformance step"}


def gemini_response(plan: tuple[str, Any], wants_json: bool) -> dict[str, Any]:
    kind, value = plan
    if kind == "tool":
        part: dict[str, Any] = {"functionCall": {"name": "run_shell_command", "args": value}}
    elif wants_json:
        # Gemini CLI's side calls (routing, next-speaker checks) want JSON they can parse.
        part = {
            "text": json.dumps(
                {"reasoning": "fake", "next_speaker": "user", "model_choice": "flash"}
            )
        }
    else:
        part = {"text": value}
    return {
        "candidates": [
            {"content": {"role": "model", "parts": [part]}, "finishReason": "STOP", "index": 0}
        ],
        "usageMetadata": {"promptTokenCount": 1, "candidatesTokenCount": 1, "totalTokenCount": 2},
        "modelVersion": "gemini-2.5-flash",
    }


# ------------------------------------------------------------------ server


class Handler(BaseHTTPRequestHandler):
    server_version = "fake-models/1"
    protocol_version = "HTTP/1.1"
    log_lock = threading.Lock()
    log_path = ""

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _read_body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            value = json.loads(raw or b"{}")
        except ValueError:
            value = {}
        return value if isinstance(value, dict) else {}

    def _log(self, body: dict[str, Any]) -> None:
        if not self.log_path:
            return
        with self.log_lock, open(self.log_path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"path": self.path, "body": body}) + "\n")

    def _send_json(self, value: dict[str, Any], status: int = 200) -> None:
        data = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send_sse(self, events: list[tuple[str | None, dict[str, Any]]]) -> None:
        chunks = []
        for name, data in events:
            head = f"event: {name}\n" if name else ""
            chunks.append(f"{head}data: {json.dumps(data)}\n\n")
        payload = "".join(chunks).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        if "/models" in self.path:
            self._send_json({"data": [], "models": []})
            return
        self._send_json({})

    def do_HEAD(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self) -> None:
        body = self._read_body()
        self._log(body)
        path = self.path.split("?", 1)[0]
        if path.endswith("/messages/count_tokens"):
            self._send_json({"input_tokens": 10})
        elif path.endswith("/messages"):
            model = str(body.get("model") or "claude-fake")
            plan = anthropic_plan(body)
            if body.get("stream"):
                self._send_sse(list(anthropic_events(plan, model)))
            else:
                self._send_json(anthropic_message(plan, model))
        elif path.endswith("/responses"):
            self._send_sse(list(responses_events(responses_plan(body))))
        elif path.endswith(":countTokens"):
            self._send_json({"totalTokens": 10})
        elif path.endswith(":streamGenerateContent"):
            self._send_sse([(None, gemini_response(gemini_plan(body), False))])
        elif path.endswith(":generateContent"):
            config = body.get("generationConfig") or {}
            wants_json = config.get("responseMimeType") == "application/json"
            self._send_json(gemini_response(gemini_plan(body), wants_json))
        else:
            self._send_json({"error": {"message": f"fake server: no route {path}"}}, 404)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--log", default="")
    args = parser.parse_args(argv)
    Handler.log_path = args.log
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(args.port_file, "w", encoding="utf-8") as handle:
        handle.write(str(server.server_address[1]))
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
