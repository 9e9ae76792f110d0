"""Family: code handed to a shell that is not POSIX (PowerShell, cmd, nushell, xonsh, elvish)
is judged like a `bash -c` string: PowerShell's and cmd's deleting commands count as the `rm`
they amount to, other programs as themselves; base64 code nobody can read asks.
"""

from __future__ import annotations

import pytest
from effects_helpers import STOPPED, explain, judge

from safesh.unwrap.foreign import powershell_lines

STOPS = [
    "pwsh -c 'Remove-Item -Recurse -Force ~/notes'",
    'powershell -Command "Remove-Item -Path ~/notes -Recurse -Force"',
    "powershell.exe -NoProfile -Command 'git push --force origin main'",
    "pwsh -c 'rm -r -fo ~/notes; echo done'",
    "cmd /c rmdir /s /q ..\\other-repo",
    "nu -c 'rm -r ~/notes'",
    "xonsh -c 'git reset --hard HEAD~3'",
    "powershell -EncodedCommand SQBFAFgA",
]

PASSES = [
    "pwsh -c 'Get-ChildItem -Recurse'",
    'powershell -Command "Write-Host hello"',
    "pwsh -c 'Remove-Item -Recurse -Force node_modules'",
    "cmd /c dir",
    "nu -c 'ls | where size > 10kb'",
    "pwsh -NoProfile -File build.ps1",
]


@pytest.mark.parametrize("line", STOPS)
def test_destructive_code_in_another_shell_stops(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision in STOPPED, explain(analysis)


@pytest.mark.parametrize("line", PASSES)
def test_everyday_code_in_another_shell_passes(line: str) -> None:
    analysis = judge(line)
    assert analysis.decision not in STOPPED, explain(analysis)


def test_deleting_cmdlets_are_spelled_as_rm() -> None:
    code = "Remove-Item -LiteralPath C:\\tmp\\x -Recurse; del /s /q build && git status"
    assert powershell_lines(code).splitlines() == ["rm -r C:/tmp/x", "rm -rf build", "git status"]
