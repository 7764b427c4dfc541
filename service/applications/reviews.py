"""What the county office (招办) decides: the graduation photo, old-plan cards, the application.

County staff reach only their district's applications (``states.visible``); provincial
staff may act on any.  Each decision is one transition of the state table, recorded
with the member of staff, the time and the reason.
"""
from __future__ import annotations

from service.applications import checks as application_checks
from service.applications import records as applications
from service.applications import states
from service.applications.uploads import system_audit
from service.errors import Conflict, Msg, NotFound, joined
from service.store.db import write_transaction


def review_photo(db, principal, app_id: int, decision: str, reason: str | None) -> None:
    """Manual review of a photo that failed the machine checks: approve (then the system audit) or reject."""
    action = "approve_photo" if decision == "approve" else "reject_photo"
    states.check_allowed(db, app_id, action, principal)
    with write_transaction(db):
        states.transition(db, app_id, action, principal, reason)
        if action == "approve_photo":
            db.conn.execute("UPDATE applications SET photo_status = 'approved' WHERE id = ?", [app_id])
            system_audit(db, app_id)
        else:  # the candidate uploads another photo
            db.conn.execute("UPDATE applications SET photo_status = 'none' WHERE id = ?", [app_id])


def verify_old_plan(db, rulebook, principal, app_id: int, position: int, verified: bool, note: str | None, *,
                    db_key: str) -> list[dict]:
    """The office has seen the card (红卡/绿卡/实践课考核卡): verified or refused; the choices are decided again."""
    row = states.check_allowed(db, app_id, "verify_old_plan", principal)
    app = applications.load(db, app_id)
    card = next((r for r in app["old_plan"] if r["position"] == position), None)
    if card is None:
        raise NotFound(Msg("application %(id)s has no old-plan course %(position)s", id=app_id, position=position))
    status = "verified" if verified else "refused"
    cards = [{**r, "status": status} if r["position"] == position else r for r in app["old_plan"]]
    decisions = application_checks.evaluate_choices(db, rulebook, row["exam_number"], app["choices"], cards,
                                                    db_key=db_key)
    verdict = "核验通过" if verified else "核验未通过"
    reason = f"{card['code']} {card['name']}: {verdict}" + (f"（{note.strip()}）" if note and note.strip() else "")
    with write_transaction(db):
        cur = db.conn.execute(
            "UPDATE application_old_plan SET status = ?, checked_by = ?, checked_at = ?, note = ? "
            "WHERE application_id = ? AND position = ? AND status = ?",
            [status, principal.label, applications.now_iso(), note, app_id, position, card["status"]])
        if cur.rowcount != 1:
            raise Conflict("the card was checked by someone else meanwhile; reload the application",
                           state=row["state"], allowed=states.table().allowed(row["state"], principal.role))
        states.transition(db, app_id, "verify_old_plan", principal, reason)
        applications.attach_decisions(db, app_id, app["choices"], decisions, app["revision"])
    return [applications.checked(db, rulebook, c, d) for c, d in zip(app["choices"], decisions, strict=True)]


def decide(db, principal, app_id: int, decision: str, reason: str | None) -> None:
    """审批: approve only when every choice is eligible on the current data and no card awaits checking."""
    action = "county_approve" if decision == "approve" else "county_reject"
    states.check_allowed(db, app_id, action, principal)
    with write_transaction(db):
        if action == "county_approve":
            _require_approvable(db, app_id, principal)
        states.transition(db, app_id, action, principal, reason)


def _require_approvable(db, app_id: int, principal) -> None:
    app = applications.load(db, app_id)
    blocking = [Msg("%(choice)s is %(status)s", choice=f"{c['university']}/{c['major']}",
                    status=c["decision_status"] or Msg("not decided"))
                for c in app["choices"] if c["decision_status"] != "eligible" or c["decision_revision"] != app["revision"]]
    pending = [r["code"] for r in app["old_plan"] if r["status"] == "pending"]
    if pending:
        blocking.append(Msg("old-plan course(s) %(codes)s not yet verified (POST …/old-plan/<n>/verification)",
                            codes=", ".join(pending)))
    if blocking:
        raise Conflict(Msg("cannot approve: %(reasons)s", reasons=joined(blocking)),
                       state=app["state"],
                       state_label=states.table().label(app["state"]),
                       allowed=states.table().allowed(app["state"], principal.role))
