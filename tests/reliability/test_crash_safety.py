"""SIGKILL the server in the middle of a load of evaluations and payment callbacks, restart it on the same files.

Afterwards: every request answered 2xx is stored exactly once, nothing is applied
twice (no evaluation stored twice, no order paid twice, no application moved to
``paid`` twice), the decision log's hash chain verifies, SQLite's integrity check
passes, callbacks the provider repeats after the restart are answered as replays,
and the restarted server goes on deciding.
"""
from __future__ import annotations

import copy
import http.client
import threading
import time

import pytest
from support.applications import ELIGIBLE, GRADUATION_OPEN, MISSING, Driver, portal, prepare
from support.common import auth_headers, example
from support.live_server import LiveServer

from service.payments.providers import DEV_SANDBOX_SECRET, SandboxProvider
from service.store import decision_log
from service.store.db import connect

PROVINCE = auth_headers("province")
SANDBOX = SandboxProvider("alipay", DEV_SANDBOX_SECRET)


def evaluation_body(n: int) -> dict:
    body = copy.deepcopy(example("marketing-complete"))
    body["candidate"]["exam_number"] = f"0209{n:08d}"
    return body


def approved_orders(app, client) -> list[dict]:
    """Two applications approved (one by the system, one by the county) with an unpaid alipay order each."""
    prepare(app)
    drive = Driver(client)
    orders = []
    for exam, app_id in ((ELIGIBLE, drive.approved_by_system()), (MISSING, drive.approved_by_county())):
        resp = client.post(f"/v1/applications/{app_id}/orders", json={"provider": "alipay"}, headers=portal(exam))
        assert resp.status_code == 201, resp.json
        orders.append(resp.json)
    return orders


class Load:
    """Client threads sending evaluations (each body once) and callbacks; every answer is recorded."""

    def __init__(self, server: LiveServer, callbacks: list[tuple[bytes, dict]]):
        self.server = server
        self.callbacks = callbacks
        self.acknowledged: dict[str, list[str]] = {}  # exam number -> decision ids answered 201
        self.sent: set[str] = set()
        self.callback_answers: list[tuple[int, int, dict | bytes]] = []  # (callback index, status, body)
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.counter = iter(range(10**6))

    def evaluations(self) -> None:
        while not self.stop.is_set():
            with self.lock:
                n = next(self.counter)
            body = evaluation_body(n)
            exam = body["candidate"]["exam_number"]
            with self.lock:
                self.sent.add(exam)
            try:
                status, _, answer = self.server.request("POST", "/v1/evaluations", body, PROVINCE, timeout=10)
            except (OSError, http.client.HTTPException):
                continue  # the server died under this request: unanswered, may or may not be stored
            if status == 201:
                with self.lock:
                    self.acknowledged[exam] = [d["id"] for d in answer["decisions"]]

    def pay(self) -> None:
        for i, (body, headers) in enumerate(self.callbacks):
            time.sleep(0.4)  # spread over the load: the kill may fall between callbacks
            try:
                status, _, answer = self.server.request("POST", "/callbacks/payments/alipay", body, headers, timeout=10)
            except (OSError, http.client.HTTPException):
                continue
            with self.lock:
                self.callback_answers.append((i, status, answer))

    def run_until_killed(self, seconds: float) -> None:
        threads = [threading.Thread(target=self.evaluations) for _ in range(8)] + [threading.Thread(target=self.pay)]
        for t in threads:
            t.start()
        time.sleep(seconds)
        self.server.kill()
        self.stop.set()
        for t in threads:
            t.join(30)


@pytest.mark.slow
def test_sigkill_mid_load_loses_no_acknowledged_request_and_applies_none_twice(app, client, tmp_path):
    orders = approved_orders(app, client)
    # per order: two different transactions (one must lose: 409) and the first one again (a replay)
    callbacks = []
    for k, o in enumerate(orders):
        first = SANDBOX.callback(o, transaction_id=f"TXNCRASH{k}A", status="SUCCESS")
        callbacks += [first, SANDBOX.callback(o, transaction_id=f"TXNCRASH{k}B", status="SUCCESS"), first]

    server = LiveServer(app.config["DATABASE"], app.config["BLOB_DIR"], env={"SXZK_NOW": GRADUATION_OPEN})
    server.start()
    load = Load(server, callbacks)
    try:
        load.run_until_killed(2.5)
        assert load.acknowledged, "no evaluation was answered before the kill: the test proved nothing"
        assert any(status == 200 for _, status, _ in load.callback_answers), "no callback was applied before the kill"

        server.start()  # the same database file, after SIGKILL
        db = connect(app.config["DATABASE"])
        try:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert decision_log.verify(db)["ok"]
            stored = {}
            for exam, decision_id in db.execute("SELECT exam_number, id FROM decisions WHERE exam_number LIKE '0209%'"):
                stored.setdefault(exam, []).append(decision_id)
            assert all(len(ids) == 1 for ids in stored.values()), "an evaluation was stored twice"
            for exam, ids in load.acknowledged.items():
                assert stored.get(exam) == ids, f"acknowledged evaluation {exam} lost or changed"
            assert set(stored) <= load.sent

            # every callback the provider sent is repeated after the restart, as a provider retries
            for i, (body, headers) in enumerate(callbacks):
                status, _, answer = server.request("POST", "/callbacks/payments/alipay", body, headers)
                assert status in (200, 409), answer
                acknowledged_before = [s for j, s, _ in load.callback_answers if j == i and s == 200]
                if acknowledged_before:
                    assert status == 200 and answer["replayed"] is True, (i, answer)
            for o in orders:
                paid = db.execute("SELECT status, transaction_id FROM payment_orders WHERE id = ?", [o["id"]]).fetchone()
                assert paid[0] == "paid"
                applied = db.execute("SELECT count(*) FROM payment_callbacks WHERE order_id = ? AND "
                                     "json_extract(result, '$.result') = 'paid'", [o["id"]]).fetchone()[0]
                assert applied == 1, f"order {o['id']} paid {applied} times"
                moves = db.execute("SELECT count(*) FROM application_events WHERE application_id = ? "
                                   "AND to_state = 'paid'", [o["application_id"]]).fetchone()[0]
                assert moves == 1

            # and the restarted server goes on: a new decision links to the old chain
            status, _, answer = server.request("POST", "/v1/evaluations", evaluation_body(999_999), PROVINCE)
            assert status == 201, answer
            assert decision_log.verify(db)["ok"]
        finally:
            db.conn.close()
    finally:
        server.stop()
