"""The resident judge never judges with code that changed on disk, though no client stats the
package's files any more: the judge watches them (inotify), or, where it cannot, compares the
full code stamp on every request. A change made the moment before a request is seen; so is a
change that keeps a file's size and modification time, and a package directory replaced by
another with identical files. Python's own `__pycache__` writes are not changes.

The judge under test runs a copy of the package (PYTHONPATH), so the tests can edit its code.
No wall-clock asserts: waits poll for a state and give up after a generous limit."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from prockit import alive, wait_until
from userkit import user_environment

from safesh.judge import client, protocol, watch

ROOT = Path(__file__).resolve().parent.parent
OLD = 1_600_000_000


def edit_keeping_size_and_mtime(path: Path) -> None:
    """Change one byte of `path`, then put its modification time back: a change that no
    size-and-mtime stamp can see."""
    before = path.stat()
    data = bytearray(path.read_bytes())
    data[-1:] = b" " if data[-1:] != b" " else b"\n"
    path.write_bytes(bytes(data))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size


# -- the watch itself --------------------------------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "pkg"
    (root / "sub").mkdir(parents=True)
    (root / "__init__.py").write_text("x = 1\n")
    (root / "sub" / "mod.py").write_text("y = 2\n")
    return root


def watching(root: Path) -> watch.Watch:
    fd = watch.open_watch(str(root))
    if fd < 0:
        pytest.skip("inotify is not available here")
    return watch.Watch(fd)


def test_an_untouched_package_has_not_changed(tree: Path) -> None:
    code = watching(tree)
    (tree / "sub" / "mod.py").read_text()
    assert not code.changed()
    code.close()


def test_an_edit_keeping_size_and_mtime_is_seen_at_once(tree: Path) -> None:
    """Every time, with nothing between the edit and the question (the event is queued by the
    write itself)."""
    for _ in range(50):
        code = watching(tree)
        edit_keeping_size_and_mtime(tree / "sub" / "mod.py")
        assert code.changed()
        code.close()


@pytest.mark.parametrize("change", ["add", "remove", "rename directory", "chmod", "data file"])
def test_files_added_removed_or_moved_are_changes(tree: Path, change: str) -> None:
    code = watching(tree)
    if change == "add":
        (tree / "sub" / "new.py").write_text("")
    elif change == "remove":
        (tree / "sub" / "mod.py").unlink()
    elif change == "rename directory":
        (tree / "sub").rename(tree / "other")
    elif change == "chmod":
        (tree / "sub" / "mod.py").chmod(0o600)
    else:
        (tree / "sub" / "rules.toml").write_text("[x]\n")
    assert code.changed()
    assert code.changed()  # and it stays so: that judge is stale for good
    code.close()


def test_compiled_bytecode_is_not_a_change(tree: Path) -> None:
    code = watching(tree)
    cache = tree / "sub" / "__pycache__"
    cache.mkdir()
    (cache / "mod.cpython-311.pyc").write_bytes(b"\0" * 64)
    assert not code.changed()
    code.close()


def test_no_watch_when_disabled(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(watch.DISABLE_ENV, "off")
    assert watch.open_watch(str(tree)) == -1


# -- a judge running a copy of the package -----------------------------------------------------


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    directory = Path(tempfile.mkdtemp(prefix="sw", dir="/tmp"))
    directory.chmod(0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(directory))
    monkeypatch.delenv("SAFESH_DAEMON", raising=False)
    yield directory
    pids = {judge_pid()} - {None}
    client.control("stop")
    for pid in pids:
        assert pid is not None
        if not wait_until(lambda pid=pid: not alive(pid), 10.0):
            os.kill(pid, signal.SIGKILL)
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of safesh laid out as installed (compiled files included, so its judge starts
    quickly; the built-in rules inside), which the test's own client addresses as its
    installation."""
    copy = tmp_path / "site" / "safesh"
    shutil.copytree(ROOT / "safesh", copy)
    if not (copy / "rules.toml").exists():
        shutil.copy2(ROOT / "rules.toml", copy / "rules.toml")
    monkeypatch.setattr(protocol, "_PACKAGE", str(copy))
    return copy


@pytest.fixture
def env(tmp_path: Path, runtime: Path, package: Path) -> dict[str, str]:
    return user_environment(
        tmp_path, (), PYTHONPATH=str(package.parent), XDG_RUNTIME_DIR=str(runtime)
    )


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "safesh", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=env["HOME"],
        timeout=120,
    )


def judge_pid() -> int | None:
    reply = client.control("status")
    pid = reply.get("pid") if reply else None
    return pid if isinstance(pid, int) else None


def start_judge(env: dict[str, str], expected_watch: str) -> int:
    result = run(["daemon", "start"], env)
    assert result.returncode == 0, result.stderr
    reply = client.control("status")
    assert reply is not None, "the copy's judge does not answer this client"
    assert reply["watch"] == expected_watch
    pid = reply["pid"]
    assert isinstance(pid, int)
    return pid


def dry_run(source: str) -> dict[str, object]:
    """A dry-run `safesh -c SOURCE` as the thin client sends it."""
    return {"kind": "shell", "source": source, "dry_run": True, "agent_lines": True,
            "terminal": False}  # fmt: skip


def test_a_module_edited_the_moment_before_a_request_is_not_judged_by_the_old_code(
    env: dict[str, str], package: Path
) -> None:
    pid = start_judge(env, "inotify")
    assert client.ask(dry_run("echo hi"), 3.0, start=False) is not None
    edit_keeping_size_and_mtime(package / "rules" / "match.py")
    assert client.ask(dry_run("echo hi"), 3.0, start=False) is None  # judged in-process
    assert wait_until(lambda: not alive(pid))


def test_after_an_edit_the_command_is_judged_and_a_new_judge_serves_the_next(
    env: dict[str, str], package: Path
) -> None:
    pid = start_judge(env, "inotify")
    edit_keeping_size_and_mtime(package / "decide.py")
    result = run(["-c", "echo ran"], env)
    assert (result.returncode, result.stdout) == (0, "ran\n"), result.stderr
    assert wait_until(lambda: judge_pid() not in (None, pid))
    assert client.ask(dry_run("echo hi"), 3.0, start=False) is not None


def test_python_writing_bytecode_does_not_make_the_judge_stale(
    env: dict[str, str], package: Path
) -> None:
    for cache in package.rglob("__pycache__"):
        shutil.rmtree(cache)  # the judge compiles (and Python caches) what it imports
    pid = start_judge(env, "inotify")
    assert client.ask(dry_run("echo hi"), 3.0, start=False) is not None
    assert judge_pid() == pid


def test_without_a_watch_every_request_compares_the_full_stamp(
    env: dict[str, str], package: Path
) -> None:
    pid = start_judge({**env, watch.DISABLE_ENV: "off"}, "stamp")
    assert client.ask(dry_run("echo hi"), 3.0, start=False) is not None
    (package / "decide.py").write_text((package / "decide.py").read_text() + "# edited\n")
    assert client.ask(dry_run("echo hi"), 3.0, start=False) is None
    assert wait_until(lambda: not alive(pid))


def test_a_package_directory_replaced_by_an_identical_copy_is_another_installation(
    env: dict[str, str], package: Path
) -> None:
    """Same files, sizes and times (the full stamp is equal): only the directory's identity,
    which every client sends, tells the old judge from the new code."""
    pid = start_judge({**env, watch.DISABLE_ENV: "off"}, "stamp")
    before = protocol.code_stamp()
    package.rename(package.with_name("safesh.old"))
    shutil.copytree(package.with_name("safesh.old"), package)
    assert protocol.code_stamp() == before
    assert client.ask(dry_run("echo hi"), 3.0, start=False) is None
    assert wait_until(lambda: not alive(pid))
