"""The plain-Python pass before the engine: which passed course counts where.

durable-rules has no aggregates (no sums, no subset choice), so this pass does
the allocation — best record per code, equivalences, practical/theory pairing,
claims, substitution sets, credit sums — and reduces each requirement to a few
numbers.  The engine then compares those numbers with the thresholds compiled
from the YAML and says what is met, pending or missing.  See
docs/rules-semantics.md for the contract this implements.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from service.rules.conditions import conditions_for
from service.rules.exceptions import exceptions_by_course, hold_by_exception, unused_exceptions
from service.rules.inputs import Record, Request
from service.rules.model import Bundle, Plan, Substitution

SOURCE_ORDER = {"exam": 0, "exemption": 1, "transfer-in": 2, "old-plan": 3}
VERIFIED, PENDING, ABSENT = 2, 1, 0


@dataclass
class Held:
    """A plan course held by a passed record (directly or through an equivalence)."""

    code: str  # the record's code
    for_code: str  # the plan course it stands for
    credits: int
    status: int  # VERIFIED or PENDING
    via: str  # "direct" | "equivalence:<id>" | "substitution:<id>"

    def counted(self) -> dict:
        return {"code": self.code, "for": self.for_code, "credits": self.credits,
                "verified": self.status == VERIFIED, "via": self.via}


@dataclass
class Term:
    """One way of meeting a requirement: a status field, or a verified/all measure pair."""

    name: str
    threshold: int  # for a status term: 2 (verified) — pending is 1, absent 0
    verified: int
    all: int
    is_status: bool = False


@dataclass
class Requirement:
    id: str
    kind: str
    label: str
    terms: list[Term]
    counted: list[Held] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    measure: dict | None = None
    substitution: dict | None = None
    details: dict | None = None  # a condition's record (appraisal, sanction), shown beside its status


@dataclass
class Allocation:
    plan: Plan
    requirements: list[Requirement]
    unused: list[str]
    ignored: list[dict]
    credits: dict
    unused_inputs: list[dict] | None = None  # revision 2 only


def passed_records(bundle: Bundle, records) -> tuple[dict[str, tuple[Record, int, int]], list[dict]]:
    """Best passing record per code → (record, credits, status); the rest are ignored with a reason."""
    policy = bundle.policy
    best: dict[str, tuple] = {}
    ignored = []
    for rec in records:
        if not _passes(rec, policy):
            ignored.append({"code": rec.code, "reason": "not_passed"})
            continue
        course = bundle.catalogue.get(rec.code)
        credits = course.credits if course else rec.credits
        if credits is None:
            ignored.append({"code": rec.code, "reason": "unknown_course"})
            continue
        status = VERIFIED if rec.verified else PENDING
        rank = (-status, rec.date is None, rec.date or 0, SOURCE_ORDER.get(rec.source, 9))
        if rec.code not in best or _rank_lt(rank, best[rec.code][3]):
            best[rec.code] = (rec, credits, status, rank)
    return {code: v[:3] for code, v in best.items()}, ignored


def _rank_lt(a, b) -> bool:
    # dates and 0 do not compare; the "no date" flag already separates them
    return (a[0], a[1], a[2] if not a[1] else 0, a[3]) < (b[0], b[1], b[2] if not b[1] else 0, b[3])


def _passes(rec: Record, policy) -> bool:
    if rec.source == "exemption":
        return True
    score = rec.score.strip()
    if score.isdigit():
        return int(score) >= policy.pass_mark
    return score in policy.passing_grades


def allocate(bundle: Bundle, plan: Plan, request: Request) -> Allocation:
    policy, catalogue = bundle.policy, bundle.catalogue
    passed, ignored = passed_records(bundle, request.records)
    held, idle = _hold_plan_courses(bundle, plan, passed, request.as_of, request.exceptions)
    by_exception = {h.for_code: h for h in held.values() if h.via.startswith("exception:")}
    theory_missing = _practical_preconditions(plan, catalogue, held, policy.practical_needs_theory)
    failed_records = {}  # record code -> note, for unused_inputs

    claimed: dict[str, str] = {}  # record code -> requirement id
    reqs: list[Requirement] = []
    sub = _substitution_for(bundle, plan)
    sub_active = sub is not None and (sub.replaces not in held or held[sub.replaces].status != VERIFIED)
    chosen = set(request.substitution) if sub_active else set()

    course_reqs = {}
    for code in plan.required:
        req = _course_requirement(f"course:{code}", "course", code, catalogue, held, claimed)
        if code in theory_missing:
            req.notes.append(theory_missing[code][0])
        reqs.append(req)
        course_reqs[code] = req

    for group in plan.groups:
        reqs.append(_group_requirement(group, catalogue, held, claimed, chosen))

    if plan.thesis and plan.level in policy.thesis_levels:
        reqs.append(_course_requirement(f"thesis:{plan.thesis}", "thesis", plan.thesis, catalogue, held, claimed))

    # the substitution takes only what no plan requirement (courses, groups, thesis) has claimed
    released, not_counted = {}, set()
    if sub is not None and sub.replaces in course_reqs:
        _apply_substitution(sub, course_reqs[sub.replaces], held, passed, claimed, request, sub_active,
                            policy.revision, released, not_counted)

    if plan.level in policy.prior_diploma_levels:
        reqs.append(_prior_diploma(request, policy.prior_diploma_match))

    counted = [h for r in reqs for h in r.counted]
    verified = sum(h.credits for h in counted if h.status == VERIFIED)
    total = sum(h.credits for h in counted)
    reqs.append(Requirement("credits", "credits", "最低毕业学分",
                            [Term("credits", plan.min_credits, verified, total)],
                            measure={"verified": verified, "all": total, "required": plan.min_credits}))
    for c in conditions_for(policy, request):  # after the credits: the course requirements keep their places
        reqs.append(Requirement(c.id, c.kind, c.label, [Term(c.id, VERIFIED, c.status, c.status, True)],
                                notes=list(c.notes), details=c.details))
    unused = sorted(code for code in passed if code not in claimed)
    credits = {"earned": total, "earned_verified": verified, "required": plan.min_credits}
    inputs = None
    if policy.revision >= 2:
        failed_records = {rec_code: note for note, rec_code in theory_missing.values()}
        inputs = _unused_inputs(plan, request, passed, reqs, counted, sub, released, not_counted, failed_records,
                                unused)
        inputs += unused_exceptions(request.exceptions, counted, idle, by_exception, theory_missing, released)
    return Allocation(plan, reqs, unused, ignored, credits, inputs)


def _practical_preconditions(plan, catalogue, held, needs_theory) -> dict[str, tuple[str, str]]:
    """Apply each practical's precondition to ``held``; {practical: (note, record code)} of those it drops."""
    failed = {}
    codes = plan.codes()
    counting = [c for c in codes if catalogue[c].requires_passed is not None]
    if counting:  # counted on the holdings before any practical rule
        own = {c: h.status for c, h in held.items()}
        for code in counting:
            others = [s for c, s in own.items() if c != code]
            need = catalogue[code].requires_passed
            condition = VERIFIED if sum(s == VERIFIED for s in others) >= need else \
                PENDING if len(others) >= need else ABSENT
            if code in held:
                if condition == ABSENT:
                    failed[code] = (f"passed_courses_below:{need}", held.pop(code).code)
                elif condition < held[code].status:
                    held[code].status = condition
    if needs_theory:
        for code in codes:
            course = catalogue[code]
            if course.kind == "practical" and course.theory and code in held:
                theory = held.get(course.theory)
                if theory is None:
                    failed[code] = ("theory_not_passed", held.pop(code).code)
                elif theory.status < held[code].status:
                    held[code].status = theory.status
    return failed


def _unused_inputs(plan, request, passed, reqs, counted, sub, released, not_counted, failed_records, unused):
    counted_codes = {h.code for h in counted}
    rejected = {}
    for r in reqs:
        if r.substitution:
            rejected.update((x["code"], x["reason"]) for x in r.substitution["rejected"])
    out = []
    for code in sorted(set(request.substitution)):
        if code not in counted_codes:
            reason = rejected.get(code) or ("substitution_not_counted" if code in not_counted else
                                            "substitution_not_needed" if sub is not None else "no_substitution")
            out.append({"code": code, "input": "substitution", "reason": reason})
    plan_codes = set(plan.codes())
    for code in unused:
        if passed[code][0].source == "old-plan":
            reason = released.get(code) or failed_records.get(code) or \
                ("not_in_plan" if code not in plan_codes else "not_needed")
            out.append({"code": code, "input": "old-plan", "reason": reason})
    return out


def _hold_plan_courses(bundle: Bundle, plan: Plan, passed, as_of, exceptions) -> tuple[dict[str, Held], dict]:
    """The holding of each plan course, and {exception id: why it holds nothing}."""
    held: dict[str, Held] = {}
    used_old: set[str] = set()
    for code in plan.codes():
        if code in passed:
            rec, credits, status = passed[code]
            held[code] = Held(code, code, credits, status, "direct")
    # a record held directly for its own plan course is used up: it cannot also stand for another
    used_old.update(held)
    by_course, idle = exceptions_by_course(plan, exceptions)
    for code in plan.codes():
        if code in held:
            idle.update((e.id, "course_passed") for e in by_course.get(code, ()))
            continue
        found = hold_by_exception(bundle, code, by_course.get(code, ()), passed, used_old, idle)
        if found is not None:
            record_code, credits, status, via = found
            held[code] = Held(record_code, code, credits, status, via)
            used_old.add(record_code)
            continue
        found = _one_to_one(bundle, code, passed, used_old, as_of) or _pool(bundle, code, passed, used_old, as_of)
        if found:
            eq, old = found
            rec, credits, status = passed[old]
            used_old.add(old)
            held[code] = Held(old, code, credits, status, f"equivalence:{eq.id}")
    return held, idle


def _usable_old(eq, old, passed, used_old) -> bool:
    if old not in passed or old in used_old:
        return False
    if eq.passed_before is not None:
        date = passed[old][0].date
        return date is not None and date < eq.passed_before
    return True


def _one_to_one(bundle, code, passed, used_old, as_of):
    for eq in bundle.policy.equivalences:
        if eq.kind == "one-to-one":
            other = eq.stands_for(code, as_of)
            if other is not None and _usable_old(eq, other, passed, used_old):
                return eq, other
    return None


def _pool(bundle, code, passed, used_old, as_of):
    need = bundle.catalogue[code].credits
    for eq in bundle.policy.equivalences:
        if eq.kind != "pool" or code not in eq.new or not _in_effect(eq, as_of):
            continue
        options = [o for o in eq.old if _usable_old(eq, o, passed, used_old)
                   and (not eq.credits_at_least or passed[o][1] >= need)]
        if options:
            return eq, min(options, key=lambda o: (passed[o][1], o))
    return None


def _in_effect(eq, on) -> bool:
    return not ((eq.effective_from and on < eq.effective_from) or (eq.effective_until and on > eq.effective_until))


def _course_requirement(rid, kind, code, catalogue, held, claimed) -> Requirement:
    h = held.get(code)
    status = h.status if h else ABSENT
    req = Requirement(rid, kind, f"{code} {catalogue[code].name}", [Term(rid, VERIFIED, status, status, True)])
    if h:
        req.counted.append(h)
        claimed[h.code] = rid
    else:
        req.missing.append(code)
    return req


def _group_requirement(group, catalogue, held, claimed, chosen) -> Requirement:
    rid = f"group:{group.id}"
    options = [held[c] for c in group.courses if c in held and held[c].code not in claimed and c not in chosen
               and held[c].code not in chosen]
    options.sort(key=lambda h: (-h.status, -h.credits, h.for_code))
    taken, running = [], 0
    for h in options:
        if group.pick is not None and len(taken) >= group.pick:
            break
        if group.min_credits is not None and running >= group.min_credits:
            break
        taken.append(h)
        running += h.credits
    if group.pick is not None:
        threshold, verified, total = group.pick, sum(h.status == VERIFIED for h in taken), len(taken)
    else:
        threshold = group.min_credits
        verified, total = sum(h.credits for h in taken if h.status == VERIFIED), running
    req = Requirement(rid, "group", group.name, [Term(rid, threshold, verified, total)], counted=taken,
                      measure={"verified": verified, "all": total, "required": threshold})
    for h in taken:
        claimed[h.code] = rid
    if total < threshold:
        req.missing = sorted(c for c in group.courses if c not in held)
    return req


def _substitution_for(bundle, plan) -> Substitution | None:
    for sub in bundle.policy.substitutions:
        if (sub.replaces in plan.required and plan.level in sub.levels
                and (not sub.majors or plan.major in sub.majors)):
            return sub
    return None


def _apply_substitution(sub, req, held, passed, claimed, request, active, revision, released, not_counted) -> None:
    accepted, rejected = [], []
    if not active:
        req.notes.append("substitution_not_needed")
    else:
        for code in sorted(set(request.substitution)):
            # checked in the contract's order: passed, not the replaced course, not claimed
            if code not in passed:
                rejected.append({"code": code, "reason": "not_passed"})
            elif code == sub.replaces:
                rejected.append({"code": code, "reason": "is_replaced_course"})
            elif code in claimed:
                rejected.append({"code": code, "reason": f"counted_elsewhere:{claimed[code]}"})
            else:
                rec, credits, status = passed[code]
                accepted.append(Held(code, sub.replaces, credits, status, f"substitution:{sub.id}"))
                claimed[code] = req.id
    verified = sum(h.credits for h in accepted if h.status == VERIFIED)
    total = sum(h.credits for h in accepted)
    req.terms.append(Term(f"{req.id}:{sub.id}", sub.min_credits, verified, total))
    own = held.get(sub.replaces)
    if revision >= 2 and active and own is not None and own.status == PENDING and verified >= sub.min_credits:
        # one slot, one count: the verified set meets it, so the pending card is not counted too
        del claimed[own.code]
        released[own.code] = "replaced_by_substitution"
        req.counted = list(accepted)
        req.notes.append("replaced_by_substitution")
    elif revision >= 2 and active and own is not None and own.status == PENDING and accepted:
        not_counted.update(h.code for h in accepted)
        req.notes.append("substitution_not_counted")
    else:
        req.counted.extend(accepted)
    req.substitution = {
        "id": sub.id,
        "accepted": [h.code for h in accepted],
        "rejected": rejected,
        "measure": {"verified": verified, "all": total, "required": sub.min_credits},
    }


def _prior_diploma(request: Request, match_fields) -> Requirement:
    pd, cand = request.prior_diploma, request.candidate
    notes, missing = [], []
    if pd is None:
        status = ABSENT
    else:
        notes = [f"mismatch:{f}" for f in match_fields if getattr(pd, f) != getattr(cand, f)]
        status = ABSENT if notes else (VERIFIED if pd.verified else PENDING)
    return Requirement("prior-diploma", "prior-diploma", "前置学历", [Term("prior-diploma", VERIFIED, status, status, True)],
                       missing=missing, notes=notes)
