"""Hypothesis strategies: realistic eligibility requests, and small synthetic bundles.

- ``requests(bundle)``: a Request for a (university, major) of ``bundle`` that has
  a plan: a transcript drawn mostly from the plan's courses (most passed, some
  failed), plus other catalogue courses, old codes covered by the bundle's
  equivalences, exemptions, unverified old-plan cards, duplicates, unknown codes;
  a substitution choice of 0-6 codes (sometimes required or unpassed ones); a
  prior diploma present / absent / mismatching / unverified; ``as_of`` across
  2017-2027; now and then a named edition.
- ``synthetic_bundles()``: small random catalogues and plans (required courses,
  pick / min_credits groups, practicals, theses, several editions) with
  one-to-one and pool equivalences and an English-(II)-like substitution, built
  through ``bundle_from_files`` so they pass the loader's validation.
- ``synthetic_files(...)``: the file dict for a hand-made bundle (used by tests).
"""
from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from service.rules.conditions import Appraisal, Sanction
from service.rules.inputs import Candidate, Exception_, PriorDiploma, Record, Request
from service.rules.loader import bundle_from_files

SOURCE = {"title": "synthetic test data", "reference": "tests/strategies.py"}

DEFAULT_POLICY = {
    "id": "test-policy",
    "title": "test policy",
    "pass_mark": 60,
    "passing_grades": ["优秀", "良好", "中等", "合格"],
    "practical_needs_theory": True,
    "thesis_levels": ["专升本"],
    "prior_diploma": {"levels": ["专升本"], "match": ["name", "id_number", "gender"]},
}


def synthetic_files(courses, plans, *, equivalences=(), substitutions=(), policy=None, universities=None):
    """Files for ``bundle_from_files``.

    ``courses``: {code: {"name", "credits", "kind", ["theory"]}};
    ``plans``: list of plan dicts (university, major, name, level, edition,
    effective {from[, until]}, min_credits, required[, groups][, thesis]);
    majors are derived from the plans.
    """
    unis = universities or sorted({p["university"] for p in plans})
    majors, seen = [], set()
    for p in plans:
        key = (p["university"], p["major"])
        if key not in seen:
            seen.add(key)
            majors.append({"university": p["university"], "code": p["major"], "name": p["name"], "level": p["level"]})
    files = {
        "curricula/catalogue.yaml": {"source": SOURCE, "courses": {c: dict(v) for c, v in courses.items()}},
        "curricula/universities.yaml": {"source": SOURCE,
                                        "universities": {u: {"name": f"{u} 大学"} for u in unis}},
        "curricula/majors.yaml": {"source": SOURCE, "majors": majors},
        "rulesets/shanxi/policy.yaml": {"source": SOURCE, "policy": dict(policy or DEFAULT_POLICY),
                                        "substitutions": [dict(s, source=SOURCE) for s in substitutions]},
        "rulesets/shanxi/equivalences.yaml": {"source": SOURCE,
                                              "equivalences": [dict(e, source=SOURCE) for e in equivalences]},
    }
    if not substitutions:
        del files["rulesets/shanxi/policy.yaml"]["substitutions"]
    for p in plans:
        plan = dict(p)
        plan.setdefault("source", SOURCE)
        files[f"curricula/plans/{p['university']}/{p['major']}-{p['edition']}.yaml"] = plan
    return files


def synthetic_bundle(courses, plans, **kw):
    return bundle_from_files(synthetic_files(courses, plans, **kw))


# ----------------------------------------------------------------- requests ---

NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静"]
IDS = ["140105199001011234", "14010519920202432X", "140202198812125678"]
GENDERS = ["男", "女"]
GRADES_PASS = ["优秀", "良好", "中等", "合格"]
SCORES_FAIL = ["0", "35", "59", "不合格", "缺考", "60.5", "-1"]
FIRST, LAST = dt.date(2017, 1, 1), dt.date(2027, 12, 31)


def _dates(lo=dt.date(2008, 1, 1), hi=dt.date(2027, 12, 31)):
    return st.dates(min_value=lo, max_value=hi)


@st.composite
def _passing_record(draw, code, bundle, clean=False):
    kind = bundle.catalogue[code].kind if code in bundle.catalogue else "theory"
    source = draw(st.sampled_from(["exam"] * 8 + ["exemption", "old-plan", "transfer-in"]))
    if clean and source == "old-plan":
        source = "exam"
    if source == "exemption":
        score = "免考"
    elif kind == "thesis" or draw(st.integers(0, 9)) == 0:
        score = draw(st.sampled_from(GRADES_PASS))
    else:
        score = str(draw(st.integers(60, 100)))
    verified = True
    if source == "old-plan":
        verified = draw(st.booleans())
        if clean:
            verified = True
    elif not clean and draw(st.integers(0, 19)) == 0:
        verified = False
    date = draw(st.one_of(st.none(), _dates())) if draw(st.integers(0, 5)) == 0 else draw(_dates())
    credits = None
    if code not in bundle.catalogue:
        credits = draw(st.one_of(st.none(), st.integers(1, 8)))
    elif draw(st.integers(0, 9)) == 0:
        credits = draw(st.integers(1, 8))  # ignored: the catalogue's credits win
    return Record(code=code, score=score, source=source, date=date, credits=credits, verified=verified)


@st.composite
def _failing_record(draw, code, bundle):
    score = draw(st.sampled_from(SCORES_FAIL + [str(draw(st.integers(0, 59)))]))
    source = draw(st.sampled_from(["exam", "exam", "old-plan", "transfer-in"]))
    date = draw(st.one_of(st.none(), _dates()))
    credits = None if code in bundle.catalogue else draw(st.one_of(st.none(), st.integers(1, 8)))
    return Record(code=code, score=score, source=source, date=date, credits=credits,
                  verified=draw(st.booleans()) if source == "old-plan" else True)


@st.composite
def requests(draw, bundle):
    """A realistic Request for ``bundle`` (strategy)."""
    keys = sorted({(p.university, p.major) for p in bundle.plans})
    university, major = draw(st.sampled_from(keys))
    plans = sorted(bundle.plans_for(university, major), key=lambda p: (p.effective_from, p.edition))
    target = draw(st.sampled_from(plans))

    # as_of: mostly inside the target plan's window, sometimes anywhere 2017-2027
    lo = max(target.effective_from, FIRST)
    hi = min(target.effective_until or LAST, LAST)
    if lo <= hi and draw(st.integers(0, 9)) > 0:
        as_of = draw(st.dates(min_value=lo, max_value=hi))
    else:
        as_of = draw(st.dates(min_value=FIRST, max_value=LAST))
    edition = None
    if draw(st.integers(0, 9)) == 0:
        edition = draw(st.sampled_from([p.edition for p in plans] + ["1999"]))

    plan_codes = list(dict.fromkeys(c for p in plans for c in p.codes()))
    target_codes = list(target.codes())
    old_codes = sorted({o for e in bundle.policy.equivalences for o in e.old
                        if set(e.new) & set(plan_codes)}
                       | {n for e in bundle.policy.equivalences if e.direction != "old-to-new"
                          for n in e.new if set(e.old) & set(plan_codes)})
    other_codes = sorted(set(bundle.catalogue) - set(plan_codes))

    records = []
    pass_rate = draw(st.sampled_from([1.0, 1.0, 0.95, 0.85, 0.7]))
    clean = draw(st.booleans())  # a clean transcript: every pass verified
    partner = {}  # plan code -> a course that may stand for it (either direction)
    for e in bundle.policy.equivalences:
        if e.kind == "one-to-one":
            if e.direction != "new-to-old":
                partner.setdefault(e.new[0], e.old[0])
            if e.direction != "old-to-new":
                partner.setdefault(e.old[0], e.new[0])
    for code in target_codes:
        roll = draw(st.floats(0, 1))
        if code in partner and draw(st.integers(0, 2)) == 0:
            records.append(draw(_passing_record(partner[code], bundle, clean)))
        elif roll < pass_rate:
            records.append(draw(_passing_record(code, bundle, clean)))
        elif roll < pass_rate + (1 - pass_rate) / 2:
            records.append(draw(_failing_record(code, bundle)))
        # else: no record at all
    extra = draw(st.integers(0, 12))
    for _ in range(extra):
        pool = draw(st.sampled_from(["plan", "plan", "old", "other", "other", "unknown"]))
        if pool == "plan":
            code = draw(st.sampled_from(plan_codes))
        elif pool == "old" and old_codes:
            code = draw(st.sampled_from(old_codes))
        elif pool == "other" and other_codes:
            code = draw(st.sampled_from(other_codes))
        else:
            code = draw(st.sampled_from(["99901", "99902", "88801"]))
        if draw(st.integers(0, 3)) == 0:
            records.append(draw(_failing_record(code, bundle)))
        else:
            records.append(draw(_passing_record(code, bundle)))
    # a replaced course held on an unverified old-plan card beside a substitution set (one slot, one count)
    replaced = [s.replaces for s in bundle.policy.substitutions if s.replaces in target.required]
    set_chosen = ()
    if replaced and draw(st.integers(0, 3)) == 0:
        records = [r for r in records if r.code != replaced[0]]
        records.append(Record(code=replaced[0], score="70", source="old-plan", date=draw(_dates()), verified=False))
        set_chosen = tuple(draw(st.lists(st.sampled_from(other_codes or target_codes), min_size=1, max_size=4)))
        for code in set_chosen:
            records.append(Record(code=code, score="80", source="exam", date=draw(_dates())))
    records = draw(st.permutations(records)) if records else []

    # the candidate's substitution choice: 0-6 codes
    choice_pool = sorted(set([r.code for r in records] + list(target.required) + other_codes[:10]))
    substitution = tuple(draw(st.lists(st.sampled_from(choice_pool), min_size=0, max_size=6))) \
        if draw(st.integers(0, 2)) > 0 else ()
    if set_chosen and draw(st.booleans()):
        substitution = set_chosen

    exceptions = draw(_exceptions(bundle, target_codes, plan_codes, other_codes, records))
    for exc in exceptions:
        if draw(st.integers(0, 2)) > 0:  # mostly the course an exception is for is one the candidate lacks
            records = [r for r in records if r.code != exc.course]
        if exc.by and draw(st.integers(0, 2)) > 0:  # a substitute's course mostly passed, now and then unverified
            records.append(draw(_passing_record(exc.by, bundle)))

    candidate = Candidate(
        exam_number=str(draw(st.integers(10 ** 11, 10 ** 12 - 1))),
        name=draw(st.sampled_from(NAMES)),
        id_number=draw(st.sampled_from(IDS)),
        gender=draw(st.sampled_from(GENDERS)),
    )
    shape = draw(st.sampled_from(["absent", "match", "match", "match", "match", "unverified", "mismatch"]))
    prior = None
    if shape != "absent":
        name, id_number, gender = candidate.name, candidate.id_number, candidate.gender
        if shape == "mismatch":
            fields = draw(st.sets(st.sampled_from(["name", "id_number", "gender"]), min_size=1))
            if "name" in fields:
                name = name + "某"
            if "id_number" in fields:
                id_number = "1401" + id_number[4:][::-1]
            if "gender" in fields:
                gender = "女" if gender == "男" else "男"
        prior = PriorDiploma(name=name, id_number=id_number, gender=gender,
                             verified=(shape != "unverified") and draw(st.integers(0, 9)) > 0,
                             certificate_no="1" + str(draw(st.integers(10 ** 15, 10 ** 16))), level="专科")
    return Request(candidate=candidate, university=university, major=major, records=tuple(records),
                   as_of=as_of, substitution=substitution, prior_diploma=prior, edition=edition,
                   exceptions=exceptions,
                   sanctions=draw(_sanctions(as_of)), conduct_appraisal=draw(_appraisals(bundle)))


@st.composite
def _exceptions(draw, bundle, target_codes, plan_codes, other_codes, records):
    """0-3 staff-recorded exceptions: substitutes and waivers, mostly for the target plan's courses.

    Some name a course of another edition only, two may name one course, a substitute's course may be
    a plan course (used up), another exception's course, or one the candidate did not pass.
    """
    n = draw(st.sampled_from([0, 0, 1, 1, 2, 3]))
    ids = draw(st.lists(st.integers(1, 60), min_size=n, max_size=n, unique=True))
    out = []
    for exc_id in ids:
        course = draw(st.sampled_from(target_codes if draw(st.integers(0, 4)) else plan_codes))
        if draw(st.integers(0, 3)) == 0:
            out.append(Exception_(exc_id, "waive", course))
            continue
        pool = other_codes or plan_codes
        if draw(st.integers(0, 4)) == 0:
            pool = plan_codes + [r.code for r in records] + ["99901"]
        out.append(Exception_(exc_id, "substitute", course, draw(st.sampled_from(pool))))
    return tuple(out)




@st.composite
def _sanctions(draw, as_of):
    """0-3 延迟毕业 periods of 1-3 years, some holding ``as_of``, some ending or starting on it."""
    out = []
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 1, 2, 3]))):
        where = draw(st.sampled_from(["around", "before", "after", "ends_on", "starts_on"]))
        years = draw(st.integers(1, 3))
        if where == "around":
            start = as_of - dt.timedelta(days=draw(st.integers(0, 360 * years)))
        elif where == "before":
            start = as_of - dt.timedelta(days=365 * years + draw(st.integers(1, 400)))
        elif where == "after":
            start = as_of + dt.timedelta(days=draw(st.integers(1, 400)))
        elif where == "ends_on":
            start = as_of - dt.timedelta(days=365 * years)
        else:
            start = as_of
        until = start + dt.timedelta(days=365 * years)
        out.append(Sanction(start, until, f"晋招考违〔{start.year}〕{draw(st.integers(1, 30))}号",
                            draw(st.sampled_from(["", "代考", "夹带"]))))
    return tuple(out)


@st.composite
def _appraisals(draw, bundle):
    """Not assessed (most often), awaiting the county office, or one of the policy's levels (or an unknown one)."""
    shape = draw(st.sampled_from(["absent", "absent", "awaiting", "level", "level", "other"]))
    if shape == "absent":
        return None
    if shape == "awaiting":
        return Appraisal()
    levels = bundle.policy.conduct.levels if bundle.policy.conduct else ("合格", "不合格")
    result = draw(st.sampled_from(levels)) if shape == "level" else "待定"
    return Appraisal(result, "county:xiaodian", "2025-11-25T10:00:00+08:00")


# --------------------------------------------------------- synthetic bundles ---

@st.composite
def synthetic_bundles(draw):
    """A small random bundle that passes the loader's validation."""
    n_theory = draw(st.integers(6, 16))
    codes = [f"{20001 + i:05d}" for i in range(n_theory + 8)]
    courses, theories, practicals, theses = {}, [], [], []
    for code in codes[:n_theory]:
        courses[code] = {"name": f"课程{code}", "credits": draw(st.integers(1, 8)), "kind": "theory"}
        theories.append(code)
    n_prac = draw(st.integers(0, 3))
    for code in codes[n_theory:n_theory + n_prac]:
        courses[code] = {"name": f"实践{code}", "credits": draw(st.integers(1, 3)), "kind": "practical"}
        if draw(st.integers(0, 3)) == 0:  # 通过本专业 n 门及以上课程方可报考
            courses[code]["requires_passed"] = draw(st.integers(1, 8))
        else:
            courses[code]["theory"] = draw(st.sampled_from(theories))
        practicals.append(code)
    for code in codes[n_theory + 5:n_theory + 5 + draw(st.integers(1, 2))]:
        courses[code] = {"name": f"论文{code}", "credits": draw(st.integers(0, 6)), "kind": "thesis"}
        theses.append(code)
    credit = {c: v["credits"] for c, v in courses.items()}

    level = draw(st.sampled_from(["专科", "专升本"]))
    revision = draw(st.sampled_from([1, 2, 2]))
    n_editions = draw(st.integers(1, 2))
    plans = []
    starts = sorted(draw(st.lists(st.dates(dt.date(2016, 1, 1), dt.date(2026, 1, 1)),
                                  min_size=n_editions, max_size=n_editions, unique=True)))
    for k in range(n_editions):
        usable = theories + practicals
        chosen = draw(st.lists(st.sampled_from(usable), min_size=3, max_size=min(len(usable), 12), unique=True))
        # required practicals need their theory in the plan: put the theory in too
        for c in list(chosen):
            if courses[c]["kind"] == "practical" and "theory" in courses[c] and courses[c]["theory"] not in chosen:
                chosen.append(courses[c]["theory"])
        n_groups = draw(st.integers(0, 2))
        group_courses = []
        rest = list(chosen)
        for _ in range(n_groups):
            if len(rest) < 4:
                break
            size = draw(st.integers(2, min(4, len(rest) - 2)))
            members = rest[-size:]
            rest = [c for c in rest if c not in members]
            group_courses.append(members)
        groups = []
        for g, members in enumerate(group_courses):
            if draw(st.booleans()):
                groups.append({"id": f"g{g}", "name": f"组{g}", "courses": members,
                               "pick": draw(st.integers(1, len(members)))})
            else:
                total = sum(credit[c] for c in members)
                groups.append({"id": f"g{g}", "name": f"组{g}", "courses": members,
                               "min_credits": draw(st.integers(1, total))})
        thesis = draw(st.sampled_from([None] + theses))
        if revision >= 2 and level != "专升本":  # a revision-2 ruleset refuses a thesis where theses are not
            thesis = None
        total = sum(credit[c] for c in chosen) + (credit[thesis] if thesis else 0)
        if groups:
            min_credits = draw(st.integers(1, max(1, total)))
        else:
            min_credits = draw(st.integers(max(1, total - 6), max(1, total)))
        until = None
        if k + 1 < n_editions and draw(st.booleans()):
            until = starts[k + 1] + dt.timedelta(days=draw(st.integers(0, 800)))
        effective = {"from": starts[k].isoformat()}
        if until:
            effective["until"] = until.isoformat()
        plan = {"university": "uni-a", "major": "123456", "name": "测试专业", "level": level,
                "edition": str(2016 + k * 4 + draw(st.integers(0, 3))), "effective": effective,
                "min_credits": min_credits, "required": rest}
        if groups:
            plan["groups"] = groups
        if thesis:
            plan["thesis"] = thesis
        plans.append(plan)
    if len({p["edition"] for p in plans}) < len(plans):
        plans[1]["edition"] = plans[0]["edition"] + "b"

    # equivalences: old codes mostly outside the plans (extra catalogue courses)
    olds = []
    for code in codes[n_theory + n_prac:n_theory + 5]:
        courses[code] = {"name": f"旧课{code}", "credits": draw(st.integers(1, 8)), "kind": "theory"}
        olds.append(code)
    credit = {c: v["credits"] for c, v in courses.items()}
    plan_codes = sorted({c for p in plans for c in p["required"] + [x for g in p.get("groups", [])
                                                                       for x in g["courses"]]})
    equivalences = []
    for i in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["one-to-one", "pool"]))
        old_pool = olds + (plan_codes if draw(st.integers(0, 4)) == 0 else [])
        if kind == "one-to-one":
            old = draw(st.sampled_from(old_pool))
            new = draw(st.sampled_from([c for c in plan_codes if c != old] or plan_codes))
            if old == new:
                continue
            eq = {"id": f"eq{i}", "kind": "one-to-one", "old": old, "new": new}
            direction = draw(st.sampled_from([None, None, "old-to-new", "new-to-old", "both", "both"]))
            if direction:
                eq["direction"] = direction
            if direction in ("new-to-old", "both") and draw(st.booleans()):
                # the plan prints the old code; a course examined since the change stands for it
                eq["old"], eq["new"] = new, old
        else:
            old = draw(st.lists(st.sampled_from(old_pool), min_size=1, max_size=4, unique=True))
            new = draw(st.lists(st.sampled_from([c for c in plan_codes if c not in old] or plan_codes),
                                min_size=1, max_size=4, unique=True))
            if set(old) & set(new):
                continue
            eq = {"id": f"eq{i}", "kind": "pool", "old": old, "new": new,
                  "credits_at_least": draw(st.booleans())}
        if draw(st.integers(0, 3)) == 0:
            bounds = draw(st.lists(st.dates(dt.date(2016, 1, 1), dt.date(2027, 1, 1)), min_size=2, max_size=2))
            eq["effective"] = {k: v.isoformat() for k, v in zip(("from", "until"), sorted(bounds), strict=True)
                               if draw(st.booleans())}
        if draw(st.integers(0, 3)) == 0:
            eq["passed_before"] = draw(st.dates(dt.date(2012, 1, 1), dt.date(2026, 1, 1))).isoformat()
        equivalences.append(eq)

    substitutions = []
    required_all = sorted({c for p in plans for c in p["required"]})
    if required_all and draw(st.integers(0, 2)) > 0:
        substitutions.append({
            "id": "english-x",
            "replaces": draw(st.sampled_from(required_all)),
            "min_credits": draw(st.integers(1, 14)),
            "levels": draw(st.sampled_from([["专科", "专升本"], [level], ["专科"] if level == "专升本" else ["专升本"]])),
            **({"majors": ["123456"]} if draw(st.booleans()) else {}),
        })
    policy = dict(DEFAULT_POLICY)
    policy["practical_needs_theory"] = draw(st.sampled_from([True, True, False]))
    policy["pass_mark"] = draw(st.sampled_from([60, 60, 70]))
    if revision >= 2:
        policy["revision"] = revision
    if draw(st.integers(0, 3)) > 0:  # 思想品德鉴定 levels as data; sometimes in force only from a date
        levels = draw(st.sampled_from([["合格", "不合格"], ["优秀", "合格", "不合格"]]))
        policy["conduct_appraisal"] = {"levels": levels, "passing": [x for x in levels if x != "不合格"]}
        if draw(st.booleans()):
            policy["conduct_appraisal"]["effective_from"] = draw(st.dates(dt.date(2016, 1, 1),
                                                                          dt.date(2027, 1, 1))).isoformat()
    return synthetic_bundle(courses, plans, equivalences=equivalences, substitutions=substitutions,
                            policy=policy)
