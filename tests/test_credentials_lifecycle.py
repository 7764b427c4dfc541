"""Credentials end: revoked or expired tokens are refused; operators list (never a token), revoke and
rotate them; the last use is written at most once an hour per token, not on every request."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from service import cli, clock
from service.store.db import connect
from service.web import auth

AT = "2026-12-02T10:00:00+08:00"


def ok(client, token: str) -> int:
    return client.get("/v1/districts", headers={"Authorization": f"Bearer {token}"}).status_code


@pytest.fixture
def sxzk(app):
    for command in cli.all_commands():
        if command.name not in cli.main.commands:
            cli.main.add_command(command)
    runner = CliRunner()
    env = {"SXZK_DATABASE": app.config["DATABASE"], "SXZK_NOW": AT}

    def run(*args):
        out = runner.invoke(cli.main, list(args), env=env)
        assert out.exit_code == 0, out.output
        return out.stdout.strip()
    return run


def listed(sxzk, actor: str) -> dict:
    [row] = [c for c in json.loads(sxzk("credentials", "list")) if c["actor"] == actor]
    return row


def test_an_expired_token_is_refused(client, db):
    now = clock.now()
    past = auth.add_credential(db, "province", "过期 测试", expires_at=now - dt.timedelta(seconds=1))
    future = auth.add_credential(db, "province", "有效 测试", expires_at=now + dt.timedelta(days=1))
    resp = client.get("/v1/districts", headers={"Authorization": f"Bearer {past}", "Accept-Language": "zh"})
    assert resp.status_code == 401 and resp.json["message"] == "凭证已过期，请申请新的凭证"
    resp = client.get("/v1/districts", headers={"Authorization": f"Bearer {past}"})
    assert resp.status_code == 401 and resp.json["message"] == "expired credentials: ask for a new token"
    assert ok(client, future) == 200
    assert ok(client, "demo-province") == 200  # loaded demo tokens have no expiry


def test_add_sets_an_expiry_and_list_never_prints_a_token(client, sxzk, monkeypatch):
    token = sxzk("credentials", "add", "--role", "auditor", "--actor", "审计 新人", "--expires-in-days", "30")
    text = sxzk("credentials", "list")
    assert token not in text and auth.hash_token(token) not in text and "demo-portal" not in text
    row = listed(sxzk, "审计 新人")
    assert set(row) == {"id", "actor", "role", "district", "created", "expires", "revoked", "last_used"}
    assert row["expires"].startswith("2027-01-01T02:00:00")  # 30 days after AT, in UTC
    assert row["revoked"] is False and row["last_used"] is None
    assert listed(sxzk, "portal-backend")["expires"] is None
    monkeypatch.setenv("SXZK_NOW", "2027-01-01T09:59:00+08:00")
    assert ok(client, token) == 200
    monkeypatch.setenv("SXZK_NOW", "2027-01-01T10:00:00+08:00")
    assert ok(client, token) == 401


def test_revoke_refuses_the_token_from_the_next_request(client, sxzk):
    assert ok(client, "demo-auditor") == 200
    ident = listed(sxzk, "审计 陈老师")["id"]
    assert json.loads(sxzk("credentials", "revoke", ident))["revoked"] is True
    assert ok(client, "demo-auditor") == 401
    assert listed(sxzk, "审计 陈老师")["revoked"] is True
    assert ok(client, "demo-province") == 200


def test_rotate_issues_a_new_token_for_the_same_holder_and_revokes_the_old(client, sxzk):
    ident = listed(sxzk, "小店区招办 王老师")["id"]
    new = sxzk("credentials", "rotate", ident, "--expires-in-days", "90")
    assert ok(client, "demo-county-xiaodian") == 401
    assert ok(client, new) == 200
    rows = [c for c in json.loads(sxzk("credentials", "list")) if c["actor"] == "小店区招办 王老师"]
    assert sorted((r["revoked"], r["district"], r["role"]) for r in rows) == [
        (False, "太原市小店区", "county"), (True, "太原市小店区", "county")]
    assert [r["expires"] for r in rows if not r["revoked"]] == ["2027-03-02T02:00:00.000000+00:00"]


def test_revoke_and_rotate_answer_a_bad_or_unknown_id(app):
    for command in cli.all_commands():
        if command.name not in cli.main.commands:
            cli.main.add_command(command)
    env = {"SXZK_DATABASE": app.config["DATABASE"]}
    for args in (["revoke", "zz"], ["revoke", "00000000"], ["rotate", "ffffffffffff"]):
        out = CliRunner().invoke(cli.main, ["credentials", *args], env=env)
        assert out.exit_code != 0


def test_last_use_is_written_at_most_hourly(app, client, monkeypatch):
    db = connect(app.config["DATABASE"])
    token = auth.add_credential(db, "province", "最近使用 测试")

    def last_used():
        return db.execute("SELECT last_used_at FROM credentials WHERE token_hash = ?",
                          [auth.hash_token(token)]).fetchone()[0]

    assert last_used() is None
    monkeypatch.setenv("SXZK_NOW", AT)
    assert ok(client, token) == 200
    first = last_used()
    assert first == "2026-12-02T02:00:00.000000+00:00"
    for minutes in (1, 30, 59):  # within the hour: no write at all
        monkeypatch.setenv("SXZK_NOW", f"2026-12-02T10:{minutes:02d}:00+08:00")
        assert ok(client, token) == 200
        assert last_used() == first
    monkeypatch.setenv("SXZK_NOW", "2026-12-02T11:00:01+08:00")
    assert ok(client, token) == 200
    assert last_used() == "2026-12-02T03:00:01.000000+00:00"
    db.conn.close()
