"""Keeping the audit chain trustworthy: verify it end to end, seal old rows, prune it.

`verify` walks the chain from its start (genesis, or the checkpoint a prune left) and names the
first record that is wrong: a gap, a broken link, contents that do not match their hash, a MAC
that does not match (re-hashed without the key), a head that was moved, or a tail shorter than
the anchor file outside the database last saw. `prune` deletes old records only from a chain
that verifies, and leaves a signed checkpoint (the last deleted record's id and hash) from which
the rest still verifies. `seal` gives MACs to rows written before MACs existed (the schema
migration runs it once, in its own transaction).

May import: the standard library, `safesh.store.values`, `safesh.store.audit` and
`safesh.store.anchor`; the back-end only through the `Database` protocol.
"""

from __future__ import annotations

from safesh.store.audit import AUDIT_COLUMNS, append, check_row
from safesh.store.values import GENESIS_HASH, StoreError, VerifyResult, iso

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up

if TYPE_CHECKING:
    from datetime import datetime

    from safesh.store.anchor import Anchor
    from safesh.store.connection import Database, Transaction


def verify(db: Database, anchor: Anchor) -> VerifyResult:
    """The whole chain, its MACs, its head and the anchor file; the first problem found."""
    anchored = {record_id: digest for record_id, digest, valid in anchor.heads() if valid}
    with db.read() as conn:
        return _verify(conn, anchor, anchored)


def _verify(conn: Transaction, anchor: Anchor, anchored: dict[int, str]) -> VerifyResult:
    expected_id, expected_prev, checked = 1, GENESIS_HASH, 0
    checkpoint = conn.execute("SELECT id, hash, mac FROM checkpoint").fetchone()
    if checkpoint is not None:
        cp_id, cp_hash, cp_mac = checkpoint
        if anchor.check(cp_mac, "checkpoint", cp_id, cp_hash) is False:
            return VerifyResult(
                False, 0, cp_id, "the prune checkpoint's MAC does not match (edited)"
            )
        expected_id, expected_prev = cp_id + 1, cp_hash
    columns = (*AUDIT_COLUMNS, "mac")
    cursor = conn.execute(f"SELECT {', '.join(columns)} FROM audit ORDER BY id")
    for row in cursor:
        fields = dict(zip(columns, row, strict=True))
        mac = fields.pop("mac")
        problem = check_row(fields, expected_id, expected_prev)
        if problem is None and anchor.check(mac, "row", fields["id"], fields["hash"]) is False:
            problem = (
                fields["id"],
                "its MAC does not match (edited and re-hashed, or written without the key "
                "kept outside the database)",
            )
        if problem is None and anchored.get(fields["id"], fields["hash"]) != fields["hash"]:
            problem = fields["id"], "its hash differs from the one the anchor file recorded"
        if problem is not None:
            bad, text = problem
            return VerifyResult(False, checked, bad, text)
        checked += 1
        expected_id, expected_prev = fields["id"] + 1, fields["hash"]
    head_id, head_hash, head_mac = conn.execute("SELECT id, hash, mac FROM chain_head").fetchone()
    if head_id >= expected_id:
        return VerifyResult(
            False,
            checked,
            expected_id,
            f"records {expected_id}..{head_id} are missing (deleted from the end)",
        )
    if head_hash != expected_prev:
        return VerifyResult(
            False, checked, expected_id - 1, "the chain head does not match the last record"
        )
    if head_id > 0 and anchor.check(head_mac, "head", head_id, head_hash) is False:
        return VerifyResult(
            False, checked, head_id, "the chain head's MAC does not match (the head was moved)"
        )
    newest = max(anchored, default=0)
    if newest > head_id:
        return VerifyResult(
            False,
            checked,
            head_id + 1,
            f"records {head_id + 1}..{newest} are missing: the anchor file outside the "
            f"database saw record {newest} (the tail was cut)",
        )
    return VerifyResult(True, checked)


def seal(conn: Transaction, anchor: Anchor) -> None:
    """Give every row without a MAC, and the head, their MACs. Run once, by the migration
    that adds MACs to an existing store; afterwards every append writes its own."""
    rows = conn.execute("SELECT id, hash FROM audit WHERE mac IS NULL ORDER BY id").fetchall()
    for record_id, digest in rows:
        mac = anchor.mac("row", record_id, digest)
        conn.execute("UPDATE audit SET mac = ? WHERE id = ?", (mac, record_id))
    head_id, head_hash = conn.execute("SELECT id, hash FROM chain_head").fetchone()
    conn.execute("UPDATE chain_head SET mac = ?", (anchor.mac("head", head_id, head_hash),))


def prune(
    db: Database,
    anchor: Anchor,
    now: datetime,
    *,
    before: datetime | None = None,
    keep: int | None = None,
) -> int:
    """Delete records older than `before` and/or all but the newest `keep`. Refuses (raises
    `StoreError`) when the chain does not verify: pruning must not erase evidence of
    tampering. The checkpoint, the prune's own record and the anchor are all written so that
    `verify` still passes afterwards."""
    anchored = {record_id: digest for record_id, digest, valid in anchor.heads() if valid}
    with db.write() as conn:
        result = _verify(conn, anchor, anchored)
        if not result.ok:
            raise StoreError(f"not pruning: {result.message()}")
        head_id = int(conn.execute("SELECT id FROM chain_head").fetchone()[0])
        checkpoint = conn.execute("SELECT id, pruned FROM checkpoint").fetchone()
        first, pruned_before = (1, 0) if checkpoint is None else (checkpoint[0] + 1, checkpoint[1])
        cut = 0
        if before is not None:
            (found,) = conn.execute(
                "SELECT max(id) FROM audit WHERE time < ?", (iso(before),)
            ).fetchone()
            cut = int(found or 0)
        if keep is not None:
            cut = max(cut, head_id - max(0, keep))
        if cut < first:
            return 0
        (cut_hash,) = conn.execute("SELECT hash FROM audit WHERE id = ?", (cut,)).fetchone()
        conn.execute("DELETE FROM audit WHERE id <= ?", (cut,))
        count = cut - first + 1
        mac = anchor.mac("checkpoint", cut, cut_hash)
        conn.execute(
            "INSERT INTO checkpoint (one, id, hash, time, pruned, mac) VALUES (1, ?, ?, ?, ?, ?) "
            "ON CONFLICT (one) DO UPDATE SET id = excluded.id, hash = excluded.hash, "
            "time = excluded.time, pruned = excluded.pruned, mac = excluded.mac",
            (cut, cut_hash, iso(now), pruned_before + count, mac),
        )
        record_id, digest = append(
            conn,
            anchor,
            kind="prune",
            time=iso(now),
            note=f"pruned records {first}..{cut} ({count}); the chain continues from {cut}",
        )
    anchor.note_head(record_id, digest)
    anchor.compact(keep_after=cut)
    return count
