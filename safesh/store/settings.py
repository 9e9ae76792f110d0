"""The store's settings: the `[settings]` keys of the user's own rules file that say where the
store is and how long things live in it.

    store               = "postgresql://safesh@db.internal/safesh"   # default: the local SQLite
    approval_ttl        = "1h"     # how long a request waits for a human (default 1d)
    audit_retention     = "90d"    # prune records older than this (default: keep everything)
    audit_max_records   = "500000" # and/or keep at most this many
    production_approvers = "2"     # distinct people a production finding needs (default 1)

A value that does not parse is a `StoreError` (fail closed: the caller refuses what needs the
store rather than guess). The database password never sits in the URL: libpq reads it from
PGPASSWORD or a password file (PGPASSFILE, ~/.pgpass), so it stays off every command line.

May import: the standard library (tomllib lazily), `safesh.locations` and
`safesh.store.values`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from safesh.record import frozen
from safesh.store.values import DEFAULT_TTL_S, StoreError, parse_duration

STORE_KEYS = frozenset(
    {"store", "approval_ttl", "audit_retention", "audit_max_records", "production_approvers"}
)
_SCHEMES = ("postgresql://", "postgres://")


@frozen
class StoreSettings:
    """What the store needs from the user's settings."""

    url: str | None = None  # a PostgreSQL URL; None: the local SQLite file
    approval_ttl_s: float = DEFAULT_TTL_S
    retention_s: float | None = None
    max_records: int | None = None
    production_approvers: int = 1

    @property
    def prunes(self) -> bool:
        return self.retention_s is not None or self.max_records is not None


def store_settings(
    settings: Mapping[str, str] | Iterable[tuple[str, str]] = (),
) -> StoreSettings:
    """`StoreSettings` from a `[settings]` table (a mapping or `Report.settings` pairs)."""
    table = dict(settings.items() if isinstance(settings, Mapping) else settings)
    return StoreSettings(
        url=_url(table.get("store")),
        approval_ttl_s=_duration(table, "approval_ttl") or DEFAULT_TTL_S,
        retention_s=_duration(table, "audit_retention"),
        max_records=_count(table, "audit_max_records", minimum=1),
        production_approvers=_count(table, "production_approvers", minimum=1) or 1,
    )


def check_setting(name: str, value: str) -> str | None:
    """Why `value` is not a valid value for store setting `name`, or None if it is (for the
    rules loader, so a typo is reported where it is written)."""
    try:
        store_settings({name: value})
    except StoreError as error:
        return str(error)
    return None


def user_settings() -> StoreSettings:
    """The store settings of the user's own rules file (`safesh paths`), for the commands
    that open the store without judging a command (`safesh approvals`, `safesh log`)."""
    import tomllib

    from safesh.locations import user_rules_file

    path = user_rules_file()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return StoreSettings()
    except OSError as error:
        raise StoreError(f"cannot read {path}: {error}") from error
    try:
        table = tomllib.loads(text).get("settings", {})
    except tomllib.TOMLDecodeError as error:
        raise StoreError(f"{path} is not valid TOML: {error}") from error
    if not isinstance(table, dict):
        return StoreSettings()
    return store_settings({k: v for k, v in table.items() if isinstance(v, str)})


def _url(value: str | None) -> str | None:
    if not value or value in ("sqlite", "local"):
        return None
    if not value.startswith(_SCHEMES):
        raise StoreError(f"setting 'store' must be a postgresql:// URL (or 'local'), not {value!r}")
    from urllib.parse import urlsplit

    if urlsplit(value).password:
        raise StoreError(
            "setting 'store' must not hold the database password: put it in ~/.pgpass "
            "(or the file PGPASSFILE names) or in PGPASSWORD"
        )
    return value


def _duration(table: Mapping[str, str], name: str) -> float | None:
    value = table.get(name)
    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueError as error:
        raise StoreError(f"setting {name!r}: {error}") from error


def _count(table: Mapping[str, str], name: str, *, minimum: int) -> int | None:
    value = table.get(name)
    if value is None:
        return None
    try:
        number = int(value.strip())
    except ValueError:
        number = minimum - 1
    if number < minimum:
        raise StoreError(f"setting {name!r} must be a whole number >= {minimum}, not {value!r}")
    return number
