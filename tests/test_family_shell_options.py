"""Family: a shell's own options never hide the code it runs.

However a shell is started (option clusters whose letters take values, `-o`/`+o`/`-O`,
long options, any shell name, a path to it, a Windows spelling), the command string, the script
or the program on its standard input is judged; the same invocation of harmless code passes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from judgekit import RULES, decide

from safesh.analyze import analyze
from safesh.model import Context, Tier

INVOCATIONS = [
    "bash -c",
    "bash -euo pipefail -c",
    "bash -xeo pipefail -c",
    "bash -e -o pipefail -c",
    "bash -o pipefail -euc",
    "bash -ceu",
    "bash -O extglob -c",
    "bash -O extglob -O globstar -c",
    "bash +o posix -c",
    "bash -oO pipefail extglob -c",
    "bash --norc -c",
    "bash --norc --noprofile -euc",
    "bash --login -c",
    "bash --posix -c",
    "bash -l -c",
    "bash -lc",
    "sh -eu -c",
    "sh -c --",
    "dash -ec",
    "zsh -f -c",
    "zsh -o errexit -c",
    "ksh -o errexit -c",
    "mksh -c",
    "busybox sh -c",
    "busybox ash -c",
    "/bin/bash -euo pipefail -c",
    "/usr/local/bin/zsh -fc",
    "bash.exe -c",
    "env bash -euo pipefail -c",
    "sudo bash -euxo pipefail -c",
    "fish -c",
    "fish --no-config -c",
]


@pytest.mark.parametrize("invocation", INVOCATIONS)
def test_the_command_string_is_judged_whatever_the_options(invocation: str) -> None:
    assert decide(f"{invocation} 'rm -rf /srv/data'").severity >= Tier.ASK.severity
    assert decide(f"{invocation} 'git reset --hard'").severity >= Tier.ASK.severity


@pytest.mark.parametrize("invocation", INVOCATIONS)
def test_the_same_invocation_of_harmless_code_passes(invocation: str) -> None:
    assert decide(f"{invocation} 'ls -la && make test'").severity <= Tier.NOTIFY.severity


def test_the_command_string_comes_after_all_the_options() -> None:
    """bash reads `-c` as a flag: the string is the first word after the options."""
    assert decide("bash -c -e 'rm -rf /srv/data'").severity >= Tier.ASK.severity
    assert decide("bash -c -o pipefail 'rm -rf /srv/data'").severity >= Tier.ASK.severity


def test_catastrophic_code_in_an_option_cluster_shell_is_blocked() -> None:
    assert decide("bash -euo pipefail -c 'rm -rf /'") == Tier.BLOCK


@pytest.mark.parametrize(
    "line",
    [
        "bash -euo pipefail <<'EOF'\nrm -rf /srv/data\nEOF",
        "echo 'rm -rf /srv/data' | bash -euo pipefail",
        "echo 'rm -rf /srv/data' | bash -s -- arg",
        "echo 'rm -rf /srv/data' | sh -xe -",
        "bash -o pipefail <<< 'git push --force origin main'",
        "zsh -f <<'EOF'\ngit reset --hard\nEOF",
    ],
)
def test_a_program_on_standard_input_is_judged_whatever_the_options(line: str) -> None:
    assert decide(line).severity >= Tier.ASK.severity


def test_a_script_after_an_option_with_a_value_is_the_script(tmp_path: Path) -> None:
    script = tmp_path / "job.sh"
    script.write_text("rm -rf /srv/data\n")
    context = Context(cwd=str(tmp_path), home="/home/user")
    line = "bash -euo pipefail job.sh"
    assert analyze(line, context, RULES).decision.severity >= Tier.ASK.severity
    script.write_text("echo hello\n")
    assert analyze(line, context, RULES).decision.severity <= Tier.NOTIFY.severity


def test_options_that_cannot_be_read_ask() -> None:
    """`bash $FLAGS -c '…'`: where the options end is unknown, so the line is not judged
    as harmless."""
    assert decide("bash $FLAGS -c 'echo hi'").severity >= Tier.ASK.severity


def test_fish_init_command_is_code_too() -> None:
    assert decide("fish -C 'rm -rf /srv/data' -c 'echo hi'").severity >= Tier.ASK.severity
    assert decide("fish --command='rm -rf /srv/data'").severity >= Tier.ASK.severity
