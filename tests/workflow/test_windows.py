"""Windows open and closed by the clock; the clock's overrides; the strict reference data files."""
from __future__ import annotations

import shutil

import pytest
from support.candidates import AUDITOR, NOW
from support.common import ROOT

from service import clock, translations
from service.app import create_app
from service.errors import Conflict, RulesetError
from service.identity import states as identity_states
from service.reference import districts, fees, windows
from service.reference import files as reference


def at(text: str):
    return clock.parse(text)


def test_in_late_november_2026_graduation_is_open_and_practical_registration_is_not():
    now = at(NOW)
    grad = windows.state("毕业申请", now)
    assert (grad["label"], grad["open"], grad["round"]) == ("已开放", True, "2026H2")
    assert (grad["opens"], grad["closes"]) == ("2026-11-09T09:00+08:00", "2026-12-04T17:00+08:00")
    practical = windows.state("实践性环节报名", now)
    assert practical == {"business": "实践性环节报名", "label": "未开放", "open": False, "round": None,
                         "opens": None, "closes": None}
    assert windows.state("转考申请", now)["label"] == "已开放"
    assert [s["business"] for s in windows.states(now)] == list(windows.BUSINESSES)


def test_before_a_window_the_next_dates_are_shown_and_the_bounds_are_exact():
    before = windows.state("毕业申请", at("2026-11-09T08:59:59"))
    assert (before["label"], before["opens"], before["round"]) == ("未开放", "2026-11-09T09:00+08:00", "2026H2")
    assert windows.state("毕业申请", at("2026-11-09T09:00:00"))["open"] is True
    assert windows.state("毕业申请", at("2026-12-04T16:59:59"))["open"] is True
    assert windows.state("毕业申请", at("2026-12-04T17:00:00"))["open"] is False  # closes is exclusive


def test_require_open_refuses_with_the_dates_and_gives_the_round_when_open():
    with pytest.raises(Conflict) as exc:
        windows.require_open("毕业申请", at("2026-10-01T10:00"))
    assert exc.value.status == 409
    zh, en = translations.text(exc.value).split(" / ")
    assert zh == "毕业申请未开放，开放时间：2026-11-09 09:00 至 2026-12-04 17:00（北京时间）"
    assert en == exc.value.message and "is not open now" in en and "2026-11-09 09:00" in en
    assert exc.value.extra["state"] == "未开放" and exc.value.extra["window"]["closes"].startswith("2026-12-04")
    with pytest.raises(Conflict) as exc:
        windows.require_open("实践性环节报名", at(NOW))
    assert translations.text(exc.value).startswith("实践性环节报名未开放（暂无开放安排） / ")
    assert windows.round_key(windows.require_open("毕业申请", at(NOW))) == "2026H2"
    assert windows.round_key(windows.require_open("毕业申请", at("2025-11-20T10:00"))) == "2025H2"


def test_an_unknown_business_is_a_programming_error():
    with pytest.raises(ValueError):
        windows.state("补考申请", at(NOW))


def test_the_clock_follows_config_then_environment(app, monkeypatch):
    monkeypatch.setenv("SXZK_NOW", "2025-11-20T10:00:00")
    assert clock.now().isoformat() == "2025-11-20T10:00:00+08:00"  # no app: the environment
    app.config["CLOCK_NOW"] = "2026-11-22T02:00:00Z"
    with app.app_context():
        assert clock.now().isoformat() == "2026-11-22T10:00:00+08:00"  # config wins, shown in Beijing time
    monkeypatch.delenv("SXZK_NOW")
    assert clock.now().tzinfo is clock.SHANGHAI


def test_a_bad_clock_setting_stops_the_app_at_start(tmp_path):
    with pytest.raises(clock.ClockSettingError, match="CLOCK_NOW"):
        create_app({"DATABASE": str(tmp_path / "x.sqlite3"), "CLOCK_NOW": "next tuesday"})


def test_the_windows_endpoint_uses_the_clock(app, client):
    app.config["CLOCK_NOW"] = "2026-03-03T10:00"
    body = client.get("/v1/windows", headers=AUDITOR).json
    assert body["now"] == "2026-03-03T10:00:00+08:00"
    states = {b["business"]: b["label"] for b in body["businesses"]}
    assert states["理论课报名"] == "已开放" and states["实践性环节报名"] == "已开放" and states["毕业申请"] == "未开放"
    assert client.get("/v1/windows").status_code == 401


def test_the_district_list_is_complete_and_served(client):
    table = districts.table()
    assert len(table) == 117 and len({d.city for d in table.values()}) == 11
    for name in ("太原市小店区", "太原市迎泽区", "太原市古交市", "太原市娄烦县", "阳泉市城区", "晋城市城区", "晋中市太谷区"):
        assert districts.is_district(name)
    assert districts.city_of("太原市小店区") == "太原市" and table["太原市小店区"].code == "140105"
    assert not districts.is_district("小店区") and not districts.is_district(None)
    body = client.get("/v1/districts", headers=AUDITOR).json
    assert body[0]["city"] == "太原市" and body[0]["districts"][0] == {"name": "太原市小店区", "short": "小店区",
                                                                      "code": "140105"}


def test_the_fee_is_labelled_as_assumed():
    schedule = fees.schedule()
    assert schedule.assumed is True and schedule.per_application_fen > 0
    fee = fees.graduation_fee(2)
    assert fee.amount_fen == schedule.per_application_fen + 2 * schedule.per_major_fen and "2个专业" in fee.description


# --- the loader is strict --------------------------------------------------------------

@pytest.fixture
def root(tmp_path):
    shutil.copytree(ROOT / "rulesets" / "workflow", tmp_path / "rulesets" / "workflow")
    return tmp_path


def rewrite(root, name: str, old: str, new: str) -> None:
    path = root / "rulesets" / "workflow" / f"{name}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems(loader, root) -> list[str]:
    with pytest.raises(RulesetError) as exc:
        loader(str(root))
    return [str(p) for p in exc.value.problems]


def test_the_shipped_files_load(root):
    reference.check_all(str(root), more=(identity_states.table_for,))


def test_window_mistakes_are_each_named_with_file_and_line(root):
    rewrite(root, "windows", "{business: 毕业申请, round: 2026H1,", "{business: 毕业审核, round: 2026H1, colour: red,")
    rewrite(root, "windows", 'round: 2026H2, opens: "2026-11-09T09:00", closes: "2026-12-04T17:00"',
            'round: 2026H2, opens: "2026-11-09T09:00", closes: "2026-11-01T17:00"')
    rewrite(root, "windows", '{business: 理论课报名, round: 2026H2, opens: "2026-08-24T09:00"',
            '{business: 理论课报名, round: 2026H2, opens: "2026-03-01T09:00"')
    found = problems(windows.windows_for, root)
    text = "\n".join(found)
    assert "windows.yaml:" in text
    assert "business: unknown business '毕业审核'" in text and "colour: unknown key" in text
    assert "closes must be after opens" in text and "理论课报名 2026H2 overlaps 2026H1" in text


def test_a_duplicate_key_is_refused_with_its_line(root):
    rewrite(root, "districts", "    code: \"140100\"\n", "    code: \"140100\"\n    code: \"140199\"\n")
    [found] = problems(districts.table_for, root)
    assert "districts.yaml:" in found and "duplicate key 'code'" in found


def test_district_and_fee_mistakes_are_named(root):
    rewrite(root, "districts", '迎泽区: "140106"', '迎泽区: "140105"')
    rewrite(root, "fees", "per_major_fen: 2000", "per_major_fen: -5")
    assert any("code 140105 is also 太原市小店区" in p for p in problems(districts.table_for, root))
    assert any("graduation.per_major_fen" in p for p in problems(fees.schedule_for, root))


def test_an_ambiguous_identity_table_is_refused(root):
    rewrite(root, "identity_states", "{action: upload_photos, from: unverified, to: manual_review, roles: [portal], "
            "when: failed}", "{action: upload_photos, from: unverified, to: manual_review, roles: [portal, clerk]}")
    found = "\n".join(problems(identity_states.table_for, root))
    assert "roles" in found and "upload_photos from unverified has several targets" in found


def test_a_source_is_required(root):
    rewrite(root, "fees", "source:\n", "sources:\n")
    found = "\n".join(problems(fees.schedule_for, root))
    assert "sources: unknown key" in found and "source: required key is missing" in found
