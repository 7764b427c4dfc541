"""A decision as the candidate's checklist (seed 002, 所选专业(不)符合毕业合格条件): ✓ / ✗ per course.

Marks: ✓ met, ○ pending verification (e.g. an old-plan card the county has not
checked), ✗ not met.
"""
from __future__ import annotations

MARK = {"met": "✓", "pending": "○", "unmet": "✗"}
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
}
INPUTS = {"substitution": "顶替英语二所选", "old-plan": "旧计划合格课程"}


def checklist(bundle, decision: dict) -> list[str]:
    """The lines of the checklist for one decision."""
    uni = bundle.universities[decision["university"]].name
    plan = next(p for p in bundle.plans_for(decision["university"], decision["major"])
                if p.edition == decision["edition"])
    lines = [
        f"主考院校: {uni}  专业: {decision['major']} {decision['major_name']}({decision['level']})  "
        f"计划: {decision['edition']} 版  as of {decision['as_of']}",
        HEADLINE[decision["status"]],
        f"{decision['major_name']}({decision['level']})(本专业下必修课程)",
    ]
    pending = []
    counted_for = {c["for"]: c for r in decision["requirements"] for c in r["counted"]
                   if not c["via"].startswith("substitution:")}
    for req in decision["requirements"]:
        mark = MARK[req["status"]]
        if req["status"] == "pending":
            pending.append(req["label"])
        kind = req["kind"]
        if kind in ("course", "thesis"):
            code = req["id"].split(":", 1)[1]
            lines.append(f"  {mark} {_plan_course(bundle, code, req)}{_how(bundle, req, counted_for)}")
            if req.get("substitution"):
                lines += _substitution(bundle, req["substitution"])
        elif kind == "group":
            group = next(g for g in plan.groups if f"group:{g.id}" == req["id"])
            m = req["measure"]
            unit = "门" if group.pick else "学分"
            lines.append(f"  {mark} {req['label']}: {m['all']} of {m['required']} {unit}"
                         + (f" ({m['verified']} verified)" if m["verified"] != m["all"] else ""))
            taken = {c["for"]: c for c in req["counted"]}
            for code in group.courses:
                sub = "✓" if code in taken and taken[code]["verified"] else "○" if code in taken else " "
                lines.append(f"      {sub} {_course(bundle, code)}")
        elif kind == "prior-diploma":
            notes = ", ".join(req["notes"]) or ("absent or not matching" if req["status"] == "unmet" else "")
            lines.append(f"  {mark} 前置学历" + (f" ({notes})" if notes else "")
                         + (" (awaiting 学信网 verification)" if req["status"] == "pending" else ""))
        elif kind == "conduct":
            result = req["appraisal"]["result"]
            lines.append(f"  {mark} 思想品德鉴定: " + (result or "待县区招办登记 (awaiting the county office)"))
        elif kind == "sanction":
            s = req["sanction"]
            lines.append(f"  {mark} 延迟毕业至 {s['until']}（{s['document_no']}）: 此日期后方可毕业 "
                         "(graduation delayed until this date)")
    credits = decision["credits"]
    credit_req = next((r for r in decision["requirements"] if r["kind"] == "credits"), None)
    lines.append(f"  {MARK[credit_req['status']] if credit_req else ' '} 最低毕业学分: {credits['earned']} earned "
                 f"({credits['earned_verified']} verified) of {credits['required']} required")
    if pending:
        lines.append("待核实 (pending verification): " + "; ".join(pending))
    blocked = _blocked_practicals(bundle, decision, counted_for)
    not_counted = [f"{r['code']} {REASONS.get(r['reason'], r['reason'])}" for r in decision.get("ignored_records", [])]
    not_counted += [f"{code} {why}" for code, why in blocked.items()]
    if not_counted:
        lines.append("未计入 (not counted): " + "; ".join(not_counted))
    for entry in decision.get("unused_inputs", []):
        if entry["code"] not in blocked:
            lines.append(f"未使用 (not used): {entry['code']} ({INPUTS.get(entry['input'], entry['input'])}) "
                         + _reason(entry["reason"]))
    explained = {e["code"] for e in decision.get("unused_inputs", []) if e["input"] == "old-plan"}
    unused = [c for c in decision.get("unused", []) if c not in blocked and c not in explained]
    if unused:
        lines.append("其他合格课程 (passed, not needed): " + ", ".join(unused))
    others = [a for a in decision.get("alternatives", []) if a["edition"] != decision["edition"]]
    for alt in others:
        lines.append(f"其他计划 {alt['edition']} 版: {alt['status']}"
                     + (f" (unmet: {', '.join(alt['unmet'])})" if alt["unmet"] else ""))
    lines.append("提示: ✓ 为有合格成绩的课程, ✗ 为无合格成绩或未选修课程, ○ 为待核实的课程")
    return lines


def _course(bundle, code: str) -> str:
    course = bundle.catalogue.get(code)
    return f"{code}{course.name}({course.credits})" if course else code


def _plan_course(bundle, code: str, req: dict) -> str:
    """The plan course; held through an equivalence, without its own credits (the held course's count)."""
    if any(c["via"].startswith("equivalence:") for c in req["counted"]):
        course = bundle.catalogue.get(code)
        return f"{code}{course.name}" if course else code
    return _course(bundle, code)


def _how(bundle, req: dict, counted_for: dict) -> str:
    """How a course is held when not by its own pass (an equivalence), or why not (a failed precondition)."""
    bits = []
    for c in req["counted"]:
        if c["via"].startswith("equivalence:"):
            bits.append(f"由 {_course(bundle, c['code'])} 顶替 ({c['via']}), 计 {c['credits']} 学分")
        if not c["verified"]:
            theory = _theory_of(bundle, c["for"])
            if theory in counted_for and not counted_for[theory]["verified"]:
                bits.append(f"理论课程 {theory} 待核验 (theory awaiting verification)")
            else:
                bits.append(f"{c['code']} awaiting verification")
    for note in req.get("notes", []):
        if note == "theory_not_passed" or note.startswith("passed_courses_below:"):
            bits.append(_reason(note))
    return f"  [{'; '.join(bits)}]" if bits else ""


def _theory_of(bundle, code: str) -> str | None:
    course = bundle.catalogue.get(code)
    return course.theory if course and course.kind == "practical" else None


def _blocked_practicals(bundle, decision: dict, counted_for: dict) -> dict[str, str]:
    """Passed practicals no requirement counts because their precondition failed, with the reason."""
    out = {}
    for code in decision.get("unused", []):
        course = bundle.catalogue.get(code)
        if course is None or course.kind != "practical":
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
