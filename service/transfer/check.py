"""May this candidate transfer out now, and which courses would go: a pure function of the facts.

No Flask, no database: the caller gathers the candidate, their course records, the
course catalogue, the rules, the time and the history (their earlier transfer-out
applications and what the graduation workflow recorded), so the same facts always
give the same answer and every condition can be tested on its own.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from service.reference.transfer_rules import Condition, TransferRules

SOURCE_REASON = {"exemption": "exemption", "transfer-in": "transfer_in", "old-plan": "old_plan"}


def check_transfer_out(candidate: Mapping, records: Iterable[Mapping], catalogue: Mapping, rules: TransferRules,
                       now: dt.datetime | dt.date, history: Mapping) -> dict:
    """Explain each condition of ``rules`` for ``candidate`` and list the courses that would (not) transfer.

    ``records``: the transcript (code, score, source, date as ISO text or date, name);
    ``catalogue``: course code -> Course; ``history``: ``round`` (the sitting applied
    in), ``transfer_outs`` (the candidate's other transfer-out applications: round,
    state, courses) and ``graduation_applications`` (state, choices with
    decision_status and whether the decision is of the current data).

    Returns ``allowed``, ``conditions`` (id, label, met, detail, in the rules' order),
    ``unmet`` (ids), ``transferable`` and ``non_transferable`` (each with its reason).
    """
    today = now.date() if isinstance(now, dt.datetime) else now
    passed = [_normal(r) for r in records if _passes(r, rules)]
    moved = {code for t in history.get("transfer_outs", ()) if t.get("state") == "approved"
             for code in t.get("courses", ())}
    transferable, staying = _split_courses(passed, catalogue, rules, moved)
    facts = {"candidate": candidate, "passed": passed, "transferable": transferable, "today": today,
             "history": history}
    conditions = []
    for condition in rules.conditions:
        met, detail = _CHECKS[condition.id](condition, facts)
        conditions.append({"id": condition.id, "label": condition.label, "met": met, "detail": detail})
    unmet = [c["id"] for c in conditions if not c["met"]]
    return {"allowed": not unmet, "conditions": conditions, "unmet": unmet,
            "transferable": transferable, "non_transferable": staying}


# --- the courses ----------------------------------------------------------------------

def _passes(record: Mapping, rules: TransferRules) -> bool:
    if record.get("source") == "exemption":
        return True  # an exemption has no score; it is a held course that stays behind
    score = str(record.get("score", "")).strip()
    if score.isdigit():
        return int(score) >= rules.pass_mark
    return score in rules.passing_grades


def _normal(record: Mapping) -> dict:
    date = record.get("date")
    if isinstance(date, dt.date):
        date = date.isoformat()
    return {"code": record["code"], "name": record.get("name") or "", "score": str(record.get("score", "")),
            "source": record.get("source") or "exam", "date": date or None}


def _stay_reason(record: dict, catalogue: Mapping, rules: TransferRules, moved: set[str]) -> str | None:
    """None when the record transfers, else the key of rules.non_transferable saying why not."""
    source = record["source"]
    if source not in rules.transferable_sources:
        return SOURCE_REASON.get(source, "provincial")
    course = catalogue.get(record["code"])
    if course is None:
        return "unknown_course"
    if course.kind not in rules.transferable_kinds:
        return course.kind if course.kind in ("practical", "thesis") else "provincial"
    if rules.transferable_national and not course.national:
        return "provincial"
    if record["code"] in moved:
        return "already_transferred"
    return None


def _split_courses(passed: list[dict], catalogue: Mapping, rules: TransferRules,
                   moved: set[str]) -> tuple[list[dict], list[dict]]:
    """One line per course code: the earliest transferable pass, else the first reason it stays."""
    go: dict[str, dict] = {}
    stay: dict[str, dict] = {}
    for rec in sorted(passed, key=lambda r: (r["code"], r["date"] or "9999", r["source"])):
        course = catalogue.get(rec["code"])
        line = {"code": rec["code"], "name": course.name if course else rec["name"],
                "credits": course.credits if course else None, "score": rec["score"], "date": rec["date"],
                "source": rec["source"]}
        reason = _stay_reason(rec, catalogue, rules, moved)
        if reason is None:
            go.setdefault(rec["code"], line)
        else:
            stay.setdefault(rec["code"], {**line, "reason": reason, "reason_label": rules.non_transferable[reason]})
    staying = [line for code, line in sorted(stay.items()) if code not in go]
    return [go[code] for code in sorted(go)], staying


# --- the conditions -------------------------------------------------------------------

def _national_pass(cond: Condition, facts: dict) -> tuple[bool, str]:
    need, have = cond.params["min_courses"], len(facts["transferable"])
    if have >= need:
        return True, f"{have}门全国统考课程合格，可以转出"
    return False, (f"没有可转出的全国统考合格课程（需要至少{need}门）：免考、实践、毕业论文、省考课程和已转出的课程"
                   "不能转出")


def _not_suspended(cond: Condition, facts: dict) -> tuple[bool, str]:
    raised = [flag for flag in cond.params["flags"] if facts["candidate"].get(flag)]
    if raised:
        return False, f"考籍处于冻结状态（{'、'.join(raised)}），不能办理转出"
    return True, "考籍正常"


def _once_per_sitting(cond: Condition, facts: dict) -> tuple[bool, str]:
    history = facts["history"]
    rnd = history.get("round")
    used = [t for t in history.get("transfer_outs", ())
            if t.get("round") == rnd and t.get("state") in cond.params["counting_states"]]
    if used:
        first = used[0]
        return False, f"本考试周期（{rnd}）已申请过转出（申请 {first.get('id')}，{first.get('state')}）"
    return True, f"本考试周期（{rnd}）尚未申请转出"


def _one_target(cond: Condition, facts: dict) -> tuple[bool, str]:
    open_ = [t for t in facts["history"].get("transfer_outs", ()) if t.get("state") in cond.params["open_states"]]
    if open_:
        first = open_[0]
        return False, f"已有未办结的转出申请（申请 {first.get('id')}，转入{first.get('target_province')}），请先撤回或等待办结"
    return True, "没有未办结的转出申请"


def _major_not_completed(cond: Condition, facts: dict) -> tuple[bool, str]:
    for app in facts["history"].get("graduation_applications", ()):
        if app.get("state") in cond.params["graduation_states"]:
            return False, f"毕业申请 {app.get('id')} 已审核通过（{app.get('state')}），应在本省办理毕业"
        if cond.params["eligible_decision"]:
            for choice in app.get("choices", ()):
                if choice.get("decision_status") == "eligible" and choice.get("current"):
                    return False, (f"毕业申请 {app.get('id')} 中 {choice.get('university')}/{choice.get('major')} "
                                   "专业的毕业审核结论为符合毕业条件，应在本省办理毕业")
    return True, "没有已符合毕业条件的专业记录"


def _transfer_in_cooldown(cond: Condition, facts: dict) -> tuple[bool, str]:
    months = cond.params["months"]
    dates = sorted(r["date"] for r in facts["passed"] if r["source"] == "transfer-in" and r["date"])
    undated = any(r["source"] == "transfer-in" and not r["date"] for r in facts["passed"])
    note = "；有转入课程没有转入日期，请到现场核实" if undated else ""
    if not dates:
        return True, ("没有外省转入记录" if not undated else "没有带日期的外省转入记录") + note
    last = dt.date.fromisoformat(dates[-1])
    allowed_from = add_months(last, months)
    if facts["today"] < allowed_from:
        return False, f"最近一次转入为{last.isoformat()}，{allowed_from.isoformat()}起方可转出{note}"
    return True, f"最近一次转入为{last.isoformat()}，已满{months}个月{note}"


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later; the 29th of February and month ends fall back to the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for d in range(day.day, 27, -1):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    return dt.date(year, month, min(day.day, 28))


_CHECKS = {
    "national_pass": _national_pass,
    "not_suspended": _not_suspended,
    "once_per_sitting": _once_per_sitting,
    "one_target": _one_target,
    "major_not_completed": _major_not_completed,
    "transfer_in_cooldown": _transfer_in_cooldown,
}
