"""The append-only, hash-chained decision log.

Each row's hash covers the previous row's hash and the row's own content, so
changing or removing any past row breaks every link after it (``verify``).
"""
from __future__ import annotations

import datetime as dt
import json
import uuid

from service import clock
from service.errors import Msg, NotFound, echoed
from service.rules.canonical import canonical_json, record_json, sha256_hex
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
    """The clock's now, written in UTC: ``where`` filters created_at by comparing text, so every row,
    old or new, must share one offset (rows written before the clock was used are UTC)."""
    return _utc(clock.now())


def utc_text(moment: dt.datetime) -> str:
    """A moment written as every stored time is (UTC text, so that comparing text compares times)."""
    return _utc(moment)


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


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
        raise NotFound(Msg("no decision %(id)s", id=echoed(decision_id, DECISION_ID, Msg("with that id"))))
    return _decode(rows[0])


def where(*, decision_id: str | None = None, ids=None, since: str | None = None, until: str | None = None,
          after_seq: int | None = None, through_seq: int | None = None) -> tuple[str, list]:
    """The one filter of the log's readers: an SQL condition ("1": every row) and its parameters.

    ``since``/``until``: created_at in [since, until) (ISO dates or times; a date or a time without
    offset is Beijing's, as the clock reads them, and is compared as the UTC text created_at holds);
    ``after_seq``/``through_seq``: seq in (after_seq, through_seq].
    """
    conditions, params = [], []
    since, until = (_utc(clock.parse(v)) if v else v for v in (since, until))
    for sql, value in (("id = ?", decision_id), ("created_at >= ?", since), ("created_at < ?", until),
                       ("seq > ?", after_seq), ("seq <= ?", through_seq)):
        if value is not None and value != "":
            conditions.append(sql)
            params.append(value)
    if ids:
        conditions.append(f"id IN ({','.join('?' * len(ids))})")
        params.extend(ids)
    return " AND ".join(conditions) or "1", params


def select(db, *, limit: int | None = None, **chosen):
    """Decisions in log order, decoded, chosen as ``where`` takes them (at most ``limit``)."""
    condition, params = where(**chosen)
    sql = f"SELECT * FROM decisions WHERE {condition} ORDER BY seq"
    if limit:
        sql += f" LIMIT {int(limit)}"
    for row in db.query(sql, params):
        yield _decode(row)


def count(db, **chosen) -> int:
    condition, params = where(**chosen)
    return db.execute(f"SELECT count(*) FROM decisions WHERE {condition}", params).fetchone()[0]


def seqs(db, **chosen) -> list[int]:
    """The log positions of the chosen decisions, in order (to cut a range into chunks)."""
    condition, params = where(**chosen)
    return [r[0] for r in db.execute(f"SELECT seq FROM decisions WHERE {condition} ORDER BY seq", params)]


def ruleset_versions(db, **chosen) -> list[str]:
    """The ruleset versions the chosen decisions were made under, sorted."""
    condition, params = where(**chosen)
    return [r[0] for r in db.execute(
        f"SELECT DISTINCT ruleset_version FROM decisions WHERE {condition} ORDER BY ruleset_version", params)]


def decided_under(db, version: str) -> bool:
    return db.execute("SELECT 1 FROM decisions WHERE ruleset_version = ? LIMIT 1", [version]).fetchone() is not None


def latest_per_choice(db) -> list[dict]:
    """The latest decision of each (candidate, university, major), in log order: id, the choice, status, input."""
    return [{**row, "input": json.loads(row["input"])} for row in db.query(
        "SELECT d.id, d.exam_number, d.university, d.major, d.status, d.input FROM decisions d "
        "JOIN (SELECT exam_number, university, major, max(seq) AS seq FROM decisions "
        "GROUP BY exam_number, university, major) last ON d.seq = last.seq ORDER BY d.seq")]


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
