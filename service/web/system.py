"""Health and the rules in force: version, last reload problems, reload."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from service.rules.engine import ENGINE_VERSION
from service.store import ruleset_archive
from service.web import auth, current

blp = Blueprint("system", __name__, url_prefix="/v1", description="Health and rules in force")


class HealthSchema(Schema):
    status = fields.String()
    ruleset_version = fields.String()
    engine_version = fields.String()


class ProblemSchema(Schema):
    file = fields.String()
    line = fields.Integer(allow_none=True)
    field = fields.String()
    message = fields.String()
    hint = fields.String()


class RulesStatusSchema(Schema):
    version = fields.String()
    engine_version = fields.String()
    reloaded = fields.Boolean()
    problems = fields.List(fields.Nested(ProblemSchema))


@blp.route("/health")
@blp.response(200, HealthSchema)
def health():
    return {"status": "ok", "ruleset_version": current.rulebook().current().version, "engine_version": ENGINE_VERSION}


@blp.route("/rules")
@blp.response(200, RulesStatusSchema)
def rules_status():
    book = current.rulebook()
    return {"version": book.current().version, "engine_version": ENGINE_VERSION,
            "reloaded": False, "problems": book.last_problems}


@blp.route("/rules/reload", methods=["POST"])
@blp.response(200, RulesStatusSchema)
@auth.require("curriculum", "province")
def rules_reload():
    """Re-read the YAML; an invalid edit is reported and the last good version keeps serving."""
    result = current.rulebook().reload()
    if result["reloaded"] or not result["problems"]:
        ruleset_archive.archive(current.db(), current.rulebook().current(), author=auth.current().actor)
    return {**result, "engine_version": ENGINE_VERSION}
