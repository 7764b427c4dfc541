"""Exam plans as rows: what GET /v1/majors/… returns and what the console prints as the 专业考试计划 table."""
from __future__ import annotations

__all__ = ["KIND_LABELS", "plan_dict", "plan_table"]

KIND_LABELS = {"theory": "理论", "practical": "实践", "thesis": "论文"}


def plan_dict(bundle, plan) -> dict:
    cat = bundle.catalogue
    courses = [{"requirement": "required", **_course(cat[c])} for c in plan.required]
    for g in plan.groups:
        courses += [{"requirement": f"group:{g.id}", **_course(cat[c])} for c in g.courses]
    if plan.thesis:
        courses.append({"requirement": "thesis", **_course(cat[plan.thesis])})
    return {
        "edition": plan.edition, "effective_from": plan.effective_from.isoformat(),
        "effective_until": plan.effective_until.isoformat() if plan.effective_until else None,
        "min_credits": plan.min_credits, "courses": courses,
        "groups": [{"id": g.id, "name": g.name, "pick": g.pick, "min_credits": g.min_credits,
                    "courses": list(g.courses)} for g in plan.groups],
        "thesis": plan.thesis, "source": plan.source,
    }


def _course(c) -> dict:
    return {"code": c.code, "name": c.name, "credits": c.credits, "kind": c.kind}


def plan_table(bundle, plan) -> dict:
    """The plan as seed 002's 点击查看本专业开考计划 prints it: 课程代码, 课程名称, 学分, 类型, 组, 论文, 来源.

    One row per course in plan order (required courses, then each group's, then the
    thesis).  组 names the group with its rule (任选N门 / 至少N学分), so a row read on
    its own says what it takes; 来源 is the plan's published source, which every row
    of the table comes from.
    """
    shown = plan_dict(bundle, plan)
    groups = {f"group:{g['id']}": g for g in shown["groups"]}
    rows = []
    for c in shown["courses"]:
        group = groups.get(c["requirement"])
        course = bundle.catalogue[c["code"]]
        rows.append({
            "code": c["code"], "name": c["name"], "credits": c["credits"],
            "kind": KIND_LABELS.get(c["kind"], c["kind"]) + ("" if course.national else "（省考）"),
            "group": _group_label(group) if group else ("论文" if c["requirement"] == "thesis" else "必考"),
            "thesis": c["requirement"] == "thesis",
            "source": shown["source"],
        })
    credits_required = sum(r["credits"] for r in rows if r["group"] == "必考")
    return {**{k: shown[k] for k in ("edition", "effective_from", "effective_until", "min_credits", "source")},
            "university": plan.university, "major": plan.major, "name": plan.name, "level": plan.level,
            "rows": rows, "required_credits": credits_required}


def _group_label(group: dict) -> str:
    if any(word in group["name"] for word in ("任选", "至少", "学分")):
        return group["name"]  # the plan's own name already states the rule
    if group["pick"]:
        return f"{group['name']}（任选{group['pick']}门）"
    return f"{group['name']}（至少{group['min_credits']}学分）"
