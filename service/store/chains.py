"""Every append-only record the service keeps, hash-chained: the decision log and the workflow histories.

The histories of applications, candidates and transfer-outs are chained as the decision
log is: each row carries the hash of the row before it (``prev_hash``) and its own
(``row_hash``, over the previous hash and the row's content), so a row changed, removed
or moved breaks every link after it.  A history row's content is every column but the
two links, columns holding NULL left out: a column a later migration adds (NULL in the
rows written before it) changes no stored hash, while a value written, changed or
blanked does.  The chain alone does not stop whoever can rewrite the file and re-hash;
signed checkpoints (``service.store.checkpoints``) do.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from service.rules.canonical import canonical_json, sha256_hex
from service.store import decision_log

GENESIS = decision_log.GENESIS
LINKS = ("prev_hash", "row_hash")


def history_row_hash(prev_hash: str, row: dict) -> str:
    return sha256_hex(prev_hash + canonical_json({k: v for k, v in row.items()
                                                  if k not in LINKS and v is not None}))


@dataclass(frozen=True)
class Chain:
    """One chained table: ``order`` is the column its rows follow each other by (the row a report names)."""

    name: str
    table: str
    order: str
    row_hash: Callable[[str, dict], str]


DECISIONS = Chain("decisions", "decisions", "seq", decision_log.row_hash)
# the workflow histories, and the log of who viewed personal data (service.store.views)
HISTORY_TABLES = ("application_events", "candidate_events", "transfer_out_events", "personal_data_views")
HISTORIES = tuple(Chain(t, t, "id", history_row_hash) for t in HISTORY_TABLES)
CHAINS = (DECISIONS, *HISTORIES)
BY_NAME = {c.name: c for c in CHAINS}


def head(db, chain: Chain) -> tuple[int, str]:
    """The chain's last position and hash ((0, GENESIS) while it is empty)."""
    row = db.execute(f"SELECT {chain.order}, row_hash FROM {chain.table} ORDER BY {chain.order} DESC LIMIT 1"
                     ).fetchone()
    return (row[0], row[1]) if row else (0, GENESIS)


def linked(db, table: str, row: dict) -> dict:
    """``row`` (a history event, without id) as it is appended: its id and both links added.

    Call inside the write transaction that inserts it: the head read here must still be
    the head when the row goes in.  A history not in ``HISTORY_TABLES`` and without the
    link columns (one a feature added without ``add_links``) gets its row back as it was.
    """
    if table not in BY_NAME and not _has_links(db, table):
        return row
    last_id, prev = head(db, BY_NAME.get(table) or Chain(table, table, "id", history_row_hash))
    row = {"id": last_id + 1, **row}
    return {**row, "prev_hash": prev, "row_hash": history_row_hash(prev, row)}


def _has_links(db, table: str) -> bool:
    return {"prev_hash", "row_hash"} <= {r[1] for r in db.execute(f"PRAGMA table_info({table})")}


def add_links(db, table: str) -> None:
    """The migration step chaining history ``table``: the link columns, filled in for the rows it has.

    The history refuses UPDATE: its trigger is set aside for the step (inside the step's
    transaction, so no one sees the table without it) and put back as it was.
    """
    db.execute(f"ALTER TABLE {table} ADD COLUMN prev_hash TEXT")
    db.execute(f"ALTER TABLE {table} ADD COLUMN row_hash TEXT")
    trigger = f"{table}_no_update"
    sql = db.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", [trigger]).fetchone()[0]
    db.execute(f"DROP TRIGGER {trigger}")
    prev = GENESIS
    for row in list(db.query(f"SELECT * FROM {table} ORDER BY id")):
        new = history_row_hash(prev, row)
        db.execute(f"UPDATE {table} SET prev_hash = ?, row_hash = ? WHERE id = ?", [prev, new, row["id"]])
        prev = new
    db.execute(sql)


def verify(db, chain: Chain) -> dict:
    """Walk one chain; the first broken link is named by its position (``seq``) and id."""
    prev, count = GENESIS, 0
    for row in db.query(f"SELECT * FROM {chain.table} ORDER BY {chain.order}"):
        count += 1
        broken = {"ok": False, "chain": chain.name, "checked": count, "seq": row[chain.order], "broken_at": row["id"]}
        if row["prev_hash"] != prev:
            return broken | {"reason": "prev_hash does not match the row before (a row was removed or reordered)"}
        if chain.row_hash(prev, row) != row["row_hash"]:
            return broken | {"reason": "row content does not match its hash (the row was altered)"}
        prev = row["row_hash"]
    return {"ok": True, "chain": chain.name, "checked": count, "head": prev}


def verify_all(db) -> dict:
    """Every chain walked: ``ok``, the rows checked, the first broken link (chain, seq, broken_at,
    reason) when there is one, and each chain's own result."""
    return summary({c.name: verify(db, c) for c in CHAINS})


def summary(results: dict[str, dict]) -> dict:
    """Results of several chains as one: the first that fails named at the top."""
    failed = [r for r in results.values() if not r["ok"]]
    top = {k: v for k, v in failed[0].items() if k in ("chain", "seq", "broken_at", "agreed_through", "reason")
           } if failed else {}
    return {"ok": not failed, "checked": sum(r.get("checked", 0) for r in results.values()), **top,
            "chains": results}
