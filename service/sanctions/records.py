"""延迟毕业 records: read into every decision input for the candidate, added by import or by province staff.

A decision never takes sanctions from its caller: ``for_decision`` reads them here by
准考证号, so the portal can neither send nor leave out a registered candidate's.
Each addition is one event in the candidate's history (``candidate_events``,
subject ``sanction``), written in the same transaction.
"""
from __future__ import annotations

from service import clock, statemachine
from service.errors import Conflict, NotFound
from service.sanctions.schemas import as_decision_input
from service.store.db import write_transaction

COLUMNS = ("id", "starts", "until", "reason", "document_no", "source", "recorded_by", "recorded_at")
SHOWN = ("id", "from", "until", "reason", "document_no", "source", "recorded_by", "recorded_at")  # starts → from


def for_decision(db, exam_number: str) -> list[dict]:
    """The candidate's sanctions as a decision input carries them (empty for an unknown 准考证号)."""
    return [as_decision_input(s) for s in stored(db, exam_number)]


def stored(db, exam_number: str) -> list[dict]:
    cur = db.execute(f"SELECT {', '.join(COLUMNS)} FROM candidate_sanctions WHERE exam_number = ? "
                     "ORDER BY starts, until, document_no", [exam_number])
    return [dict(zip(SHOWN, row, strict=True)) for row in cur.fetchall()]


def shown(db, exam_number: str) -> list[dict]:
    """The candidate's sanctions as the API shows them, with whether today falls inside each."""
    today = clock.today().isoformat()
    return [{**s, "in_force": s["from"] <= today <= s["until"]} for s in stored(db, exam_number)]


def add(db, exam_number: str, sanction: dict, actor, *, source: str) -> dict | None:
    """Store one sanction (inside the caller's write transaction) and its history event.

    The same document twice for one candidate: None when the period and reason are the
    same (an import read again), 409 when they differ (a document decides one period).
    """
    item = as_decision_input(sanction)
    if db.execute("SELECT 1 FROM candidates WHERE exam_number = ?", [exam_number]).fetchone() is None:
        raise NotFound(f"无此考生 {exam_number} / no candidate {exam_number}")
    same = db.execute("SELECT starts, until, reason FROM candidate_sanctions WHERE exam_number = ? AND document_no = ?",
                      [exam_number, item["document_no"]]).fetchone()
    if same is not None:
        if tuple(same) == (item["from"], item["until"], item["reason"]):
            return None
        raise Conflict(f"文号 {item['document_no']} 已登记为另一期间 / document {item['document_no']} is already "
                       f"recorded for {same[0]} – {same[1]}; a document decides one period")
    now = clock.now().isoformat(timespec="seconds")
    cur = db.conn.execute(
        "INSERT INTO candidate_sanctions (exam_number, starts, until, reason, document_no, source, recorded_by, "
        "recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [exam_number, item["from"], item["until"], item["reason"], item["document_no"], source,
         statemachine.actor_label(actor), now])
    statemachine.record_event(db, "candidate_events", {
        "exam_number": exam_number, "subject": "sanction", "action": "record_sanction", "from_status": None,
        "to_status": f"{item['from']}–{item['until']}"}, actor,
        f"延迟毕业至 {item['until']}（{item['document_no']}）：{item['reason']}")
    return {"id": cur.lastrowid, **item, "source": source, "recorded_by": statemachine.actor_label(actor),
            "recorded_at": now, "in_force": item["from"] <= clock.today().isoformat() <= item["until"]}



def record(db, exam_number: str, sanction: dict, actor) -> dict:
    """Province staff's addition (the API's and the console's): one transaction; the same document again is a 409."""
    with write_transaction(db):
        added = add(db, exam_number, sanction, actor, source="staff")
    if added is None:
        raise Conflict(f"处理决定 {sanction['document_no']} 已登记 / document {sanction['document_no']} is already "
                       "recorded for the candidate")
    return added
