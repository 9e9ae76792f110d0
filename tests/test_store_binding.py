"""An approval is for the effective command a human saw: its arguments, its production
environment, and a clock nobody set back (issue 9, item 5). Through the real `safesh -c`;
destructive programs are stubs that only leave a mark."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from human_terminal import in_a_terminal, needs_human_session
from userkit import NOT_INHERITED, safesh, user_environment

from safesh.store import Store

REFUSED = 77
STUBBED = ("rm", "kubectl")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return user_environment(tmp_path, STUBBED, not_inherited=(*NOT_INHERITED, "KUBE"))


def approve_the_only_request(env: dict[str, str], cwd: Path) -> dict[str, object]:
    pending = json.loads(safesh("approvals", "--json", env=env, cwd=cwd).stdout)
    assert len(pending) == 1
    # A human in a terminal of their own: `safesh approve` refuses anything else.
    approved = in_a_terminal(
        [sys.executable, "-m", "safesh", "approve", str(pending[0]["id"])], env, cwd
    )
    assert approved.returncode == 0, approved.stdout + approved.stderr
    request: dict[str, object] = pending[0]
    return request


def stub_runs(tmp_path: Path) -> list[str]:
    marks = tmp_path / "stub-ran"
    return marks.read_text().splitlines() if marks.exists() else []


@needs_human_session
def test_an_approval_with_one_positional_argument_does_not_run_with_another(
    env: dict[str, str], tmp_path: Path
) -> None:
    line = 'rm -rf "$1"'
    assert safesh("-c", line, "sh", "./build", env=env, cwd=tmp_path).returncode == REFUSED
    request = approve_the_only_request(env, tmp_path)
    assert request["argv"] == ["-c", "sh", "./build"]
    other = safesh("-c", line, "sh", "/", env=env, cwd=tmp_path)
    assert other.returncode == REFUSED
    assert stub_runs(tmp_path) == []
    approved = safesh("-c", line, "sh", "./build", env=env, cwd=tmp_path)
    assert approved.returncode == 0
    assert [mark.split(" ", 1)[1] for mark in stub_runs(tmp_path)] == ["-rf ./build"]


@needs_human_session
def test_an_approval_under_one_kubeconfig_does_not_cover_another(
    env: dict[str, str], tmp_path: Path
) -> None:
    line = "kubectl delete deployment web"
    staging = {**env, "KUBECONFIG": str(tmp_path / "staging.yaml")}
    assert safesh("-c", line, env=staging, cwd=tmp_path).returncode == REFUSED
    request = approve_the_only_request(staging, tmp_path)
    assert request["env"]["KUBECONFIG"] == str(tmp_path / "staging.yaml")  # type: ignore[index]
    production = {**env, "KUBECONFIG": str(tmp_path / "production.yaml")}
    assert safesh("-c", line, env=production, cwd=tmp_path).returncode == REFUSED
    assert stub_runs(tmp_path) == []
    assert safesh("-c", line, env=staging, cwd=tmp_path).returncode == 0
    assert len(stub_runs(tmp_path)) == 1


def test_approval_ttl_setting_is_how_long_a_request_waits(
    env: dict[str, str], tmp_path: Path
) -> None:
    rules = tmp_path / "config" / "safesh" / "rules.toml"
    rules.parent.mkdir(parents=True)
    rules.write_text('[settings]\napproval_ttl = "90s"\n')
    assert safesh("-c", "kubectl delete ns web", env=env, cwd=tmp_path).returncode == REFUSED
    (request,) = json.loads(safesh("approvals", "--json", env=env, cwd=tmp_path).stdout)
    created = datetime.fromisoformat(request["created"])
    expires = datetime.fromisoformat(request["expires"])
    assert expires - created == timedelta(seconds=90)


def test_a_bad_approval_ttl_is_reported_where_it_is_written(
    env: dict[str, str], tmp_path: Path
) -> None:
    rules = tmp_path / "config" / "safesh" / "rules.toml"
    rules.parent.mkdir(parents=True)
    rules.write_text('[settings]\napproval_ttl = "soon"\n')
    result = safesh("check", "ls", env=env, cwd=tmp_path)
    assert "approval_ttl" in result.stdout + result.stderr
    assert f"{rules}:2" in result.stdout + result.stderr


# -- the clock -----------------------------------------------------------------------------------

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


class Clocks:
    """A wall clock anyone can set, and a boot clock (seconds since boot) nobody can."""

    def __init__(self) -> None:
        self.wall = T0
        self.uptime = 1000.0
        self.boot_id: str | None = "boot-1"

    def now(self) -> datetime:
        return self.wall

    def boot(self) -> tuple[str, float] | None:
        return None if self.boot_id is None else (self.boot_id, self.uptime)

    def pass_time(self, seconds: float) -> None:
        self.wall += timedelta(seconds=seconds)
        self.uptime += seconds


@pytest.fixture
def clocks() -> Clocks:
    return Clocks()


@pytest.fixture
def store(tmp_path: Path, clocks: Clocks) -> Iterator[Store]:
    with Store(tmp_path / "safesh.db", now=clocks.now, boot=clocks.boot, user="bob") as opened:
        yield opened


def granted_for_an_hour(store: Store) -> None:
    request = store.request_approval("terraform destroy", "/srv", "fp", ["tf"], "destroys")
    store.approve(request.id, for_s=3600, by="alice")


def test_setting_the_clock_back_does_not_revive_an_expired_grant(
    store: Store, clocks: Clocks
) -> None:
    granted_for_an_hour(store)
    clocks.pass_time(2 * 3600)
    assert store.consume_grant("terraform destroy", "/srv", "fp") is None
    clocks.wall = T0 + timedelta(minutes=10)  # `date -s`: the wall clock only
    assert store.consume_grant("terraform destroy", "/srv", "fp") is None


def test_a_clock_before_the_grant_was_given_refuses_it(store: Store, clocks: Clocks) -> None:
    granted_for_an_hour(store)
    clocks.boot_id = "boot-2"  # after a reboot the boot clock says nothing about the grant
    clocks.wall = T0 - timedelta(days=1)
    assert store.consume_grant("terraform destroy", "/srv", "fp") is None


def test_setting_the_clock_back_does_not_revive_an_expired_request(
    store: Store, clocks: Clocks
) -> None:
    request = store.request_approval("terraform destroy", "/srv", "fp", ["tf"], "x", ttl_s=60)
    clocks.pass_time(120)
    clocks.wall = T0 + timedelta(seconds=30)
    assert store.pending() == []
    assert store.get_request(request.id).status == "expired"  # type: ignore[union-attr]


def test_a_grant_within_its_window_still_works_on_both_clocks(store: Store, clocks: Clocks) -> None:
    granted_for_an_hour(store)
    clocks.pass_time(1800)
    assert store.consume_grant("terraform destroy", "/srv", "fp") is not None
