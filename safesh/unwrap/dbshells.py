"""Database shells that hosting platforms and operators open on the databases they manage,
judged as the client they run, so the SQL rules read every statement (rules/sql.py):
`heroku pg:psql [DB] -c SQL | -f FILE` and `fly postgres connect` as `psql`, `kubectl cnpg
psql CLUSTER -- ARGS…` as `psql ARGS…`, `pscale shell DB BRANCH` as `mysql`, `turso db shell
DB [SQL]` as `sqlite3 DB [SQL]`, `wrangler d1 execute DB --command SQL | --file FILE` as
`sqlite3` given the SQL (or `.read FILE`), `heroku redis:cli` / `fly redis connect` as
`redis-cli`. What they read on standard input (a heredoc, `< FILE`, a pipe) stays theirs.

May use: `safesh.model`, `safesh.record`, `.site` and the standard library.
"""

from __future__ import annotations

from safesh.model import Word
from safesh.record import replace

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from safesh.unwrap.site import Handler, Site, Walk


def _as(program: str, head: Word, rest: list[Word]) -> list[Word]:
    """`rest` given to `program`, whose word stands where `head` was written."""
    return [replace(head, text=program, raw=program, static=True), *rest]


def _subcommand_at(words: list[Word], spelled: tuple[str, ...]) -> int | None:
    """Where the words after a leading subcommand spelled `spelled` begin (options before it,
    such as `-a APP`, are not looked through: the platforms' shells name it first)."""
    texts = tuple(x.text for x in words[1 : 1 + len(spelled)])
    return 1 + len(spelled) if texts == spelled else None


def platform_shell(w: Walk, name: str, words: list[Word], site: Site) -> bool:
    """Peel a platform's database shell as the client it runs; True when `words` was one.
    (The platform command itself is emitted by the caller.)"""
    for spelled, program, keep in _SHELLS.get(name, ()):
        at = _subcommand_at(words, spelled)
        if at is None:
            continue
        rest = words[at:] if keep else []
        w.peel(_as(program, words[0], rest), site.inner(" ".join((name, *spelled))))
        return True
    return False


# Each platform's shells: (subcommand words, the client it runs, whether the client gets the
# words that follow; a platform's own options there, such as `-a APP`, mean nothing to the
# SQL the rules read).
_SHELLS: dict[str, tuple[tuple[tuple[str, ...], str, bool], ...]] = {
    "heroku": ((("pg:psql",), "psql", True), (("psql",), "psql", True),
               (("redis:cli",), "redis-cli", False)),
    "fly": ((("postgres", "connect"), "psql", True), (("pg", "connect"), "psql", True),
            (("redis", "connect"), "redis-cli", False)),
    "pscale": ((("shell",), "mysql", True),),
    "turso": ((("db", "shell"), "sqlite3", True),),
}  # fmt: skip
_SHELLS["flyctl"] = _SHELLS["fly"]


def cnpg(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`kubectl cnpg psql CLUSTER [-- PSQL ARGS…]`: psql in the cluster's primary."""
    w.emit(words, site)
    if len(words) < 2 or words[1].text != "psql":
        return
    texts = [x.text for x in words]
    rest = words[texts.index("--") + 1 :] if "--" in texts else []
    w.peel(_as("psql", words[0], rest), site.inner(f"{name} psql"))


def wrangler(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`wrangler d1 execute DB --command SQL` / `--file FILE`: SQLite statements run on the
    D1 database (remote with `--remote`)."""
    w.emit(words, site)
    if [x.text for x in words[1:3]] != ["d1", "execute"]:
        return
    statements: list[Word] = []
    for i, word in enumerate(words[3:], start=3):
        text = word.text
        for option, prefix in (("--command", ""), ("--file", ".read ")):
            value: Word | None = None
            if text == option and i + 1 < len(words):
                value = words[i + 1]
            elif text.startswith(option + "="):
                value = replace(word, text=text[len(option) + 1 :])
            if value is not None:
                statements.append(replace(value, text=prefix + value.text))
    if statements:
        database = replace(words[3] if len(words) > 3 else words[0], text=":d1:", raw=":d1:")
        w.peel(_as("sqlite3", words[0], [database, *statements]), site.inner(f"{name} d1"))


def shell_platform(w: Walk, name: str, words: list[Word], site: Site) -> None:
    """`pscale …`, `turso …`: the command, and the client its database shell runs."""
    w.emit(words, site)
    platform_shell(w, name, words, site)


# The handlers this module adds to the walk's table (safesh.unwrap.handlers); heroku's and
# fly's shells are peeled from their handlers in cloudexec.py, which also read `run` / `ssh`.
HANDLERS: dict[str, Handler] = {
    "kubectl-cnpg": cnpg,
    "wrangler": wrangler,
    "pscale": shell_platform,
    "turso": shell_platform,
}
