"""Exceptions in the rules core (docs/rules-semantics.md 3a, 4.7): the oracle and the engine on hand-made
cases, each reason an idle exception can have, and the limits checked when one is recorded."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from support.strategies import DEFAULT_POLICY, synthetic_bundle

from service.rules import oracle
from service.rules.decide import decide
from service.rules.exceptions import check_exception
from service.rules.inputs import Candidate, Exception_, Record, Request
from service.tools.explain import checklist

COURSES = {
    "20001": {"name": "甲", "credits": 4, "kind": "theory"},
    "20002": {"name": "乙", "credits": 5, "kind": "theory"},
    "20003": {"name": "丙理论", "credits": 3, "kind": "theory"},
    "20004": {"name": "丙实践", "credits": 2, "kind": "practical", "theory": "20003"},
    "20005": {"name": "选一", "credits": 4, "kind": "theory"},
    "20006": {"name": "选二", "credits": 4, "kind": "theory"},
    "30001": {"name": "外专业课", "credits": 5, "kind": "theory"},
    "30002": {"name": "外专业课二", "credits": 3, "kind": "theory"},
    "30003": {"name": "旧课", "credits": 4, "kind": "theory"},
    "40001": {"name": "英语", "credits": 6, "kind": "theory"},
}
PLAN = {"university": "uni-a", "major": "123456", "name": "测试专业", "level": "专科", "edition": "2020",
        "effective": {"from": "2020-01-01"}, "min_credits": 20,
        "required": ["20001", "20002", "20003", "20004", "40001"],
        "groups": [{"id": "g", "name": "选修", "courses": ["20005", "20006"], "pick": 1}]}
OTHER = {**PLAN, "university": "uni-b", "major": "654321", "min_credits": 8, "required": ["30001", "30002"], "groups": []}
BUNDLE = synthetic_bundle(
    COURSES, [PLAN, OTHER], policy={**DEFAULT_POLICY, "revision": 2},
    equivalences=[{"id": "old-20002", "kind": "one-to-one", "old": "30003", "new": "20002"}],
    substitutions=[{"id": "english", "replaces": "40001", "min_credits": 5, "levels": ["专科"]}])
AS_OF = dt.date(2026, 6, 1)


def request(records, exceptions=(), substitution=()):
    recs = tuple(r if isinstance(r, Record) else Record(r, "75", date=dt.date(2024, 4, 1)) for r in records)
    return Request(Candidate("010119999901", "测试", "140105199801011244", "女"), "uni-a", "123456", recs, AS_OF,
                   substitution=tuple(substitution), exceptions=tuple(exceptions))


def both(req) -> dict:
    """The decision, the same from the oracle and the engine."""
    expected = oracle.evaluate(BUNDLE, req)
    got = decide(BUNDLE, req)
    compared = {k: got[k] for k in expected}  # a requirement's label is display text, not the contract
    compared["requirements"] = [{k: v for k, v in r.items() if k != "label"} for r in got["requirements"]]
    assert compared == expected
    return got


def requirement(decision, rid):
    return next(r for r in decision["requirements"] if r["id"] == rid)


ALL_BUT_20001 = ["20002", "20003", "20004", "20005", "40001"]


def test_a_substitute_holds_the_course_with_its_own_record_and_credits():
    d = both(request([*ALL_BUT_20001, "30001"], [Exception_(4, "substitute", "20001", "30001")]))
    assert requirement(d, "course:20001")["counted"] == [
        {"code": "30001", "for": "20001", "credits": 5, "verified": True, "via": "exception:4"}]
    assert d["status"] == "eligible" and d["unused"] == [] and d["unused_inputs"] == []


def test_a_substitute_on_an_unverified_card_is_pending():
    card = Record("30001", "75", source="old-plan", date=dt.date(2015, 4, 1), verified=False)
    d = both(request([*ALL_BUT_20001, card], [Exception_(4, "substitute", "20001", "30001")]))
    assert requirement(d, "course:20001")["status"] == "pending"
    assert d["status"] == "pending_verification"


def test_an_exception_is_tried_before_an_equivalence():
    records = ["20001", "20003", "20004", "20005", "40001", "30001", "30003"]
    d = both(request(records, [Exception_(2, "substitute", "20002", "30001")]))
    assert requirement(d, "course:20002")["counted"][0]["via"] == "exception:2"
    assert "30003" in d["unused"]
    without = both(request(records))
    assert requirement(without, "course:20002")["counted"][0]["via"] == "equivalence:old-20002"


@pytest.mark.parametrize(("exceptions", "records", "reasons"), [
    # the plan course is passed directly; a second exception for one course; nothing passed in `by`
    ([Exception_(1, "waive", "20002")], ALL_BUT_20001, {1: "course_passed"}),
    ([Exception_(1, "waive", "20001"), Exception_(2, "substitute", "20001", "30001")],
     [*ALL_BUT_20001, "30001"], {2: "already_held"}),
    ([Exception_(1, "substitute", "20001", "30002")], ALL_BUT_20001, {1: "not_passed"}),
    # `by` holds its own plan course, so it is used up; a course of another major's plan only
    ([Exception_(1, "substitute", "20001", "20002")], ALL_BUT_20001, {1: "record_used"}),
    ([Exception_(1, "waive", "30001")], ALL_BUT_20001, {1: "not_in_plan"}),
    # the practical it holds fails its theory; a group already complete takes no more
    ([Exception_(1, "substitute", "20004", "30001")], ["20001", "20002", "20005", "40001", "30001"],
     {1: "theory_not_passed"}),
    ([Exception_(1, "substitute", "20006", "30002")], ["20001", *ALL_BUT_20001, "30002"], {1: "not_counted"}),
])
def test_an_exception_no_requirement_uses_is_reported_with_its_reason(exceptions, records, reasons):
    d = both(request(records, exceptions))
    got = {e["exception"]: e["reason"] for e in d["unused_inputs"] if e["input"] == "exception"}
    assert got == reasons


def test_the_english_set_takes_the_slot_of_a_pending_exception():
    card = Record("30001", "75", source="old-plan", date=dt.date(2015, 4, 1), verified=False)
    records = ["20001", "20002", "20003", "20004", "20005", "30002", "20006", card]
    d = both(request(records, [Exception_(5, "substitute", "40001", "30001")], substitution=["30002", "20006"]))
    english = requirement(d, "course:40001")
    assert english["status"] == "met" and "replaced_by_substitution" in english["notes"]
    assert {"code": "30001", "input": "exception", "exception": 5, "reason": "replaced_by_substitution"} \
        in d["unused_inputs"]


def test_a_waiver_counts_the_course_credits_and_the_checklist_says_so():
    d = both(request(ALL_BUT_20001, [Exception_(9, "waive", "20001")]))
    assert requirement(d, "course:20001")["counted"] == [
        {"code": "20001", "for": "20001", "credits": 4, "verified": True, "via": "exception:9"}]
    assert d["credits"]["earned"] == 24  # 4 + 5 + 3 + 2 + 6, and 4 of the group
    d["university"], d["major"] = "uni-a", "123456"
    assert any("依文件免除 (exception:9), 计 4 学分" in line for line in checklist(BUNDLE, d))


# --- the limits, when recording ---------------------------------------------------------------

def discontinued(bundle, on="2026-01-01"):
    majors = tuple(dataclasses.replace(m, discontinued_from=dt.date.fromisoformat(on)) for m in bundle.majors)
    return dataclasses.replace(bundle, majors=majors)


def test_a_substitute_of_a_major_in_service_is_refused():
    problems = check_exception(BUNDLE, "uni-a", "123456", "substitute", "20001", "30001", AS_OF)
    assert list(problems) == ["major"] and "停考" in problems["major"][0]
    assert check_exception(discontinued(BUNDLE), "uni-a", "123456", "substitute", "20001", "30001", AS_OF) == {}
    later = discontinued(BUNDLE, "2026-07-01")  # recorded before the 停考 date
    assert "major" in check_exception(later, "uni-a", "123456", "substitute", "20001", "30001", AS_OF)


def test_each_limit_is_the_rulesets_and_all_are_named_at_once():
    bundle = discontinued(BUNDLE)
    problems = check_exception(bundle, "uni-a", "123456", "substitute", "20002", "30003", AS_OF)
    assert problems["by"] == [  # in no plan of the level, and 4 credits for 5
        "30003 不是专科层次计划中的课程 (not a course of a 专科 plan: a substitute must be of the same level)",
        "30003 学分 4 低于原课程 20002 的 5 学分 (fewer credits than the plan course)"]
    relaxed = dataclasses.replace(bundle, policy=dataclasses.replace(bundle.policy, substitute_limits=dataclasses.replace(
        bundle.policy.substitute_limits, same_level=False, credits_at_least=False, discontinued_major=False)))
    assert check_exception(relaxed, "uni-a", "123456", "substitute", "20002", "30003", AS_OF) == {}
    assert check_exception(BUNDLE, "uni-a", "999999", "waive", "20001", None, AS_OF) == {
        "major": ["uni-a 无专业 999999 (no such major at this university)"]}
    assert "by" in check_exception(BUNDLE, "uni-a", "123456", "waive", "20001", "30001", AS_OF)
    assert check_exception(BUNDLE, "uni-a", "123456", "waive", "20001", None, AS_OF) == {}


# --- the data: majors.yaml discontinued_from, policy.exceptions.substitute --------------------

def files_with(major=None, exceptions=None):
    from support.strategies import synthetic_files
    files = synthetic_files(COURSES, [PLAN], policy={**DEFAULT_POLICY, "revision": 2,
                                                     **({"exceptions": exceptions} if exceptions else {})})
    files["curricula/majors.yaml"]["majors"][0].update(major or {})
    return files


def test_the_loader_reads_and_checks_the_exception_data():
    from service.errors import RulesetError
    from service.rules.loader import bundle_from_files

    limits = {"substitute": {"discontinued_major": True, "same_level": False, "credits_at_least": True,
                             "source": "2024 报考简章"}}
    bundle = bundle_from_files(files_with({"discontinued_from": "2026-07-01"}, limits))
    assert bundle.majors[0].discontinued_from == dt.date(2026, 7, 1)
    assert bundle.majors[0].discontinued(dt.date(2026, 7, 1)) and not bundle.majors[0].discontinued(dt.date(2026, 6, 30))
    assert not bundle.policy.substitute_limits.same_level and bundle.policy.substitute_limits.source == "2024 报考简章"
    with pytest.raises(RulesetError) as exc:
        bundle_from_files(files_with({"discontinued_from": "July"},
                                     {"substitute": {"same_level": "yes", "source": "x", "colour": 1}}))
    shown = "\n".join(str(p) for p in exc.value.problems)
    assert "majors[0].discontinued_from" in shown and "must be a date" in shown
    assert "policy.exceptions.substitute" in shown and "colour" in shown
