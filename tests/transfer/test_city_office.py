"""City offices (市招办): they see the districts of their city and confirm transfer-outs on site (seed 000, 五.2)."""
from __future__ import annotations

import pytest
from support.common import auth_headers
from support.graduation_paths import COUNTY, COUNTY_OTHER, PROVINCE, expect, portal, prepare

from service.store.db import connect
from service.web import auth

TRANSFER_OPEN = "2026-01-10T10:00:00"
XIAODIAN = "010119100001"   # 张晓梅, 太原市小店区
CITY = auth_headers("city")  # 太原市招办
YUNCHENG = {"Authorization": "Bearer demo-city-yuncheng"}


@pytest.fixture
def ready(app):
    prepare(app, TRANSFER_OPEN)
    db = connect(app.config["DATABASE"])
    auth.add_credential(db, "city", "运城市招办", "运城市", token="demo-city-yuncheng")
    db.conn.close()
    return app


def apply(client):
    body = {"target_province": "江苏省", "reason": "工作调动", "target_exam_number": "320119200123"}
    return expect(client.post("/v1/transfer-outs", json=body, headers=portal(XIAODIAN)), 201)


def post(client, tid, path, headers, status=200, **payload):
    return expect(client.post(f"/v1/transfer-outs/{tid}/{path}", json=payload, headers=headers), status)


def test_the_city_office_confirms_on_site_and_the_district_office_decides(ready, client):
    tid = apply(client)["id"]
    # the 太原市 office sees its city's 小店区 applicant; 运城市's does not
    assert expect(client.get(f"/v1/transfer-outs/{tid}", headers=CITY), 200)["city"] == "太原市"
    listed = expect(client.get("/v1/transfer-outs", headers=CITY), 200)
    assert (listed["total"], [t["id"] for t in listed["items"]]) == (1, [tid])
    assert expect(client.get("/v1/transfer-outs", headers=YUNCHENG), 200) == {
        "total": 0, "limit": 50, "offset": 0, "items": []}
    expect(client.get(f"/v1/transfer-outs/{tid}", headers=YUNCHENG), 404)
    post(client, tid, "confirmation", YUNCHENG, status=404)
    # 现场确认 at the city office; 招办审核 is not the city's
    confirmed = post(client, tid, "confirmation", CITY, reason="身份证、准考证原件已核")
    assert confirmed["state"] == "confirmed_on_site"
    post(client, tid, "decision", CITY, status=403, decision="approve")
    assert post(client, tid, "decision", COUNTY, decision="approve")["state"] == "approved"
    history = expect(client.get(f"/v1/transfer-outs/{tid}/history", headers=CITY), 200)
    assert [(e["action"], e["role"]) for e in history] == [
        ("create", "portal"), ("confirm_on_site", "city"), ("approve", "county")]


def test_district_offices_keep_what_they_had(ready, client):
    tid = apply(client)["id"]
    post(client, tid, "confirmation", COUNTY_OTHER, status=404)  # 迎泽区: another district of the same city
    assert post(client, tid, "confirmation", COUNTY)["state"] == "confirmed_on_site"
    assert post(client, tid, "decision", PROVINCE, decision="approve")["state"] == "approved"


def test_the_state_table_says_who_confirms(ready, client):
    table = expect(client.get("/v1/transfer-out/states", headers=CITY), 200)
    [confirm] = [t for t in table["transitions"] if t["action"] == "confirm_on_site"]
    assert set(confirm["roles"]) == {"city", "county", "province"}
    assert all("city" not in t["roles"] for t in table["transitions"] if t["action"] in ("approve", "reject"))


def test_a_city_credential_names_a_city(app):
    from click.testing import CliRunner

    from service.cli import credentials_add

    runner = CliRunner()
    with app.app_context():
        ok = runner.invoke(credentials_add, ["--role", "city", "--actor", "大同市招办", "--district", "大同市"])
        assert ok.exit_code == 0 and len(ok.output.strip()) > 20
        bad = runner.invoke(credentials_add, ["--role", "city", "--actor", "x", "--district", "太原市小店区"])
        assert bad.exit_code != 0 and "大同市" in str(bad.exception.fields)
