"""The decision as the API returns it (documents the OpenAPI response)."""
from __future__ import annotations

from marshmallow import Schema, fields


class CountedSchema(Schema):
    code = fields.String(metadata={"description": "the passed course that counts"})
    for_ = fields.String(attribute="for", data_key="for", metadata={"description": "the plan course it counts for"})
    credits = fields.Integer()
    verified = fields.Boolean()
    via = fields.String(metadata={"description": "direct | equivalence:<id> | substitution:<id>"})


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


class RequirementSchema(Schema):
    id = fields.String(metadata={"example": "course:00181"})
    kind = fields.String(metadata={"description": "course | group | thesis | prior-diploma | credits"})
    label = fields.String()
    status = fields.String(metadata={"description": "met | pending | unmet"})
    counted = fields.List(fields.Nested(CountedSchema))
    missing = fields.List(fields.String())
    notes = fields.List(fields.String())
    measure = fields.Nested(MeasureSchema)
    substitution = fields.Nested(SubstitutionSchema)


class CreditsSchema(Schema):
    earned = fields.Integer()
    earned_verified = fields.Integer()
    required = fields.Integer()


class AlternativeSchema(Schema):
    edition = fields.String()
    status = fields.String()
    unmet = fields.List(fields.String(), metadata={"description": "ids of the requirements unmet under this edition"})


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
    alternatives = fields.List(fields.Nested(AlternativeSchema))
    ruleset_version = fields.String()
    engine_version = fields.String()


class EvaluationResponseSchema(Schema):
    evaluation_id = fields.String()
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
