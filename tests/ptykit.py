"""A human at a terminal: the real `python -m safesh -i` driven through a pty with pexpect, in
a home of the test's own (`tmp_path/home`, started in `home/work`), with empty XDG directories,
a private runtime directory and harmless stubs first on PATH for the programs a test names
(see userkit.stub_programs). Nothing of the test runner's environment reaches it but PATH."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path

import pexpect
from userkit import stub_programs

REPO = Path(__file__).resolve().parents[1]
PROMPT = re.compile(r"safesh:([^\r\n]*)[$#] ")
QUESTION = re.compile(r"\[y/N\] ")
CONTINUATION = re.compile(r"\n> ")
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class PtyShell:
    """A running `safesh -i` and the directories it was given."""

    def __init__(
        self,
        tmp_path: Path,
        *,
        stubbed: Iterable[str] = (),
        timeout: float = 30,
        size: tuple[int, int] = (24, 80),
    ) -> None:
        self.home = tmp_path / "home"
        self.work = self.home / "work"
        self.work.mkdir(parents=True, exist_ok=True)
        # Something to lose: a line that really deleted the home would take it.
        self.keep = self.home / "keep.txt"
        self.keep.write_text("precious\n")
        self.ran = tmp_path / "stub-ran"
        self.stubs = stub_programs(tmp_path, stubbed)
        self.runtime = tmp_path / "run"
        self.runtime.mkdir(mode=0o700, exist_ok=True)
        env = {
            "HOME": str(self.home),
            "PATH": f"{self.stubs}{os.pathsep}{os.environ.get('PATH', os.defpath)}",
            "TERM": "xterm",
            "LANG": "C.UTF-8",
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "XDG_STATE_HOME": str(tmp_path / "state"),
            "XDG_CACHE_HOME": str(tmp_path / "cache"),
            "XDG_RUNTIME_DIR": str(self.runtime),
            "PYTHONPATH": str(REPO),
        }
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "safesh", "-i"],
            env=env,
            cwd=str(self.work),
            encoding="utf-8",
            timeout=timeout,
            dimensions=size,
        )
        self.expect_prompt()

    def expect_prompt(self) -> str:
        """Wait for the prompt; its directory part."""
        self.child.expect(PROMPT)
        return str(self.child.match.group(1))

    def run(self, line: str) -> str:
        """Send `line`, wait for the next prompt; what was shown in between, echo included,
        without terminal escapes or carriage returns."""
        self.child.sendline(line)
        self.expect_prompt()
        return ESCAPES.sub("", str(self.child.before)).replace("\r", "")

    def lines(self, line: str) -> list[str]:
        """Like `run`, as a list of output lines without the echoed line."""
        return self.run(line).split("\n")[1:]

    def approve(self, line: str) -> None:
        """Send a line that asks, and say yes."""
        self.child.sendline(line)
        self.child.expect(QUESTION)
        self.child.sendline("y")
        self.expect_prompt()

    def asked(self, line: str) -> str:
        """Send a line that must ask, and say no; what the question said."""
        self.child.sendline(line)
        self.child.expect(QUESTION)
        question = str(self.child.before)
        self.child.sendline("n")
        self.expect_prompt()
        return question

    def nothing_destroyed(self) -> bool:
        """No stub ran and the file in the home is still there."""
        return not self.ran.exists() and self.keep.exists()

    def close(self) -> None:
        if self.child.isalive():
            self.child.close(force=True)
