"""Money is never dropped: a genuine payment the order cannot take is a refund owed; a paid order has its 电子票据."""
from __future__ import annotations

import pytest
from support.applications import AUDITOR, COUNTY, ELIGIBLE, PROVINCE, Driver, portal, prepare

from service.payments.providers import DEV_SANDBOX_SECRET, SandboxProvider

SANDBOX = SandboxProvider("alipay", DEV_SANDBOX_SECRET)


@pytest.fixture
def drive(app, client):
    prepare(app)
    return Driver(client)


def new_order(drive) -> dict:
    app_id = drive.approved_by_system()
    resp = drive.client.post(f"/v1/applications/{app_id}/orders", json={"provider": "alipay"}, headers=portal(ELIGIBLE))
    assert resp.status_code == 201, resp.json
    return resp.json


def pay(drive, o: dict, txn: str, **kwargs):
    body, headers = SANDBOX.callback(o, transaction_id=txn, **kwargs)
    return drive.client.post("/callbacks/payments/alipay", data=body, headers=headers)


def refunds(drive, headers=PROVINCE, query=""):
    resp = drive.client.get(f"/v1/payment-refunds{query}", headers=headers)
    assert resp.status_code == 200, resp.json
    return resp.json


def test_a_paid_order_carries_its_e_receipt(drive):
    o = new_order(drive)
    assert o["receipt"] is None and o["refunds"] == []
    assert pay(drive, o, "TXNPAID0001").json["result"] == "paid"
    paid = drive.client.get(f"/v1/orders/{o['id']}", headers=portal(ELIGIBLE)).json
    receipt = paid["receipt"]
    assert len(receipt["code"]) == 8 and len(receipt["number"]) == 10 and len(receipt["check_code"]) == 6
    assert receipt["number"] in receipt["verify_url"] and receipt["check_code"] in receipt["verify_url"]
    # the same payment always has the same receipt
    assert receipt == SANDBOX.issue_receipt(o, type("N", (), {"transaction_id": "TXNPAID0001"})())


def test_a_second_payment_for_a_paid_order_is_stored_as_a_refund_owed(drive):
    o = new_order(drive)
    pay(drive, o, "TXNPAID0001")
    second = pay(drive, o, "TXNPAID0002")
    assert second.status_code == 200
    assert {k: second.json[k] for k in ("result", "reason", "order_status", "transaction_id", "replayed")} == {
        "result": "refund_owed", "reason": "already_paid", "order_status": "paid", "transaction_id": "TXNPAID0002",
        "replayed": False}
    # the provider sending it again changes nothing
    again = pay(drive, o, "TXNPAID0002")
    assert again.json["replayed"] is True and again.json["refund_id"] == second.json["refund_id"]
    listed = refunds(drive)
    assert listed["total"] == 1
    [item] = listed["items"]
    assert (item["transaction_id"], item["order_id"], item["status"], item["amount_fen"]) == (
        "TXNPAID0002", o["id"], "refund_owed", o["amount_fen"])
    assert item["reason_label"].startswith("订单已支付") and item["status_label"].startswith("待退款")
    # the order query shows it to the candidate, who paid twice
    shown = drive.client.get(f"/v1/orders/{o['id']}", headers=portal(ELIGIBLE)).json
    assert shown["status"] == "paid" and [r["transaction_id"] for r in shown["refunds"]] == ["TXNPAID0002"]


def test_a_wrong_amount_and_a_cancelled_order_are_refunds_owed(drive):
    o = new_order(drive)
    wrong = pay(drive, o, "TXNWRONG001", amount_fen=o["amount_fen"] + 1)
    assert (wrong.status_code, wrong.json["reason"], wrong.json["order_status"]) == (200, "wrong_amount", "created")
    assert drive.client.post(f"/v1/orders/{o['id']}/cancel", headers=portal(ELIGIBLE)).status_code == 200
    late = pay(drive, o, "TXNLATE0001")
    assert (late.json["result"], late.json["reason"]) == ("refund_owed", "cancelled")
    listed = refunds(drive, AUDITOR, "?status=refund_owed&limit=1")
    assert listed["total"] == 2 and [r["reason"] for r in listed["items"]] == ["wrong_amount"]
    assert refunds(drive, AUDITOR, "?offset=1")["items"][0]["amount_fen"] == o["amount_fen"]


def test_only_province_staff_and_auditors_list_refunds(drive):
    assert drive.client.get("/v1/payment-refunds", headers=COUNTY).status_code == 403
    assert drive.client.get("/v1/payment-refunds", headers=portal(ELIGIBLE)).status_code == 403
    bad = drive.client.get("/v1/payment-refunds?status=refunded", headers=PROVINCE)
    assert bad.status_code == 422 and "refund_owed" in bad.json["fields"]["status"][0]
