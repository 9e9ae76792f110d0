"""Pre-exec hook adapters: each agent's payload in, each agent's answer out.

Pure functions only (no I/O, no safesh.check): `decode_payload` turns the JSON an agent writes
to the hook's stdin into a `HookRequest`; `compose_reason` writes the text the model (or the
human) reads; `encode_response` turns a decision into the exact stdout / stderr / exit code that
agent understands. `safesh.cli.commands.hook` wires them to stdin, `safesh.check` and stdout.

Every agent lets the command run when a hook crashes or answers something it cannot read, so the
encoders only ever produce answers taken from the agents' documented formats (see
docs/agents.md and tests/fixtures/agent-protocols/).
"""

from __future__ import annotations

import json
import posixpath
import re
import shlex
from collections.abc import Mapping, Sequence

from safesh.lazy_re import later
from safesh.record import frozen

# Canonical agent names, in the order docs and `safesh doctor` list them.
AGENTS: tuple[str, ...] = ("claude-code", "gemini-cli", "cursor", "codex", "copilot-cli")

# Short names people (and the protocol notes' examples) write in hook commands.
ALIASES: Mapping[str, str] = {
    "claude": "claude-code",
    "gemini": "gemini-cli",
    "copilot": "copilot-cli",
    "cursor-agent": "cursor",
    "codex-cli": "codex",
}

# The tool names under which each agent runs a shell command; anything else is not ours to judge.
SHELL_TOOLS: Mapping[str, frozenset[str]] = {
    "claude-code": frozenset({"Bash"}),
    "codex": frozenset({"Bash"}),
    "gemini-cli": frozenset({"run_shell_command"}),
    # Copilot spells tool names in lower case ("bash"); compared case-insensitively. PowerShell
    # is not bash, so safesh has no opinion on it.
    "copilot-cli": frozenset({"bash", "shell"}),
}

# Tools that type into a shell session an earlier call started (Copilot CLI's `write_bash`,
# whose arguments are `{shellId, input, delay?}` in the client bundled in @github/copilot
# 1.0.102; `chars` and `text` are read too, in case another version names it so). Its
# changelog for 1.0.63 says `write_bash` no longer takes interactive input (commands run
# without a pseudo-terminal); older clients do. What is typed is judged as command lines for
# that session's shell: a program started there that reads typed input would have asked when
# it was started. Codex 0.171.0's `write_stdin` runs no hook at all (see LIVE_INPUT).
TYPING_TOOLS: Mapping[str, frozenset[str]] = {"copilot-cli": frozenset({"write_bash"})}
_TYPED_KEYS = ("input", "chars", "text")

# Agents that can type into a command they started and keep alive, where no hook sees what
# they type: Codex CLI's `exec_command` runs a command in a terminal (`tty: true`) and
# `write_stdin` writes to it later; Codex (0.171.0) runs no PreToolUse hook for write_stdin,
# and the hook for exec_command carries only `command`, not `tty`. Copilot CLI keeps `bash`
# sessions that `write_bash` types into. Cursor: unknown, so treated the same. Claude Code
# (2.1.197) and Gemini CLI (0.61.0) run every command with /dev/null as its standard input and
# have no tool that writes to a running command. For these agents a line that starts a program
# reading what is typed at it (a shell, a REPL, a database console, `ssh HOST`) asks.
LIVE_INPUT: frozenset[str] = frozenset({"codex", "copilot-cli", "cursor"})

# Agents whose hook protocol has a working "ask the human" answer. Codex marks `ask` as an
# unsupported output and runs the command; Copilot only processes `deny`. For those, `ask`
# becomes a deny that tells the model to get a human's approval.
NATIVE_ASK: frozenset[str] = frozenset({"claude-code", "gemini-cli", "cursor"})

CURSOR_EVENT = "beforeShellExecution"

# Events an agent sends after its shell tool ran (or failed): safesh records the outcome.
POST_EVENTS: frozenset[str] = frozenset({"PostToolUse", "PostToolUseFailure", "AfterTool"})

# Claude Code's CLAUDE_CODE_ENTRYPOINT for runs without a human at the dialog: `claude -p`
# ("sdk-cli", recorded from 2.1.197) and the SDKs ("sdk-ts", "sdk-py").
_HEADLESS_ENTRYPOINT_PREFIX = "sdk"

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (an agent's every call)

if TYPE_CHECKING:
    from typing import Literal

    # What safesh decided, plus "abstain": the tool call is not a shell command, no opinion.
    HookDecision = Literal["allow", "notify", "ask", "block", "abstain"]
DECISIONS: tuple[str, ...] = ("allow", "notify", "ask", "block", "abstain")

_NO_DETOUR = (
    "Do not try to get the same effect another way (rephrasing the command, splitting it up, "
    "or wrapping it in another shell, script, alias, interpreter or tool): that is treated the "
    "same and is recorded."
)


class UnknownAgentError(ValueError):
    """The hook was installed with an agent name safesh does not know."""


class HookPayloadError(ValueError):
    """The agent's payload could not be read: not JSON, or a required field is missing."""


@frozen
class HookRequest:
    """What one hook call asks about, and who asks.

    `command` is None when the tool call is not a shell command (safesh abstains).
    `session_id` and `agent` identify the caller for the audit record.
    """

    agent: str
    tool_name: str
    command: str | None
    cwd: str | None
    session_id: str | None
    event: str | None = None
    # After-execution events only: the tool's result as the agent reported it.
    result: ToolResult | None = None

    @property
    def is_shell(self) -> bool:
        return self.command is not None

    @property
    def is_post(self) -> bool:
        return self.event in POST_EVENTS


@frozen
class ToolResult:
    """What an agent's post-execution hook says happened to the command.

    `outcome` is the audit log's word: "ran", "interrupted" or "failed" (the tool did not
    get to run the command, or said so without an exit status)."""

    outcome: str
    exit_status: int | None = None
    detail: str | None = None


@frozen
class HookResponse:
    """Exactly what the hook process writes and how it exits."""

    stdout: str
    stderr: str
    exit_code: int


@frozen
class Concern:
    """One reason the command was not simply allowed, as the message names it."""

    rule_id: str
    reason: str
    alternative: str | None = None


def canonical_agent(name: str) -> str:
    """`claude` -> `claude-code`; raises UnknownAgentError for a name safesh does not know."""
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    if key not in AGENTS:
        known = ", ".join(AGENTS)
        raise UnknownAgentError(f"unknown agent {name!r} (expected one of: {known})")
    return key


# --------------------------------------------------------------------------------------------
# decoding


def decode_payload(agent: str, raw: str) -> HookRequest:
    """Read one agent's hook payload. Raises HookPayloadError when it cannot be trusted."""
    agent = canonical_agent(agent)
    data = _load_object(raw, "payload")
    if agent == "cursor":
        return _decode_cursor(data)
    if agent == "copilot-cli":
        return _decode_copilot(data)
    return _decode_tool_input(agent, data)


def _load_object(raw: str, what: str) -> dict[str, object]:
    if not raw.strip():
        raise HookPayloadError(f"the hook {what} is empty")
    try:
        value = json.loads(raw)
    except ValueError as error:  # JSONDecodeError and RecursionError-free malformed input
        raise HookPayloadError(f"the hook {what} is not valid JSON ({error})") from None
    if not isinstance(value, dict):
        raise HookPayloadError(f"the hook {what} is not a JSON object")
    return value


def _decode_tool_input(agent: str, data: Mapping[str, object]) -> HookRequest:
    """Claude Code, Codex and Gemini CLI: `tool_name` + `tool_input.command`."""
    tool = _required_str(data, "tool_name")
    session = _optional_str(data, "session_id")
    event = _optional_str(data, "hook_event_name")
    cwd = _optional_str(data, "cwd")
    if tool not in SHELL_TOOLS[agent]:
        return HookRequest(agent, tool, None, cwd, session, event)
    tool_input = data.get("tool_input")
    if not isinstance(tool_input, dict):
        raise HookPayloadError("tool_input is missing or not an object")
    command = _command_text(tool_input.get("command"), "tool_input.command")
    # Gemini runs the command in `dir_path` (relative to the project) when one is given, and
    # path classes (outside-cwd, project, ...) must be judged from where it really runs.
    dir_path = tool_input.get("dir_path")
    if isinstance(dir_path, str) and dir_path:
        cwd = posixpath.normpath(posixpath.join(cwd, dir_path)) if cwd else dir_path
    result = tool_result(event, data) if event in POST_EVENTS else None
    return HookRequest(agent, tool, command, cwd, session, event, result)


# "Exit code 2" (Claude Code's PostToolUseFailure), "Exit Code: 2" (Gemini CLI's AfterTool),
# "Process exited with code 2" (Codex's exec output).
_EXIT_STATUS = later(r"exit(?:ed with)? code:? (-?[0-9]+)", re.IGNORECASE)


def tool_result(event: str | None, data: Mapping[str, object]) -> ToolResult:
    """The outcome in a PostToolUse / PostToolUseFailure / AfterTool payload (recorded from
    Claude Code 2.1.197, Codex CLI 0.171.0 and Gemini CLI 0.61.0)."""
    if event == "PostToolUseFailure":
        error = data.get("error")
        text = error if isinstance(error, str) else ""
        if data.get("is_interrupt") is True:
            return ToolResult("interrupted", None, _first_line(text))
        found = _EXIT_STATUS.search(text)
        if found:
            return ToolResult("ran", int(found.group(1)), _first_line(text))
        return ToolResult("failed", None, _first_line(text) or None)
    response = data.get("tool_response")
    if isinstance(response, dict):
        if response.get("interrupted") is True:
            return ToolResult("interrupted")
        error = response.get("error")
        text = "\n".join(
            v for v in (response.get("llmContent"), response.get("stderr")) if isinstance(v, str)
        )
        found = _EXIT_STATUS.search(text)
        if found:
            return ToolResult("ran", int(found.group(1)))
        if error:
            return ToolResult("failed", None, _first_line(str(error)))
        return ToolResult("ran", 0)
    text = response if isinstance(response, str) else ""
    found = _EXIT_STATUS.search(text)
    return ToolResult("ran", int(found.group(1)) if found else None)


def _first_line(text: str) -> str:
    return text.strip().split("\n", 1)[0][:200]


def ask_on_the_spot(agent: str, env: Mapping[str, str]) -> bool:
    """Whether this agent's own "ask" reaches a human who can answer now.

    Claude Code asks in its dialog, but not under `claude -p` or an SDK (its entrypoint says
    so). Gemini CLI's hook `ask` is undocumented and, under `--approval-mode yolo` (the only
    headless mode in which its shell tool is offered), ends the run with no tool result, and
    the hook cannot tell the modes apart: for Gemini, safesh's approvals always stand in.
    Cursor's hook cannot tell either; it asks, and the agent is also told the request id.
    """
    agent = canonical_agent(agent)
    if agent == "claude-code":
        entry = env.get("CLAUDE_CODE_ENTRYPOINT", "")
        return not entry.startswith(_HEADLESS_ENTRYPOINT_PREFIX)
    return agent == "cursor"


def _decode_cursor(data: Mapping[str, object]) -> HookRequest:
    """Cursor's beforeShellExecution: top-level `command` and `cwd`."""
    event = _optional_str(data, "hook_event_name")
    session = _optional_str(data, "conversation_id")
    cwd = _optional_str(data, "cwd")
    if cwd is None:
        roots = data.get("workspace_roots")
        if isinstance(roots, list) and roots and isinstance(roots[0], str):
            cwd = roots[0]
    if event is not None and event != CURSOR_EVENT:
        # Installed on another event by hand: not a shell command, not ours.
        return HookRequest("cursor", event, None, cwd, session, event)
    command = _command_text(data.get("command"), "command")
    return HookRequest("cursor", "shell", command, cwd, session, event or CURSOR_EVENT)


def _decode_copilot(data: Mapping[str, object]) -> HookRequest:
    """Copilot CLI's preToolUse: `toolName` + `toolArgs`, a JSON string or an object."""
    tool = _required_str(data, "toolName")
    cwd = _optional_str(data, "cwd")
    session = _optional_str(data, "sessionId") or _optional_str(data, "session_id")
    typing = tool.lower() in TYPING_TOOLS["copilot-cli"]
    if tool.lower() not in SHELL_TOOLS["copilot-cli"] and not typing:
        return HookRequest("copilot-cli", tool, None, cwd, session, "preToolUse")
    args = data.get("toolArgs")
    if isinstance(args, str):
        args = _load_object(args, "toolArgs")
    if not isinstance(args, dict):
        raise HookPayloadError("toolArgs is missing or not an object")
    if typing:
        # What is typed into the session is judged as the lines its shell would run; text
        # safesh cannot find is refused (fail closed), never passed through unjudged.
        typed = next((args[k] for k in _TYPED_KEYS if isinstance(args.get(k), str)), None)
        if typed is None:
            raise HookPayloadError(f"{tool}: the text typed into the session is missing")
        return HookRequest("copilot-cli", tool, typed, cwd, session, "preToolUse")
    command = _command_text(args.get("command"), "toolArgs.command")
    return HookRequest("copilot-cli", tool, command, cwd, session, "preToolUse")


def _command_text(value: object, field: str) -> str:
    if isinstance(value, str):
        return value
    # An argv list (some agents describe exec calls this way) is judged as the line it runs.
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return shlex.join(value)
    raise HookPayloadError(f"{field} is missing or not a string")


def _required_str(data: Mapping[str, object], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise HookPayloadError(f"{key} is missing or not a string")
    return value


def _optional_str(data: Mapping[str, object], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and value else None


# --------------------------------------------------------------------------------------------
# messages


def compose_reason(
    agent: str,
    decision: HookDecision,
    concerns: Sequence[Concern],
    fallback: str = "",
    approval_id: str | None = None,
    *,
    native_ask: bool | None = None,
) -> str:
    """The paragraph the agent shows: what matched, why, the safer way, who can approve.

    Written for a model: it names the rule so the refusal is specific, gives the safer
    alternative when there is one, and says plainly not to route around the refusal.
    `native_ask` (default: the agent's protocol has an ask) says the agent's own dialog
    will ask a human now; otherwise an ask is a refusal that names the approval request.
    """
    agent = canonical_agent(agent)
    native = agent in NATIVE_ASK if native_ask is None else native_ask
    what = _describe(concerns, fallback)
    alternative = _alternatives(concerns)
    if decision in ("allow", "notify", "abstain"):
        return f"safesh: {what}" if concerns else "safesh: no rule matched"
    if decision == "ask" and native:
        # Shown to the human in the agent's confirmation dialog.
        return f"safesh: this command needs your confirmation. {what}{alternative}"
    if decision == "ask":
        if approval_id:
            approve = (
                f"A human must approve it: ask the user to run `safesh approve {approval_id}` "
                "(`safesh approvals` lists pending requests) or to run the command themselves. "
                "Once they have approved it, run the identical command again in the same "
                "directory: it is then allowed once."
            )
        else:
            approve = (
                "A human must approve it: stop, tell the user what you wanted to run and why, "
                "and ask them to approve it or run it themselves."
            )
        return (
            f"safesh: this command needs human approval and was NOT run. {what}{alternative} "
            f"{approve} {_NO_DETOUR}"
        )
    return (
        f"safesh blocked this command; it was NOT run. {what}{alternative} "
        "If it really has to happen, tell the user and let them run it themselves. "
        f"{_NO_DETOUR}"
    )


def error_reason(problem: str) -> str:
    """The deny text when safesh could not judge the command at all (fail closed)."""
    return (
        f"safesh could not check this command ({problem}), so it was NOT run. This is a safety "
        "stop, not a verdict on the command: tell the user, who can run `safesh doctor`. "
        f"{_NO_DETOUR}"
    )


def _describe(concerns: Sequence[Concern], fallback: str) -> str:
    if not concerns:
        text = " ".join(fallback.split())
        return _sentence(text) if text else "No reason was given."
    parts = [f"[{c.rule_id}] {_sentence(' '.join(c.reason.split()))}" for c in concerns]
    return " ".join(parts)


def _alternatives(concerns: Sequence[Concern]) -> str:
    seen: list[str] = []
    for concern in concerns:
        if concern.alternative and concern.alternative not in seen:
            seen.append(concern.alternative)
    if not seen:
        return ""
    return " Safer alternative: " + "; ".join(seen) + "."


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else text + "."


def _summary(reason: str) -> str:
    """The first sentence, for places that show a human one short line."""
    head, dot, _ = reason.partition(". ")
    return head + dot.strip()


# --------------------------------------------------------------------------------------------
# encoding


def encode_response(
    agent: str,
    decision: HookDecision,
    reason: str,
    *,
    summary: str | None = None,
    native_ask: bool | None = None,
    approval_id: str | None = None,
) -> HookResponse:
    """The agent's own answer for `decision`. `ask` on an agent without ask becomes a deny
    (pass a reason from `compose_reason`, which then says a human must approve).

    `summary` is the one-line text for a human where the format has a separate field
    (Cursor's user_message); it defaults to the reason's first sentence.
    """
    agent = canonical_agent(agent)
    if decision not in DECISIONS:
        raise ValueError(f"unknown decision {decision!r}")
    # A word of the command can reach the reason, and UTF-8 cannot carry a lone surrogate
    # (JSON's "\ud800" decodes to one): writing it would fail and the agent would read an
    # empty answer as "go ahead". Shown as a visible escape instead.
    reason = _printable(reason)
    short = _printable(summary or _summary(reason))
    verdict: Literal["allow", "ask", "deny", "none"]
    if decision == "abstain":
        verdict = "none"
    elif decision in ("allow", "notify"):
        verdict = "allow"
    elif decision == "ask" and (agent in NATIVE_ASK if native_ask is None else native_ask):
        verdict = "ask"
    else:
        verdict = "deny"
    if agent in ("claude-code", "codex"):
        return _encode_claude_style(agent, verdict, reason)
    if agent == "gemini-cli":
        return _encode_gemini(verdict, reason)
    if agent == "cursor":
        return _encode_cursor(verdict, reason, short, approval_id)
    return _encode_copilot(verdict, reason)


def _printable(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _json(value: Mapping[str, object]) -> str:
    return json.dumps(value, ensure_ascii=False) + "\n"


def _deny_exit2(stdout: str, reason: str) -> HookResponse:
    # Exit 2 with the reason on stderr is a deny on its own for Claude Code, Codex and Gemini
    # CLI, so the command stays stopped even if the JSON on stdout were not read.
    return HookResponse(stdout, reason + "\n", 2)


def _encode_claude_style(
    agent: str, verdict: Literal["allow", "ask", "deny", "none"], reason: str
) -> HookResponse:
    """Claude Code and Codex share `hookSpecificOutput.permissionDecision`."""
    if verdict == "none":
        return HookResponse("", "", 0)
    if verdict == "allow" and agent == "codex":
        # Codex rejects a bare "allow" as unsupported; an empty object means "carry on".
        return HookResponse("{}\n", "", 0)
    output = _json(
        {
            "hookSpecificOutput": {
                "hookEventName": "PreToolUse",
                "permissionDecision": verdict,
                "permissionDecisionReason": reason,
            }
        }
    )
    if verdict == "deny":
        return _deny_exit2(output, reason)
    return HookResponse(output, "", 0)


def _encode_gemini(verdict: Literal["allow", "ask", "deny", "none"], reason: str) -> HookResponse:
    if verdict == "none":
        return HookResponse("", "", 0)
    if verdict == "allow":
        # Does not auto-approve: Gemini's policy engine still decides.
        return HookResponse(_json({"decision": "allow"}), "", 0)
    if verdict == "ask":
        # `ask` is in Gemini's scheduler but not its docs; `systemMessage` is what the
        # confirmation shows, `reason` is kept for versions that read only that.
        return HookResponse(
            _json({"decision": "ask", "reason": reason, "systemMessage": reason}), "", 0
        )
    return _deny_exit2(_json({"decision": "deny", "reason": reason}), reason)


def _encode_cursor(
    verdict: Literal["allow", "ask", "deny", "none"],
    reason: str,
    short: str,
    approval_id: str | None = None,
) -> HookResponse:
    # Exit 0 always: that exit 2 blocks in Cursor is unconfirmed, and a non-zero exit that
    # Cursor took for a crashed hook would let the command run.
    if verdict == "none":
        return HookResponse("{}\n", "", 0)
    if verdict == "allow":
        return HookResponse(_json({"permission": "allow"}), "", 0)
    if verdict == "ask":
        agent_message = "safesh asked the user to confirm this command. " + reason.removeprefix(
            "safesh: "
        )
        if approval_id:
            # Cursor cannot tell safesh whether anyone is at the dialog (a background agent,
            # `cursor-agent -p`): the model also learns the way forward without one.
            agent_message += (
                f" If no one answers or it is not run, request {approval_id} is waiting: ask "
                f"the user to run `safesh approve {approval_id}`, then run the identical "
                "command again in the same directory."
            )
        payload = {"permission": "ask", "user_message": reason, "agent_message": agent_message}
        return HookResponse(_json(payload), "", 0)
    payload = {"permission": "deny", "user_message": short, "agent_message": reason}
    return HookResponse(_json(payload), "", 0)


def _encode_copilot(verdict: Literal["allow", "ask", "deny", "none"], reason: str) -> HookResponse:
    # Copilot only acts on "deny"; for anything else printing nothing lets its own
    # permission flow carry on unchanged. Exit codes other than 0 are undocumented.
    if verdict in ("none", "allow"):
        return HookResponse("", "", 0)
    payload = {"permissionDecision": "deny", "permissionDecisionReason": reason}
    return HookResponse(_json(payload), "", 0)
