"""Money is never dropped: a genuine payment the order cannot take is a refund owed; a paid order has its 电子票据."""
from __future__ import annotations

import json

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
    bad = drive.client.get("/v1/payment-refunds?status=returned", headers=PROVINCE)
    assert bad.status_code == 422 and "refund_owed" in bad.json["fields"]["status"][0]
    assert "refunded" in bad.json["fields"]["status"][0]


def owed_refund(drive) -> tuple[dict, dict]:
    o = new_order(drive)
    pay(drive, o, "TXNPAID0001")
    return o, pay(drive, o, "TXNPAID0002").json


def test_province_staff_record_a_refund_paid_out_and_the_order_and_history_show_it(drive):
    o, second = owed_refund(drive)
    refund_id = second["refund_id"]
    before = drive.client.get(f"/v1/payment-refunds/{refund_id}", headers=AUDITOR).json
    assert before["status"] == "refund_owed" and before["refund_reference"] is None
    assert [(e["action"], e["from_state"], e["to_state"], e["actor"], e["role"]) for e in before["history"]] == [
        ("owe", None, "refund_owed", "system:payment:alipay", "system")]
    resp = drive.client.post(f"/v1/payment-refunds/{refund_id}/payout", headers=PROVINCE,
                             json={"refund_reference": "RF2026112000001", "note": "原路退回"})
    assert resp.status_code == 200, resp.json
    paid = resp.json
    assert (paid["status"], paid["status_label"], paid["refund_reference"], paid["refund_note"]) == (
        "refunded", "已退款 / refunded", "RF2026112000001", "原路退回")
    event = paid["history"][-1]
    assert paid["refunded_by"].startswith("province:") and paid["refunded_at"] == event["at"]
    assert (event["action"], event["from_state"], event["to_state"], event["role"]) == (
        "pay_out", "refund_owed", "refunded", "province")
    assert event["reason"] == "退款单号 RF2026112000001（原路退回）" and event["actor"] == paid["refunded_by"]
    # the candidate's order query shows the refund paid, with its reference
    shown = drive.client.get(f"/v1/orders/{o['id']}", headers=portal(ELIGIBLE)).json
    assert [(r["status"], r["refund_reference"]) for r in shown["refunds"]] == [("refunded", "RF2026112000001")]
    # listed by status: nothing owed any more
    assert refunds(drive, query="?status=refund_owed")["total"] == 0
    assert [r["id"] for r in refunds(drive, query="?status=refunded")["items"]] == [refund_id]


def test_a_refund_is_paid_out_once_and_a_reference_names_one_refund(drive):
    o, second = owed_refund(drive)
    third = pay(drive, o, "TXNPAID0003").json
    url = f"/v1/payment-refunds/{second['refund_id']}/payout"
    assert drive.client.post(url, headers=PROVINCE, json={"refund_reference": "RF0001"}).status_code == 200
    again = drive.client.post(url, headers=PROVINCE, json={"refund_reference": "RF0002"})
    assert again.status_code == 409 and again.json["state"] == "refunded" and "RF0001" in again.json["message"]
    reused = drive.client.post(f"/v1/payment-refunds/{third['refund_id']}/payout", headers=PROVINCE,
                               json={"refund_reference": "RF0001"})
    assert reused.status_code == 409 and reused.json["refund_id"] == second["refund_id"]
    detail = drive.client.get(f"/v1/payment-refunds/{third['refund_id']}", headers=PROVINCE).json
    assert detail["status"] == "refund_owed" and [e["action"] for e in detail["history"]] == ["owe"]


def test_payout_bad_input_and_roles(drive):
    _, second = owed_refund(drive)
    url = f"/v1/payment-refunds/{second['refund_id']}/payout"
    bad = drive.client.post(url, headers=PROVINCE, json={"refund_reference": "退款 1", "extra": 1})
    assert bad.status_code == 422 and set(bad.json["fields"]) == {"refund_reference", "extra"}
    assert drive.client.post(url, headers=PROVINCE, json={}).json["fields"]["refund_reference"]
    for headers in (AUDITOR, COUNTY, portal(ELIGIBLE)):
        assert drive.client.post(url, headers=headers, json={"refund_reference": "RF0001"}).status_code == 403
    assert drive.client.get(f"/v1/payment-refunds/{second['refund_id']}", headers=COUNTY).status_code == 403
    assert drive.client.post("/v1/payment-refunds/999/payout", headers=PROVINCE,
                             json={"refund_reference": "RF0001"}).status_code == 404
    # nothing of the refused requests was stored
    detail = drive.client.get(f"/v1/payment-refunds/{second['refund_id']}", headers=PROVINCE).json
    assert detail["status"] == "refund_owed" and len(detail["history"]) == 1


def test_sxzk_lists_refunds_and_records_one_paid(app, drive):
    _, second = owed_refund(drive)
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["payments", "refunds", "--status", "refund_owed"])
    assert listed.exit_code == 0, listed.output
    assert [r["id"] for r in json.loads(listed.output)["items"]] == [second["refund_id"]]
    result = runner.invoke(args=["payments", "refund-paid", str(second["refund_id"]), "--reference", "RFCLI0001",
                                 "--actor", "王会计"])
    assert result.exit_code == 0, result.output
    done = json.loads(result.output)
    assert (done["status"], done["refund_reference"], done["refunded_by"]) == ("refunded", "RFCLI0001", "province:王会计")
    assert done["history"][-1]["actor"] == "province:王会计"
    bad = runner.invoke(args=["payments", "refund-paid", str(second["refund_id"]), "--reference", "x", "--actor", "a"])
    assert bad.exit_code == 2 and "--reference" in bad.output


def test_refunds_owed_before_the_payout_step_get_their_owe_event_when_it_runs(tmp_path):
    from service.store import migrations
    from service.store.db import connect, write_transaction

    step = "workflow_payments_003_refund_payouts"
    db = connect(tmp_path / "old.sqlite3", migrate_schema=False)
    for steps in migrations.sets():
        with write_transaction(db):
            steps.apply(db, stop_before=[step] if steps.name == "applications" else [])
    # a refund owed as the release before this step stored it (no history then); the rows it
    # points at are beside the point here
    db.conn.execute("PRAGMA foreign_keys = OFF")
    db["payment_refunds"].insert({"provider": "wechat", "transaction_id": "WX0001", "order_id": "GA1",
                                  "application_id": 1, "exam_number": "010119100003", "district": "太原市小店区",
                                  "amount_fen": 5000, "reason": "cancelled", "status": "refund_owed",
                                  "received_at": "2026-11-20T10:00:00+08:00"})
    db.conn.execute("PRAGMA foreign_keys = ON")
    assert migrations.migrate(db)[0] == step  # and the applications steps after it
    from service.payments import orders

    refund = orders.get_refund(db, 1)
    assert (refund["status"], refund["refund_reference"]) == ("refund_owed", None)
    assert [(e["action"], e["to_state"], e["actor"], e["role"], e["at"], e["reason"]) for e in refund["history"]] == [
        ("owe", "refund_owed", "system:payment:wechat", "system", "2026-11-20T10:00:00+08:00", "cancelled")]
