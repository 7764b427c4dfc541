"""The province in Chromium: every district's work, the dashboard's charts and tables, the CSV downloads."""
from __future__ import annotations

import csv
import io

import pytest
from support.applications import Driver, fill
from support.browser import DESKTOP, PHONE, TOKENS, shot, sign_in
from support.candidates import ELIGIBLE, MISSING, YINGZE


@pytest.fixture(scope="module")
def applications(live_console):
    """小店区: one approved by the system, one waiting for the county; 迎泽区: one checked, not submitted."""
    driver = Driver(live_console.portal)
    approved = driver.approved_by_system(ELIGIBLE)
    waiting = driver.awaiting_county(MISSING)
    draft = driver.create(YINGZE, fill(YINGZE, district="太原市迎泽区"))["id"]
    driver.check(YINGZE, draft)
    return {"approved": approved, "waiting": waiting, "draft": draft}


def test_the_province_sees_every_district_and_filters_by_one(live_console, applications, console_page):
    page = console_page(**DESKTOP)
    sign_in(page, live_console, TOKENS["province"])
    page.click("a.stage:has-text('全部毕业申请')")
    assert page.locator("tbody tr").count() == 3
    page.select_option("#district", "太原市迎泽区")
    page.click("button:has-text('查询')")
    rows = page.locator("tbody tr")
    assert rows.count() == 1 and YINGZE in rows.first.inner_text()
    page.fill("#q", MISSING)
    page.select_option("#district", "")
    page.click("button:has-text('查询')")
    assert page.locator("tbody tr").count() == 1 and "张晓梅" in page.locator("tbody tr").first.inner_text()
    shot(page, "province-worklist")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_dashboard_draws_its_charts_and_tables(live_console, applications, console_page, viewport):
    page = console_page(**viewport)
    sign_in(page, live_console, TOKENS["province"])
    page.click("nav a:has-text('统计看板')")
    page.wait_for_url("**/console/dashboard")
    page.wait_for_load_state("load")
    for chart in ("chart-stages", "chart-majors", "chart-waiting"):
        assert page.evaluate(f"Chart.getChart('{chart}') !== undefined"), chart
    stages = page.locator("#table-stages").inner_text()
    assert "太原市小店区" in stages and "太原市迎泽区" in stages
    assert "市场营销" in page.locator("#table-majors").inner_text()
    assert "待审核" in page.locator("#table-waiting").inner_text()
    shot(page, f"dashboard-{'desktop' if viewport is DESKTOP else 'phone'}")


def test_each_table_downloads_as_csv_with_a_bom(live_console, applications, console_page):
    page = console_page(**DESKTOP)
    sign_in(page, live_console, TOKENS["province"])
    page.goto(f"{live_console.url}/console/dashboard")
    with page.expect_download() as download:
        page.click("#table-stages ~ p a, section:has(#table-stages) a:has-text('下载 CSV')")
    raw = open(download.value.path(), "rb").read()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "区县" and rows[0][-1] == "合计"
    by_district = {r[0]: r for r in rows[1:]}
    assert by_district["太原市小店区"][-1] == "2" and by_district["太原市迎泽区"][-1] == "1"
    for table in ("majors", "waiting"):
        resp = page.request.get(f"{live_console.url}/console/dashboard/{table}.csv")
        assert resp.status == 200 and resp.body().startswith(b"\xef\xbb\xbf")
        assert "attachment" in resp.headers["content-disposition"]


def test_a_county_officer_has_no_dashboard(live_console, console_page):
    page = console_page(**DESKTOP)
    sign_in(page, live_console, TOKENS["county"])
    assert page.locator("nav a:has-text('统计看板')").count() == 0
    page.goto(f"{live_console.url}/console/dashboard")
    assert "无权" in page.locator(".error").inner_text()
