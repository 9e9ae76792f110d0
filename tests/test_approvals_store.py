"""Approval requests in the store: ask, approve, deny, use, expire. The clock is injected."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from safesh.store import (
    ONCE_GRANT_TTL_S,
    ApprovalError,
    ApprovalRequest,
    LogQuery,
    Store,
    notify_request,
)

COMMAND, CWD, FP = "rm -rf build", "/work/p", "fp-1"


class Clock:
    def __init__(self) -> None:
        self.moment = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[Store]:
    with Store(tmp_path / "safesh.db", now=clock, user="agent-user") as opened:
        yield opened


def ask(store: Store, tier: str = "ask", ttl_s: float = 3600, **kw: str) -> ApprovalRequest:
    return store.request_approval(
        COMMAND, CWD, FP, ["fs.rm"], "deletes a tree", ttl_s=ttl_s, tier=tier, **kw
    )


def test_request_id_is_eight_typeable_base32_characters(store: Store) -> None:
    assert re.fullmatch(r"[a-z2-7]{8}", ask(store).id)


def test_new_request_is_pending(store: Store) -> None:
    request = ask(store, agent="claude-code", session="s-1")
    assert [p.id for p in store.pending()] == [request.id]
    assert (request.status, request.agent, request.session) == ("pending", "claude-code", "s-1")


def test_same_pending_request_is_returned_not_duplicated(store: Store) -> None:
    assert ask(store).id == ask(store).id
    assert len(store.pending()) == 1


def test_different_cwd_makes_a_different_request(store: Store) -> None:
    first = ask(store)
    other = store.request_approval(COMMAND, "/elsewhere", FP, ["fs.rm"], "deletes a tree")
    assert first.id != other.id


def test_round_trip_approve_once_is_consumed_once(store: Store) -> None:
    request = ask(store)
    store.approve(request.id, by="alice")
    grant = store.consume_grant(COMMAND, CWD, FP)
    assert grant is not None
    assert (grant.approval_id, grant.once, grant.approved_by) == (request.id, True, "alice")
    assert store.consume_grant(COMMAND, CWD, FP) is None


def test_grant_before_approval_is_none(store: Store) -> None:
    ask(store)
    assert store.consume_grant(COMMAND, CWD, FP) is None


def test_grant_needs_the_exact_command(store: Store) -> None:
    store.approve(ask(store).id, by="alice")
    assert store.consume_grant(COMMAND + " ", CWD, FP) is None


def test_grant_needs_the_same_cwd(store: Store) -> None:
    store.approve(ask(store).id, by="alice")
    assert store.consume_grant(COMMAND, "/work", FP) is None


def test_grant_needs_the_same_rules_fingerprint(store: Store) -> None:
    store.approve(ask(store).id, by="alice")
    assert store.consume_grant(COMMAND, CWD, "fp-2") is None


def test_approved_request_is_no_longer_pending(store: Store) -> None:
    store.approve(ask(store).id, by="alice")
    assert store.pending() == []


def test_approve_accepts_upper_case_id(store: Store) -> None:
    request = ask(store)
    assert store.approve(request.id.upper(), by="alice").status == "approved"


def test_approve_for_a_window_allows_repeated_use(store: Store, clock: Clock) -> None:
    store.approve(ask(store).id, for_s=3600, by="alice")
    first = store.consume_grant(COMMAND, CWD, FP)
    clock.advance(3599)
    second = store.consume_grant(COMMAND, CWD, FP)
    assert first is not None and second is not None
    assert first.once is False


def test_approve_for_a_window_ends_when_it_expires(store: Store, clock: Clock) -> None:
    store.approve(ask(store).id, for_s=3600, by="alice")
    clock.advance(3600)
    assert store.consume_grant(COMMAND, CWD, FP) is None


def test_unused_once_grant_expires(store: Store, clock: Clock) -> None:
    store.approve(ask(store).id, by="alice")
    clock.advance(ONCE_GRANT_TTL_S)
    assert store.consume_grant(COMMAND, CWD, FP) is None


def test_expired_request_is_not_pending(store: Store, clock: Clock) -> None:
    ask(store, ttl_s=60)
    clock.advance(60)
    assert store.pending() == []


def test_expired_request_cannot_be_approved(store: Store, clock: Clock) -> None:
    request = ask(store, ttl_s=60)
    clock.advance(61)
    with pytest.raises(ApprovalError, match="expired") as caught:
        store.approve(request.id, by="alice")
    assert caught.value.problem == "expired"


def test_expired_request_is_replaced_by_a_new_one(store: Store, clock: Clock) -> None:
    first = ask(store, ttl_s=60)
    clock.advance(61)
    assert ask(store).id != first.id


def test_unknown_id_cannot_be_approved(store: Store) -> None:
    with pytest.raises(ApprovalError, match="no approval request") as caught:
        store.approve("zzzzzzzz", by="alice")
    assert caught.value.problem == "unknown"


def test_decided_request_cannot_be_approved_again(store: Store) -> None:
    request = ask(store)
    store.approve(request.id, by="alice")
    with pytest.raises(ApprovalError, match="already approved by alice") as caught:
        store.approve(request.id, by="bob")
    assert caught.value.problem == "decided"


def test_deny_records_reason_and_refuses_the_grant(store: Store) -> None:
    request = ask(store)
    denied = store.deny(request.id, "not on main", by="alice")
    assert (denied.status, denied.deny_reason, denied.decided_by) == (
        "denied",
        "not on main",
        "alice",
    )
    assert store.consume_grant(COMMAND, CWD, FP) is None
    assert store.pending() == []


def test_denied_request_cannot_be_approved(store: Store) -> None:
    request = ask(store)
    store.deny(request.id, "no", by="alice")
    with pytest.raises(ApprovalError, match="already denied"):
        store.approve(request.id, by="alice")


def test_latest_request_reports_a_denial(store: Store) -> None:
    store.deny(ask(store).id, "not on main", by="alice")
    latest = store.latest_request(COMMAND, CWD, FP)
    assert latest is not None and latest.deny_reason == "not on main"


def test_block_tier_request_cannot_be_approved(store: Store) -> None:
    request = ask(store, tier="block")
    with pytest.raises(ApprovalError, match="cannot be approved") as caught:
        store.approve(request.id, by="alice")
    assert caught.value.problem == "blocked"
    assert store.consume_grant(COMMAND, CWD, FP) is None


def test_block_tier_request_cannot_be_approved_for_a_window(store: Store) -> None:
    request = ask(store, tier="block")
    with pytest.raises(ApprovalError):
        store.approve(request.id, for_s=60, by="alice")


def test_block_tier_request_can_be_denied(store: Store) -> None:
    assert store.deny(ask(store, tier="block").id, "never", by="alice").status == "denied"


def test_approve_once_and_for_together_is_an_error(store: Store) -> None:
    with pytest.raises(ValueError):
        store.approve(ask(store).id, once=True, for_s=60)


def test_approval_is_written_to_the_audit_chain(store: Store) -> None:
    request = ask(store, agent="claude-code")
    store.approve(request.id, for_s=1800, by="alice")
    (record,) = store.records(LogQuery(kinds=("approval",)))
    assert (record.user, record.outcome, record.approval_id, record.command) == (
        "alice",
        "approved",
        request.id,
        COMMAND,
    )
    assert record.note is not None and record.note.startswith("for 30m")
    assert store.verify().ok


def test_denial_is_written_to_the_audit_chain(store: Store) -> None:
    request = ask(store)
    store.deny(request.id, "not now", by="alice", host="laptop")
    (record,) = store.records(LogQuery(kinds=("approval",)))
    assert (record.user, record.outcome, record.note) == (
        "alice",
        "denied",
        "not now (by alice on laptop via cli)",
    )


def test_notify_command_gets_the_request_as_json_on_stdin(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "notified.json"
    request = ask(store)
    children = notify_request(request, command=f"cat > {out}")
    for child in children:
        child.wait(timeout=30)
    assert json.loads(out.read_text())["id"] == request.id


def test_notify_does_not_wait_for_a_slow_command(store: Store) -> None:
    children = notify_request(ask(store), command=["sleep", "5"], timeout_s=0.5)
    # Returned while the notifier is still running: nothing waited for it (no clock read).
    assert children and all(child.poll() is None for child in children)
    for child in children:
        child.wait(timeout=30)


def test_notify_to_an_unreachable_url_does_not_raise(store: Store) -> None:
    children = notify_request(ask(store), url="http://127.0.0.1:9/hook", timeout_s=1)
    for child in children:
        assert child.wait(timeout=30) == 0


def test_window_grant_is_used_before_a_once_grant(store: Store) -> None:
    once = ask(store)
    store.approve(once.id, by="alice")
    window = store.request_approval(COMMAND, CWD, FP, ["fs.rm"], "deletes a tree")
    store.approve(window.id, for_s=600, by="alice")
    grant = store.consume_grant(COMMAND, CWD, FP)
    assert grant is not None and grant.approval_id == window.id
    after = store.get_request(once.id)
    assert after is not None and after.status == "approved"
