"""Request and response schemas of identity verification: photos, status, review, the state table."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from service.candidates.events import CandidateEventSchema
from service.identity.verification import KINDS
from service.web.schemas import StrictSchema


class PhotoSchema(Schema):
    kind = fields.String(metadata={"description": ", ".join(KINDS)})
    label = fields.String()
    sha256 = fields.String()
    format = fields.String()
    width = fields.Integer()
    height = fields.Integer()
    bytes = fields.Integer()
    uploaded_at = fields.String()


class RequiredPhotoSchema(Schema):
    kind = fields.String()
    label = fields.String()


class IdentitySummarySchema(Schema):
    status = fields.String(metadata={"description": "unverified | online_passed | manual_review | manual_passed | "
                                                    "rejected"})
    label = fields.String()
    verified = fields.Boolean()
    enrolled = fields.Boolean(metadata={"description": "在籍考生: two photos; 新考生: three"})
    required_photos = fields.List(fields.Nested(RequiredPhotoSchema))
    photos = fields.List(fields.Nested(PhotoSchema))
    changed_at = fields.String(allow_none=True)
    allowed = fields.List(fields.String(), metadata={"description": "actions the caller may take now"})


class IdentitySchema(IdentitySummarySchema):
    exam_number = fields.String()
    history = fields.List(fields.Nested(CandidateEventSchema))


class ReviewSchema(StrictSchema):
    decision = fields.String(required=True, validate=validate.OneOf(["approve", "reject"]))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500),
                           metadata={"description": "required to reject: shown to the candidate"})


class IdentityStateTableSchema(Schema):
    initial = fields.String()
    verified = fields.List(fields.String())
    statuses = fields.Dict(keys=fields.String(), values=fields.String())
    transitions = fields.List(fields.Dict())
