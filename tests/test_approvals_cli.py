"""`safesh approvals`, `safesh approve`, `safesh deny` through the real click commands."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from safesh.cli.commands.approvals import approvals_command, approve_command, deny_command
from safesh.store import ApprovalRequest, AuditEvent, Store

COMMAND, CWD, FP = "git push --force origin main", "/work/p", "fp-1"


@pytest.fixture(autouse=True)
def human_at_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests play a human in a terminal of their own (who may grant: test_grants.py)."""
    from safesh.agents import session

    monkeypatch.setattr(session, "agent_session", lambda *_args, **_kwargs: None)
    monkeypatch.setattr(session, "has_terminal", lambda: True)


@pytest.fixture(autouse=True)
def xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path


def request(tier: str = "ask", now: datetime | None = None) -> ApprovalRequest:
    clock = (lambda: now) if now is not None else (lambda: datetime.now(UTC))
    with Store(now=clock) as store:
        store.record(AuditEvent("git status", CWD, "allow", agent="claude-code", session="s-1"))
        return store.request_approval(
            COMMAND,
            CWD,
            FP,
            ["git.force-push"],
            "rewrites shared history",
            agent="claude-code",
            session="s-1",
            tier=tier,
        )


def test_approvals_without_requests_says_so() -> None:
    result = CliRunner().invoke(approvals_command, [])
    assert (result.exit_code, result.output) == (0, "no pending approval requests\n")


def test_approvals_lists_command_cwd_rule_reason_and_expiry() -> None:
    pending = request()
    result = CliRunner().invoke(approvals_command, [])
    assert result.exit_code == 0
    for text in (pending.id, COMMAND, CWD, "git.force-push", "rewrites shared history"):
        assert text in result.output
    assert "expires in 23h59m" in result.output


def test_approvals_shows_the_agents_recent_commands() -> None:
    request()
    result = CliRunner().invoke(approvals_command, [])
    assert "recent:" in result.output and "git status" in result.output


def test_approvals_json_has_the_documented_fields() -> None:
    pending = request()
    result = CliRunner().invoke(approvals_command, ["--json"])
    (item,) = json.loads(result.output)
    assert item["id"] == pending.id
    assert (item["command"], item["cwd"], item["rule"]) == (COMMAND, CWD, "git.force-push")
    assert (item["created"], item["expires"]) == (pending.created, pending.expires)
    assert [r["command"] for r in item["recent"]] == ["git status"]


def test_approve_once_lets_the_command_run_once() -> None:
    pending = request()
    result = CliRunner().invoke(approve_command, [pending.id, "--once"])
    assert result.exit_code == 0, result.output
    assert f"approved {pending.id} (once)" in result.output
    with Store() as store:
        assert store.consume_grant(COMMAND, CWD, FP) is not None
        assert store.consume_grant(COMMAND, CWD, FP) is None


def test_approve_without_option_means_once() -> None:
    pending = request()
    CliRunner().invoke(approve_command, [pending.id])
    with Store() as store:
        grant = store.consume_grant(COMMAND, CWD, FP)
    assert grant is not None and grant.once


def test_approve_for_a_duration_grants_a_window() -> None:
    pending = request()
    result = CliRunner().invoke(approve_command, [pending.id, "--for", "1h"])
    assert result.exit_code == 0, result.output
    with Store() as store:
        first = store.consume_grant(COMMAND, CWD, FP)
        second = store.consume_grant(COMMAND, CWD, FP)
    assert first is not None and second is not None and not first.once
    until = datetime.fromisoformat(first.until or "")
    assert timedelta(minutes=59) < until - datetime.now(UTC) <= timedelta(hours=1)


def test_approve_unknown_id_exits_1_with_a_clear_error() -> None:
    result = CliRunner().invoke(approve_command, ["nosuchid"])
    assert result.exit_code == 1
    assert "no approval request 'nosuchid'" in result.output


def test_approve_expired_request_exits_1() -> None:
    pending = request(now=datetime.now(UTC) - timedelta(days=2))
    result = CliRunner().invoke(approve_command, [pending.id])
    assert result.exit_code == 1
    assert "expired" in result.output


def test_approve_already_decided_request_exits_1() -> None:
    pending = request()
    CliRunner().invoke(approve_command, [pending.id])
    result = CliRunner().invoke(approve_command, [pending.id])
    assert result.exit_code == 1
    assert "already approved" in result.output


def test_approve_block_tier_request_exits_1() -> None:
    pending = request(tier="block")
    result = CliRunner().invoke(approve_command, [pending.id])
    assert result.exit_code == 1
    assert "cannot be approved" in result.output


def test_approve_with_once_and_for_is_a_usage_error() -> None:
    result = CliRunner().invoke(approve_command, [request().id, "--once", "--for", "1h"])
    assert result.exit_code == 2


def test_approve_with_a_bad_duration_is_a_usage_error() -> None:
    result = CliRunner().invoke(approve_command, [request().id, "--for", "soon"])
    assert result.exit_code == 2
    assert "not a duration" in result.output


def test_deny_records_the_reason() -> None:
    pending = request()
    result = CliRunner().invoke(deny_command, [pending.id, "--reason", "not on main"])
    assert result.exit_code == 0, result.output
    with Store() as store:
        denied = store.get_request(pending.id)
    assert denied is not None
    assert (denied.status, denied.deny_reason) == ("denied", "not on main")


def test_deny_unknown_id_exits_1() -> None:
    result = CliRunner().invoke(deny_command, ["nosuchid", "--reason", "x"])
    assert result.exit_code == 1
    assert "no approval request" in result.output


def test_denied_request_is_no_longer_listed() -> None:
    pending = request()
    CliRunner().invoke(deny_command, [pending.id, "--reason", "no"])
    result = CliRunner().invoke(approvals_command, ["--json"])
    assert json.loads(result.output) == []


def test_corrupt_store_makes_approvals_exit_1_naming_the_file(xdg: Path) -> None:
    path = xdg / "state" / "safesh" / "safesh.db"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"garbage" * 1000)
    result = CliRunner().invoke(approvals_command, [])
    assert result.exit_code == 1
    assert str(path) in result.output
    assert path.read_bytes() == b"garbage" * 1000
