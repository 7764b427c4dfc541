"""HTTP for per-candidate exceptions: province curriculum staff record and revoke, offices and auditors read.

Views translate HTTP to ``records``' functions and back.
"""
from __future__ import annotations

from pathlib import Path

from flask import Response, request
from flask_smorest import Blueprint
from marshmallow import ValidationError

from service.errors import InvalidInput, NotFound
from service.exceptions import records
from service.exceptions.schemas import (
    ExceptionListQuerySchema,
    ExceptionListSchema,
    ExceptionRequestSchema,
    ExceptionSchema,
    RevokeSchema,
)
from service.reference import exception_states
from service.uploads.blobs import BlobStore
from service.web import auth, current
from service.web.schemas import EXAM_NUMBER

blp = Blueprint("exceptions", __name__, url_prefix="/v1",
                description="Per-candidate exceptions (停考课程顶替, waivers by document): record, revoke, read")

WRITERS = exception_states.ROLES
READERS = (*WRITERS, "county", "auditor")
_MIMETYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}


def _exam_number(value: str) -> str:
    try:
        EXAM_NUMBER(value)
    except ValidationError:  # a bad path segment is a 422 like a bad field
        raise InvalidInput("准考证号为12位数字 / a 准考证号 is 12 digits",
                           fields={"exam_number": ["a 准考证号 is 12 digits"]}) from None
    return value


def _blobs() -> BlobStore:
    return BlobStore(Path(current.config()["BLOB_DIR"]))


@blp.route("/candidates/<exam_number>/exceptions", methods=["POST"])
@blp.arguments(ExceptionRequestSchema)
@blp.response(201, ExceptionSchema)
@auth.require(*WRITERS)
def record_exception(data, exam_number):
    """Record an exception for the candidate, in force at once; 422 naming each broken limit of a substitute."""
    return records.record(current.db(), current.rulebook().current(), auth.current(), _exam_number(exam_number), data)


@blp.route("/candidates/<exam_number>/exceptions")
@blp.arguments(ExceptionListQuerySchema, location="query")
@blp.response(200, ExceptionListSchema)
@auth.require(*READERS)
def list_exceptions(query, exam_number):
    """The candidate's exceptions, each with its history (every change, who, when, why, under which rules)."""
    return {"items": records.list_for(current.db(), _exam_number(exam_number), **query)}


@blp.route("/exceptions/<int:exception_id>")
@blp.response(200, ExceptionSchema)
@auth.require(*READERS)
def get_exception(exception_id):
    return records.get(current.db(), exception_id)


@blp.route("/exceptions/<int:exception_id>/revoke", methods=["POST"])
@blp.arguments(RevokeSchema)
@blp.response(200, ExceptionSchema)
@auth.require(*WRITERS)
def revoke_exception(data, exception_id):
    """Revoke (reason required) until an application naming its university and major is approved (then 409)."""
    return records.revoke(current.db(), auth.current(), exception_id, data["reason"])


@blp.route("/exceptions/<int:exception_id>/evidence", methods=["PUT"])
@blp.response(200, ExceptionSchema)
@blp.doc(requestBody={"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["evidence"], "properties": {"evidence": {
        "type": "string", "format": "binary", "description": "a scan of the deciding document: PDF, JPEG or PNG"}}}}}})
@auth.require(*WRITERS)
def attach_evidence(exception_id):
    """A scan of the deciding document: multipart field ``evidence``, PDF, JPEG or PNG under 10 MiB."""
    file = request.files.get("evidence")
    if file is None:
        raise InvalidInput("no file 'evidence'", fields={"evidence": [
            "必填：以 multipart/form-data 在字段 evidence 中上传 / required: send multipart/form-data with field 'evidence'"]})
    return records.attach_evidence(current.db(), _blobs(), auth.current(), exception_id, file.read())


@blp.route("/exceptions/<int:exception_id>/evidence")
@blp.doc(responses={"200": {"description": "the scan as uploaded", "content": {
    mimetype: {"schema": {"type": "string", "format": "binary"}} for mimetype in _MIMETYPES.values()}}})
@auth.require(*READERS)
def download_evidence(exception_id):
    """The scan of the deciding document (404 when none was attached)."""
    exc = records.get(current.db(), exception_id)
    if not exc["evidence"]:
        raise NotFound(f"例外 {exception_id} 无证明文件 / exception {exception_id} has no evidence file")
    fmt = exc["evidence"]["format"]
    return Response(_blobs().get(exc["evidence"]["sha256"]), mimetype=_MIMETYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="exception-{exception_id}.{fmt}"'})
