"""Query and response schemas of the auditors' HTTP endpoints (read-only)."""
from __future__ import annotations

import datetime as dt

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from service.errors import N_
from service.store import views
from service.web.auth import ROLES
from service.web.schemas import EXAM_NUMBER, OFFSET, PageQuerySchema, StrictSchema, page_schema

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


class ChainVerificationSchema(Schema):
    ok = fields.Boolean()
    chain = fields.String()
    checked = fields.Integer(metadata={"description": "rows walked"})
    head = fields.String(metadata={"description": "the last row's hash, when the chain holds"})
    broken_at = fields.String(metadata={"description": "id of the first row whose link is broken"})
    seq = fields.Integer(metadata={"description": "its position in the chain (decisions: seq; histories: id)"})
    reason = fields.String()


class LogVerificationSchema(Schema):
    ok = fields.Boolean(metadata={"description": "every chain holds"})
    checked = fields.Integer(metadata={"description": "rows walked, over every chain"})
    head = fields.String(metadata={"description": "the decision log's last hash, when every chain holds"})
    chain = fields.String(metadata={"description": "the first chain that is broken"})
    broken_at = fields.String(metadata={"description": "id of its first row whose link is broken"})
    seq = fields.Integer()
    reason = fields.String()
    chains = fields.Dict(keys=fields.String(), values=fields.Nested(ChainVerificationSchema), metadata={
        "description": "decisions, application_events, candidate_events, transfer_out_events, personal_data_views"})


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


class ViewsQuerySchema(PageQuerySchema):
    exam_number = fields.String(validate=EXAM_NUMBER, metadata={"description": "whose data (准考证号)"})
    actor = fields.String(validate=validate.Length(1, 200), metadata={"description": "who, as the log writes it"})
    role = fields.String(validate=validate.OneOf(ROLES))
    what = fields.String(validate=validate.OneOf(sorted(views.WHAT)),
                         metadata={"description": "; ".join(f"{k}: {v}" for k, v in views.WHAT.items())})
    since = fields.String(validate=_iso_moment, metadata={"description": "viewed at or after (ISO date or time)"})
    until = fields.String(validate=_iso_moment, metadata={"description": "viewed before (ISO date or time)"})


class ViewSchema(Schema):
    id = fields.Integer()
    at = fields.String(metadata={"description": "UTC"})
    actor = fields.String()
    role = fields.String()
    what = fields.String()
    exam_number = fields.String()
    ref = fields.String(allow_none=True, metadata={"description": "the application, photo kind or page it was"})


ViewListSchema = page_schema(ViewSchema, "ViewList")
