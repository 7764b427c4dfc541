"""思想品德鉴定 (conduct appraisal): recorded by the county office, required before the 登记表 is locked.

Seed 002 (七.4, 七.8): after payment the candidate hands the signed 毕业生登记表 to the
county office of the application's district; the appraisal comes with it.  So the
office records it while the application is ``paid`` (action ``record_appraisal`` of
the state table: who, when, the result and a note, in the history), every choice is
decided again with the appraisal in the decision input (requirement ``conduct``,
docs/rules-semantics.md 4.8), and ``lock_form`` refuses (409, Chinese reason) until
the appraisal passes and every choice is eligible with it.
"""
from __future__ import annotations

from service import clock
from service.applications import checks as application_checks
from service.applications import records as applications
from service.applications import states
from service.errors import Conflict, InvalidInput
from service.store.db import write_transaction

ACTION = "record_appraisal"


def record(db, rulebook, principal, app_id: int, result: str, note: str | None, *, db_key: str) -> list[dict]:
    """Record the office's appraisal and decide every choice again with it; returns the checked choices."""
    row = states.check_allowed(db, app_id, ACTION, principal)
    policy = rulebook.in_force(clock.today(), db).policy
    conduct = policy.conduct
    if conduct is None:
        raise Conflict("现行规则未规定思想品德鉴定等级，无法登记 / the rules in force define no conduct appraisal levels",
                       state=row["state"], allowed=states.table().allowed(row["state"], principal.role))
    if result not in conduct.levels:
        raise InvalidInput("思想品德鉴定结果无效 / not an appraisal level",
                           fields={"result": [f"须为 {' / '.join(conduct.levels)} 之一 / one of "
                                              f"{', '.join(conduct.levels)}"]})
    note = (note or "").strip() or None
    at = applications.now_iso()
    appraisal = {"result": result, "recorded_by": principal.label, "recorded_at": at}
    app = applications.load(db, app_id)
    decisions = application_checks.evaluate_choices(db, rulebook, row["exam_number"], app["choices"], app["old_plan"],
                                                    db_key=db_key, appraisal=appraisal)
    reason = f"思想品德鉴定：{result}" + (f"（{note}）" if note else "")
    with write_transaction(db):
        current = db.execute("SELECT state, revision FROM applications WHERE id = ?", [app_id]).fetchone()
        if tuple(current) != (row["state"], app["revision"]):
            raise states.conflict(current[0], ACTION, principal.role)
        states.transition(db, app_id, ACTION, principal, reason)
        db.conn.execute("UPDATE applications SET appraisal_result = ?, appraisal_passed = ?, appraisal_by = ?, "
                        "appraisal_at = ?, appraisal_note = ? WHERE id = ?",
                        [result, int(result in conduct.passing), principal.label, at, note, app_id])
        applications.attach_decisions(db, app_id, app["choices"], decisions, app["revision"])
    return [applications.checked(db, rulebook, c, d) for c, d in zip(app["choices"], decisions, strict=True)]


def require_passed(db, principal, app_id: int) -> None:
    """Refuse (409) the step that needs a passing appraisal, saying in Chinese first what is missing."""
    app = applications.load(db, app_id)
    problems = []
    if app["appraisal_result"] is None:
        problems.append("尚未登记思想品德鉴定 / no conduct appraisal has been recorded "
                        "(POST …/conduct-appraisal when the 毕业生登记表 is handed in)")
    elif not app["appraisal_passed"]:
        problems.append(f"思想品德鉴定为“{app['appraisal_result']}”，不符合毕业条件 / the conduct appraisal "
                        f"({app['appraisal_result']}) does not pass")
    else:
        blocking = [f"{c['university']}/{c['major']}" for c in app["choices"] if c["decision_status"] != "eligible"]
        if blocking:
            problems.append(f"登记思想品德鉴定后重新审核，以下专业不符合毕业条件：{'、'.join(blocking)} / not eligible "
                            "when decided again with the appraisal (e.g. a 延迟毕业 period)")
    if problems:
        tbl = states.table()
        raise Conflict("；".join(problems), state=app["state"], state_label=tbl.label(app["state"]),
                       allowed=tbl.allowed(app["state"], principal.role))
