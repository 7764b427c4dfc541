"""The append-only, hash-chained decision log.

Each row's hash covers the previous row's hash and the row's own content, so
changing or removing any past row breaks every link after it (``verify``).
"""
from __future__ import annotations

import datetime as dt
import json
import uuid

from service.decisions.canonical import canonical_json, record_json, sha256_hex
from service.errors import NotFound, echoed
from service.store.db import write_transaction

GENESIS = "0" * 64
DECISION_ID = "[0-9a-f]{32}"  # uuid4().hex
CHAINED = ("id", "evaluation_id", "choice_index", "created_at", "exam_number", "university", "major",
           "status", "eligible", "ruleset_version", "engine_version", "input", "output")


def row_hash(prev_hash: str, row: dict) -> str:
    return sha256_hex(prev_hash + _chained_text(row))


def _chained_text(row: dict) -> str:
    return canonical_json({k: row[k] for k in CHAINED})


_INSERT = (f"INSERT INTO decisions ({', '.join(CHAINED)}, prev_hash, row_hash) "
           f"VALUES ({', '.join('?' * (len(CHAINED) + 2))})")


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def append(db, entries: list[dict]) -> list[dict]:
    """Append decisions of one evaluation atomically.

    ``entries``: dicts with exam_number, university, major, input (canonical
    dict) and output (the decision dict).  Returns the stored rows.
    """
    return append_prepared(db, [prepare(entries)])[0]


def prepare(entries: list[dict]) -> list[tuple[dict, str]]:
    """The rows of one evaluation, serialised, with the text each row's hash covers.

    Serialising and hashing the content needs no lock (and, in a batch, not even
    the writing process): only the link to the previous row is made inside the
    write transaction, which stays short.
    """
    evaluation_id = uuid.uuid4().hex
    created = now_iso()
    prepared = []
    for i, entry in enumerate(entries):
        out = entry["output"]
        row = {
            "id": uuid.uuid4().hex,
            "evaluation_id": evaluation_id,
            "choice_index": i,
            "created_at": created,
            "exam_number": entry["exam_number"],
            "university": entry["university"],
            "major": entry["major"],
            "status": out["status"],
            "eligible": int(out["eligible"]),
            "ruleset_version": out["ruleset_version"],
            "engine_version": out["engine_version"],
            "input": record_json(entry["input"]),
            "output": record_json(out),
        }
        prepared.append((row, _chained_text(row)))
    return prepared


def append_prepared(db, evaluations: list[list[tuple[dict, str]]]) -> list[list[dict]]:
    """Link prepared evaluations to the chain and insert them, all in one transaction; their rows, per evaluation."""
    with write_transaction(db):
        last = db.execute("SELECT row_hash FROM decisions ORDER BY seq DESC LIMIT 1").fetchone()
        prev = last[0] if last else GENESIS
        stored = []
        for prepared in evaluations:
            rows = []
            for row, text in prepared:
                row["prev_hash"] = prev
                row["row_hash"] = prev = sha256_hex(prev + text)
                rows.append(row)
            stored.append(rows)
        db.conn.executemany(_INSERT, [[row[k] for k in (*CHAINED, "prev_hash", "row_hash")]
                                      for rows in stored for row in rows])
    return stored


def _decode(row: dict) -> dict:
    row = dict(row)
    row["input"] = json.loads(row["input"])
    row["output"] = json.loads(row["output"])
    row["eligible"] = bool(row["eligible"])
    return row


def get(db, decision_id: str) -> dict:
    rows = list(db.query("SELECT * FROM decisions WHERE id = ?", [decision_id]))
    if not rows:
        raise NotFound(f"no decision {echoed(decision_id, DECISION_ID, 'with that id')}")
    return _decode(rows[0])


def select(db, *, since: str | None = None, until: str | None = None, ids=None, limit=None):
    """Decisions in log order, optionally within [since, until) (ISO dates or times) or by ids."""
    where, params = [], []
    if since:
        where.append("created_at >= ?")
        params.append(since)
    if until:
        where.append("created_at < ?")
        params.append(until)
    if ids:
        where.append(f"id IN ({','.join('?' * len(ids))})")
        params.extend(ids)
    sql = "SELECT * FROM decisions" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY seq"
    if limit:
        sql += f" LIMIT {int(limit)}"
    for row in db.query(sql, params):
        yield _decode(row)


def verify(db) -> dict:
    """Walk the chain; report the first broken link, if any."""
    prev, count = GENESIS, 0
    for row in db.query("SELECT * FROM decisions ORDER BY seq"):
        count += 1
        if row["prev_hash"] != prev:
            return {"ok": False, "checked": count, "broken_at": row["id"], "seq": row["seq"],
                    "reason": "prev_hash does not match the row before (a row was removed or reordered)"}
        if row_hash(prev, row) != row["row_hash"]:
            return {"ok": False, "checked": count, "broken_at": row["id"], "seq": row["seq"],
                    "reason": "row content does not match its hash (the row was altered)"}
        prev = row["row_hash"]
    return {"ok": True, "checked": count, "head": prev}
