"""An independent reference evaluator ("oracle") for graduation decisions.

Written only from ``docs/rules-semantics.md``; it shares nothing with the
durable-rules engine except the plain data types of ``model.py`` and
``inputs.py``.  The property tests run both on the same requests and compare
the decisions, so this module is deliberately plain: straightforward loops,
small helpers, no cleverness.  Correctness (against the written contract) is
all that matters here, not speed.

``evaluate(bundle, request)`` returns the decision with exactly these keys:
``edition, eligible, status, requirements, credits, unused, ignored_records,
alternatives``.

Readings of the contract
------------------------
Where the contract leaves room, this oracle reads it as follows (the engine
should agree, or the contract should be made explicit).  Points the contract
has since settled are marked [contract].

R1  Edition named in the request: only that edition is considered, and it must
    exist *and* be in force on ``as_of``; otherwise ``NoPlan`` with
    ``no_plan_in_force``.  An unknown (university, major) is ``UnknownMajor``
    with ``unknown_major``.
R2  Edition choice tie-break "newest, i.e. latest effective.from, then edition
    text": the greatest (effective_from, edition) wins.
R3  [contract] ``alternatives[].unmet`` is the list of ids of the unmet
    requirements of that edition, in requirement order.
R4  A score is a "whole number" when it is made of ASCII digits only ("78",
    "060"); "60.0", " 60", "-1" are not.  ``免考`` passes only through the
    ``exemption`` source (an ``exam`` record scored 免考 is not passed).
R5  Each record is classified on its own: not passing -> ignored
    ``not_passed`` (even when another record of the same code passes);
    passing but unknown to the catalogue and without own credits -> ignored
    ``unknown_course``.  Among the remaining passing records of one code the
    best is kept (verified, earliest date, source order, then input order);
    the other passing duplicates are dropped silently (not in
    ``ignored_records``).
R6  [contract] A record held directly for its own plan course is used up
    before any equivalence looks at it (plan order does not matter for that);
    an old record standing for one plan course is used up for later ones.
R7  ``passed_before`` (strictly before) applies to pool equivalences too.
    Several equivalences for one new code are tried in policy order; a pool
    is chosen as the first pool (policy order) that has an eligible old course.
R8  A practical's theory "held": if the theory code is a plan code, its held
    status (section 3); otherwise the status of a direct pass of the theory
    code (no equivalences).  The note ``theory_not_passed`` is given (on the
    course/thesis requirement only, not on groups) when the practical itself
    is held but its theory is not; an unpassed practical gets no note.  The
    record of such a practical stays "used" (holding happens before the
    practical rule) but is not claimed.
R9  [contract] Claim order is: required courses, groups, thesis, then the
    English (II) substitution.  The thesis is a mandated plan course, so a chosen code that
    is the thesis is rejected ``counted_elsewhere:thesis:<code>``.
R10 Group exclusion for an active substitution: a group course is excluded
    when its plan code *or* the code of the record holding it is among the
    candidate's chosen codes.  The request's one ``substitution`` list is the
    choice for every active substitution (only one ships).
R11 Substitution: chosen codes are de-duplicated and taken in sorted order;
    "passed directly" means the code has a kept passing record (section 2),
    its status is that record's (2 verified / 1 not); the practical/theory
    rule is not applied to chosen codes.  Reasons are checked in the order
    not_passed, is_replaced_course, counted_elsewhere:<req id>.
R12 Substitution shape: whenever a substitution applies to a required course
    the requirement carries ``substitution``; when the course has status 2 it
    is {accepted: [], rejected: [], measure: {verified: 0, all: 0, required:
    min}} and the note ``substitution_not_needed`` is given (whatever the
    candidate chose).  ``counted`` lists the course's own record first (when
    status >= 1), then the accepted codes (``for`` = the replaced course).
R13 Shape: [contract] every requirement has ``counted``, ``missing`` and
    ``notes`` (lists, possibly empty); ``missing`` is empty when met and on
    prior-diploma and credits; ``label`` (display text) is the engine's, not
    compared, and the oracle has none.  A course/thesis lists its own
    code when that course is not held (status 0) and the requirement is not
    met: a course pending through the substitution still lists it.  A group
    lists its unheld courses only when unmet.
    Groups and credits have ``measure``; courses do not.  ``kind`` is
    ``course``, ``group``, ``thesis``, ``prior-diploma`` or ``credits``.
R14 Group order "then code" is the plan course code.  ``min_credits`` groups
    take courses until the taken credits reach the threshold, or all.
R15 Prior diploma absent -> unmet with no note; mismatch notes follow the
    policy's ``match`` order; comparison is exact string equality.
R17 ``requires_passed``: the other plan courses counted are those held
    (section 3, own status, before any practical rule; a held practical
    counts too).  Its note takes the place of ``theory_not_passed``.
R18 Revision 2, ``unused_inputs``: a choice counted anywhere (even for another
    requirement) is not listed; a choice accepted but not counted is
    ``substitution_not_counted``.  ``substitution_not_needed`` is the reason of
    an unlisted choice whenever a substitution applies to the plan.
R19 Exceptions (section 3a): the exceptions of the request are already those of its
    (university, major); one naming a course of another edition only is ``not_in_plan``
    for this edition.  A waiver holds its course with no record: ``counted[].code`` is the
    plan code, and the code is never in ``unused``.  An exception whose holding a practical
    rule removed reports that rule's note.
R20 Conditions (section 4 items 8-9) come after ``credits``; they count no course
    and so change neither ``credits`` nor ``unused``.  A sanction's days are both
    included; of several covering ``as_of`` the one ending last (then the greater
    document number) is named.
R16 ``counted[].verified`` (and so every "verified" measure) means status 2 of
    the course it is counted for: a verified practical whose theory is only
    pending is counted with ``verified: false``.
"""
from __future__ import annotations

import datetime as dt
import re

from service.errors import NoPlan, UnknownMajor

SOURCE_ORDER = ("exam", "exemption", "transfer-in", "old-plan")
WHOLE_NUMBER = re.compile(r"[0-9]+")


# ---------------------------------------------------------------- records ---

class Kept:
    """The record kept for one passed code."""

    def __init__(self, code, credits, verified, date, source):
        self.code = code
        self.credits = credits
        self.verified = verified
        self.date = date
        self.source = source

    @property
    def status(self):
        return 2 if self.verified else 1


def record_passes(record, policy):
    if record.source == "exemption":
        return True
    score = record.score
    if isinstance(score, str) and WHOLE_NUMBER.fullmatch(score):
        return int(score) >= policy.pass_mark
    return score in policy.passing_grades


def sort_key_for_best(record, index):
    verified_rank = 0 if record.verified else 1
    if record.date is None:
        date_rank = (1, dt.date.max)
    else:
        date_rank = (0, record.date)
    if record.source in SOURCE_ORDER:
        source_rank = SOURCE_ORDER.index(record.source)
    else:
        source_rank = len(SOURCE_ORDER)
    return (verified_rank, date_rank, source_rank, index)


def classify_records(bundle, records):
    """Section 2: returns ({code: Kept}, ignored_records)."""
    policy = bundle.policy
    ignored = []
    candidates = {}  # code -> list of (sort key, record, credits)
    for index, record in enumerate(records):
        if not record_passes(record, policy):
            ignored.append({"code": record.code, "reason": "not_passed"})
            continue
        course = bundle.catalogue.get(record.code)
        if course is not None:
            credits = course.credits
        elif record.credits is not None:
            credits = record.credits
        else:
            ignored.append({"code": record.code, "reason": "unknown_course"})
            continue
        candidates.setdefault(record.code, []).append((sort_key_for_best(record, index), record, credits))
    passed = {}
    for code, options in candidates.items():
        best = options[0]
        for option in options[1:]:
            if option[0] < best[0]:
                best = option
        _, record, credits = best
        passed[code] = Kept(code, credits, bool(record.verified), record.date, record.source)
    return passed, ignored


# ---------------------------------------------------------------- holding ---

class Holding:
    """A plan course held by a record (possibly an old course's)."""

    def __init__(self, plan_code, record, via):
        self.plan_code = plan_code
        self.record = record  # a Kept
        self.via = via

    @property
    def code(self):
        return self.record.code

    @property
    def credits(self):
        return self.record.credits

    @property
    def verified(self):
        return self.record.verified


def date_allowed(equivalence, kept):
    if equivalence.passed_before is None:
        return True
    if kept.date is None:
        return False
    return kept.date < equivalence.passed_before


def in_effect(equivalence, as_of):
    if equivalence.effective_from is not None and as_of < equivalence.effective_from:
        return False
    if equivalence.effective_until is not None and as_of > equivalence.effective_until:
        return False
    return True


def one_to_one_other(equivalence, code):
    """The course that holds ``code`` through a one-to-one equivalence, old-to-new reading first."""
    if equivalence.direction in ("old-to-new", "both") and equivalence.new[0] == code:
        return equivalence.old[0]
    if equivalence.direction in ("new-to-old", "both") and equivalence.old[0] == code:
        return equivalence.new[0]
    return None


class Waived:
    """What a waiver holds a plan course with: no record, the course's catalogue credits, verified."""

    def __init__(self, code, credits):
        self.code = code
        self.credits = credits
        self.verified = True
        self.source = "exception"


def hold_plan_courses(bundle, plan, passed, as_of, exceptions=()):
    """Section 3: returns ({plan code: Holding or None}, set of used record codes, {exception id: reason}).

    The reasons are those of section 4 item 7 for exceptions that hold nothing.
    """
    equivalences = bundle.policy.equivalences
    # a record held directly for its own plan course is used up before any equivalence looks at it
    used = {code for code in plan.codes() if code in passed}
    held = {}
    idle = {}  # exception id -> why it holds nothing
    plan_codes = plan.codes()
    for exc in exceptions:
        if exc.course not in plan_codes:
            idle[exc.id] = "not_in_plan"
    for code in plan_codes:
        holding = None
        # 1. passed directly
        if code in passed:
            holding = Holding(code, passed[code], "direct")
        # 1a. the candidate's exceptions for this course, by id
        for exc in sorted((e for e in exceptions if e.course == code), key=lambda e: e.id):
            if holding is not None:
                idle[exc.id] = "course_passed" if holding.via == "direct" else "already_held"
            elif exc.kind == "waive":
                holding = Holding(code, Waived(code, bundle.catalogue[code].credits), "exception:" + str(exc.id))
            elif exc.by not in passed:
                idle[exc.id] = "not_passed"
            elif exc.by in used:
                idle[exc.id] = "record_used"
            else:
                holding = Holding(code, passed[exc.by], "exception:" + str(exc.id))
        # 2. one-to-one equivalence
        if holding is None:
            for eq in equivalences:
                if eq.kind != "one-to-one" or not in_effect(eq, as_of):
                    continue
                old = one_to_one_other(eq, code)
                if old is None:
                    continue
                if old in passed and old not in used and date_allowed(eq, passed[old]):
                    holding = Holding(code, passed[old], "equivalence:" + eq.id)
                    break
        # 3. pool equivalence
        if holding is None:
            new_credits = bundle.catalogue[code].credits
            for eq in equivalences:
                if eq.kind != "pool" or code not in eq.new or not in_effect(eq, as_of):
                    continue
                best_old = None
                for old in eq.old:
                    if old not in passed or old in used:
                        continue
                    if not date_allowed(eq, passed[old]):
                        continue
                    if eq.credits_at_least and passed[old].credits < new_credits:
                        continue
                    if best_old is None:
                        best_old = old
                    else:
                        mine = (passed[old].credits, old)
                        theirs = (passed[best_old].credits, best_old)
                        if mine < theirs:
                            best_old = old
                if best_old is not None:
                    holding = Holding(code, passed[best_old], "equivalence:" + eq.id)
                    break
        if holding is not None:
            used.add(holding.code)
        held[code] = holding
    return held, used, idle


def plan_statuses(bundle, plan, passed, held):
    """Status 0/1/2 of every plan code, with the practical rule; and the codes noted theory_not_passed."""
    own = {}
    for code in plan.codes():
        holding = held[code]
        if holding is None:
            own[code] = 0
        elif holding.verified:
            own[code] = 2
        else:
            own[code] = 1
    plan_codes = set(plan.codes())
    status = dict(own)
    theory_missing = {}  # practical code -> note
    for code in plan.codes():
        course = bundle.catalogue[code]
        if course.kind != "practical" or course.requires_passed is None:
            continue
        others = [c for c in plan.codes() if c != code]
        held_count = sum(1 for c in others if own[c] >= 1)
        verified_count = sum(1 for c in others if own[c] == 2)
        if verified_count >= course.requires_passed:
            condition = 2
        elif held_count >= course.requires_passed:
            condition = 1
        else:
            condition = 0
        if condition == 0 and own[code] >= 1:
            theory_missing[code] = f"passed_courses_below:{course.requires_passed}"
        status[code] = min(own[code], condition)
    if bundle.policy.practical_needs_theory:
        for code in plan.codes():
            course = bundle.catalogue[code]
            if course.kind != "practical" or not course.theory:
                continue
            theory = course.theory
            if theory in plan_codes:
                theory_status = own[theory]
            elif theory in passed:
                theory_status = passed[theory].status
            else:
                theory_status = 0
            if theory_status == 0:
                if own[code] >= 1:
                    theory_missing[code] = "theory_not_passed"
                status[code] = 0
            else:
                status[code] = min(own[code], theory_status)
    return status, theory_missing


# ----------------------------------------------------------- requirements ---

def entry(holding, plan_code, status):
    """A ``counted`` entry; ``verified`` means the plan course's status is 2 (section 2)."""
    return {
        "code": holding.code,
        "for": plan_code,
        "credits": holding.credits,
        "verified": status == 2,
        "via": holding.via,
    }


def measured_status(verified, everything, required):
    if verified >= required:
        return "met"
    if everything < required:
        return "unmet"
    return "pending"


def course_status_word(status):
    if status == 2:
        return "met"
    if status == 1:
        return "pending"
    return "unmet"


def applicable_substitution(bundle, plan, code):
    for sub in bundle.policy.substitutions:
        if sub.replaces != code:
            continue
        if plan.level not in sub.levels:
            continue
        if sub.majors and plan.major not in sub.majors:
            continue
        return sub
    return None


def evaluate_plan(bundle, plan, request, passed, ignored):
    policy = bundle.policy
    held, _used, idle_exceptions = hold_plan_courses(bundle, plan, passed, request.as_of, request.exceptions)
    revision = policy.revision
    status, theory_missing = plan_statuses(bundle, plan, passed, held)

    claimed = {}  # record code -> requirement id
    released = {}  # record code -> why its slot went to the substitution (revision 2)
    not_counted = set()  # accepted substitution codes the requirement does not count (revision 2)
    counted_all = []  # every counted entry, for the credits requirement
    requirements = []

    # which required courses have an applicable / active substitution
    subs_for = {}
    active_exists = False
    for code in plan.required:
        sub = applicable_substitution(bundle, plan, code)
        if sub is not None:
            subs_for[code] = sub
            if status[code] != 2:
                active_exists = True
    chosen = set(request.substitution) if active_exists else set()

    # 1. each required course
    course_reqs = {}
    for code in plan.required:
        req_id = "course:" + code
        req = {"id": req_id, "kind": "course", "status": course_status_word(status[code]),
               "counted": [], "missing": [], "notes": []}
        if status[code] >= 1:
            holding = held[code]
            claimed[holding.code] = req_id
            req["counted"].append(entry(holding, code, status[code]))
        if code in theory_missing:
            req["notes"].append(theory_missing[code])
        course_reqs[code] = req
        requirements.append(req)

    # 3. groups
    for group in plan.groups:
        req_id = "group:" + group.id
        candidates = []
        for code in group.courses:
            if status[code] < 1:
                continue
            holding = held[code]
            if holding.code in claimed:
                continue
            if code in chosen or holding.code in chosen:
                continue
            candidates.append(code)
        candidates.sort(key=lambda c: (-status[c], -held[c].credits, c))
        taken = []
        if group.pick is not None:
            threshold = group.pick
            taken = candidates[:group.pick]
            verified_measure = sum(1 for c in taken if status[c] == 2)
            all_measure = len(taken)
        else:
            threshold = group.min_credits
            total = 0
            for c in candidates:
                if total >= threshold:
                    break
                taken.append(c)
                total += held[c].credits
            verified_measure = sum(held[c].credits for c in taken if status[c] == 2)
            all_measure = sum(held[c].credits for c in taken)
        req = {"id": req_id, "kind": "group",
               "status": measured_status(verified_measure, all_measure, threshold),
               "counted": [], "missing": [],
               "measure": {"verified": verified_measure, "all": all_measure, "required": threshold},
               "notes": []}
        for c in taken:
            claimed[held[c].code] = req_id
            req["counted"].append(entry(held[c], c, status[c]))
        if req["status"] == "unmet":
            req["missing"] = sorted(c for c in group.courses if status[c] == 0)
        requirements.append(req)

    # 4. thesis
    if plan.thesis and plan.level in policy.thesis_levels:
        code = plan.thesis
        req_id = "thesis:" + code
        req = {"id": req_id, "kind": "thesis", "status": course_status_word(status[code]),
               "counted": [], "missing": [], "notes": []}
        if status[code] >= 1:
            claimed[held[code].code] = req_id
            req["counted"].append(entry(held[code], code, status[code]))
        else:
            req["missing"] = [code]
        if code in theory_missing:
            req["notes"].append(theory_missing[code])
        requirements.append(req)

    # 2. English (II) substitution, reported on the course requirement
    for code in plan.required:
        req = course_reqs[code]
        sub = subs_for.get(code)
        if sub is None:
            continue
        accepted, rejected = [], []
        accepted_entries = []
        verified_credits = all_credits = 0
        if status[code] == 2:
            req["notes"].append("substitution_not_needed")
        else:
            for choice in sorted(set(request.substitution)):
                if choice not in passed:
                    rejected.append({"code": choice, "reason": "not_passed"})
                elif choice == sub.replaces:
                    rejected.append({"code": choice, "reason": "is_replaced_course"})
                elif choice in claimed:
                    rejected.append({"code": choice, "reason": "counted_elsewhere:" + claimed[choice]})
                else:
                    kept = passed[choice]
                    accepted.append(choice)
                    claimed[choice] = req["id"]
                    all_credits += kept.credits
                    if kept.verified:
                        verified_credits += kept.credits
                    accepted_entries.append({"code": choice, "for": code, "credits": kept.credits,
                                             "verified": kept.verified, "via": "substitution:" + sub.id})
            # one slot, one count (revision 2): the set or the course's own pending record, not both
            if revision >= 2 and status[code] == 1 and verified_credits >= sub.min_credits:
                own_record = held[code].code
                del claimed[own_record]
                released[own_record] = "replaced_by_substitution"
                req["counted"] = list(accepted_entries)
                req["notes"].append("replaced_by_substitution")
            elif revision >= 2 and status[code] == 1 and accepted_entries:
                not_counted.update(e["code"] for e in accepted_entries)
                req["notes"].append("substitution_not_counted")
            else:
                req["counted"].extend(accepted_entries)
            if verified_credits >= sub.min_credits:
                req["status"] = "met"
            elif status[code] == 0 and all_credits < sub.min_credits:
                req["status"] = "unmet"
            else:
                req["status"] = "pending"
        req["substitution"] = {
            "id": sub.id,
            "accepted": accepted,
            "rejected": rejected,
            "measure": {"verified": verified_credits, "all": all_credits, "required": sub.min_credits},
        }

    # missing: the plan code when it is not held (status 0), unless the requirement is met
    # (a course met through the substitution misses nothing; pending through it, it still does)
    for req in requirements:
        if req["kind"] == "course":
            code = req["id"].split(":", 1)[1]
            req["missing"] = [code] if status[code] == 0 and req["status"] != "met" else []

    # 5. prior diploma
    if plan.level in policy.prior_diploma_levels:
        pd = request.prior_diploma
        notes = []
        if pd is None:
            pd_status = "unmet"
        else:
            for field in policy.prior_diploma_match:
                if getattr(pd, field) != getattr(request.candidate, field):
                    notes.append("mismatch:" + field)
            if notes:
                pd_status = "unmet"
            elif not pd.verified:
                pd_status = "pending"
            else:
                pd_status = "met"
        requirements.append({"id": "prior-diploma", "kind": "prior-diploma", "status": pd_status,
                             "counted": [], "missing": [], "notes": notes})

    # 6. total credits
    for req in requirements:
        counted_all.extend(req["counted"])
    earned = sum(e["credits"] for e in counted_all)
    earned_verified = sum(e["credits"] for e in counted_all if e["verified"])
    requirements.append({"id": "credits", "kind": "credits",
                         "status": measured_status(earned_verified, earned, plan.min_credits),
                         "counted": [], "missing": [],
                         "measure": {"verified": earned_verified, "all": earned, "required": plan.min_credits},
                         "notes": []})

    # 8-9. conduct appraisal and sanctions (after the credits)
    requirements.extend(condition_requirements(policy, request))

    statuses = [r["status"] for r in requirements]
    if all(s == "met" for s in statuses):
        decision_status = "eligible"
    elif "unmet" not in statuses:
        decision_status = "pending_verification"
    else:
        decision_status = "not_eligible"

    unused = sorted(code for code in passed if code not in claimed)
    result = {
        "edition": plan.edition,
        "eligible": decision_status == "eligible",
        "status": decision_status,
        "requirements": requirements,
        "credits": {"earned": earned, "earned_verified": earned_verified, "required": plan.min_credits},
        "unused": unused,
        "ignored_records": [dict(x) for x in ignored],
    }
    if revision >= 2:
        failed_precondition = {held[c].code: note for c, note in theory_missing.items()}
        result["unused_inputs"] = unused_inputs(plan, request, passed, requirements, subs_for,
                                                failed_precondition, released, not_counted, unused)
        result["unused_inputs"] += unused_exceptions(request, held, requirements, idle_exceptions, theory_missing,
                                                     released)
    return result


def unused_exceptions(request, held, requirements, idle, theory_missing, released):
    """Section 4 item 7, last part: exceptions no requirement counts, by id, with the reason."""
    counted_vias = set()
    for req in requirements:
        for e in req["counted"]:
            counted_vias.add(e["via"])
    out = []
    for exc in sorted(request.exceptions, key=lambda e: e.id):
        via = "exception:" + str(exc.id)
        if via in counted_vias:
            continue
        if exc.id in idle:
            reason = idle[exc.id]
        elif exc.course in theory_missing:
            reason = theory_missing[exc.course]
        elif held[exc.course] is not None and held[exc.course].code in released:
            reason = released[held[exc.course].code]
        else:
            reason = "not_counted"
        code = exc.by if exc.kind == "substitute" else exc.course
        out.append({"code": code, "input": "exception", "exception": exc.id, "reason": reason})
    return out


def condition_requirements(policy, request):
    """Section 4 items 8 and 9: the conduct appraisal (when given and in force), a sanction covering as_of."""
    out = []
    conduct = policy.conduct
    appraisal = request.conduct_appraisal
    in_force = conduct is not None and (conduct.effective_from is None or conduct.effective_from <= request.as_of)
    if in_force and appraisal is not None:
        notes = []
        if appraisal.result is None:
            word = "pending"
            notes.append("appraisal_not_recorded")
        elif appraisal.result in conduct.passing:
            word = "met"
        else:
            word = "unmet"
            notes.append("appraisal:" + appraisal.result)
        out.append({"id": "conduct", "kind": "conduct", "status": word, "counted": [], "missing": [],
                    "notes": notes,
                    "appraisal": {"result": appraisal.result, "recorded_by": appraisal.recorded_by,
                                  "recorded_at": appraisal.recorded_at}})
    ending = None
    for sanction in request.sanctions:
        if not (sanction.start <= request.as_of <= sanction.until):
            continue
        if ending is None or (sanction.until, sanction.document_no) > (ending.until, ending.document_no):
            ending = sanction
    if ending is not None:
        until = ending.until.isoformat()
        out.append({"id": "sanction", "kind": "sanction", "status": "unmet", "counted": [], "missing": [],
                    "notes": ["until:" + until],
                    "sanction": {"from": ending.start.isoformat(), "until": until,
                                 "document_no": ending.document_no}})
    return out


def unused_inputs(plan, request, passed, requirements, subs_for, failed_precondition, released,
                  not_counted, unused):
    """Section 4 item 7: chosen substitution codes and old-plan records that no requirement counts."""
    counted_codes = set()
    for req in requirements:
        for e in req["counted"]:
            counted_codes.add(e["code"])
    rejected_reason = {}
    for req in requirements:
        sub_info = req.get("substitution")
        if sub_info:
            for r in sub_info["rejected"]:
                rejected_reason[r["code"]] = r["reason"]
    out = []
    for choice in sorted(set(request.substitution)):
        if choice in counted_codes:
            continue
        if choice in rejected_reason:
            reason = rejected_reason[choice]
        elif choice in not_counted:
            reason = "substitution_not_counted"
        elif subs_for:
            reason = "substitution_not_needed"
        else:
            reason = "no_substitution"
        out.append({"code": choice, "input": "substitution", "reason": reason})
    plan_codes = set(plan.codes())
    for code in unused:
        if passed[code].source != "old-plan":
            continue
        if code in released:
            reason = released[code]
        elif code in failed_precondition:
            reason = failed_precondition[code]
        elif code not in plan_codes:
            reason = "not_in_plan"
        else:
            reason = "not_needed"
        out.append({"code": code, "input": "old-plan", "reason": reason})
    return out


# --------------------------------------------------------------- decision ---

def editions_to_evaluate(bundle, request):
    if bundle.major(request.university, request.major) is None:
        raise UnknownMajor(f"unknown_major: no major {request.major} at {request.university}")
    plans = []
    for plan in bundle.plans_for(request.university, request.major):
        if not plan.in_force(request.as_of):
            continue
        if request.edition is not None and plan.edition != request.edition:
            continue
        plans.append(plan)
    if not plans:
        named = f" (edition {request.edition})" if request.edition is not None else ""
        raise NoPlan(f"no_plan_in_force: major {request.major} of {request.university}{named} "
                     f"has no plan in force on {request.as_of.isoformat()}")
    plans.sort(key=lambda p: (p.effective_from, p.edition))
    return plans


def evaluate(bundle, request) -> dict:
    plans = editions_to_evaluate(bundle, request)
    results = []
    for plan in plans:
        passed, ignored = classify_records(bundle, request.records)
        results.append((plan, evaluate_plan(bundle, plan, request, passed, ignored)))

    chosen = None
    for _plan, result in results:
        if result["status"] == "eligible":
            chosen = result
            break
    if chosen is None:
        for _plan, result in results:
            if result["status"] == "pending_verification":
                chosen = result
                break
    if chosen is None:
        best = None
        for plan, result in results:
            unmet = sum(1 for r in result["requirements"] if r["status"] == "unmet")
            if best is None:
                best = (unmet, plan, result)
                continue
            best_unmet, best_plan, _ = best
            if unmet < best_unmet:
                best = (unmet, plan, result)
            elif unmet == best_unmet and (plan.effective_from, plan.edition) > (best_plan.effective_from, best_plan.edition):
                best = (unmet, plan, result)
        chosen = best[2]

    alternatives = []
    for plan, result in results:
        alternatives.append({
            "edition": plan.edition,
            "status": result["status"],
            "unmet": [r["id"] for r in result["requirements"] if r["status"] == "unmet"],
        })
    decision = dict(chosen)
    decision["alternatives"] = alternatives
    return decision
