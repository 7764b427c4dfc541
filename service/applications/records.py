"""The graduation application (毕业申请, seed 002 六–七): fill, check, submit, re-apply; read it back.

Every change goes through ``states.transition`` (role and state checked against the
table, event recorded) inside the same write transaction as the data it changes, and
only after the request has been validated, so a refused request changes nothing.
Eligibility is never decided here: ``application_checks`` asks the eligibility core.
"""
from __future__ import annotations

import json

from service import clock
from service.applications import checks as application_checks
from service.applications import states
from service.applications.schemas import reference_problems
from service.candidates import records as candidates
from service.errors import Conflict, Forbidden, InvalidInput, Msg
from service.idnumber import mask_phone
from service.reference import windows
from service.rules.checklist import rows as checklist_rows
from service.rules.checklist import unmet_count
from service.store.db import write_transaction
from service.store.paging import select_page
from service.web import auth
from service.web.schemas import page

BUSINESS = windows.GRADUATION  # the 毕业申请 window in rulesets/workflow/windows.yaml
REJECTIONS = ("county_reject", "reject_photo")


def now_iso() -> str:
    return clock.now().isoformat(timespec="seconds")


def require_window():
    """The open 毕业申请 window (refused with a clear message outside it)."""
    return windows.require_open(BUSINESS, clock.now())


def round_of(window) -> str:
    return windows.round_key(window)


# --- reading ------------------------------------------------------------------------

def _rows(db, sql: str, params) -> list[dict]:
    cur = db.conn.execute(sql, params)
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def load(db, app_id: int) -> dict:
    """The stored application with its choices and old-plan cards (no access check: callers do it)."""
    app = _rows(db, "SELECT * FROM applications WHERE id = ?", [app_id])[0]
    app["choices"] = _rows(db, "SELECT * FROM application_choices WHERE application_id = ? ORDER BY position",
                           [app_id])
    for c in app["choices"]:
        c["substitution"] = json.loads(c["substitution"])
    app["old_plan"] = _rows(db, "SELECT * FROM application_old_plan WHERE application_id = ? ORDER BY position",
                            [app_id])
    return app


def get(db, bundle, principal, app_id: int) -> dict:
    states.application_row(db, app_id, principal)
    return present(db, bundle, principal, load(db, app_id))


def _last_reason(db, app_id: int) -> str | None:
    row = db.execute(f"SELECT reason FROM application_events WHERE application_id = ? AND action IN "
                     f"({','.join('?' * len(REJECTIONS))}) ORDER BY id DESC LIMIT 1", [app_id, *REJECTIONS]).fetchone()
    return row[0] if row else None


def _contact(principal, app: dict) -> dict:
    # the candidate fills these in and county/province staff call back on them; an
    # auditor replays decisions and needs neither, so sees the phone masked and no address
    if principal.role in ("portal", "county", "province"):
        return {"phone": app["phone"], "address": app["address"]}
    return {"phone": mask_phone(app["phone"]), "address": None}


def appraisal_shown(app: dict) -> dict | None:
    """思想品德鉴定 as the county office recorded it (service/applications/appraisal.py), or None."""
    if app.get("appraisal_result") is None:
        return None
    return {"result": app["appraisal_result"], "passed": bool(app["appraisal_passed"]),
            "recorded_by": app["appraisal_by"], "recorded_at": app["appraisal_at"], "note": app["appraisal_note"]}


def present(db, bundle, principal, app: dict) -> dict:
    tbl = states.table()
    person = candidates.get_candidate(db, app["exam_number"])
    choices = []
    for c in app["choices"]:
        major = bundle.major(c["university"], c["major"])
        uni = bundle.universities.get(c["university"])
        choices.append({
            "position": c["position"], "university": c["university"], "university_name": uni.name if uni else None,
            "major": c["major"], "major_name": major.name if major else None, "level": major.level if major else None,
            "substitution": c["substitution"],
            "decision": {"id": c["decision_id"], "status": c["decision_status"],
                         "current": c["decision_id"] is not None and c["decision_revision"] == app["revision"]},
        })
    archive = None
    if app["archive_sha256"]:
        archive = {"sha256": app["archive_sha256"], "format": app["archive_format"],
                   "members": json.loads(app["archive_members"]), "problems": json.loads(app["archive_problems"])}
    return {
        "id": app["id"], "exam_number": app["exam_number"], "name": person["name"], "round": app["round"],
        "district": app["district"], **_contact(principal, app),
        "state": app["state"], "state_label": tbl.label(app["state"]), "attempt": app["attempt"],
        "reapplications_left": 1 if app["attempt"] == 1 else 0, "revision": app["revision"],
        "choices": choices,
        "old_plan_records": [{k: r[k] for k in ("position", "code", "name", "date", "score", "credits", "status", "note")}
                             for r in app["old_plan"]],
        "archive": archive,
        "photo": {"status": app["photo_status"], "sha256": app["photo_sha256"], "format": app["photo_format"],
                  "reasons": json.loads(app["photo_reasons"] or "[]")},
        "conduct_appraisal": appraisal_shown(app),
        "allowed": tbl.allowed(app["state"], principal.role),
        "last_reason": _last_reason(db, app["id"]),
        "created_at": app["created_at"], "updated_at": app["updated_at"], "submitted_at": app["submitted_at"],
    }


def list_for(db, principal, query: dict) -> dict:
    """Applications the principal may see, a page of them; phones masked (the name is shown, never an ID number)."""
    where, params = auth.visible_rows(principal)
    for key in ("state", "district", "exam_number"):
        if query.get(key):
            where.append(f"{key} = ?")
            params.append(query[key])
    total, rows = select_page(db, "applications", "id, exam_number, district, phone, state, attempt, updated_at",
                              where, params, order="id", limit=query.get("limit", 50), offset=query.get("offset", 0))
    tbl = states.table()
    out = []
    for r in rows:
        picks = db.execute("SELECT university, major FROM application_choices WHERE application_id = ? "
                           "ORDER BY position", [r["id"]]).fetchall()
        out.append({**r, "name": candidates.get_candidate(db, r["exam_number"])["name"],
                    "phone": mask_phone(r["phone"]), "state_label": tbl.label(r["state"]),
                    "choices": [f"{u}/{m}" for u, m in picks]})
    return page(query, total, out)


def summary_for(db, exam_number: str) -> dict | None:
    """The candidate's latest application as the personal centre (个人中心) shows it, or None."""
    row = db.execute("SELECT id FROM applications WHERE exam_number = ? ORDER BY id DESC LIMIT 1",
                     [exam_number]).fetchone()
    if row is None:
        return None
    app = load(db, row[0])
    order = db.execute("SELECT id, status, amount_fen, provider FROM payment_orders WHERE application_id = ? "
                       "ORDER BY created_at DESC, id DESC LIMIT 1", [app["id"]]).fetchone()
    tbl = states.table()
    return {
        "id": app["id"], "state": app["state"], "state_label": tbl.label(app["state"]),
        "district": app["district"], "attempt": app["attempt"],
        "reapplications_left": 1 if app["attempt"] == 1 else 0,
        "payable": app["state"] in tbl.payable_states(),
        "choices": [{"university": c["university"], "major": c["major"], "decision_status": c["decision_status"]}
                    for c in app["choices"]],
        "last_reason": _last_reason(db, app["id"]),
        "submitted_at": app["submitted_at"], "updated_at": app["updated_at"],
        "payment": ({"order_id": order[0], "status": order[1], "amount_fen": order[2], "provider": order[3]}
                    if order else None),
    }


# --- filling ------------------------------------------------------------------------

def _check_references(bundle, data: dict) -> None:
    problems = reference_problems(bundle, data)
    if problems:
        problems = {k: ({str(i): v for i, v in p.items()} if k == "choices" else p) for k, p in problems.items()}
        raise InvalidInput("the application has invalid fields; see fields", fields=problems)


def _write_fill(db, app_id: int, data: dict, previous_cards: list[dict]) -> None:
    db.conn.execute("DELETE FROM application_choices WHERE application_id = ?", [app_id])
    for i, c in enumerate(data["choices"], start=1):
        db.conn.execute("INSERT INTO application_choices (application_id, position, university, major, substitution) "
                        "VALUES (?, ?, ?, ?, ?)",
                        [app_id, i, c["university"], c["major"], json.dumps(sorted(set(c["substitution"])))])
    # a card the county office already checked keeps its verdict as long as it is entered identically
    checked = {(r["code"], r["name"], r["date"], r["score"]): r for r in previous_cards}
    db.conn.execute("DELETE FROM application_old_plan WHERE application_id = ?", [app_id])
    for i, r in enumerate(data["old_plan_records"], start=1):
        key = (r["code"], r["name"], r["date"].isoformat(), r["score"])
        kept = checked.get(key, {})
        db.conn.execute(
            "INSERT INTO application_old_plan (application_id, position, code, name, date, score, credits, status, "
            "checked_by, checked_at, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [app_id, i, *key, r.get("credits"), kept.get("status", "pending"), kept.get("checked_by"),
             kept.get("checked_at"), kept.get("note")])


def create(db, bundle, principal, data: dict) -> dict:
    """A new application (draft) for the candidate the portal acts for."""
    tbl = states.table()
    if principal.role not in tbl.roles_for("create"):
        raise Forbidden(Msg("role %(role)s may not create an application", role=principal.role))
    exam_number = auth.candidate_of(principal)
    candidates.get_candidate(db, exam_number)
    candidates.require_identity_verified(db, exam_number)
    window = require_window()
    _check_references(bundle, data)
    rnd = round_of(window)
    with write_transaction(db):
        existing = db.execute("SELECT id, state FROM applications WHERE exam_number = ? AND round = ?",
                              [exam_number, rnd]).fetchone()
        if existing is not None:
            raise Conflict(Msg("the candidate already has application %(id)s in this 毕业申请 round", id=existing[0]),
                           state=existing[1], state_label=tbl.label(existing[1]), application_id=existing[0],
                           allowed=tbl.allowed(existing[1], principal.role))
        now = now_iso()
        cur = db.conn.execute(
            "INSERT INTO applications (exam_number, round, district, phone, address, state, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [exam_number, rnd, data["district"], data["phone"], data["address"], tbl.initial, now, now])
        app_id = cur.lastrowid
        _write_fill(db, app_id, data, [])
        states.record_event(db, app_id, None, tbl.initial, "create", principal, None)
    return present(db, bundle, principal, load(db, app_id))


def update(db, bundle, principal, app_id: int, data: dict) -> dict:
    """Replace what the candidate filled in; only while the application is a draft."""
    states.check_allowed(db, app_id, "update", principal)
    require_window()
    _check_references(bundle, data)
    with write_transaction(db):
        states.transition(db, app_id, "update", principal)
        before = load(db, app_id)["old_plan"]
        db.conn.execute("UPDATE applications SET district = ?, phone = ?, address = ?, revision = revision + 1 "
                        "WHERE id = ?", [data["district"], data["phone"], data["address"], app_id])
        _write_fill(db, app_id, data, before)
    return present(db, bundle, principal, load(db, app_id))


def check(db, bundle, rulebook, principal, app_id: int, *, db_key: str) -> dict:
    """Decide each choice now and keep the decisions on the application; returns each checklist.

    The decisions are recorded in the decision log first (the log has its own
    transaction); they are attached to the application only if it has not changed
    meanwhile (its revision), otherwise 409 and the candidate checks again.  The
    rules version they were made under becomes the application's: its later steps
    (submission, re-application, the offices' decisions, the fee) keep it until the
    next check (docs/workflow-applications.md).
    """
    row = states.check_allowed(db, app_id, "check", principal)
    require_window()
    app = load(db, app_id)
    decisions = application_checks.evaluate_choices(db, rulebook, row["exam_number"], app["choices"],
                                                    app["old_plan"], db_key=db_key)
    with write_transaction(db):
        revision = db.execute("SELECT revision FROM applications WHERE id = ?", [app_id]).fetchone()[0]
        if revision != app["revision"]:
            raise Conflict("the application changed while it was being checked; check it again",
                           state=row["state"], allowed=states.table().allowed(row["state"], principal.role))
        if decisions:
            db.conn.execute("UPDATE applications SET ruleset_version = ? WHERE id = ?",
                            [decisions[0]["ruleset_version"], app_id])
        states.transition(db, app_id, "check", principal)
        attach_decisions(db, app_id, app["choices"], decisions, revision)
    return {"application": present(db, bundle, principal, load(db, app_id)),
            "choices": [checked(db, rulebook, c, d) for c, d in zip(app["choices"], decisions, strict=True)]}


def attach_decisions(db, app_id: int, choices: list[dict], decisions: list[dict], revision: int) -> None:
    for c, d in zip(choices, decisions, strict=True):
        db.conn.execute("UPDATE application_choices SET decision_id = ?, decision_status = ?, decision_revision = ? "
                        "WHERE application_id = ? AND position = ?",
                        [d["id"], d["status"], revision, app_id, c["position"]])


def checked(db, rulebook, choice: dict, decision: dict) -> dict:
    # every row of 所选专业(不)符合毕业合格条件, unmet first: the candidate sees the whole plan, not only the gaps
    rows = checklist_rows(application_checks.bundle_of(db, rulebook, decision), decision)
    return {"position": choice["position"], "university": choice["university"], "major": choice["major"],
            "decision_id": decision["id"], "status": decision["status"], "eligible": decision["eligible"],
            "checklist": rows, "unmet": unmet_count(rows), "not_used": application_checks.not_used(decision),
            "decision": decision}


def submit(db, bundle, principal, app_id: int) -> dict:
    """确认提交: every choice checked on the current data, none failing, cards' scans uploaded."""
    row = states.check_allowed(db, app_id, "submit", principal)
    require_window()
    candidates.require_identity_verified(db, row["exam_number"])
    with write_transaction(db):
        app = load(db, app_id)
        if app["state"] != row["state"]:
            raise states.conflict(app["state"], "submit", principal.role)
        stale = [c["position"] for c in app["choices"]
                 if c["decision_id"] is None or c["decision_revision"] != app["revision"]]
        if stale:
            raise Conflict(Msg("check the application (POST …/check) before submitting: choice(s) "
                               "%(choices)s have no decision on the current data", choices=", ".join(map(str, stale))),
                           state=app["state"], allowed=states.table().allowed(app["state"], principal.role))
        problems: dict = {}
        for i, c in enumerate(app["choices"]):
            if c["decision_status"] == "not_eligible":
                problems.setdefault("choices", {})[str(i)] = [
                    f"所选专业不符合毕业合格条件 ({c['university']}/{c['major']}): add English (II) substitution "
                    "or old-plan courses, or remove this choice; see the checklist of POST …/check"]
        if app["old_plan"] and not app["archive_sha256"]:
            problems["archive"] = ["upload the 旧计划课程（实践课考核卡）scan archive (ZIP or RAR) for the old-plan courses"]
        if problems:
            raise InvalidInput("the application cannot be submitted yet", fields=problems)
        states.transition(db, app_id, "submit", principal)
        db.conn.execute("UPDATE applications SET submitted_at = ? WHERE id = ?", [now_iso(), app_id])
    return present(db, bundle, principal, load(db, app_id))


def reapply(db, bundle, principal, app_id: int) -> dict:
    """重新申请 (once, within the window): back to a draft; the photo is taken again, decisions made again."""
    states.check_allowed(db, app_id, "reapply", principal)
    require_window()
    with write_transaction(db):
        states.transition(db, app_id, "reapply", principal)
        db.conn.execute("UPDATE applications SET attempt = attempt + 1, revision = revision + 1, submitted_at = NULL, "
                        "photo_status = 'none', photo_sha256 = NULL, photo_format = NULL, photo_reasons = NULL "
                        "WHERE id = ?", [app_id])
    return present(db, bundle, principal, load(db, app_id))


def history_for(db, principal, app_id: int) -> list[dict]:
    states.application_row(db, app_id, principal)
    return states.history(db, app_id)
