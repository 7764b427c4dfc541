"""Issue 13: a practical counting passed plan courses (13161 英语听力与口译), dated and reverse 顶替.

Both evaluators (engine and oracle) are asked and must agree with each other and with these expectations.
"""
from __future__ import annotations

import datetime as dt

import pytest
from support.agreement import agreed
from support.strategies import synthetic_bundle

from service.errors import RulesetError
from service.rules.inputs import Candidate, Record, Request

THEORIES = {f"{20001 + i:05d}": {"name": f"课程{i}", "credits": 4, "kind": "theory"} for i in range(9)}
LISTENING = {"13161": {"name": "英语听力与口译（实践）", "credits": 2, "kind": "practical", "requires_passed": 8}}
PLAN = {"university": "uni-a", "major": "050201", "name": "英语", "level": "专科", "edition": "2024",
        "effective": {"from": "2024-01-01"}, "min_credits": 30, "required": [*THEORIES, "13161"]}
WHO = Candidate("014012345678", "张伟", "140105199001011234", "男")


def both(bundle, records, as_of=dt.date(2025, 6, 1)):
    request = Request(candidate=WHO, university="uni-a", major=PLAN["major"], as_of=as_of, records=tuple(records))
    decision = agreed(bundle, request)
    return {r["id"]: r for r in decision["requirements"]}, decision


@pytest.fixture(scope="module")
def english():
    return synthetic_bundle({**THEORIES, **LISTENING}, [PLAN])


def test_the_practical_counts_once_eight_courses_of_the_plan_are_passed(english):
    records = [Record(code, "70") for code in list(THEORIES)[:8]] + [Record("13161", "80")]
    reqs, _ = both(english, records)
    assert reqs["course:13161"]["status"] == "met" and reqs["course:13161"]["notes"] == []


def test_with_seven_courses_passed_the_practical_does_not_count_and_says_why(english):
    records = [Record(code, "70") for code in list(THEORIES)[:7]] + [Record("13161", "80")]
    reqs, decision = both(english, records)
    assert reqs["course:13161"]["status"] == "unmet"
    assert reqs["course:13161"]["notes"] == ["passed_courses_below:8"]
    assert "13161" in decision["unused"]


def test_an_eighth_course_awaiting_verification_leaves_the_practical_pending(english):
    records = [Record(code, "70") for code in list(THEORIES)[:7]] + [Record("13161", "80"),
                                                                     Record("20008", "70", "old-plan", verified=False)]
    reqs, _ = both(english, records)
    assert reqs["course:13161"]["status"] == "pending"


def test_a_practical_keeps_either_a_theory_or_a_count():
    with pytest.raises(RulesetError) as exc:
        synthetic_bundle({**THEORIES, "13161": {**LISTENING["13161"], "theory": "20001"}}, [PLAN])
    assert "requires_passed" in str(exc.value)


COMMON = {"03708": {"name": "中国近现代史纲要", "credits": 2, "kind": "theory"},
          "15043": {"name": "中国近现代史纲要", "credits": 3, "kind": "theory"},
          "20001": {"name": "课程", "credits": 4, "kind": "theory"}}
OLD_PLAN = {**PLAN, "required": ["03708", "20001"], "min_credits": 6, "level": "专科"}


def dated(direction, effective=None):
    eq = {"id": "history", "old": "03708", "new": "15043", "direction": direction}
    if effective:
        eq["effective"] = effective
    return synthetic_bundle(COMMON, [OLD_PLAN], equivalences=[eq])


def test_new_to_old_holds_the_old_plans_course_with_the_held_credits():
    reqs, decision = both(dated("both"), [Record("15043", "70"), Record("20001", "70")])
    assert reqs["course:03708"]["counted"] == [{"code": "15043", "for": "03708", "credits": 3, "verified": True,
                                               "via": "equivalence:history"}]
    assert decision["credits"]["earned"] == 7


def test_old_to_new_only_leaves_the_old_course_missing():
    reqs, decision = both(dated("old-to-new"), [Record("15043", "70"), Record("20001", "70")])
    assert reqs["course:03708"]["missing"] == ["03708"] and decision["unused"] == ["15043"]


def test_an_equivalence_applies_only_on_its_dates():
    bundle = dated("both", {"from": "2024-01-01", "until": "2025-12-31"})
    records = [Record("15043", "70"), Record("20001", "70")]
    assert both(bundle, records, dt.date(2025, 12, 31))[0]["course:03708"]["status"] == "met"
    assert both(bundle, records, dt.date(2026, 1, 1))[0]["course:03708"]["status"] == "unmet"
