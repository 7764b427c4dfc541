"""Issue 13 items 4-5 in the rules core: 思想品德鉴定 and 延迟毕业 as requirements (docs/rules-semantics.md 4.8-4.9).

Both evaluators (engine and oracle) are asked and must agree with each other and with these expectations.
"""
from __future__ import annotations

import datetime as dt

import pytest
from support.agreement import agreed
from support.strategies import DEFAULT_POLICY, synthetic_bundle

from service.errors import RulesetError
from service.rules.conditions import Appraisal, Sanction
from service.rules.decide import decide
from service.rules.inputs import Candidate, Record, Request, canonical_input, request_for
from service.tools.explain import checklist

COURSES = {f"{20001 + i:05d}": {"name": f"课程{i}", "credits": 4, "kind": "theory"} for i in range(3)}
PLAN = {"university": "uni-a", "major": "123456", "name": "测试专业", "level": "专科", "edition": "2024",
        "effective": {"from": "2024-01-01"}, "min_credits": 12, "required": list(COURSES)}
WHO = Candidate("014012345678", "张伟", "140105199001011234", "男")
CONDUCT = {"levels": ["合格", "不合格"], "passing": ["合格"]}
PASSED = tuple(Record(code, "70") for code in COURSES)
DELAY = Sanction(dt.date(2025, 7, 1), dt.date(2026, 6, 30), "晋招考违〔2025〕3号", "考试作弊")


def bundle_with(conduct=CONDUCT):
    policy = dict(DEFAULT_POLICY, revision=2)
    if conduct is not None:
        policy["conduct_appraisal"] = conduct
    return synthetic_bundle(COURSES, [PLAN], policy=policy)


@pytest.fixture(scope="module")
def bundle():
    return bundle_with()


def both(bundle, as_of=dt.date(2025, 11, 20), **conditions):
    request = Request(candidate=WHO, university="uni-a", major="123456", as_of=as_of, records=PASSED, **conditions)
    decision = agreed(bundle, request)
    return decision, {r["id"]: r for r in decision["requirements"]}


def test_without_conditions_in_the_input_the_decision_is_about_courses_only(bundle):
    decision, reqs = both(bundle)
    assert decision["status"] == "eligible" and list(reqs) == [*(f"course:{c}" for c in COURSES), "credits"]


@pytest.mark.parametrize(("appraisal", "status", "word", "notes"), [
    (Appraisal("合格", "county:小店区招办", "2025-11-20T10:00:00+08:00"), "eligible", "met", []),
    (Appraisal(), "pending_verification", "pending", ["appraisal_not_recorded"]),
    (Appraisal("不合格", "county:小店区招办", "2025-11-20T10:00:00+08:00"), "not_eligible", "unmet", ["appraisal:不合格"]),
])
def test_the_appraisal_is_a_requirement_after_the_credits(bundle, appraisal, status, word, notes):
    decision, reqs = both(bundle, conduct_appraisal=appraisal)
    assert decision["status"] == status
    assert list(reqs)[-2:] == ["credits", "conduct"]
    assert (reqs["conduct"]["status"], reqs["conduct"]["notes"]) == (word, notes)
    assert reqs["conduct"]["appraisal"]["result"] == appraisal.result
    assert decision["credits"]["earned"] == 12  # a condition counts no course


def test_the_appraisal_is_not_assessed_before_the_policy_takes_effect_nor_under_rules_without_it():
    dated = bundle_with({**CONDUCT, "effective_from": "2026-01-01"})
    decision, reqs = both(dated, conduct_appraisal=Appraisal("不合格"))
    assert decision["status"] == "eligible" and "conduct" not in reqs
    decision, reqs = both(dated, as_of=dt.date(2026, 1, 1), conduct_appraisal=Appraisal("不合格"))
    assert reqs["conduct"]["status"] == "unmet"
    decision, reqs = both(bundle_with(None), conduct_appraisal=Appraisal("不合格"))
    assert decision["status"] == "eligible" and "conduct" not in reqs


@pytest.mark.parametrize(("as_of", "inside"), [
    (dt.date(2025, 6, 30), False), (dt.date(2025, 7, 1), True), (dt.date(2026, 6, 30), True),
    (dt.date(2026, 7, 1), False)])
def test_a_sanction_includes_both_of_its_days(bundle, as_of, inside):
    decision, reqs = both(bundle, as_of=as_of, sanctions=(DELAY,))
    assert ("sanction" in reqs) is inside
    assert decision["status"] == ("not_eligible" if inside else "eligible")
    if inside:
        assert reqs["sanction"]["notes"] == ["until:2026-06-30"]
        assert reqs["sanction"]["sanction"] == {"from": "2025-07-01", "until": "2026-06-30",
                                                "document_no": "晋招考违〔2025〕3号"}


def test_overlapping_sanctions_name_the_last_day_of_all(bundle):
    later = Sanction(dt.date(2025, 9, 1), dt.date(2027, 8, 31), "晋招考违〔2025〕9号", "代考")
    _, reqs = both(bundle, sanctions=(later, DELAY), conduct_appraisal=Appraisal("合格"))
    assert list(reqs)[-3:] == ["credits", "conduct", "sanction"]
    assert reqs["sanction"]["notes"] == ["until:2027-08-31"]


def test_the_canonical_input_carries_conditions_only_when_given_and_reads_back():
    base = {"candidate": {"exam_number": "014012345678", "name": "张伟", "id_number": "140105199001011234",
                          "gender": "男"}, "transcript": [], "old_plan_records": [], "substitution": [],
            "prior_diploma": None, "as_of": dt.date(2025, 11, 20)}
    assert set(canonical_input(base)) == {"candidate", "transcript", "old_plan_records", "substitution",
                                          "prior_diploma", "as_of"}
    assert "sanctions" not in canonical_input({**base, "sanctions": []})
    given = canonical_input({**base, "conduct_appraisal": {"result": "合格", "recorded_by": "county:x",
                                                           "recorded_at": "2025-11-20T10:00:00+08:00"},
                             "sanctions": [{"from": dt.date(2025, 7, 1), "until": dt.date(2026, 6, 30),
                                            "document_no": "晋招考违〔2025〕3号", "reason": "考试作弊"}]})
    request = request_for(given, {"university": "uni-a", "major": "123456"})
    assert request.sanctions == (DELAY,)
    assert request.conduct_appraisal == Appraisal("合格", "county:x", "2025-11-20T10:00:00+08:00")
    awaiting = request_for(canonical_input({**base, "conduct_appraisal": None}), {"university": "u", "major": "m"})
    assert awaiting.conduct_appraisal == Appraisal()


@pytest.mark.parametrize(("conduct", "field"), [
    ({"levels": ["合格", "不合格"], "passing": ["优秀"]}, "policy.conduct_appraisal.passing[0]"),
    ({"levels": [], "passing": []}, "policy.conduct_appraisal.levels"),
    ({"levels": ["合格", "合格"], "passing": ["合格"]}, "policy.conduct_appraisal.levels"),
    ({"levels": ["合格"], "pass": ["合格"]}, "policy.conduct_appraisal.pass"),
    ({"levels": ["合格"], "passing": ["合格"], "effective_from": "2026-13-01"}, "policy.conduct_appraisal.effective_from"),
])
def test_the_loader_reports_a_bad_conduct_appraisal_by_field(conduct, field):
    with pytest.raises(RulesetError) as refused:
        bundle_with(conduct)
    assert field in [p.field for p in refused.value.problems]


def test_explain_shows_both_conditions(bundle):
    request = Request(candidate=WHO, university="uni-a", major="123456", as_of=dt.date(2025, 11, 20), records=PASSED,
                      sanctions=(DELAY,), conduct_appraisal=Appraisal())
    lines = checklist(bundle, decide(bundle, request))
    assert any(line.startswith("  待核验 思想品德鉴定") and "待县区招办登记 (awaiting the county office)" in line
               for line in lines)
    assert any(line.startswith("  ✗ 延迟毕业") and "延迟毕业至 2026-06-30（晋招考违〔2025〕3号）" in line
               for line in lines)
