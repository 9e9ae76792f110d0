"""What a program's code does to data through a library or the application's own models:
`User.delete_all`, `Model.objects.all().delete()`, `session.query(User).delete()`,
`db.drop_all()`, `DB::table('users')->truncate()`, `Repo.delete_all(User)`,
`collection.deleteMany({})`, `redis.flushall()`, boto3's `bucket.objects.all().delete()`, and
SQL that drops, truncates or empties a table written in a string (`cursor.execute("DROP TABLE
users")`). Read with patterns on the text, in any language: the fact `data-destroy@any`.

A delete with a filter (`User.where(id: 3).delete_all` aside, which still empties whatever the
filter matches) is not read here: only calls whose reach is a whole table, collection, bucket
or store, and the bulk-delete calls whose filter cannot be told apart from none.
The statement pattern (`destroying_statement`) also serves effects.py's `sql-destroy@any` for
database clients. May import `safesh.lazy_re` and the standard library.
"""

from __future__ import annotations

import re

from safesh.lazy_re import later

# Each entry: what the call is, and its pattern. Kept as data so the suite runs each one.
BULK_CALLS: tuple[tuple[str, str], ...] = (
    ("ActiveRecord/Ecto delete_all or destroy_all", r"\.(?:delete_all|destroy_all|delete_all!)\b"),
    (
        "Django/boto3 every object deleted",
        r"\.objects\s*(?:\.\s*all\s*\(\s*\))?\s*\.\s*delete\s*\(\s*\)",
    ),
    (
        "SQLAlchemy query(Model).delete() with no filter",
        r"\.query\s*\(\s*[\w.]+\s*\)\s*\.\s*delete\s*\(",
    ),
    ("SQLAlchemy/Flask-SQLAlchemy drop_all", r"\bdrop_all\s*\("),
    (
        "Laravel truncate or unfiltered delete",
        r"(?:->|::)truncate\s*\(|\btable\s*\(\s*['\"][^'\"]+['\"]\s*\)\s*->\s*delete\s*\(\s*\)",
    ),
    (
        "Mongo/Prisma deleteMany or remove with no filter",
        r"\.(?:deleteMany|delete_many|remove)\s*\(\s*(?:\{\s*\}|\{\s*where\s*:\s*\{\s*\}\s*\})?\s*\)",
    ),
    (
        "Mongo drop of a collection or database",
        r"\.(?:dropDatabase|drop_database|dropCollection|drop_collection)\s*\(|\.drop\s*\(\s*\)",
    ),
    ("Redis flush", r"\.(?:flushall|flushdb|flushAll|flushDb|flush_all|flush_db)\s*\("),
    (
        "Sequelize sync force, drop or truncate",
        r"\.sync\s*\(\s*\{[^}]*\bforce\s*:\s*true|\bsequelize\s*\.\s*drop\s*\(|\btruncate\s*:\s*true",
    ),
    (
        "Rails drop_table or purge",
        r"\bdrop_table\b|\bpurge_current_database\b|\bconnection\s*\.\s*drop_database\b",
    ),
    (
        "cloud SDK deletes a bucket, table, instance or database",
        r"\.(?:delete_bucket|delete_objects|terminate_instances|delete_db_instance|delete_db_cluster"
        r"|delete_table|delete_stack|delete_cluster|delete_file_system|delete_secret)\s*\(",
    ),
    ("S3 versions deleted", r"\.object_versions\s*(?:\.\s*all\s*\(\s*\))?\s*\.\s*delete\s*\(\s*\)"),
)
_BULK = later("|".join(f"(?:{pattern})" for _, pattern in BULK_CALLS))
# String literals of most languages: single, double and back quotes, and Python's triple ones.
_LITERAL = later(r"""(?s)('''|\"\"\"|['"`])(.*?)\1""")
# Words without which neither a bulk call nor a destroying statement can be in the text.
_KEYWORDS = (
    "delete",
    "destroy",
    "drop",
    "truncate",
    "remove",
    "flush",
    "terminate",
    "purge",
    "force",
)


def data_code_facts(code: str) -> set[str]:
    """`{"data-destroy@any"}` when `code` empties or drops a table, collection or store."""
    lowered = code.lower()
    if code.isascii() and not any(word in lowered for word in _KEYWORDS):
        return set()
    if _BULK.search(code) or _destroying_sql(code):
        return {"data-destroy@any"}
    return set()


def _destroying_sql(code: str) -> bool:
    return any(destroying_statement(match.group(2)) for match in _LITERAL.finditer(code))


# A statement that destroys data, in any database client's arguments or input: for clients
# the sql pack does not parse (cqlsh, influx, hive, sqlcmd, snowsql, …).
_DESTROYING_STATEMENT = later(
    r"^\s*(?:DROP\s+(?:TABLE|DATABASE|SCHEMA|KEYSPACE|INDEX|VIEW|COLLECTION|USER|ROLE|MEASUREMENT"
    r"|SERIES|RETENTION\s+POLICY|WAREHOUSE|STAGE|BUCKET|GRAPH|NAMESPACE|TABLESPACE|CONTINUOUS)\b"
    r"|TRUNCATE\b|DELETE\s+FROM\s+[\w.\"`\[\]]+\s*(?:WHERE\s+(?:true|1\s*=\s*1)\s*)?$|ALTER\s+TABLE\s+\S+\s+DROP\b"
    r"|FLUSHALL\b|FLUSHDB\b|MATCH\s*\(.*\)\s*(?:DETACH\s+)?DELETE\b"
    # T-SQL running a statement it holds as text, for each table or database
    r"|EXEC(?:UTE)?\s+(?:\w+\.)*(?:sp_MSforeachtable|sp_MSforeachdb|sp_executesql)\s+N?['\"]\s*"
    r"(?:DROP|TRUNCATE|DELETE\s+FROM)\b)",
    re.IGNORECASE | re.DOTALL,
)


def destroying_statement(text: str) -> bool:
    """Whether `text` holds a statement that drops, truncates or empties a table or store."""
    return any(_DESTROYING_STATEMENT.match(part) for part in text.split(";"))
