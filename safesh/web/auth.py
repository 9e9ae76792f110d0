"""Who may use the web page: login tokens, the session cookie and the CSRF value of forms.

Every page needs a login, on loopback too: an agent on the same machine could otherwise post
an approval of its own request. A token names its holder (the approver recorded with each
decision). Tokens come from a file (`name token` per line, or a bare token for the user
running `serve`) or from `SAFESH_WEB_TOKEN`; without either, one is made for this run and
printed to the terminal of the human who started it, never written anywhere. Tokens are
never taken from the command line, where `ps` shows them.

Standard library only (hmac, secrets); the app module turns these values into HTTP.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from collections.abc import Mapping
from pathlib import Path

from safesh.record import field, frozen

SESSION_COOKIE = "safesh_session"
SESSION_LIFETIME_S = 12 * 3600
TOKEN_ENV = "SAFESH_WEB_TOKEN"


class CredentialsError(Exception):
    """The token file cannot be used (unreadable, readable by others, or empty)."""


@frozen
class Credentials:
    """The tokens that may log in, each with the name it approves as, and this run's key
    for signing session cookies (a restart logs everyone out)."""

    tokens: Mapping[str, str]  # token -> approver name
    generated: str | None = None  # the token made for this run, to print
    key: bytes = field(default_factory=lambda: secrets.token_bytes(32))

    def holder(self, token: str) -> str | None:
        """The name behind `token`, compared in constant time."""
        found = None
        for known, name in self.tokens.items():
            if hmac.compare_digest(known.encode(), token.encode()):
                found = name
        return found

    def session_cookie(self, name: str, now: float | None = None) -> str:
        expires = int((now if now is not None else time.time()) + SESSION_LIFETIME_S)
        payload = f"{name}|{expires}"
        return f"{payload}|{self._sign(payload)}"

    def session_user(self, cookie: str | None, now: float | None = None) -> str | None:
        """The approver a session cookie names, when it is ours and not expired."""
        if not cookie or cookie.count("|") < 2:
            return None
        payload, _, signature = cookie.rpartition("|")
        name, _, expires = payload.rpartition("|")
        if not hmac.compare_digest(signature, self._sign(payload)):
            return None
        try:
            if int(expires) < (now if now is not None else time.time()):
                return None
        except ValueError:
            return None
        return name or None

    def csrf(self, name: str) -> str:
        return self._sign(f"csrf|{name}")

    def csrf_ok(self, name: str, value: str) -> bool:
        return hmac.compare_digest(self.csrf(name), value)

    def _sign(self, text: str) -> str:
        return hmac.new(self.key, text.encode(), hashlib.sha256).hexdigest()


def load_credentials(
    token_file: Path | None, environ: Mapping[str, str], default_name: str
) -> Credentials:
    """Tokens from `token_file`, else `SAFESH_WEB_TOKEN`, else a new one for this run."""
    if token_file is not None:
        return Credentials(read_token_file(token_file, default_name))
    from_env = environ.get(TOKEN_ENV, "").strip()
    if from_env:
        return Credentials({from_env: default_name})
    token = secrets.token_urlsafe(24)
    return Credentials({token: default_name}, generated=token)


def read_token_file(path: Path, default_name: str) -> dict[str, str]:
    """`name token` per line (a bare token is `default_name`'s); # starts a comment. The file
    must not be readable by others: whoever reads a token can approve."""
    try:
        info = os.stat(path)
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise CredentialsError(f"cannot read the token file {path}: {error.strerror}") from None
    if info.st_mode & 0o077:
        raise CredentialsError(
            f"the token file {path} is readable by others; make it private: chmod 600 {path}"
        )
    tokens: dict[str, str] = {}
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if len(words) == 1:
            tokens[words[0]] = default_name
        elif len(words) == 2:
            tokens[words[1]] = words[0]
        elif words:
            raise CredentialsError(f"{path}: expected `name token` per line, got {line!r}")
    if not tokens:
        raise CredentialsError(f"the token file {path} holds no token")
    return tokens


def is_loopback(host: str) -> bool:
    return host in {"localhost", "::1"} or host.startswith("127.")
