"""Candidates and their course results: lookup, who may see whom, and the identity gate.

The functions other parts of the workflow call are ``get_candidate``,
``transcript`` (the evaluation request's transcript) and
``require_identity_verified`` (identity gates every business).  Importing lives in
``candidate_import`` and is re-exported here.
"""
from __future__ import annotations

from service import idnumber
from service.candidates.importing import CSV_COLUMNS, Row, import_candidates, parse_file
from service.errors import Conflict, Msg, NotFound, echoed
from service.identity import states as identity_states
from service.web import auth
from service.web.schemas import EXAM_NUMBER, page

__all__ = ["CSV_COLUMNS", "Row", "candidate_for", "course_results", "get_candidate", "import_candidates", "list_for", "masked",
           "parse_file", "passed_courses", "require_identity_verified", "transcript"]

_COLUMNS = ("exam_number", "name", "id_number", "gender", "district", "phone", "enrolled", "suspended", "identity_status",
            "identity_changed_at", "photos_uploaded_at", "registered_at", "updated_at")


def _row(db, sql: str, params) -> dict | None:
    cur = db.conn.execute(sql, params)
    found = cur.fetchone()
    return dict(zip([c[0] for c in cur.description], found, strict=True)) if found else None


def get_candidate(db, exam_number: str) -> dict:
    """The stored candidate (full ID number and phone: callers mask what they show); NotFound when absent."""
    person = _row(db, f"SELECT {', '.join(_COLUMNS)} FROM candidates WHERE exam_number = ?", [exam_number])
    if person is None:
        raise _no_candidate(exam_number)
    person["enrolled"], person["suspended"] = bool(person["enrolled"]), bool(person["suspended"])
    tbl = identity_states.table()
    person["identity_label"] = tbl.label(person["identity_status"])
    person["identity_verified"] = person["identity_status"] in tbl.flagged("verified")
    return person


def _no_candidate(exam_number: str) -> NotFound:
    # an ID number or phone typed where the 准考证号 belongs must not come back in the error body
    return NotFound(Msg("no candidate %(exam_number)s",
                        exam_number=echoed(exam_number, EXAM_NUMBER.regex, Msg("with that 准考证号 (12 digits)"))))


def masked(candidate: dict) -> dict:
    """A candidate as lists and the personal centre show it: ID number and phone masked."""
    return {**candidate, "id_number": idnumber.mask(candidate["id_number"]),
            "phone": idnumber.mask_phone(candidate["phone"])}


def candidate_for(db, principal, exam_number: str) -> dict:
    """The candidate if ``principal`` may see them; otherwise 404, so existence is not disclosed."""
    if principal.role == "portal":
        auth.candidate_of(principal)  # the portal must say whom it acts for
    try:
        person = get_candidate(db, exam_number)
    except NotFound:
        person = None
    if person is None or not auth.may_see(principal, person):
        raise _no_candidate(exam_number)
    return person


def transcript(db, exam_number: str) -> list[dict]:
    """Every course result, in the evaluation request's transcript shape (RecordSchema input).

    Failed results are included (the decision lists them as ignored); ``credits``
    is left out for 不计学分 courses, whose credits the catalogue knows.
    """
    get_candidate(db, exam_number)
    rows = db.conn.execute("SELECT code, name, credits, score, date, source FROM candidate_courses "
                           "WHERE exam_number = ? ORDER BY position", [exam_number]).fetchall()
    out = []
    for code, name, credits, score, date, source in rows:
        record = {"code": code, "name": name, "score": score, "date": date, "source": source}
        if credits:
            record["credits"] = credits
        out.append(record)
    return out


def course_results(db, exam_number: str, policy) -> list[dict]:
    """Every course result with ``passed`` by the policy's pass mark and passing grades, oldest first."""
    get_candidate(db, exam_number)
    rows = db.conn.execute("SELECT code, name, credits, score, date, source FROM candidate_courses "
                           "WHERE exam_number = ? ORDER BY date, code", [exam_number]).fetchall()
    return [{"code": code, "name": name, "credits": credits, "score": score, "date": date, "source": source,
             "passed": _passed(score, source, policy)} for code, name, credits, score, date, source in rows]


def passed_courses(db, exam_number: str, policy) -> list[dict]:
    """合格成绩查询: the passed results, oldest first."""
    return [r for r in course_results(db, exam_number, policy) if r["passed"]]


def _passed(score: str, source: str, policy) -> bool:
    if source == "exemption":
        return True
    if score.isdigit():
        return int(score) >= policy.pass_mark
    return score in policy.passing_grades


def require_identity_verified(db, exam_number: str) -> None:
    """Identity verification (online, or manually at the registration point) gates every business."""
    person = get_candidate(db, exam_number)
    if not person["identity_verified"]:
        raise Conflict(Msg("the candidate's identity is not verified (%(label)s): upload the photos first",
                           label=person["identity_label"]),
                       identity_status=person["identity_status"], identity_label=person["identity_label"])


def list_for(db, principal, query: dict) -> dict:
    """Candidates a staff member may see, masked, with the total for paging."""
    where, params = auth.visible_rows(principal)
    for key in ("district", "identity_status", "exam_number"):
        if query.get(key):
            where.append(f"{key} = ?")
            params.append(query[key])
    if query.get("enrolled") is not None:
        where.append("enrolled = ?")
        params.append(int(query["enrolled"]))
    clause = " WHERE " + " AND ".join(where) if where else ""
    total = db.conn.execute(f"SELECT count(*) FROM candidates{clause}", params).fetchone()[0]
    cur = db.conn.execute(f"SELECT exam_number FROM candidates{clause} ORDER BY exam_number LIMIT ? OFFSET ?",
                          [*params, query.get("limit", 50), query.get("offset", 0)])
    items = []
    for (number,) in cur.fetchall():
        person = masked(get_candidate(db, number))
        items.append({k: person[k] for k in ("exam_number", "name", "id_number", "gender", "district", "phone",
                                             "enrolled", "identity_status", "identity_label", "registered_at")})
    return page(query, total, items)
