"""A transfer-out confirmed on site by the city office and decided by the county office; a name that is markup
shown as text; a form posted without its CSRF token refused.  In Chromium against gunicorn."""
from __future__ import annotations

import pytest
from support.browser import DESKTOP, PHONE, TOKENS, LiveConsole, shot, sign_in
from support.candidates import portal

from service.store.db import connect

TRANSFER_OPEN = "2026-01-10T10:00:00+08:00"  # the 省际转出 window of rulesets/workflow/windows.yaml
XIAODIAN = "010119100001"
MARKUP = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def live_console(tmp_path_factory):
    live = LiveConsole(tmp_path_factory.mktemp("transfer"), now=TRANSFER_OPEN).start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def transfer(live_console):
    """张晓梅 applies to transfer out, and her record's name is markup (as an old import could have left it)."""
    body = {"target_province": "江苏省", "reason": "工作调动", "target_exam_number": "320119200123"}
    created = live_console.expect(live_console.portal.post("/v1/transfer-outs", json=body,
                                                           headers=portal(XIAODIAN)), 201)
    db = connect(live_console.db_path)
    db.execute("UPDATE candidates SET name = ? WHERE exam_number = ?", [MARKUP, XIAODIAN])
    db.conn.commit()
    db.conn.close()
    return created["id"]


def no_dialogs(page) -> list:
    opened = []
    page.on("dialog", lambda dialog: (opened.append(dialog.message), dialog.dismiss()))
    return opened


def test_the_city_office_confirms_and_the_name_stays_text(live_console, transfer, console_page):
    page = console_page(**PHONE)
    opened = no_dialogs(page)
    sign_in(page, live_console, TOKENS["city"])
    assert page.locator("a.stage:has-text('照片待人工审核')").count() == 0  # the city reads transfer-outs only
    page.click("a.stage:has-text('省际转出待现场确认')")
    row = page.locator(f"tr:has-text('{XIAODIAN}')")
    assert MARKUP in row.inner_text()
    row.locator("a").click()
    assert page.locator("h1").inner_text() == f"省际转出 · {MARKUP}（{XIAODIAN}）"
    assert page.locator("script:not([src])").count() == 0
    page.fill("#confirm-note", "考生本人到场，材料齐全")
    page.click("#confirm button")
    assert page.locator("#state").inner_text() == "已现场确认，待招办审核"
    assert page.locator("#decision").count() == 0  # the district office decides, not the city
    shot(page, "transfer-confirmed-phone")
    assert opened == []


def test_a_post_without_its_csrf_token_is_refused_and_changes_nothing(live_console, transfer, console_page):
    page = console_page(**DESKTOP)
    sign_in(page, live_console, TOKENS["county"])
    page.goto(f"{live_console.url}/console/transfers/{transfer}")
    before = page.locator("#state").inner_text()
    resp = page.request.post(f"{live_console.url}/console/transfers/{transfer}/decision",
                             form={"decision": "reject", "reason": "伪造的请求"})
    assert resp.status == 400 and "安全令牌" in resp.text()
    page.reload()
    assert page.locator("#state").inner_text() == before
    assert "伪造的请求" not in page.content()


def test_the_county_office_rejects_only_with_a_reason_then_approves(live_console, transfer, console_page):
    page = console_page(**DESKTOP)
    opened = no_dialogs(page)
    sign_in(page, live_console, TOKENS["county"])
    page.goto(f"{live_console.url}/console/transfers/{transfer}")
    page.click("#decision button:has-text('审核不通过')")
    error = page.locator(".error").inner_text()
    assert "提交的内容有误" in error and "原因" in error  # the table requires a reason to reject: nothing stored
    assert page.locator("#state").inner_text() == "已现场确认，待招办审核"
    shot(page, "transfer-reject-without-reason")
    page.click("#decision button:has-text('审核通过')")
    assert page.locator("#state").inner_text() == "审核通过，准予转出"
    assert MARKUP in page.locator("h1").inner_text()
    shot(page, "transfer-approved")
    assert opened == []
