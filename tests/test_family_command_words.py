"""Family: however the command word is spelled, it names the same program.

Paths, `.exe` and other Windows suffixes, backslash separators, drive letters, quoting,
escaping and case: the rules see the program, so the decision is the plain spelling's.
"""

from __future__ import annotations

import pytest
from judgekit import decide

from safesh.model import Tier
from safesh.unwrap import command_name


@pytest.mark.parametrize(
    ("word", "name"),
    [
        ("rm", "rm"),
        ("/usr/bin/rm", "rm"),
        ("./rm", "rm"),
        ("\\rm", "rm"),
        ("RM", "rm"),
        ("rm.exe", "rm"),
        ("RM.EXE", "rm"),
        ("C:\\Windows\\System32\\rm.exe", "rm"),
        ("C:/msys64/usr/bin/rm.exe", "rm"),
        ("/c/Program Files/Git/bin/git.exe", "git"),
        ("C:\\Program Files\\Git\\cmd\\git.cmd", "git"),
        ("bash.exe", "bash"),
        ("python3.11", "python3.11"),
        ("build.sh", "build.sh"),
    ],
)
def test_the_program_a_word_names(word: str, name: str) -> None:
    assert command_name(word) == name


SPELLINGS = [
    "{}",
    "/usr/bin/{}",
    "{}.exe",
    "{}.EXE",
    "C:\\\\msys64\\\\usr\\\\bin\\\\{}.exe",
    "'C:\\msys64\\usr\\bin\\{}.exe'",
    "C:/msys64/usr/bin/{}.exe",
    "/c/Program\\ Files/Git/usr/bin/{}.exe",
    "\\{}",
]
DESTRUCTIVE = [
    ("rm", "-rf /srv/data"),
    ("git", "push --force origin main"),
    ("git", "reset --hard"),
]


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize(("program", "args"), DESTRUCTIVE)
def test_a_spelled_out_program_is_judged_as_itself(spelling: str, program: str, args: str) -> None:
    plain = decide(f"{program} {args}")
    assert plain.severity >= Tier.ASK.severity
    assert decide(f"{spelling.format(program)} {args}").severity >= plain.severity


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_a_spelled_out_harmless_program_passes(spelling: str) -> None:
    assert decide(f"{spelling.format('git')} status").severity <= Tier.NOTIFY.severity
    assert decide(f"{spelling.format('ls')} -la").severity <= Tier.NOTIFY.severity


def test_a_windows_shell_runs_its_string() -> None:
    assert decide("bash.exe -c 'rm -rf /srv/data'").severity >= Tier.ASK.severity
    assert (
        decide("C:\\\\Git\\\\bin\\\\bash.exe -lc 'git reset --hard'").severity >= Tier.ASK.severity
    )
    assert decide("bash.exe -c 'ls'").severity <= Tier.NOTIFY.severity
