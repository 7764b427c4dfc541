"""What staff send to record or revoke an exception, and what comes back."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from service.rules.exceptions import KINDS
from service.statemachine import MAX_REASON
from service.web.schemas import COURSE_CODE, MAJOR_CODE, SLUG, EventSchema, StrictSchema

DOCUMENT_MAX = 100


def _printable(value: str):
    if not value.strip() or any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValidationError("须为可打印文字 / must be printable text")


class ExceptionRequestSchema(StrictSchema):
    university = fields.String(required=True, validate=SLUG, metadata={"example": "sxu"})
    major = fields.String(required=True, validate=MAJOR_CODE, metadata={"example": "030101K"})
    kind = fields.String(required=True, validate=validate.OneOf(KINDS, error="须为 substitute 或 waive / one of {choices}"),
                         metadata={"description": "substitute: `by` stands for `course`; waive: `course` met by decision"})
    course = fields.String(required=True, validate=COURSE_CODE,
                           metadata={"description": "the plan course it is for", "example": "00261"})
    by = fields.String(load_default=None, allow_none=True, validate=COURSE_CODE,
                       metadata={"description": "substitute only: the passed course that stands for `course`",
                                 "example": "00227"})
    reason = fields.String(required=True, validate=[validate.Length(max=MAX_REASON), _printable],
                           metadata={"description": "why (shown in the candidate's history)"})
    document_number = fields.String(required=True, validate=[validate.Length(max=DOCUMENT_MAX), _printable],
                                    metadata={"description": "the office's document deciding it (文号)",
                                              "example": "晋招考院〔2026〕12号"})

    @validates_schema
    def _by_with_kind(self, data, **kwargs):
        if data.get("kind") == "substitute" and not data.get("by"):
            raise ValidationError("顶替须指定课程 / a substitute names the course that stands in", "by")
        if data.get("kind") == "waive" and data.get("by"):
            raise ValidationError("免除不指定顶替课程 / a waiver names no course", "by")


class RevokeSchema(StrictSchema):
    reason = fields.String(required=True, validate=[validate.Length(max=MAX_REASON), _printable],
                           metadata={"description": "why it is revoked (required)"})


class ExceptionListQuerySchema(StrictSchema):
    university = fields.String(validate=SLUG)
    major = fields.String(validate=MAJOR_CODE)
    state = fields.String(validate=validate.OneOf(["in_force", "revoked"]))


class EvidenceSchema(Schema):
    sha256 = fields.String()
    format = fields.String(metadata={"description": "pdf | jpeg | png"})


class ExceptionEventSchema(EventSchema):
    ruleset_version = fields.String(allow_none=True)


class ExceptionSchema(Schema):
    id = fields.Integer(metadata={"description": "decisions name it as via: exception:<id>"})
    exam_number = fields.String()
    university = fields.String()
    major = fields.String()
    kind = fields.String()
    course = fields.String()
    by = fields.String(allow_none=True)
    reason = fields.String()
    document_number = fields.String()
    evidence = fields.Nested(EvidenceSchema, allow_none=True)
    state = fields.String(metadata={"description": "in_force | revoked"})
    state_label = fields.String()
    recorded_by = fields.String()
    recorded_at = fields.String()
    ruleset_version = fields.String(metadata={"description": "the rules whose limits it was checked against"})
    updated_at = fields.String()
    history = fields.List(fields.Nested(ExceptionEventSchema))


class ExceptionListSchema(Schema):
    items = fields.List(fields.Nested(ExceptionSchema))
