"""A candidate's history: every change to their record, identity status or prior diploma.

Each event says who (actor and role), when (the workflow clock), what (subject,
action, from and to) and why.  Events are written in the same transaction as the
change they describe and are never updated or deleted (the table refuses it).
"""
from __future__ import annotations

from marshmallow import Schema, fields

from service import statemachine

SUBJECTS = ("record", "identity", "prior_diploma", "sanction")  # sanction: written by service.sanctions.records
COLUMNS = ("id", "exam_number", "subject", "action", "from_status", "to_status", "actor", "role", "at", "reason")


# here rather than with the candidates' schemas: the identity API shows histories too, and the
# candidates' schemas import the identity's
class CandidateEventSchema(Schema):
    id = fields.Integer()
    subject = fields.String(metadata={"description": " | ".join(SUBJECTS)})
    action = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    actor = fields.String()
    role = fields.String()
    at = fields.String()
    reason = fields.String(allow_none=True)


def record(db, exam_number: str, subject: str, action: str, principal, *, from_status: str | None = None,
           to_status: str | None = None, reason: str | None = None) -> dict:
    if subject not in SUBJECTS:
        raise ValueError(f"unknown event subject {subject!r}")
    return statemachine.record_event(db, "candidate_events", {
        "exam_number": exam_number, "subject": subject, "action": action, "from_status": from_status,
        "to_status": to_status}, principal, reason)


def history(db, exam_number: str, subject: str | None = None) -> list[dict]:
    where = {"exam_number": exam_number, **({"subject": subject} if subject else {})}
    return statemachine.history(db, "candidate_events", COLUMNS, where)
