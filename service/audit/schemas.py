"""Query and response schemas of the auditors' HTTP endpoints (read-only)."""
from __future__ import annotations

import datetime as dt

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from service.errors import N_
from service.web.schemas import OFFSET, StrictSchema

MAX_REPLAY = 10_000  # decisions replayed by one request; a client pages on with after_seq


def _iso_moment(value: str) -> None:
    try:
        (dt.date if len(value) == 10 else dt.datetime).fromisoformat(value)
    except ValueError:
        raise ValidationError("an ISO date YYYY-MM-DD or date-time YYYY-MM-DDTHH:MM:SS[+08:00]") from None


class ReplayQuerySchema(StrictSchema):
    decision_id = fields.String(validate=validate.Regexp(r"^[0-9a-f]{32}$", error=N_("a decision id is 32 hex digits")),
                                metadata={"description": "replay this one decision"})
    since = fields.String(validate=_iso_moment, metadata={"description": "created at or after (ISO date or time)"})
    until = fields.String(validate=_iso_moment, metadata={"description": "created before (ISO date or time)"})
    after_seq = fields.Integer(load_default=0, validate=OFFSET,
                               metadata={"description": "continue after this log position (next_after_seq)"})
    limit = fields.Integer(load_default=1000, validate=validate.Range(1, MAX_REPLAY),
                           metadata={"description": f"decisions in this response, at most {MAX_REPLAY}"})

    @validates_schema(skip_on_field_errors=False)
    def _one_or_range(self, data, **kwargs):
        if data.get("decision_id") and (data.get("since") or data.get("until")):
            raise ValidationError("give decision_id or a since/until range, not both", "decision_id")
        if data.get("since") and data.get("until") and data["until"] <= data["since"]:
            raise ValidationError("must be after since", "until")


class ReplayedDifferenceSchema(Schema):
    path = fields.String()
    recorded = fields.Raw()
    replayed = fields.Raw()


class ReplayedDifferingSchema(Schema):
    id = fields.String()
    first_difference = fields.Nested(ReplayedDifferenceSchema, allow_none=True)


class ReplayRangeSchema(Schema):
    total = fields.Integer()
    identical = fields.Integer()
    differing = fields.Integer()
    differences = fields.List(fields.Nested(ReplayedDifferingSchema))
    first_seq = fields.Integer(allow_none=True)
    last_seq = fields.Integer(allow_none=True)
    more = fields.Boolean(metadata={"description": "more decisions match: ask again with after_seq=next_after_seq"})
    next_after_seq = fields.Integer(allow_none=True)


class LogVerificationSchema(Schema):
    ok = fields.Boolean()
    checked = fields.Integer()
    head = fields.String(metadata={"description": "the last row's hash, when the chain holds"})
    broken_at = fields.String(metadata={"description": "id of the first row whose link is broken"})
    seq = fields.Integer()
    reason = fields.String()


class RulesetVersionSchema(Schema):
    version = fields.String(metadata={"description": "SHA-256 of the canonical curriculum and ruleset files"})
    created_at = fields.String()
    author = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    effective_from = fields.String(allow_none=True)
    published = fields.Boolean()
    published_at = fields.String(allow_none=True)


class RulesetInForceSchema(Schema):
    on = fields.String()
    version = fields.String()
    published = fields.Boolean(metadata={"description": "false: no published version is in force, the working files"})


class RulesetVersionListSchema(Schema):
    in_force = fields.Nested(RulesetInForceSchema)
    versions = fields.List(fields.Nested(RulesetVersionSchema))


class RulesetVersionFilesSchema(RulesetVersionSchema):
    files = fields.Dict(metadata={"description": "path -> the file's canonical data"})
