"""The 毕业生登记表 of a paid graduation application (seed 002, steps 8-10): save, export, receive.

The candidate saves the form as often as they like (every save is a version) and
exports it as the two-copy PDF; once the county office marks the signed paper copy
received, the application moves to ``form_locked`` through the workflow's state
table and the form can no longer change.  The form is editable exactly in the states
``lock_form`` leaves from in that table, so the table stays the one place that says so.

The PDF is built from what is stored (the form version, the candidate's record, the
application and its graduation photo); nothing about eligibility is decided here.
"""
from __future__ import annotations

from service import clock
from service.applications import appraisal
from service.applications import records as graduation
from service.applications import states as workflow_states
from service.candidates import records as candidates
from service.errors import N_, Conflict, InvalidInput, Msg, NotFound
from service.forms import store
from service.forms.pdf import render_registration_pdf
from service.forms.registration import validate_registration
from service.store import views
from service.store.db import write_transaction

LOCK = "lock_form"
RECEIVED_NOTE = "纸质《毕业生登记表》（一式两份，考生本人签字）已收到"


def editable_states() -> list[str]:
    return [t.source for t in workflow_states.table().transitions if t.action == LOCK and t.source]


def _printed_identity(db, exam_number: str) -> dict:
    person = candidates.get_candidate(db, exam_number)
    return {k: person[k] for k in ("name", "gender", "id_number", "exam_number")}


def _refuse_unless_editable(state: str, role: str) -> None:
    if state in editable_states():
        return
    if workflow_states.table().states[state].final:
        message = (f"the 毕业生登记表 can no longer change: the county office has received the signed copy "
                   f"({workflow_states.table().label(state)})")
    else:
        message = (f"the 毕业生登记表 is filled in after payment; the application is {state} "
                   f"({workflow_states.table().label(state)})")
    raise workflow_states.conflict(state, "save_form", role, message)


def save(db, principal, app_id: int, body) -> dict:
    """Validate and store a new version of the form; every problem is reported by field (422)."""
    row = workflow_states.application_row(db, app_id, principal)
    _refuse_unless_editable(row["state"], principal.role)
    if not isinstance(body, dict):
        raise InvalidInput("send the 毕业生登记表 as a JSON object", fields={"_schema": [N_("expected a JSON object")]})
    if "candidate" in body:
        raise InvalidInput("the printed identity comes from the candidate's records",
                           fields={"candidate": [N_("not accepted: name, gender, ID and 准考证号 are taken from the "
                                                    "candidate's records (changed only at the county office)")]})
    # The identity is validated with the form, so a name the form's font cannot print
    # is refused now, with the form, rather than printed blank later.
    form = validate_registration({**body, "candidate": _printed_identity(db, row["exam_number"])},
                                 today=clock.now().date())
    form.pop("candidate")
    with write_transaction(db):
        row = workflow_states.application_row(db, app_id, principal)  # the office may have locked it meanwhile
        _refuse_unless_editable(row["state"], principal.role)
        version = store.add_version(db, app_id, row["exam_number"], form, _actor(principal),
                                    clock.now().isoformat(timespec="seconds"))
    return view(db, principal, app_id, version)


def _actor(principal) -> str:
    return f"{principal.label} for {principal.candidate}" if principal.candidate else principal.label


def view(db, principal, app_id: int, version: int | None = None) -> dict:
    """The stored form (latest or ``version``) with its state, versions and receipt."""
    row = workflow_states.application_row(db, app_id, principal)
    saved = _saved(db, app_id, version)
    receipt = store.get_receipt(db, app_id)
    return {"application_id": app_id, "state": row["state"], "state_label": workflow_states.table().label(row["state"]),
            "editable": row["state"] in editable_states(), "version": saved["version"],
            "saved_at": saved["saved_at"], "saved_by": saved["saved_by"], "form": saved["data"],
            "versions": len(store.list_versions(db, app_id)), "received": receipt}


def versions(db, principal, app_id: int) -> list[dict]:
    workflow_states.application_row(db, app_id, principal)
    return store.list_versions(db, app_id)


def _saved(db, app_id: int, version: int | None) -> dict:
    saved = store.get_version(db, app_id, version)
    if saved is None:
        if version is not None:
            raise NotFound(Msg("application %(id)s has no 毕业生登记表 version %(version)s", id=app_id, version=version))
        raise NotFound(Msg("no 毕业生登记表 saved for application %(id)s yet: the candidate fills it in after payment "
                           "(PUT …/registration-form)", id=app_id))
    return saved


def export_pdf(db, bundle, blobs, principal, app_id: int, version: int | None = None) -> tuple[bytes, dict]:
    """The two-copy PDF of the stored form (latest or ``version``); returns (bytes, the version's metadata)."""
    workflow_states.application_row(db, app_id, principal)
    saved = _saved(db, app_id, version)
    app = graduation.load(db, app_id)
    shown = graduation.present(db, bundle, principal, app)
    candidate = _printed_identity(db, app["exam_number"])
    if app["photo_sha256"] and blobs.exists(app["photo_sha256"]):
        candidate["photo"] = blobs.get(app["photo_sha256"])
    pdf = render_registration_pdf(saved["data"], candidate, _printed_application(shown),
                                  courses=printed_courses(db, bundle.policy, app))
    views.record(db, principal, "id_number", app["exam_number"], f"registration-form-pdf:{app_id}")
    if "photo" in candidate:
        views.record(db, principal, "graduation_photo", app["exam_number"], f"registration-form-pdf:{app_id}")
    return pdf, {"version": saved["version"], "saved_at": saved["saved_at"]}


_SOURCE_NOTES = {"exam": "", "exemption": "免考", "old-plan": "旧计划", "transfer-in": "省际转入"}


def printed_courses(db, policy, app: dict) -> list[dict]:
    """The 成绩 part: the candidate's passed results, then the application's old-plan cards.

    A card the county office refused is left out; one not yet verified is printed
    marked 待核验, since the office checks it against the paper card it receives.
    """
    courses = [{**{k: r[k] for k in ("code", "name", "credits", "score", "date")},
                "note": _SOURCE_NOTES.get(r["source"], r["source"])}
               for r in candidates.passed_courses(db, app["exam_number"], policy)]
    for card in app["old_plan"]:
        if card["status"] == "refused":
            continue
        note = "旧计划" if card["status"] == "verified" else "旧计划待核验"
        courses.append({**{k: card[k] for k in ("code", "name", "credits", "score", "date")}, "note": note})
    return courses


def _printed_application(shown: dict) -> dict:
    """申请院校 / 申请专业 / 层次 of every chosen major, in the candidate's order."""
    def joined(values):
        return "；".join(dict.fromkeys(v for v in values if v))
    choices = shown["choices"]
    return {
        "application_id": str(shown["id"]),
        "university": joined(c["university_name"] or c["university"] for c in choices),
        "major": joined(f"{c['major']} {c['major_name'] or ''}".strip() for c in choices),
        "level": joined(c["level"] for c in choices),
        "district": shown["district"],
        "submitted_at": clock.parse(shown["submitted_at"]) if shown["submitted_at"] else None,
    }


def mark_received(db, principal, app_id: int, note: str | None) -> dict:
    """The county office has the signed paper copy: lock the form (application → form_locked)."""
    workflow_states.check_allowed(db, app_id, LOCK, principal)
    with write_transaction(db):
        row = workflow_states.application_row(db, app_id, principal)
        latest = store.get_version(db, app_id)
        if latest is None:
            raise Conflict("no 毕业生登记表 has been saved for this application, so no signed copy can have been "
                           "printed from it", state=row["state"], state_label=workflow_states.table().label(row["state"]),
                           allowed=workflow_states.table().allowed(row["state"], principal.role))
        appraisal.require_passed(db, principal, app_id)  # 思想品德鉴定合格 before the form is final
        reason = (note or "").strip() or RECEIVED_NOTE
        workflow_states.transition(db, app_id, LOCK, principal, reason)
        store.add_receipt(db, app_id, latest["version"], _actor(principal), clock.now().isoformat(timespec="seconds"),
                          reason)
    return view(db, principal, app_id)
