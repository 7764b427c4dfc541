"""The graduation application's state table (rulesets/workflow/application_states.yaml) and its machine.

``transition`` (``service.statemachine.Machine.transition``) is the only code that
writes ``applications.state``; the guards below are the facts of the stored
application that choose among targets.
"""
from __future__ import annotations

import functools

from service import statemachine
from service.web import auth

FILE = "rulesets/workflow/application_states.yaml"
ROLES = ("portal", "county", "province", "system")
MAX_REASON = statemachine.MAX_REASON


# --- guards: facts of the stored application that choose among targets -----------

def _photo_passed(db, app_id: int) -> bool:
    return _one(db, "SELECT photo_status FROM applications WHERE id = ?", app_id) == "passed"


def _photo_failed(db, app_id: int) -> bool:
    return _one(db, "SELECT photo_status FROM applications WHERE id = ?", app_id) == "review"


def _all_eligible(db, app_id: int) -> bool:
    """Every choice decided eligible on the current data, and no old-plan card awaiting the county."""
    revision = _one(db, "SELECT revision FROM applications WHERE id = ?", app_id)
    choices = db.execute("SELECT decision_status, decision_revision FROM application_choices "
                         "WHERE application_id = ?", [app_id]).fetchall()
    pending = _one(db, "SELECT count(*) FROM application_old_plan WHERE application_id = ? AND status != 'verified'",
                   app_id)
    return bool(choices) and pending == 0 and all(s == "eligible" and r == revision for s, r in choices)


def _needs_county(db, app_id: int) -> bool:
    return not _all_eligible(db, app_id)


def _first_attempt(db, app_id: int) -> bool:
    return _one(db, "SELECT attempt FROM applications WHERE id = ?", app_id) == 1


def _reapplied(db, app_id: int) -> bool:
    return _one(db, "SELECT attempt FROM applications WHERE id = ?", app_id) > 1


GUARDS = {
    "photo_passed": _photo_passed,
    "photo_failed": _photo_failed,
    "all_eligible": _all_eligible,
    "needs_county": _needs_county,
    "first_attempt": _first_attempt,
    "reapplied": _reapplied,
}


def _one(db, sql: str, *params):
    row = db.execute(sql, list(params)).fetchone()
    return row[0] if row else None


visible = auth.may_see


load_table = functools.partial(statemachine.load_table, roles=ROLES, guards=GUARDS)
read = functools.partial(statemachine.read_table, roles=ROLES, guards=GUARDS)
MACHINE = statemachine.Machine(
    statemachine.bundle_table(FILE, read), "application", rows="applications",
    columns=("id", "state", "exam_number", "district", "attempt"), visible=visible,
    events="application_events", key="application_id", guards=GUARDS, kept="ruleset_version")
table, conflict, check_allowed, transition, application_row, record_event, history = (
    MACHINE.table, MACHINE.conflict, MACHINE.check_allowed, MACHINE.transition, MACHINE.row, MACHINE.record_event,
    MACHINE.history)
