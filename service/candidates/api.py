"""HTTP for candidates: the personal centre, the candidates, their courses, history and prior diplomas.

Views translate HTTP to the workflow's functions and back.  The portal acts only
for the candidate in X-Candidate; county staff reach only candidates of their
district; everyone else's are 404 (their existence is not disclosed); auditors
read and never change anything.  Lists mask ID numbers and phones.
"""
from __future__ import annotations

from flask_smorest import Blueprint

from service.candidates import centre, diploma
from service.candidates import records as candidates
from service.candidates.events import CandidateEventSchema
from service.candidates.events import history as events_history
from service.candidates.schemas import (
    CandidateDetailSchema,
    CandidateListQuerySchema,
    CandidateListSchema,
    CentreSchema,
    CourseSchema,
    CoursesQuerySchema,
    DiplomaSchema,
)
from service.identity import verification as identity
from service.sanctions import records as sanctions
from service.sanctions.schemas import SanctionOutSchema, SanctionSchema
from service.store import views
from service.web import auth, current

blp = Blueprint("candidates", __name__, url_prefix="/v1",
                description="Candidates (考生): districts, windows, personal centre, identity verification, prior diplomas")

READERS = ("portal", "county", "province", "auditor")
SANCTION_WRITERS = ("province",)
STAFF = ("county", "province", "auditor")
DECIDERS = ("county", "province")


def _policy():
    return current.rulebook().current().policy


# --- the personal centre -----------------------------------------------------------

@blp.route("/centre")
@blp.response(200, CentreSchema)
@auth.require("portal")
def personal_centre():
    """个人中心 of the candidate in X-Candidate: profile (masked), 快捷入口, 合格成绩, identity, 学历, application."""
    return centre.personal_centre(current.db(), auth.current(), _policy())


# --- candidates --------------------------------------------------------------------

@blp.route("/candidates")
@blp.arguments(CandidateListQuerySchema, location="query", unknown=None)  # None: the schema refuses unknown keys
@blp.response(200, CandidateListSchema)
@auth.require(*STAFF)
def list_candidates(query):
    """Candidates the caller may see (county staff: their district), ID numbers and phones masked."""
    return candidates.list_for(current.db(), auth.current(), query)


@blp.route("/candidates/<string:exam_number>")
@blp.response(200, CandidateDetailSchema)
@auth.require(*READERS)
def get_candidate(exam_number):
    """One candidate; county and province staff (who check identities) see the ID number and phone in full."""
    db, who = current.db(), auth.current()
    person = candidates.candidate_for(db, who, exam_number)
    shown = person if who.role in DECIDERS else candidates.masked(person)
    if shown is person:
        views.record(db, who, "id_number", exam_number, "candidate")
    return {**shown, "identity": identity.summary(db, person, who.role), "prior_diploma": diploma.summary(db, person)}


@blp.route("/candidates/<string:exam_number>/courses")
@blp.arguments(CoursesQuerySchema, location="query", unknown=None)
@blp.response(200, CourseSchema(many=True))
@auth.require(*READERS)
def list_courses(query, exam_number):
    """合格成绩查询: the passed courses (``?all=true``: every result, with ``passed``)."""
    db = current.db()
    candidates.candidate_for(db, auth.current(), exam_number)
    results = candidates.course_results(db, exam_number, _policy())
    return results if query["all"] else [r for r in results if r["passed"]]


@blp.route("/candidates/<string:exam_number>/history")
@blp.response(200, CandidateEventSchema(many=True))
@auth.require(*READERS)
def candidate_history(exam_number):
    """Every change to the candidate: imports, identity status, prior diploma; with actor, time and reason."""
    db = current.db()
    candidates.candidate_for(db, auth.current(), exam_number)
    return events_history(db, exam_number)


# --- 延迟毕业 (sanctions) -----------------------------------------------------------

@blp.route("/candidates/<string:exam_number>/sanctions")
@blp.response(200, SanctionOutSchema(many=True))
@auth.require(*READERS)
def list_sanctions(exam_number):
    """The candidate's 延迟毕业 records; a decision dated inside one is not eligible (docs/workflow-candidates.md)."""
    db = current.db()
    candidates.candidate_for(db, auth.current(), exam_number)
    return sanctions.shown(db, exam_number)


@blp.route("/candidates/<string:exam_number>/sanctions", methods=["POST"])
@blp.arguments(SanctionSchema)
@blp.response(201, SanctionOutSchema)
@auth.require(*SANCTION_WRITERS)
def record_sanction(data, exam_number):
    """Record a 延迟毕业 decided under 《国家教育考试违规处理办法》: period, reason, document number; in the history."""
    db, who = current.db(), auth.current()
    candidates.candidate_for(db, who, exam_number)
    return sanctions.record(db, exam_number, data, who)


# --- prior diploma -----------------------------------------------------------------

@blp.route("/candidates/<string:exam_number>/prior-diploma")
@blp.response(200, DiplomaSchema)
@auth.require(*READERS)
def get_prior_diploma(exam_number):
    """查看已验证学历信息: the 学信网 record on file and whether it matches the candidate."""
    return diploma.view(current.db(), auth.current(), exam_number)


@blp.route("/candidates/<string:exam_number>/prior-diploma", methods=["POST"])
@blp.arguments(diploma.AuthorisationSchema)
@blp.response(200, DiplomaSchema)
@auth.require("portal")
def authorise_prior_diploma(data, exam_number):
    """学信网学历验证: post the candidate's authorisation; the provider's record is stored as it says."""
    provider = diploma.provider_for(current.config())
    return diploma.authorise(current.db(), provider, auth.current(), exam_number, data["authorisation_code"])
