"""Hypothesis strategies for HTTP bodies of POST /v1/evaluations.

- ``valid_bodies(bundle)``: bodies the request schema accepts, for the shipped
  majors (eligible or not, substitutions, old-plan cards, prior diplomas);
- ``json_values()``: arbitrary JSON (what a careless or hostile client sends);
- ``mutated_bodies(bundle)``: a valid body with one part broken or replaced.
"""
from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from service import clock, idnumber

TODAY = clock.today()  # the service refuses dates after its clock's today
GRADES = ["优秀", "良好", "中等", "合格", "不合格"]


@st.composite
def candidates(draw):
    born = draw(st.dates(dt.date(1960, 1, 1), dt.date(2005, 12, 31)))
    seq = draw(st.integers(0, 999))
    first17 = f"{draw(st.sampled_from(['140105', '140106', '140202', '141102']))}{born:%Y%m%d}{seq:03d}"
    id_number = first17 + idnumber.check_digit(first17)
    return {"exam_number": f"{draw(st.integers(0, 10**12 - 1)):012d}",
            "name": draw(st.sampled_from(["张伟", "王芳", "李建国", "欧阳娜", "Alice Wang", "阿依·买买提"])),
            "id_number": id_number, "gender": idnumber.gender_of(id_number)}


def _dates(hi=TODAY):
    return st.dates(dt.date(2005, 1, 1), hi)


@st.composite
def records(draw, code):
    source = draw(st.sampled_from(["exam", "exam", "exam", "exemption", "transfer-in"]))
    score = "免考" if source == "exemption" else draw(
        st.one_of(st.integers(0, 100).map(str), st.sampled_from(GRADES)))
    rec = {"code": code, "score": score}
    if draw(st.booleans()):
        rec["source"] = source
    elif source == "exemption":
        rec["source"] = "exemption"
    if draw(st.integers(0, 5)):
        rec["date"] = draw(_dates()).isoformat()
    if draw(st.integers(0, 9)) == 0:
        rec["credits"] = draw(st.integers(1, 30))
    if draw(st.integers(0, 9)) == 0:
        rec["name"] = "课程"
    return rec


@st.composite
def valid_bodies(draw, bundle):
    plans = sorted(bundle.plans, key=lambda p: p.key)
    plan = draw(st.sampled_from(plans))
    codes = list(plan.codes())
    others = sorted(set(bundle.catalogue) - set(codes))
    chosen = draw(st.lists(st.sampled_from(codes), max_size=len(codes))) if draw(st.integers(0, 3)) else codes
    chosen += draw(st.lists(st.sampled_from(others + ["99901"]), max_size=8))
    transcript = [draw(records(c)) for c in chosen]
    cand = draw(candidates())
    body = {"candidate": cand, "choices": [{"university": plan.university, "major": plan.major}],
            "transcript": transcript}
    if draw(st.integers(0, 4)) == 0:
        body["choices"][0]["edition"] = plan.edition
    if draw(st.integers(0, 3)) == 0:
        body["old_plan_records"] = [
            {"code": c, "name": "旧计划课程", "score": str(draw(st.integers(40, 100))),
             "date": draw(_dates()).isoformat(), "verified": draw(st.booleans())}
            for c in draw(st.lists(st.sampled_from(codes + others), max_size=4))]
    if draw(st.integers(0, 2)) == 0:
        body["substitution"] = draw(st.lists(st.sampled_from(codes + others), max_size=6))
    if plan.level == "专升本" and draw(st.integers(0, 4)):
        pd = {k: cand[k] for k in ("name", "id_number", "gender")}
        pd["verified"] = draw(st.booleans())
        body["prior_diploma"] = pd
    lo = max(plan.effective_from, dt.date(2017, 1, 1))
    hi = min(plan.effective_until or TODAY, TODAY)
    body["as_of"] = draw(st.dates(lo, hi) if lo <= hi else st.just(lo)).isoformat()
    return body


def json_values(max_leaves=30):
    scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=False),
                        st.text(max_size=40))
    return st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=5),
                                                         st.dictionaries(st.text(max_size=12), inner, max_size=5)),
                        max_leaves=max_leaves)


@st.composite
def mutated_bodies(draw, bundle):
    """A valid body with one value, at any depth, replaced by arbitrary JSON (or a key removed or added)."""
    body = draw(valid_bodies(bundle))
    paths = []

    def walk(node, path):
        paths.append(path)
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, path + (k,))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, path + (i,))

    walk(body, ())
    path = draw(st.sampled_from(paths[1:]))
    parent = body
    for key in path[:-1]:
        parent = parent[key]
    action = draw(st.sampled_from(["replace", "replace", "remove", "add"]))
    if action == "remove":
        del parent[path[-1]]
    elif action == "add" and isinstance(parent, dict):
        parent[draw(st.text(min_size=1, max_size=10))] = draw(json_values(5))
    else:
        parent[path[-1]] = draw(json_values(8))
    return body
