"""Health and the rules in force: the version served (the database's word), refused working files, reload."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from service.rules.engine import ENGINE_VERSION
from service.web import auth, current

blp = Blueprint("system", __name__, url_prefix="/v1", description="Health and rules in force")


class ProblemSchema(Schema):
    file = fields.String()
    line = fields.Integer(allow_none=True)
    field = fields.String()
    message = fields.String()
    hint = fields.String()


class ServedSchema(Schema):
    ruleset_source = fields.String(metadata={"description": "published: the version published in force today; "
                                                            "working files: the version the last reload accepted"})
    working_files = fields.String(metadata={"description": "accepted | refused (problems lists why; the version "
                                                           "in force keeps serving)"})
    note = fields.String(allow_none=True)


class HealthSchema(ServedSchema):
    status = fields.String()
    ruleset_version = fields.String()
    engine_version = fields.String()
    problems = fields.List(fields.Nested(ProblemSchema))


class RulesStatusSchema(ServedSchema):
    version = fields.String()
    engine_version = fields.String()
    reloaded = fields.Boolean()
    problems = fields.List(fields.Nested(ProblemSchema))


def served() -> dict:
    """The version this worker serves, where it comes from, and whether the working files were refused."""
    now = current.rulebook().served()
    refused = bool(now.problems)
    note = (f"工作文件有 {len(now.problems)} 处错误，未采用；仍按版本 {now.bundle.version[:12]} 服务 / working files "
            f"refused ({len(now.problems)} problem(s)); serving version {now.bundle.version[:12]}") if refused else None
    return {"version": now.bundle.version, "ruleset_source": now.source,
            "working_files": "refused" if refused else "accepted", "problems": now.problems, "note": note}


@blp.route("/health")
@blp.response(200, HealthSchema)
def health():
    state = served()
    return {"status": "ok", "ruleset_version": state.pop("version"), "engine_version": ENGINE_VERSION, **state}


@blp.route("/rules")
@blp.response(200, RulesStatusSchema)
def rules_status():
    return {**served(), "engine_version": ENGINE_VERSION, "reloaded": False}


@blp.route("/rules/reload", methods=["POST"])
@blp.response(200, RulesStatusSchema)
@auth.require("curriculum", "province")
def rules_reload():
    """Re-read the YAML: valid, every worker serves it before its next request; invalid, every worker
    reports the problems and keeps serving the version in force."""
    result = current.rulebook().reload(current.db(), current.now().date(), author=auth.current().actor)
    return {**served(), **result, "engine_version": ENGINE_VERSION}
