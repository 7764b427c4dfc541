"""What the portal sends to apply for a transfer out, what offices send, and what comes back.

The lists a value must come from (provinces, reasons) and the 准考证号 length are read
from rulesets/transfer/transfer_out.yaml when a request is validated.
"""
from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from service.errors import Msg
from service.reference import districts
from service.reference import transfer_rules as rules
from service.transfer import states
from service.web.schemas import (
    EXAM_NUMBER,
    EventSchema,
    OneOfNow,
    PageQuerySchema,
    StrictSchema,
    enumeration,
    page_schema,
)

NOTE_MAX = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _province(value: str):
    names = rules.current().province_names()
    if value not in names:
        raise ValidationError(Msg("转入省 must be one of the other 30 provinces: %(allowed)s", allowed="、".join(names)))


def _reason(value: str):
    if rules.current().reason(value) is None:
        raise ValidationError(Msg("转出原因 must be one of %(allowed)s",
                                  allowed="、".join(r.name for r in rules.current().reasons)))


def _exam_number(value: str):
    r = rules.current()
    if not r.exam_number_pattern().fullmatch(value):
        raise ValidationError(Msg("转入准考证 is the target province's 准考证号: %(min)d-%(max)d digits",
                                  min=r.min_digits, max=r.max_digits))


def _text(value: str):
    if _CONTROL.search(value) or not value.strip():
        raise ValidationError("must be printable text")


class TransferOutRequestSchema(StrictSchema):
    """省际转出申请信息填报 (seed 000, 五.1)."""

    target_province = fields.String(required=True, validate=_province,
                                    metadata=enumeration("transfer_provinces", description="转入省", example="江苏省"))
    reason = fields.String(required=True, validate=_reason,
                           metadata=enumeration("transfer_reasons", description="转出原因", example="工作调动"))
    reason_note = fields.String(load_default=None, allow_none=True, validate=[validate.Length(max=NOTE_MAX), _text],
                                metadata={"description": "更多说明; required when the reason is 其他"})
    target_exam_number = fields.String(required=True, validate=_exam_number,
                                       metadata={"description": "转入准考证: the target province's 准考证号",
                                                 "example": "320119200123"})

    @validates_schema(skip_on_field_errors=False)
    def _note_when_required(self, data, **kwargs):
        reason = rules.current().reason(data.get("reason") or "")
        if reason is not None and reason.note_required and not (data.get("reason_note") or "").strip():
            raise ValidationError(Msg("say more when the reason is %(reason)s", reason=reason.name), "reason_note")


class TransferNoteSchema(StrictSchema):
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=states.MAX_REASON),
                           metadata={"description": "optional note recorded with the step"})


class TransferListQuerySchema(PageQuerySchema):
    state = fields.String(validate=OneOfNow(lambda: states.table().states, "状态", "state"),
                          metadata=enumeration("transfer_states"))
    district = fields.String(validate=OneOfNow(districts.table, "区县", "district"), metadata=enumeration("districts"))
    round = fields.String(validate=validate.Length(1, 20))
    target_province = fields.String(validate=OneOfNow(lambda: rules.current().province_names(), "转入省", "province"),
                                    metadata=enumeration("transfer_provinces"))
    exam_number = fields.String(validate=EXAM_NUMBER)


# --- responses (document the OpenAPI; the views return plain dicts) ------------------

class TransferCourseSchema(Schema):
    code = fields.String()
    name = fields.String()
    credits = fields.Integer(allow_none=True)
    score = fields.String()
    date = fields.String(allow_none=True)
    source = fields.String()


class TransferStayingCourseSchema(TransferCourseSchema):
    reason = fields.String(metadata={"description": "key of non_transferable in transfer_out.yaml"})
    reason_label = fields.String(metadata={"description": "why the course does not transfer"})


class TransferConditionSchema(Schema):
    id = fields.String()
    label = fields.String()
    met = fields.Boolean()
    detail = fields.String()


class TransferWindowSchema(Schema):
    business = fields.String()
    label = fields.String(metadata={"description": "已开放 | 未开放"})
    open = fields.Boolean()
    round = fields.String(allow_none=True)
    opens = fields.String(allow_none=True)
    closes = fields.String(allow_none=True)


class TransferPrecheckSchema(Schema):
    window = fields.Nested(TransferWindowSchema)
    allowed = fields.Boolean()
    conditions = fields.List(fields.Nested(TransferConditionSchema))
    unmet = fields.List(fields.String())
    transferable = fields.List(fields.Nested(TransferCourseSchema))
    non_transferable = fields.List(fields.Nested(TransferStayingCourseSchema))


class TransferOutSchema(Schema):
    """山西省高等教育自学考试省际转出申请信息详情."""

    id = fields.Integer()
    type = fields.String(metadata={"description": "类型: 省际转出"})
    exam_number = fields.String()
    name = fields.String()
    id_number = fields.String(metadata={"description": "masked"})
    round = fields.String()
    district = fields.String()
    city = fields.String(metadata={"description": "所属地市: where the candidate confirms on site"})
    created_at = fields.String(metadata={"description": "申请时间"})
    reason = fields.String(metadata={"description": "转出原因"})
    reason_note = fields.String(allow_none=True)
    target_province = fields.String(metadata={"description": "转入省"})
    target_exam_number = fields.String(metadata={"description": "转入准考证"})
    state = fields.String()
    state_label = fields.String()
    allowed = fields.List(fields.String(), metadata={"description": "actions the caller may take now"})
    rejection_reason = fields.String(allow_none=True)
    hint = fields.String(allow_none=True)
    transferable = fields.List(fields.Nested(TransferCourseSchema))
    non_transferable = fields.List(fields.Nested(TransferStayingCourseSchema))
    updated_at = fields.String()


class TransferOutListItemSchema(Schema):
    id = fields.Integer()
    type = fields.String()
    exam_number = fields.String()
    name = fields.String()
    id_number = fields.String(metadata={"description": "masked"})
    round = fields.String()
    district = fields.String()
    city = fields.String()
    target_province = fields.String()
    reason = fields.String()
    state = fields.String()
    state_label = fields.String()
    created_at = fields.String()
    updated_at = fields.String()


TransferOutListSchema = page_schema(TransferOutListItemSchema, "TransferOutListSchema")


class TransferEventSchema(EventSchema):
    """Named apart so the OpenAPI document keeps its component."""


class TransferRulesSchema(Schema):
    provinces = fields.List(fields.Dict())
    reasons = fields.List(fields.Dict())
    target_exam_number = fields.Dict()
    conditions = fields.List(fields.Dict())
    non_transferable = fields.Dict()
    window = fields.Nested(TransferWindowSchema)
