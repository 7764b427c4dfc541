"""A 延迟毕业 record as imported, posted by province staff, or given to a YAML case; and as shown."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from service.web.schemas import StrictSchema

MAX_YEARS = 3  # 《国家教育考试违规处理办法》: graduation delayed by one to three years


class SanctionSchema(StrictSchema):
    from_ = fields.Date(required=True, data_key="from", metadata={"description": "first day of the delay"})
    until = fields.Date(required=True, metadata={"description": "last day of the delay (included)"})
    reason = fields.String(required=True, validate=validate.Length(1, 200),
                           metadata={"description": "the violation, as the decision document states it"})
    document_no = fields.String(required=True, validate=validate.Length(1, 60),
                                metadata={"description": "处理决定文号, e.g. 晋招考违〔2025〕3号", "example": "晋招考违〔2025〕3号"})

    @validates_schema(skip_on_field_errors=False)  # the period is checked beside any other field's problem
    def _period(self, data, **kwargs):
        start, until = data.get("from_"), data.get("until")
        if start is None or until is None:
            return
        if until < start:
            raise ValidationError("结束日期早于开始日期 / until is before from", "until")
        # 29 February has no counterpart three years on: the delay may run to 28 February
        limit = start.replace(year=start.year + MAX_YEARS, day=min(start.day, 28) if start.month == 2 else start.day)
        if until > limit:
            raise ValidationError(f"延迟毕业最长 {MAX_YEARS} 年 / graduation is delayed by at most {MAX_YEARS} years",
                                  "until")


class SanctionOutSchema(Schema):
    id = fields.Integer()
    from_ = fields.String(data_key="from", attribute="from")
    until = fields.String()
    reason = fields.String()
    document_no = fields.String()
    source = fields.String(metadata={"description": "import | staff"})
    recorded_by = fields.String()
    recorded_at = fields.String()
    in_force = fields.Boolean(metadata={"description": "today (service clock) is inside the period"})


def as_decision_input(s: dict) -> dict:
    """What a decision input carries of a loaded or stored sanction."""
    start = s.get("from_", s.get("from"))
    return {"from": start.isoformat() if hasattr(start, "isoformat") else start,
            "until": s["until"].isoformat() if hasattr(s["until"], "isoformat") else s["until"],
            "document_no": s["document_no"], "reason": s["reason"]}
