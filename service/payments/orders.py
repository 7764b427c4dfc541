"""Paying the graduation application fee (毕业申请支付, seed 002 七.6).

An order can be created only for an approved application (系统审核通过 or 招办审批通过),
for the fee in the rules (rulesets/workflow/fees.yaml).  A provider's callback is
applied once: the provider's transaction id is unique, a replay returns the result
recorded the first time, and the order is marked paid with its status compared in the
UPDATE's WHERE clause, in the same transaction as the application's move to ``paid``.
A genuine payment that cannot be applied (the order is already paid or cancelled, or
the amount differs) is never dropped: it is stored as a refund owed (``payment_refunds``),
which province staff list and the order shows, until they pay it back through the provider
and record the provider's refund reference (``pay_out_refund``); each refund has its own
history (``payment_refund_events``).  A paid order carries the 电子票据 the provider issued.
"""
from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Mapping

from service import clock, statemachine
from service.applications import states
from service.errors import BadRequest, Conflict, Forbidden, InvalidInput, Msg, NotFound, echoed
from service.payments.providers import PROVIDERS, PaymentProvider
from service.store.db import write_transaction
from service.store.paging import select_page
from service.web import auth
from service.web.schemas import page

log = logging.getLogger(__name__)

ORDER_ID = "GA[0-9]{22}"  # GA, the time to the second, 8 random digits (create_order)
ORDER_COLUMNS = ("id", "application_id", "exam_number", "district", "provider", "amount_fen", "description",
                 "status", "pay", "transaction_id", "created_at", "paid_at", "cancelled_at")
RECEIPT_COLUMNS = ("receipt_code", "receipt_number", "receipt_check_code", "receipt_verify_url")
REFUND_COLUMNS = ("id", "provider", "transaction_id", "order_id", "application_id", "exam_number", "district",
                  "amount_fen", "reason", "status", "received_at", "refund_reference", "refunded_by", "refunded_at",
                  "refund_note")
REFUND_EVENTS = "payment_refund_events"
REFUND_REFERENCE = "[A-Za-z0-9_-]{4,64}"  # the provider's refund number (退款单号)
REFUND_REASONS = {"already_paid": "订单已支付，重复付款 / the order was already paid",
                  "cancelled": "订单已取消 / the order was cancelled",
                  "wrong_amount": "支付金额与订单不符 / the amount paid differs from the order"}
REFUND_STATUSES = {"refund_owed": "待退款 / refund owed", "refunded": "已退款 / refunded"}


def _order_row(db, order_id: str) -> dict | None:
    columns = ORDER_COLUMNS + RECEIPT_COLUMNS
    row = db.execute(f"SELECT {', '.join(columns)} FROM payment_orders WHERE id = ?", [order_id]).fetchone()
    if row is None:
        return None
    out = dict(zip(columns, row, strict=True))
    out["pay"] = json.loads(out["pay"])
    receipt = {c.removeprefix("receipt_"): out.pop(c) for c in RECEIPT_COLUMNS}
    out["receipt"] = receipt if receipt["number"] else None
    out["refunds"] = [_refund(dict(zip(REFUND_COLUMNS, r, strict=True))) for r in db.execute(
        f"SELECT {', '.join(REFUND_COLUMNS)} FROM payment_refunds WHERE order_id = ? ORDER BY id", [order_id])]
    return out


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _refund(row: dict) -> dict:
    return {**row, "amount_yuan": _yuan(row["amount_fen"]), "reason_label": REFUND_REASONS[row["reason"]],
            "status_label": REFUND_STATUSES[row["status"]], "provider_label": PROVIDERS.get(row["provider"])}


def present(order: dict) -> dict:
    return {**order, "amount_yuan": _yuan(order["amount_fen"]),
            "provider_label": PROVIDERS.get(order["provider"], order["provider"])}


def refunds_owed(db, query: dict) -> dict:
    """A page of the payments to be refunded, oldest first (province staff and auditors)."""
    where, params = (["status = ?"], [query["status"]]) if query.get("status") else ([], [])
    total, rows = select_page(db, "payment_refunds", ", ".join(REFUND_COLUMNS), where, params, order="id",
                              limit=query.get("limit", 50), offset=query.get("offset", 0))
    return page(query, total, [_refund(r) for r in rows])


def _refund_row(db, refund_id: int) -> dict | None:
    row = db.execute(f"SELECT {', '.join(REFUND_COLUMNS)} FROM payment_refunds WHERE id = ?", [refund_id]).fetchone()
    return dict(zip(REFUND_COLUMNS, row, strict=True)) if row else None


def refund_history(db, refund_id: int) -> list[dict]:
    columns = ("id", *(c.split()[0] for c in statemachine.EVENT_COLUMNS))
    return statemachine.history(db, REFUND_EVENTS, columns, {"refund_id": refund_id})


def get_refund(db, refund_id: int) -> dict:
    """One refund with its history (province staff and auditors)."""
    row = _refund_row(db, refund_id)
    if row is None:
        raise NotFound(f"没有退款记录 {refund_id} / no refund {refund_id}")
    return {**_refund(row), "history": refund_history(db, refund_id)}


def pay_out_refund(db, refund_id: int, principal, *, reference: str, note: str | None) -> dict:
    """退款: province staff paid the money back through the provider; record its refund reference, who and when.

    Once only: a refund already paid out is 409 with who did it, and a reference the
    provider has already given another refund is 409 too (the same money is not recorded
    as returned twice).
    """
    if principal.role != "province":
        raise Forbidden("仅省招办可登记退款 / only province staff record a refund paid")
    note = statemachine.clean_reason(note)
    with write_transaction(db):
        row = _refund_row(db, refund_id)
        if row is None:
            raise NotFound(f"没有退款记录 {refund_id} / no refund {refund_id}")
        clash = db.execute("SELECT id FROM payment_refunds WHERE provider = ? AND refund_reference = ? AND id != ?",
                           [row["provider"], reference, refund_id]).fetchone()
        if clash is not None:
            raise Conflict(f"退款单号 {reference} 已登记于退款 {clash[0]} / refund reference {reference} is already "
                           f"recorded for refund {clash[0]}",
                           state=row["status"], refund_id=clash[0])
        now = clock.now().isoformat(timespec="seconds")
        cur = db.conn.execute("UPDATE payment_refunds SET status = 'refunded', refund_reference = ?, refunded_by = ?, "
                              "refunded_at = ?, refund_note = ? WHERE id = ? AND status = 'refund_owed'",
                              [reference, principal.label, now, note, refund_id])
        if cur.rowcount != 1:
            done = _refund_row(db, refund_id)
            raise Conflict(f"退款 {refund_id} 已退款 / refund {refund_id} was already paid out "
                           f"({done['refund_reference']}, {done['refunded_by']}, {done['refunded_at']})",
                           state=done["status"])
        statemachine.record_event(db, REFUND_EVENTS, {"refund_id": refund_id, "from_state": "refund_owed",
                                                      "to_state": "refunded", "action": "pay_out"}, principal,
                                  f"退款单号 {reference}" + (f"（{note}）" if note else ""))
    log.info("refund %s paid out (its history names who)", refund_id)
    return get_refund(db, refund_id)


def get_order(db, order_id: str, principal) -> dict:
    """The order if ``principal`` may see it (the candidate's own; county its district; province, auditor all)."""
    order = _order_row(db, order_id)
    if order is None or not states.visible(principal, order):
        raise NotFound(Msg("no order %(id)s", id=echoed(order_id, ORDER_ID, Msg("with that id"))))
    return present(order)


def orders_of(db, application_id: int, query: dict) -> dict:
    """A page of the application's orders, oldest first."""
    total, rows = select_page(db, "payment_orders", "id", ["application_id = ?"], [application_id],
                              order="created_at, id", limit=query.get("limit", 50), offset=query.get("offset", 0))
    return page(query, total, [present(_order_row(db, r["id"])) for r in rows])


def create_order(db, application_id: int, provider: PaymentProvider, principal, *, fee_fen: int,
                 description: str) -> tuple[dict, bool]:
    """An order for an approved application; (order, created).

    An unpaid order with the same provider is returned again (created False); one with
    another provider must be cancelled first (409), so the candidate cannot pay twice.
    """
    with write_transaction(db):
        row = states.application_row(db, application_id, principal)
        if principal.role != "portal":
            raise Forbidden("only the candidate, through the portal, creates a payment order")
        if row["state"] not in states.table().payable_states():
            raise states.conflict(row["state"], "pay", principal.role,
                                  "payment only after 系统审核通过 or 招办审批通过; the application is "
                                  f"{row['state']} ({states.table().label(row['state'])})")
        live = db.execute("SELECT id, provider, status FROM payment_orders WHERE application_id = ? "
                          "AND status IN ('created', 'paid')", [application_id]).fetchone()
        if live is not None:
            if live[2] == "created" and live[1] == provider.name:
                return present(_order_row(db, live[0])), False
            raise Conflict(Msg("order %(id)s (%(provider)s) is %(status)s; cancel it before paying another way",
                               id=live[0], provider=live[1], status=live[2]),
                           state=row["state"], order_id=live[0], order_status=live[2])
        now = clock.now()
        order = {"id": f"GA{now:%Y%m%d%H%M%S}{secrets.randbelow(10**8):08d}", "application_id": application_id,
                 "exam_number": row["exam_number"], "district": row["district"], "provider": provider.name,
                 "amount_fen": fee_fen, "description": description, "status": "created",
                 "created_at": now.isoformat(timespec="seconds")}
        pay = provider.create_order(order)
        db["payment_orders"].insert({**order, "pay": json.dumps(pay, ensure_ascii=False)})
    return present(_order_row(db, order["id"])), True


def cancel_order(db, order_id: str, principal) -> dict:
    with write_transaction(db):
        order = _order_row(db, order_id)
        if order is None or not states.visible(principal, order):
            raise NotFound(Msg("no order %(id)s", id=echoed(order_id, ORDER_ID, Msg("with that id"))))
        cur = db.conn.execute("UPDATE payment_orders SET status = 'cancelled', cancelled_at = ? "
                              "WHERE id = ? AND status = 'created'",
                              [clock.now().isoformat(timespec="seconds"), order_id])
        if cur.rowcount != 1:
            raise Conflict(Msg("order %(id)s is %(status)s; only an unpaid order can be cancelled", id=order_id,
                               status=order["status"]),
                           state=order["status"], allowed=[])
    return present(_order_row(db, order_id))


def handle_callback(db, provider: PaymentProvider, headers: Mapping, body: bytes) -> dict:
    """Verify and apply one provider callback; the same callback again returns the same result.

    Raises Unauthorized (forged), BadRequest / InvalidInput (malformed, wrong amount or
    provider), NotFound (no such order) or Conflict (the order was paid by another
    transaction, or cancelled) for a conflicting replay.  A genuine payment the order cannot take
    (already paid, cancelled, another amount) is stored as a refund owed and answered ``refund_owed``;
    anything else refused stores nothing.
    """
    notice = provider.verify_callback(headers, body)
    with write_transaction(db):
        seen = db.execute("SELECT order_id, amount_fen, status, result FROM payment_callbacks "
                          "WHERE provider = ? AND transaction_id = ?",
                          [notice.provider, notice.transaction_id]).fetchone()
        if seen is not None:
            if (seen[0], seen[1], seen[2]) != (notice.order_id, notice.amount_fen, notice.status):
                raise Conflict(Msg("transaction %(id)s was already reported with other details",
                                   id=notice.transaction_id),
                               state="conflicting_replay")
            return {**json.loads(seen[3]), "replayed": True}
        order = _order_row(db, notice.order_id)
        if order is None:
            raise NotFound(Msg("no order %(id)s", id=notice.order_id))
        if order["provider"] != notice.provider:
            raise BadRequest(Msg("order %(id)s is to be paid with %(provider)s, not %(given)s", id=order["id"],
                                 provider=order["provider"], given=notice.provider))
        now = clock.now().isoformat(timespec="seconds")
        if notice.amount_fen != order["amount_fen"]:
            log.warning("payment callback amount mismatch for order %s (provider %s)", order["id"], notice.provider)
            if notice.status != "SUCCESS":
                raise InvalidInput("the amount paid does not match the order",
                                   fields={"amount_fen": [Msg("the order is for %(fen)d fen", fen=order["amount_fen"])]})
            result = _refund_owed(db, order, notice, "wrong_amount", now)
        elif notice.status == "SUCCESS":
            result = _apply_payment(db, provider, order, notice, now)
        else:
            result = {"order_id": order["id"], "result": "not_paid", "order_status": order["status"],
                      "transaction_id": notice.transaction_id}
        db["payment_callbacks"].insert({
            "provider": notice.provider, "transaction_id": notice.transaction_id, "order_id": order["id"],
            "amount_fen": notice.amount_fen, "status": notice.status, "body_sha256": notice.body_sha256,
            "received_at": now, "result": json.dumps(result, ensure_ascii=False)})
    return {**result, "replayed": False}


def _refund_owed(db, order: dict, notice, reason: str, now: str) -> dict:
    refund_id = db["payment_refunds"].insert({
        "provider": notice.provider, "transaction_id": notice.transaction_id, "order_id": order["id"],
        "application_id": order["application_id"], "exam_number": order["exam_number"],
        "district": order["district"], "amount_fen": notice.amount_fen, "reason": reason, "status": "refund_owed",
        "received_at": now}).last_pk
    system = auth.Principal("system", f"payment:{notice.provider}")
    statemachine.record_event(db, REFUND_EVENTS, {"refund_id": refund_id, "from_state": None, "to_state": "refund_owed",
                                                  "action": "owe"}, system, reason)
    log.warning("payment %s for order %s not applied (%s): refund owed", refund_id, order["id"], reason)
    return {"order_id": order["id"], "result": "refund_owed", "order_status": order["status"],
            "transaction_id": notice.transaction_id, "amount_fen": notice.amount_fen, "refund_id": refund_id,
            "reason": reason}


def _apply_payment(db, provider: PaymentProvider, order: dict, notice, now: str) -> dict:
    receipt = provider.issue_receipt(order, notice)
    cur = db.conn.execute("UPDATE payment_orders SET status = 'paid', transaction_id = ?, paid_at = ?, "
                          "receipt_code = ?, receipt_number = ?, receipt_check_code = ?, receipt_verify_url = ? "
                          "WHERE id = ? AND status = 'created'",
                          [notice.transaction_id, now, receipt["code"], receipt["number"], receipt["check_code"],
                           receipt["verify_url"], order["id"]])
    if cur.rowcount != 1:
        return _refund_owed(db, order, notice, "already_paid" if order["status"] == "paid" else "cancelled", now)
    system = auth.Principal("system", f"payment:{notice.provider}")
    states.transition(db, order["application_id"], "pay", system,
                      f"订单 {order['id']} 支付成功（{PROVIDERS[notice.provider]} {notice.transaction_id}）")
    return {"order_id": order["id"], "result": "paid", "order_status": "paid",
            "transaction_id": notice.transaction_id, "amount_fen": order["amount_fen"]}


def pick_provider(providers: Mapping[str, PaymentProvider], name: str) -> PaymentProvider:
    if name not in providers:
        raise InvalidInput("unknown payment provider", fields={"provider": [Msg("one of %(allowed)s", allowed=", ".join(providers))]})
    return providers[name]
