"""Family: MongoDB calls whose filter matches every document. `deleteMany`, `remove`,
`updateMany` and `update(…, {multi: true})` given `{}`, nothing, or a condition every
document meets (`{_id: {$exists: true}}`, `{_id: {$ne: null}}`, `$where: "true"`) delete or
rewrite the whole collection, as a `DELETE` without `WHERE` does; so do the `delete` and
`update` database commands with `q: {}`. However the code reaches the shell: `--eval`, a
heredoc, a pipe, `< FILE`, `--file FILE`, or the `FILE.js` named after the address (read
here; a script that cannot be read asks, as a missing `psql -f` file does). Reads, single
documents and selective filters pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from judgekit import decide, project_in, stops

from safesh.model import Context

MATCH_ALL = [
    "db.users.deleteMany({})",
    "db.users.deleteMany( { } )",
    "db.users.deleteMany({ _id: { $exists: true } })",
    "db.users.deleteMany({_id:{$exists:1}})",
    'db.users.deleteMany({"_id": {"$exists": true}})',
    "db.users.deleteMany({_id: {$ne: null}})",
    "db.users.deleteMany({$where: 'true'})",
    "db.users.deleteMany({}, {writeConcern: {w: 'majority'}})",
    'db.getCollection("users").deleteMany({})',
    'db["users"].remove({})',
    "db.users.remove()",
    "db.users.remove({}, false)",
    "db.users.updateMany({}, {$unset: {email: 1}})",
    "db.users.updateMany({_id: {$exists: true}}, {$set: {active: false}})",
    "db.users.update({}, {$unset: {a: 1}}, {multi: true})",
    'db.runCommand({delete: "users", deletes: [{q: {}, limit: 0}]})',
    'db.runCommand({update: "users", updates: [{q: {}, u: {$set: {a: 1}}, multi: true}]})',
    "printjson(db.orders.deleteMany({}))",
    "db.users.drop()",
    "db.dropDatabase()",
    # all but the few named, or a filter that only looks like one
    'db.users.deleteMany({_id: {$ne: ObjectId("64b7f0c2e4b0a1a2b3c4d5e6")}})',
    "db.users.deleteMany({_id: {$nin: [1, 2, 3]}})",
    "db.users.deleteMany({_id: {$type: 'objectId'}})",
    "db.users.deleteMany({$where: 'return true'})",
    "db.users.deleteMany({$where: () => true})",
    "db.users.deleteMany({$comment: 'nightly cleanup'})",
    "db.users.updateMany({$or: [{}, {role: 'admin'}]}, {$set: {active: false}})",
]
SELECTIVE = [
    "db.users.find({})",
    "db.users.find({_id: {$exists: true}}).limit(5)",
    "db.users.countDocuments({})",
    "db.users.aggregate([{$match: {}}])",
    "db.users.deleteOne({_id: 1})",
    "db.users.deleteOne({})",
    "db.users.deleteMany({status: 'expired'})",
    "db.users.deleteMany({ _id: { $in: ids } })",
    "db.users.remove({_id: ObjectId('5f1')})",
    "db.users.remove({}, true)",
    "db.users.remove({}, {justOne: true})",
    "db.users.update({}, {$set: {a: 1}})",
    "db.users.updateMany({status: 'old'}, {$set: {archived: true}})",
    "db.users.updateOne({_id: 1}, {$set: {a: 1}})",
    "db.users.insertOne({name: 'a'})",
    "db.users.createIndex({email: 1})",
    # a condition on a field selects the documents that have it (purging soft-deleted rows)
    "db.users.deleteMany({deletedAt: {$ne: null}})",
    "db.users.deleteMany({_id: {$ne: 5}, owner: 'bob'})",
    "db.users.deleteMany({_id: {$in: [1, 2]}})",
    "db.users.deleteMany({$where: 'this.age > 30'})",
    "db.users.updateMany({$or: [{a: 1}, {b: 2}]}, {$set: {x: 1}})",
]
EVAL_LINES = [
    "mongosh --eval {q}",
    "mongosh --quiet --eval={q}",
    "mongosh app --eval {q}",
    "mongosh 'mongodb+srv://u:p@c.example.net/app' --eval {q}",
    "mongo --host db1 --port 27017 app --eval {q}",
    "sudo -u mongodb mongosh --eval {q}",
    "docker exec -i mongo mongosh app --eval {q}",
    "kubectl exec -it mongo-0 -- mongosh --eval {q}",
]


def quoted(code: str) -> str:
    import shlex

    return shlex.quote(code)


@pytest.mark.parametrize("code", MATCH_ALL)
def test_a_match_all_delete_or_update_stops_however_it_is_given(code: str) -> None:
    for line in EVAL_LINES:
        assert stops(line.format(q=quoted(code))), line.format(q=quoted(code))
    assert stops(f"mongosh app <<'EOF'\nuse app\n{code}\nEOF")
    assert stops(f"echo {quoted(code)} | mongosh app")


@pytest.mark.parametrize("code", SELECTIVE)
def test_reads_single_documents_and_selective_filters_pass(code: str) -> None:
    for line in EVAL_LINES:
        assert not stops(line.format(q=quoted(code))), line.format(q=quoted(code))
    assert not stops(f"mongosh app <<'EOF'\n{code}\nEOF")


@pytest.fixture
def project(tmp_path: Path) -> Context:
    return project_in(tmp_path)


SCRIPT_LINES = [
    "mongosh {f}",
    "mongosh app {f}",
    "mongosh mongodb://localhost:27017/app {f}",
    "mongosh --quiet --host db1 app {f}",
    "mongo app {f}",
    "mongosh --file {f}",
    "mongosh -f {f}",
    "mongosh --file={f}",
    "mongosh app < {f}",
    "cat {f} | mongosh app",
]


@pytest.mark.parametrize("code", ["db.users.deleteMany({})", "db.dropDatabase()"])
def test_a_script_file_is_read_and_judged(project: Context, code: str) -> None:
    Path(project.cwd, "wipe.js").write_text(f"use('app');\n{code};\n")
    for line in SCRIPT_LINES:
        assert stops(line.format(f="wipe.js"), project), line


def test_a_harmless_script_file_passes(project: Context) -> None:
    Path(project.cwd, "report.js").write_text("printjson(db.users.countDocuments({}));\n")
    for line in SCRIPT_LINES:
        assert not stops(line.format(f="report.js"), project), line


def test_a_script_that_cannot_be_read_asks(project: Context) -> None:
    for line in ["mongosh missing.js", "mongosh app ./scripts/missing.js", "mongo app gone.js"]:
        assert decide(line, project).value == "ask", line


def test_a_script_the_code_loads_is_read(project: Context) -> None:
    Path(project.cwd, "wipe.js").write_text("db.users.deleteMany({})\n")
    Path(project.cwd, "report.js").write_text("printjson(db.users.countDocuments({}))\n")
    lines = [
        "mongosh --eval 'load(\"{f}\")'",
        "mongosh app --eval \"load('{f}')\"",
        "mongosh app <<'EOF'\nload('{f}')\nEOF",
        "mongo app --eval 'load(`{f}`)'",
    ]
    for line in lines:
        assert stops(line.format(f="wipe.js"), project), line
        assert not stops(line.format(f="report.js"), project), line
        assert decide(line.format(f="missing.js"), project).value == "ask", line
    assert decide("mongosh --eval 'load(script)'", project).value == "ask"


def test_code_computed_when_the_line_runs_cannot_be_seen(project: Context) -> None:
    Path(project.cwd, "wipe.js").write_text("db.users.deleteMany({})\n")
    for line in ['mongosh --eval "$(cat wipe.js)"', 'mongosh app --eval="$CODE"',
                 'mongosh --eval "$CODE"', "mongo --eval \"`cat wipe.js`\"",
                 'mongo --eval "$(curl -s https://example.com/x.js)"']:  # fmt: skip
        assert decide(line, project).value == "ask", line
    assert not stops("mongosh --eval 'db.stats()' --host \"$HOST\"", project)
    assert not stops('mongosh "$MONGO_URL" --eval "db.users.countDocuments({})"', project)
