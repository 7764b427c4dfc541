"""A plan of the bundle as the official 专业考试计划 table (the layout of ``plan_sheets``).

The values come from the plan file as written (its source entries and note) and
from the catalogue (names, credits, kinds), so importing the table gives the plan back.
"""
from __future__ import annotations

import re

from service.tools.plans.sheets import COLUMNS, Sheet

# 考试类型 as the published tables print it, by kind (theory: 统考 national, 省考 provincial)
EXAM_TYPES = {("theory", True): "统考", ("theory", False): "省考", ("practical", True): "实践",
              ("practical", False): "实践", ("thesis", True): "论文", ("thesis", False): "论文"}
PRACTICAL_REMARK = "实践"
# 备注 of a practical without a theory course: how many plan courses open it (catalogue requires_passed)
REQUIRES_PASSED = re.compile(r"通过本专业(\d+|[一两二三四五六七八九])门及以上课程")
# 备注 of a practical without a theory course that nothing has to be passed for (requires_passed 0)
STANDALONE = "独立实践，无先修要求"


def pick_remark(group: dict) -> str:
    """备注 of a group's rows: its rule, in the words the published tables use."""
    if group.get("pick") is not None:
        n = group["pick"]
        return f"任选{'一两三四五六七八九'[n - 1] if 1 <= n <= 9 else n}门"
    return f"至少{group['min_credits']}学分"


def sheet_name(plan) -> str:
    return f"{plan.university}-{plan.major}-{plan.edition}"[:31]


def plan_sheet(bundle, plan) -> Sheet:
    data = bundle.files[plan.path]
    eff = data["effective"]
    rows = [["主考学校", bundle.universities[plan.university].name], ["专业代码", plan.major], ["专业名称", plan.name],
            ["层次", plan.level], ["版本", plan.edition], ["生效日期", str(eff["from"])],
            ["失效日期", str(eff["until"]) if eff.get("until") else None], ["最低学分", plan.min_credits]]
    sources = data["source"] if isinstance(data["source"], list) else [data["source"]]
    for entry in sources:
        if isinstance(entry, dict):
            rows.append(["来源", entry["title"]])
            if entry.get("reference"):
                rows.append(["来源链接", entry["reference"]])
        else:
            rows.append(["来源", entry])
    if data.get("note"):
        rows.append(["说明", data["note"]])
    for group in data.get("groups") or []:
        rows.append(["课程组", group["id"], group["name"]])
    rows += [[], list(COLUMNS)]

    numbers: dict[str, int] = {}  # a practical shares the 序号 of its theory course, as in the published tables
    def row(code, remark=None, group=None):
        course = bundle.catalogue[code]
        if course.kind == "practical" and course.theory in numbers:
            number = numbers[course.theory]
        else:
            number = max(numbers.values(), default=0) + 1
        numbers[code] = number
        if course.kind == "practical" and remark is None and course.requires_passed:
            remark = f"通过本专业{course.requires_passed}门及以上课程方可报考"
        elif course.kind == "practical" and remark is None and course.requires_passed == 0:
            remark = STANDALONE
        elif course.kind == "practical" and remark is None:
            remark = PRACTICAL_REMARK
        rows.append([number, code, course.name, course.credits, EXAM_TYPES[(course.kind, course.national)], remark,
                     group])

    for code in plan.required:
        row(code)
    for group in data.get("groups") or []:
        for code in group["courses"]:
            row(code, pick_remark(group), group["id"])
    if plan.thesis:
        row(plan.thesis)
    return Sheet(sheet_name(plan), [[None if v == "" else v for v in r] for r in rows])
