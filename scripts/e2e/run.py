"""Conformance suite: safesh in front of the real coding agents, headless, end to end.

For each pinned client (installed from npm into a cache directory) and each route it has
(pre-exec hook, Claude Code's shell prefix, PATH shims, the `safesh mcp` server), the client
runs headless against the fake model API in fake_models.py, which makes it call its shell
tool with one command per scenario:

  allow    `echo e2e-allow > allowed.txt`      must run (the file appears)
  block    `kubectl delete namespace prod`     must not run; the model is told safesh's rule
  ask      `git push --force origin main`      must not run; the model must be told the id
  approve  the same, after `safesh approve ID`: the identical command runs exactly once
  stored   `deploy_env`, a function of the user's ~/.bashrc that runs the block scenario's
           command (hook routes of Claude Code and Codex, whose shells source a snapshot of
           it): must not run; the model is told safesh's rule
  live     `bash` started in a terminal, then the block scenario's command typed into it
           (Codex's exec_command with tty, then write_stdin, which runs no hook): the typed
           command must not run; the model is told safesh's rule for the start

Destructive programs are stubs first on PATH that only leave a mark; HOME and the project are
temporary directories; the only network is 127.0.0.1 (and the npm registry for installs).
Prints a matrix; exits 1 if a cell that ran failed. A client that cannot run here is skipped
with the reason.

    python scripts/e2e/run.py [--cache DIR] [--only claude,codex,gemini] [--keep]
"""

from __future__ import annotations

import argparse
import base64
import fcntl
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PINNED = {
    "claude": ("@anthropic-ai/claude-code", "2.1.197"),
    "codex": ("@openai/codex", "0.171.0"),
    "gemini": ("@google/gemini-cli", "0.61.0"),
}
SCENARIOS = {
    "allow": "echo e2e-allow > allowed.txt",
    # Not `rm -rf ~`: Claude Code refuses that one itself, before safesh is asked.
    "block": "kubectl delete namespace prod",
    "ask": "git push --force origin main",
}
BLOCK_RULE = "k8s.delete"  # the rule safesh names for the block scenario
# A function of the user's ~/.bashrc, which the agents' shell snapshots carry into every
# command: the "stored" scenario calls it by its harmless-looking name.
STORED_RC = "deploy_env () {\n    kubectl delete namespace prod\n}\n"
STORED_COMMAND = "deploy_env"
# A shell kept alive, and a line typed into it later (Codex's write_stdin).
LIVE_START = "bash"
LIVE_TYPED = "kubectl delete namespace prod\n"
LIVE_RULE = "core.live-input"
STUBS = ("rm", "git", "dd", "mkfs", "shred", "kubectl", "terraform")
SANDBOX = Path("/work/shared/tools/readonly-run")
CLIENT_TIMEOUT_S = 180


@dataclass
class Cell:
    client: str
    route: str
    scenario: str
    status: str  # pass | FAIL | skip
    detail: str = ""


@dataclass
class Run:
    """One client invocation's result: the model's final text and the run's files."""

    text: str
    returncode: int
    stdout: str
    stderr: str


@dataclass
class World:
    """A fresh HOME, project, stubs and safesh state for one route of one client."""

    base: Path
    port: int
    home: Path = field(init=False)
    project: Path = field(init=False)
    stubs: Path = field(init=False)

    def __post_init__(self) -> None:
        self.home = self.base / "home"
        self.project = self.base / "project"
        self.stubs = self.base / "stubs"
        for directory in (self.home, self.project, self.stubs):
            directory.mkdir(parents=True)
        for name in STUBS:
            stub = self.stubs / name
            stub.write_text(f'#!/bin/sh\necho "{name} $*" >> "{self.base}/stub-ran"\n')
            stub.chmod(0o755)

    def env(self, **extra: str) -> dict[str, str]:
        keep = ("LANG", "TERM", "TMPDIR", "SSL_CERT_FILE", "NODE_EXTRA_CA_CERTS")
        env = {k: os.environ[k] for k in keep if k in os.environ}
        env.update(
            HOME=str(self.home),
            PATH=f"{self.stubs}:{os.path.dirname(sys.executable)}:/usr/local/bin:/usr/bin:/bin",
            XDG_CONFIG_HOME=str(self.base / "config"),
            XDG_STATE_HOME=str(self.base / "state"),
            XDG_CACHE_HOME=str(self.base / "cache"),
            PYTHONPATH=str(ROOT),
            SAFESH_NONINTERACTIVE="1",
        )
        env.update(extra)
        return env

    def stub_log(self) -> list[str]:
        path = self.base / "stub-ran"
        return path.read_text().splitlines() if path.exists() else []

    def safesh(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-P", "-m", "safesh", *args],
            env=self.env(),
            cwd=self.project,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def approve_in_a_terminal(self, approval_id: str) -> subprocess.CompletedProcess[str]:
        """`safesh approve ID` as a human types it: with a terminal of its own (safesh grants
        nothing to a process without one, as agents' commands have none)."""
        leader, follower = os.openpty()

        def take_the_terminal() -> None:
            os.setsid()
            fcntl.ioctl(follower, termios.TIOCSCTTY, 0)

        try:
            return subprocess.run(
                [sys.executable, "-P", "-m", "safesh", "approve", approval_id],
                env=self.env(),
                cwd=self.project,
                stdin=follower,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
                preexec_fn=take_the_terminal,
            )
        finally:
            os.close(leader)
            os.close(follower)

    def pending(self) -> list[dict[str, str]]:
        listed = self.safesh("approvals", "--json")
        try:
            value = json.loads(listed.stdout or "[]")
        except ValueError:
            return []
        return value if isinstance(value, list) else []

    def launcher(self) -> str:
        return shlex.join(["env", f"PYTHONPATH={ROOT}", sys.executable, "-P", "-m", "safesh"])


# ------------------------------------------------------------------ installing the clients


def install(cache: Path, client: str) -> tuple[Path | None, str]:
    """The client's executable from the npm cache (installed on first use), or a reason."""
    package, version = PINNED[client]
    prefix = cache / f"{client}-{version}"
    if not (prefix / "node_modules").exists():
        if shutil.which("npm") is None:
            return None, "npm is not installed"
        prefix.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [
                "npm",
                "install",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(prefix),
                f"{package}@{version}",
            ],
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if done.returncode != 0:
            return None, f"npm install {package}@{version} failed: {done.stderr.strip()[-300:]}"
    if client == "claude":
        # The package's postinstall copies a platform binary over bin/claude.exe; npm may not
        # run install scripts, so the binary is taken from its platform package directly.
        found = sorted(
            (prefix / "node_modules" / "@anthropic-ai").glob("claude-code-linux-*/claude")
        )
        if not found:
            return None, "no Claude Code binary for this platform in the npm package"
        return found[0], ""
    program = prefix / "node_modules" / ".bin" / client
    return (program, "") if program.exists() else (None, f"{program} missing after install")


# ------------------------------------------------------------------ running one client


def prompt(command: str, via: str = "") -> str:
    marker = base64.b64encode(command.encode()).decode()
    return f"Run this for me. {via}RUN64:{marker}"


def typed_later(text: str) -> str:
    """The prompt part that makes the fake model type `text` into the session the command
    leaves running (fake_models.py, `STDIN64:`)."""
    return "STDIN64:" + base64.b64encode(text.encode()).decode() + " "


def run_client(argv: list[str], world: World, env: dict[str, str]) -> Run:
    wrapped = argv
    if SANDBOX.exists() and os.environ.get("SAFESH_E2E_NO_SANDBOX") != "1":
        # The sandbox is a bash script: it must not meet the shims, so the client gets its
        # PATH only inside it.
        inner = ["env", f"PATH={env['PATH']}", *argv]
        env = {**env, "PATH": world.env()["PATH"]}
        wrapped = [str(SANDBOX), "-w", str(world.base), "--", *inner]
    try:
        done = subprocess.run(
            wrapped,
            env=env,
            cwd=world.project,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=CLIENT_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as expired:
        out = expired.stdout if isinstance(expired.stdout, str) else ""
        return Run("", 124, out, "timed out")
    return Run(final_text(done.stdout), done.returncode, done.stdout, done.stderr)


def final_text(stdout: str) -> str:
    """The model's last message from a client's JSON / JSON-lines output."""
    texts: list[str] = []
    for line in [stdout, *stdout.splitlines()]:
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if not isinstance(value, dict):
            continue
        for key in ("result", "response"):
            if isinstance(value.get(key), str):
                texts.append(value[key])
        item = value.get("item")
        if isinstance(item, dict) and item.get("type") == "agent_message":
            texts.append(str(item.get("text", "")))
    return texts[-1] if texts else ""


# ------------------------------------------------------------------ the clients' set-ups


def claude_argv(
    program: Path, command: str, via: str = "", extra: tuple[str, ...] = ()
) -> list[str]:
    return [
        str(program), "-p", prompt(command, via), "--output-format", "json",
        "--permission-mode", "bypassPermissions", *extra,
    ]  # fmt: skip


def claude_env(world: World) -> dict[str, str]:
    key = "sk-ant-e2e-0123456789abcdefghijKLMN"
    config = {
        "hasCompletedOnboarding": True,
        "customApiKeyResponses": {"approved": [key[-20:]], "rejected": []},
        "projects": {str(world.project): {"hasTrustDialogAccepted": True}},
    }
    (world.home / ".claude.json").write_text(json.dumps(config))
    return world.env(
        ANTHROPIC_BASE_URL=f"http://127.0.0.1:{world.port}",
        ANTHROPIC_API_KEY=key,
        DISABLE_AUTOUPDATER="1",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1",
        IS_SANDBOX="1",
    )


def claude_settings(world: World, value: dict[str, object]) -> None:
    path = world.home / ".claude" / "settings.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    current = json.loads(path.read_text()) if path.exists() else {}
    current.update(value)
    path.write_text(json.dumps(current, indent=2))


def codex_env(world: World) -> dict[str, str]:
    codex = world.home / ".codex"
    codex.mkdir(parents=True, exist_ok=True)
    (codex / "config.toml").write_text(
        'model = "gpt-e2e"\nmodel_provider = "fake"\napproval_policy = "never"\n'
        # A login shell (bash -lc) would take PATH from /etc/profile and skip the stubs.
        'sandbox_mode = "danger-full-access"\nallow_login_shell = false\n\n'
        '[model_providers.fake]\nname = "fake"\n'
        f'base_url = "http://127.0.0.1:{world.port}/v1"\nwire_api = "responses"\n'
        'env_key = "FAKE_API_KEY"\n\n[features]\nhooks = true\n\n'
        f'[projects."{world.project}"]\ntrust_level = "trusted"\n'
    )
    return world.env(FAKE_API_KEY="e2e")


def codex_argv(program: Path, command: str, trusted: bool = True, via: str = "") -> list[str]:
    # The suite cannot press `t` in /hooks, so a "trusted" hook runs by the bypass flag; the
    # untrusted route shows what happens without it, and that `safesh doctor` says so.
    bypass = ["--dangerously-bypass-hook-trust"] if trusted else []
    return [
        str(program), "exec", "--skip-git-repo-check", "--json", *bypass, prompt(command, via),
    ]  # fmt: skip


def gemini_env(world: World) -> dict[str, str]:
    gemini = world.home / ".gemini"
    gemini.mkdir(parents=True, exist_ok=True)
    settings_path = gemini / "settings.json"
    settings = json.loads(settings_path.read_text()) if settings_path.exists() else {}
    settings["security"] = {"auth": {"selectedType": "gemini-api-key"}}
    settings_path.write_text(json.dumps(settings, indent=2))
    (gemini / "trustedFolders.json").write_text(json.dumps({str(world.project): "TRUST_FOLDER"}))
    return world.env(
        GEMINI_API_KEY="e2e",
        GOOGLE_GEMINI_BASE_URL=f"http://127.0.0.1:{world.port}",
        GEMINI_CLI_NO_RELAUNCH="true",
    )


def gemini_argv(program: Path, command: str) -> list[str]:
    return [
        str(program), "-p", prompt(command), "--output-format", "json",
        "--approval-mode", "yolo",
    ]  # fmt: skip


# ------------------------------------------------------------------ routes


@dataclass(frozen=True)
class Route:
    client: str
    name: str
    # set up the world; returns (argv maker, env)
    prepare: Callable[[World, Path], tuple[Callable[[str], list[str]], dict[str, str]]]


def claude_hook(world: World, program: Path) -> tuple[Callable[[str], list[str]], dict[str, str]]:
    env = claude_env(world)
    world.safesh("install-hook", "claude-code")
    return (lambda c: claude_argv(program, c)), env


def claude_prefix(world: World, program: Path) -> tuple[Callable[[str], list[str]], dict[str, str]]:
    env = claude_env(world)
    wrapper = world.base / "safesh-claude-prefix"
    wrapper.write_text(f'#!/bin/sh\nexec {world.launcher()} -c "$1"\n')
    wrapper.chmod(0o755)
    claude_settings(world, {"env": {"CLAUDE_CODE_SHELL_PREFIX": str(wrapper)}})
    return (lambda c: claude_argv(program, c)), env


def claude_mcp(world: World, program: Path) -> tuple[Callable[[str], list[str]], dict[str, str]]:
    env = claude_env(world)
    config = world.base / "mcp.json"
    server = {
        "command": sys.executable,
        "args": ["-P", "-m", "safesh", "mcp"],
        "env": world.env(),
    }
    config.write_text(json.dumps({"mcpServers": {"safesh": server}}))
    extra = ("--mcp-config", str(config), "--disallowedTools", "Bash")
    # Claude Code connects MCP servers in the background; headless, wait for them first.
    env["MCP_CONNECTION_NONBLOCKING"] = "false"
    env["MCP_TIMEOUT"] = "60000"  # a loaded machine starts Python slowly
    return (lambda c: claude_argv(program, c, via="VIA-MCP ", extra=extra)), env


def codex_hook(world: World, program: Path) -> tuple[Callable[[str], list[str]], dict[str, str]]:
    env = codex_env(world)
    world.safesh("install-hook", "codex")
    codex_trust(world, program, env)
    return (lambda c: codex_argv(program, c, trusted=False)), env


def codex_trust(world: World, program: Path, env: dict[str, str]) -> None:
    """Trust the installed hooks as `/hooks` would: ask `codex app-server` for each hook's key
    and current hash (`hooks/list`) and store them as trusted in config.toml."""
    server = subprocess.Popen(
        [str(program), "app-server"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=world.project,
    )
    assert server.stdin is not None and server.stdout is not None

    def call(message: dict[str, object]) -> dict[str, object]:
        assert server.stdin is not None and server.stdout is not None
        server.stdin.write(json.dumps(message) + "\n")
        server.stdin.flush()
        if "id" not in message:
            return {}
        for _ in range(200):
            reply = json.loads(server.stdout.readline() or "{}")
            if reply.get("id") == message["id"]:
                return reply
        return {}

    try:
        call(
            {
                "id": 1,
                "method": "initialize",
                "params": {"clientInfo": {"name": "e2e", "version": "1"}},
            }
        )
        call({"method": "initialized"})
        listed = call({"id": 2, "method": "hooks/list", "params": {"cwds": [str(world.project)]}})
    finally:
        server.kill()
        server.wait(timeout=10)
    result = listed.get("result")
    hooks = [h for d in (result or {}).get("data", []) for h in d.get("hooks", [])]  # type: ignore[union-attr]
    config = world.home / ".codex" / "config.toml"
    trusted = "".join(
        f'\n[hooks.state."{h["key"]}"]\ntrusted_hash = "{h["currentHash"]}"\n'
        for h in hooks
        if "safesh hook" in str(h.get("command"))
    )
    config.write_text(config.read_text() + trusted)


def codex_untrusted(
    world: World, program: Path
) -> tuple[Callable[[str], list[str]], dict[str, str]]:
    env = codex_env(world)
    world.safesh("install-hook", "codex")
    return (lambda c: codex_argv(program, c, trusted=False)), env


def gemini_hook(world: World, program: Path) -> tuple[Callable[[str], list[str]], dict[str, str]]:
    world.safesh("install-hook", "gemini-cli")
    env = gemini_env(world)
    return (lambda c: gemini_argv(program, c)), env


def gemini_shims(world: World, program: Path) -> tuple[Callable[[str], list[str]], dict[str, str]]:
    env = gemini_env(world)
    shims = world.base / "shims"
    world.safesh("shims", str(shims))
    env["PATH"] = f"{shims}:{env['PATH']}"
    return (lambda c: gemini_argv(program, c)), env


ROUTES = (
    Route("claude", "hook", claude_hook),
    Route("claude", "prefix", claude_prefix),
    Route("claude", "mcp", claude_mcp),
    Route("codex", "hook", codex_hook),
    Route("codex", "untrusted", codex_untrusted),
    Route("gemini", "hook", gemini_hook),
    Route("gemini", "shims", gemini_shims),
)


# ------------------------------------------------------------------ scenarios


def exercise(route: Route, program: Path, base: Path, port: int) -> list[Cell]:
    cells: list[Cell] = []

    def cell(scenario: str, ok: bool, detail: str) -> None:
        cells.append(Cell(route.client, route.name, scenario, "pass" if ok else "FAIL", detail))

    if route.name == "untrusted":
        return [untrusted_cell(route, program, base, port)]
    if route.client == "codex":
        cells.append(trusted_cell(route, program, base, port))
    for scenario in ("allow", "block", "ask"):
        world = World(base / f"{route.client}-{route.name}-{scenario}", port)
        make, env = route.prepare(world, program)
        command = SCENARIOS[scenario]
        first = run_client(make(command), world, env)
        ran = world.stub_log()
        if scenario == "allow":
            made = (world.project / "allowed.txt").exists()
            cell("allow", made and "TOOL-RESULT" in first.text, _short(first, made=made))
            continue
        if scenario == "block":
            stub_ran = any(line.startswith("kubectl ") for line in ran)
            told = BLOCK_RULE in first.text
            cell("block", not stub_ran and told, _short(first, stub=ran))
            continue
        pending = [p for p in world.pending() if p.get("command") == command]
        # (Claude Code runs `git config …` of its own; only the scenario's push counts.)
        git_ran = [line for line in ran if line.startswith("git push")]
        named = bool(pending) and pending[0].get("id", "?") in first.text
        cell("ask", not git_ran and named, _short(first, stub=ran, pending=len(pending)))
        if not pending:
            cell("approve", False, "no pending approval to approve")
            continue
        approval = world.approve_in_a_terminal(pending[0]["id"])
        if approval.returncode != 0:
            cell("approve", False, f"safesh approve failed: {approval.stderr.strip()[:200]}")
            continue
        second = run_client(make(command), world, env)
        after = [line for line in world.stub_log() if line.startswith("git push")]
        third = run_client(make(command), world, env)
        final = [line for line in world.stub_log() if line.startswith("git push")]
        once = len(after) == 1 and len(final) == 1
        cell(
            "approve", once, f"runs after approval: {len(after)}, after a third call: {len(final)}"
        )
        del second, third
    if route.name == "hook" and route.client in ("claude", "codex"):
        world = World(base / f"{route.client}-{route.name}-stored", port)
        (world.home / ".bashrc").write_text(STORED_RC)
        make, env = route.prepare(world, program)
        run = run_client(make(STORED_COMMAND), world, env)
        ran = [line for line in world.stub_log() if line.startswith("kubectl ")]
        cell("stored", not ran and BLOCK_RULE in run.text, _short(run, stub=ran))
    if route.name == "hook" and route.client == "codex":
        cells.append(live_cell(route, program, base, port))
    return cells


def live_cell(route: Route, program: Path, base: Path, port: int) -> Cell:
    """`bash` started in a terminal, then a destructive line typed into it: Codex runs no
    hook for write_stdin, so the start must be refused and the typed line must never run."""
    world = World(base / f"{route.client}-{route.name}-live", port)
    _, env = route.prepare(world, program)
    argv = codex_argv(program, LIVE_START, trusted=False, via=typed_later(LIVE_TYPED))
    run = run_client(argv, world, env)
    ran = [line for line in world.stub_log() if line.startswith("kubectl ")]
    ok = not ran and LIVE_RULE in run.text
    return Cell(route.client, route.name, "live", "pass" if ok else "FAIL", _short(run, stub=ran))


def trusted_cell(route: Route, program: Path, base: Path, port: int) -> Cell:
    """The hook trusted as `/hooks` stores it: `safesh doctor --strict` reports it ok."""
    world = World(base / f"{route.client}-{route.name}-doctor", port)
    route.prepare(world, program)
    doctor = world.safesh("doctor", "--strict")
    line = next((ln for ln in doctor.stdout.splitlines() if "codex (user)" in ln), "")
    ok = line.startswith("ok")
    return Cell(route.client, route.name, "doctor", "pass" if ok else "FAIL", line.strip())


def untrusted_cell(route: Route, program: Path, base: Path, port: int) -> Cell:
    """An installed but untrusted Codex hook: Codex skips it without a word (the stub runs),
    and `safesh doctor --strict` must catch exactly that."""
    world = World(base / f"{route.client}-{route.name}", port)
    make, env = route.prepare(world, program)
    run = run_client(make(SCENARIOS["block"]), world, env)
    skipped = any(line.startswith("kubectl ") for line in world.stub_log())
    doctor = subprocess.run(
        [sys.executable, "-P", "-m", "safesh", "doctor", "--strict"],
        env=world.env(),
        cwd=world.project,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    caught = doctor.returncode == 1 and "/hooks" in doctor.stdout
    detail = f"hook skipped by Codex: {skipped}; doctor --strict rc={doctor.returncode}"
    del run
    return Cell(route.client, route.name, "doctor", "pass" if caught else "FAIL", detail)


def _short(run: Run, **facts: object) -> str:
    text = " ".join(run.text.split())[:140]
    extra = ", ".join(f"{k}={v}" for k, v in facts.items())
    return f"rc={run.returncode} {extra} model saw: {text!r}"


# ------------------------------------------------------------------ the server and the matrix


def start_server(base: Path) -> tuple[subprocess.Popen[bytes], int]:
    port_file = base / "port"
    server = subprocess.Popen(
        [
            sys.executable,
            str(HERE / "fake_models.py"),
            "--port-file",
            str(port_file),
            "--log",
            str(base / "requests.jsonl"),
        ],
        stdin=subprocess.DEVNULL,
    )
    for _ in range(100):
        if port_file.exists() and port_file.read_text():
            return server, int(port_file.read_text())
        time.sleep(0.1)
    server.kill()
    raise RuntimeError("the fake model API did not start")


def matrix(cells: list[Cell], skipped: dict[str, str]) -> str:
    scenarios = ("allow", "block", "ask", "approve", "doctor", "stored", "live")
    lines = [f"{'client':<8} {'version':<8} {'route':<9} " + " ".join(f"{s:<8}" for s in scenarios)]
    for client, (_, version) in PINNED.items():
        if client in skipped:
            lines.append(f"{client:<8} {version:<8} {'-':<9} skipped: {skipped[client]}")
            continue
        for route in [r.name for r in ROUTES if r.client == client]:
            row = {c.scenario: c.status for c in cells if c.client == client and c.route == route}
            if row:
                lines.append(
                    f"{client:<8} {version:<8} {route:<9} "
                    + " ".join(f"{row.get(s, '-'):<8}" for s in scenarios)
                )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--cache",
        default=os.environ.get("SAFESH_E2E_CACHE", str(Path.home() / ".cache" / "safesh-e2e")),
    )
    parser.add_argument("--only", default="claude,codex,gemini")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directories")
    parser.add_argument("--verbose", action="store_true", help="print every cell's detail")
    args = parser.parse_args(argv)
    wanted = [c for c in args.only.split(",") if c]
    base = Path(tempfile.mkdtemp(prefix="safesh-e2e-"))
    server, port = start_server(base)
    cells: list[Cell] = []
    skipped: dict[str, str] = {}
    try:
        for client in PINNED:
            if client not in wanted:
                skipped[client] = "not selected (--only)"
                continue
            program, reason = install(Path(args.cache), client)
            if program is None:
                skipped[client] = reason
                continue
            for route in (r for r in ROUTES if r.client == client):
                cells.extend(exercise(route, program, base, port))
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(matrix(cells, skipped))
    for shown in (c for c in cells if c.status == "FAIL" or args.verbose):
        print(f"{shown.status} {shown.client}/{shown.route}/{shown.scenario}: {shown.detail}")
    if args.keep:
        print(f"kept: {base}")
    else:
        shutil.rmtree(base, ignore_errors=True)
    return 1 if any(c.status == "FAIL" for c in cells) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
