"""The console's pages through Flask's test client: the same workflow calls as the API, refusals shown in
Chinese with their status and nothing stored, the access rule of the API for pages, photos and scans."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from support.applications import Driver, prepare
from support.browser import REGISTRATION_FORM, csrf_token_of
from support.candidates import ELIGIBLE, MISSING, YINGZE, image, portal
from support.common import auth_headers
from support.graduation_paths import paid_application

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
    # the problem itself in Chinese, from the API's catalogue (the API answers the same in zh)
    assert "请说明理由" in resp.text and "say why" not in resp.text
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


def _views(app) -> list[tuple]:
    db = connect(app.config["DATABASE"])
    try:
        return [tuple(r) for r in db.execute("SELECT actor, role, what, exam_number, ref FROM personal_data_views "
                                             "ORDER BY id").fetchall()]
    finally:
        db.conn.close()


def test_the_photo_and_scans_an_application_page_shows_are_in_the_who_viewed_log_as_the_api_records_them(
        app, driver, county):
    app_id = driver.awaiting_county()
    page = county.get(f"/console/applications/{app_id}").text
    assert _views(app) == []  # the page itself serves no image: the browser asks for each next
    images = re.findall(r'<img src="([^"]+)"', page)
    assert f"/console/applications/{app_id}/photo" in images and f"/console/applications/{app_id}/scans/0" in images
    for src in images:
        assert county.get(src).status_code == 200, src
    officer = "county:小店区招办 王老师"
    assert _views(app) == [(officer, "county", "graduation_photo", MISSING, str(app_id)),
                           (officer, "county", "scan", MISSING, str(app_id))]
    # the API's download of the same photo writes the same row
    assert driver.client.get(f"/v1/applications/{app_id}/photo", headers=auth_headers("county")).status_code == 200
    assert _views(app)[-1] == (officer, "county", "graduation_photo", MISSING, str(app_id))


def test_exceptions_in_force_and_sanctions_are_on_the_application_page_and_the_rows_they_hold_link_to_them(
        app, driver, county):
    waiver = driver.client.post(f"/v1/candidates/{MISSING}/exceptions", headers=auth_headers("province"), json={
        "university": "sxufe", "major": "630701", "kind": "waive", "course": "00181",
        "reason": "原成绩记录遗失，经核查认定合格", "document_number": "晋招考院〔2025〕7号"})
    assert waiver.status_code == 201, waiver.json
    exception_id = waiver.json["id"]
    app_id = driver.approved_by_system(MISSING)  # 00181 is held by the waiver, so the system approves
    page = county.get(f"/console/applications/{app_id}").text
    assert f'id="exception-{exception_id}"' in page and "晋招考院〔2025〕7号" in page and "省考试院 赵老师" in page
    assert f'href="#exception-{exception_id}">个人例外' in page  # the checklist row held by it
    row = page[page.index(f'id="exception-{exception_id}"'):]
    assert row.index("山西财经大学 · 市场营销") < row.index("</tr>")  # the choice it is for, by name
    assert "无延迟毕业记录" in page and "登记延迟毕业" not in page  # a county office reads, the province records

    province = signed_in(app, "demo-province")
    resp = post(province, f"/console/applications/{app_id}/sanctions", reason=" ")
    assert resp.status_code == 422  # every missing field named at once, nothing stored
    banner = resp.text[resp.text.index('class="error"'):resp.text.index("</section>", resp.text.index('class="error"'))]
    assert sorted(re.findall(r"<li><b>([^<]+)</b>", banner)) == sorted(["开始日期", "结束日期", "原因", "处理决定文号"])
    assert driver.client.get(f"/v1/candidates/{MISSING}/sanctions", headers=auth_headers("province")).json == []
    resp = post(province, f"/console/applications/{app_id}/sanctions", **{
        "from": "2025-06-01", "until": "2029-06-30", "reason": "代考", "document_no": "晋招考违〔2025〕3号"})
    assert resp.status_code == 422 and "延迟毕业最长 3 年" in resp.text  # the API's schema, the typed values kept
    assert "<details open>" in resp.text and 'value="晋招考违〔2025〕3号"' in resp.text
    resp = post(province, f"/console/applications/{app_id}/sanctions", **{
        "from": "2025-06-01", "until": "2025-06-30", "reason": "代考", "document_no": "晋招考违〔2025〕3号"})
    assert resp.status_code == 303
    assert post(county, f"/console/applications/{app_id}/sanctions", **{
        "from": "2025-06-01", "until": "2025-06-30", "reason": "代考", "document_no": "晋招考违〔2025〕4号"}
    ).status_code == 403
    page = county.get(f"/console/applications/{app_id}").text
    assert "晋招考违〔2025〕3号" in page and "2025-06-01 至 2025-06-30" in page and "期满" in page
    listed = driver.client.get(f"/v1/candidates/{MISSING}/sanctions", headers=auth_headers("province")).json
    assert [(s["document_no"], s["source"], s["recorded_by"]) for s in listed] == \
        [("晋招考违〔2025〕3号", "staff", "province:省考试院 赵老师")]


def test_the_appraisal_form_takes_the_policys_levels_and_refuses_others_storing_nothing(app, driver, county):
    app_id = paid_application(driver.client)  # 王五, 太原市小店区: the county's district
    assert driver.client.put(f"/v1/applications/{app_id}/registration-form", json=REGISTRATION_FORM,
                             headers=portal(ELIGIBLE)).status_code == 200
    page = county.get(f"/console/applications/{app_id}").text
    assert re.findall(r'<option value="([^"]+)">', page) == ["合格", "不合格"]  # rulesets/shanxi/policy.yaml
    before = events(app, app_id)
    resp = post(county, f"/console/applications/{app_id}/conduct-appraisal", result="优秀")
    assert resp.status_code == 422 and "鉴定结果" in resp.text and "合格 / 不合格" in resp.text
    assert events(app, app_id) == before
    resp = post(county, f"/console/applications/{app_id}/conduct-appraisal", result="不合格", note="单位意见")
    assert resp.status_code == 303
    page = county.get(f"/console/applications/{app_id}").text
    assert "不合格" in page and "小店区招办 王老师" in page
    # the receipt is refused, naming the appraisal that does not pass
    resp = post(county, f"/console/applications/{app_id}/receipt", note="已收到")
    assert resp.status_code == 409 and "思想品德鉴定为“不合格”" in resp.text
    history = driver.history(app_id)
    assert [e["action"] for e in history][-1] == "record_appraisal"
    assert history[-1]["reason"] == "思想品德鉴定：不合格（单位意见）"


@pytest.mark.parametrize(("at", "links"), [(1, ["下一页"]), (2, ["上一页", "下一页"]), (3, ["上一页"])])
def test_page_links_keep_the_lists_filters(app, at, links):
    pager = app.jinja_env.get_template("console/_pager.html").module.pager
    with app.test_request_context():
        html = str(pager({"page": at, "pages": 3}, "console.worklist",
                         {"stage": "awaiting_county", "district": "太原市小店区", "q": None}))
    found = re.findall(r'<a href="([^"]+)">(上一页|下一页)</a>', html)
    assert [label for _, label in found] == links
    for href, label in found:
        assert "stage=awaiting_county" in href and "district=" in href and "q=" not in href
        assert f"page={at - 1 if label == '上一页' else at + 1}" in href
    assert f"第 {at} / 3 页" in html


@pytest.mark.parametrize("page", ["99999999999999999999999", "-3", "abc"])
def test_a_page_number_out_of_range_shows_a_page_not_an_error(app, county, page):
    resp = county.get(f"/console/work?page={page}")
    assert resp.status_code == 200 and "待办工作" in resp.text
