"""The evaluation request (candidate, choices, transcript, substitution, prior diploma) and the decision
as the API returns it (the decision schemas only document the OpenAPI responses)."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from service import clock
from service.decisions.fastload import FastLoad
from service.errors import N_
from service.rules.inputs import SOURCES
from service.web.schemas import (
    COURSE_CODE,
    GENDER,
    MAJOR_CODE,
    SLUG,
    CandidateSchema,
    Exact,
    StrictSchema,
    id_number,
    person_name,
)

GRADES = ("优秀", "良好", "中等", "合格", "不合格", "免考")


SCORE_MESSAGE = ("成绩为 0 到 100 的整数，或等级（优秀/良好/中等/合格/不合格）或 免考 / "
                 "a score is a whole number from 0 to 100, or a grade (优秀/良好/中等/合格/不合格) or 免考")


def SCORE(value):
    # ASCII digits only: "³".isdigit() is true but int() refuses it, and "６０" would be a
    # score the oracle (docs/rules-semantics.md: ASCII whole numbers) does not pass
    if value in GRADES or (value.isascii() and value.isdigit() and len(value) <= 3 and int(value) <= 100):
        return
    raise ValidationError(SCORE_MESSAGE)


class Score(fields.Field):
    """A score as a JSON number (72) or text ("72", "良好"); loaded as the text the rules read.

    A Field, not a String: the OpenAPI document then shows the ``oneOf`` alone."""

    def __init__(self, **kwargs):
        super().__init__(validate=SCORE, metadata={"example": "72", "description": SCORE_MESSAGE,
                                                   "oneOf": [{"type": "integer", "minimum": 0, "maximum": 100},
                                                             {"type": "string"}]}, **kwargs)

    @staticmethod
    def fast_convert(value):
        """What ``_deserialize`` gives for a plain value, or None when unsure (decisions/fastload.py)."""
        if type(value) is str:
            return value
        if type(value) is int:
            return str(value)
        return None

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            raise ValidationError(SCORE_MESSAGE)
        return value


def _not_future(value):
    if value > clock.today():
        raise ValidationError("date is in the future")


class ChoiceSchema(StrictSchema):
    university = fields.String(required=True, validate=SLUG, metadata={"example": "sxufe"})
    major = fields.String(required=True, validate=MAJOR_CODE, metadata={"example": "630701"})
    edition = fields.String(validate=validate.Length(1, 20), metadata={"description": "evaluate one plan edition only"})


class RecordSchema(StrictSchema):
    code = fields.String(required=True, validate=COURSE_CODE)
    name = fields.String(validate=validate.Length(max=60), load_default="")
    credits = fields.Integer(validate=validate.Range(1, 30), load_default=None,
                             metadata={"description": "only used for codes the catalogue does not know"})
    score = Score(required=True)
    date = fields.Date(validate=_not_future, load_default=None)
    source = fields.String(validate=validate.OneOf(SOURCES), load_default="exam")

    @validates_schema(skip_on_field_errors=False)
    def _score_fits(self, data, **kwargs):
        score = data.get("score", "")
        if score == "免考" and data.get("source") != "exemption":
            raise ValidationError("免考 is the score of an exemption record (source: exemption)", "score")


class OldPlanRecordSchema(StrictSchema):
    """A course from an old-plan card (红卡/绿卡) or practical card: pending until verified."""

    code = fields.String(required=True, validate=COURSE_CODE)
    name = fields.String(required=True, validate=validate.Length(1, 60))
    credits = fields.Integer(validate=validate.Range(1, 30), load_default=None)
    score = Score(required=True)
    date = fields.Date(required=True, validate=_not_future)
    verified = fields.Boolean(load_default=False, metadata={"description": "set only once the county office has checked the card"})


class PriorDiplomaSchema(StrictSchema):
    name = fields.String(required=True, validate=person_name)
    id_number = fields.String(required=True, validate=id_number)
    gender = fields.String(required=True, validate=GENDER)
    verified = fields.Boolean(required=True, metadata={"description": "学信网 verification completed"})
    certificate_no = fields.String(validate=validate.Length(max=40), load_default="")
    level = fields.String(validate=validate.Length(max=20), load_default="")


class EvaluationRequestSchema(FastLoad, StrictSchema):
    """Loaded through FastLoad: the same result as marshmallow's load, several times faster when valid."""

    candidate = fields.Nested(CandidateSchema, required=True)
    choices = fields.List(fields.Nested(ChoiceSchema), required=True, validate=validate.Length(1, 4))
    transcript = fields.List(fields.Nested(RecordSchema), required=True, validate=validate.Length(0, 300))
    old_plan_records = fields.List(fields.Nested(OldPlanRecordSchema), load_default=list, validate=validate.Length(max=50))
    substitution = fields.List(fields.String(validate=COURSE_CODE), load_default=list, validate=validate.Length(max=30),
                               metadata={"description": "passed courses chosen to replace 00015 英语(二)"})
    prior_diploma = fields.Nested(PriorDiplomaSchema, load_default=None, allow_none=True)
    as_of = fields.Date(load_default=None, metadata={"description": "decision date (default: today in Beijing, by the service clock)"})
    ruleset_version = fields.String(
        load_default=None, validate=Exact(r"^[0-9a-f]{64}$", error=N_("a ruleset version is 64 hex digits")),
        metadata={"description": "decide under this archived ruleset version (an application re-decided with the "
                                 "version it was checked with); default: the published version in force on as_of"})

    @validates_schema(skip_on_field_errors=False)
    def _choices(self, data, **kwargs):
        choices = [c for c in data.get("choices") or [] if "university" in c and "major" in c]
        if len({c["university"] for c in choices}) > 2:
            raise ValidationError("at most two examining universities (主考院校)", "choices")
        keys = [(c["university"], c["major"]) for c in choices]
        if len(set(keys)) != len(keys):
            raise ValidationError("the same major is chosen twice", "choices")

    @post_load
    def _to_requests(self, data, **kwargs):
        data["as_of"] = data["as_of"] or clock.today()
        return data


# --- the decision ------------------------------------------------------------------

class CountedSchema(Schema):
    code = fields.String(metadata={"description": "the passed course that counts"})
    for_ = fields.String(attribute="for", data_key="for", metadata={"description": "the plan course it counts for"})
    credits = fields.Integer()
    verified = fields.Boolean()
    via = fields.String(metadata={"description": "direct | equivalence:<id> | substitution:<id> | exception:<id> "
                                                 "(a staff-recorded exception, /v1/exceptions/<id>)"})


class MeasureSchema(Schema):
    verified = fields.Integer()
    all = fields.Integer()
    required = fields.Integer()


class RejectedSchema(Schema):
    code = fields.String()
    reason = fields.String()


class SubstitutionSchema(Schema):
    id = fields.String()
    accepted = fields.List(fields.String())
    rejected = fields.List(fields.Nested(RejectedSchema))
    measure = fields.Nested(MeasureSchema)


class AppraisalShownSchema(Schema):
    result = fields.String(allow_none=True, metadata={"description": "the level recorded; null: not recorded yet"})
    recorded_by = fields.String()
    recorded_at = fields.String()


class SanctionShownSchema(Schema):
    from_ = fields.String(attribute="from", data_key="from")
    until = fields.String(metadata={"description": "the last day of the delay: eligible from the day after"})
    document_no = fields.String()


class RequirementSchema(Schema):
    id = fields.String(metadata={"example": "course:00181"})
    kind = fields.String(metadata={"description": "course | group | thesis | prior-diploma | credits | conduct | sanction"})
    label = fields.String()
    status = fields.String(metadata={"description": "met | pending | unmet"})
    counted = fields.List(fields.Nested(CountedSchema))
    missing = fields.List(fields.String())
    notes = fields.List(fields.String())
    measure = fields.Nested(MeasureSchema)
    substitution = fields.Nested(SubstitutionSchema)
    appraisal = fields.Nested(AppraisalShownSchema, metadata={"description": "conduct: 思想品德鉴定 as recorded"})
    sanction = fields.Nested(SanctionShownSchema, metadata={"description": "sanction: the 延迟毕业 period in force"})


class CreditsSchema(Schema):
    earned = fields.Integer()
    earned_verified = fields.Integer()
    required = fields.Integer()


class AlternativeSchema(Schema):
    edition = fields.String()
    status = fields.String()
    unmet = fields.List(fields.String(), metadata={"description": "ids of the requirements unmet under this edition"})


class UnusedInputSchema(Schema):
    code = fields.String()
    input = fields.String(metadata={"description": "substitution | old-plan | exception"})
    exception = fields.Integer(metadata={"description": "input exception only: the exception's id"})
    reason = fields.String(metadata={"description": "why no requirement uses it (docs/rules-semantics.md section 4)"})


class DecisionSchema(Schema):
    id = fields.String()
    created_at = fields.String()
    university = fields.String()
    major = fields.String()
    major_name = fields.String()
    level = fields.String()
    as_of = fields.String()
    edition = fields.String()
    eligible = fields.Boolean()
    status = fields.String(metadata={"description": "eligible | pending_verification | not_eligible"})
    requirements = fields.List(fields.Nested(RequirementSchema))
    credits = fields.Nested(CreditsSchema)
    unused = fields.List(fields.String())
    ignored_records = fields.List(fields.Nested(RejectedSchema))
    unused_inputs = fields.List(fields.Nested(UnusedInputSchema), metadata={
        "description": "inputs no requirement uses, with the reason (rulesets of revision 2)"})
    alternatives = fields.List(fields.Nested(AlternativeSchema))
    ruleset_version = fields.String()
    engine_version = fields.String()


class EvaluationResponseSchema(Schema):
    evaluation_id = fields.String()
    transcript_source = fields.String(metadata={
        "description": "record: the transcript is the candidate's imported record; sent: the caller's own "
                       "(what-if planning, an unregistered exam number), never used by an application"})
    decisions = fields.List(fields.Nested(DecisionSchema))


class StoredDecisionSchema(DecisionSchema):
    evaluation_id = fields.String()
    input = fields.Dict(metadata={"description": "the canonical input the decision was made from"})


class DifferenceSchema(Schema):
    path = fields.String()
    recorded = fields.Raw(allow_none=True)
    replayed = fields.Raw(allow_none=True)


class ReplaySchema(Schema):
    id = fields.String()
    identical = fields.Boolean()
    ruleset_version = fields.String()
    engine_version = fields.String()
    differences = fields.List(fields.Nested(DifferenceSchema))
