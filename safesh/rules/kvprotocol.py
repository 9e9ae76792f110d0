"""What a key-value store's client is told to do: redis-cli's (valkey-cli's, keydb-cli's)
arguments and standard input, and a raw TCP client (nc, socat, telnet) fed Redis's or
memcached's text protocol. The kinds are sql.py's (`flush`, `shutdown`, `delete`,
`server-admin`); kept apart from it so that the SQL module stays one subject.

May import: model.
"""

from __future__ import annotations

from safesh.model import Command

_REDIS_VALUE_OPTIONS = frozenset(
    {"-h", "-p", "-s", "-a", "-u", "-n", "-r", "-i", "-d", "--user", "--pass", "--pattern"}
)
_REDIS_KINDS = {
    "FLUSHALL": "flush",
    "FLUSHDB": "flush",
    "DEL": "delete",
    "UNLINK": "delete",
    "SHUTDOWN": "flush",
}
# (SHUTDOWN also stops the server for every client: `shutdown` as well as `flush`, which it
# has always been, since SHUTDOWN NOSAVE loses what was not saved.)


# Administration that crashes, resets or re-points the server rather than deleting keys:
# DEBUG SEGFAULT kills it, CONFIG SET dir/dbfilename makes its next dump land on any file the
# server may write (the classic way to plant a key or a cron job), REPLICAOF HOST PORT replaces
# the whole dataset with another server's, CLUSTER RESET/FAILOVER/FORGET reshape the cluster,
# FUNCTION FLUSH deletes every stored library. (`REPLICAOF NO ONE` promotes it: nothing lost.)
_REDIS_ADMIN = {
    "DEBUG": frozenset({"SEGFAULT", "CRASH-AND-RECOVER", "RESTART", "RELOAD", "OOM", "PANIC"}),
    "CLUSTER": frozenset(
        {"RESET", "FAILOVER", "FORGET", "FLUSHSLOTS", "DELSLOTS", "DELSLOTSRANGE", "SETSLOT"}
    ),
    "FUNCTION": frozenset({"FLUSH"}),
}
_REDIS_ADMIN_CONFIG = frozenset({"DIR", "DBFILENAME", "REPLICAOF", "SLAVEOF", "MASTERAUTH"})


def _redis_admin(words: list[str]) -> bool:
    head = [w.upper() for w in words[:2]]
    if not head:
        return False
    if head[0] in _REDIS_ADMIN:
        return head[1:] != [] and head[1] in _REDIS_ADMIN[head[0]]
    if head[0] in {"REPLICAOF", "SLAVEOF"}:
        return [w.upper() for w in words[1:3]] != ["NO", "ONE"]
    if head == ["CONFIG", "SET"]:
        # CONFIG SET takes parameter-value pairs (several since Redis 7).
        return any(w.upper() in _REDIS_ADMIN_CONFIG for w in words[2::2])
    return False


def redis_kinds(command: Command) -> tuple[frozenset[str], str]:
    args = command.argv[1:]
    index = 0
    while index < len(args) and args[index].startswith("-"):
        index += 2 if args[index] in _REDIS_VALUE_OPTIONS else 1
    commands: list[list[str]] = [list(args[index:])] if args[index:] else []
    if "--cluster" in args:
        # `redis-cli --cluster call HOST:PORT CMD …` runs CMD on every node of the cluster.
        at = args.index("--cluster")
        if args[at + 1 : at + 2] == ("call",):
            commands = [list(args[at + 3 :])] if args[at + 3 :] else []
    feed = command.feed
    if feed is not None and feed.text:
        commands += [line.split() for line in feed.text.splitlines() if line.split()]
    words = [c[0] for c in commands]
    kinds = {_REDIS_KINDS[w.upper()] for w in words if w.upper() in _REDIS_KINDS}
    if any(w.upper() == "SHUTDOWN" for w in words):
        kinds.add("shutdown")
    admin = [" ".join(c[:3]) for c in commands if _redis_admin(c)]
    if admin:
        kinds.add("server-admin")
    named = [w for w in words if w.upper() in _REDIS_KINDS] + admin
    return frozenset(kinds), " ".join(named)


# Commands of Redis's and memcached's text protocols that empty or stop the server, when a raw
# TCP client is fed them (a line's first word; `\r` from `printf '…\r\n'` is whitespace).
_RAW_PROTOCOL_KINDS = {"FLUSHALL": "flush", "FLUSHDB": "flush", "FLUSH_ALL": "flush",
                       "SHUTDOWN": "shutdown"}  # fmt: skip


def raw_protocol_kinds(command: Command) -> tuple[frozenset[str], str]:
    feed = command.feed
    if feed is None or not feed.text:
        return frozenset(), ""
    text = feed.text.replace("\\r", "\r").replace("\\n", "\n")
    words = [line.split()[0].upper() for line in text.splitlines() if line.split()]
    hits = [w for w in words if w in _RAW_PROTOCOL_KINDS]
    return frozenset(_RAW_PROTOCOL_KINDS[w] for w in hits), " ".join(hits)
