"""HTTP for the 毕业生登记表: the portal saves and exports it, the county office marks it received.

Views translate HTTP to ``registration_forms``' functions and back.  Applications
outside the caller's reach are 404; auditors read (and may print) but never change.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from flask import Response, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from service.applications import states as workflow_states
from service.forms import registration_forms
from service.forms.registration import RegistrationFormSchema
from service.uploads.blobs import BlobStore
from service.web import auth, current
from service.web.schemas import SQLITE_MAX_INT, StrictSchema, file_response

blp = Blueprint("registration_forms", __name__, url_prefix="/v1",
                description="毕业生登记表 after payment: save (versions kept), export the two-copy PDF, mark received")

READERS = ("portal", "county", "province", "auditor")
OFFICES = ("county", "province")


class VersionQuerySchema(StrictSchema):
    version = fields.Integer(load_default=None, validate=validate.Range(min=1, max=SQLITE_MAX_INT),
                             metadata={"description": "a saved version (default: the latest)"})


class ReceiptSchema(StrictSchema):
    note = fields.String(load_default=None, allow_none=True,
                         validate=validate.Length(max=workflow_states.MAX_REASON),
                         metadata={"description": "recorded with the step (default: 纸质登记表已收到)"})


class ReceivedSchema(Schema):
    version = fields.Integer()
    received_by = fields.String()
    received_at = fields.String()
    note = fields.String(allow_none=True)


class RegistrationFormOutSchema(Schema):
    application_id = fields.Integer()
    state = fields.String()
    state_label = fields.String()
    editable = fields.Boolean(metadata={"description": "false once the county office has received the signed copy"})
    version = fields.Integer()
    saved_at = fields.String()
    saved_by = fields.String()
    form = fields.Dict(metadata={"description": "the form as validated: dates as YYYY年MM月DD日, "
                                                "overseas_relative as true/false, self_evaluation null = handwritten"})
    versions = fields.Integer(metadata={"description": "how many versions have been saved"})
    received = fields.Nested(ReceivedSchema, allow_none=True)


class FormVersionSchema(Schema):
    version = fields.Integer()
    saved_by = fields.String()
    saved_at = fields.String()


def _bundle():
    return current.rulebook().current()


@blp.route("/applications/<int:app_id>/registration-form", methods=["PUT"])
@blp.response(200, RegistrationFormOutSchema)
# documented, not loaded, by the schema: registration_forms.save validates it with the day's date and the
# candidate's printed identity, and answers its own 422
@blp.doc(requestBody={"required": True, "description": "毕业登记信息 and 个人简历 (seed 002, steps 9-10)",
                      "content": {"application/json": {"schema": RegistrationFormSchema(exclude=("candidate",))}}})
@auth.require("portal")
def save_form(app_id):
    """保存: validate and store a new version (only after payment and until the county office receives it)."""
    return registration_forms.save(current.db(), auth.current(), app_id, request.get_json(silent=True))


@blp.route("/applications/<int:app_id>/registration-form")
@blp.arguments(VersionQuerySchema, location="query")
@blp.response(200, RegistrationFormOutSchema)
@auth.require(*READERS)
def get_form(query, app_id):
    """The stored form (latest, or ?version=n), whether it can still change, and the receipt."""
    return registration_forms.view(current.db(), auth.current(), app_id, query["version"])


@blp.route("/applications/<int:app_id>/registration-form/versions")
@blp.response(200, FormVersionSchema(many=True))
@auth.require(*READERS)
def list_versions(app_id):
    """Every saved version: number, who saved it, when."""
    return registration_forms.versions(current.db(), auth.current(), app_id)


@blp.route("/applications/<int:app_id>/registration-form/pdf")
@blp.arguments(VersionQuerySchema, location="query")
@blp.doc(responses=file_response("the A4 PDF, two copies (第一份, 第二份)", "application/pdf"))
@auth.require(*READERS)
def export_pdf(query, app_id):
    """导出PDF: the stored form (latest, or ?version=n) as the two-copy A4 PDF to print and sign.

    Each copy is two sheets: identity (with 出生年月 from the ID number), 个人简历, 家庭主要成员;
    奖惩情况, 自我鉴定, 县（市、区）自考办意见; then the 成绩 (every passed result, and the
    application's old-plan cards not refused) and the 主考学校意见 / 省自考办意见 blocks.
    """
    pdf, meta = registration_forms.export_pdf(current.db(), _bundle(), BlobStore(Path(current.config()["BLOB_DIR"])),
                                              auth.current(), app_id, query["version"])
    ascii_name = f"registration-form-{app_id}-v{meta['version']}.pdf"
    chinese_name = quote(f"毕业生登记表-{app_id}-v{meta['version']}.pdf")
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{chinese_name}",
        "X-Form-Version": str(meta["version"])})


@blp.route("/applications/<int:app_id>/registration-form/receipt", methods=["POST"])
@blp.arguments(ReceiptSchema)
@blp.response(200, RegistrationFormOutSchema)
@auth.require(*OFFICES)
def mark_received(data, app_id):
    """The county office has the signed paper copy: the form is locked (application → form_locked)."""
    return registration_forms.mark_received(current.db(), auth.current(), app_id, data["note"])
