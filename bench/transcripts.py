"""Realistic evaluation request bodies (what POST /v1/evaluations receives) for every shipped plan.

A body has about 25 course records: the plan's courses (most passed, some after
a failed sitting, some failed or missing), a few courses from other plans, old
codes some equivalences map to the plan, unverified old-plan cards, and for a
plan that requires 英语(二) sometimes a failed 英语(二) with a substitution
choice.  About half the bodies are built to be eligible.  The same seed gives
the same bodies, so runs are comparable.
"""
from __future__ import annotations

import datetime as dt
import random

from service import idnumber

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "建国", "晓东"]
REGIONS = ["140105", "140106", "140107", "140202", "140302", "140402", "140581", "140702", "141002", "141102"]
GRADES = ["优秀", "良好", "中等", "合格"]


def _candidate(rng: random.Random, n: int) -> dict:
    born = dt.date(1985, 1, 1) + dt.timedelta(days=rng.randrange(0, 15 * 365))
    gender = rng.choice("男女")
    seq = rng.randrange(0, 100) * 10 + rng.choice([1, 3, 5, 7, 9] if gender == "男" else [0, 2, 4, 6, 8])
    first17 = f"{rng.choice(REGIONS)}{born:%Y%m%d}{seq:03d}"
    return {
        "exam_number": f"0101{19 + n % 7:02d}{n % 1_000_000:06d}",
        "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
        "id_number": first17 + idnumber.check_digit(first17),
        "gender": gender,
    }


def _date(rng: random.Random, lo: dt.date, hi: dt.date) -> str:
    return (lo + dt.timedelta(days=rng.randrange(0, max(1, (hi - lo).days)))).isoformat()


def _pass_score(rng: random.Random, kind: str) -> str:
    return rng.choice(GRADES) if kind == "thesis" else str(rng.randint(60, 98))


def body_for(bundle, plan, n: int, rng: random.Random) -> dict:
    """One request body for ``plan``; ``n`` numbers the candidate."""
    catalogue = bundle.catalogue
    as_of = min(plan.effective_until or dt.date(2026, 6, 30), dt.date(2026, 6, 30))
    first = max(plan.effective_from - dt.timedelta(days=4 * 365), dt.date(2012, 1, 1))
    last = as_of - dt.timedelta(days=30)
    aim_eligible = rng.random() < 0.5
    codes = list(plan.codes())
    transcript, old_cards, substitution = [], [], []

    english_failed = "00015" in plan.required and rng.random() < 0.35
    for code in codes:
        kind = catalogue[code].kind
        if code == "00015" and english_failed:
            transcript.append({"code": code, "score": str(rng.randint(20, 59)), "date": _date(rng, first, last)})
            continue
        roll = rng.random()
        if aim_eligible or roll < 0.85:
            if rng.random() < 0.2:  # passed at the second sitting
                transcript.append({"code": code, "score": str(rng.randint(25, 59)) if kind != "thesis" else "不合格",
                                   "date": _date(rng, first, last)})
            if rng.random() < 0.06 and kind == "theory":
                old_cards.append({"code": code, "name": catalogue[code].name, "score": _pass_score(rng, kind),
                                  "date": _date(rng, first - dt.timedelta(days=3 * 365), first),
                                  "verified": aim_eligible or rng.random() < 0.5})
            elif rng.random() < 0.04 and kind == "theory":
                transcript.append({"code": code, "score": "免考", "source": "exemption", "date": _date(rng, first, last)})
            else:
                transcript.append({"code": code, "score": _pass_score(rng, kind), "date": _date(rng, first, last)})
        elif roll < 0.93:
            transcript.append({"code": code, "score": str(rng.randint(10, 59)) if kind != "thesis" else "不合格",
                               "date": _date(rng, first, last)})

    plan_codes = set(codes)
    for eq in bundle.policy.equivalences:  # an old code some equivalence maps onto this plan
        if set(eq.new) & plan_codes and rng.random() < 0.3:
            old = rng.choice(eq.old)
            if old not in plan_codes:
                old_cards.append({"code": old, "name": catalogue[old].name if old in catalogue else "旧课程",
                                  "score": str(rng.randint(60, 90)),
                                  "date": _date(rng, first - dt.timedelta(days=3 * 365), first),
                                  "verified": rng.random() < 0.7})

    others = sorted(c for c in catalogue if c not in plan_codes and catalogue[c].kind == "theory")
    rng.shuffle(others)
    while len(transcript) + len(old_cards) < 25 and others:
        code = others.pop()
        transcript.append({"code": code, "score": str(rng.randint(45, 95)), "date": _date(rng, first, last)})

    if english_failed:
        spare = [r["code"] for r in transcript if r["code"] not in plan_codes and r["score"].isdigit()
                 and int(r["score"]) >= 60]
        credits, chosen = 0, []
        for code in spare:
            if credits >= 14 and not (rng.random() < 0.2 and not aim_eligible):
                break
            chosen.append(code)
            credits += catalogue[code].credits
        if not aim_eligible and chosen and rng.random() < 0.3:
            chosen.pop()  # too few credits
        substitution = chosen

    candidate = _candidate(rng, n)
    body = {"candidate": candidate, "choices": [{"university": plan.university, "major": plan.major}],
            "transcript": transcript, "as_of": as_of.isoformat()}
    if old_cards:
        body["old_plan_records"] = old_cards
    if substitution:
        body["substitution"] = substitution
    if plan.level in bundle.policy.prior_diploma_levels and (aim_eligible or rng.random() < 0.9):
        body["prior_diploma"] = {"name": candidate["name"], "id_number": candidate["id_number"],
                                 "gender": candidate["gender"], "verified": aim_eligible or rng.random() < 0.8,
                                 "certificate_no": f"1{rng.randrange(10**16, 10**17)}", "level": "专科"}
    return body


def bodies(bundle, count: int, seed: int = 6) -> list[dict]:
    """``count`` bodies, round-robin over every shipped plan."""
    rng = random.Random(seed)
    plans = sorted(bundle.plans, key=lambda p: p.key)
    return [body_for(bundle, plans[i % len(plans)], i, rng) for i in range(count)]


def requests_of(bundle, bodies_) -> list:
    """The core Requests for ``bodies_`` (validated exactly as the API validates them)."""
    from service.decisions.schemas import EvaluationRequestSchema
    from service.rules.inputs import canonical_input, request_for

    schema = EvaluationRequestSchema()
    out = []
    for body in bodies_:
        data = schema.load(body)
        canon = canonical_input(data)
        for choice in data["choices"]:
            out.append(request_for(canon, {k: v for k, v in choice.items() if v is not None}))
    return out
