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
}


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
    for req in decision["requirements"]:
        mark = MARK[req["status"]]
        if req["status"] == "pending":
            pending.append(req["label"])
        kind = req["kind"]
        if kind in ("course", "thesis"):
            code = req["id"].split(":", 1)[1]
            lines.append(f"  {mark} {_course(bundle, code)}{_how(bundle, req)}")
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
    credits = decision["credits"]
    credit_req = next((r for r in decision["requirements"] if r["kind"] == "credits"), None)
    lines.append(f"  {MARK[credit_req['status']] if credit_req else ' '} 最低毕业学分: {credits['earned']} earned "
                 f"({credits['earned_verified']} verified) of {credits['required']} required")
    if pending:
        lines.append("待核实 (pending verification): " + "; ".join(pending))
    if decision.get("ignored_records"):
        lines.append("未计入 (not counted): " + "; ".join(
            f"{r['code']} {REASONS.get(r['reason'], r['reason'])}" for r in decision["ignored_records"]))
    if decision.get("unused"):
        lines.append("其他合格课程 (passed, not needed): " + ", ".join(decision["unused"]))
    others = [a for a in decision.get("alternatives", []) if a["edition"] != decision["edition"]]
    for alt in others:
        lines.append(f"其他计划 {alt['edition']} 版: {alt['status']}"
                     + (f" (unmet: {', '.join(alt['unmet'])})" if alt["unmet"] else ""))
    lines.append("提示: ✓ 为有合格成绩的课程, ✗ 为无合格成绩或未选修课程, ○ 为待核实的课程")
    return lines


def _course(bundle, code: str) -> str:
    course = bundle.catalogue.get(code)
    return f"{code}{course.name}({course.credits})" if course else code


def _how(bundle, req: dict) -> str:
    """How a course is held when not by its own pass (an equivalence), or why not (a missing theory)."""
    bits = []
    for c in req["counted"]:
        if c["via"].startswith("equivalence:"):
            bits.append(f"by {_course(bundle, c['code'])}, {c['via']}")
        if not c["verified"]:
            bits.append(f"{c['code']} awaiting verification")
    if "theory_not_passed" in req.get("notes", []):
        bits.append("theory course not passed")
    return f"  [{'; '.join(bits)}]" if bits else ""


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
