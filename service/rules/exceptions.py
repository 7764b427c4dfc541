"""Per-candidate exceptions in the rules core: holding a plan course by one, and the limits of recording one.

Pure: no Flask, no SQLite.  ``allocate`` (the engine's pass) holds plan courses through
``hold_by_exception`` and reports the idle ones with ``unused_exceptions``
(docs/rules-semantics.md, sections 3a and 4.7); the oracle has its own reading of the same
text.  ``check_exception`` is what the exceptions feature asks before it stores one: the
limits of a ``substitute`` are the ruleset's (``policy.exceptions.substitute``, the major's
``discontinued_from``), so curriculum staff change them as data.
"""
from __future__ import annotations

import datetime as dt

from service.rules.model import Bundle

KINDS = ("substitute", "waive")
VERIFIED = 2


def exceptions_by_course(plan, exceptions) -> tuple[dict[str, list], dict[int, str]]:
    """{plan code: its exceptions by id}, and {id: "not_in_plan"} for those naming no course of ``plan``."""
    codes = set(plan.codes())
    by_course: dict[str, list] = {}
    idle = {}
    for exc in sorted(exceptions, key=lambda e: e.id):
        if exc.course in codes:
            by_course.setdefault(exc.course, []).append(exc)
        else:
            idle[exc.id] = "not_in_plan"
    return by_course, idle


def hold_by_exception(bundle: Bundle, code: str, exceptions, passed, used: set[str], idle: dict):
    """(record code, credits, status, via) of the first of ``exceptions`` that holds ``code``, or None.

    Every exception for ``code`` that does not hold it gets its reason in ``idle``.
    """
    found = None
    for exc in exceptions:
        if found is not None:
            idle[exc.id] = "already_held"
        elif exc.kind == "waive":  # met by decision: the course's own credits, as an exemption counts them
            found = (code, bundle.catalogue[code].credits, VERIFIED, f"exception:{exc.id}")
        elif exc.by not in passed:
            idle[exc.id] = "not_passed"
        elif exc.by in used:
            idle[exc.id] = "record_used"
        else:
            _rec, credits, status = passed[exc.by]
            found = (exc.by, credits, status, f"exception:{exc.id}")
    return found


def unused_exceptions(exceptions, counted, idle: dict, by_exception: dict, dropped: dict, released: dict) -> list[dict]:
    """The request's exceptions no requirement counts, by id, each with its reason.

    ``by_exception``: plan code -> the holding an exception made (before any practical rule);
    ``dropped``: practical -> (note, record code) of the holdings a precondition removed;
    ``released``: record code -> why the English (II) set took its slot.
    """
    vias = {h.via for h in counted}
    out = []
    for exc in sorted(exceptions, key=lambda e: e.id):
        if f"exception:{exc.id}" in vias:
            continue
        holding = by_exception.get(exc.course)
        if exc.id in idle:
            reason = idle[exc.id]
        elif exc.course in dropped:
            reason = dropped[exc.course][0]
        elif holding is not None and holding.code in released:
            reason = released[holding.code]
        else:
            reason = "not_counted"
        out.append({"code": exc.by if exc.kind == "substitute" else exc.course, "input": "exception",
                    "exception": exc.id, "reason": reason})
    return out


# --- the limits, checked when an exception is recorded ---------------------------------------

def plan_course_of(bundle: Bundle, university: str, major: str, code: str) -> bool:
    return any(code in p.codes() for p in bundle.plans_for(university, major))


def check_exception(bundle: Bundle, university: str, major: str, kind: str, course: str, by: str | None,
                    on: dt.date) -> dict[str, list[str]]:
    """Every broken limit of an exception about to be recorded on ``on``, by field (empty: it may be recorded).

    Messages are read by curriculum staff: Chinese first.
    """
    problems: dict[str, list[str]] = {}

    def bad(field, message):
        problems.setdefault(field, []).append(message)

    the_major = bundle.major(university, major)
    if the_major is None:
        bad("major", f"{university} 无专业 {major} (no such major at this university)")
        return problems
    if kind not in KINDS:
        bad("kind", f"类型须为 {' / '.join(KINDS)} (unknown kind {kind!r})")
        return problems
    if not plan_course_of(bundle, university, major, course):
        bad("course", f"{course} 不是该专业考试计划中的课程 (not a course of the major's plans)")
    if kind == "waive":
        if by:
            bad("by", "免除 (waive) 不指定顶替课程 (a waiver names no replacing course)")
        return problems
    limits = bundle.policy.substitute_limits
    if not by:
        bad("by", "须指定顶替课程 (a substitute names the passed course that stands in)")
        return problems
    replacing = bundle.catalogue.get(by)
    if replacing is None:
        bad("by", f"课程 {by} 不在课程目录中 (unknown course)")
    elif by == course or plan_course_of(bundle, university, major, by):
        bad("by", f"{by} 是本专业计划内课程，不能顶替 (a course of the major's own plan cannot stand in)")
    if limits.discontinued_major and not the_major.discontinued(on):
        since = (f"停考自 {the_major.discontinued_from.isoformat()}" if the_major.discontinued_from
                 else "未列为停考专业")
        bad("major", f"{the_major.name}（{major}）{since}：仅停考专业可以顶替课程 "
                     "(only a discontinued (停考) major may substitute a course)")
    if replacing is not None and limits.same_level and not any(
            by in p.codes() for p in bundle.plans if p.level == the_major.level):
        bad("by", f"{by} 不是{the_major.level}层次计划中的课程 (not a course of a {the_major.level} plan: "
                  "a substitute must be of the same level)")
    target = bundle.catalogue.get(course)
    if replacing is not None and target is not None and limits.credits_at_least and replacing.credits < target.credits:
        bad("by", f"{by} 学分 {replacing.credits} 低于原课程 {course} 的 {target.credits} 学分 "
                  "(fewer credits than the plan course)")
    return problems
