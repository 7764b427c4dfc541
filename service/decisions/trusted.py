"""What an evaluation request may assert, by who sends it (issue 14, item 6).

A decision is stored in the chained log and may be shown as evidence, so it must not
record a person the candidates table does not know, nor a verification no county
office made:

- a registered exam number: the name, ID number and gender sent must be the record's;
- county staff and the portal evaluate registered candidates only (county staff: of
  their own district; another district's candidate is refused as an unknown one, so
  that its existence is not disclosed); provincial staff may also evaluate an exam
  number no candidate has (a 考籍 not imported yet), with the person as sent;
- the portal cannot assert ``old_plan_records[].verified``: only a county verification
  can (the application's old-plan cards are verified by the county office, and the
  application re-decides from them).

The transcript: the portal and staff may send one that differs from the imported
record (what-if planning: "if I pass 00181 in April"); such a decision is marked
``transcript_source: "sent"`` in its stored input and in the answer, and no
application ever uses it (an application decides from the record).  A transcript
that is the record, course for course, is marked ``"record"``.

The candidates table is read here with SQL, not through service.candidates: decisions
sit below the workflow packages (setup.cfg's layers).
"""
from __future__ import annotations

from collections import Counter

from service.errors import InvalidInput

RECORD, SENT = "record", "sent"
PERSON = ("name", "id_number", "gender")

NOT_REGISTERED = "不是已登记考生的准考证号 / not the exam number of a registered candidate"
NOT_IN_DISTRICT = "不是本区县已登记考生的准考证号 / not the exam number of a registered candidate of your district"
MISMATCH = "与考生登记信息不符 / does not match the registered candidate's record"
PORTAL_VERIFIED = ("只有区县招办核验后才算已核验，门户不能声明 / only a county office's verification makes an "
                   "old-plan record verified: the portal cannot assert it")


def check(db, data: dict, *, role: str, district: str | None) -> str:
    """Refuse (422, every problem by field at once) what ``role`` may not assert; returns the transcript source."""
    person = data["candidate"]
    row = db.execute("SELECT name, id_number, gender, district FROM candidates WHERE exam_number = ?",
                     [person["exam_number"]]).fetchone()
    problems: dict = {}
    if row is None or (role == "county" and row[3] != district):
        if role in ("county", "portal"):
            problems["candidate"] = {"exam_number": [NOT_IN_DISTRICT if role == "county" else NOT_REGISTERED]}
    else:
        wrong = {k: [MISMATCH] for k, stored in zip(PERSON, row[:3], strict=True) if person[k] != stored}
        if wrong:
            problems["candidate"] = wrong
    if role == "portal":
        asserted = {i: {"verified": [PORTAL_VERIFIED]} for i, r in enumerate(data["old_plan_records"])
                    if r.get("verified")}
        if asserted:
            problems["old_plan_records"] = asserted
    if problems:
        raise InvalidInput("评估请求与考生登记信息不符或声明了无权声明的内容 / the evaluation request does not match "
                           "the candidate's record or asserts what its sender may not", fields=problems)
    return RECORD if row is not None and _is_record(db, person["exam_number"], data["transcript"]) else SENT


def _is_record(db, exam_number: str, transcript: list[dict]) -> bool:
    """The sent transcript is the imported one: the same results (code, score, date, source), and no credits
    other than the record's (names are how a portal spells them, and decide nothing)."""
    stored = db.execute("SELECT code, score, date, source, credits FROM candidate_courses WHERE exam_number = ?",
                        [exam_number]).fetchall()
    recorded = Counter((code, score, date, source) for code, score, date, source, _ in stored)
    credits = {(code, score, date, source): c for code, score, date, source, c in stored}
    sent = Counter()
    for r in transcript:
        key = (r["code"], r["score"], r["date"].isoformat() if r.get("date") else None, r["source"])
        if r.get("credits") is not None and credits.get(key) != r["credits"]:
            return False
        sent[key] += 1
    return sent == recorded
