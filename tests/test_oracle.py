"""Hand-written cases for the reference evaluator (service/rules/oracle.py).

Each expectation is worked out by hand from docs/rules-semantics.md, against the
shipped bundle where it has the case, else a small bundle built in the test.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from support.strategies import synthetic_bundle

from service.errors import NoPlan, NotFound
from service.rules import oracle
from service.rules.inputs import Candidate, PriorDiploma, Record, Request
from service.rules.loader import load_bundle

ROOT = Path(__file__).resolve().parent.parent
CANDIDATE = Candidate(exam_number="014012345678", name="张伟", id_number="140105199001011234", gender="男")
DIPLOMA = PriorDiploma(name="张伟", id_number="140105199001011234", gender="男", verified=True,
                       certificate_no="118011202006001234", level="专科")
D = dt.date(2022, 6, 1)

MARKETING = ["00009", "00018", "00019", "00020", "00041", "00043", "00058", "00065", "00144",
             "00153", "00177", "00178", "00179", "00181", "00182", "03706", "04729", "12656"]
ACC_2017_REQUIRED = ["03709", "03708", "00015", "04183", "04184", "00051", "00052", "00150", "00158",
                     "00161", "00159", "00160", "00070"]
ACC_2024_REQUIRED = ["03708", "03709", "13000", "04184", "13887", "13683", "13140", "13752", "13753",
                     "08119", "00160", "13141", "11002", "03409", "14033"]


@pytest.fixture(scope="module")
def shipped():
    return load_bundle(ROOT)


def passes(codes, **kw):
    return tuple(Record(code=c, score="75", date=D, **kw) for c in codes)


def request(university, major, records, as_of=dt.date(2025, 6, 1), **kw):
    return Request(candidate=CANDIDATE, university=university, major=major, records=tuple(records),
                   as_of=as_of, **kw)


def req(decision, rid):
    for r in decision["requirements"]:
        if r["id"] == rid:
            return r
    raise AssertionError(f"no requirement {rid} in {[r['id'] for r in decision['requirements']]}")


# ------------------------------------------------------- 市场营销 (专科) 630701 ---

def test_marketing_all_passed_is_eligible(shipped):
    d = oracle.evaluate(shipped, request("sxufe", "630701", passes(MARKETING)))
    assert set(d) == {"edition", "eligible", "status", "requirements", "credits", "unused",
                      "ignored_records", "alternatives", "unused_inputs"}  # the shipped policy is revision 2
    assert d["edition"] == "2021"
    assert d["eligible"] is True and d["status"] == "eligible"
    assert [r["id"] for r in d["requirements"]] == [f"course:{c}" for c in MARKETING] + ["credits"]
    assert d["credits"] == {"earned": 78, "earned_verified": 78, "required": 70}
    assert req(d, "credits") == {"id": "credits", "kind": "credits", "status": "met", "counted": [],
                                 "missing": [], "measure": {"verified": 78, "all": 78, "required": 70}, "notes": []}
    assert req(d, "course:00009") == {
        "id": "course:00009", "kind": "course", "status": "met",
        "counted": [{"code": "00009", "for": "00009", "credits": 6, "verified": True, "via": "direct"}],
        "missing": [], "notes": []}
    assert d["unused"] == [] and d["ignored_records"] == [] and d["unused_inputs"] == []
    assert d["alternatives"] == [{"edition": "2021", "status": "eligible", "unmet": []}]


def test_marketing_missing_00181(shipped):
    records = passes([c for c in MARKETING if c != "00181"]) + (Record("00181", "52", date=D),)
    d = oracle.evaluate(shipped, request("sxufe", "630701", records))
    assert d["status"] == "not_eligible" and d["eligible"] is False
    r = req(d, "course:00181")
    assert r["status"] == "unmet" and r["missing"] == ["00181"] and r["counted"] == []
    assert d["credits"]["earned"] == 74
    assert req(d, "credits")["status"] == "met"
    assert d["ignored_records"] == [{"code": "00181", "reason": "not_passed"}]
    assert d["alternatives"] == [{"edition": "2021", "status": "not_eligible", "unmet": ["course:00181"]}]


def test_practical_without_its_theory(shipped):
    records = passes([c for c in MARKETING if c != "00018"])
    d = oracle.evaluate(shipped, request("sxufe", "630701", records))
    r = req(d, "course:00019")
    assert r["status"] == "unmet"
    assert r["notes"] == ["theory_not_passed"]
    assert r["counted"] == [] and r["missing"] == ["00019"]
    assert req(d, "course:00018")["status"] == "unmet"
    assert req(d, "course:00018")["notes"] == []
    assert "00019" in d["unused"]  # passed but claimed by nobody
    assert d["credits"]["earned"] == 78 - 4


def test_practical_with_pending_theory_is_pending(shipped):
    records = passes([c for c in MARKETING if c != "00018"]) + (
        Record("00018", "80", source="old-plan", date=D, verified=False),)
    d = oracle.evaluate(shipped, request("sxufe", "630701", records))
    assert req(d, "course:00018")["status"] == "pending"
    r = req(d, "course:00019")
    assert r["status"] == "pending" and r["notes"] == []
    # the practical's own record is verified, but its status is min(2, 1) = 1: not verified
    assert r["counted"] == [{"code": "00019", "for": "00019", "credits": 2, "verified": False, "via": "direct"}]
    assert d["credits"] == {"earned": 78, "earned_verified": 74, "required": 70}
    assert d["status"] == "pending_verification"


def test_old_plan_unverified_is_pending(shipped):
    records = passes([c for c in MARKETING if c != "00043"]) + (
        Record("00043", "66", source="old-plan", date=dt.date(2015, 1, 10), verified=False),)
    d = oracle.evaluate(shipped, request("sxufe", "630701", records))
    assert d["status"] == "pending_verification" and d["eligible"] is False
    r = req(d, "course:00043")
    assert r["status"] == "pending" and r["missing"] == []
    assert r["counted"] == [{"code": "00043", "for": "00043", "credits": 4, "verified": False, "via": "direct"}]
    assert d["credits"] == {"earned": 78, "earned_verified": 74, "required": 70}
    assert req(d, "credits")["status"] == "met"


def test_best_record_prefers_verified_then_earliest(shipped):
    records = passes([c for c in MARKETING if c != "00043"]) + (
        Record("00043", "66", source="old-plan", date=dt.date(2015, 1, 10), verified=False),
        Record("00043", "40", date=dt.date(2016, 1, 10)),
        Record("00043", "61", source="exam", date=dt.date(2019, 1, 10)),
        Record("00043", "免考", source="exemption", date=dt.date(2018, 1, 10)),
    )
    d = oracle.evaluate(shipped, request("sxufe", "630701", records))
    assert req(d, "course:00043")["status"] == "met"
    assert d["status"] == "eligible"
    assert d["ignored_records"] == [{"code": "00043", "reason": "not_passed"}]


def test_grades_scores_and_unknown_courses(shipped):
    records = passes([c for c in MARKETING if c not in ("00020", "00065")]) + (
        Record("00020", "合格", date=D),
        Record("00065", "60.0", date=D),       # not a whole number
        Record("99901", "88", date=D),          # unknown, no credits
        Record("99902", "88", date=D, credits=3),  # unknown, own credits
    )
    d = oracle.evaluate(shipped, request("sxufe", "630701", records))
    assert req(d, "course:00020")["status"] == "met"
    assert req(d, "course:00065")["status"] == "unmet"
    assert d["ignored_records"] == [{"code": "00065", "reason": "not_passed"},
                                    {"code": "99901", "reason": "unknown_course"}]
    assert d["unused"] == ["99902"]


def test_unknown_major_and_no_plan_in_force(shipped):
    with pytest.raises(NotFound):
        oracle.evaluate(shipped, request("sxufe", "999999", passes(MARKETING)))
    with pytest.raises(NoPlan, match="no_plan_in_force") as exc:
        oracle.evaluate(shipped, request("sxufe", "630701", passes(MARKETING), as_of=dt.date(2020, 12, 31)))
    assert exc.value.status == 422 and exc.value.code == "no_plan_in_force"
    with pytest.raises(NoPlan, match="no_plan_in_force"):
        oracle.evaluate(shipped, request("sxufe", "630701", passes(MARKETING), edition="2017"))


# ---------------------------------------------------- 会计学 (专升本) 120203K ---

def acc_2017(records, substitution=(), prior=DIPLOMA, as_of=dt.date(2023, 6, 1), **kw):
    return request("sxufe", "120203K", records, as_of=as_of, substitution=tuple(substitution),
                   prior_diploma=prior, **kw)


def test_2017_english_ii_met_by_substitution(shipped):
    base = [c for c in ACC_2017_REQUIRED if c != "00015"] + ["00149", "10199"]
    records = passes(base) + passes(["00058", "00162", "04729"])
    d = oracle.evaluate(shipped, acc_2017(records, ["00162", "04729", "00058"]))
    assert d["edition"] == "2017"
    r = req(d, "course:00015")
    assert r["status"] == "met"
    assert r["missing"] == [] and r["notes"] == []
    assert r["substitution"] == {"id": "english-ii", "accepted": ["00058", "00162", "04729"], "rejected": [],
                                 "measure": {"verified": 14, "all": 14, "required": 14}}
    assert r["counted"] == [
        {"code": "00058", "for": "00015", "credits": 5, "verified": True, "via": "substitution:english-ii"},
        {"code": "00162", "for": "00015", "credits": 5, "verified": True, "via": "substitution:english-ii"},
        {"code": "04729", "for": "00015", "credits": 4, "verified": True, "via": "substitution:english-ii"},
    ]
    # 00058 was chosen, so the elective group takes 00149
    g = req(d, "group:elective")
    assert g["status"] == "met"
    assert g["counted"] == [{"code": "00149", "for": "00149", "credits": 6, "verified": True, "via": "direct"}]
    assert g["measure"] == {"verified": 1, "all": 1, "required": 1}
    assert req(d, "thesis:10199")["status"] == "met"
    assert req(d, "prior-diploma") == {"id": "prior-diploma", "kind": "prior-diploma", "status": "met",
                                       "counted": [], "missing": [], "notes": []}
    assert [r["id"] for r in d["requirements"]] == (
        [f"course:{c}" for c in ACC_2017_REQUIRED] + ["group:elective", "thesis:10199", "prior-diploma", "credits"])
    # 48 (12 required without 00015) + 6 (00149) + 14 (substitution) + 6 (thesis)
    assert d["credits"] == {"earned": 74, "earned_verified": 74, "required": 67}
    assert d["status"] == "eligible"


def test_substitution_rejections(shipped):
    base = [c for c in ACC_2017_REQUIRED if c != "00015"] + ["00149", "10199"]
    records = passes(base) + passes(["00162"]) + (Record("00058", "41", date=D),)
    choice = ["00051", "00162", "00058", "00015", "00149", "00162"]
    d = oracle.evaluate(shipped, acc_2017(records, choice))
    r = req(d, "course:00015")
    assert r["substitution"]["accepted"] == ["00149", "00162"]
    assert r["substitution"]["rejected"] == [
        {"code": "00015", "reason": "not_passed"},
        {"code": "00051", "reason": "counted_elsewhere:course:00051"},
        {"code": "00058", "reason": "not_passed"},
    ]
    # 00149 was chosen: excluded from the elective group, so the group is unmet
    # and 00149 goes to the substitution.
    assert r["substitution"]["measure"] == {"verified": 11, "all": 11, "required": 14}
    assert r["status"] == "unmet" and r["missing"] == ["00015"]
    g = req(d, "group:elective")
    assert g["status"] == "unmet" and g["missing"] == ["00058"] and g["counted"] == []
    assert d["status"] == "not_eligible"


def test_substitution_pending_and_not_needed(shipped):
    base = [c for c in ACC_2017_REQUIRED if c != "00015"] + ["00149", "10199"]
    # an unverified old-plan pass in the chosen set: verified 10 < 14 <= all 15 -> pending
    records = passes(base) + passes(["00162", "00058"]) + (
        Record("00009", "70", source="old-plan", date=D, verified=False),)
    d = oracle.evaluate(shipped, acc_2017(records, ["00162", "00058", "00009"]))
    r = req(d, "course:00015")
    assert r["substitution"]["measure"] == {"verified": 10, "all": 16, "required": 14}
    assert r["status"] == "pending"
    assert r["missing"] == ["00015"]  # not held itself; the requirement is not met yet
    assert d["status"] == "pending_verification"
    # with 00015 itself passed: the substitution is not used
    d = oracle.evaluate(shipped, acc_2017(records + passes(["00015"]), ["00162", "00058"]))
    r = req(d, "course:00015")
    assert r["status"] == "met" and r["notes"] == ["substitution_not_needed"]
    assert r["substitution"] == {"id": "english-ii", "accepted": [], "rejected": [],
                                 "measure": {"verified": 0, "all": 0, "required": 14}}
    assert r["counted"] == [{"code": "00015", "for": "00015", "credits": 14, "verified": True, "via": "direct"}]
    # 00058 is no longer excluded from the group; 00149 (6 credits) still goes first
    assert req(d, "group:elective")["counted"][0]["code"] == "00149"
    assert d["unused"] == ["00009", "00058", "00162"]


def test_zhuanshengben_without_prior_diploma(shipped):
    base = [c for c in ACC_2017_REQUIRED] + ["00149", "10199"]
    d = oracle.evaluate(shipped, acc_2017(passes(base), prior=None))
    r = req(d, "prior-diploma")
    assert r["status"] == "unmet" and r["notes"] == []
    assert d["status"] == "not_eligible"


def test_prior_diploma_gender_mismatch(shipped):
    base = [c for c in ACC_2017_REQUIRED] + ["00149", "10199"]
    wrong = PriorDiploma(name="张伟", id_number="140105199001011234", gender="女", verified=True)
    d = oracle.evaluate(shipped, acc_2017(passes(base), prior=wrong))
    r = req(d, "prior-diploma")
    assert r["status"] == "unmet" and r["notes"] == ["mismatch:gender"]
    # matching but unverified -> pending
    unverified = PriorDiploma(name="张伟", id_number="140105199001011234", gender="男", verified=False)
    d = oracle.evaluate(shipped, acc_2017(passes(base), prior=unverified))
    assert req(d, "prior-diploma")["status"] == "pending"
    assert d["status"] == "pending_verification"


def test_shipped_one_to_one_00015_for_13000(shipped):
    # the 2024 会计学 plan requires 13000 英语(专升本); an old 00015 pass stands for it
    records = passes([c for c in ACC_2024_REQUIRED if c != "13000"] + ["00015", "14848"])
    d = oracle.evaluate(shipped, request("sxufe", "120203K", records, as_of=dt.date(2026, 3, 1),
                                         prior_diploma=DIPLOMA))
    assert d["edition"] == "2024"
    r = req(d, "course:13000")
    assert r["status"] == "met"
    assert r["counted"] == [{"code": "00015", "for": "13000", "credits": 14, "verified": True,
                             "via": "equivalence:english-ii-to-13000"}]
    # 70 - 7 (13000) + 14 (00015) + 0 (thesis)
    assert d["credits"]["earned"] == 77
    assert d["status"] == "eligible" and d["unused"] == []
    assert d["alternatives"] == [{"edition": "2024", "status": "eligible", "unmet": []}]


def test_edition_choice_2025_both_in_force(shipped):
    as_of = dt.date(2025, 6, 1)
    # passes for the 2024 edition only: 2017 (evaluated first) is not eligible, 2024 is
    records = passes(ACC_2024_REQUIRED + ["14848"])
    d = oracle.evaluate(shipped, request("sxufe", "120203K", records, as_of=as_of, prior_diploma=DIPLOMA))
    assert d["edition"] == "2024" and d["status"] == "eligible"
    assert [a["edition"] for a in d["alternatives"]] == ["2017", "2024"]
    assert d["alternatives"][0]["status"] == "not_eligible"
    assert d["alternatives"][1] == {"edition": "2024", "status": "eligible", "unmet": []}

    # passes for both: the first eligible one (oldest, 2017) is used
    both = passes(sorted(set(ACC_2017_REQUIRED + ["00149", "10199"] + ACC_2024_REQUIRED + ["14848"])))
    d = oracle.evaluate(shipped, request("sxufe", "120203K", both, as_of=as_of, prior_diploma=DIPLOMA))
    assert d["edition"] == "2017" and d["status"] == "eligible"
    assert [a["status"] for a in d["alternatives"]] == ["eligible", "eligible"]

    # eligible under neither: the fewest unmet requirements wins
    fewer = passes([c for c in ACC_2017_REQUIRED + ["00149", "10199"] if c != "00070"])
    d = oracle.evaluate(shipped, request("sxufe", "120203K", fewer, as_of=as_of, prior_diploma=DIPLOMA))
    assert d["edition"] == "2017"
    assert d["alternatives"][0]["unmet"] == ["course:00070"]
    # a tie (nothing passed, no diploma): the newest edition
    d = oracle.evaluate(shipped, request("sxufe", "120203K", (), as_of=as_of))
    n2017, n2024 = (len(a["unmet"]) for a in d["alternatives"])
    assert d["edition"] == ("2024" if n2024 <= n2017 else "2017")

    # pending beats not eligible
    pend = passes(ACC_2024_REQUIRED + ["14848"])
    pend_diploma = PriorDiploma(name="张伟", id_number="140105199001011234", gender="男", verified=False)
    d = oracle.evaluate(shipped, request("sxufe", "120203K", pend, as_of=as_of, prior_diploma=pend_diploma))
    assert d["edition"] == "2024" and d["status"] == "pending_verification"

    # a named edition evaluates that edition only
    d = oracle.evaluate(shipped, request("sxufe", "120203K", records, as_of=as_of, prior_diploma=DIPLOMA,
                                         edition="2017"))
    assert d["edition"] == "2017" and [a["edition"] for a in d["alternatives"]] == ["2017"]
    # after 2025-12-31 only 2024 is in force
    d = oracle.evaluate(shipped, request("sxufe", "120203K", both, as_of=dt.date(2026, 1, 1), prior_diploma=DIPLOMA))
    assert d["edition"] == "2024"


# ------------------------------------------------------- synthetic bundles ---

def small_bundle(equivalences, required=("15043", "20001"), groups=None, courses_extra=None, **kw):
    courses = {
        "03708": {"name": "中国近现代史纲要(旧)", "credits": 2, "kind": "theory"},
        "15043": {"name": "中国近现代史纲要", "credits": 3, "kind": "theory"},
        "20001": {"name": "课程一", "credits": 4, "kind": "theory"},
        "20002": {"name": "课程二", "credits": 5, "kind": "theory"},
        "30001": {"name": "旧课一", "credits": 3, "kind": "theory"},
        "30002": {"name": "旧课二", "credits": 6, "kind": "theory"},
        "30003": {"name": "旧课三", "credits": 2, "kind": "theory"},
    }
    courses.update(courses_extra or {})
    plan = {"university": "uni-a", "major": "123456", "name": "测试专业", "level": "专科", "edition": "2024",
            "effective": {"from": "2024-01-01"}, "min_credits": 5, "required": list(required)}
    if groups:
        plan["groups"] = groups
    return synthetic_bundle(courses, [plan], equivalences=equivalences, **kw)


def syn_request(records, **kw):
    return request("uni-a", "123456", records, as_of=dt.date(2025, 1, 1), **kw)


def test_one_to_one_03708_for_15043():
    b = small_bundle([{"id": "history", "kind": "one-to-one", "old": "03708", "new": "15043",
                       "passed_before": "2024-07-01"}])
    d = oracle.evaluate(b, syn_request(passes(["03708", "20001"])))
    r = req(d, "course:15043")
    assert r["status"] == "met"
    assert r["counted"] == [{"code": "03708", "for": "15043", "credits": 2, "verified": True,
                             "via": "equivalence:history"}]
    assert d["credits"] == {"earned": 6, "earned_verified": 6, "required": 5}
    assert d["status"] == "eligible" and d["unused"] == []
    # passed on or after passed_before, or without a date: not allowed
    late = (Record("03708", "80", date=dt.date(2024, 7, 1)),) + passes(["20001"])
    d = oracle.evaluate(b, syn_request(late))
    assert req(d, "course:15043")["status"] == "unmet" and d["unused"] == ["03708"]
    undated = (Record("03708", "80"),) + passes(["20001"])
    assert req(oracle.evaluate(b, syn_request(undated)), "course:15043")["status"] == "unmet"
    # a direct pass wins over the equivalence
    d = oracle.evaluate(b, syn_request(passes(["03708", "15043", "20001"])))
    assert req(d, "course:15043")["counted"][0]["via"] == "direct" and d["unused"] == ["03708"]


def test_pool_equivalence():
    pool = {"id": "free", "kind": "pool", "old": ["30001", "30002", "30003"], "new": ["20001", "20002"],
            "credits_at_least": True}
    b = small_bundle([pool], required=("20001", "20002"))
    # 20001 (4 cr) takes the cheapest old course with >= 4 credits: none of 30001 (3) / 30003 (2)
    # qualifies, so 30002 (6); 20002 (5) has nothing left.
    d = oracle.evaluate(b, syn_request(passes(["30001", "30002", "30003"])))
    assert req(d, "course:20001")["counted"] == [{"code": "30002", "for": "20001", "credits": 6,
                                                  "verified": True, "via": "equivalence:free"}]
    assert req(d, "course:20002")["status"] == "unmet"
    assert d["unused"] == ["30001", "30003"]
    # without credits_at_least: the fewest credits (30003, 2), then 30001 (3)
    b = small_bundle([dict(pool, credits_at_least=False)], required=("20001", "20002"))
    d = oracle.evaluate(b, syn_request(passes(["30001", "30002", "30003"])))
    assert req(d, "course:20001")["counted"][0]["code"] == "30003"
    assert req(d, "course:20002")["counted"][0]["code"] == "30001"
    assert d["unused"] == ["30002"] and d["credits"]["earned"] == 5 and d["status"] == "eligible"


def test_groups_pick_and_min_credits():
    groups = [{"id": "pick", "name": "任选", "pick": 1, "courses": ["20002", "30001"]},
              {"id": "credits", "name": "学分", "min_credits": 7, "courses": ["30002", "30003", "03708"]}]
    b = small_bundle([], required=("20001",), groups=groups)
    records = passes(["20001", "20002", "30001", "30003", "03708"]) + (
        Record("30002", "90", source="old-plan", date=D, verified=False),)
    d = oracle.evaluate(b, syn_request(records))
    g = req(d, "group:pick")
    assert g["counted"][0]["code"] == "20002" and g["measure"] == {"verified": 1, "all": 1, "required": 1}
    g = req(d, "group:credits")
    # verified first (30003: 2, 03708: 2, then code order), then the unverified 30002 (6)
    assert [c["code"] for c in g["counted"]] == ["03708", "30003", "30002"]
    assert g["measure"] == {"verified": 4, "all": 10, "required": 7}
    assert g["status"] == "pending" and g["missing"] == []
    assert d["unused"] == ["30001"]
    d = oracle.evaluate(b, syn_request(passes(["20001", "20002", "30003"])))
    g = req(d, "group:credits")
    assert g["status"] == "unmet" and g["missing"] == ["03708", "30002"]


def test_a_record_stands_for_one_plan_course_only():
    # reading R6: a record held by one plan course is used up, whichever way it was held
    eq = [{"id": "eq", "kind": "one-to-one", "old": "20002", "new": "20001"}]
    b = small_bundle(eq, required=("20002", "20001"))
    d = oracle.evaluate(b, syn_request(passes(["20002"])))
    assert req(d, "course:20002")["counted"][0]["via"] == "direct"
    assert req(d, "course:20001")["status"] == "unmet"
    assert d["credits"]["earned"] == 5
    # plan order does not matter: a record held directly for its own plan course is used up first
    b = small_bundle(eq, required=("20001", "20002"))
    d = oracle.evaluate(b, syn_request(passes(["20002"])))
    assert req(d, "course:20002")["counted"][0]["via"] == "direct"
    assert req(d, "course:20001")["status"] == "unmet"
    assert d["credits"]["earned"] == 5


def test_thesis_claims_before_the_substitution():
    # reading R9: a chosen code that is the plan's thesis is counted_elsewhere:thesis:<code>
    courses = {"20003": {"name": "论文", "credits": 4, "kind": "thesis"}}
    sub = [{"id": "english-x", "replaces": "20001", "min_credits": 3, "levels": ["专升本"]}]
    plan = {"university": "uni-a", "major": "123456", "name": "测试专业", "level": "专升本", "edition": "2024",
            "effective": {"from": "2024-01-01"}, "min_credits": 5, "required": ["20001", "20002"],
            "thesis": "20003"}
    base = small_bundle([])
    catalogue = {c: {"name": x.name, "credits": x.credits, "kind": x.kind} for c, x in base.catalogue.items()}
    catalogue.update(courses)
    b = synthetic_bundle(catalogue, [plan], substitutions=sub)
    d = oracle.evaluate(b, syn_request(passes(["20002", "20003", "30001"]), substitution=("20003", "30001"),
                                       prior_diploma=DIPLOMA))
    r = req(d, "course:20001")
    assert r["substitution"]["accepted"] == ["30001"]
    assert r["substitution"]["rejected"] == [{"code": "20003", "reason": "counted_elsewhere:thesis:20003"}]
    assert r["status"] == "met"
    assert req(d, "thesis:20003")["counted"][0]["code"] == "20003"
    assert d["status"] == "eligible"


def test_a_chosen_old_record_is_not_taken_by_a_group():
    # reading R10: a group course held through a record the candidate chose for an active
    # substitution is excluded from the group, so the chosen course goes to the substitution
    courses = {"20001": {"name": "被顶替课", "credits": 4, "kind": "theory"},
               "20002": {"name": "组课", "credits": 3, "kind": "theory"},
               "20003": {"name": "组课二", "credits": 3, "kind": "theory"},
               "30001": {"name": "旧课", "credits": 5, "kind": "theory"}}
    plan = {"university": "uni-a", "major": "123456", "name": "测试专业", "level": "专科", "edition": "2024",
            "effective": {"from": "2024-01-01"}, "min_credits": 1, "required": ["20001"],
            "groups": [{"id": "g", "name": "组", "pick": 1, "courses": ["20002", "20003"]}]}
    b = synthetic_bundle(courses, [plan],
                         equivalences=[{"id": "eq", "kind": "one-to-one", "old": "30001", "new": "20002"}],
                         substitutions=[{"id": "sub", "replaces": "20001", "min_credits": 4, "levels": ["专科"]}])
    d = oracle.evaluate(b, syn_request(passes(["30001"]), substitution=("30001",)))
    r = req(d, "course:20001")
    assert r["status"] == "met" and r["substitution"]["accepted"] == ["30001"]
    g = req(d, "group:g")
    assert g["status"] == "unmet" and g["counted"] == [] and g["missing"] == ["20003"]
