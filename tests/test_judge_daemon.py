"""The resident judge and its thin client: the same answers as in-process, and every failure
of the judge (killed mid-request, stale code, edited rules, a socket that is not safely ours,
a malformed reply, a request past the deadline) ends in the in-process judgement, never in an
allow. No wall-clock asserts: waits poll for a state and give up after a generous limit."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from prockit import alive, wait_until
from userkit import user_environment

from safesh.judge import client, protocol, server

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "agent-protocols"
STUBBED = ("rm", "dd", "shred")
OLD = 1_600_000_000


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private runtime directory (short: socket paths are limited to ~100 bytes)."""
    directory = Path(tempfile.mkdtemp(prefix="sj", dir="/tmp"))
    directory.chmod(0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(directory))
    monkeypatch.delenv("SAFESH_DAEMON", raising=False)
    monkeypatch.delenv("SAFESH_JUDGE_DEADLINE", raising=False)
    yield directory
    pid = judge_pid()
    client.control("stop")
    # A test may leave the status request unanswerable (another uid at the socket): the judge
    # is then found by the lock it holds in this directory.
    for found in {pid, *lock_holders(directory)} - {None}:
        assert found is not None
        wait_until(lambda found=found: not alive(found), 10.0)
        if alive(found):
            os.kill(found, signal.SIGKILL)
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def env(tmp_path: Path, runtime: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = user_environment(tmp_path, STUBBED, PYTHONPATH=str(ROOT), XDG_RUNTIME_DIR=str(runtime))
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, env[name])
    return env


def run(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "safesh", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=env["HOME"],
        timeout=120,
    )


def lock_holders(directory: Path) -> set[int]:
    """The processes holding a judge's lock file under `directory` (the judge itself)."""
    holders: set[int] = set()
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        try:
            targets = [os.readlink(fd) for fd in fd_dir.iterdir()]
        except OSError:
            continue
        if any(t.startswith(str(directory)) and t.endswith(".lock") for t in targets):
            holders.add(int(fd_dir.parent.name))
    return holders


def children_of(pid: int) -> set[int]:
    try:
        return {
            int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        }
    except OSError:
        return set()


def spares_ready() -> int:
    """How many spares were ready (the one answering included) when a status request came."""
    reply = client.control("status")
    count = reply.get("spares") if reply else 0
    return count if isinstance(count, int) else 0


def all_spares_ready() -> bool:
    """Every spare is ready. Asked no more often than the judge replaces the one each
    question takes (it waits for a quiet moment)."""
    if spares_ready() >= server.SPARES:
        return True
    time.sleep(server.QUIET_SECONDS + 0.1)
    return False


def judge_pid() -> int | None:
    reply = client.control("status")
    pid = reply.get("pid") if reply else None
    return pid if isinstance(pid, int) else None


def served() -> int:
    reply = client.control("status")
    assert reply is not None, "the judge is not running"
    count = reply["served"]
    assert isinstance(count, int)
    return count


def start_judge(env: dict[str, str]) -> int:
    result = run(["daemon", "start"], env)
    assert result.returncode == 0, result.stderr
    pid = judge_pid()
    assert pid is not None
    return pid


def shell_request(source: str) -> dict[str, object]:
    """A dry-run `safesh -c SOURCE` as the thin client sends it."""
    return {
        "kind": "shell",
        "source": source,
        "dry_run": True,
        "agent_lines": True,
        "terminal": False,
    }


def claude_payload(command: str, cwd: str) -> str:
    data = json.loads((FIXTURES / "claude-pretooluse-input.json").read_text())
    data["cwd"] = cwd
    data["tool_input"]["command"] = command
    return json.dumps(data)


def test_the_judge_answers_like_the_process_itself(env: dict[str, str], tmp_path: Path) -> None:
    start_judge(env)
    before = served()
    # A blocked line whose preview is the same on every call: the test's own empty home
    # (a preview of / counts files that other processes create and delete meanwhile).
    lines = ("echo ran", "rm -rf ~/")
    through_judge = [run(["-c", line], env) for line in lines]
    assert served() == before + 3  # two lines and the status request before this one
    alone = [run(["-c", line], {**env, "SAFESH_DAEMON": "off"}) for line in lines]
    for judged, local in zip(through_judge, alone, strict=True):
        assert (judged.returncode, judged.stdout, judged.stderr) == (
            local.returncode,
            local.stdout,
            local.stderr,
        )
    assert through_judge[0].stdout == "ran\n"
    assert through_judge[1].returncode == 77
    assert not (tmp_path / "stub-ran").exists()


def test_the_judge_writes_the_audit_record_before_replying(env: dict[str, str]) -> None:
    start_judge(env)
    run(["-c", "echo audited-line"], env)
    log = run(["log", "--json"], {**env, "SAFESH_DAEMON": "off"})
    assert "audited-line" in log.stdout


def logged_commands(env: dict[str, str]) -> list[str]:
    log = run(["log", "--json"], {**env, "SAFESH_DAEMON": "off"})
    assert log.returncode == 0, log.stderr
    return [json.loads(line)["command"] for line in log.stdout.splitlines()]


def test_a_store_replaced_between_requests_gets_the_next_record(env: dict[str, str]) -> None:
    """Children serve many requests, and the judge holds the store open: neither may write a
    record into a store file that was moved away (the user's log is the file at its path)."""
    start_judge(env)
    before = served()
    run(["-c", "echo first-line"], env)
    store = Path(env["XDG_STATE_HOME"]) / "safesh" / "safesh.db"
    moved = store.with_name("moved")
    moved.mkdir()
    for part in store.parent.glob("safesh.db*"):
        part.rename(moved / part.name)
    run(["-c", "echo second-line"], env)
    run(["hook", "claude-code"], env, claude_payload("echo third-line", env["HOME"]))
    assert logged_commands(env) == ["echo second-line", "echo third-line"]
    assert served() == before + 4  # the judge served all three (and the status before)


def test_a_request_sent_early_is_answered_once(env: dict[str, str]) -> None:
    """`safesh -c` sends an agent's line before its front end loads, and reads that reply."""
    start_judge(env)
    before = served()
    request = shell_request("echo sent-early")
    sent = client.send(request, 3.0, start=False)
    reply = client.ask(shell_request("echo sent-early"), 3.0, start=False, sent=sent)
    assert reply is not None
    assert reply["stdout"] == "safesh: would run (allow): echo sent-early\n"
    assert served() == before + 2  # the line once, and the status request before it


def test_a_reply_to_another_request_sent_early_is_not_used(env: dict[str, str]) -> None:
    start_judge(env)
    before = served()
    sent = client.send(shell_request("rm -rf /"), 3.0, start=False)
    reply = client.ask(shell_request("echo asked"), 3.0, start=False, sent=sent)
    assert reply is not None
    assert reply["stdout"] == "safesh: would run (allow): echo asked\n"
    assert served() == before + 3


def test_hook_through_the_judge_answers_in_the_agents_format(env: dict[str, str]) -> None:
    start_judge(env)
    before = served()
    result = run(["hook", "claude-code"], env, claude_payload("rm -rf /", env["HOME"]))
    assert served() == before + 2
    inner = json.loads(result.stdout)["hookSpecificOutput"]
    assert (inner["permissionDecision"], result.returncode) == ("deny", 2)


def test_a_request_past_the_deadline_asks_through_the_judge(env: dict[str, str]) -> None:
    start_judge(env)
    before = served()
    late = {**env, "SAFESH_JUDGE_DEADLINE": "0"}
    result = run(["hook", "claude-code"], late, claude_payload("ls", env["HOME"]))
    assert served() == before + 2
    inner = json.loads(result.stdout)["hookSpecificOutput"]
    assert inner["permissionDecision"] == "ask"
    assert "core.deadline" in inner["permissionDecisionReason"]


def test_killed_mid_request_the_client_judges_itself(env: dict[str, str]) -> None:
    pid = start_judge(env)
    replies: list[object] = []
    request = shell_request(" | ".join(["cat"] * 20000))
    asking = threading.Thread(target=lambda: replies.append(client.ask(request, 3.0, start=False)))
    asking.start()
    children = Path(f"/proc/{pid}/task/{pid}/children")
    assert wait_until(lambda: children.read_text().strip() != "")
    for child in children.read_text().split():
        os.kill(int(child), signal.SIGKILL)
    os.kill(pid, signal.SIGKILL)
    asking.join(60)
    assert replies == [None]
    # The socket is left behind by the killed judge: the next command judges in-process.
    result = run(["-c", "echo ran"], env)
    assert (result.returncode, result.stdout) == (0, "ran\n")
    refused = run(["-c", "rm -rf /"], env)
    assert refused.returncode == 77


def test_a_judge_of_other_code_is_not_used_and_steps_down(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = start_judge(env)
    monkeypatch.setattr(protocol, "handshake", lambda: "some other version")
    request = shell_request("echo hi")
    assert client.ask(request, 3.0, start=False) is None
    assert wait_until(lambda: not alive(pid))


def test_an_edited_rules_file_is_judged_by_its_new_content(env: dict[str, str]) -> None:
    start_judge(env)
    assert run(["-c", "ls"], env).returncode == 0
    rules = Path(env["XDG_CONFIG_HOME"]) / "safesh" / "rules.toml"
    rules.parent.mkdir(parents=True)
    rule = '[[rule]]\nid = "my.no-ls"\nreason = "no ls"\ntier = "block"\ncommand = ["ls"]\n'
    rules.write_text(rule + 'match = ["ls"]\n')
    before = served()
    result = run(["-c", "ls"], env)
    assert served() == before + 2
    assert result.returncode == 77
    assert "my.no-ls" in result.stderr
    os.utime(rules, (OLD, OLD))  # old enough to be memoised by identity; then edited again
    assert run(["-c", "ls"], env).returncode == 77
    rules.write_text(rule.replace('"block"', '"allow"') + 'match = ["ls"]\n')
    os.utime(rules, (OLD + 5, OLD + 5))
    assert run(["-c", "ls"], env).returncode == 0


def test_a_rules_edit_that_keeps_size_and_mtime_is_judged_by_its_new_content(
    env: dict[str, str],
) -> None:
    """The judge's children keep the rules they loaded while the files are unchanged: an edit
    right before the request that leaves the file's size and modification time as they were
    (a copy with `cp -p`, a tool restoring times) must still be seen."""
    start_judge(env)
    rules = Path(env["XDG_CONFIG_HOME"]) / "safesh" / "rules.toml"
    rules.parent.mkdir(parents=True)
    rule = '[[rule]]\nid = "my.no-ls"\nreason = "no ls"\ntier = "block"\ncommand = ["ls"]\n'
    rules.write_text(rule + 'match = ["ls"]\n')
    os.utime(rules, (OLD, OLD))  # old enough to be kept by identity
    for _ in range(server.SPARES + 1):  # every child has loaded it
        assert run(["-c", "ls"], env).returncode == 77
    rules.write_text(rule.replace('"block"', '"allow"') + 'match = ["ls"]\n')
    os.utime(rules, (OLD, OLD))
    assert run(["-c", "ls"], env).returncode == 0


def test_a_runtime_directory_open_to_others_is_not_used(env: dict[str, str], runtime: Path) -> None:
    start_judge(env)
    (runtime / "safesh").chmod(0o755)
    request = shell_request("echo hi")
    assert client.ask(request, 3.0, start=False) is None
    (runtime / "safesh").chmod(0o700)
    assert client.ask(request, 3.0, start=False) is not None


def test_a_runtime_directory_of_another_user_is_not_used(
    env: dict[str, str], runtime: Path
) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root can give a directory to another user")
    directory = runtime / "safesh"
    directory.mkdir(mode=0o700)
    os.chown(directory, 12345, 12345)
    with pytest.raises(protocol.ProtocolError, match="belongs to uid"):
        protocol.ensure_private_dir(str(directory), create=False)
    result = run(["-c", "echo ran"], env)
    assert (result.returncode, result.stdout) == (0, "ran\n")


def test_a_socket_served_by_another_user_is_not_used(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    start_judge(env)
    monkeypatch.setattr(protocol, "peer_uid", lambda _connection: os.geteuid() + 1)
    request = shell_request("echo hi")
    assert client.ask(request, 3.0, start=False) is None


def test_a_malformed_reply_is_not_used(env: dict[str, str], runtime: Path) -> None:
    directory = runtime / "safesh"
    protocol.ensure_private_dir(str(directory), create=True)
    path = protocol.socket_path(str(directory))
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(4)

    def answer_garbage() -> None:
        for _ in range(2):
            connection, _ = listener.accept()
            with connection:
                connection.recv(1 << 20)
                connection.sendall(b"\x00\x00\x00\x05hello")

    server = threading.Thread(target=answer_garbage, daemon=True)
    server.start()
    try:
        request = shell_request("rm -rf /")
        assert client.ask(request, 3.0, start=False) is None
        refused = run(["-c", "rm -rf /"], {**env, "XDG_RUNTIME_DIR": str(runtime)})
        assert refused.returncode == 77
    finally:
        listener.close()


def test_no_judge_is_used_or_started_when_disabled(env: dict[str, str]) -> None:
    off = {**env, "SAFESH_DAEMON": "off"}
    result = run(["-c", "echo ran"], off)
    assert (result.returncode, result.stdout) == (0, "ran\n")
    assert run(["daemon", "status"], off).returncode == 1
    assert run(["daemon", "status"], env).returncode == 1  # nothing was started


def test_a_judge_starts_on_first_use(env: dict[str, str]) -> None:
    assert run(["-c", "true"], env).returncode == 0
    assert wait_until(lambda: judge_pid() is not None)


# -- spares: children forked and warmed before a request comes ------------------------------


def test_a_request_is_served_by_a_spare_forked_before_it_came(env: dict[str, str]) -> None:
    pid = start_judge(env)
    assert wait_until(all_spares_ready)
    waiting = children_of(pid)
    reply = client.control("status")
    assert reply is not None
    assert reply["child"] in waiting
    assert reply["pid"] == pid


def test_warming_up_leaves_nothing_in_the_users_audit_log(env: dict[str, str]) -> None:
    start_judge(env)
    assert wait_until(all_spares_ready)
    log = run(["log", "--json"], {**env, "SAFESH_DAEMON": "off"})
    assert log.returncode == 0, log.stderr
    assert log.stdout.strip() == ""
    run(["-c", "echo recorded-line"], env)
    log = run(["log", "--json"], {**env, "SAFESH_DAEMON": "off"})
    assert [json.loads(line)["command"] for line in log.stdout.splitlines()] == [
        "echo recorded-line"
    ]


def test_a_child_killed_mid_request_leaves_the_judge_serving(env: dict[str, str]) -> None:
    pid = start_judge(env)
    replies: list[object] = []
    request = shell_request(" | ".join(["cat"] * 20000))
    asking = threading.Thread(target=lambda: replies.append(client.ask(request, 3.0, start=False)))
    asking.start()
    while asking.is_alive():  # whichever child has the request, spare or not, dies
        for child in children_of(pid):
            os.kill(child, signal.SIGKILL)
        asking.join(0.05)
    assert replies == [None]  # the client judges in its own process
    assert alive(pid)
    # The judge forks afresh for what comes next; on a loaded machine its first answer may
    # take longer than one status request waits.
    assert wait_until(lambda: client.control("status") is not None)
    before = served()
    result = run(["-c", "echo ran"], env)
    assert (result.returncode, result.stdout) == (0, "ran\n")
    assert served() == before + 2


def test_with_every_spare_busy_a_request_is_still_served(
    env: dict[str, str], runtime: Path
) -> None:
    start_judge(env)
    assert wait_until(all_spares_ready)
    before = served()
    path = protocol.socket_path(str(runtime / "safesh"))
    held = [socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) for _ in range(server.SPARES + 1)]
    try:
        for connection in held:  # each takes a child that waits for a request never sent
            connection.connect(path)
        result = run(["-c", "echo ran"], env)
        refused = run(["-c", "rm -rf /"], env)
        assert served() == before + 1 + len(held) + 2
    finally:
        for connection in held:
            connection.close()
    assert (result.returncode, result.stdout) == (0, "ran\n")
    assert refused.returncode == 77


def test_requests_that_went_through_cleanly_need_no_new_child(env: dict[str, str]) -> None:
    pid = start_judge(env)
    assert wait_until(all_spares_ready)
    waiting = children_of(pid)
    results = [run(["-c", line], env) for line in ("echo ran", "rm -rf /", "echo ran")]
    assert [r.returncode for r in results] == [0, 77, 0]
    assert children_of(pid) == waiting  # served by the children that were waiting


def test_children_judge_on_their_own_thread(env: dict[str, str]) -> None:
    """No judging thread to hand a line to (and wait to be scheduled): every child that
    judged has its one thread."""
    pid = start_judge(env)
    results = [run(["-c", line], env) for line in ("echo ran", "rm -rf /", "ls")]
    assert [r.returncode for r in results] == [0, 77, 0]
    threads = {child: len(os.listdir(f"/proc/{child}/task")) for child in children_of(pid)}
    assert threads and set(threads.values()) == {1}


def test_a_child_that_served_its_last_request_takes_no_other(env: dict[str, str]) -> None:
    """A child ends after MAX_REQUESTS; none is handed a connection it will not serve (the
    client would judge that one in its own process)."""
    start_judge(env)
    rounds = 2 * server.MAX_REQUESTS + server.SPARES + 2
    unanswered = [n for n in range(rounds) if client.control("status") is None]
    assert unanswered == []


def test_a_child_still_judging_past_the_deadline_serves_nothing_more(
    env: dict[str, str],
) -> None:
    pid = start_judge(env)
    assert wait_until(all_spares_ready)
    waiting = children_of(pid)
    late = {**env, "SAFESH_JUDGE_DEADLINE": "0.2"}
    slow = run(["--dry-run", "-c", " | ".join(["cat"] * 20000)], late)
    assert "core.deadline" in slow.stdout
    assert wait_until(lambda: any(not alive(child) for child in waiting))


def test_spares_end_with_their_judge(env: dict[str, str]) -> None:
    pid = start_judge(env)
    assert wait_until(all_spares_ready)
    spares = children_of(pid)
    assert spares
    os.kill(pid, signal.SIGKILL)
    assert wait_until(lambda: not any(alive(spare) for spare in spares))


def test_a_stale_judge_takes_its_spares_with_it(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = start_judge(env)
    assert wait_until(all_spares_ready)
    spares = children_of(pid)
    monkeypatch.setattr(protocol, "handshake", lambda: "some other version")
    assert client.ask(shell_request("echo hi"), 3.0, start=False) is None
    assert wait_until(lambda: not alive(pid))
    assert wait_until(lambda: not any(alive(spare) for spare in spares))


def test_the_installed_launcher_loads_only_the_thin_client(env: dict[str, str]) -> None:
    """`safesh -c` with a judge running imports no regular expressions, enums or dataclasses,
    none of the judgement's modules: they are the judge's (a start-up cost, not timed here)."""
    launcher = Path(sys.executable).parent / "safesh"
    if not launcher.exists():
        pytest.skip("safesh is not installed beside this interpreter")
    interpreter = launcher.read_text().splitlines()[0].removeprefix("#!").strip()
    start = [interpreter, "-m", "safesh", "daemon", "start"]  # the judge of this interpreter
    assert subprocess.run(start, env=env, capture_output=True, check=False).returncode == 0
    before = served_by(interpreter, env)
    traced = subprocess.run(
        [interpreter, "-X", "importtime", str(launcher), "--dry-run", "-c", "true"],
        env=env,
        cwd=env["HOME"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert traced.returncode == 0, traced.stderr
    assert served_by(interpreter, env) == before + 2  # judged by the judge
    loaded = {line.split("|")[-1].strip() for line in traced.stderr.splitlines() if "|" in line}
    assert "safesh.judge.client" in loaded
    heavy = {"re", "enum", "dataclasses", "typing", "zlib", "bashlex"}
    heavy |= {"safesh.model", "safesh.decide", "safesh.rules", "safesh.store"}
    heavy |= {"safesh.interactive.prompts"}  # no terminal here: nothing to ask about
    # Nor what only the judge or the full front ends use (each module is a file to find,
    # read and run on every command).
    heavy |= {"__future__", "safesh.judge.budget", "safesh.cli.subcommands"}
    assert loaded & heavy == set()


def served_by(interpreter: str, env: dict[str, str]) -> int:
    status = subprocess.run(
        [interpreter, "-m", "safesh", "daemon", "status"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert status.returncode == 0, status.stdout
    return int(status.stdout.split(" requests before")[0].rsplit(" ", 1)[-1])


def test_the_judge_judges_in_the_callers_environment_not_its_own(env: dict[str, str]) -> None:
    """A variable the judge started with but the caller lacks is not seen, and one the caller
    has is (RAILS_ENV=production raises a migration from notify to ask)."""
    assert run(["daemon", "start"], {**env, "RAILS_ENV": "production"}).returncode == 0
    before = served()
    plain = run(["--dry-run", "-c", "rails db:migrate"], env)
    production = run(["--dry-run", "-c", "rails db:migrate"], {**env, "RAILS_ENV": "production"})
    plain_again = run(["--dry-run", "-c", "rails db:migrate"], env)
    assert served() == before + 4
    assert (plain.returncode, plain_again.returncode, production.returncode) == (0, 0, 77)
    assert "would run (notify)" in plain.stdout
    assert "RAILS_ENV=production" in production.stdout


# -- the code stamp: what makes a running judge stale -------------------------------------


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in for safesh's package directory, as the stamp sees it."""
    root = tmp_path / "pkg"
    (root / "sub").mkdir(parents=True)
    (root / "__init__.py").write_text("x = 1\n")
    (root / "sub" / "mod.py").write_text("y = 2\n")
    (root / "rules.toml").write_text("[x]\n")
    for path in root.rglob("*.*"):
        os.utime(path, (OLD, OLD))
    monkeypatch.setattr(protocol, "_PACKAGE", str(root))
    return root


def test_the_stamp_changes_when_a_module_is_edited_in_place(package: Path) -> None:
    before = protocol.code_stamp()
    (package / "sub" / "mod.py").write_text("y = 3\n")  # same size
    os.utime(package / "sub" / "mod.py", (OLD + 1, OLD + 1))
    assert protocol.code_stamp() != before


def test_the_stamp_changes_when_a_module_is_added_or_removed(package: Path) -> None:
    before = protocol.code_stamp()
    added = package / "sub" / "new.py"
    added.write_text("")
    os.utime(added, (OLD, OLD))
    assert protocol.code_stamp() != before
    added.unlink()
    assert protocol.code_stamp() == before
    (package / "rules.toml").unlink()
    assert protocol.code_stamp() != before


def test_the_stamp_ignores_compiled_bytecode(package: Path) -> None:
    before = protocol.code_stamp()
    cache = package / "sub" / "__pycache__"
    cache.mkdir()
    (cache / "mod.cpython-311.pyc").write_bytes(b"\0" * 64)
    assert protocol.code_stamp() == before
