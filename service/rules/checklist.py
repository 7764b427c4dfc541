"""A decision as the candidate's checklist: one row per plan course, group, thesis and condition.

Seed 002's 所选专业(不)符合毕业合格条件 screen lists every course of the plan with
✓ (有合格成绩) or ✗ (无合格成绩或未选修); this adds 待核验 for what awaits the
county office, says what stands for each course (its own pass, a 顶替, the
English (II) substitution, a per-candidate exception) with the credits the total
counts for it, and gives the reason on each line.  ``sxzk explain``, the
application check API and the console all render these rows, so a candidate,
a county clerk and a curriculum officer read the same words.

Pure: reads only the decision and the bundle it was made under.  Rows are built
from the decision's requirements, so requirement kinds this module does not know
(a sanction, a conduct appraisal, whatever the rules add next) still appear,
from their kind, label, status and notes.
"""
from __future__ import annotations

SYMBOL = {"met": "✓", "unmet": "✗", "pending": "待核验"}
_ORDER = {"unmet": 0, "pending": 1, "met": 2}
_PLAN_KINDS = ("course", "thesis")

VIA_TEXT = {
    "passed": "本人合格成绩 (own pass)",
    "equivalence": "新旧课程顶替 (equivalence)",
    "substitution": "顶替英语二 (English (II) substitution)",
    "exception": "个人例外 (per-candidate exception)",
}


def rows(bundle, decision: dict) -> list[dict]:
    """Every row of the checklist, unmet first, then pending, then met; plan order within each."""
    counted_for = {c["for"]: c for r in decision["requirements"] for c in r.get("counted", [])
                   if not c["via"].startswith("substitution:")}
    out = [_row(bundle, decision, req, counted_for) for req in decision["requirements"]]
    return sorted(out, key=lambda row: _ORDER.get(row["mark"], 0))


def unmet_count(checklist: list[dict]) -> int:
    return sum(row["mark"] == "unmet" for row in checklist)


def _row(bundle, decision, req, counted_for) -> dict:
    kind = req["kind"]
    if kind in _PLAN_KINDS:
        return _course_row(bundle, decision, req, counted_for)
    if kind == "group":
        return _group_row(bundle, decision, req)
    if kind == "credits":
        return _credits_row(req, decision)
    if kind == "prior-diploma":
        return _base(req, None, "前置学历", None, _held_by(bundle, req), _prior_diploma_reason(req))
    if kind == "conduct":
        return _base(req, None, "思想品德鉴定", None, [], _conduct_reason(req))
    if kind == "sanction" and req.get("sanction"):
        s = req["sanction"]
        return _base(req, None, "延迟毕业", None, [],
                     f"延迟毕业至 {s['until']}（{s['document_no']}），此日期后方可毕业 (graduation delayed until {s['until']})")
    return _policy_row(bundle, req)


def _conduct_reason(req) -> str | None:
    result = (req.get("appraisal") or {}).get("result")
    if req["status"] == "pending":
        return "待县区招办登记 (awaiting the county office)"
    if req["status"] == "unmet":
        return f"鉴定结果：{result} (appraised {result})"
    return result


def _base(req, code, name, credits, held_by, reason) -> dict:
    status = req["status"]
    return {
        "kind": req["kind"], "requirement": req["id"], "code": code, "name": name, "credits": credits,
        "mark": status, "symbol": SYMBOL.get(status, status),
        "held_by": held_by, "counted_credits": sum(h["credits"] or 0 for h in held_by),
        "reason": reason,
    }


def _held_by(bundle, req) -> list[dict]:
    out = []
    for c in req.get("counted", []):
        course = bundle.catalogue.get(c["code"])
        via = "passed" if c["via"] == "direct" else c["via"]
        out.append({"code": c["code"], "name": course.name if course else None, "credits": c["credits"],
                    "via": via, "verified": c["verified"]})
    return out


def _course_row(bundle, decision, req, counted_for) -> dict:
    code = req["id"].split(":", 1)[1]
    course = bundle.catalogue.get(code)
    name = course.name if course else req["label"].removeprefix(code).strip() or None
    held_by = _held_by(bundle, req)
    row = _base(req, code, name, course.credits if course else None, held_by,
                _course_reason(bundle, decision, req, code, course, held_by, counted_for))
    if req.get("substitution"):
        row["substitution"] = req["substitution"]
    return row


def _course_reason(bundle, decision, req, code, course, held_by, counted_for) -> str | None:
    bits = []
    notes = req.get("notes", [])
    sub = req.get("substitution")
    for h in held_by:
        if h["via"].startswith("equivalence:"):
            bits.append(f"由 {_course_text(bundle, h['code'])} 顶替, 计 {h['credits']} 学分 "
                        f"(held through {h['via']}, counting {h['credits']} credits)")
        elif h["via"].startswith("exception:") and h["code"] == code:
            # a waiver holds the plan course itself, with no record: the document decided it
            bits.append(f"依文件免除 ({h['via']}), 计 {h['credits']} 学分 (waived by a per-candidate exception)")
        elif h["via"].startswith("exception:"):
            bits.append(f"经批准由 {_course_text(bundle, h['code'])} 顶替 ({h['via']}), 计 {h['credits']} 学分 "
                        f"(per-candidate exception)")
    if sub and any(h["via"].startswith("substitution:") for h in held_by) and req["status"] != "unmet":
        m = sub["measure"]
        verified = f", 其中已核验 {m['verified']}" if m["verified"] != m["all"] else ""
        bits.append(f"顶替英语二课程共 {m['all']} 学分{verified}, 需 {m['required']} 学分 "
                    f"(substitution: {m['all']} of {m['required']} credits)")
    for h in held_by:
        if not h["verified"]:
            bits.append(_pending_reason(bundle, h, counted_for))
    for note in notes:
        if note.startswith("exception:") or note.startswith("waived"):
            bits.append(f"按个人例外认定 ({note})")
        elif note == "theory_not_passed":
            theory = course.theory if course else None
            practical = f"; {code} 的合格成绩暂不计入 ({code} passed, not counted)" if _passed_unused(
                decision, code) else ""
            bits.append(f"理论课程 {theory} 未合格 (theory course {theory} not passed){practical}")
        elif note.startswith("passed_courses_below:"):
            n = note.split(":", 1)[1]
            bits.append(f"本专业合格课程不足 {n} 门 (fewer than {n} courses of the plan passed)")
        elif note == "replaced_by_substitution":
            bits.append(f"{code} 待核验的成绩不重复计入, 已由顶替课程计入 (the verified substitution counts instead)")
        elif note == "substitution_not_needed" and sub is not None and _request_chose(decision):
            bits.append(f"{code} 已合格, 所选顶替课程未使用 (passed itself: the chosen substitution is not needed)")
        elif note == "substitution_not_counted":
            bits.append("顶替课程已核验学分不足, 暂不计入; 计本课程待核验的成绩 "
                        "(substitution held in reserve: not enough verified credits)")
    if req["status"] == "unmet" and (not bits or sub):
        bits.append(_unmet_reason(decision, code, sub))
    return "; ".join(dict.fromkeys(bits)) or None


def _request_chose(decision) -> bool:
    """Whether the candidate chose substitution courses (reported unused when the course itself is held)."""
    return any(e["input"] == "substitution" for e in decision.get("unused_inputs") or [])


def _pending_reason(bundle, held, counted_for) -> str:
    """Why a counted record is not yet verified: its own card, or the precondition it rests on."""
    course = bundle.catalogue.get(held["code"]) if held["via"] == "passed" else None
    if course is not None and course.kind == "practical" and course.theory:
        theory = counted_for.get(course.theory)
        if theory is not None and not theory["verified"]:
            return (f"理论课程 {course.theory} 待核验, 实践课程随之待核验 "
                    f"(theory course {course.theory} awaiting verification)")
    if course is not None and course.kind == "practical" and course.requires_passed:
        n = course.requires_passed
        return f"本专业已核验合格课程不足 {n} 门 (fewer than {n} verified courses of the plan)"
    return f"{held['code']} 待县(区)自考办核验 ({held['code']} awaiting verification)"


def _unmet_reason(decision, code, sub) -> str:
    if sub is not None:
        m = sub["measure"]
        if not sub["accepted"]:
            return "无合格成绩, 未选择顶替英语二课程 (not passed; no substitution chosen)"
        return (f"无合格成绩, 顶替英语二课程共 {m['all']} 学分, 不足 {m['required']} 学分 "
                f"(not passed; substitution {m['all']} of {m['required']} credits)")
    if any(r["code"] == code and r["reason"] == "not_passed" for r in decision.get("ignored_records", [])):
        return "无合格成绩 (not passed)"
    return "无合格成绩或未选修 (no passing score)"


def _passed_unused(decision, code) -> bool:
    return code in decision.get("unused", []) or any(
        e["code"] == code for e in decision.get("unused_inputs") or [])


def _group_row(bundle, decision, req) -> dict:
    m = req.get("measure") or {}
    held_by = _held_by(bundle, req)
    group = _group_of(bundle, decision, req["id"])
    by_credits = group is not None and group.min_credits is not None
    unit = "学分" if by_credits else "门"
    reason = f"已有 {m.get('all', 0)} {unit}, 需 {m.get('required', 0)} {unit} " \
             f"({m.get('all', 0)} of {m.get('required', 0)} {'credits' if by_credits else 'courses'})"
    if m.get("verified", 0) != m.get("all", 0):
        reason += f"; 其中已核验 {m['verified']} (verified {m['verified']})"
    if req["status"] == "unmet" and req.get("missing"):
        reason += f"; 可选 (to choose from): {', '.join(req['missing'])}"
    for h in held_by:
        if h["via"].startswith("equivalence:") or h["via"].startswith("exception:"):
            reason += f"; {h['code']} 经 {h['via']} 计入"
    row = _base(req, None, req["label"], m.get("required") if by_credits else None, held_by, reason)
    taken = {c["for"]: c for c in req.get("counted", [])}
    row["options"] = [
        {"code": code, "name": course.name if course else None, "credits": course.credits if course else None,
         "taken": code in taken, "verified": taken[code]["verified"] if code in taken else None}
        for code in (group.courses if group else ())
        for course in [bundle.catalogue.get(code)]
    ]
    return row


def _group_of(bundle, decision, rid):
    # group ids are per plan ("elective" in many): the decision's own plan edition says which
    plans = [p for p in bundle.plans_for(decision["university"], decision["major"])
             if p.edition == decision.get("edition")]
    return next((g for p in plans for g in p.groups if f"group:{g.id}" == rid), None)


def _credits_row(req, decision) -> dict:
    m = req.get("measure") or {}
    credits = decision.get("credits", {})
    earned, verified = credits.get("earned", m.get("all", 0)), credits.get("earned_verified", m.get("verified", 0))
    required = credits.get("required", m.get("required"))
    reason = f"已计 {earned} 学分 (其中已核验 {verified}), 需 {required} 学分 " \
             f"({earned} earned, {verified} verified, of {required} required)"
    row = _base(req, None, req["label"], required, [], reason)
    row["counted_credits"] = earned
    return row


_MISMATCH = {"name": "姓名", "id_number": "身份证号", "gender": "性别"}


def _prior_diploma_reason(req) -> str | None:
    mismatched = [n.split(":", 1)[1] for n in req.get("notes", []) if n.startswith("mismatch:")]
    if mismatched:
        fields = "、".join(_MISMATCH.get(f, f) for f in mismatched)
        return f"前置学历证书的{fields}与考生不符 (prior diploma does not match: {', '.join(mismatched)})"
    if req["status"] == "unmet":
        return "未提供前置学历 (no prior diploma given)"
    if req["status"] == "pending":
        return "前置学历待学信网核验 (awaiting 学信网 verification)"
    return None


def _policy_row(bundle, req) -> dict:
    """A requirement this module does not know: its label, status and notes, as the decision states them."""
    held_by = _held_by(bundle, req)
    bits = list(req.get("notes", [])) + [f"缺 (missing): {m}" for m in req.get("missing", [])]
    if not bits and req["status"] != "met":
        bits.append(_GENERIC[req["status"]] if req["status"] in _GENERIC else req["status"])
    return _base(req, None, req.get("label"), None, held_by, "; ".join(bits) or None)


_GENERIC = {"unmet": "未满足 (not met)", "pending": "待核验 (pending verification)"}


def _course_text(bundle, code: str) -> str:
    course = bundle.catalogue.get(code)
    return f"{code}{course.name}({course.credits})" if course else code
