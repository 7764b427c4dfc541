"""Sign-in, sign-out and the role guard in Chromium against gunicorn."""
from __future__ import annotations

from support.browser import DESKTOP, PHONE, TOKENS, shot, sign_in


def test_sign_in_shows_the_district_and_sign_out_ends_it(live_console, console_page):
    page = console_page(**DESKTOP)
    page.goto(f"{live_console.url}/console/work")
    assert "/console/sign-in" in page.url
    assert page.locator("h1").inner_text() == "工作人员登录"
    shot(page, "sign-in")
    sign_in(page, live_console, TOKENS["county"])
    assert page.url.endswith("/console/work")
    assert "太原市小店区" in page.locator("h1").inner_text()
    shot(page, "worklist-empty")
    page.click("text=退出登录")
    page.wait_for_url("**/console/sign-in")
    page.goto(f"{live_console.url}/console/work")
    assert "/console/sign-in" in page.url


def test_a_wrong_credential_is_refused_on_a_phone(live_console, console_page):
    page = console_page(**PHONE)
    page.goto(f"{live_console.url}/console/sign-in")
    page.fill("#token", "not-a-credential")
    page.click("button[type=submit]")
    assert "登录失败" in page.locator(".error").inner_text()
    shot(page, "sign-in-refused-phone")
