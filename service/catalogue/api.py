"""Universities, majors and their exam plans (点击查看本专业开考计划)."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from service import clock
from service.catalogue.records import plan_dict
from service.errors import Msg, NotFound, echoed
from service.rules.in_force import plan_status
from service.rules.model import LEVELS
from service.web import current
from service.web.schemas import MAJOR_CODE, SLUG, StrictSchema

blp = Blueprint("majors", __name__, url_prefix="/v1", description="Examining universities, majors and exam plans")


class UniversitySchema(Schema):
    slug = fields.String()
    name = fields.String()


class MajorSchema(Schema):
    university = fields.String()
    university_name = fields.String()
    code = fields.String()
    name = fields.String()
    level = fields.String()
    status = fields.String(metadata={"description": "open | closed_to_new (停止新生报名)"})
    discontinued_from = fields.String(allow_none=True, metadata={
        "description": "停考: the first day the major's courses are no longer examined (null: not discontinued); "
                       "a substitute exception needs it (docs/exceptions.md)"})
    editions = fields.List(fields.String(), metadata={"description": "exam plan editions on file"})
    plan_in_force = fields.Boolean(metadata={"description": "a plan of this major is in force today: it can be "
                                                           "chosen and decided (otherwise 422 no_plan_in_force)"})
    plan_status = fields.String(metadata={"description": "in_force | not_in_force (plans on file, none for today) | "
                                                         "none (no plan on file: the major cannot be chosen)"})
    no_plan = fields.String(allow_none=True, metadata={
        "description": "when plan_status is none: why curricula/majors.yaml marks the major as having no plan "
                       "(the search for a published plan of its code that found none); null otherwise"})


class MajorQuerySchema(StrictSchema):
    university = fields.String(validate=validate.Length(1, 32))
    level = fields.String(validate=validate.OneOf(LEVELS))


class PlanCourseSchema(Schema):
    code = fields.String()
    name = fields.String()
    credits = fields.Integer()
    kind = fields.String()
    requirement = fields.String(metadata={"description": "required | group:<id> | thesis"})


class GroupSchema(Schema):
    id = fields.String()
    name = fields.String()
    pick = fields.Integer(allow_none=True)
    min_credits = fields.Integer(allow_none=True)
    courses = fields.List(fields.String())


class PlanSchema(Schema):
    edition = fields.String()
    effective_from = fields.String()
    effective_until = fields.String(allow_none=True)
    min_credits = fields.Integer()
    courses = fields.List(fields.Nested(PlanCourseSchema))
    groups = fields.List(fields.Nested(GroupSchema))
    thesis = fields.String(allow_none=True)
    source = fields.String()


class MajorDetailSchema(MajorSchema):
    plans = fields.List(fields.Nested(PlanSchema))


def _bundle():
    return current.rulebook().current()


def _major_dict(bundle, m) -> dict:
    status = plan_status(bundle, m.university, m.code, clock.now().date())
    return {"university": m.university, "university_name": bundle.universities[m.university].name,
            "code": m.code, "name": m.name, "level": m.level, "status": m.status,
            "discontinued_from": m.discontinued_from.isoformat() if m.discontinued_from else None,
            "editions": [p.edition for p in bundle.plans_for(m.university, m.code)],
            "plan_in_force": status == "in_force", "plan_status": status, "no_plan": m.no_plan}


@blp.route("/universities")
@blp.response(200, UniversitySchema(many=True))
def list_universities():
    bundle = _bundle()
    return [{"slug": u.slug, "name": u.name} for u in bundle.universities.values()]


@blp.route("/majors")
@blp.arguments(MajorQuerySchema, location="query")
@blp.response(200, MajorSchema(many=True))
def list_majors(query):
    bundle = _bundle()
    out = []
    for m in bundle.majors:
        if query.get("university") and m.university != query["university"]:
            continue
        if query.get("level") and m.level != query["level"]:
            continue
        out.append(_major_dict(bundle, m))
    return out


@blp.route("/majors/<string:university>/<string:major>")
@blp.response(200, MajorDetailSchema)
def get_major(university, major):
    bundle = _bundle()
    m = bundle.major(university, major)
    if m is None:
        raise NotFound(Msg("no major %(major)s at %(university)s",
                           major=echoed(major, MAJOR_CODE.regex, Msg("of that code")),
                           university=echoed(university, SLUG.regex, Msg("that university"))))
    plans = sorted(bundle.plans_for(university, major), key=lambda p: (p.effective_from, p.edition))
    return {**_major_dict(bundle, m), "plans": [plan_dict(bundle, p) for p in plans]}
