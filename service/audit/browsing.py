"""What an auditor reads: the decision log filtered and paged, one decision replayed side by side,
and whether the log's hash chain and its signed checkpoints hold.

Plain functions over an open database and a rulebook, for the console's auditor pages;
nothing here writes.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from service import clock
from service.decisions.replay import replay_with_output
from service.store import checkpoints, decision_log
from service.store.paging import select_page

__all__ = ["STATUS_LABELS", "chain_status", "decision_page", "local_time", "replay_detail"]

STATUS_LABELS = {
    "eligible": "符合毕业条件",
    "pending_verification": "待核验",
    "not_eligible": "不符合毕业条件",
}
REQUIREMENT_LABELS = {"met": "✓ 已满足", "unmet": "✗ 未满足", "pending": "待核验"}
REPLAY_DIFFERENCES = 100  # a page shows them all; the API's first five are for machines

_LISTED = "seq, id, created_at, exam_number, university, major, status, ruleset_version, engine_version"


def decision_page(db, *, day_from: dt.date | None = None, day_to: dt.date | None = None,
                  university: str | None = None, major: str | None = None, status: str | None = None,
                  exam_number: str | None = None, limit: int = 50, offset: int = 0) -> dict:
    """One page of the log, newest first, with the count of every match.

    ``day_from``/``day_to`` are Beijing calendar days, both included (the log stores
    UTC; ``decision_log.where`` does the conversion, so the two readers agree).
    """
    until = (day_to + dt.timedelta(days=1)).isoformat() if day_to else None
    condition, params = decision_log.where(since=day_from.isoformat() if day_from else None, until=until)
    where, values = ([condition] if condition != "1" else []), list(params)
    for column, value in (("university", university), ("major", major), ("status", status),
                          ("exam_number", exam_number)):
        if value:
            where.append(f"{column} = ?")
            values.append(value)
    total, rows = select_page(db, "decisions", _LISTED, where, values, order="seq DESC", limit=limit,
                              offset=offset)
    for row in rows:
        row["created_local"] = local_time(row["created_at"])
        row["status_label"] = STATUS_LABELS.get(row["status"], row["status"])
    return {"total": total, "limit": limit, "offset": offset, "rows": rows}


def local_time(stored: str) -> str:
    """A stored (UTC) time as Beijing reads it, to the second."""
    return clock.parse(stored).astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def replay_detail(db, rulebook, decision_id: str) -> dict:
    """One decision decided again under its recorded version, requirement by requirement.

    ``requirements`` pairs each recorded requirement with the replayed one (matched by
    id) and flags the pairs that differ, so the page can highlight them; ``differences``
    are the JSON paths where the two decisions differ (all of them, up to a hundred).
    """
    row = decision_log.get(db, decision_id)
    result, replayed = replay_with_output(db, rulebook, row, limit=REPLAY_DIFFERENCES)
    recorded = row["output"]
    again = {r["id"]: r for r in (replayed or {}).get("requirements", [])}
    pairs = []
    for req in recorded.get("requirements", []):
        other = again.pop(req["id"], None)
        pairs.append(_pair(req, other))
    pairs += [_pair(None, other) for other in again.values()]  # only in the replay
    return {
        "decision": row, "identical": result["identical"], "differences": result.get("differences", []),
        "status": {"recorded": recorded.get("status"), "replayed": (replayed or {}).get("status"),
                   "differs": replayed is None or recorded.get("status") != replayed.get("status")},
        "requirements": pairs, "replayed": replayed,
    }


def _pair(recorded: dict | None, replayed: dict | None) -> dict:
    def shown(req):
        if req is None:
            return None
        return {"status": req["status"], "label": REQUIREMENT_LABELS.get(req["status"], req["status"]),
                "counted": [c["code"] for c in req.get("counted", [])], "missing": req.get("missing", [])}
    a, b = shown(recorded), shown(replayed)
    source = recorded or replayed
    return {"id": source["id"], "label": source.get("label") or source["id"], "recorded": a, "replayed": b,
            "differs": a != b}


def chain_status(db, public_key_path: Path | str | None) -> dict:
    """The hash chain walked, and the checkpoints stored with the log checked against the public key.

    Stored checkpoints prove something only with a key whose private half is kept
    outside the database: without the public key file the signatures cannot be
    checked, and the status says so rather than passing them.  ``unsigned_rows``
    counts decisions written after the latest checkpoint (not yet covered by one).
    """
    chain = decision_log.verify(db)
    stored = checkpoints.listing(db)
    head = db.execute("SELECT coalesce(max(seq), 0) FROM decisions").fetchone()[0]
    latest = stored[-1] if stored else None
    out = {"chain": chain, "head_seq": head, "checkpoints": len(stored), "latest": latest,
           "unsigned_rows": head - (latest["seq"] if latest else 0), "signatures": None}
    if not stored:
        out["signatures"] = {"ok": None, "reason": "尚无签名检查点（sxzk checkpoint） / no checkpoint signed yet"}
        return out
    key_file = Path(public_key_path) if public_key_path else None
    if key_file is None or not key_file.is_file():
        # the file's name only: the page need not show the server's folders
        name = key_file.name if key_file else "SXZK_SIGNING_KEY.pub"
        out["signatures"] = {"ok": None, "reason": f"找不到公钥文件 {name}，无法核验签名 / no public key file {name}"}
        return out
    try:
        out["signatures"] = checkpoints.verify(db, stored, checkpoints.load_public(key_file))
    except checkpoints.SigningKeyError as exc:
        out["signatures"] = {"ok": False, "reason": exc.message}
    return out
