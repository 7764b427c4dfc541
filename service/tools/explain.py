"""A decision as the candidate's checklist (seed 002, 所选专业(不)符合毕业合格条件): ✓ / ✗ per course.

Marks: ✓ met, 待核验 pending verification (e.g. an old-plan card the county has not
checked), ✗ not met; each line gives its reason (service.rules.checklist builds the rows).
"""
from __future__ import annotations

from service.rules.checklist import rows as checklist_rows

HEADLINE = {
    "eligible": "所选专业符合毕业合格条件",
    "pending_verification": "所选专业待核实后符合毕业合格条件 (pending verification)",
    "not_eligible": "所选专业不符合毕业合格条件",
}
REASONS = {
    "not_passed": "无合格成绩",
    "is_replaced_course": "不能顶替自身",
    "unknown_course": "课程目录中没有此课程",
    "no_substitution": "本计划无可顶替的课程 (no substitution applies to this plan)",
    "substitution_not_needed": "被顶替课程已合格 (not needed)",
    "substitution_not_counted": "被顶替课程待核验, 暂不计入 (held in reserve)",
    "replaced_by_substitution": "已由顶替课程计入 (the substitution counts instead)",
    "theory_not_passed": "理论课程未合格 (theory course not passed)",
    "not_in_plan": "不是本计划课程 (not a course of this plan)",
    "not_needed": "未计入任何要求 (not needed)",
    # per-candidate exceptions (docs/exceptions.md)
    "course_passed": "原课程已合格 (the plan course is passed)",
    "already_held": "原课程已由另一例外计入 (another exception holds it)",
    "record_used": "该课程已计入其他课程 (its record counts elsewhere)",
    "not_counted": "未计入任何要求 (not counted)",
}
INPUTS = {"substitution": "顶替英语二所选", "old-plan": "旧计划合格课程", "exception": "例外"}


def checklist(bundle, decision: dict) -> list[str]:
    """The lines of the checklist for one decision: the rows of service.rules.checklist, as text."""
    uni = bundle.universities[decision["university"]].name
    lines = [
        f"主考院校: {uni}  专业: {decision['major']} {decision['major_name']}({decision['level']})  "
        f"计划: {decision['edition']} 版  as of {decision['as_of']}",
        HEADLINE[decision["status"]],
        f"{decision['major_name']}({decision['level']})(本专业下必修课程)",
    ]
    all_rows = checklist_rows(bundle, decision)
    for row in all_rows:
        # the reason carries the credits counted when they are not the course's own (a 顶替, a substitution)
        lines.append(f"  {row['symbol']} {_title(row)}" + (f"  [{row['reason']}]" if row["reason"] else ""))
        if row.get("substitution"):
            lines += _substitution(bundle, row["substitution"])
        for option in row.get("options", []):
            mark = " " if not option["taken"] else "✓" if option["verified"] else "待核验"
            lines.append(f"      {mark} {_course(bundle, option['code'])}")
    pending = [f"{row['code']} {row['name']}" if row["code"] else row["name"] or row["requirement"]
               for row in all_rows if row["mark"] == "pending"]
    if pending:
        lines.append("待核验 (pending verification): " + "; ".join(pending))
    counted_for = {c["for"]: c for r in decision["requirements"] for c in r["counted"]
                   if not c["via"].startswith("substitution:")}
    blocked = _blocked_practicals(bundle, decision, counted_for)
    not_counted = [f"{r['code']} {REASONS.get(r['reason'], r['reason'])}" for r in decision.get("ignored_records", [])]
    not_counted += [f"{code} {why}" for code, why in blocked.items()]
    if not_counted:
        lines.append("未计入 (not counted): " + "; ".join(not_counted))
    for entry in decision.get("unused_inputs", []):
        if entry["code"] not in blocked:
            lines.append(f"未使用 (not used): {entry['code']} ({INPUTS.get(entry['input'], entry['input'])}) "
                         + _reason(entry["reason"]))
    explained = {e["code"] for e in decision.get("unused_inputs", []) if e["input"] in ("old-plan", "exception")}
    unused = [c for c in decision.get("unused", []) if c not in blocked and c not in explained]
    if unused:
        lines.append("其他合格课程 (passed, not needed): " + ", ".join(unused))
    others = [a for a in decision.get("alternatives", []) if a["edition"] != decision["edition"]]
    for alt in others:
        lines.append(f"其他计划 {alt['edition']} 版: {alt['status']}"
                     + (f" (unmet: {', '.join(alt['unmet'])})" if alt["unmet"] else ""))
    lines.append("提示: ✓ 为有合格成绩的课程, ✗ 为无合格成绩或未选修课程, 待核验 为待县(区)自考办核验的课程")
    return lines


def _title(row: dict) -> str:
    if row["code"]:
        return f"{row['code']}{row['name'] or ''}" + (f"({row['credits']})" if row["credits"] is not None else "")
    return row["name"] or row["requirement"]


def _course(bundle, code: str) -> str:
    course = bundle.catalogue.get(code)
    return f"{code}{course.name}({course.credits})" if course else code


def _theory_of(bundle, code: str) -> str | None:
    course = bundle.catalogue.get(code)
    return course.theory if course and course.kind == "practical" else None


def _blocked_practicals(bundle, decision: dict, counted_for: dict) -> dict[str, str]:
    """Passed practicals of the plan no requirement counts because their precondition failed, with the reason."""
    out = {}
    plan = next((p for p in bundle.plans_for(decision["university"], decision["major"])
                 if p.edition == decision["edition"]), None)
    # a practical of another plan is simply not needed here, whatever became of its theory
    in_plan = set(plan.codes()) if plan else set()
    for code in decision.get("unused", []):
        course = bundle.catalogue.get(code)
        if course is None or course.kind != "practical" or code not in in_plan:
            continue
        if course.theory and course.theory not in counted_for:
            out[code] = f"理论课程 {course.theory} 未合格 (theory course not passed)"
        elif course.requires_passed and code not in counted_for:
            out[code] = _reason(f"passed_courses_below:{course.requires_passed}")
    return out


def _reason(reason: str) -> str:
    if reason.startswith("passed_courses_below:"):
        n = reason.split(":", 1)[1]
        return f"本专业合格课程不足 {n} 门 (fewer than {n} courses of the plan passed)"
    return REASONS.get(reason, reason)


def _substitution(bundle, sub: dict) -> list[str]:
    m = sub["measure"]
    out = [f"      顶替英语二 ({sub['id']}): {m['all']} of {m['required']} credits"
           + (f" ({m['verified']} verified)" if m["verified"] != m["all"] else "")]
    for code in sub["accepted"]:
        out.append(f"        ✓ accepted {_course(bundle, code)}")
    for r in sub["rejected"]:
        reason = r["reason"]
        if reason.startswith("counted_elsewhere:"):
            reason = f"已计入 {reason.split(':', 1)[1]}"
        else:
            reason = REASONS.get(reason, reason)
        out.append(f"        ✗ rejected {_course(bundle, r['code'])}: {reason}")
    return out
