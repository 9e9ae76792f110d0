"""Family: programs that run a command with a chosen toolchain or inside an environment.

`mise exec -- CMD`, `pyenv exec CMD`, `volta run CMD`, `devbox run CMD`, `scl enable COLL
'CMD'`, `systemd-nspawn -D DIR CMD`, `wsl -e CMD` … run CMD; they were read as unknown
programs, so only a few names among their arguments (`rm`, `git`…) were noticed and
`pyenv exec dropdb production` ran. A package manager's own options before its command
(`pnpm --filter api exec`, `uv --directory srv run`, `yarn workspace api exec`, `uvx --from
PKG`) no longer hide what runs. The same programs' other commands pass as before.
"""

from __future__ import annotations

import pytest
from judgekit import stops

RUNNERS = [
    "asdf exec {}",
    "mise exec -- {}",
    "mise x node@20 python@3.12 -- {}",
    "rtx exec -- {}",
    "pyenv exec {}",
    "rbenv exec {}",
    "nodenv exec {}",
    "goenv exec {}",
    "jenv exec {}",
    "volta run --node 20 {}",
    "nvm exec 18 {}",
    "devbox run {}",
    "guix shell postgresql -- {}",
    "flox activate -- {}",
    "scl enable rh-postgresql12 -- {}",
    "toolbox run -c fedora {}",
    "distrobox enter box -- {}",
    "flatpak-spawn --host {}",
    "proot -0 {}",
    "schroot -c sid -- {}",
    "systemd-nspawn -D /srv/container {}",
    "limactl shell default {}",
    "orb run {}",
    "wsl -e {}",
    "wsl -d Ubuntu -u root -- {}",
    "railway run {}",
    "uvx --from pgcli {}",
    "pnpm --filter api exec {}",
    "yarn workspace api exec {}",
    "uv --directory srv run {}",
    "poetry -C srv run {}",
]


@pytest.mark.parametrize("runner", RUNNERS)
def test_the_command_a_runner_starts_is_judged(runner: str) -> None:
    assert stops(runner.format("dropdb production"))


@pytest.mark.parametrize("runner", RUNNERS)
def test_ordinary_work_through_the_same_runner_passes(runner: str) -> None:
    assert not stops(runner.format("pytest -q"))


def test_a_command_string_given_to_scl_or_mise_is_judged() -> None:
    assert stops("scl enable devtoolset-11 rh-postgresql12 'dropdb production'")
    assert stops("mise exec -c 'dropdb production'")
    assert not stops("scl enable devtoolset-11 'make -j4'")


@pytest.mark.parametrize(
    "line",
    ["mise install", "mise use node@20", "pyenv install 3.12", "volta install node",
     "nvm use 18", "devbox shell --print-env", "wsl -l -v", "pnpm --filter api test",
     "yarn workspace api add lodash", "uvx --from ruff ruff check ."],
)  # fmt: skip
def test_the_runners_own_commands_pass(line: str) -> None:
    assert not stops(line)


def test_wsl_management_is_still_judged_as_wsl() -> None:
    assert stops("wsl --unregister Ubuntu")
