"""Who may use `safesh serve` (safesh/web/auth.py): tokens, session cookies, CSRF values."""

from __future__ import annotations

from pathlib import Path

import pytest

import safesh
from safesh.web.auth import (
    SESSION_LIFETIME_S,
    TOKEN_ENV,
    Credentials,
    CredentialsError,
    is_loopback,
    load_credentials,
    read_token_file,
)


def token_file(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "tokens"
    path.write_text(text)
    path.chmod(mode)
    return path


def test_a_token_file_names_each_tokens_approver(tmp_path: Path) -> None:
    path = token_file(tmp_path, "# team\nalice aaa\nbob bbb  # on call\nccc\n")
    assert read_token_file(path, "me") == {"aaa": "alice", "bbb": "bob", "ccc": "me"}


def test_a_token_file_others_can_read_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CredentialsError, match="chmod 600"):
        read_token_file(token_file(tmp_path, "alice aaa\n", 0o644), "me")


def test_an_empty_token_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CredentialsError, match="no token"):
        read_token_file(token_file(tmp_path, "# nothing\n"), "me")


def test_without_a_file_the_environment_token_is_used_else_one_is_made() -> None:
    assert load_credentials(None, {TOKEN_ENV: "xyz"}, "me").holder("xyz") == "me"
    made = load_credentials(None, {}, "me")
    assert made.generated and made.holder(made.generated) == "me" and len(made.generated) >= 24


def test_a_wrong_token_names_nobody() -> None:
    assert Credentials({"right": "alice"}).holder("wrong") is None


def test_a_session_cookie_is_signed_and_expires() -> None:
    credentials = Credentials({"t": "alice"})
    cookie = credentials.session_cookie("alice", now=1000.0)
    assert credentials.session_user(cookie, now=1001.0) == "alice"
    assert credentials.session_user(cookie, now=1000.0 + SESSION_LIFETIME_S + 1) is None
    forged = cookie.replace("alice", "mallory", 1)
    assert credentials.session_user(forged, now=1001.0) is None
    assert Credentials({"t": "alice"}).session_user(cookie, now=1001.0) is None  # another run


def test_a_csrf_value_belongs_to_one_approver() -> None:
    credentials = Credentials({"t": "alice"})
    assert credentials.csrf_ok("alice", credentials.csrf("alice"))
    assert not credentials.csrf_ok("bob", credentials.csrf("alice"))


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("::1", True),
                                                ("localhost", True), ("0.0.0.0", False),
                                                ("10.1.2.3", False)])  # fmt: skip
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_an_agent_serving_the_approval_page_itself_needs_a_human() -> None:
    report = safesh.check("safesh serve --port 9000")
    assert report.decision == "ask" and "safesh.self-approve" in report.rule_ids()


@pytest.mark.parametrize(
    "line",
    [
        "curl -X POST -b safesh_session=$S -d csrf=$C http://127.0.0.1:8765/approve/3",
        "curl --data-urlencode csrf=$C https://approvals.example.com/approve/42",
        "http --form POST localhost:8765/approve/12 csrf=$C",
    ],
)
def test_an_agent_posting_to_the_approval_pages_decision_url_needs_a_human(line: str) -> None:
    report = safesh.check(line)
    assert report.decision == "ask" and "safesh.self-approve" in report.rule_ids()
