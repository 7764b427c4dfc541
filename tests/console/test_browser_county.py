"""The county office's path in Chromium against gunicorn, at 1280×800 and on a 390-pixel phone:
submitted → photo review → card verification → approval → payment (sandbox) → 思想品德鉴定 → 登记表 receipt."""
from __future__ import annotations

import pytest
from support.applications import CARD_00181, Driver, fill, scan_zip
from support.browser import DESKTOP, PHONE, TOKENS, shot, sign_in
from support.candidates import MISSING, image
from support.graduation_paths import add_candidate

from service.store.db import connect


def photo_for_review(live, exam_number: str) -> int:
    """Filled with the old-plan card and its scan, checked, submitted, and a photo the machine checks refuse."""
    driver = Driver(live.portal)
    app = driver.create(exam_number, fill(exam_number, old_plan_records=[CARD_00181]))
    driver.archive(exam_number, app["id"], scan_zip())
    driver.check(exam_number, app["id"])
    driver.submit(exam_number, app["id"])
    assert driver.photo(exam_number, app["id"], image())["state"] == "photo_review"
    return app["id"]


def state_of(page) -> str:
    return page.locator("#state").inner_text()


def views_of(live, exam_number: str) -> list[tuple]:
    """(actor, role, what, ref) of the who-viewed log's rows for the candidate, oldest first."""
    db = connect(live.db_path)
    try:
        return [tuple(r) for r in db.execute("SELECT actor, role, what, ref FROM personal_data_views "
                                             "WHERE exam_number = ? ORDER BY id", [exam_number]).fetchall()]
    finally:
        db.conn.close()


def image_loaded(page, selector: str) -> bool:
    return page.eval_on_selector(selector, "img => img.complete && img.naturalWidth > 0")


@pytest.mark.parametrize("viewport, exam_number", [(DESKTOP, MISSING), (PHONE, "010119100021")],
                         ids=["desktop", "phone"])
def test_a_county_officer_takes_an_application_from_submitted_to_the_receipt(live_console, console_page, tmp_path,
                                                                            viewport, exam_number):
    live = live_console
    name = "张晓梅"
    if exam_number != MISSING:
        name = "赵小芳"
        add_candidate(live.app, tmp_path, exam_number, name, like=MISSING, order="021")
    app_id = photo_for_review(live, exam_number)
    tag = "desktop" if viewport is DESKTOP else "phone"
    page = console_page(**viewport)
    sign_in(page, live, TOKENS["county"])

    # the worklist: the photo waits for review; the search by name finds it
    page.click("a.stage:has-text('照片待人工审核')")
    page.fill("#q", name)
    page.click("button:has-text('查询')")
    row = page.locator(f"tr:has-text('{exam_number}')")
    assert row.count() == 1
    shot(page, f"{tag}-1-worklist")
    row.locator("a:has-text('办理')").click()
    assert state_of(page) == "毕业照待县区招办人工审核"
    assert image_loaded(page, "#photo img")
    # the photo and the scan the page showed are in the who-viewed log, with the officer as the actor
    seen = set(views_of(live, exam_number))
    assert {("county:小店区招办 王老师", "county", "graduation_photo", str(app_id)),
            ("county:小店区招办 王老师", "county", "scan", str(app_id))} <= seen
    shot(page, f"{tag}-2-photo-review")

    page.click("#photo button:has-text('照片审核通过')")
    assert "毕业照审核结果已保存" in page.locator(".flash").inner_text()
    assert state_of(page) == "县区招办审批中"  # the card is not verified yet: the office decides

    # approving before the card is checked is refused, in Chinese, with the state
    page.click("#decision button:has-text('审批通过')")
    assert "当前状态（县区招办审批中）不允许此操作" in page.locator(".error").inner_text()
    assert "00181" in page.locator(".error").inner_text()
    shot(page, f"{tag}-3-refused")

    # the card beside its scan, then verified: 00181 now counts and the choice is eligible
    assert image_loaded(page, ".scans img")
    assert page.locator("#choices tr.pending").count() >= 1
    page.fill("#note-1", "原件已核")
    page.click("#old-plan button:has-text('核验通过')")
    assert "核验通过" in page.locator("#old-plan").inner_text()
    assert page.locator("#choices tr.unmet, #choices tr.pending").count() == 0
    assert "符合毕业合格条件" in page.locator("#choices h3").first.inner_text()
    shot(page, f"{tag}-4-verified")

    page.click("#decision button:has-text('审批通过')")
    assert state_of(page) == "县区招办审批通过"

    # the candidate pays (sandbox) and fills in the 登记表 through the portal
    live.pay(app_id, exam_number)
    live.fill_form(app_id, exam_number)
    page.goto(f"{live.url}/console/work?stage=form")
    page.locator(f"tr:has-text('{exam_number}') a:has-text('办理')").click()
    assert state_of(page) == "已支付，待填报毕业生登记表"
    assert "已支付" in page.locator("#payment").inner_text()

    # the 登记表 cannot be received before the office records a passing 思想品德鉴定
    page.click("#registration-form button")
    assert "尚未登记思想品德鉴定" in page.locator(".error").inner_text()
    assert state_of(page) == "已支付，待填报毕业生登记表"
    page.select_option("#appraisal-result", "合格")
    page.fill("#appraisal-note", "所在单位鉴定意见已核")
    page.click("#appraisal button")
    assert "思想品德鉴定已登记" in page.locator(".flash").inner_text()
    appraisal = page.locator("#appraisal").inner_text()
    assert "合格" in appraisal and "小店区招办 王老师" in appraisal and "所在单位鉴定意见已核" in appraisal
    shot(page, f"{tag}-5-appraisal")

    page.fill("#receipt-note", "纸质登记表已收到，签字齐全")
    page.click("#registration-form button")
    assert state_of(page) == "毕业生登记表已确认"
    history = page.locator("table").last.inner_text()
    for step in ("毕业照人工审核通过", "旧计划课程核验", "招办审批通过", "缴费", "登记思想品德鉴定", "确认收到纸质登记表"):
        assert step in history
    shot(page, f"{tag}-6-received")
