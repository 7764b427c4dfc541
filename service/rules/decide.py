"""decide(bundle, request) -> decision: the one entry point to the rules core.

Pure: no Flask, no SQLite.  The allocation pass explains which course counts
where; durable-rules compares the measures with the thresholds and says which
requirements are met, pending or unmet and whether the candidate is eligible.
"""
from __future__ import annotations

from service.errors import Msg, NoPlan, UnknownMajor
from service.rules import compiler
from service.rules.allocate import allocate
from service.rules.engine import ENGINE_VERSION, EngineError, default_engine
from service.rules.in_force import plans_in_force, refusal
from service.rules.inputs import Request


def plans_to_evaluate(bundle, request: Request):
    if bundle.major(request.university, request.major) is None:
        raise UnknownMajor(Msg("unknown major %(major)s at %(university)s", major=request.major,
                               university=request.university),
                           choice=Msg("%(choice)s is not in the catalogue",
                                      choice=f"{request.university}/{request.major}"))
    plans = plans_in_force(bundle, request.university, request.major, request.as_of, request.edition)
    if not plans:
        why = refusal(bundle, request.university, request.major, request.as_of, request.edition)
        raise NoPlan(why, choice=why)
    return plans


def evaluate_plan(bundle, plan, request: Request, engine=None) -> dict:
    engine = engine or default_engine()
    alloc = allocate(bundle, plan, request)
    shape, name, fields = compiler.named(bundle.version, alloc)
    fired = set(engine.fire(name, lambda: compiler.compile_shape(shape), compiler.fact_of(alloc, fields)))

    requirements = []
    for j, req in enumerate(alloc.requirements):
        status = "unmet" if f"u{j}" in fired else "pending" if f"p{j}" in fired else "met"
        out = {
            "id": req.id, "kind": req.kind, "label": req.label, "status": status,
            "counted": [h.counted() for h in req.counted],
            "missing": [] if status == "met" else list(req.missing),
            "notes": list(req.notes),
        }
        if req.measure is not None:
            out["measure"] = dict(req.measure)
        if req.substitution is not None:
            out["substitution"] = req.substitution
        if req.details:
            out.update(req.details)
        requirements.append(out)

    failing = [r for r in requirements if r["status"] != "met"]
    if ("eligible" in fired) == bool(failing):
        raise EngineError(f"engine verdict disagrees with its findings for {plan.key}: fired {sorted(fired)}")
    if "eligible" in fired:
        status = "eligible"
    elif any(r["status"] == "unmet" for r in requirements):
        status = "not_eligible"
    else:
        status = "pending_verification"
    result = {
        "edition": plan.edition,
        "eligible": status == "eligible",
        "status": status,
        "requirements": requirements,
        "credits": dict(alloc.credits),
        "unused": alloc.unused,
        "ignored_records": alloc.ignored,
    }
    if alloc.unused_inputs is not None:  # revision 2 rulesets only: older versions replay as recorded
        result["unused_inputs"] = alloc.unused_inputs
    return result


def choose(results: list[tuple]) -> dict:
    """Among evaluated editions (oldest first): eligible, else pending, else fewest unmet."""
    for wanted in ("eligible", "pending_verification"):
        for _plan, result in results:
            if result["status"] == wanted:
                return result
    def unmet(item):
        return sum(r["status"] == "unmet" for r in item[1]["requirements"])
    best = min(results, key=lambda item: (unmet(item), _newest_first(item[0])))
    return best[1]


def _newest_first(plan):
    # min() picks the smallest key: negate recency so the newest edition wins ties
    return (-plan.effective_from.toordinal(), [-ord(ch) for ch in plan.edition])


def decide(bundle, request: Request, engine=None) -> dict:
    plans = plans_to_evaluate(bundle, request)
    results = [(p, evaluate_plan(bundle, p, request, engine)) for p in plans]
    chosen = choose(results)
    major = bundle.major(request.university, request.major)
    decision = {
        "university": request.university,
        "major": request.major,
        "major_name": major.name,
        "level": major.level,
        "as_of": request.as_of.isoformat(),
        **chosen,
        "alternatives": [
            {"edition": p.edition, "status": r["status"],
             "unmet": [x["id"] for x in r["requirements"] if x["status"] == "unmet"]}
            for p, r in results
        ],
        "ruleset_version": bundle.version,
        "engine_version": ENGINE_VERSION,
    }
    return decision
