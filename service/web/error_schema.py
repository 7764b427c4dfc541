"""The error body every failing request gets (``ServiceError.to_dict`` and service/web/errors.py)."""
from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields


class ErrorSchema(Schema):
    """Documents the OpenAPI default error response: what the service really answers."""

    class Meta:
        unknown = INCLUDE  # an error may carry context, e.g. a 409's current state or a ruleset's problems

    error = fields.String(required=True, metadata={"description": "stable machine code", "example": "invalid_input"})
    message = fields.String(required=True, metadata={"description": "what went wrong, for people"})
    fields_ = fields.Dict(data_key="fields", metadata={"description": "problems by field, nested like the request"})
