"""check_transfer_out: each condition on its own, the course split, and the rules file."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.forms.lists import AUTONOMOUS_REGIONS, MUNICIPALITIES, PROVINCES
from service.reference.transfer_rules import CONDITIONS, load_rules
from service.rules.model import Course
from service.transfer import check as check_module
from service.transfer.check import add_months, check_transfer_out

ROOT = Path(__file__).resolve().parents[2]
RULES = load_rules(ROOT / "rulesets" / "transfer" / "transfer_out.yaml")
NOW = dt.datetime(2026, 11, 5, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
CATALOGUE = {
    "00009": Course("00009", "政治经济学(财经类)", 6, "theory"),
    "00018": Course("00018", "计算机应用基础", 2, "theory"),
    "00019": Course("00019", "计算机应用基础(实践)", 2, "practical", theory="00018", national=False),
    "00058": Course("00058", "市场营销学", 5, "theory"),
    "10199": Course("10199", "会计毕业论文", 6, "thesis", national=False),
    "15001": Course("15001", "山西地方课程", 4, "theory", national=False),
}
CANDIDATE = {"exam_number": "010119100003", "name": "王晓东"}


def rec(code, score="70", source="exam", date="2024-04-13", name=""):
    return {"code": code, "score": score, "source": source, "date": date, "name": name}


def run(records=(), candidate=CANDIDATE, history=None, now=NOW, rules=RULES):
    return check_transfer_out(candidate, list(records), CATALOGUE, rules, now, history or {"round": "2026H2"})


def condition(result, cid):
    return next(c for c in result["conditions"] if c["id"] == cid)


def test_a_national_exam_pass_transfers_and_the_rest_stay_with_reasons():
    result = run([
        rec("00009"), rec("00018", score="59"), rec("00018", score="61", date="2024-10-19"),
        rec("00019", score="80"), rec("10199", score="良好"), rec("15001"), rec("00058", "免考", "exemption"),
        rec("99999", name="外省课程"),
    ])
    assert result["allowed"] and result["unmet"] == []
    assert [(c["code"], c["score"], c["date"]) for c in result["transferable"]] == [
        ("00009", "70", "2024-04-13"), ("00018", "61", "2024-10-19")]
    assert result["transferable"][0] == {"code": "00009", "name": "政治经济学(财经类)", "credits": 6, "score": "70",
                                         "date": "2024-04-13", "source": "exam"}
    staying = {c["code"]: c["reason"] for c in result["non_transferable"]}
    assert staying == {"00019": "practical", "10199": "thesis", "15001": "provincial", "00058": "exemption",
                       "99999": "unknown_course"}
    labels = {c["code"]: c["reason_label"] for c in result["non_transferable"]}
    assert labels["00058"] == RULES.non_transferable["exemption"] and "免考" in labels["00058"]
    assert next(c for c in result["non_transferable"] if c["code"] == "99999")["name"] == "外省课程"


def test_every_condition_is_explained_in_the_rules_order():
    result = run([rec("00009")])
    assert [c["id"] for c in result["conditions"]] == [c.id for c in RULES.conditions]
    assert all(c["met"] and c["label"] and c["detail"] for c in result["conditions"])


def test_failed_attempts_are_not_listed_at_all():
    result = run([rec("00009"), rec("00058", score="45")])
    codes = [c["code"] for c in result["transferable"] + result["non_transferable"]]
    assert codes == ["00009"]


def test_pass_mark_and_grades_come_from_the_graduation_policy():
    class Policy:
        pass_mark = 75
        passing_grades = ("合格",)

    strict = RULES.with_policy(Policy)
    assert run([rec("00009", score="74")], rules=strict)["transferable"] == []
    assert [c["code"] for c in run([rec("00009", score="75")], rules=strict)["transferable"]] == ["00009"]
    assert run([rec("00009", score="良好")], rules=strict)["transferable"] == []


def test_without_a_passed_national_course_nothing_can_transfer():
    result = run([rec("00019", score="80"), rec("00058", "免考", "exemption"), rec("15001")])
    assert not result["allowed"] and result["unmet"] == ["national_pass"]
    assert "至少1门" in condition(result, "national_pass")["detail"]


def test_a_transfer_in_course_does_not_transfer_again():
    result = run([rec("00009", source="transfer-in", date="2020-09-10"), rec("00058")])
    assert [c["code"] for c in result["transferable"]] == ["00058"]
    assert result["non_transferable"][0]["reason"] == "transfer_in"


def test_a_suspended_record_cannot_transfer():
    result = run([rec("00009")], candidate={**CANDIDATE, "suspended": True})
    assert result["unmet"] == ["not_suspended"]
    assert "冻结" in condition(result, "not_suspended")["detail"]


@pytest.mark.parametrize("state, allowed", [("submitted", False), ("confirmed_on_site", False), ("approved", False),
                                            ("rejected", False), ("withdrawn", True)])
def test_once_per_sitting_counts_every_application_but_a_withdrawn_one(state, allowed):
    history = {"round": "2026H2", "transfer_outs": [{"id": 7, "round": "2026H2", "state": state,
                                                     "target_province": "江苏省", "courses": []}]}
    result = run([rec("00009")], history=history)
    assert condition(result, "once_per_sitting")["met"] is allowed
    if not allowed:
        assert "7" in condition(result, "once_per_sitting")["detail"]


def test_an_earlier_sitting_does_not_count_but_an_open_application_does():
    closed = {"round": "2026H2", "transfer_outs": [{"id": 3, "round": "2026H1", "state": "rejected",
                                                    "target_province": "江苏省", "courses": []}]}
    assert run([rec("00009")], history=closed)["allowed"]
    still_open = {"round": "2026H2", "transfer_outs": [{"id": 3, "round": "2026H1", "state": "confirmed_on_site",
                                                        "target_province": "江苏省", "courses": []}]}
    result = run([rec("00009")], history=still_open)
    assert result["unmet"] == ["one_target"] and "江苏省" in condition(result, "one_target")["detail"]


def test_courses_moved_by_an_approved_transfer_do_not_move_again():
    history = {"round": "2026H2", "transfer_outs": [{"id": 3, "round": "2025H2", "state": "approved",
                                                     "target_province": "江苏省", "courses": ["00009"]}]}
    result = run([rec("00009"), rec("00058")], history=history)
    assert [c["code"] for c in result["transferable"]] == ["00058"]
    assert result["non_transferable"][0]["reason"] == "already_transferred"
    nothing_left = run([rec("00009")], history=history)
    assert nothing_left["unmet"] == ["national_pass"]


@pytest.mark.parametrize("application, blocked", [
    ({"id": 5, "state": "paid", "choices": []}, True),
    ({"id": 5, "state": "form_locked", "choices": []}, True),
    ({"id": 5, "state": "county_approved", "choices": []}, True),
    ({"id": 5, "state": "draft", "choices": [{"university": "sxufe", "major": "630701",
                                              "decision_status": "eligible", "current": True}]}, True),
    ({"id": 5, "state": "draft", "choices": [{"university": "sxufe", "major": "630701",
                                              "decision_status": "eligible", "current": False}]}, False),
    ({"id": 5, "state": "awaiting_county", "choices": [{"university": "sxufe", "major": "630701",
                                                        "decision_status": "not_eligible", "current": True}]}, False),
])
def test_a_completed_major_keeps_the_candidate_here(application, blocked):
    result = run([rec("00009")], history={"round": "2026H2", "graduation_applications": [application]})
    assert condition(result, "major_not_completed")["met"] is not blocked
    if blocked:
        assert "5" in condition(result, "major_not_completed")["detail"]


def test_within_a_year_of_a_transfer_in_the_candidate_waits():
    records = [rec("00009"), rec("00058", source="transfer-in", date="2025-11-20")]
    result = run(records)
    assert result["unmet"] == ["transfer_in_cooldown"]
    assert "2026-11-20" in condition(result, "transfer_in_cooldown")["detail"]
    later = run(records, now=dt.datetime(2026, 11, 20, 9, 0))
    assert later["allowed"]


def test_an_undated_transfer_in_is_flagged_for_the_office_but_does_not_block():
    result = run([rec("00009"), rec("00058", source="transfer-in", date=None)])
    assert result["allowed"] and "现场核实" in condition(result, "transfer_in_cooldown")["detail"]


def test_several_unmet_conditions_are_all_reported():
    history = {"round": "2026H2", "transfer_outs": [{"id": 1, "round": "2026H2", "state": "submitted",
                                                     "target_province": "河北省", "courses": []}]}
    result = run([rec("00058", "免考", "exemption")], candidate={**CANDIDATE, "suspended": True}, history=history)
    assert result["unmet"] == ["national_pass", "not_suspended", "once_per_sitting", "one_target"]


def test_add_months_keeps_the_day_or_falls_back_to_the_month_end():
    assert add_months(dt.date(2025, 11, 20), 12) == dt.date(2026, 11, 20)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2025, 8, 31), 6) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2025, 12, 15), 1) == dt.date(2026, 1, 15)


def test_every_condition_the_loader_accepts_has_a_check():
    assert set(CONDITIONS) == set(check_module._CHECKS)


def test_the_targets_are_mainland_chinas_other_thirty_provinces():
    mainland = set(PROVINCES + AUTONOMOUS_REGIONS + MUNICIPALITIES) - {"台湾省"}
    assert len(mainland) == 31
    assert set(RULES.province_names()) == mainland - {"山西省"}
    assert len({p.code for p in RULES.provinces}) == 30


def test_reasons_and_exam_number_format_are_data():
    assert [r.name for r in RULES.reasons] == ["工作调动", "户籍迁移", "随迁家属", "求学", "其他"]
    assert RULES.reason("其他").note_required and not RULES.reason("求学").note_required
    pattern = RULES.exam_number_pattern()
    assert pattern.fullmatch("320119200123") and not pattern.fullmatch("32011920012a")
    assert not pattern.fullmatch("1" * (RULES.min_digits - 1)) and not pattern.fullmatch("1" * (RULES.max_digits + 1))


_records = st.lists(st.fixed_dictionaries({
    "code": st.sampled_from([*CATALOGUE, "99999"]),
    "score": st.sampled_from(["30", "59", "60", "88", "良好", "不合格", "免考"]),
    "source": st.sampled_from(["exam", "exemption", "transfer-in", "old-plan"]),
    "date": st.sampled_from(["2021-04-17", "2023-10-21", None]),
}), max_size=12)


@settings(max_examples=200, deadline=None)
@given(_records)
def test_each_passed_course_is_listed_exactly_once(records):
    result = run(records)
    go = [c["code"] for c in result["transferable"]]
    stay = [c["code"] for c in result["non_transferable"]]
    assert len(go) == len(set(go)) and len(stay) == len(set(stay)) and not set(go) & set(stay)
    passed = {r["code"] for r in records
              if r["source"] == "exemption" or r["score"] in ("60", "88", "良好")}
    assert set(go) | set(stay) == passed
    assert all(CATALOGUE[c].national and CATALOGUE[c].kind == "theory" for c in go)
    assert result["allowed"] == (len(go) >= 1) and result["allowed"] == (result["unmet"] == [])
