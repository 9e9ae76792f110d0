"""Family: an option that changes what a tool does counts wherever it sits.

Before or after the operands, clustered or spelled out, next to an option that sounds safe
(`--force-if-includes` does nothing without a lease), or as a refspec (`+main`): the decision
is the plain spelling's. The safe spellings pass.
"""

from __future__ import annotations

import pytest
from judgekit import decide

from safesh.model import Tier


@pytest.mark.parametrize(
    "line",
    [
        "git push --force-if-includes --force origin main",
        "git push --force --force-if-includes origin main",
        "git push --force-if-includes origin +main",
        "git push origin main --force",
        "git push origin main -f",
        "git push -uf origin main",
        "git push origin +main",
        "git push origin +HEAD:main",
        "git push origin +refs/heads/main:refs/heads/main",
        "git -C repo push origin main --force",
        "git push --mirror origin",
        "git push origin --delete main",
        "git push origin :main",
        "git reset HEAD~3 --hard",
        "git clean -xdf",
        "git branch -D main",
        "rm /srv/data -rf",
        "rm -r -f /srv/data",
        "rm --recursive --force /srv/data",
        "rm -fr -- /srv/data",
    ],
)
def test_the_destructive_option_counts_wherever_it_sits(line: str) -> None:
    assert decide(line).severity >= Tier.ASK.severity, line


@pytest.mark.parametrize(
    "line",
    [
        "git push --force-if-includes origin feature",
        "git push --force-with-lease origin feature",
        "git push --force-with-lease --force-if-includes origin main",
        "git push -u origin feature",
        "git push origin feature",
        "git push origin HEAD:feature",
        "rm -f build/out.o",
        "git branch -d merged-feature",
    ],
)
def test_the_safe_spellings_pass(line: str) -> None:
    assert decide(line).severity <= Tier.NOTIFY.severity, line
