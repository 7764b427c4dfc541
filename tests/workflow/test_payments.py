"""Paying the application fee: orders only after approval, signed callbacks applied exactly once."""
from __future__ import annotations

import json
import threading

import pytest
from support.applications import AUDITOR, COUNTY, COUNTY_OTHER, ELIGIBLE, MISSING, PROVINCE, Driver, portal, prepare

from service.payments.providers import DEV_SANDBOX_SECRET, SandboxProvider
from service.reference import fees
from service.store.db import connect

SANDBOX = {name: SandboxProvider(name, DEV_SANDBOX_SECRET) for name in ("unionpay", "alipay", "wechat")}


@pytest.fixture
def drive(app, client):
    prepare(app)
    return Driver(client)


def order(drive, app_id: int, provider: str = "alipay", exam: str = ELIGIBLE, expect: int = 201) -> dict:
    resp = drive.client.post(f"/v1/applications/{app_id}/orders", json={"provider": provider}, headers=portal(exam))
    assert resp.status_code == expect, resp.json
    return resp.json


def callback(drive, o: dict, *, txn: str = "TXN0000001", provider: str | None = None, **kwargs):
    body, headers = SANDBOX[provider or o["provider"]].callback(o, transaction_id=txn, **kwargs)
    return drive.client.post(f"/callbacks/payments/{provider or o['provider']}", data=body, headers=headers)


def counts(db) -> tuple:
    return tuple(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                 for t in ("payment_orders", "payment_callbacks", "application_events"))


def test_paying_before_approval_is_409_and_stores_nothing(drive, db):
    app = drive.create(ELIGIBLE)
    resp = order(drive, app["id"], expect=409)
    assert resp["state"] == "draft" and "payment only after" in resp["message"]
    app_id = drive.awaiting_county()
    assert order(drive, app_id, exam=MISSING, expect=409)["state"] == "awaiting_county"
    assert db.execute("SELECT count(*) FROM payment_orders").fetchone()[0] == 0


def test_order_after_system_approval_has_the_fee_and_payment_parameters(drive, db):
    app_id = drive.approved_by_system()
    o = order(drive, app_id)
    fee = fees.application_fee(db, app_id)
    assert (o["status"], o["amount_fen"], o["provider"], o["provider_label"]) == ("created", fee.amount_fen,
                                                                                   "alipay", "支付宝")
    assert o["pay"]["pay_url"] == f"sandbox://alipay/pay/{o['id']}" and o["pay"]["params"]["amount_fen"] == fee.amount_fen
    assert o["amount_yuan"] == f"{fee.amount_fen // 100}.{fee.amount_fen % 100:02d}"
    again = order(drive, app_id, expect=200)
    assert again["id"] == o["id"]
    other = order(drive, app_id, provider="wechat", expect=409)
    assert other["order_id"] == o["id"]


def test_cancel_then_pay_another_way(drive):
    app_id = drive.approved_by_system()
    first = order(drive, app_id)
    resp = drive.client.post(f"/v1/orders/{first['id']}/cancel", headers=portal(ELIGIBLE))
    assert resp.status_code == 200 and resp.json["status"] == "cancelled"
    assert drive.client.post(f"/v1/orders/{first['id']}/cancel", headers=portal(ELIGIBLE)).status_code == 409
    second = order(drive, app_id, provider="unionpay")
    assert second["id"] != first["id"]
    late = callback(drive, first)
    assert late.status_code == 200 and (late.json["result"], late.json["reason"]) == ("refund_owed", "cancelled")


@pytest.mark.parametrize("provider", ["unionpay", "alipay", "wechat"])
def test_a_signed_callback_pays_the_order_and_the_application(drive, provider):
    app_id = drive.approved_by_system()
    o = order(drive, app_id, provider)
    resp = callback(drive, o)
    assert resp.status_code == 200
    assert resp.json == {"order_id": o["id"], "result": "paid", "order_status": "paid", "transaction_id": "TXN0000001",
                         "amount_fen": o["amount_fen"], "replayed": False}
    assert drive.state(app_id) == "paid"
    last = drive.history(app_id)[-1]
    assert (last["action"], last["from_state"], last["to_state"], last["actor"]) == (
        "pay", "system_approved", "paid", f"system:payment:{provider}")
    got = drive.client.get(f"/v1/orders/{o['id']}", headers=portal(ELIGIBLE)).json
    assert got["status"] == "paid" and got["transaction_id"] == "TXN0000001" and got["paid_at"]


def test_county_approved_applications_can_be_paid(drive):
    app_id = drive.approved_by_county()
    o = order(drive, app_id, exam=MISSING)
    assert callback(drive, o).status_code == 200 and drive.state(app_id) == "paid"


def test_the_same_callback_twice_charges_once(drive, db):
    app_id = drive.approved_by_system()
    o = order(drive, app_id)
    first = callback(drive, o)
    snapshot = counts(db)
    second = callback(drive, o)
    assert second.status_code == 200 and second.json == {**first.json, "replayed": True}
    assert counts(db) == snapshot
    assert [e["action"] for e in drive.history(app_id)].count("pay") == 1


def test_forged_callbacks_are_401_and_change_nothing(drive, db):
    app_id = drive.approved_by_system()
    o = order(drive, app_id)
    snapshot = counts(db)
    body, headers = SANDBOX["alipay"].callback(o, transaction_id="TXN0000001")
    forged = SandboxProvider("alipay", "guessed-secret").callback(o, transaction_id="TXN0000001")
    tampered = body.replace(b'"SUCCESS"', b'"SUCCESS" ')
    cases = [
        (forged[0], forged[1]),
        (tampered, headers),
        (body, {"Content-Type": "application/json"}),
        (body, {**headers, "X-Sandbox-Signature": headers["X-Sandbox-Signature"][:-2] + "00"}),
    ]
    for data, hdrs in cases:
        resp = drive.client.post("/callbacks/payments/alipay", data=data, headers=hdrs)
        assert resp.status_code == 401, resp.json
    assert counts(db) == snapshot and drive.state(app_id) == "system_approved"


def test_amount_provider_and_order_mismatches_are_refused(drive, db):
    app_id = drive.approved_by_system()
    o = order(drive, app_id)
    snapshot = counts(db)
    short = callback(drive, o, amount_fen=o["amount_fen"] - 1, status="FAILED")
    assert short.status_code == 422 and "amount_fen" in short.json["fields"]
    wrong_provider = callback(drive, o, provider="wechat")
    assert wrong_provider.status_code == 400
    missing = callback(drive, {**o, "id": "GA000000000000"})
    assert missing.status_code == 404
    unknown = drive.client.post("/callbacks/payments/paypal", json={})
    assert unknown.status_code == 404
    assert counts(db) == snapshot and drive.state(app_id) == "system_approved"


def test_malformed_signed_bodies_are_4xx(drive, db):
    sandbox = SANDBOX["alipay"]
    for body in (b"not json", b"[1, 2]", json.dumps({"provider": "alipay"}).encode()):
        resp = drive.client.post("/callbacks/payments/alipay", data=body,
                                 headers={"Content-Type": "application/json", "X-Sandbox-Signature": sandbox.sign(body)})
        assert resp.status_code in (400, 422), resp.json
    assert counts(db)[1] == 0


def test_a_transaction_reused_with_other_details_is_409(drive, db):
    app_id = drive.approved_by_system()
    o = order(drive, app_id)
    callback(drive, o, txn="TXN0000001")
    snapshot = counts(db)
    reused = callback(drive, o, txn="TXN0000001", amount_fen=o["amount_fen"] + 100)
    assert reused.status_code == 409 and reused.json["state"] == "conflicting_replay"
    assert counts(db) == snapshot


def test_a_failed_payment_is_recorded_and_the_order_stays_payable(drive, db):
    app_id = drive.approved_by_system()
    o = order(drive, app_id)
    failed = callback(drive, o, txn="TXNFAILED01", status="FAILED")
    assert failed.status_code == 200 and failed.json["result"] == "not_paid"
    assert drive.state(app_id) == "system_approved"
    assert callback(drive, o, txn="TXNPAID0001").json["result"] == "paid"


def test_two_simultaneous_callbacks_apply_once(app, drive, db):
    app_id = drive.approved_by_system()
    o = order(drive, app_id)
    barrier = threading.Barrier(4)
    results = []

    def deliver(txn):
        client = app.test_client()
        body, headers = SANDBOX["alipay"].callback(o, transaction_id=txn)
        barrier.wait()
        results.append(client.post("/callbacks/payments/alipay", data=body, headers=headers))

    threads = [threading.Thread(target=deliver, args=(txn,)) for txn in ("TXNSAME0001", "TXNSAME0001",
                                                                         "TXNOTHER001", "TXNOTHER002")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r.status_code == 200 for r in results)
    applied = [r for r in results if r.json["result"] == "paid" and not r.json["replayed"]]
    assert len(applied) == 1
    # the other transactions are genuine payments too: stored as refunds owed, none lost
    fresh = connect(app.config["DATABASE"], migrate_schema=False)
    assert fresh.execute("SELECT count(*) FROM payment_callbacks").fetchone()[0] == 3
    assert fresh.execute("SELECT count(*) FROM payment_refunds").fetchone()[0] == 2
    assert fresh.execute("SELECT status FROM payment_orders").fetchall() == [("paid",)]
    assert [e["action"] for e in drive.history(app_id)].count("pay") == 1
    fresh.conn.close()


def test_after_payment_no_new_order(drive):
    app_id = drive.approved_by_system()
    callback(drive, order(drive, app_id))
    assert order(drive, app_id, expect=409)["state"] == "paid"


def test_who_may_see_an_order(drive):
    app_id = drive.approved_by_system()
    o = order(drive, app_id)
    c = drive.client
    for headers, status in [(portal(ELIGIBLE), 200), (portal(MISSING), 404), (COUNTY, 200), (COUNTY_OTHER, 404),
                            (PROVINCE, 200), (AUDITOR, 200)]:
        assert c.get(f"/v1/orders/{o['id']}", headers=headers).status_code == status, headers
    assert c.get(f"/v1/orders/{o['id']}").status_code == 401
    assert [x["id"] for x in c.get(f"/v1/applications/{app_id}/orders", headers=AUDITOR).json["items"]] == [o["id"]]
    assert c.get(f"/v1/applications/{app_id}/orders", headers=COUNTY_OTHER).status_code == 404
    query = c.get(f"/v1/orders/{o['id']}/provider-status", headers=PROVINCE)
    assert query.status_code == 200 and query.json["status"] == "created"


def test_only_the_candidate_creates_or_cancels_orders(drive, db):
    app_id = drive.approved_by_system()
    for headers in (COUNTY, PROVINCE, AUDITOR):
        resp = drive.client.post(f"/v1/applications/{app_id}/orders", json={"provider": "alipay"}, headers=headers)
        assert resp.status_code == 403
    assert order(drive, app_id, exam=MISSING, expect=404)
    o = order(drive, app_id)
    for headers in (COUNTY, AUDITOR, portal(MISSING)):
        assert drive.client.post(f"/v1/orders/{o['id']}/cancel", headers=headers).status_code in (403, 404)
    assert drive.client.get(f"/v1/orders/{o['id']}", headers=PROVINCE).json["status"] == "created"


def test_unknown_provider_is_422(drive):
    app_id = drive.approved_by_system()
    resp = drive.client.post(f"/v1/applications/{app_id}/orders", json={"provider": "paypal"}, headers=portal(ELIGIBLE))
    assert resp.status_code == 422 and "provider" in resp.json["fields"]


def test_cli_prints_a_correctly_signed_callback(app, drive):
    app_id = drive.approved_by_system()
    o = order(drive, app_id, "wechat")
    result = app.test_cli_runner().invoke(args=["payments", "sandbox-callback", o["id"], "--transaction-id",
                                                "TXNCLI00001"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed["path"] == "/callbacks/payments/wechat" and "curl" in printed["curl"]
    resp = drive.client.post(printed["path"], data=printed["body"].encode(), headers=printed["headers"])
    assert resp.status_code == 200 and resp.json["result"] == "paid" and drive.state(app_id) == "paid"


def test_cli_refuses_an_unknown_order(app):
    result = app.test_cli_runner().invoke(args=["payments", "sandbox-callback", "GA404"])
    assert result.exit_code != 0
