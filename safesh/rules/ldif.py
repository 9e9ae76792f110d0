"""What the LDIF given to `ldapmodify` / `ldapadd` does to a directory, as effect facts
(effects.py): the records are read from `-f FILE`, a `< FILE` redirect, a heredoc or
here-string, or a pipe whose text is on the line (`cat FILE |` reads FILE).

    ldap-delete@any        a record with `changetype: delete` (an entry removed, as with
                           ldapdelete)
    ldap-rename@any        `changetype: modrdn` / `moddn` (an entry renamed or moved)
    ldap-bulk-modify@any   attribute values replaced or deleted (`replace:`/`delete:` in a
                           `changetype: modify` record) on BULK_ENTRIES entries or more
    ldap-members@any       a group's membership replaced (`replace: member`) or emptied
                           (`delete: member` without a value), whatever the entry count
    ldap-config@any        the server's configuration (an entry under `cn=config`) has values
                           replaced or deleted, or its access rules or administrator changed
    ldap-unread@any        LDIF that cannot be read here (a file that is missing or too large,
                           another program's output)

Additions and small modifications have no fact. `-n` (show what would be done) changes
nothing and has none either. May import model and the standard library.
"""

from __future__ import annotations

import os
import re

from safesh.lazy_re import later
from safesh.model import Command, Context

LDIF_CLIENTS = frozenset({"ldapmodify", "ldapadd"})
# From this many entries on, replacing or deleting attribute values is a bulk change.
BULK_ENTRIES = 5
_MAX_BYTES = 1 << 20
# ldapmodify's options that take a value (OpenLDAP): the LDIF file is `-f`.
_VALUE_OPTIONS = frozenset(
    {"-f", "-H", "-h", "-p", "-D", "-w", "-y", "-e", "-E", "-o", "-O", "-P", "-R", "-S", "-U",
     "-X", "-Y", "-d"}
)  # fmt: skip
# `-n`, alone or among other options without a value (`-xn`): show, change nothing.
_SHOW_ONLY = later(r"-[acCMvWxZQIr]*n[acCMvWxZQIrn]*")


def ldif_facts(command: Command, context: Context) -> set[str]:
    """The facts of an LDIF client's input; empty for any other command."""
    if command.name not in LDIF_CLIENTS:
        return set()
    argv = command.argv
    if any(_SHOW_ONLY.fullmatch(a) for a in argv[1:]):
        return set()
    texts = list(_inputs(command, context))
    if not texts:
        return set()
    facts: set[str] = set()
    for text in texts:
        if text is None:
            facts.add("ldap-unread@any")
        else:
            facts |= _record_facts(text, adding=command.name == "ldapadd" or "-a" in argv[1:])
    return facts


def _inputs(command: Command, context: Context) -> list[str | None]:
    """The LDIF texts the client reads (None for one that cannot be read here)."""
    found: list[str | None] = []
    argv = command.argv
    i = 1
    while i < len(argv):
        arg = argv[i]
        if arg == "-f" and i + 1 < len(argv):
            static = i + 1 >= len(command.words) or command.words[i + 1].static
            found.append(_read(argv[i + 1], command, context) if static else None)
        elif arg.startswith("-f") and len(arg) > 2:
            found.append(_read(arg[2:], command, context))
        i += 2 if arg in _VALUE_OPTIONS else 1
    if found:
        return found
    for redirect in command.redirects:
        if redirect.heredoc is not None:
            return [redirect.heredoc]
        if redirect.op == "<" and redirect.target is not None:
            if not redirect.target.static:
                return [None]
            return [_read(redirect.target.text, command, context)]
    feed = command.feed
    if feed is None:
        return []  # the terminal: a person types the records
    if feed.text is not None:
        return [feed.text]
    if feed.kind == "pipe" and len(feed.source) == 2 and feed.source[0] == "cat":
        return [_read(feed.source[1], command, context)]
    return [None]


def _read(path: str, command: Command, context: Context) -> str | None:
    if path.startswith("~/"):
        full = os.path.join(context.home, path[2:])
    elif os.path.isabs(path):
        full = path
    elif command.cwd_known:
        full = os.path.join(command.cwd or context.cwd, path)
    else:
        return None  # relative to a directory the line computes
    try:
        with open(full, "rb") as handle:
            data = handle.read(_MAX_BYTES + 1)
    except OSError:
        return None
    if len(data) > _MAX_BYTES:
        return None
    return data.decode("utf-8", errors="replace")


def _records(text: str) -> list[list[tuple[str, str]]]:
    """LDIF records: blank-line separated, continuation lines (leading space) joined, each
    as its lines in order, `(attribute name in lower case, value)`; a lone `-` (the end of
    one modification) is kept as `("-", "")`."""
    records: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    lines: list[str] = []
    for raw in text.splitlines():
        if raw.startswith(" ") and lines:
            lines[-1] += raw[1:]
        else:
            lines.append(raw)
    for line in lines:
        if not line.strip():
            if current:
                records.append(current)
            current = []
            continue
        if line.startswith("#"):
            continue
        if line.strip() == "-":
            current.append(("-", ""))
            continue
        key, colon, value = line.partition(":")
        if colon:
            current.append((key.strip().lower(), value.lstrip(":< ").strip()))
    if current:
        records.append(current)
    return records


def _first(record: list[tuple[str, str]], key: str) -> str | None:
    return next((value for name, value in record if name == key), None)


def _modifications(record: list[tuple[str, str]]) -> list[tuple[str, str, int]]:
    """The modifications of a `changetype: modify` record: (operation, attribute in lower
    case, how many values it lists). `delete: member` with no value removes every value."""
    found: list[tuple[str, str, int]] = []
    open_ = False  # an operation line was read and its `-` not yet
    for name, value in record:
        if name in {"add", "replace", "delete", "increment"} and not open_:
            found.append((name, value.lower(), 0))
            open_ = True
        elif name == "-":
            open_ = False
        elif open_ and name == found[-1][1]:
            op, attribute, count = found[-1]
            found[-1] = (op, attribute, count + 1)
    return found


def _record_facts(text: str, adding: bool) -> set[str]:
    facts: set[str] = set()
    modified = 0
    for record in _records(text):
        dn = _first(record, "dn")
        if dn is None:
            continue
        changetype = (_first(record, "changetype") or ("add" if adding else "modify")).lower()
        if changetype == "delete":
            facts.add("ldap-delete@any")
        elif changetype in {"modrdn", "moddn"}:
            facts.add("ldap-rename@any")
        elif changetype == "modify":
            changes = _modifications(record)
            if any(op in {"replace", "delete"} for op, _, _ in changes):
                modified += 1
            facts |= _wide_modification(dn, changes)
    if modified >= BULK_ENTRIES:
        facts.add("ldap-bulk-modify@any")
    return facts


# Attributes that list a group's members: replacing them drops every member not named, and
# deleting them without a value empties the group, however few entries the LDIF names.
_MEMBERSHIP = frozenset({"member", "uniquemember", "memberuid", "memberof", "roleoccupant"})
# The server's own configuration (OpenLDAP's cn=config): who may read and write what
# (olcAccess), the administrator's DN and password; adding to these also changes who gets in.
_CONFIG_ACCESS = frozenset({"olcaccess", "olcrootdn", "olcrootpw", "olcauthzregexp",
                            "olcrequires", "olcdisallows", "olcsecurity"})  # fmt: skip
_CONFIG_SUFFIX = later(r"(?:^|,)\s*cn\s*=\s*config\s*$", re.I)


def _wide_modification(dn: str, changes: list[tuple[str, str, int]]) -> set[str]:
    """Facts of one modify record whose reach is not its entry count: a group's whole
    membership replaced or removed (`ldap-members@any`), the server's configuration rewritten
    or its access rules changed (`ldap-config@any`)."""
    facts: set[str] = set()
    config = _CONFIG_SUFFIX.search(dn) is not None
    for op, attribute, values in changes:
        if attribute in _MEMBERSHIP and (op == "replace" or (op == "delete" and values == 0)):
            facts.add("ldap-members@any")
        if config and (op in {"replace", "delete"} or attribute in _CONFIG_ACCESS):
            facts.add("ldap-config@any")
    return facts
