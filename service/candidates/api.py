"""HTTP for candidates: reference lists, the personal centre, identity photos and reviews, prior diplomas.

Views translate HTTP to the workflow's functions and back.  The portal acts only
for the candidate in X-Candidate; county staff reach only candidates of their
district; everyone else's are 404 (their existence is not disclosed); auditors
read and never change anything.  Lists mask ID numbers and phones.
"""
from __future__ import annotations

from pathlib import Path

from flask import Response, current_app, request
from flask_smorest import Blueprint

from service.candidates import centre, diploma
from service.candidates import records as candidates
from service.candidates.events import history as events_history
from service.candidates.schemas import (
    CandidateDetailSchema,
    CandidateEventSchema,
    CandidateListQuerySchema,
    CandidateListSchema,
    CentreSchema,
    CitySchema,
    CourseSchema,
    CoursesQuerySchema,
    DiplomaSchema,
    IdentitySchema,
    IdentityStateTableSchema,
    ReviewSchema,
    WindowsSchema,
)
from service.errors import InvalidInput, NotFound, echoed
from service.identity import providers as identity_providers
from service.identity import states as identity_states
from service.identity import verification as identity
from service.reference import clock, districts, windows
from service.store.db import get_db
from service.uploads.blobs import BlobStore
from service.web import auth

blp = Blueprint("candidates", __name__, url_prefix="/v1",
                description="Candidates (考生): districts, windows, personal centre, identity verification, prior diplomas")

EVERYONE = ("portal", "county", "province", "auditor", "curriculum")
READERS = ("portal", "county", "province", "auditor")
STAFF = ("county", "province", "auditor")
DECIDERS = ("county", "province")
_MIMETYPES = {"png": "image/png", "jpeg": "image/jpeg"}


@blp.record_once
def _check_reference_data(state):
    """Read the reference files and the clock setting at start: a broken one stops the app, not a request."""
    from service.reference import files as reference

    reference.check_all(state.app.config)
    clock.now(state.app.config)


def _blobs() -> BlobStore:
    return BlobStore(Path(current_app.config["BLOB_DIR"]))


def _policy():
    from service.app import rulebook

    return rulebook().current().policy


# --- reference lists ---------------------------------------------------------------

@blp.route("/districts")
@blp.response(200, CitySchema(many=True))
@auth.require(*EVERYONE)
def list_districts():
    """山西省各区县: the official 报名区县 / 毕业申请区县 list, by city."""
    return districts.listing()


@blp.route("/windows")
@blp.response(200, WindowsSchema)
@auth.require(*EVERYONE)
def list_windows():
    """Each business's window now: 已开放 with its dates, or 未开放 with the next dates."""
    now = clock.now()
    return {"now": now.isoformat(timespec="seconds"), "businesses": windows.states(now)}


@blp.route("/identity-states")
@blp.response(200, IdentityStateTableSchema)
@auth.require(*EVERYONE)
def identity_state_table():
    """The identity-verification state table: statuses, transitions and who may make them."""
    tbl = identity_states.table()
    return {"initial": tbl.initial, "verified": tbl.flagged("verified"),
            "statuses": {s.name: s.label for s in tbl.states.values()},
            "transitions": [{"action": s.action, "from": s.source, "to": s.target, "roles": list(s.roles),
                             "when": s.when, "reason_required": s.reason_required} for s in tbl.transitions]}


# --- the personal centre -----------------------------------------------------------

@blp.route("/centre")
@blp.response(200, CentreSchema)
@auth.require("portal")
def personal_centre():
    """个人中心 of the candidate in X-Candidate: profile (masked), 快捷入口, 合格成绩, identity, 学历, application."""
    return centre.personal_centre(get_db(), auth.current(), _policy())


# --- candidates --------------------------------------------------------------------

@blp.route("/candidates")
@blp.arguments(CandidateListQuerySchema, location="query", unknown=None)  # None: the schema refuses unknown keys
@blp.response(200, CandidateListSchema)
@auth.require(*STAFF)
def list_candidates(query):
    """Candidates the caller may see (county staff: their district), ID numbers and phones masked."""
    return candidates.list_for(get_db(), auth.current(), query)


@blp.route("/candidates/<string:exam_number>")
@blp.response(200, CandidateDetailSchema)
@auth.require(*READERS)
def get_candidate(exam_number):
    """One candidate; county and province staff (who check identities) see the ID number and phone in full."""
    db, who = get_db(), auth.current()
    person = candidates.candidate_for(db, who, exam_number)
    shown = person if who.role in DECIDERS else candidates.masked(person)
    return {**shown, "identity": identity.summary(db, person, who.role), "prior_diploma": diploma.summary(db, person)}


@blp.route("/candidates/<string:exam_number>/courses")
@blp.arguments(CoursesQuerySchema, location="query", unknown=None)
@blp.response(200, CourseSchema(many=True))
@auth.require(*READERS)
def list_courses(query, exam_number):
    """合格成绩查询: the passed courses (``?all=true``: every result, with ``passed``)."""
    db = get_db()
    candidates.candidate_for(db, auth.current(), exam_number)
    results = candidates.course_results(db, exam_number, _policy())
    return results if query["all"] else [r for r in results if r["passed"]]


@blp.route("/candidates/<string:exam_number>/history")
@blp.response(200, CandidateEventSchema(many=True))
@auth.require(*READERS)
def candidate_history(exam_number):
    """Every change to the candidate: imports, identity status, prior diploma; with actor, time and reason."""
    db = get_db()
    candidates.candidate_for(db, auth.current(), exam_number)
    return events_history(db, exam_number)


# --- identity ----------------------------------------------------------------------

@blp.route("/candidates/<string:exam_number>/identity")
@blp.response(200, IdentitySchema)
@auth.require(*READERS)
def get_identity(exam_number):
    """The identity status, the photos on file (metadata) and the history of the verification."""
    return identity.view(get_db(), auth.current(), exam_number)


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
                           fields={"body": ["multipart/form-data with the file fields id_card, holding_id "
                                            "(and id_photo for a new candidate)"]})
    twice = sorted(name for name in request.files if len(request.files.getlist(name)) > 1)
    if twice:
        raise InvalidInput("a photo was sent twice", fields={name: ["send one file per field"] for name in twice})
    files = {name: request.files[name].read() for name in request.files}
    extra = sorted(set(request.form))
    provider = identity_providers.provider_for(current_app.config)
    return identity.upload_photos(get_db(), _blobs(), provider, auth.current(), exam_number, files, extra)


@blp.route("/candidates/<string:exam_number>/identity/photos/<string:kind>")
@auth.require("portal", *DECIDERS)
def download_identity_photo(exam_number, kind):
    """One identity photo, for the candidate and for the staff who review it manually."""
    if kind not in identity.KINDS:
        raise NotFound(f"no photo kind {echoed(kind, '[a-z_]{1,20}', 'of that name')}; one of {', '.join(identity.KINDS)}")
    data, fmt = identity.photo(get_db(), _blobs(), auth.current(), exam_number, kind)
    ext = "jpg" if fmt == "jpeg" else fmt
    return Response(data, mimetype=_MIMETYPES.get(fmt, "application/octet-stream"),
                    headers={"Content-Disposition": f'attachment; filename="{exam_number}-{kind}.{ext}"'})


@blp.route("/candidates/<string:exam_number>/identity/review", methods=["POST"])
@blp.arguments(ReviewSchema)
@blp.response(200, IdentitySchema)
@auth.require(*DECIDERS)
def review_identity(data, exam_number):
    """人工审核 at the registration point: approve, or reject with the reason the candidate will read."""
    return identity.review(get_db(), auth.current(), exam_number, data["decision"], data["reason"])


# --- prior diploma -----------------------------------------------------------------

@blp.route("/candidates/<string:exam_number>/prior-diploma")
@blp.response(200, DiplomaSchema)
@auth.require(*READERS)
def get_prior_diploma(exam_number):
    """查看已验证学历信息: the 学信网 record on file and whether it matches the candidate."""
    return diploma.view(get_db(), auth.current(), exam_number)


@blp.route("/candidates/<string:exam_number>/prior-diploma", methods=["POST"])
@blp.arguments(diploma.AuthorisationSchema)
@blp.response(200, DiplomaSchema)
@auth.require("portal")
def authorise_prior_diploma(data, exam_number):
    """学信网学历验证: post the candidate's authorisation; the provider's record is stored as it says."""
    provider = diploma.provider_for(current_app.config)
    return diploma.authorise(get_db(), provider, auth.current(), exam_number, data["authorisation_code"])
