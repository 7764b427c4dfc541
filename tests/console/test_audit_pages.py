"""The auditor's pages in Chromium against gunicorn: the decision log and its filters, a decision as its
checklist, replay (identical, then a tampered row highlighted), the chain and checkpoint status; read-only."""
from __future__ import annotations

import re

import pytest
from support.audit import record, tamper
from support.browser import DESKTOP, PHONE, TOKENS, LiveConsole, shot, sign_in

from service.store import checkpoints
from service.store.db import connect, write_transaction


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    """A console with four decisions recorded and the log's head signed by a key outside the database."""
    folder = tmp_path_factory.mktemp("audit")
    keys = checkpoints.init_keys(folder / "keys" / "signing-key.pem")
    live = LiveConsole(folder)
    live.server.env["SXZK_SIGNING_KEY"] = keys["private"]
    decisions = record(live.app)
    db = connect(live.db_path)
    try:
        with write_transaction(db):
            checkpoints.make(db, checkpoints.load_private(keys["private"]), at="2025-11-20T10:00:00+08:00")
    finally:
        db.conn.close()
    live.start()
    yield live, decisions
    live.stop()


def post_forms(page) -> list[str]:
    """The actions of every form that posts: for an auditor only signing out may."""
    return page.eval_on_selector_all("form", "fs => fs.filter(f => f.method === 'post').map(f => f.action)")


def assert_read_only(page) -> None:
    assert [re.sub(r"^https?://[^/]+", "", a) for a in post_forms(page)] == ["/console/sign-out"]


def test_auditor_reads_the_log_filters_it_and_replays_a_decision(audited, console_page):
    live, decisions = audited
    page = console_page(**DESKTOP)
    sign_in(page, live, TOKENS["auditor"])
    assert page.url.endswith("/console/audit/decisions")
    assert page.locator("h2").first.inner_text() == f"共 {len(decisions)} 条"
    assert page.locator("table.log tbody tr").count() == len(decisions)
    assert_read_only(page)
    shot(page, "audit-log")

    # filters: the major and the conclusion narrow it; a bad exam number and date are listed by field
    page.select_option("#major", "sxufe/630701")
    page.select_option("#status", "not_eligible")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    rows = page.locator("table.log tbody tr")
    assert rows.count() == 1 and "不符合毕业条件" in rows.first.inner_text() and "630701" in rows.first.inner_text()
    page.goto(f"{live.url}/console/audit/decisions?exam_number=12345&day_from=2025-02-30&status=eligible")
    banner = page.locator(".error").inner_text()
    assert "准考证号为12位数字" in banner and "起始日期" in banner
    assert page.locator("table.log").count() == 0
    shot(page, "audit-log-bad-filters")

    # a decision as its checklist, then replayed under its own version: identical
    page.goto(f"{live.url}/console/audit/decisions?major=sxufe/630701&status=not_eligible")
    page.click("table.log tbody tr >> text=查看")
    page.wait_for_load_state()
    assert "不符合毕业条件" in page.locator(".headline").inner_text()
    unmet = page.locator("table.checklist tr.unmet")
    assert unmet.count() >= 1 and "00181" in unmet.first.inner_text()
    assert page.locator("table.checklist tbody tr").count() > 10  # every plan course, not only the unmet
    assert_read_only(page)
    shot(page, "audit-decision-checklist")
    page.click("text=按原规则版本重放并比对")
    page.wait_for_load_state()
    assert "完全一致" in page.locator(".outcome").inner_text()
    assert page.locator("tr.differs").count() == 0
    shot(page, "audit-replay-identical")

    page.click("nav.nav >> text=日志链与检查点")
    page.wait_for_load_state()
    outcomes = page.locator(".outcome").all_inner_texts()
    assert "哈希链完整" in outcomes[0] and f"{len(decisions)} 条" in outcomes[0]
    assert "签名均有效" in outcomes[1]
    assert_read_only(page)
    shot(page, "audit-chain-ok")


def test_a_tampered_decision_is_highlighted_and_breaks_the_chain_on_a_phone(audited, console_page):
    live, decisions = audited
    target = next(d for d in decisions if d["status"] == "eligible")
    tamper(live.app, target["id"], '"status":"eligible"', '"status":"not_eligible"')
    page = console_page(**PHONE)
    sign_in(page, live, TOKENS["auditor"])
    page.goto(f"{live.url}/console/audit/decisions/{target['id']}/replay")
    assert "不一致" in page.locator(".outcome").inner_text()
    flagged = page.locator("tr.differs")
    assert flagged.count() >= 2  # the conclusion row and its JSON path
    assert "总结论" in flagged.first.inner_text() and "不符合毕业条件" in flagged.first.inner_text()
    assert "status" in page.locator("table.paths").inner_text()
    shot(page, "audit-replay-differs-phone")
    page.goto(f"{live.url}/console/audit/chain")
    broken = page.locator(".outcome.differs").first.inner_text()
    assert "断开" in broken and target["id"] in broken
    shot(page, "audit-chain-broken-phone")
    # the page fits the phone: nothing wider than the viewport but the scrolling tables
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_other_roles_cannot_open_the_audit_pages(audited, console_page):
    live, _ = audited
    page = console_page(**DESKTOP)
    sign_in(page, live, TOKENS["county"])
    response = page.goto(f"{live.url}/console/audit/decisions")
    assert response.status == 403 and "无权" in page.locator(".error").inner_text()
    assert "决策日志" not in page.locator("nav.nav").inner_text()
