"""The value lists' bodies: the list envelope ``{total, items}`` the other lists use, with the list's name."""
from __future__ import annotations

from marshmallow import Schema, fields


class ItemSchema(Schema):
    value = fields.String(required=True, metadata={"description": "what a request sends", "example": "汉族"})
    code = fields.String(metadata={"description": "the national standard's code, where the list has one",
                                   "example": "01"})
    label = fields.String(metadata={"description": "how a state is shown (states only)", "example": "待审核"})
    city = fields.String(metadata={"description": "the district's 地级市 (districts only)", "example": "太原市"})
    short = fields.String(metadata={"description": "the district's short name (districts only)", "example": "小店区"})
    note_required = fields.Boolean(metadata={"description": "the reason needs reason_note (transfer_reasons only)"})


class EnumerationSchema(Schema):
    name = fields.String(required=True, metadata={"example": "ethnicities"})
    description = fields.String(required=True)
    total = fields.Integer(required=True, metadata={"description": "how many values (every one is in items)"})
    items = fields.List(fields.Nested(ItemSchema), required=True)


class EnumerationRefSchema(Schema):
    name = fields.String(required=True, metadata={"example": "ethnicities"})
    description = fields.String(required=True)
    total = fields.Integer(required=True)
    href = fields.String(required=True, metadata={"example": "/v1/enumerations/ethnicities"})


class EnumerationIndexSchema(Schema):
    total = fields.Integer(required=True)
    items = fields.List(fields.Nested(EnumerationRefSchema), required=True)
