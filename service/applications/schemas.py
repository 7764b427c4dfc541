"""What the portal sends to fill an application, and what county staff send to decide."""
from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from service import clock
from service.applications import states
from service.decisions.schemas import Score, SubstitutionSchema, UnusedInputSchema
from service.errors import N_, Msg
from service.reference import districts
from service.rules.in_force import refusal
from service.web import current
from service.web.schemas import (
    COURSE_CODE,
    EXAM_NUMBER,
    MAJOR_CODE,
    SLUG,
    Exact,
    OneOfNow,
    PageQuerySchema,
    StrictSchema,
    enumeration,
    page_schema,
)

MAX_UNIVERSITIES = 2  # "考生毕业申请最多可选择两所主考院校" (seed 002, 六.1)
DISTRICT_UNKNOWN = N_("not a 区县 of the official list (GET /v1/districts)")
MOBILE = Exact(r"^1[3-9][0-9]{9}$", error=N_("a mainland mobile number: 11 digits starting 13-19"))
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _not_future(value):
    if value > clock.today():
        raise ValidationError("date is in the future")


def _printable(value: str):
    if _CONTROL.search(value) or not value.strip():
        raise ValidationError("must be printable text")


class ChoiceFillSchema(StrictSchema):
    university = fields.String(required=True, validate=SLUG, metadata={"example": "sxufe"})
    major = fields.String(required=True, validate=MAJOR_CODE, metadata={"example": "630701"})
    substitution = fields.List(
        fields.String(validate=COURSE_CODE), load_default=list, validate=validate.Length(max=30),
        metadata={"description": "passed courses chosen to replace 00015 英语(二); together at least 14 credits"})


class OldPlanFillSchema(StrictSchema):
    """A course from an old-plan card (红卡/绿卡) or practical card; the county office verifies it."""

    code = fields.String(required=True, validate=COURSE_CODE, metadata={"example": "00041"})
    name = fields.String(required=True, validate=[validate.Length(1, 60), _printable], metadata={"example": "基础会计学"})
    date = fields.Date(required=True, validate=_not_future, metadata={"description": "合格时间 YYYY-MM-DD"})
    score = Score(required=True)
    credits = fields.Integer(validate=validate.Range(1, 30), load_default=None,
                             metadata={"description": "only for codes the catalogue does not know"})


def reference_problems(bundle, data: dict) -> dict:
    """The district and each university/major must exist; of partly valid data, what can be judged."""
    problems: dict = {}
    if isinstance(data.get("district"), str) and not districts.is_district(data["district"]):
        problems["district"] = [DISTRICT_UNKNOWN]
    for i, c in enumerate(data.get("choices") or []):
        if not isinstance(c, dict) or "university" not in c:
            continue
        if c["university"] not in bundle.universities:
            problems.setdefault("choices", {})[i] = {"university": [N_("no such examining university (主考院校)")]}
        elif "major" in c and bundle.major(c["university"], c["major"]) is None:
            problems.setdefault("choices", {})[i] = {
                "major": [Msg("%(university)s examines no major %(major)s (GET /v1/majors?university=%(university)s)",
                              university=c["university"], major=c["major"])]}
        elif "major" in c and (why := refusal(bundle, c["university"], c["major"], clock.today())):
            # refused when filled, not at the check: a major without a plan in force cannot be decided at all
            problems.setdefault("choices", {})[i] = {"major": [why]}
    return problems


class ApplicationFillSchema(StrictSchema):
    district = fields.String(required=True, validate=validate.Length(2, 40),
                             metadata=enumeration("districts", description="毕业申请区县", example="太原市小店区"))
    phone = fields.String(required=True, validate=MOBILE, metadata={"example": "13912345678"})
    address = fields.String(required=True, validate=[validate.Length(4, 120), _printable],
                            metadata={"example": "太原市小店区长风街1号"})
    choices = fields.List(fields.Nested(ChoiceFillSchema), required=True, validate=validate.Length(
        1, MAX_UNIVERSITIES, error=N_("choose {min} to {max} examining universities (最多可选择两所主考院校), "
                                      "one major under each")))
    old_plan_records = fields.List(fields.Nested(OldPlanFillSchema), load_default=list, validate=validate.Length(max=50))

    @validates_schema(skip_on_field_errors=False)
    def _references_exist(self, data, **kwargs):
        # judged here too (records checks again for library callers), so that an unknown district,
        # university or major is named together with every other problem of the request
        problems = reference_problems(current.rulebook().current(), data)
        if problems:
            raise ValidationError(problems)

    @validates_schema(skip_on_field_errors=False)
    def _one_major_per_university(self, data, **kwargs):
        unis = [c["university"] for c in data.get("choices") or [] if "university" in c]
        if len(set(unis)) != len(unis):
            raise ValidationError(Msg("one major under each examining university (主考院校); "
                                      "at most %(n)d universities", n=MAX_UNIVERSITIES), "choices")

    @validates_schema(skip_on_field_errors=False)
    def _old_plan_once(self, data, **kwargs):
        codes = [r["code"] for r in data.get("old_plan_records") or [] if "code" in r]
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            raise ValidationError(Msg("listed twice: %(codes)s", codes=", ".join(twice)), "old_plan_records")


class ReasonSchema(StrictSchema):
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=states.MAX_REASON))


class DecideSchema(StrictSchema):
    decision = fields.String(required=True, validate=validate.OneOf(["approve", "reject"]))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=states.MAX_REASON),
                           metadata={"description": "required to reject: shown to the candidate as 不通过原因"})


class VerifySchema(StrictSchema):
    verified = fields.Boolean(required=True, metadata={"description": "true: the card is genuine; false: refused"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=states.MAX_REASON))


class AppraisalSchema(StrictSchema):
    result = fields.String(required=True, validate=validate.Length(1, 20), metadata={
        "description": "one of the policy's conduct_appraisal levels (rulesets/shanxi/policy.yaml), e.g. 合格 / 不合格",
        "example": "合格"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=states.MAX_REASON))


class AppraisalOutSchema(Schema):
    result = fields.String()
    passed = fields.Boolean(metadata={"description": "the level is one the policy lists as passing"})
    recorded_by = fields.String()
    recorded_at = fields.String()
    note = fields.String(allow_none=True)


class SubmitSchema(StrictSchema):
    confirm = fields.Boolean(required=True, validate=validate.Equal(True, error=N_("confirm with true: "
                                                                              "提交后不可再进行网上毕业申请")))


class ListQuerySchema(PageQuerySchema):
    state = fields.String(validate=OneOfNow(lambda: states.table().states, "状态", "state"),
                          metadata=enumeration("application_states"))
    district = fields.String(validate=OneOfNow(districts.table, "区县", "district"), metadata=enumeration("districts"))
    exam_number = fields.String(validate=EXAM_NUMBER)


# --- responses (document the OpenAPI; the views return plain dicts) --------------

class DecisionRefSchema(Schema):
    id = fields.String(allow_none=True)
    status = fields.String(allow_none=True, metadata={"description": "eligible | pending_verification | not_eligible"})
    current = fields.Boolean(metadata={"description": "made from the application as it is now"})


class ChoiceOutSchema(Schema):
    position = fields.Integer()
    university = fields.String()
    university_name = fields.String()
    major = fields.String()
    major_name = fields.String()
    level = fields.String()
    substitution = fields.List(fields.String())
    decision = fields.Nested(DecisionRefSchema)


class OldPlanOutSchema(Schema):
    position = fields.Integer()
    code = fields.String()
    name = fields.String()
    date = fields.String()
    score = fields.String()
    credits = fields.Integer(allow_none=True)
    status = fields.String(metadata={"description": "pending | verified | refused"})
    note = fields.String(allow_none=True)


class ArchiveOutSchema(Schema):
    sha256 = fields.String()
    format = fields.String()
    members = fields.List(fields.String())
    problems = fields.List(fields.String())


class PhotoOutSchema(Schema):
    status = fields.String(metadata={"description": "none | passed | review | approved"})
    sha256 = fields.String(allow_none=True)
    format = fields.String(allow_none=True)
    reasons = fields.List(fields.String())


class ApplicationOutSchema(Schema):
    id = fields.Integer()
    exam_number = fields.String()
    name = fields.String()
    round = fields.String()
    district = fields.String()
    phone = fields.String()
    address = fields.String(allow_none=True, metadata={"description": "null for auditors (they see the phone masked)"})
    state = fields.String()
    state_label = fields.String()
    attempt = fields.Integer()
    reapplications_left = fields.Integer()
    revision = fields.Integer()
    choices = fields.List(fields.Nested(ChoiceOutSchema))
    old_plan_records = fields.List(fields.Nested(OldPlanOutSchema))
    archive = fields.Nested(ArchiveOutSchema, allow_none=True)
    photo = fields.Nested(PhotoOutSchema)
    conduct_appraisal = fields.Nested(AppraisalOutSchema, allow_none=True, metadata={
        "description": "思想品德鉴定 recorded by the county office; null until then"})
    allowed = fields.List(fields.String(), metadata={"description": "actions the caller may take now"})
    last_reason = fields.String(allow_none=True, metadata={"description": "不通过原因 of the last rejection"})
    created_at = fields.String()
    updated_at = fields.String()
    submitted_at = fields.String(allow_none=True)


class ApplicationListItemSchema(Schema):
    id = fields.Integer()
    exam_number = fields.String()
    name = fields.String()
    district = fields.String()
    phone = fields.String(metadata={"description": "masked"})
    state = fields.String()
    state_label = fields.String()
    attempt = fields.Integer()
    choices = fields.List(fields.String(), metadata={"description": "university/major"})
    updated_at = fields.String()


ApplicationListSchema = page_schema(ApplicationListItemSchema, "ApplicationListSchema")


class HeldBySchema(Schema):
    code = fields.String(metadata={"example": "15043"})
    name = fields.String(allow_none=True, metadata={"example": "中国近现代史纲要"})
    credits = fields.Integer(allow_none=True, metadata={"description": "credits this record counts (its own)"})
    via = fields.String(metadata={"description": "passed (its own pass) | equivalence:<id> (新旧课程顶替) | "
                                                 "substitution:<id> (顶替英语二) | exception:<id> (per-candidate exception)"})
    verified = fields.Boolean(metadata={"description": "false: awaits the county office (an old-plan card)"})


class GroupOptionSchema(Schema):
    code = fields.String()
    name = fields.String(allow_none=True)
    credits = fields.Integer(allow_none=True)
    taken = fields.Boolean(metadata={"description": "counted for the group"})
    verified = fields.Boolean(allow_none=True, metadata={"description": "taken: verified (false: 待核验); else null"})


class ChecklistRowSchema(Schema):
    """One line of 所选专业(不)符合毕业合格条件 (seed 002), built by service.rules.checklist."""

    kind = fields.String(metadata={"description": "course | group | thesis | credits | prior-diploma, or a policy "
                                                  "condition the decision carries (sanction, conduct appraisal, …)"})
    requirement = fields.String(metadata={"description": "the requirement id of the decision", "example": "course:03708"})
    code = fields.String(allow_none=True, metadata={"description": "the plan course (course, thesis rows)"})
    name = fields.String(allow_none=True, metadata={"example": "中国近现代史纲要"})
    credits = fields.Integer(allow_none=True, metadata={
        "description": "the plan course's credits; a credit group's or the total's required credits"})
    mark = fields.String(metadata={"description": "met | unmet | pending"})
    symbol = fields.String(metadata={"description": "✓ | ✗ | 待核验"})
    held_by = fields.List(fields.Nested(HeldBySchema), metadata={"description": "what stands for it"})
    counted_credits = fields.Integer(metadata={"description": "credits the total counts for this row"})
    reason = fields.String(allow_none=True, metadata={"description": "why, Chinese first then English; null for "
                                                                      "a course met by its own pass"})
    options = fields.List(fields.Nested(GroupOptionSchema), metadata={"description": "group rows: its courses"})
    substitution = fields.Nested(SubstitutionSchema, metadata={
        "description": "the row of 00015 英语(二): the chosen courses accepted and rejected"})


class CheckedChoiceSchema(Schema):
    position = fields.Integer()
    university = fields.String()
    major = fields.String()
    decision_id = fields.String()
    status = fields.String(metadata={"description": "eligible | pending_verification | not_eligible"})
    eligible = fields.Boolean()
    checklist = fields.List(fields.Nested(ChecklistRowSchema), metadata={
        "description": "every plan course, group, thesis and condition with ✓ / ✗ / 待核验 "
                       "(所选专业(不)符合毕业合格条件): unmet rows first, then pending, then met"})
    unmet = fields.Integer(metadata={"description": "how many rows are ✗: checklist[:unmet] are the unmet ones"})
    not_used = fields.List(fields.Nested(UnusedInputSchema), metadata={
        "description": "inputs no requirement uses, with the reason (未使用的顶替课程或旧计划课程)"})
    decision = fields.Dict(metadata={"description": "the whole decision, as POST /v1/evaluations returns it"})


class CheckOutSchema(Schema):
    application = fields.Nested(ApplicationOutSchema)
    choices = fields.List(fields.Nested(CheckedChoiceSchema))


class StateTableSchema(Schema):
    initial = fields.String()
    states = fields.List(fields.Dict())
    transitions = fields.List(fields.Dict())
