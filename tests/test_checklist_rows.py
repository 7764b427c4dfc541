"""service.rules.checklist: the candidate's full checklist, one row per plan course, group and condition."""
from __future__ import annotations

import copy
import json

import pytest
from support.common import ROOT

from service.rules.checklist import SYMBOL, rows, unmet_count
from service.rules.loader import load_bundle
from service.tools.cases import load_cases
from service.tools.requests import decide_file

EXAMPLES = ROOT / "fixtures" / "examples"
CASES = ROOT / "rulesets" / "shanxi" / "tests"
KEYS = {"kind", "requirement", "code", "name", "credits", "mark", "symbol", "held_by", "counted_credits", "reason"}


@pytest.fixture(scope="module")
def bundle():
    return load_bundle(ROOT)


def example(name):
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def case_body(file, prefix):
    [case] = [c for c in load_cases(CASES / file) if c.name.startswith(prefix)]
    return copy.deepcopy(case.body)


def checklist_of(bundle, body, **choice):
    [decision] = decide_file(bundle, body, choice=choice or None)
    return decision, rows(bundle, decision)


def row(rows_, requirement):
    return next(r for r in rows_ if r["requirement"] == requirement)


def test_every_plan_course_has_a_row_with_the_agreed_keys_and_unmet_rows_come_first(bundle):
    decision, out = checklist_of(bundle, example("marketing-missing-00181"))
    assert all(KEYS <= set(r) for r in out)
    plan = next(p for p in bundle.plans_for("sxufe", "630701") if p.edition == decision["edition"])
    assert [r["code"] for r in out if r["kind"] == "course"] == ["00181"] + [c for c in plan.required if c != "00181"]
    assert [r["kind"] for r in out[-1:]] == ["credits"]
    assert out[0] == {
        "kind": "course", "requirement": "course:00181", "code": "00181", "name": "广告学(一)", "credits": 4,
        "mark": "unmet", "symbol": "✗", "held_by": [], "counted_credits": 0, "reason": "无合格成绩 (not passed)"}
    assert row(out, "course:00009") == {
        "kind": "course", "requirement": "course:00009", "code": "00009", "name": "政治经济学(财经类)", "credits": 6,
        "mark": "met", "symbol": "✓",
        "held_by": [{"code": "00009", "name": "政治经济学(财经类)", "credits": 6, "via": "passed", "verified": True}],
        "counted_credits": 6, "reason": None}
    assert unmet_count(out) == 1
    assert {r["symbol"] for r in out} == {"✓", "✗"} and SYMBOL["pending"] == "待核验"


def test_a_course_never_taken_is_crossed_as_not_taken(bundle):
    body = example("marketing-complete")
    body["transcript"] = [r for r in body["transcript"] if r["code"] != "00182"]
    _, out = checklist_of(bundle, body)
    assert out[0]["code"] == "00182" and out[0]["reason"] == "无合格成绩或未选修 (no passing score)"


def test_credits_row_counts_what_the_total_counts(bundle):
    decision, out = checklist_of(bundle, example("marketing-missing-00181"))
    credits = row(out, "credits")
    assert (credits["mark"], credits["credits"], credits["counted_credits"]) == ("met", 70, 74)
    assert credits["reason"] == "已计 74 学分 (其中已核验 74), 需 70 学分 (74 earned, 74 verified, of 70 required)"
    courses = [r for r in out if r["kind"] in ("course", "thesis", "group")]
    assert sum(r["counted_credits"] for r in courses) == decision["credits"]["earned"]


def test_old_plan_equivalence_one_way_and_two_way_show_what_stands_for_the_course(bundle):
    body = case_body("accounting-2017.yaml", "the old plan is met by the codes examined since 2024")
    decision, out = checklist_of(bundle, body)
    history = row(out, "course:03708")
    assert (history["mark"], history["credits"]) == ("met", 2)
    [held] = history["held_by"]
    assert held == {"code": "15043", "name": "中国近现代史纲要", "credits": held["credits"],
                    "via": "equivalence:history-03708-to-15043", "verified": True}
    # the held course's credits count, not the plan course's: the row says so
    assert history["counted_credits"] == held["credits"] == bundle.catalogue["15043"].credits
    assert history["reason"].startswith("由 15043中国近现代史纲要(")
    assert "held through equivalence:history-03708-to-15043" in history["reason"]
    courses = [r for r in out if r["kind"] in ("course", "thesis", "group")]
    assert sum(r["counted_credits"] for r in courses) == decision["credits"]["earned"]


def test_new_code_course_held_by_the_old_code_pass(bundle):
    body = example("marketing-complete")
    next(r for r in body["transcript"] if r["code"] == "12656")["code"] = "15040"
    _, out = checklist_of(bundle, body)
    maogai = row(out, "course:12656")
    assert maogai["mark"] == "met" and maogai["held_by"][0]["via"] == "equivalence:maogai-12656-to-15040"
    assert maogai["held_by"][0]["code"] == "15040"


def test_english_ii_substitution_lists_the_chosen_courses_and_its_measure(bundle):
    _, out = checklist_of(bundle, example("accounting-english-substitution"))
    english = row(out, "course:00015")
    assert english["mark"] == "met"
    assert [(h["code"], h["via"]) for h in english["held_by"]] == [
        ("00009", "substitution:english-ii"), ("00058", "substitution:english-ii"), ("00162", "substitution:english-ii")]
    assert english["counted_credits"] == 16
    assert english["reason"] == "顶替英语二课程共 16 学分, 需 14 学分 (substitution: 16 of 14 credits)"
    assert english["substitution"]["rejected"] == [{"code": "03708", "reason": "counted_elsewhere:course:03708"}]


def test_a_substitution_too_small_crosses_english_ii_with_the_credits_short(bundle):
    _, out = checklist_of(bundle, case_body("accounting-2017.yaml", "substitution too small"))
    english = out[0]
    assert (english["requirement"], english["mark"]) == ("course:00015", "unmet")
    assert english["reason"] == ("无合格成绩, 顶替英语二课程共 10 学分, 不足 14 学分 "
                                 "(not passed; substitution 10 of 14 credits)")
    assert [h["code"] for h in english["held_by"]] == ["00058", "00162"]


def test_a_pending_old_plan_card_is_awaiting_verification_with_its_reason(bundle):
    decision, out = checklist_of(bundle, example("accounting-old-plan-pending"))
    assert decision["status"] == "pending_verification"
    [pending] = [r for r in out if r["mark"] == "pending"]
    assert out[0] is pending  # no unmet rows: pending comes first
    assert (pending["code"], pending["symbol"]) == ("03709", "待核验")
    assert pending["held_by"][0]["verified"] is False
    assert pending["reason"] == "03709 待县(区)自考办核验 (03709 awaiting verification)"


def test_one_slot_one_count_the_pending_card_is_not_counted_beside_the_substitution(bundle):
    decision, out = checklist_of(bundle, case_body("accounting-2017.yaml", "one slot, one count"))
    english = row(out, "course:00015")
    assert english["mark"] == "met" and english["counted_credits"] == 15
    assert all(h["via"].startswith("substitution:") for h in english["held_by"])
    assert "00015 待核验的成绩不重复计入, 已由顶替课程计入" in english["reason"]
    assert decision["credits"]["earned"] == 75


def test_a_practical_whose_theory_failed_is_crossed_with_the_theory_named(bundle):
    body = example("marketing-complete")
    next(r for r in body["transcript"] if r["code"] == "00018")["score"] = "41"
    _, out = checklist_of(bundle, body)
    assert [r["code"] for r in out[:2]] == ["00018", "00019"]
    practical = row(out, "course:00019")
    assert practical["mark"] == "unmet" and practical["held_by"] == [] and practical["counted_credits"] == 0
    assert practical["reason"] == ("理论课程 00018 未合格 (theory course 00018 not passed); "
                                   "00019 的合格成绩暂不计入 (00019 passed, not counted)")
    assert row(out, "course:00018")["reason"] == "无合格成绩 (not passed)"


def test_a_practical_whose_theory_is_pending_names_the_theory_not_itself(bundle):
    body = example("marketing-complete")
    body["transcript"] = [r for r in body["transcript"] if r["code"] != "00018"]
    body["old_plan_records"] = [{"code": "00018", "name": "计算机应用基础", "score": "70", "date": "2015-10-18"}]
    _, out = checklist_of(bundle, body)
    assert row(out, "course:00018")["reason"] == "00018 待县(区)自考办核验 (00018 awaiting verification)"
    practical = row(out, "course:00019")
    assert practical["mark"] == "pending"
    assert practical["reason"] == "理论课程 00018 待核验, 实践课程随之待核验 (theory course 00018 awaiting verification)"


def test_a_pick_one_group_lists_its_options_and_what_was_taken(bundle):
    _, out = checklist_of(bundle, example("accounting-english-substitution"))
    group = row(out, "group:elective")
    assert (group["kind"], group["code"], group["name"], group["mark"]) == ("group", None, "选考课程（任选一门）", "met")
    assert [h["code"] for h in group["held_by"]] == ["00149"] and group["counted_credits"] == 6
    assert group["reason"] == "已有 1 门, 需 1 门 (1 of 1 courses)"
    assert [(o["code"], o["taken"], o["verified"]) for o in group["options"]] == [
        ("00149", True, True), ("00058", False, None)]


def test_an_unmet_group_names_the_courses_to_choose_from(bundle):
    body = example("accounting-english-substitution")
    body["transcript"] = [r for r in body["transcript"] if r["code"] != "00149"]
    # 00058, the other option, is chosen for the substitution: a course counts in one place only
    _, out = checklist_of(bundle, body)
    group = row(out, "group:elective")
    assert group["mark"] == "unmet" and group["held_by"] == []
    assert group["reason"].startswith("已有 0 门, 需 1 门") and "可选 (to choose from): 00149" in group["reason"]


def test_thesis_and_prior_diploma_rows(bundle):
    _, out = checklist_of(bundle, example("marketing-complete"), university="sxu", major="030101K")
    thesis = row(out, "thesis:14850")
    assert (thesis["kind"], thesis["code"], thesis["mark"], thesis["symbol"]) == ("thesis", "14850", "unmet", "✗")
    prior = row(out, "prior-diploma")
    assert (prior["name"], prior["mark"], prior["reason"]) == ("前置学历", "unmet", "未提供前置学历 (no prior diploma given)")


def test_a_prior_diploma_that_does_not_match_says_which_field(bundle):
    body = case_body("law.yaml", "the same transcript with a verified, matching prior diploma")
    body["prior_diploma"]["name"] = body["candidate"]["name"] + "甲"
    _, out = checklist_of(bundle, body)
    assert row(out, "prior-diploma")["reason"] == "前置学历证书的姓名与考生不符 (prior diploma does not match: name)"


def test_kinds_and_vias_the_module_does_not_know_render_from_the_decision(bundle):
    """Per-candidate exceptions and policy conditions (sanction, appraisal) come from other packages."""
    [decision] = decide_file(bundle, example("marketing-missing-00181"))
    decision = copy.deepcopy(decision)
    ad = next(r for r in decision["requirements"] if r["id"] == "course:00181")
    ad.update(status="met", missing=[], counted=[
        {"code": "00186", "for": "00181", "credits": 4, "verified": True, "via": "exception:17"}])
    decision["requirements"].append({
        "id": "sanction", "kind": "sanction", "label": "延迟毕业 (delayed graduation)", "status": "unmet",
        "counted": [], "missing": [], "notes": ["延迟毕业至 2027-06-30 (delayed until 2027-06-30)"]})
    decision["requirements"].append({
        "id": "conduct-appraisal", "kind": "conduct-appraisal", "label": "思想品德鉴定", "status": "pending",
        "counted": [], "missing": [], "notes": []})
    out = rows(bundle, decision)
    assert [(r["kind"], r["mark"]) for r in out[:2]] == [("sanction", "unmet"), ("conduct-appraisal", "pending")]
    assert out[0]["name"] == "延迟毕业 (delayed graduation)" and out[0]["symbol"] == "✗"
    assert out[0]["reason"] == "延迟毕业至 2027-06-30 (delayed until 2027-06-30)"
    assert out[1]["reason"] == "待核验 (pending verification)" and out[1]["symbol"] == "待核验"
    ad_row = row(out, "course:00181")
    assert ad_row["held_by"][0]["via"] == "exception:17" and ad_row["counted_credits"] == 4
    assert "经批准由 00186" in ad_row["reason"] and "(exception:17)" in ad_row["reason"]


def test_english_ii_passed_itself_says_the_chosen_substitution_is_not_needed(bundle):
    body = example("accounting-english-substitution")
    next(r for r in body["transcript"] if r["code"] == "00015")["score"] = "70"
    decision, out = checklist_of(bundle, body)
    english = row(out, "course:00015")
    assert english["mark"] == "met" and [h["via"] for h in english["held_by"]] == ["passed"]
    assert english["counted_credits"] == 14
    assert english["reason"] == "00015 已合格, 所选顶替课程未使用 (passed itself: the chosen substitution is not needed)"
    assert {e["reason"] for e in decision["unused_inputs"] if e["input"] == "substitution"} == {
        "substitution_not_needed"}


def test_group_options_come_from_the_decisions_own_plan(bundle):
    """Group ids repeat across plans ("elective"): another plan's group of that id is not the options."""
    import dataclasses

    from service.rules.model import Group

    [decision] = decide_file(bundle, example("accounting-english-substitution"))
    other = next(p for p in bundle.plans if (p.university, p.major) != ("sxufe", "120203K"))
    decoy = dataclasses.replace(other, groups=(Group("elective", "别的选考", ("00009",), pick=1),))
    shuffled = dataclasses.replace(bundle, plans=(decoy, *bundle.plans))
    group = row(rows(shuffled, decision), "group:elective")
    assert [o["code"] for o in group["options"]] == ["00149", "00058"]
