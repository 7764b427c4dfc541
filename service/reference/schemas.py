"""Response schemas of the reference lists: districts by city, business windows."""
from __future__ import annotations

from marshmallow import Schema, fields


class DistrictSchema(Schema):
    name = fields.String(metadata={"description": "full name, as applications and credentials use it", "example":
                                   "太原市小店区"})
    short = fields.String(metadata={"example": "小店区"})
    code = fields.String(metadata={"description": "GB/T 2260 division code", "example": "140105"})


class CitySchema(Schema):
    city = fields.String(metadata={"example": "太原市"})
    districts = fields.List(fields.Nested(DistrictSchema))


class WindowStateSchema(Schema):
    business = fields.String(metadata={"example": "毕业申请"})
    label = fields.String(metadata={"description": "已开放 | 未开放"})
    open = fields.Boolean()
    round = fields.String(allow_none=True, metadata={"example": "2026H2"})
    opens = fields.String(allow_none=True, metadata={"description": "the current or next window (Beijing time)"})
    closes = fields.String(allow_none=True)


class WindowsSchema(Schema):
    now = fields.String()
    businesses = fields.List(fields.Nested(WindowStateSchema))
