"""Races against a real gunicorn (2 workers x 4 threads): exactly one of two simultaneous actions wins, the other is 409."""
from __future__ import annotations

import threading

import pytest
from support.applications import (
    COUNTY,
    DISTRICT,
    ELIGIBLE,
    GRADUATION_OPEN,
    Driver,
    portal,
    prepare,
)
from support.live_server import LiveServer

from service.payments.providers import DEV_SANDBOX_SECRET, SandboxProvider
from service.store.db import connect
from service.web import auth

SANDBOX = SandboxProvider("alipay", DEV_SANDBOX_SECRET)
SECOND_OFFICER = "demo-county-xiaodian-2"


def at_once(*calls):
    """Run the calls in threads released together; their results in call order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.fixture
def live(app, client):
    """The demo workflow on the app's database, a second 小店区 officer, and a server on those files."""
    prepare(app)
    db = connect(app.config["DATABASE"])
    auth.add_credential(db, "county", "小店区招办 张老师", DISTRICT, token=SECOND_OFFICER)
    db.conn.close()
    server = LiveServer(app.config["DATABASE"], app.config["BLOB_DIR"], env={"SXZK_NOW": GRADUATION_OPEN}).start()
    yield Driver(client), server
    server.stop()


@pytest.mark.slow
def test_two_county_officers_deciding_one_application_at_once_one_wins_one_409(live, app):
    drive, server = live
    app_id = drive.awaiting_county()
    drive.verify(app_id)
    path = f"/v1/applications/{app_id}/decision"
    results = at_once(
        lambda: server.request("POST", path, {"decision": "approve", "reason": None}, COUNTY),
        lambda: server.request("POST", path, {"decision": "reject", "reason": "照片不符合要求"},
                               {"Authorization": f"Bearer {SECOND_OFFICER}"}),
    )
    statuses = sorted(status for status, _, _ in results)
    assert statuses == [200, 409], results
    winner = next(body for status, _, body in results if status == 200)
    loser = next(body for status, _, body in results if status == 409)
    assert loser["state"] == winner["state"]  # the 409 carries the state the winner left
    db = connect(app.config["DATABASE"])
    try:
        moves = db.execute("SELECT count(*) FROM application_events WHERE application_id = ? "
                           "AND from_state = 'awaiting_county' AND to_state != 'awaiting_county'", [app_id]).fetchone()[0]
    finally:
        db.conn.close()
    assert moves == 1  # one decision recorded, not two


@pytest.mark.slow
def test_two_payment_callbacks_for_one_order_at_once_one_pays_the_other_is_a_refund_owed(live, app):
    drive, server = live
    app_id = drive.approved_by_system(ELIGIBLE)
    status, _, order = server.request("POST", f"/v1/applications/{app_id}/orders", {"provider": "alipay"},
                                      portal(ELIGIBLE))
    assert status == 201, order
    first = SANDBOX.callback(order, transaction_id="TXNRACE0001", status="SUCCESS")
    second = SANDBOX.callback(order, transaction_id="TXNRACE0002", status="SUCCESS")
    results = at_once(*(lambda cb=cb: server.request("POST", "/callbacks/payments/alipay", *cb) for cb in (first, second)))
    assert sorted((status, body["result"]) for status, _, body in results) == [(200, "paid"), (200, "refund_owed")], \
        results
    db = connect(app.config["DATABASE"])
    try:
        assert db.execute("SELECT status FROM payment_orders WHERE id = ?", [order["id"]]).fetchone()[0] == "paid"
        assert db.execute("SELECT count(*) FROM application_events WHERE application_id = ? AND to_state = 'paid'",
                          [app_id]).fetchone()[0] == 1
        assert db.execute("SELECT count(*) FROM payment_callbacks WHERE order_id = ?", [order["id"]]).fetchone()[0] == 2
        assert db.execute("SELECT reason, status FROM payment_refunds WHERE order_id = ?",
                          [order["id"]]).fetchall() == [("already_paid", "refund_owed")]
    finally:
        db.conn.close()
