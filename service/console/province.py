"""The province's dashboard (省考试院): applications per stage per district, eligibility per major, work
waiting by age, each drawn with the vendored Chart.js and downloadable as CSV (UTF-8 with a BOM, so that
Excel opens the Chinese).  The province works the applications themselves through the county pages,
across every district.
"""
from __future__ import annotations

import csv
import io
from urllib.parse import quote

from flask import Response, render_template

from service.console import nav, records
from service.console.guard import principal, staff
from service.errors import NotFound
from service.web import current

ROLES = ("province",)


def register_pages(bp) -> None:
    bp.add_url_rule("/dashboard", "dashboard", dashboard)
    bp.add_url_rule("/dashboard/<string:table>.csv", "dashboard_csv", dashboard_csv)
    nav.add("console.dashboard", "统计看板", ROLES)


def _figures() -> dict:
    who = principal()
    db = current.db()
    return {"stages": records.per_stage_per_district(db, who),
            "majors": records.eligibility_per_major(db, who, current.rulebook().current()),
            "waiting": records.waiting_by_age(db, who, current.now())}


def used_states(stages: dict) -> list[tuple[str, str]]:
    """The states some district has an application in (the page's table and chart; the CSV has them all)."""
    return [(n, label) for n, label in stages["states"] if any(r["counts"][n] for r in stages["rows"])]


def _chart_data(figures: dict) -> dict:
    """What dashboard.js draws: labels and series only, no markup."""
    stages, majors, waiting = figures["stages"], figures["majors"], figures["waiting"]
    used = used_states(stages)
    return {
        "stages": {"labels": [r["district"] for r in stages["rows"]],
                   "series": [{"label": label, "data": [r["counts"][n] for r in stages["rows"]]} for n, label in used]},
        "majors": {"labels": [f"{m['university_name']} {m['major_name']}" for m in majors],
                   "series": [{"label": "符合毕业条件比例（%）", "data": [m["rate"] or 0 for m in majors]}]},
        "waiting": {"labels": [r["stage"] for r in waiting["rows"]],
                    "series": [{"label": age, "data": [r["counts"][age] for r in waiting["rows"]]}
                               for age in waiting["ages"]]},
    }


@staff(*ROLES)
def dashboard():
    figures = _figures()
    return render_template("console/dashboard.html", chart_data=_chart_data(figures),
                           used_states=used_states(figures["stages"]),
                           now_text=current.now().strftime("%Y-%m-%d %H:%M"), **figures)


def _cell(value):
    # a text cell Excel would read as a formula is kept as text
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return "" if value is None else value


def _tables(figures: dict) -> dict:
    stages, majors, waiting = figures["stages"], figures["majors"], figures["waiting"]
    return {
        "stages": ("各区县各阶段申请数",
                   ["区县", *[label for _, label in stages["states"]], "合计"],
                   [[r["district"], *[r["counts"][n] for n, _ in stages["states"]], r["total"]] for r in stages["rows"]]),
        "majors": ("各专业符合毕业条件比例",
                   ["主考院校", "专业代码", "专业名称", "层次", "已审核", "符合", "待核验", "不符合", "符合比例（%）"],
                   [[m["university_name"], m["major"], m["major_name"], m["level"], m["decided"], m["eligible"],
                     m["pending"], m["not_eligible"], m["rate"]] for m in majors]),
        "waiting": ("待办工作等待时长",
                    ["阶段", *waiting["ages"], "合计"],
                    [[r["stage"], *[r["counts"][a] for a in waiting["ages"]], r["total"]] for r in waiting["rows"]]),
    }


@staff(*ROLES)
def dashboard_csv(table):
    tables = _tables(_figures())
    if table not in tables:
        raise NotFound(f"no table {table}: one of {', '.join(tables)}")
    title, header, rows = tables[table]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([[_cell(v) for v in row] for row in rows])
    stamp = current.now().strftime("%Y%m%d")
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=\"{table}-{stamp}.csv\"; "
                               f"filename*=UTF-8''{quote(f'{title}-{stamp}.csv')}"})
