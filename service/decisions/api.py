"""HTTP for decisions: POST /v1/evaluations decides and records; stored decisions are read and replayed.

Two blueprints, so the OpenAPI document keeps its two tags (evaluations, decisions).
"""
from __future__ import annotations

from flask import jsonify
from flask_smorest import Blueprint

from service.decisions import trusted
from service.decisions.evaluate import evaluate_and_record
from service.decisions.exceptions import in_force
from service.decisions.replay import replay_row
from service.decisions.schemas import (
    EvaluationRequestSchema,
    EvaluationResponseSchema,
    ReplaySchema,
    StoredDecisionSchema,
)
from service.errors import Forbidden, Msg, NotFound, echoed
from service.store import decision_log
from service.store.decision_log import DECISION_ID
from service.web import auth, current

evaluations = Blueprint("evaluations", __name__, url_prefix="/v1", description="Graduation eligibility decisions")
decisions = Blueprint("decisions", __name__, url_prefix="/v1", description="Stored decisions and replay")


@evaluations.route("/evaluations", methods=["POST"])
# an instance, not the class: webargs builds a new schema (and deep-copies every
# nested field) per request from a class, which cost as much as the decision
@evaluations.arguments(EvaluationRequestSchema())
@evaluations.response(201, EvaluationResponseSchema)
@auth.require("portal", "province", "county")
def create_evaluation(data):
    """Decide whether the candidate's passed courses satisfy each chosen major's exam plan.

    One decision is stored per choice, with the ruleset version and engine
    version it was made under; a request with any invalid part stores nothing.
    A chosen major with no exam plan in force on ``as_of`` answers 422 with error
    ``no_plan_in_force`` (naming when its plans are in force); a major that does not
    exist, 404 ``not_found``.

    What the caller may assert (``service.decisions.trusted``): a registered candidate's name, ID
    number and gender must be the record's; county staff and the portal evaluate registered
    candidates only (county staff: of their district); the portal cannot set
    ``old_plan_records[].verified``.  A transcript that is not the imported record is decided as
    sent and marked ``transcript_source: "sent"`` (``"record"`` when it is the record).
    """
    who = auth.current()
    if who.role == "portal" and who.candidate != data["candidate"]["exam_number"]:
        raise Forbidden("the portal may evaluate only the candidate named in X-Candidate")
    db = current.db()
    source = trusted.check(db, data, role=who.role, district=who.district)
    # a registered candidate's exceptions in force are loaded here: the schema refuses any sent with the request
    exceptions = in_force(db, data["candidate"]["exam_number"], data["choices"])
    if exceptions:
        data = {**data, "exceptions": exceptions}
    result = evaluate_and_record(db, current.rulebook(), data, db_key=current.config()["DATABASE"],
                                 transcript_source=source)
    # The result already has exactly the documented keys in the documented order
    # (tests/reliability/test_response_shape.py holds dump(result) == result), so
    # a Response skips flask-smorest's schema dump, which cost ~0.8 ms a request.
    return jsonify(result), 201


def _visible(decision_id: str) -> dict:
    who = auth.current()
    row = decision_log.get(current.db(), decision_id)
    if who.role in ("auditor", "province"):
        return row
    if who.role == "portal" and who.candidate and who.candidate == row["exam_number"]:
        return row
    raise NotFound(Msg("no decision %(id)s", id=echoed(decision_id, DECISION_ID, Msg("with that id"))))  # others' decisions do not exist for this caller


@decisions.route("/decisions/<string:decision_id>")
@decisions.response(200, StoredDecisionSchema)
@auth.require("auditor", "province", "portal")
def get_decision(decision_id):
    row = _visible(decision_id)
    return {"id": row["id"], "evaluation_id": row["evaluation_id"], "created_at": row["created_at"],
            "input": row["input"], **row["output"]}


@decisions.route("/decisions/<string:decision_id>/replay", methods=["POST"])
@decisions.response(200, ReplaySchema)
@auth.require("auditor", "province", "portal")
def replay_decision(decision_id):
    """Re-evaluate the stored input under the stored ruleset version: identical, or the differences."""
    row = _visible(decision_id)
    return replay_row(current.db(), current.rulebook(), row)
