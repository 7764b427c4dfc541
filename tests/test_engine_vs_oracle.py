"""Property test: the durable-rules engine agrees with the plain-Python oracle.

Both implement docs/rules-semantics.md; ``service.rules.decide.decide`` and
``service.rules.oracle.evaluate`` are run on the same generated requests (the
shipped bundle, then small synthetic bundles) and must return the same decision
(``ruleset_version``/``engine_version`` and the doc's descriptive extras
``university``, ``major``, ``major_name``, ``level``, ``as_of`` aside).  Both
must raise the same error (``UnknownMajor``: 404, ``NoPlan``: 422) for the same requests.  A requirement's ``label`` is
display text (section 6) and is not compared.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, note, settings
from support.strategies import requests, synthetic_bundles

from service.errors import NoPlan, UnknownMajor
from service.rules import oracle
from service.rules.loader import load_bundle

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = load_bundle(ROOT)
DROPPED = {"ruleset_version", "engine_version"}
EXTRAS = {"university", "major", "major_name", "level", "as_of"}  # named by the doc, not compared
HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
          HealthCheck.large_base_example]


def _decide():
    eligibility = pytest.importorskip("service.rules.decide")
    return eligibility.decide


def _dump(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def first_difference(engine: dict, expected: dict) -> str:
    """A readable account of where two decisions part, first requirement first."""
    lines = []
    e_reqs = {r.get("id"): r for r in engine.get("requirements", [])}
    o_reqs = {r["id"]: r for r in expected.get("requirements", [])}
    e_ids = [r.get("id") for r in engine.get("requirements", [])]
    o_ids = list(o_reqs)
    if e_ids != o_ids:
        lines.append(f"requirement ids differ:\n  engine: {e_ids}\n  oracle: {o_ids}")
    for rid in o_ids:
        if rid in e_reqs and e_reqs[rid] != o_reqs[rid]:
            lines.append(f"first differing requirement {rid}:\n  engine: {_dump(e_reqs[rid])}\n"
                         f"  oracle: {_dump(o_reqs[rid])}")
            keys = sorted(set(e_reqs[rid]) | set(o_reqs[rid]))
            for k in keys:
                if e_reqs[rid].get(k, "<absent>") != o_reqs[rid].get(k, "<absent>"):
                    lines.append(f"    .{k}: engine {_dump(e_reqs[rid].get(k, '<absent>'))} "
                                 f"!= oracle {_dump(o_reqs[rid].get(k, '<absent>'))}")
            break
    for key in sorted(set(engine) | set(expected)):
        if key == "requirements":
            continue
        if engine.get(key, "<absent>") != expected.get(key, "<absent>"):
            lines.append(f"{key}: engine {_dump(engine.get(key, '<absent>'))} "
                         f"!= oracle {_dump(expected.get(key, '<absent>'))}")
    return "\n".join(lines) or "(no difference found?)"


def compare(bundle, request):
    decide = _decide()
    try:
        expected = oracle.evaluate(bundle, request)
    except (UnknownMajor, NoPlan) as exc:
        with pytest.raises(type(exc)):
            got = decide(bundle, request)
            raise AssertionError(f"oracle raised {type(exc).__name__} ({exc}), engine decided: {_dump(got)}") from None
        return
    try:
        got = decide(bundle, request)
    except (UnknownMajor, NoPlan) as exc:
        raise AssertionError(f"engine raised {type(exc).__name__} ({exc}), oracle decided edition "
                             f"{expected['edition']} {expected['status']}") from None
    extra = set(got) - set(expected) - DROPPED - EXTRAS
    assert not extra, f"engine decision has keys the contract does not name: {sorted(extra)}"
    engine = {k: v for k, v in got.items() if k in expected}
    # a requirement's label is display text, not part of the compared contract (semantics doc, section 6)
    engine["requirements"] = [{k: v for k, v in r.items() if k != "label"} for r in engine["requirements"]]
    # JSON round trip on both sides: tuples vs lists and the like are not disagreements
    engine, expected = json.loads(_dump(engine)), json.loads(_dump(expected))
    assert engine == expected, "engine and oracle disagree\n" + first_difference(engine, expected)
    if bundle.policy.revision >= 2:
        assert_one_count_per_slot(got)


def assert_one_count_per_slot(decision):
    """No record is counted twice, and no plan course is counted both by its own holding and a substitution."""
    codes = [c["code"] for r in decision["requirements"] for c in r["counted"]]
    assert len(codes) == len(set(codes)), f"a record counted twice: {codes}"
    for r in decision["requirements"]:
        ways = {c["via"].split(":")[0] == "substitution" for c in r["counted"]}
        assert len(ways) <= 1, f"{r['id']} counts its course and a substitution set: {r['counted']}"
    held_for = [c["for"] for r in decision["requirements"] for c in r["counted"] if not c["via"].startswith("sub")]
    assert len(held_for) == len(set(held_for)), f"a plan course held twice: {held_for}"


@settings(max_examples=1500, deadline=None, suppress_health_check=HEALTH)
@given(requests(SHIPPED))
def test_engine_agrees_with_oracle_on_shipped_bundle(request):
    compare(SHIPPED, request)


@settings(max_examples=1500, deadline=None, suppress_health_check=HEALTH)
@given(synthetic_bundles().flatmap(lambda b: requests(b).map(lambda r: (b, r))))
def test_engine_agrees_with_oracle_on_synthetic_bundles(pair):
    bundle, request = pair
    note("synthetic plans and rulesets: " + _dump({k: v for k, v in bundle.files.items() if "catalogue" not in k}))
    note("catalogue: " + _dump({c: (x.credits, x.kind, x.theory) for c, x in bundle.catalogue.items()}))
    compare(bundle, request)


def test_decision_shape():
    """One 专升本 request, two editions in force: a quick, fixed check of the whole decision."""
    import datetime as dt

    from service.rules.inputs import Candidate, Record, Request

    codes = ["03708", "03709", "13000", "04184", "13887", "13683", "13140", "13752", "13753",
             "08119", "00160", "13141", "11002", "03409"]
    request = Request(candidate=Candidate("014012345678", "张伟", "140105199001011234", "男"),
                      university="sxufe", major="120203K", as_of=dt.date(2025, 6, 1),
                      records=tuple(Record(c, "75", date=dt.date(2022, 6, 1)) for c in codes))
    compare(SHIPPED, request)
