"""Signing in to the console: the credential checked as the API checks it, the cookie, CSRF, expiry, the role guard."""
from __future__ import annotations

import re

import pytest
from support.browser import csrf_token_of
from support.candidates import load as load_candidates

from service.store.db import connect
from service.web import auth


def sign_in(client, token: str):
    page = client.get("/console/sign-in")
    return client.post("/console/sign-in", data={"csrf_token": csrf_token_of(page.text), "token": token})


@pytest.fixture
def county(app, client):
    load_candidates(app, "2025-11-20T10:00:00+08:00")
    assert sign_in(client, "demo-county-xiaodian").status_code == 303
    return client


def test_a_page_without_a_session_sends_to_sign_in(client):
    resp = client.get("/console/work")
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/console/sign-in?next=/console/work")


def test_the_cookie_is_httponly_strict_and_kept_to_the_console(client):
    resp = sign_in(client, "demo-county-xiaodian")
    assert resp.status_code == 303 and resp.headers["Location"] == "/console/work"
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/console" in cookie
    assert "demo-county-xiaodian" not in cookie  # the token's hash is kept, never the token


@pytest.mark.parametrize("token, status", [("no-such-token", 401), ("demo-portal", 401), ("", 422)])
def test_a_bad_or_non_staff_credential_is_refused_in_chinese(client, token, status):
    resp = sign_in(client, token)
    assert resp.status_code == status
    assert "登录失败" in resp.text or "请输入凭证" in resp.text
    assert client.get("/console/work").status_code == 302


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(county):
    resp = county.post("/console/sign-out", data={})
    assert resp.status_code == 400 and "安全令牌" in resp.text
    assert county.get("/console/work").status_code == 200  # still signed in
    resp = county.post("/console/sign-out", data={"csrf_token": "forged"})
    assert resp.status_code == 400


def test_the_api_needs_no_csrf_token(client):
    resp = client.post("/v1/evaluations", json={}, headers={"Authorization": "Bearer demo-county-xiaodian"})
    assert resp.status_code == 422  # the body's problems, not a CSRF refusal


def test_sign_out_ends_the_session(county):
    page = county.get("/console/work")
    assert county.post("/console/sign-out", data={"csrf_token": csrf_token_of(page.text)}).status_code == 303
    assert county.get("/console/work").status_code == 302


def test_the_session_ends_after_eight_hours_on_the_services_clock(app, county):
    app.config["CLOCK_NOW"] = "2025-11-20T17:59:00+08:00"
    assert county.get("/console/work").status_code == 200
    app.config["CLOCK_NOW"] = "2025-11-20T18:00:01+08:00"
    resp = county.get("/console/work")
    assert resp.status_code == 302
    assert "8小时" in county.get(resp.headers["Location"]).text


def test_a_revoked_credential_ends_its_sessions_at_once(app, county):
    db = connect(app.config["DATABASE"])
    db.execute("UPDATE credentials SET revoked = 1 WHERE token_hash = ?", [auth.hash_token("demo-county-xiaodian")])
    db.conn.commit()
    db.conn.close()
    assert county.get("/console/work").status_code == 302


def test_a_role_without_the_page_gets_a_chinese_403(client, app):
    load_candidates(app, "2025-11-20T10:00:00+08:00")
    assert sign_in(client, "demo-auditor").status_code == 303
    resp = client.get("/console/work")
    assert resp.status_code == 403 and "无权" in resp.text


def test_pages_carry_their_own_content_security_policy(county):
    csp = county.get("/console/work").headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "default-src 'self'" in csp
    assert re.search(r"default-src 'none'", county.get("/v1/health").headers["Content-Security-Policy"])


def test_next_only_leads_within_the_console(client):
    page = client.get("/console/sign-in")
    resp = client.post("/console/sign-in?next=//evil.example/", data={"csrf_token": csrf_token_of(page.text),
                                                                      "token": "demo-province"})
    assert resp.headers["Location"] == "/console/work"


def test_the_cookie_key_is_made_once_beside_the_database_and_never_by_the_cli(tmp_path, monkeypatch):
    from service.console import api

    monkeypatch.delenv("SXZK_SECRET_KEY", raising=False)
    served = {"DATABASE": str(tmp_path / "served" / "db.sqlite3")}
    first, again = api._secret(served), api._secret(served)
    assert first == again and len(first) == 32  # every worker signs with the same key
    assert (tmp_path / "served" / "console-secret.key").stat().st_mode & 0o777 == 0o600
    api._secret({"DATABASE": str(tmp_path / "cli" / "db.sqlite3"), "MIGRATE_AT_START": False})
    assert not (tmp_path / "cli").exists()
    monkeypatch.setenv("SXZK_SECRET_KEY", "from-the-environment")
    assert api._secret(served) == "from-the-environment"
