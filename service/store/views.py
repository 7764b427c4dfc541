"""Who viewed personal data: every identity photo, graduation photo, scan and unmasked ID number served.

Each view is one row (who: actor and role; when: the clock, as UTC text like every stored
time; what; which candidate; ``ref``: the application or photo kind it was) appended in
its own write transaction before the data leaves the service: a view that cannot be
recorded (a full disk) is not served (the storage fault's 503/507), so the log misses
none.  The table is append-only and hash-chained as the histories are
(``service.store.chains``), so auditors' checkpoints cover it too.
"""
from __future__ import annotations

from service import clock
from service.store import chains, paging
from service.store.db import write_transaction
from service.store.decision_log import now_iso, utc_text

TABLE = "personal_data_views"
WHAT = {
    "identity_photo": "身份核验照片 / identity photo (三照: id_photo, id_card, holding_id; ref: the kind)",
    "graduation_photo": "毕业照片 / graduation photo (ref: the application)",
    "scan": "旧计划成绩卡扫描件 / scan archive of old-plan cards (ref: the application)",
    "id_number": "完整身份证号与电话 / the unmasked ID number and phone (ref: where they were shown)",
}
COLUMNS = ("id", "at", "actor", "role", "what", "exam_number", "ref")


def create_table(db) -> None:
    db.execute(f"""
        CREATE TABLE {TABLE} (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,                   -- UTC text, as decisions.created_at
            actor TEXT NOT NULL,
            role TEXT NOT NULL,
            what TEXT NOT NULL,                 -- identity_photo | graduation_photo | scan | id_number
            exam_number TEXT NOT NULL,
            ref TEXT,
            prev_hash TEXT NOT NULL,
            row_hash TEXT NOT NULL
        )""")
    db.execute(f"CREATE INDEX {TABLE}_candidate ON {TABLE}(exam_number, id)")
    db.execute(f"CREATE INDEX {TABLE}_at ON {TABLE}(at)")
    for verb in ("UPDATE", "DELETE"):
        db.execute(f"CREATE TRIGGER {TABLE}_no_{verb.lower()} BEFORE {verb} ON {TABLE}\n"
                   f"                  BEGIN SELECT RAISE(ABORT, 'the log of views is append-only'); END")


def record(db, principal, what: str, exam_number: str, ref: str | int | None = None) -> dict:
    """Append one view by ``principal`` (anything with ``label``, ``role`` and, for the portal, ``candidate``)."""
    if what not in WHAT:
        raise ValueError(f"unknown kind of view {what!r}")
    actor = principal.label + (f" for {principal.candidate}" if getattr(principal, "candidate", None) else "")
    fields = {"at": now_iso(), "actor": actor, "role": principal.role, "what": what, "exam_number": exam_number,
              "ref": None if ref is None else str(ref)}
    if db.conn.in_transaction:  # the caller's write transaction holds the lock the link needs
        return _append(db, fields)
    with write_transaction(db):
        return _append(db, fields)


def _append(db, fields: dict) -> dict:
    row = chains.linked(db, TABLE, fields)
    db.conn.execute(f"INSERT INTO {TABLE} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                    list(row.values()))
    return {k: row[k] for k in COLUMNS}


def page(db, *, limit: int, offset: int, exam_number: str | None = None, actor: str | None = None,
         role: str | None = None, what: str | None = None, since: str | None = None,
         until: str | None = None) -> dict:
    """The list envelope of the views chosen, newest first: ``since``/``until`` as decision_log reads them."""
    where, params = [], []
    for sql, value in (("exam_number = ?", exam_number), ("actor = ?", actor), ("role = ?", role),
                       ("what = ?", what), ("at >= ?", since and utc_text(clock.parse(since))),
                       ("at < ?", until and utc_text(clock.parse(until)))):
        if value:
            where.append(sql)
            params.append(value)
    total, items = paging.select_page(db, TABLE, ", ".join(COLUMNS), where, params, order="id DESC",
                                      limit=limit, offset=offset)
    return {"total": total, "limit": limit, "offset": offset, "items": items}
