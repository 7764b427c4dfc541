"""HTTP for identity verification: the state table, the photos, the manual review.

The portal acts only for the candidate in X-Candidate; county staff reach only
candidates of their district; everyone else's are 404.
"""
from __future__ import annotations

from pathlib import Path

from flask import Response, request

from service.errors import N_, InvalidInput, Msg, NotFound, echoed
from service.identity import providers as identity_providers
from service.identity import states as identity_states
from service.identity import verification as identity
from service.identity.schemas import IdentitySchema, IdentityStateTableSchema, ReviewSchema
from service.uploads.blobs import BlobStore
from service.web import auth, current
from service.web.schemas import file_response
from service.web.section import Section

blp = Section("identity", __name__, url_prefix="/v1", part_of="candidates")

READERS = ("portal", "county", "province", "auditor")
DECIDERS = ("county", "province")
_MIMETYPES = {"png": "image/png", "jpeg": "image/jpeg"}


def _blobs() -> BlobStore:
    return BlobStore(Path(current.config()["BLOB_DIR"]))


@blp.route("/identity-states")
@blp.response(200, IdentityStateTableSchema)
@auth.require(*auth.ROLES)
def identity_state_table():
    """The identity-verification state table: statuses, transitions and who may make them."""
    tbl = identity_states.table()
    return {"initial": tbl.initial, "verified": tbl.flagged("verified"),
            "statuses": {s.name: s.label for s in tbl.states.values()},
            "transitions": [{"action": s.action, "from": s.source, "to": s.target, "roles": list(s.roles),
                             "when": s.when, "reason_required": s.reason_required} for s in tbl.transitions]}


@blp.route("/candidates/<string:exam_number>/identity")
@blp.response(200, IdentitySchema)
@auth.require(*READERS)
def get_identity(exam_number):
    """The identity status, the photos on file (metadata) and the history of the verification."""
    return identity.view(current.db(), auth.current(), exam_number)


@blp.route("/candidates/<string:exam_number>/identity/photos", methods=["POST"])
@blp.response(200, IdentitySchema)
@blp.doc(requestBody={"content": {"multipart/form-data": {"schema": {"type": "object", "properties": {
    kind: {"type": "string", "format": "binary", "description": label} for kind, label in identity.KINDS.items()}}}}})
@auth.require(*READERS)
def upload_identity_photos(exam_number):
    """上传“三照”（新考生：id_photo, id_card, holding_id）或“两照”（在籍考生：id_card, holding_id）; PNG/JPEG < 2 MB.

    The online check runs at once: passed → verified; failed → manual review at the
    registration point (county office of the candidate's district).
    """
    if request.mimetype != "multipart/form-data":
        raise InvalidInput("send the photos as multipart/form-data",
                           fields={"body": [N_("multipart/form-data with the file fields id_card, holding_id "
                                               "(and id_photo for a new candidate)")]})
    if None in request.files or None in request.form:  # a part without a field name (sorting names would fail)
        raise InvalidInput("a part of the upload has no field name",
                           fields={"body": [N_("every part needs a field name: id_card, holding_id "
                                               "(and id_photo for a new candidate)")]})
    twice = sorted(name for name in request.files if len(request.files.getlist(name)) > 1)
    if twice:
        raise InvalidInput("a photo was sent twice", fields={name: [N_("send one file per field")] for name in twice})
    files = {name: request.files[name].read() for name in request.files}
    extra = sorted(set(request.form))
    provider = identity_providers.provider_for(current.config())
    return identity.upload_photos(current.db(), _blobs(), provider, auth.current(), exam_number, files, extra)


@blp.route("/candidates/<string:exam_number>/identity/photos/<string:kind>")
@blp.doc(responses=file_response("the photo as uploaded", "image/jpeg", "image/png"))
@auth.require("portal", *DECIDERS)
def download_identity_photo(exam_number, kind):
    """One identity photo, for the candidate and for the staff who review it manually."""
    if kind not in identity.KINDS:
        raise NotFound(Msg("no photo kind %(kind)s; one of %(allowed)s", kind=echoed(kind, "[a-z_]{1,20}", Msg("of that name")),
                           allowed=", ".join(identity.KINDS)))
    data, fmt = identity.photo(current.db(), _blobs(), auth.current(), exam_number, kind)
    ext = "jpg" if fmt == "jpeg" else fmt
    return Response(data, mimetype=_MIMETYPES.get(fmt, "application/octet-stream"),
                    headers={"Content-Disposition": f'attachment; filename="{exam_number}-{kind}.{ext}"'})


@blp.route("/candidates/<string:exam_number>/identity/review", methods=["POST"])
@blp.arguments(ReviewSchema)
@blp.response(200, IdentitySchema)
@auth.require(*DECIDERS)
def review_identity(data, exam_number):
    """人工审核 at the registration point: approve, or reject with the reason the candidate will read."""
    return identity.review(current.db(), auth.current(), exam_number, data["decision"], data["reason"])
