"""The auditors' and curriculum staff's pages without a browser: every bad filter listed by field in
Chinese (422) and nothing else shown, well-formed codes of a removed major still searchable, read-only."""
from __future__ import annotations

import re

import pytest
from support.audit import make_app, record
from support.common import TOKENS


@pytest.fixture
def pages(tmp_path):
    app, _ = make_app(tmp_path)
    return app, record(app)


def signed_in(app, role: str):
    client = app.test_client()
    html = client.get("/console/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert client.post("/console/sign-in", data={"token": TOKENS[role], "csrf_token": token}).status_code == 303
    return client


def test_every_bad_filter_is_listed_by_field_in_chinese(pages):
    app, _ = pages
    resp = signed_in(app, "auditor").get("/console/audit/decisions?day_from=2025-02-30&day_to=2025-01-01"
                                         "&exam_number=0101&major=nowhere&status=maybe&page=0")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    for label, problem in (("起始日期", "年-月-日"), ("结论", "请从列表中选择结论"), ("准考证号", "12位数字"),
                           ("专业", "没有这个专业"), ("页码", "正整数")):
        assert re.search(rf"<b>{label}</b>：[^<]*{problem}", html), label
    assert 'class="log"' not in html


def test_dates_out_of_order_are_refused(pages):
    app, _ = pages
    html = signed_in(app, "auditor").get("/console/audit/decisions?day_from=2025-02-02&day_to=2025-02-01")
    assert html.status_code == 422 and "截止日期不能早于起始日期" in html.get_data(as_text=True)


def test_a_major_the_rules_no_longer_list_can_still_be_searched_by_its_codes(pages):
    app, decisions = pages
    client = signed_in(app, "auditor")
    gone = client.get("/console/audit/decisions?major=sxufe/999999")
    assert gone.status_code == 200 and "共 0 条" in gone.get_data(as_text=True)
    listed = client.get("/console/audit/decisions?major=sxufe/630701").get_data(as_text=True)
    assert f"共 {sum(d['major'] == '630701' for d in decisions)} 条" in listed


@pytest.mark.parametrize("role, urls", [
    ("auditor", ["/console/audit/decisions", "/console/audit/decisions/{id}", "/console/audit/decisions/{id}/replay",
                 "/console/audit/chain"]),
    ("curriculum", ["/console/curriculum/plans", "/console/curriculum/plans/sxufe/630701/2021",
                    "/console/curriculum/versions", "/console/curriculum/what-if"]),
])
def test_the_pages_only_read(pages, role, urls):
    app, decisions = pages
    client = signed_in(app, role)
    for url in urls:
        resp = client.get(url.format(id=decisions[0]["id"]))
        assert resp.status_code == 200, url
        posts = re.findall(r'<form[^>]*method="post"[^>]*action="([^"]+)"', resp.get_data(as_text=True))
        assert posts == ["/console/sign-out"], url
        assert client.post(url.format(id=decisions[0]["id"])).status_code in (400, 405), url


def test_an_unknown_version_to_compare_is_listed_by_box(pages):
    app, _ = pages
    resp = signed_in(app, "curriculum").get("/console/curriculum/versions?old=nonsense&new=")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert re.search(r"<b>旧版本</b>：没有这个规则版本", html) and re.search(r"<b>新版本</b>：请选择要比较的版本", html)
