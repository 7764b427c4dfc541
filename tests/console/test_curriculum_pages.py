"""Curriculum staff's pages in Chromium against gunicorn: a plan as the official table, the versions and
their differences after a reload, a what-if of edited working files with its flips and chart, and
working files that do not load."""
from __future__ import annotations

import pytest
from support.audit import record
from support.browser import DESKTOP, PHONE, TOKENS, LiveConsole, shot, sign_in
from support.tools import copy_tree, edit

MARKETING = "curricula/plans/sxufe/630701-2021.yaml"
CURRICULUM = {"Authorization": f"Bearer {TOKENS['curriculum']}"}


@pytest.fixture(scope="module")
def curriculum(tmp_path_factory):
    """A console serving a copy of the rules (which the tests edit) with four stored decisions."""
    folder = tmp_path_factory.mktemp("curriculum")
    rules = copy_tree(folder)
    live = LiveConsole(folder)
    live.server.env["SXZK_RULES_ROOT"] = str(rules)
    decisions = record(live.app)
    live.start()
    yield live, rules, decisions
    live.stop()


def test_a_plan_is_shown_as_the_official_table(curriculum, console_page):
    live, _, _ = curriculum
    page = console_page(**DESKTOP)
    sign_in(page, live, TOKENS["curriculum"])
    assert page.url.endswith("/console/curriculum/plans")
    shot(page, "curriculum-plans")
    page.click("a[href$='/curriculum/plans/sxufe/120203K/2017']")
    page.wait_for_load_state()
    headers = page.locator("table.plan thead th").all_inner_texts()
    assert headers == ["课程代码", "课程名称", "学分", "类型", "组", "论文", "来源"]
    rows = page.locator("table.plan tbody tr")
    assert rows.count() == 16  # 13 required, a pick-one group of two, the thesis
    thesis = rows.last.inner_text()
    assert "10199" in thesis and "是" in thesis
    assert "任选" in page.locator("table.plan").inner_text()
    assert "最低学分：67" in page.locator(".plan-meta").inner_text()
    assert "shared/reference/plans.yaml" in page.locator(".source").inner_text()
    forms = page.eval_on_selector_all("form", "fs => fs.filter(f => f.method === 'post').length")
    assert forms == 1  # signing out: the pages change nothing
    shot(page, "curriculum-plan-table")


def test_versions_differences_and_what_if_after_an_edit(curriculum, console_page):
    live, rules, decisions = curriculum
    page = console_page(**DESKTOP)
    sign_in(page, live, TOKENS["curriculum"])
    page.goto(f"{live.url}/console/curriculum/what-if")
    assert "不改变任何已存结论" in page.locator("main").inner_text()

    # the officer drops 00181 from 市场营销 in the working files: the candidate who failed it would graduate
    edit(rules / MARKETING, '"00181", ', "")
    page.goto(f"{live.url}/console/curriculum/what-if")
    meta = page.locator(".plan-meta").inner_text()
    assert "符合 ↔ 不符合：1" in meta
    flip = page.locator("tr.kind-flip")
    assert flip.count() == 1
    assert "010119100001" in flip.inner_text() and "不符合" in flip.inner_text() and "符合" in flip.inner_text()
    page.wait_for_function("() => Chart.getChart(document.getElementById('whatif-chart')) !== undefined")
    drawn = page.evaluate("""() => { const c = Chart.getChart(document.getElementById('whatif-chart'));
        return {labels: c.data.labels, sets: c.data.datasets.map(d => [d.label, d.data])}; }""")
    assert drawn["labels"] == ["山西财经大学 630701 市场营销"] and drawn["sets"] == [["转为符合", [1]]]
    shot(page, "curriculum-what-if")
    phone = console_page(**PHONE)
    sign_in(phone, live, TOKENS["curriculum"])
    phone.goto(f"{live.url}/console/curriculum/what-if")
    phone.wait_for_function("() => Chart.getChart(document.getElementById('whatif-chart')) !== undefined")
    assert phone.evaluate("Chart.getChart(document.getElementById('whatif-chart')).options.indexAxis") == "y"
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "curriculum-what-if-phone")

    # reloaded, the edit is a second version, compared with the one the decisions were made under
    status, _, body = live.server.request("POST", "/v1/rules/reload", headers=CURRICULUM)
    assert status == 200
    page.click("nav.nav >> text=规则版本")
    page.wait_for_load_state()
    assert page.locator("table tbody tr").count() == 2
    page.select_option("#old", decisions[0]["ruleset_version"])
    page.select_option("#new", body["version"])
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    changes = page.locator("section.changes").inner_text()
    assert "630701" in changes and "00181" in changes and "removed" in changes
    shot(page, "curriculum-versions")
    page.goto(f"{live.url}/console/curriculum/versions?old=nonsense")
    assert "没有这个规则版本" in page.locator(".error").inner_text()


def test_working_files_that_do_not_load_are_listed_on_a_phone(curriculum, console_page):
    live, rules, _ = curriculum
    edit(rules / MARKETING, "min_credits: 70", "min_credits: [70]")
    try:
        page = console_page(**PHONE)
        sign_in(page, live, TOKENS["curriculum"])
        response = page.goto(f"{live.url}/console/curriculum/what-if")
        assert response.status == 422
        problems = page.locator(".error").inner_text()
        assert "工作文件有误" in problems and "630701-2021.yaml" in problems and "min_credits" in problems
        shot(page, "curriculum-what-if-broken-phone")
        page.goto(f"{live.url}/console/curriculum/plans/sxufe/630701/2021")
        assert page.locator("table.plan tbody tr").count() >= 17
        shot(page, "curriculum-plan-phone")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        edit(rules / MARKETING, "min_credits: [70]", "min_credits: 70")


def test_other_roles_cannot_open_the_curriculum_pages(curriculum, console_page):
    live, _, _ = curriculum
    page = console_page(**DESKTOP)
    sign_in(page, live, TOKENS["auditor"])
    response = page.goto(f"{live.url}/console/curriculum/what-if")
    assert response.status == 403
    assert "修改预演" not in page.locator("nav.nav").inner_text()
