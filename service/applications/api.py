"""HTTP for the graduation application: the portal fills and submits, the county office decides.

Views translate HTTP to the workflow's functions and back.  Candidates act through
the portal credential with X-Candidate; applications outside the caller's reach are
404 (their existence is not disclosed); auditors read and never change anything.
"""
from __future__ import annotations

from pathlib import Path

from flask import Response, request
from flask_smorest import Blueprint

from service.applications import appraisal as application_appraisal
from service.applications import records as applications
from service.applications import reviews as application_reviews
from service.applications import states
from service.applications import uploads as application_uploads
from service.applications.schemas import (
    ApplicationFillSchema,
    ApplicationListSchema,
    ApplicationOutSchema,
    AppraisalSchema,
    CheckOutSchema,
    DecideSchema,
    ListQuerySchema,
    StateTableSchema,
    SubmitSchema,
    VerifySchema,
)
from service.errors import InvalidInput, Msg, NotFound
from service.store import views
from service.uploads.blobs import BlobStore
from service.web import auth, current
from service.web.schemas import EventSchema, file_response, upload_body

blp = Blueprint("applications", __name__, url_prefix="/v1",
                description="Graduation applications (毕业申请): fill, check, submit, photo, county decisions, history")

READERS = ("portal", "county", "province", "auditor")
DECIDERS = ("county", "province")
_MIMETYPES = {"png": "image/png", "jpeg": "image/jpeg", "zip": "application/zip", "rar": "application/vnd.rar"}


def _bundle():
    return current.rulebook().current()


def _rulebook():
    return current.rulebook()


def _blobs() -> BlobStore:
    return BlobStore(Path(current.config()["BLOB_DIR"]))


def _upload(field: str) -> bytes:
    file = request.files.get(field)
    if file is None:
        raise InvalidInput(Msg("no file '%(field)s'", field=field),
                           fields={field: [Msg("required: send multipart/form-data with the file in field '%(field)s'",
                                               field=field)]})
    return file.read()


def _view(app_id: int) -> dict:
    return applications.get(current.db(), _bundle(), auth.current(), app_id)


@blp.route("/application-states")
@blp.response(200, StateTableSchema)
@auth.require(*READERS)
def state_table():
    """The application's state table: every state, every transition and who may make it."""
    tbl = states.table()
    return {"initial": tbl.initial,
            "states": [{"name": s.name, "label": s.label, "editable": s.editable, "payable": s.payable,
                        "final": s.final} for s in tbl.states.values()],
            "transitions": [{"action": t.action, "from": t.source, "to": t.target, "roles": list(t.roles),
                             "when": t.when, "reason_required": t.reason_required} for t in tbl.transitions]}


@blp.route("/applications")
@blp.arguments(ListQuerySchema, location="query", unknown=None)  # None: the schema refuses unknown keys
@blp.response(200, ApplicationListSchema)
@auth.require(*READERS)
def list_applications(query):
    """Applications the caller may see (county staff: their district), a page; phones masked."""
    return applications.list_for(current.db(), auth.current(), query)


@blp.route("/applications", methods=["POST"])
@blp.arguments(ApplicationFillSchema)
@blp.response(201, ApplicationOutSchema)
@auth.require("portal")
def create_application(data):
    """Start the candidate's application (六.1–2) while 毕业申请 is open; the identity must be verified."""
    return applications.create(current.db(), _bundle(), auth.current(), data)


@blp.route("/applications/<int:app_id>")
@blp.response(200, ApplicationOutSchema)
@auth.require(*READERS)
def get_application(app_id):
    return _view(app_id)


@blp.route("/applications/<int:app_id>", methods=["PUT"])
@blp.arguments(ApplicationFillSchema)
@blp.response(200, ApplicationOutSchema)
@auth.require("portal")
def update_application(data, app_id):
    """Replace district, phone, address, choices, substitutions and old-plan courses (draft only)."""
    return applications.update(current.db(), _bundle(), auth.current(), app_id, data)


@blp.route("/applications/<int:app_id>/check", methods=["POST"])
@blp.response(200, CheckOutSchema)
@auth.require("portal")
def check_application(app_id):
    """Decide each choice now; a choice that does not qualify comes back with its checklist."""
    return applications.check(current.db(), _bundle(), _rulebook(), auth.current(), app_id,
                              db_key=current.config()["DATABASE"])


@blp.route("/applications/<int:app_id>/old-plan-archive", methods=["PUT"])
@blp.doc(requestBody=upload_body("archive", "the old-plan cards' scans (jpg/jpeg/png/pdf) in a ZIP or RAR under 20 MiB"))
@blp.response(200, ApplicationOutSchema)
@auth.require("portal")
def attach_archive(app_id):
    """Upload the old-plan cards' scans: multipart field ``archive``, a ZIP or RAR under 20 MiB."""
    data = _upload("archive")
    application_uploads.attach_archive(current.db(), _blobs(), auth.current(), app_id, data)
    return _view(app_id)


@blp.route("/applications/<int:app_id>/old-plan", methods=["DELETE"])
@blp.response(200, ApplicationOutSchema)
@auth.require("portal")
def clear_old_plan(app_id):
    """清空已添加课程及文件: remove the old-plan courses and their archive (draft only)."""
    application_uploads.clear_old_plan(current.db(), auth.current(), app_id)
    return _view(app_id)


@blp.route("/applications/<int:app_id>/submit", methods=["POST"])
@blp.arguments(SubmitSchema)
@blp.response(200, ApplicationOutSchema)
@auth.require("portal")
def submit_application(_data, app_id):
    """确认提交 (六.3); afterwards nothing the candidate filled in can change."""
    return applications.submit(current.db(), _bundle(), auth.current(), app_id)


@blp.route("/applications/<int:app_id>/photo", methods=["PUT"])
@blp.doc(requestBody=upload_body("photo", "毕业照: PNG or JPEG under 2 MiB"))
@blp.response(200, ApplicationOutSchema)
@auth.require("portal")
def upload_photo(app_id):
    """毕业照 (七.4): multipart field ``photo``, PNG or JPEG under 2 MiB; failing machine checks → county review."""
    data = _upload("photo")
    application_uploads.upload_photo(current.db(), _blobs(), auth.current(), app_id, data)
    return _view(app_id)


@blp.route("/applications/<int:app_id>/photo-review", methods=["POST"])
@blp.arguments(DecideSchema)
@blp.response(200, ApplicationOutSchema)
@auth.require(*DECIDERS)
def review_photo(data, app_id):
    """County review of a photo the machine checks did not pass: approve or reject (with a reason)."""
    application_reviews.review_photo(current.db(), auth.current(), app_id, data["decision"], data["reason"])
    return _view(app_id)


@blp.route("/applications/<int:app_id>/old-plan/<int:position>/verification", methods=["POST"])
@blp.arguments(VerifySchema)
@blp.response(200, CheckOutSchema)
@auth.require(*DECIDERS)
def verify_old_plan(data, app_id, position):
    """The county office has checked the card: verified or refused; each choice is decided again."""
    db = current.db()
    choices = application_reviews.verify_old_plan(db, _rulebook(), auth.current(), app_id, position,
                                                  data["verified"], data["note"],
                                                  db_key=current.config()["DATABASE"])
    return {"application": _view(app_id), "choices": choices}


@blp.route("/applications/<int:app_id>/conduct-appraisal", methods=["POST"])
@blp.arguments(AppraisalSchema)
@blp.response(200, CheckOutSchema)
@auth.require(*DECIDERS)
def record_appraisal(data, app_id):
    """思想品德鉴定, from the paper 毕业生登记表 handed in after payment: recorded, each choice decided again with it."""
    db = current.db()
    choices = application_appraisal.record(db, _rulebook(), auth.current(), app_id, data["result"], data["note"],
                                           db_key=current.config()["DATABASE"])
    return {"application": _view(app_id), "choices": choices}


@blp.route("/applications/<int:app_id>/decision", methods=["POST"])
@blp.arguments(DecideSchema)
@blp.response(200, ApplicationOutSchema)
@auth.require(*DECIDERS)
def decide(data, app_id):
    """招办审批: approve, or reject with the reason the candidate will read (不通过原因)."""
    application_reviews.decide(current.db(), auth.current(), app_id, data["decision"], data["reason"])
    return _view(app_id)


@blp.route("/applications/<int:app_id>/reapply", methods=["POST"])
@blp.response(200, ApplicationOutSchema)
@auth.require("portal")
def reapply(app_id):
    """重新申请 after a county rejection: once, within the window."""
    return applications.reapply(current.db(), _bundle(), auth.current(), app_id)


@blp.route("/applications/<int:app_id>/history")
@blp.response(200, EventSchema(many=True))
@auth.require(*READERS)
def history(app_id):
    """Every transition: from, to, action, actor, role, time and reason."""
    return applications.history_for(current.db(), auth.current(), app_id)


@blp.route("/applications/<int:app_id>/photo")
@blp.doc(responses=file_response("the graduation photo", "image/jpeg", "image/png"))
@auth.require(*READERS)
def download_photo(app_id):
    """The uploaded graduation photo, for the county office's manual review."""
    return _download(app_id, "photo")


@blp.route("/applications/<int:app_id>/old-plan-archive")
@blp.doc(responses=file_response("the scan archive as uploaded", "application/zip", "application/vnd.rar"))
@auth.require(*READERS)
def download_archive(app_id):
    """The uploaded scan archive, for the county office's verification of the cards."""
    return _download(app_id, "archive")


def _download(app_id: int, kind: str) -> Response:
    app = _view(app_id)
    sha, fmt = (app["photo"]["sha256"], app["photo"]["format"]) if kind == "photo" else (
        (app["archive"] or {}).get("sha256"), (app["archive"] or {}).get("format"))
    if not sha:
        raise NotFound(Msg("application %(id)s has no %(kind)s", id=app_id, kind=kind))
    ext = "jpg" if fmt == "jpeg" else fmt
    data = _blobs().get(sha)
    views.record(current.db(), auth.current(), "graduation_photo" if kind == "photo" else "scan", app["exam_number"],
                 app_id)
    return Response(data, mimetype=_MIMETYPES.get(fmt, "application/octet-stream"),
                    headers={"Content-Disposition": f'attachment; filename="application-{app_id}-{kind}.{ext}"'})
