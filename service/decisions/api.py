"""POST /v1/evaluations: decide a candidate's choices and record each decision."""
from __future__ import annotations

from flask import jsonify
from flask_smorest import Blueprint

from service.decisions.decision_schemas import EvaluationResponseSchema
from service.decisions.evaluate import evaluate_and_record
from service.decisions.schemas import EvaluationRequestSchema
from service.errors import Forbidden
from service.web import auth, current

blp = Blueprint("evaluations", __name__, url_prefix="/v1", description="Graduation eligibility decisions")


@blp.route("/evaluations", methods=["POST"])
# an instance, not the class: webargs builds a new schema (and deep-copies every
# nested field) per request from a class, which cost as much as the decision
@blp.arguments(EvaluationRequestSchema())
@blp.response(201, EvaluationResponseSchema)
@auth.require("portal", "province", "county")
def create_evaluation(data):
    """Decide whether the candidate's passed courses satisfy each chosen major's exam plan.

    One decision is stored per choice, with the ruleset version and engine
    version it was made under; a request with any invalid part stores nothing.
    """
    who = auth.current()
    if who.role == "portal" and who.candidate != data["candidate"]["exam_number"]:
        raise Forbidden("the portal may evaluate only the candidate named in X-Candidate")
    result = evaluate_and_record(current.db(), current.rulebook(), data, db_key=current.config()["DATABASE"])
    # The result already has exactly the documented keys in the documented order
    # (tests/reliability/test_response_shape.py holds dump(result) == result), so
    # a Response skips flask-smorest's schema dump, which cost ~0.8 ms a request.
    return jsonify(result), 201
