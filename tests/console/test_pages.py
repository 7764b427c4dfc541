"""The console's pages through Flask's test client: the same workflow calls as the API, refusals shown in
Chinese with their status and nothing stored, the access rule of the API for pages, photos and scans."""
from __future__ import annotations

import datetime as dt

import pytest
from support.applications import Driver, prepare
from support.browser import csrf_token_of
from support.candidates import YINGZE, image

from service.applications import states
from service.console import records
from service.store.db import connect
from service.web.auth import Principal


def signed_in(app, token: str):
    client = app.test_client()
    page = client.get("/console/sign-in")
    assert client.post("/console/sign-in", data={"csrf_token": csrf_token_of(page.text), "token": token}).status_code == 303
    return client


def post(client, path: str, **form):
    page = client.get("/console/work")
    return client.post(path, data={"csrf_token": csrf_token_of(page.text), **form})


@pytest.fixture
def driver(app, client):
    prepare(app)
    return Driver(client)


@pytest.fixture
def county(app):
    return signed_in(app, "demo-county-xiaodian")


def events(app, app_id: int) -> int:
    db = connect(app.config["DATABASE"])
    try:
        return db.execute("SELECT count(*) FROM application_events WHERE application_id = ?", [app_id]).fetchone()[0]
    finally:
        db.conn.close()


def test_rejecting_a_photo_without_a_reason_lists_the_field_and_stores_nothing(app, driver, county):
    app_id = driver.submitted("010119100003")
    driver.photo("010119100003", app_id, image())
    before = events(app, app_id)
    resp = post(county, f"/console/applications/{app_id}/photo-review", decision="reject", reason="  ")
    assert resp.status_code == 422
    assert "提交的内容有误" in resp.text and "原因" in resp.text
    assert events(app, app_id) == before
    resp = post(county, f"/console/applications/{app_id}/photo-review", decision="maybe")
    assert resp.status_code == 422 and "审核结果" in resp.text  # the API's schema: decision is approve or reject
    assert events(app, app_id) == before


def test_a_step_the_state_does_not_allow_is_a_409_naming_the_state_in_chinese(app, driver, county):
    app_id = driver.approved_by_system("010119100003")
    resp = post(county, f"/console/applications/{app_id}/decision", decision="approve")
    assert resp.status_code == 409
    assert "当前状态（系统审核通过）不允许此操作" in resp.text


def test_the_same_step_through_the_console_and_the_api_leaves_the_same_history(app, driver, county):
    app_id = driver.awaiting_county()
    resp = post(county, f"/console/applications/{app_id}/old-plan/1/verification", verified="true", note="原件已核")
    assert resp.status_code == 303
    history = driver.history(app_id)
    assert history[-1]["action"] == "verify_old_plan" and history[-1]["actor"] == "county:小店区招办 王老师"
    assert history[-1]["reason"] == "00181 广告学(一): 核验通过（原件已核）"


def test_another_districts_application_photo_and_scans_do_not_exist_for_a_county(app, driver):
    app_id = driver.awaiting_county()
    other = signed_in(app, "demo-county-yingze")
    for path in ("", "/photo", "/scans/0"):
        resp = other.get(f"/console/applications/{app_id}{path}")
        assert resp.status_code == 404, path
        assert "没有找到" in resp.text
    mine = signed_in(app, "demo-county-xiaodian")
    photo = mine.get(f"/console/applications/{app_id}/photo")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    scan = mine.get(f"/console/applications/{app_id}/scans/0")
    assert scan.status_code == 200 and scan.data[:3] == b"\xff\xd8\xff"
    assert mine.get(f"/console/applications/{app_id}/scans/1").status_code == 404


def test_the_worklist_counts_stages_and_finds_by_name_or_number(app, driver, county):
    waiting = driver.awaiting_county()
    page = county.get("/console/work?stage=cards")
    assert "张晓梅" in page.text
    assert county.get("/console/work?stage=applications&q=晓梅").text.count(f"/console/applications/{waiting}") == 1
    assert f"/console/applications/{waiting}" not in county.get("/console/work?stage=applications&q=李四").text
    assert "没有符合条件的记录" in county.get("/console/work?stage=applications&q=%25").text


def test_stage_counts_and_search_keep_to_the_principals_rows(app, driver):
    driver.awaiting_county()
    yingze = driver.create(YINGZE, {**_fill_yingze()})
    db = connect(app.config["DATABASE"])
    try:
        with app.app_context():
            xiaodian = {c["key"]: c["count"] for c in records.stage_counts(db, Principal("county", "x", "太原市小店区"))}
            city = {c["key"]: c["count"] for c in records.stage_counts(db, Principal("city", "x", "太原市"))}
            page = records.worklist(db, Principal("province", "x"), "applications", district="太原市迎泽区")
    finally:
        db.conn.close()
    assert xiaodian["awaiting_county"] == 1 and xiaodian["cards"] == 1 and xiaodian["applications"] == 1
    assert city["applications"] == 2
    assert [r["id"] for r in page["rows"]] == [yingze["id"]]


def _fill_yingze() -> dict:
    from support.applications import fill

    return fill(YINGZE, district="太原市迎泽区")


def test_waiting_work_is_bucketed_by_days_since_its_last_change():
    now = dt.datetime(2025, 11, 20, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert [records._age_bucket(now - dt.timedelta(days=d), now) for d in (0.5, 2, 5, 10, 30)] == \
        [label for _, label in records.AGES]


def test_the_application_page_shows_the_checklist_rows_of_the_rules_core(app, driver, county):
    app_id = driver.awaiting_county()
    page = county.get(f"/console/applications/{app_id}").text
    assert "待核验" in page and "广告学(一)" in page
    assert page.index("00181") < page.index("00009")  # the row waiting for the card comes first


def test_every_state_of_the_table_has_a_chinese_label_for_the_409():
    tbl = states.table()
    assert all(tbl.label(s) != s for s in tbl.states)


def test_the_worklist_pages_oldest_first(app, driver, county):
    first = driver.approved_by_system("010119100003")
    second = driver.awaiting_county()
    db = connect(app.config["DATABASE"])
    try:
        with app.app_context():
            who = Principal("county", "x", "太原市小店区")
            pages = [records.worklist(db, who, "applications", page=n, per_page=1) for n in (1, 2, 3)]
    finally:
        db.conn.close()
    assert [p["rows"][0]["id"] for p in pages] == [first, second, second]  # past the end: the last page
    assert pages[0]["pages"] == 2 and pages[0]["total"] == 2 and pages[2]["page"] == 2
