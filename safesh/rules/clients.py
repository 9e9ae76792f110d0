"""The database clients safesh reads SQL (or its cousins) from, and the HTTP clients whose
requests it reads. Kept apart from `sql.py` and `http.py` so that deciding whether their
analysis can apply to a command costs no import of it."""

from __future__ import annotations

# Which sqlglot dialect reads each client's SQL.
SQL_CLIENTS = {
    "psql": "postgres",
    "pgcli": "postgres",
    "mysql": "mysql",
    "mariadb": "mysql",
    "mycli": "mysql",
    "sqlite3": "sqlite",
    "sqlite": "sqlite",
    "clickhouse-client": "clickhouse",
    "clickhouse": "clickhouse",
    "duckdb": "duckdb",
}
MONGO_CLIENTS = frozenset({"mongosh", "mongo"})
REDIS_CLIENTS = frozenset({"redis-cli", "valkey-cli", "keydb-cli"})
# Raw TCP clients: what they are fed may be a datastore's text protocol (`printf 'FLUSHALL\r\n'
# | nc cache 6379`, `echo flush_all | nc cache 11211`); only those commands are read from it.
RAW_PROTOCOL_CLIENTS = frozenset({"nc", "ncat", "netcat", "socat", "telnet"})
DATABASE_CLIENTS = frozenset(SQL_CLIENTS) | MONGO_CLIENTS | REDIS_CLIENTS | RAW_PROTOCOL_CLIENTS

# The programs `http.py` reads requests from.
HTTP_CLIENTS = frozenset({"curl", "wget", "http", "https", "xh", "xhs", "httpie", "curlie"})
