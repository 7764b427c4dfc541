"""The evaluation request: candidate, choices, transcript, substitution, prior diploma."""
from __future__ import annotations

import datetime as dt

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from service.decisions.fastload import FastLoad
from service.rules.inputs import SOURCES, Candidate, PriorDiploma, Record, Request
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


def SCORE(value):
    # ASCII digits only: "³".isdigit() is true but int() refuses it, and "６０" would be a
    # score the oracle (docs/rules-semantics.md: ASCII whole numbers) does not pass
    if value in GRADES or (value.isascii() and value.isdigit() and len(value) <= 3 and int(value) <= 100):
        return
    raise ValidationError("a score is 0-100, a grade (优秀/良好/中等/合格/不合格) or 免考")


def _not_future(value):
    if value > dt.date.today():
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
    score = fields.String(required=True, validate=SCORE)
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
    score = fields.String(required=True, validate=SCORE)
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
    as_of = fields.Date(load_default=None, metadata={"description": "decision date (default: today)"})
    ruleset_version = fields.String(
        load_default=None, validate=Exact(r"^[0-9a-f]{64}$", error="a ruleset version is 64 hex digits"),
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
        data["as_of"] = data["as_of"] or dt.date.today()
        return data


def canonical_input(data: dict) -> dict:
    """The validated request in one spelling: sorted lists, ISO dates; what is logged and replayed."""
    def rec(r):
        return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in sorted(r.items())}
    return {
        "candidate": dict(sorted(data["candidate"].items())),
        "transcript": sorted((rec(r) for r in data["transcript"]),
                             key=lambda r: (r["code"], r.get("date") or "", r["source"], r["score"])),
        "old_plan_records": sorted((rec(r) for r in data["old_plan_records"]),
                                   key=lambda r: (r["code"], r["date"], r["score"])),
        "substitution": sorted(set(data["substitution"])),
        "prior_diploma": dict(sorted(data["prior_diploma"].items())) if data.get("prior_diploma") else None,
        "as_of": data["as_of"].isoformat(),
    }


def request_for(canonical: dict, choice: dict) -> Request:
    """Build the core Request for one choice from the canonical input."""
    def date(v):
        return dt.date.fromisoformat(v) if v else None
    records = [Record(code=r["code"], score=r["score"], source=r["source"], date=date(r.get("date")),
                      name=r.get("name", ""), credits=r.get("credits"), verified=True)
               for r in canonical["transcript"]]
    records += [Record(code=r["code"], score=r["score"], source="old-plan", date=date(r["date"]),
                       name=r["name"], credits=r.get("credits"), verified=bool(r.get("verified")))
                for r in canonical["old_plan_records"]]
    pd = canonical.get("prior_diploma")
    return Request(
        candidate=Candidate(**canonical["candidate"]),
        university=choice["university"],
        major=choice["major"],
        records=tuple(records),
        as_of=date(canonical["as_of"]),
        substitution=tuple(canonical["substitution"]),
        prior_diploma=PriorDiploma(**pd) if pd else None,
        edition=choice.get("edition"),
    )
