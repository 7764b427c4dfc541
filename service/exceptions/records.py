"""Recording, revoking and reading per-candidate exceptions (docs/exceptions.md).

An exception is checked against the limits of the rules in force
(``service.rules.exceptions.check_exception``) before anything is stored; every change
goes through ``states`` inside the write transaction that makes it, so the history has
each step with actor, role, time, reason and rules version.  Decisions read the
exceptions in force through ``service.decisions.exceptions``.
"""
from __future__ import annotations

from service import clock
from service.candidates import records as candidates
from service.errors import Conflict, InvalidInput, NotFound
from service.exceptions import states
from service.rules.exceptions import check_exception
from service.store.db import write_transaction
from service.uploads.limits import check_size, invalid
from service.uploads.photo import sniff_format

EVIDENCE_FORMATS = ("pdf", "jpeg", "png")
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
_COLUMNS = ("id", "exam_number", "university", "major", "kind", "course", "by_course", "reason", "document_number",
            "evidence_sha256", "evidence_format", "state", "recorded_by", "recorded_at", "ruleset_version",
            "updated_at")


def _now() -> str:
    return clock.now().isoformat(timespec="seconds")


def _shown(row: dict) -> dict:
    """A stored exception as the API and the CLI show it."""
    label = states.table().label(row["state"])
    return {"id": row["id"], "exam_number": row["exam_number"], "university": row["university"],
            "major": row["major"], "kind": row["kind"], "course": row["course"], "by": row["by_course"],
            "reason": row["reason"], "document_number": row["document_number"],
            "evidence": ({"sha256": row["evidence_sha256"], "format": row["evidence_format"]}
                         if row["evidence_sha256"] else None),
            "state": row["state"], "state_label": label, "recorded_by": row["recorded_by"],
            "recorded_at": row["recorded_at"], "ruleset_version": row["ruleset_version"],
            "updated_at": row["updated_at"]}


def _row(db, exception_id: int) -> dict:
    found = db.execute(f"SELECT {', '.join(_COLUMNS)} FROM candidate_exceptions WHERE id = ?",
                       [exception_id]).fetchone()
    if found is None:
        raise NotFound(f"无此例外 / no exception {exception_id}")
    return dict(zip(_COLUMNS, found, strict=True))


def get(db, exception_id: int) -> dict:
    """One exception with its history, oldest step first."""
    return {**_shown(_row(db, exception_id)), "history": states.history(db, exception_id)}


def list_for(db, exam_number: str, *, university: str | None = None, major: str | None = None,
             state: str | None = None) -> list[dict]:
    """The candidate's exceptions (all states unless ``state``), by id, each with its history."""
    candidates.get_candidate(db, exam_number)  # 404 for an unknown candidate, not an empty list
    where, params = ["exam_number = ?"], [exam_number]
    for column, value in (("university", university), ("major", major), ("state", state)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    rows = db.execute(f"SELECT {', '.join(_COLUMNS)} FROM candidate_exceptions WHERE {' AND '.join(where)} "
                      "ORDER BY id", params).fetchall()
    return [{**_shown(dict(zip(_COLUMNS, r, strict=True))), "history": states.history(db, r[0])} for r in rows]


def record(db, bundle, principal, exam_number: str, data: dict) -> dict:
    """Record an exception for ``exam_number`` (in force at once); 422 naming every broken limit, nothing stored.

    ``data``: university, major, kind, course, by (substitute only), reason, document_number.
    """
    states.check_role("record", principal.role)
    candidates.get_candidate(db, exam_number)
    by = data.get("by") or None
    problems = check_exception(bundle, data["university"], data["major"], data["kind"], data["course"], by,
                               clock.today())
    if problems:
        raise InvalidInput("例外不符合规定 / the exception breaks the rules' limits", fields=problems)
    now = _now()
    with write_transaction(db):
        cur = db.conn.execute(
            "INSERT INTO candidate_exceptions (exam_number, university, major, kind, course, by_course, reason, "
            "document_number, state, recorded_by, recorded_at, ruleset_version, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [exam_number, data["university"], data["major"], data["kind"], data["course"], by, data["reason"],
             data["document_number"], states.table().initial, principal.label, now, bundle.version, now])
        exception_id = cur.lastrowid
        states.record_event(db, exception_id, None, states.table().initial, "record", principal, data["reason"])
    return get(db, exception_id)


def revoke(db, principal, exception_id: int, reason: str | None) -> dict:
    """Revoke an exception in force, with a reason; 409 once an application naming its major is approved."""
    states.check_allowed(db, exception_id, "revoke", principal)
    app_id = states.approved_application(db, exception_id)
    if app_id is not None:
        raise Conflict(f"毕业申请 {app_id} 已审核通过，例外不能再撤销 / application {app_id} naming this major is "
                       "approved: the exception can no longer be revoked", application_id=app_id,
                       **{"state": "in_force", "state_label": states.table().label("in_force"), "allowed": []})
    states.transition(db, exception_id, "revoke", principal, reason)
    return get(db, exception_id)


def check_evidence(data: bytes, *, field: str = "evidence") -> str:
    """The file's format when it is a PDF, JPEG or PNG under the limit; else 422 / 413 naming the field."""
    check_size(data, field=field, max_bytes=MAX_EVIDENCE_BYTES, noun=("证明文件", "The evidence file"))
    found = sniff_format(data)
    if found not in EVIDENCE_FORMATS:
        raise invalid(field, f"证明文件须为 PDF、JPEG 或 PNG（收到 {found or '未知格式'}） / "
                             f"the evidence must be a PDF, JPEG or PNG (got {found or 'an unknown format'})")
    return found


def attach_evidence(db, blobs, principal, exception_id: int, data: bytes) -> dict:
    """A scan of the deciding document, kept in the blob store by its SHA-256 (replaces an earlier one)."""
    states.check_allowed(db, exception_id, "attach_evidence", principal)
    fmt = check_evidence(data)
    sha = blobs.put(data)
    with write_transaction(db):
        states.transition(db, exception_id, "attach_evidence", principal, f"{fmt} {sha[:12]}")
        db.conn.execute("UPDATE candidate_exceptions SET evidence_sha256 = ?, evidence_format = ? WHERE id = ?",
                        [sha, fmt, exception_id])
    return get(db, exception_id)
