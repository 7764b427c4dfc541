"""The auditors' HTTP endpoints: replay (one, a period, paged), the chain, archived versions; read-only; roles."""
from __future__ import annotations

import datetime as dt

import pytest
from support.audit import make_app, record, tamper
from support.common import auth_headers

from service import clock
from service.rules.loader import load_bundle
from service.store.db import connect
from service.tools.publishing import publish

AUDITOR = auth_headers("auditor")


@pytest.fixture
def audited(tmp_path):
    app, rules = make_app(tmp_path)
    return app, rules, record(app)


def counts(app) -> tuple[int, int]:
    db = connect(app.config["DATABASE"])
    try:
        return (db.execute("SELECT count(*) FROM decisions").fetchone()[0],
                db.execute("SELECT count(*) FROM ruleset_versions").fetchone()[0])
    finally:
        db.conn.close()


def test_replay_one_decision_and_a_period(audited):
    app, _, decisions = audited
    client = app.test_client()
    one = client.get(f"/v1/audit/replay?decision_id={decisions[0]['id']}", headers=AUDITOR)
    assert one.status_code == 200
    assert one.json["total"] == 1 and one.json["identical"] == 1 and one.json["differences"] == []
    today = clock.today()  # a Beijing day, as the service reads since/until
    period = client.get(f"/v1/audit/replay?since={today}&until={today + dt.timedelta(days=1)}",
                        headers=auth_headers("province")).json
    assert period["total"] == len(decisions) == period["identical"] and period["more"] is False
    empty = client.get("/v1/audit/replay?since=2000-01-01&until=2000-01-02", headers=AUDITOR).json
    assert empty["total"] == 0 and empty["first_seq"] is None


def test_replay_pages_through_a_period(audited):
    app, _, decisions = audited
    client = app.test_client()
    first = client.get("/v1/audit/replay?since=2000-01-01&limit=3", headers=AUDITOR).json
    assert first["total"] == 3 and first["more"] is True
    rest = client.get(f"/v1/audit/replay?since=2000-01-01&limit=3&after_seq={first['next_after_seq']}",
                      headers=AUDITOR).json
    assert rest["total"] == len(decisions) - 3 and rest["more"] is False and rest["first_seq"] > first["last_seq"]


def test_a_tampered_decision_differs_with_its_first_difference(audited):
    app, _, decisions = audited
    target = decisions[0]  # marketing-complete: 78 credits earned
    tamper(app, target["id"], '"earned":78', '"earned":79')
    body = app.test_client().get("/v1/audit/replay?since=2000-01-01", headers=AUDITOR).json
    assert body["differing"] == 1 and body["identical"] == len(decisions) - 1
    assert body["differences"] == [{"id": target["id"], "first_difference": {
        "path": "credits.earned", "recorded": 79, "replayed": 78}}]
    verify = app.test_client().get("/v1/audit/log/verify", headers=AUDITOR).json
    assert verify["ok"] is False and verify["broken_at"] == target["id"] and "altered" in verify["reason"]


def test_verify_reports_an_intact_chain(audited):
    app, _, decisions = audited
    body = app.test_client().get("/v1/audit/log/verify", headers=auth_headers("province")).json
    assert body["ok"] is True and body["checked"] == len(decisions) and len(body["head"]) == 64


def test_bad_queries_list_every_problem(audited):
    app, _, _ = audited
    client = app.test_client()
    resp = client.get("/v1/audit/replay?limit=10001&since=yesterday&decision_id=xyz&after_seq=-1&bogus=1",
                      headers=AUDITOR)
    assert resp.status_code == 422
    fields = resp.json["fields"]
    assert set(fields) == {"limit", "since", "decision_id", "after_seq", "bogus"}
    both = client.get(f"/v1/audit/replay?decision_id={'a' * 32}&since=2025-01-01", headers=AUDITOR)
    assert both.status_code == 422 and "decision_id" in both.json["fields"]
    backwards = client.get("/v1/audit/replay?since=2025-02-01&until=2025-01-01", headers=AUDITOR)
    assert backwards.status_code == 422 and "until" in backwards.json["fields"]
    assert client.get(f"/v1/audit/replay?decision_id={'a' * 32}", headers=AUDITOR).status_code == 404


def test_versions_list_and_files(audited):
    app, rules, _ = audited
    client = app.test_client()
    working = load_bundle(rules).version
    listing = client.get("/v1/audit/ruleset-versions", headers=AUDITOR).json
    assert [v["version"] for v in listing["versions"]] == [working]
    assert listing["in_force"] == {"on": clock.today().isoformat(), "version": working, "published": False}
    db = connect(app.config["DATABASE"])
    publish(db, load_bundle(rules), author="刘老师", note="as shipped", effective_from=dt.date(2025, 1, 1))
    db.conn.close()
    listing = client.get("/v1/audit/ruleset-versions", headers=auth_headers("curriculum")).json
    [v] = listing["versions"]
    assert v["published"] is True and v["author"] == "刘老师" and v["effective_from"] == "2025-01-01"
    assert listing["in_force"]["published"] is True
    one = client.get(f"/v1/audit/ruleset-versions/{working}", headers=AUDITOR).json
    assert one["version"] == working and "curricula/catalogue.yaml" in one["files"]
    assert one["files"]["curricula/plans/sxufe/630701-2021.yaml"]["min_credits"] == 70
    assert client.get(f"/v1/audit/ruleset-versions/{'0' * 64}", headers=AUDITOR).status_code == 404


def test_the_audit_endpoints_store_nothing_and_refuse_other_roles(audited):
    app, rules, decisions = audited
    client = app.test_client()
    before = counts(app)
    version = load_bundle(rules).version
    paths = [f"/v1/audit/replay?decision_id={decisions[0]['id']}", "/v1/audit/replay?since=2000-01-01",
             "/v1/audit/log/verify", "/v1/audit/ruleset-versions", f"/v1/audit/ruleset-versions/{version}"]
    for path in paths:
        assert client.get(path, headers=AUDITOR).status_code == 200
        assert client.get(path, headers=auth_headers("county")).status_code == 403
        assert client.get(path, headers=auth_headers("portal", "010119100001")).status_code == 403
        assert client.get(path).status_code == 401
        assert client.post(path, headers=AUDITOR).status_code == 405
    assert client.get(paths[0], headers=auth_headers("curriculum")).status_code == 403
    assert counts(app) == before
