"""The per-credential limit: counted per clock minute, shared by every worker, answered 429 with Retry-After."""
from __future__ import annotations

import time

import pytest
from support.common import TOKENS, auth_headers
from support.live_server import LiveServer

from service.app import create_app
from service.errors import TooManyRequests
from service.web.ratelimit import WINDOW_SECONDS, RateLimiter


def test_the_window_counts_per_credential_and_says_when_to_retry(tmp_path):
    limiter = RateLimiter(str(tmp_path / "x.sqlite3"), 3)
    start = 1_000 * WINDOW_SECONDS + 15.5  # 15.5 s into a window
    for _ in range(3):
        limiter.hit("a", now=start)
    with pytest.raises(TooManyRequests) as refused:
        limiter.hit("a", now=start + 1)
    assert refused.value.extra["retry_after"] == 44  # the window ends at +60
    limiter.hit("b", now=start + 1)  # another credential has its own count
    limiter.hit("a", now=start + WINDOW_SECONDS)  # the next window starts again at one
    rows = limiter._conn().execute("SELECT credential, window, count FROM rate_limits ORDER BY 1").fetchall()
    assert rows == [("a", 1001, 1), ("b", 1000, 1)]  # a's past window was cleared


def test_no_limit_counts_nothing(tmp_path):
    limiter = RateLimiter(str(tmp_path / "x.sqlite3"), 0)
    for _ in range(100):
        limiter.hit("a")
    assert not (tmp_path / "x.sqlite3-ratelimit").exists()


def test_over_the_limit_a_429_with_retry_after_and_the_error_body(tmp_path):
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "t.sqlite3"), "BLOB_DIR": str(tmp_path / "b"),
                      "RATE_LIMIT_PER_MINUTE": 2})
    from service.store.db import connect
    from service.web import auth

    db = connect(app.config["DATABASE"])
    auth.add_credential(db, "auditor", "审计", None, token=TOKENS["auditor"])
    db.conn.close()
    client = app.test_client()
    _wait_clear_of_a_window_edge()
    statuses = [client.get("/v1/majors", headers=auth_headers("auditor")).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    resp = client.get("/v1/majors", headers=auth_headers("auditor"))
    assert resp.status_code == 429
    assert 1 <= int(resp.headers["Retry-After"]) <= WINDOW_SECONDS
    assert resp.json["error"] == "too_many_requests" and resp.json["retry_after"] == int(resp.headers["Retry-After"])
    # unauthenticated requests are refused before they are counted; the health check is never limited
    assert client.get("/v1/majors").status_code == 401
    assert client.get("/v1/health").status_code == 200


def _wait_clear_of_a_window_edge(margin: float = 8.0) -> None:
    into = time.time() % WINDOW_SECONDS  # noqa: TID251 - the limiter's windows are real minutes
    if into > WINDOW_SECONDS - margin:
        time.sleep(WINDOW_SECONDS - into + 0.5)


@pytest.mark.slow
def test_the_limit_holds_across_gunicorn_workers(app):
    server = LiveServer(app.config["DATABASE"], app.config["BLOB_DIR"], workers=2, threads=2,
                        env={"SXZK_RATE_LIMIT_PER_MINUTE": "20"}).start()
    try:
        _wait_clear_of_a_window_edge(15)
        # a fresh connection per request: gunicorn hands them to both workers
        statuses = [server.request("GET", "/v1/majors", headers=auth_headers("auditor"))[0] for _ in range(30)]
        other = server.request("GET", "/v1/majors", headers=auth_headers("province"))[0]
        health = server.request("GET", "/v1/health")[0]
    finally:
        server.stop()
    assert statuses.count(200) == 20 and statuses.count(429) == 10, statuses
    assert statuses[:20] == [200] * 20
    assert other == 200
    assert health == 200
