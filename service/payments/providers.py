"""Payment providers behind one interface, and the sandbox that runs the flow offline.

The service supports UnionPay (银联在线支付), Alipay (支付宝) and WeChat Pay (微信支付).
Each provider does three things: create an order (what the candidate's browser needs
to pay), verify a callback (is it really from the provider, and what does it say)
and query an order.  Out of the box all three are served by ``SandboxProvider``,
which signs its callbacks with HMAC-SHA256 under a shared secret so that the whole
flow, payment included, can be driven with curl; a production deployment puts an
adapter for the real gateway under the same name (``app.config["PAYMENT_PROVIDERS"]``).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass

from marshmallow import ValidationError, fields, validate

from service.errors import BadRequest, InvalidInput, Msg, Unauthorized
from service.web.schemas import SQLITE_MAX_INT, StrictSchema

PROVIDERS = {"unionpay": "银联在线支付", "alipay": "支付宝", "wechat": "微信支付"}
DEV_SANDBOX_SECRET = "sxzk-dev-sandbox-secret"  # development only; set SXZK_PAYMENT_SANDBOX_SECRET in production
NOTICE_STATUSES = ("SUCCESS", "FAILED")


@dataclass(frozen=True)
class Notice:
    """What a verified callback says."""

    provider: str
    order_id: str
    transaction_id: str
    amount_fen: int
    status: str  # SUCCESS | FAILED
    paid_at: str | None
    body_sha256: str


class PaymentProvider(ABC):
    name: str

    @abstractmethod
    def create_order(self, order: Mapping) -> dict:
        """What the candidate needs to pay ``order`` (id, amount_fen, description): URL and parameters."""

    @abstractmethod
    def verify_callback(self, headers: Mapping, body: bytes) -> Notice:
        """Authenticate a callback and read it; Unauthorized when not genuine, BadRequest/InvalidInput when malformed."""

    @abstractmethod
    def query(self, order: Mapping) -> dict:
        """The provider's view of ``order``."""

    @abstractmethod
    def issue_receipt(self, order: Mapping, notice: Notice) -> dict:
        """The 电子票据 for a paid order: ``code`` (票据代码), ``number`` (票据号码), ``check_code`` (校验码)
        and ``verify_url``, where anyone holding the receipt can verify it (电子票据查验)."""


class NoticeSchema(StrictSchema):
    """What a provider's callback reports (the OpenAPI document shows it for the callback)."""

    provider = fields.String(required=True, validate=validate.OneOf(list(PROVIDERS)))
    order_id = fields.String(required=True, validate=validate.Length(1, 64))
    transaction_id = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_-]{6,64}$"))
    amount_fen = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=SQLITE_MAX_INT))
    status = fields.String(required=True, validate=validate.OneOf(NOTICE_STATUSES))
    paid_at = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))


class SandboxProvider(PaymentProvider):
    """A provider with no gateway behind it: its callbacks are HMAC-SHA256 signed JSON.

    The signature header is ``X-Sandbox-Signature: sha256=<hex>`` over the exact body
    bytes.  The sandbox keeps no ledger of its own, so ``query`` reports the order as
    this service recorded it.
    """

    SIGNATURE_HEADER = "X-Sandbox-Signature"

    def __init__(self, name: str, secret: str):
        if name not in PROVIDERS:
            raise ValueError(f"unknown provider {name}")
        self.name = name
        self._secret = secret.encode("utf-8")

    def sign(self, body: bytes) -> str:
        return "sha256=" + hmac.new(self._secret, body, hashlib.sha256).hexdigest()

    def create_order(self, order: Mapping) -> dict:
        return {
            "provider": self.name,
            "provider_label": PROVIDERS[self.name],
            "sandbox": True,
            "pay_url": f"sandbox://{self.name}/pay/{order['id']}",
            "params": {"order_id": order["id"], "amount_fen": order["amount_fen"], "subject": order["description"]},
            "how_to_pay": f"sxzk payments sandbox-callback {order['id']}",
        }

    def callback(self, order: Mapping, *, transaction_id: str, status: str = "SUCCESS",
                 amount_fen: int | None = None, paid_at: str | None = None) -> tuple[bytes, dict]:
        """A correctly signed callback for ``order``: (body, headers)."""
        body = json.dumps({"provider": self.name, "order_id": order["id"], "transaction_id": transaction_id,
                           "amount_fen": order["amount_fen"] if amount_fen is None else amount_fen,
                           "status": status, "paid_at": paid_at},
                          ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return body, {"Content-Type": "application/json", self.SIGNATURE_HEADER: self.sign(body)}

    def verify_callback(self, headers: Mapping, body: bytes) -> Notice:
        given = headers.get(self.SIGNATURE_HEADER)
        if not given:
            raise Unauthorized(Msg("missing %(header)s header", header=self.SIGNATURE_HEADER))
        # compare_digest: the time taken must not tell a forger how much of the signature was right
        if not hmac.compare_digest(given.encode("utf-8"), self.sign(body).encode("utf-8")):
            raise Unauthorized("the callback's signature does not verify")
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise BadRequest("the callback body is not JSON") from None
        if not isinstance(data, dict):
            raise BadRequest("the callback body is not a JSON object")
        try:
            data = NoticeSchema().load(data)
        except ValidationError as exc:
            raise InvalidInput("the callback has invalid fields", fields=exc.messages) from None
        if data["provider"] != self.name:
            raise BadRequest(Msg("a %(given)s notice was sent to the %(provider)s callback", given=data["provider"],
                                 provider=self.name))
        return Notice(provider=self.name, order_id=data["order_id"], transaction_id=data["transaction_id"],
                      amount_fen=data["amount_fen"], status=data["status"], paid_at=data["paid_at"],
                      body_sha256=hashlib.sha256(body).hexdigest())

    RECEIPT_CODE = "14010126"  # 票据代码 the sandbox uses: 8 digits, as on a real 非税收入电子票据

    def issue_receipt(self, order: Mapping, notice: Notice) -> dict:
        # derived from the transaction under the secret: the same payment always has the same receipt
        digest = hmac.new(self._secret, f"receipt:{order['id']}:{notice.transaction_id}".encode(),
                          hashlib.sha256).hexdigest()
        number, check_code = f"{int(digest[:12], 16) % 10**10:010d}", digest[12:18].upper()
        return {"code": self.RECEIPT_CODE, "number": number, "check_code": check_code,
                "verify_url": f"sandbox://einvoice/verify?code={self.RECEIPT_CODE}&number={number}&check={check_code}"}

    def query(self, order: Mapping) -> dict:
        return {"provider": self.name, "sandbox": True, "order_id": order["id"], "status": order["status"],
                "transaction_id": order.get("transaction_id"), "amount_fen": order["amount_fen"]}


def sandbox_secret(config: Mapping) -> str:
    return config.get("PAYMENT_SANDBOX_SECRET") or os.environ.get("SXZK_PAYMENT_SANDBOX_SECRET") or DEV_SANDBOX_SECRET


def providers_for(config: Mapping) -> dict[str, PaymentProvider]:
    """The configured providers; by default the sandbox under every supported name."""
    configured = config.get("PAYMENT_PROVIDERS")
    if configured:
        return dict(configured)
    secret = sandbox_secret(config)
    return {name: SandboxProvider(name, secret) for name in PROVIDERS}
