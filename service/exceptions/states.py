"""The exception's state table (rulesets/workflow/exception_states.yaml) and its machine.

Only ``transition`` writes ``candidate_exceptions.state``; the guard ``not_approved`` is
the fact that closes revocation: no application of the candidate naming the exception's
university and major has been approved.
"""
from __future__ import annotations

from service import statemachine
from service.applications import states as application_states
from service.reference import exception_states

FILE = exception_states.FILE


def approved_states() -> set[str]:
    """Application states at or after approval: the payable ones and every state reachable from them."""
    tbl = application_states.table()
    reached = set(tbl.payable_states())
    frontier = list(reached)
    while frontier:
        state = frontier.pop()
        for t in tbl.transitions:
            if t.source == state and t.target not in reached:
                reached.add(t.target)
                frontier.append(t.target)
    return reached


def approved_application(db, exception_id: int) -> int | None:
    """The id of an approved application naming the exception's university and major, or None."""
    found = db.execute(
        "SELECT a.id, a.state FROM candidate_exceptions e "
        "JOIN applications a ON a.exam_number = e.exam_number "
        "JOIN application_choices c ON c.application_id = a.id AND c.university = e.university AND c.major = e.major "
        "WHERE e.id = ? ORDER BY a.id", [exception_id]).fetchall()
    approved = approved_states()
    return next((app_id for app_id, state in found if state in approved), None)


def _not_approved(db, exception_id: int) -> bool:
    return approved_application(db, exception_id) is None


MACHINE = statemachine.Machine(
    statemachine.bundle_table(FILE, exception_states.read), "exception", rows="candidate_exceptions",
    columns=("id", "exam_number", "state"), events="candidate_exception_events", key="exception_id",
    guards={"not_approved": _not_approved},
    refused="例外状态为「{label}」，不能 {action} / the exception is {state}: cannot {action}",
    forbidden="role {role} may not {action} an exception")
table, check_role, check_allowed, transition, record_event = (
    MACHINE.table, MACHINE.check_role, MACHINE.check_allowed, MACHINE.transition, MACHINE.record_event)
HISTORY_COLUMNS = ("id", *(c.split()[0] for c in statemachine.EVENT_COLUMNS), statemachine.VERSION_COLUMN)


def history(db, exception_id: int) -> list[dict]:
    """Every step, oldest first, with the rules version it was made under (what a replay needs to explain)."""
    return statemachine.history(db, MACHINE.events, HISTORY_COLUMNS, {MACHINE.key: exception_id})
