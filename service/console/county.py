"""The county office's pages (also the city's for its districts, the province's for all): the worklist,
an application with its checklists, photo, cards and scans, and a transfer-out, with their actions.

Each action validates the form with the API's own schema and calls the same workflow function
as the API's view, under the same role sets (imported from the API modules, so a change there
is a change here); a refused step comes back on the page, in Chinese, with the status it has.
"""
from __future__ import annotations

from pathlib import Path

from flask import Response, flash, redirect, render_template, request, url_for

from service import clock
from service.applications import api as applications_api
from service.applications import appraisal as application_appraisal
from service.applications import checks as application_checks
from service.applications import records as applications
from service.applications import reviews
from service.applications import states as application_states
from service.applications.schemas import AppraisalSchema, DecideSchema, VerifySchema
from service.candidates import api as candidates_api
from service.console import messages, nav, records, scans
from service.console.guard import MAX_PAGE, principal, staff, validated
from service.errors import NotFound, ServiceError
from service.exceptions import api as exceptions_api
from service.exceptions import records as exceptions
from service.forms import api as forms_api
from service.forms import registration_forms
from service.payments import orders
from service.reference import districts
from service.rules import checklist
from service.sanctions import records as sanctions
from service.sanctions.schemas import SanctionSchema
from service.store import decision_log
from service.transfer import api as transfer_api
from service.transfer import records as transfers
from service.transfer import states as transfer_states
from service.transfer.schemas import TransferNoteSchema
from service.uploads.blobs import BlobStore
from service.web import current

OFFICES = ("county", "city", "province")


def register_pages(bp) -> None:
    for rule, view, methods in (
        ("/work", worklist, ["GET"]),
        ("/applications/<int:app_id>", application_page, ["GET"]),
        ("/applications/<int:app_id>/photo", photo, ["GET"]),
        ("/applications/<int:app_id>/scans/<int:position>", scan, ["GET"]),
        ("/applications/<int:app_id>/photo-review", review_photo, ["POST"]),
        ("/applications/<int:app_id>/old-plan/<int:position>/verification", verify_card, ["POST"]),
        ("/applications/<int:app_id>/decision", decide, ["POST"]),
        ("/applications/<int:app_id>/conduct-appraisal", record_appraisal, ["POST"]),
        ("/applications/<int:app_id>/sanctions", record_sanction, ["POST"]),
        ("/applications/<int:app_id>/receipt", receipt, ["POST"]),
        ("/transfers/<int:transfer_id>", transfer_page, ["GET"]),
        ("/transfers/<int:transfer_id>/confirmation", confirm_transfer, ["POST"]),
        ("/transfers/<int:transfer_id>/decision", decide_transfer, ["POST"]),
    ):
        bp.add_url_rule(rule, view.__name__, view, methods=methods)
    nav.add("console.worklist", "待办工作", OFFICES)


def _db():
    return current.db()


def _bundle():
    return current.rulebook().current()


def _blobs() -> BlobStore:
    return BlobStore(Path(current.config()["BLOB_DIR"]))


def _blank(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def _int_arg(name: str, default: int) -> int:
    """A page number from the query, kept within 1..MAX_PAGE (a typed URL shows the nearest page, not an error)."""
    try:
        return min(MAX_PAGE, max(1, int(request.args.get(name, default))))
    except ValueError:
        return default


# --- the worklist ------------------------------------------------------------------------------

def _district_choices(who) -> list[str]:
    """The districts a filter may name: the city's for a city office, all for the province."""
    if who.role == "province":
        return list(districts.table())
    if who.role == "city":
        return [d for d in districts.table() if d.startswith(who.district or "\0")]
    return []


@staff(*OFFICES)
def worklist():
    who = principal()
    readable = {"applications": who.role in applications_api.READERS,
                "transfer_outs": who.role in transfer_api.READERS}
    choices = _district_choices(who)
    district = request.args.get("district") or None
    if district not in choices:
        district = None
    counts = [c for c in records.stage_counts(_db(), who, district) if readable[c["table"]]]
    wanted = request.args.get("stage")
    if wanted not in {c["key"] for c in counts}:
        wanted = counts[0]["key"] if counts else None
    page = records.worklist(_db(), who, wanted, district=district, q=request.args.get("q"),
                            page=_int_arg("page", 1)) if wanted else None
    return render_template("console/worklist.html", counts=counts, page=page, stage=wanted, district=district,
                           districts=choices, q=request.args.get("q") or "")


# --- an application ----------------------------------------------------------------------------

def _decision(decision_id: str | None) -> dict | None:
    if not decision_id:
        return None
    return decision_log.get(_db(), decision_id)["output"]


def _form_state(who, app_id: int) -> dict | None:
    try:
        return registration_forms.view(_db(), who, app_id)
    except NotFound:
        return None


def _application_context(app_id: int) -> dict:
    who = principal()
    db = _db()
    app = applications.get(db, _bundle(), who, app_id)  # the API's read: access checked there
    choices = []
    for c in app["choices"]:
        decision = _decision(c["decision"]["id"])
        # the rows the check API and sxzk explain give, under the rules the decision was made with
        rows = checklist.rows(application_checks.bundle_of(db, current.rulebook(), decision), decision) \
            if decision else []
        choices.append({**c, "decision_output": decision, "rows": rows})
    archive = app["archive"]
    shown = scans.shown(_blobs().get(archive["sha256"]), archive["format"]) if archive else []
    return {"app": app, "choices": choices, "history": applications.history_for(db, who, app_id),
            **_conditions(db, who, app),
            "scans": [(n, archive["members"][n]) for n in shown if n < len(archive["members"])] if archive else [],
            "form": _form_state(who, app_id),
            "orders": orders.orders_of(db, app_id, {"limit": 10, "offset": 0})["items"],
            "via_label": via_label, "may_receive": who.role in forms_api.OFFICES,
            "may_decide": who.role in applications_api.DECIDERS}


def _conditions(db, who, app: dict) -> dict:
    """The candidate's 延迟毕业 and exceptions in force, and the appraisal levels the office may record.

    Read for the application already opened under the API's access rule (the application's district), since
    every decision on it reads them: a county sees what decided its application even when the candidate's
    own record is another district's.
    """
    exam_number = app["exam_number"]
    in_force = _exceptions_in_force(db, exam_number) if who.role in exceptions_api.READERS else []
    chosen = {(c["university"], c["major"]): f"{c.get('university_name') or c['university']} · "
              f"{c.get('major_name') or c['major']}" for c in app["choices"]}
    conduct = current.rulebook().in_force(clock.today(), db).policy.conduct \
        if "record_appraisal" in app["allowed"] else None
    return {"sanctions": sanctions.shown(db, exam_number) if who.role in candidates_api.READERS else [],
            "exceptions": [{**e, "choice": chosen.get((e["university"], e["major"]))} for e in in_force],
            "appraisal_levels": list(conduct.levels) if conduct else [], "today": clock.today().isoformat(),
            "may_sanction": who.role in candidates_api.SANCTION_WRITERS}


def _exceptions_in_force(db, exam_number: str) -> list[dict]:
    try:
        return exceptions.list_for(db, exam_number, state="in_force")
    except NotFound:  # an application of a candidate not (or no longer) in the register has none
        return []


def via_label(via: str) -> str:
    """What stands for a course, as the checklist module words it (新旧课程顶替, 顶替英语二, 个人例外)."""
    kind, _, ident = via.partition(":")
    return checklist.VIA_TEXT.get(kind, kind) + (f"：{ident}" if ident else "")


def _application(app_id: int, error: dict | None = None, status: int = 200):
    return render_template("console/application.html", error=error, state_label=application_states.table().label,
                           **_application_context(app_id)), status


@staff(*applications_api.READERS)
def application_page(app_id):
    return _application(app_id)


def _run(step, done: str, page, table, endpoint: str, key: str, record_id: int):
    """Run one workflow step; success: back to the record's page (303) with a notice; refusal: the page again
    with the reason in Chinese and the refusal's status (nothing was stored: the step is one transaction)."""
    try:
        step()
    except ServiceError as exc:
        return page(record_id, messages.describe(exc, table().label), exc.status)
    flash(done, "ok")
    return redirect(url_for(endpoint, **{key: record_id}), code=303)


def _act(app_id: int, step, done: str):
    return _run(step, done, _application, application_states.table, "console.application_page", "app_id", app_id)


@staff(*applications_api.READERS)
def photo(app_id):
    # the API's own download (its access rule, and whatever it records of who viewed what); an <img> shows
    # it whatever its Content-Disposition says
    return applications_api.download_photo(app_id)


@staff(*applications_api.READERS)
def scan(app_id, position):
    archive = applications_api.download_archive(app_id)  # the API's download of the scans, as for the photo
    app = applications.get(_db(), _bundle(), principal(), app_id)
    content, mimetype = scans.member(archive.get_data(), app["archive"]["format"], position)
    return Response(content, mimetype=mimetype, headers={"Content-Disposition": "inline"})


@staff(*applications_api.DECIDERS)
def review_photo(app_id):
    def step():
        data = validated(DecideSchema(), {"decision": request.form.get("decision", ""),
                                          "reason": _blank(request.form.get("reason"))})
        reviews.review_photo(_db(), principal(), app_id, data["decision"], data["reason"])
    return _act(app_id, step, "毕业照审核结果已保存")


@staff(*applications_api.DECIDERS)
def verify_card(app_id, position):
    def step():
        data = validated(VerifySchema(), {"verified": request.form.get("verified", ""),
                                          "note": _blank(request.form.get("note"))})
        reviews.verify_old_plan(_db(), current.rulebook(), principal(), app_id, position, data["verified"],
                                data["note"], db_key=current.config()["DATABASE"])
    return _act(app_id, step, "旧计划课程核验结果已保存，各所选专业已重新审核")


@staff(*applications_api.DECIDERS)
def decide(app_id):
    def step():
        data = validated(DecideSchema(), {"decision": request.form.get("decision", ""),
                                          "reason": _blank(request.form.get("reason"))})
        reviews.decide(_db(), principal(), app_id, data["decision"], data["reason"])
    return _act(app_id, step, "审批结果已保存")


@staff(*applications_api.DECIDERS)
def record_appraisal(app_id):
    def step():
        data = validated(AppraisalSchema(), {"result": request.form.get("result", ""),
                                             "note": _blank(request.form.get("note"))})
        application_appraisal.record(_db(), current.rulebook(), principal(), app_id, data["result"], data["note"],
                                     db_key=current.config()["DATABASE"])
    return _act(app_id, step, "思想品德鉴定已登记，各所选专业已重新审核")


@staff(*candidates_api.SANCTION_WRITERS)
def record_sanction(app_id):
    def step():
        app = applications.get(_db(), _bundle(), principal(), app_id)
        form = {k: request.form[k].strip() for k in ("from", "until", "document_no", "reason")
                if request.form.get(k, "").strip()}  # a blank field is a missing one, as the API names it
        sanctions.record(_db(), app["exam_number"], validated(SanctionSchema(), form), principal())
    return _act(app_id, step, "延迟毕业已登记（此后的审核按其期间判定）")


@staff(*forms_api.OFFICES)
def receipt(app_id):
    def step():
        data = validated(forms_api.ReceiptSchema(), {"note": _blank(request.form.get("note"))})
        registration_forms.mark_received(_db(), principal(), app_id, data["note"])
    return _act(app_id, step, "已确认收到纸质毕业生登记表，登记表已锁定")


# --- a transfer-out ----------------------------------------------------------------------------

def _transfer(transfer_id: int, error: dict | None = None, status: int = 200):
    who = principal()
    details = transfers.details(_db(), who, transfer_id)
    return render_template("console/transfer.html", error=error, t=details, state_label=transfer_states.table().label,
                           history=transfers.history_for(_db(), who, transfer_id),
                           may_confirm=who.role in transfer_api.CONFIRMERS,
                           may_decide=who.role in transfer_api.OFFICES), status


@staff(*transfer_api.READERS)
def transfer_page(transfer_id):
    return _transfer(transfer_id)


def _transfer_act(transfer_id: int, step, done: str):
    return _run(step, done, _transfer, transfer_states.table, "console.transfer_page", "transfer_id", transfer_id)


@staff(*transfer_api.CONFIRMERS)
def confirm_transfer(transfer_id):
    def step():
        data = validated(TransferNoteSchema(), {"reason": _blank(request.form.get("reason"))})
        transfers.confirm_on_site(_db(), principal(), transfer_id, data["reason"])
    return _transfer_act(transfer_id, step, "已现场确认")


@staff(*transfer_api.OFFICES)
def decide_transfer(transfer_id):
    def step():
        data = validated(DecideSchema(), {"decision": request.form.get("decision", ""),
                                          "reason": _blank(request.form.get("reason"))})
        transfers.decide(_db(), _bundle(), principal(), transfer_id, data["decision"], data["reason"])
    return _transfer_act(transfer_id, step, "转出审核结果已保存")
