"""A worker thread keeps its SQLite connection across requests; a request never leaks state into the next."""
from __future__ import annotations

import threading

from support.common import auth_headers, example

from service.store.db import get_db


def test_a_transaction_left_open_by_a_request_is_rolled_back_at_teardown(app):
    with app.test_request_context():
        db = get_db()
        db.conn.execute("BEGIN IMMEDIATE")
        db.conn.execute("INSERT INTO credentials (token_hash, role, actor, created_at, revoked) "
                        "VALUES ('x', 'auditor', 'leak', '2026-01-01', 0)")
    with app.test_request_context():
        db = get_db()
        assert not db.conn.in_transaction
        assert db.execute("SELECT count(*) FROM credentials WHERE actor = 'leak'").fetchone()[0] == 0


def test_the_same_thread_reuses_its_connection_and_other_threads_get_their_own(app):
    with app.test_request_context():
        first = get_db()
    with app.test_request_context():
        assert get_db() is first
    seen = []

    def other():
        with app.test_request_context():
            seen.append(get_db())

    t = threading.Thread(target=other)
    t.start()
    t.join()
    assert seen and seen[0] is not first


def test_a_connection_closed_by_a_request_is_replaced(app, client):
    with app.test_request_context():
        get_db().conn.close()
    resp = client.post("/v1/evaluations", json=example("marketing-complete"),
                       headers=auth_headers("province"))
    assert resp.status_code == 201


def test_a_failed_write_leaves_nothing_and_the_next_request_writes(client, db):
    body = example("marketing-complete")
    body["choices"].append({"university": "sxu", "major": "999999"})  # unknown: 404, nothing stored
    assert client.post("/v1/evaluations", json=body, headers=auth_headers("province")).status_code == 404
    assert client.post("/v1/evaluations", json=example("marketing-complete"),
                       headers=auth_headers("province")).status_code == 201
    assert db.execute("SELECT count(*) FROM decisions").fetchone()[0] == 1
