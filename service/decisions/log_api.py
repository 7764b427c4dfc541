"""Stored decisions and their replay under the ruleset version they were made with."""
from __future__ import annotations

from flask_smorest import Blueprint

from service.decisions.decision_schemas import ReplaySchema, StoredDecisionSchema
from service.decisions.replay import replay_row
from service.errors import NotFound, echoed
from service.store import decision_log
from service.store.decision_log import DECISION_ID
from service.web import auth, current

blp = Blueprint("decisions", __name__, url_prefix="/v1", description="Stored decisions and replay")


def _visible(decision_id: str) -> dict:
    who = auth.current()
    row = decision_log.get(current.db(), decision_id)
    if who.role in ("auditor", "province"):
        return row
    if who.role == "portal" and who.candidate and who.candidate == row["exam_number"]:
        return row
    raise NotFound(f"no decision {echoed(decision_id, DECISION_ID, 'with that id')}")  # others' decisions do not exist for this caller


@blp.route("/decisions/<string:decision_id>")
@blp.response(200, StoredDecisionSchema)
@auth.require("auditor", "province", "portal")
def get_decision(decision_id):
    row = _visible(decision_id)
    return {"id": row["id"], "evaluation_id": row["evaluation_id"], "created_at": row["created_at"],
            "input": row["input"], **row["output"]}


@blp.route("/decisions/<string:decision_id>/replay", methods=["POST"])
@blp.response(200, ReplaySchema)
@auth.require("auditor", "province", "portal")
def replay_decision(decision_id):
    """Re-evaluate the stored input under the stored ruleset version: identical, or the differences."""
    row = _visible(decision_id)
    return replay_row(current.db(), current.rulebook(), row)
