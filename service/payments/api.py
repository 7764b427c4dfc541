"""HTTP for paying the application fee: orders (bearer-authenticated) and provider callbacks.

Callbacks come from the payment provider, which holds no bearer token: they are
authenticated by the provider's signature, checked in the view.  They live under
/callbacks/, outside the /v1/ tree whose every call the app authenticates by token.
"""
from __future__ import annotations

from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from service.applications import states
from service.errors import Msg, NotFound, echoed
from service.payments import orders as payments
from service.payments.providers import PROVIDERS, NoticeSchema, SandboxProvider, providers_for
from service.reference import fees
from service.web import auth, current
from service.web.schemas import Exact, OneOfNow, PageQuerySchema, StrictSchema, page_schema

blp = Blueprint("payments", __name__, url_prefix="/v1", description="Graduation application fee: orders and their state")
callbacks = Blueprint("payment_callbacks", __name__, url_prefix="/callbacks",
                      description="Payment provider callbacks (authenticated by the provider's signature)")

READERS = ("portal", "county", "province", "auditor")


class OrderRequestSchema(StrictSchema):
    provider = fields.String(required=True, validate=validate.OneOf(list(PROVIDERS)),
                             metadata={"description": "unionpay (银联) | alipay (支付宝) | wechat (微信支付)"})


class EReceiptSchema(Schema):
    code = fields.String(metadata={"description": "票据代码"})
    number = fields.String(metadata={"description": "票据号码"})
    check_code = fields.String(metadata={"description": "校验码"})
    verify_url = fields.String(metadata={"description": "电子票据查验: where the receipt is verified"})


# a refund owed as payments.refunds_owed lists it: texts but for the numbers
_REFUND_NUMBERS = {"id": fields.Integer(), "application_id": fields.Integer(),
                   "amount_fen": fields.Integer(metadata={"description": "the amount the provider reported as paid"})}
_REFUND_TEXTS = {"transaction_id": "the provider's transaction that was not applied",
                 "reason": " | ".join(payments.REFUND_REASONS), "status": " | ".join(payments.REFUND_STATUSES),
                 "refund_reference": "退款单号: the provider's refund reference, once paid out (null before)",
                 "refunded_by": "who recorded the refund paid (province staff)", "refunded_at": "when",
                 "refund_note": "the note given with it"}
_REFUND_NULLABLE = ("refund_reference", "refunded_by", "refunded_at", "refund_note", "provider_label")
RefundSchema = Schema.from_dict(
    {**{name: fields.String(allow_none=name in _REFUND_NULLABLE,
                            metadata={"description": _REFUND_TEXTS[name]} if name in _REFUND_TEXTS else {})
        for name in (*payments.REFUND_COLUMNS, "provider_label", "amount_yuan", "reason_label", "status_label")},
     **_REFUND_NUMBERS}, name="RefundSchema")


class RefundEventSchema(Schema):
    id = fields.Integer()
    from_state = fields.String(allow_none=True)
    to_state = fields.String()
    action = fields.String(metadata={"description": "owe (the payment could not be applied) | pay_out (refunded)"})
    actor = fields.String()
    role = fields.String()
    at = fields.String()
    reason = fields.String(allow_none=True)


class RefundDetailSchema(RefundSchema):
    history = fields.List(fields.Nested(RefundEventSchema))


class PayoutSchema(StrictSchema):
    refund_reference = fields.String(required=True, validate=Exact(
        f"^{payments.REFUND_REFERENCE}$", error="退款单号: 4-64 letters, digits, - or _ (the provider's refund number)"),
        metadata={"description": "退款单号: the provider's reference of the refund paid", "example": "RF2026112000001"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=states.MAX_REASON))


class RefundQuerySchema(PageQuerySchema):
    status = fields.String(validate=OneOfNow(lambda: payments.REFUND_STATUSES, "退款状态", "refund status"))


class OrderSchema(Schema):
    id = fields.String(metadata={"description": "商户订单号"})
    application_id = fields.Integer()
    exam_number = fields.String()
    provider = fields.String()
    provider_label = fields.String()
    amount_fen = fields.Integer()
    amount_yuan = fields.String()
    description = fields.String()
    status = fields.String(metadata={"description": "created | paid | cancelled"})
    pay = fields.Dict(metadata={"description": "what the browser needs to pay: pay_url and params"})
    transaction_id = fields.String(allow_none=True)
    created_at = fields.String()
    paid_at = fields.String(allow_none=True)
    cancelled_at = fields.String(allow_none=True)
    receipt = fields.Nested(EReceiptSchema, allow_none=True, metadata={"description": "电子票据, once paid"})
    refunds = fields.List(fields.Nested(RefundSchema),
                          metadata={"description": "payments for this order that were not applied: refunds owed"})


class ProviderStatusSchema(Schema):
    """What the provider's query API says of an order (the sandbox answers from the order itself)."""

    provider = fields.String(metadata={"example": "alipay"})
    sandbox = fields.Boolean()
    order_id = fields.String()
    status = fields.String(metadata={"description": "the order's status as the provider knows it"})
    transaction_id = fields.String(allow_none=True)
    amount_fen = fields.Integer()


class CallbackResultSchema(Schema):
    order_id = fields.String()
    result = fields.String(metadata={"description": "paid | not_paid | refund_owed (stored; the money is to be "
                                                    "refunded)"})
    refund_id = fields.Integer(metadata={"description": "with refund_owed"})
    reason = fields.String(metadata={"description": "with refund_owed: " + " | ".join(payments.REFUND_REASONS)})
    order_status = fields.String()
    transaction_id = fields.String()
    amount_fen = fields.Integer()
    replayed = fields.Boolean(metadata={"description": "this callback had been applied before; nothing changed"})


def _providers():
    return providers_for(current.config())


@blp.route("/applications/<int:app_id>/orders", methods=["POST"])
@blp.arguments(OrderRequestSchema)
@blp.response(201, OrderSchema)
@auth.require("portal")
def create_order(data, app_id):
    """毕业申请支付 (七.6): an order for an approved application; the same unpaid order again is 200."""
    db = current.db()
    provider = payments.pick_provider(_providers(), data["provider"])
    fee = fees.application_fee(db, app_id)
    order, created = payments.create_order(db, app_id, provider, auth.current(), fee_fen=fee.amount_fen,
                                           description=fee.description)
    return order, 201 if created else 200


OrderListSchema = page_schema(OrderSchema, "OrderListSchema")


@blp.route("/applications/<int:app_id>/orders")
@blp.arguments(PageQuerySchema, location="query", unknown=None)  # None: the schema refuses unknown keys
@blp.response(200, OrderListSchema)
@auth.require(*READERS)
def list_orders(query, app_id):
    db = current.db()
    states.application_row(db, app_id, auth.current())
    return payments.orders_of(db, app_id, query)


RefundListSchema = page_schema(RefundSchema, "RefundListSchema")


@blp.route("/payment-refunds")
@blp.arguments(RefundQuerySchema, location="query", unknown=None)  # None: the schema refuses unknown keys
@blp.response(200, RefundListSchema)
@auth.require("province", "auditor")
def list_refunds(query):
    """待退款: genuine payments that could not be applied (already paid, cancelled, another amount)."""
    return payments.refunds_owed(current.db(), query)


@blp.route("/payment-refunds/<int:refund_id>")
@blp.response(200, RefundDetailSchema)
@auth.require("province", "auditor")
def get_refund(refund_id):
    """One refund with its history: when it became owed, and who paid it out with which reference."""
    return payments.get_refund(current.db(), refund_id)


@blp.route("/payment-refunds/<int:refund_id>/payout", methods=["POST"])
@blp.arguments(PayoutSchema)
@blp.response(200, RefundDetailSchema)
@auth.require("province")
def pay_out_refund(data, refund_id):
    """退款已支付: province staff record that the provider refunded it, with the provider's refund reference."""
    return payments.pay_out_refund(current.db(), refund_id, auth.current(), reference=data["refund_reference"],
                                   note=data["note"])


@blp.route("/orders/<string:order_id>")
@blp.response(200, OrderSchema)
@auth.require(*READERS)
def get_order(order_id):
    """订单查询: the candidate their own order; county staff their district's; province and auditors all."""
    return payments.get_order(current.db(), order_id, auth.current())


@blp.route("/orders/<string:order_id>/provider-status")
@blp.response(200, ProviderStatusSchema)
@auth.require(*READERS)
def query_order(order_id):
    """The provider's view of the order (its query API)."""
    order = payments.get_order(current.db(), order_id, auth.current())
    return payments.pick_provider(_providers(), order["provider"]).query(order)


@blp.route("/orders/<string:order_id>/cancel", methods=["POST"])
@blp.response(200, OrderSchema)
@auth.require("portal")
def cancel_order(order_id):
    """Cancel an unpaid order (to pay another way)."""
    return payments.cancel_order(current.db(), order_id, auth.current())


@callbacks.route("/payments/<string:provider>", methods=["POST"])
@callbacks.response(200, CallbackResultSchema)
# documented, not loaded: the signature is checked over the exact bytes before the body is read
@callbacks.doc(security=[], requestBody={"required": True, "content": {"application/json": {"schema": NoticeSchema}}},
               parameters=[{"in": "header", "name": SandboxProvider.SIGNATURE_HEADER, "required": True,
                            "schema": {"type": "string", "example": "sha256=<hex>"},
                            "description": "HMAC-SHA256 of the exact body with the sandbox secret"}])
def provider_callback(provider):
    """A provider reports a payment; verified by signature; the same callback twice is applied once."""
    providers = _providers()
    if provider not in providers:
        raise NotFound(Msg("no payment provider %(provider)s", provider=echoed(provider, "[a-z]{1,20}", Msg("of that name"))))
    return payments.handle_callback(current.db(), providers[provider], request.headers, request.get_data(cache=False))
