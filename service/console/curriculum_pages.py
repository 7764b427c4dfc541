"""Curriculum staff's pages: each exam plan as the official 专业考试计划 table, the ruleset versions in
force and the differences between them, and a what-if of the working files over the stored decisions.

Read-only like ``sxzk diff`` and ``sxzk what-if``, whose library they call (service.tools.curriculum,
service.catalogue.records); publishing and reloading stay with the command line and the API.
"""
from __future__ import annotations

from flask import render_template, request

from service.catalogue.records import plan_table
from service.console import messages, nav
from service.console.guard import staff
from service.errors import InvalidInput, NotFound, RulesetError
from service.tools.curriculum import STATUS_LABELS, version_changes, versions_overview, working_what_if
from service.web import current

CURRICULUM = ("curriculum", "province")
# decisions a page decides again while the officer waits (a worker's request must end in seconds);
# beyond it the page points to `sxzk what-if`, which has no such bound
WHAT_IF_LIMIT = 2000

VERSION_LABELS = {"old": "旧版本", "new": "新版本"}  # the compare form's boxes, as the page labels them


def register_pages(bp) -> None:
    for rule, view in (
        ("/curriculum/plans", plans),
        ("/curriculum/plans/<string:university>/<string:major>/<string:edition>", plan),
        ("/curriculum/versions", versions),
        ("/curriculum/what-if", what_if),
    ):
        bp.add_url_rule(rule, view.__name__, view, methods=["GET"])
    nav.add("console.plans", "专业考试计划", CURRICULUM)
    nav.add("console.versions", "规则版本", CURRICULUM)
    nav.add("console.what_if", "修改预演", CURRICULUM)


def _db():
    return current.db()


def _bundle():
    return current.rulebook().current()


@staff(*CURRICULUM)
def plans():
    """Every major of the version served, by university, with its plan editions."""
    bundle = _bundle()
    today = current.now().date()
    listed = []
    for uni in bundle.universities.values():
        majors = []
        for m in sorted((m for m in bundle.majors if m.university == uni.slug), key=lambda m: m.code):
            editions = sorted(bundle.plans_for(m.university, m.code), key=lambda p: p.effective_from)
            majors.append({"major": m, "editions": [{"plan": p, "in_force": p.in_force(today)} for p in editions]})
        if majors:
            listed.append({"university": uni, "majors": majors})
    return render_template("console/curriculum_plans.html", listed=listed, version=bundle.version)


@staff(*CURRICULUM)
def plan(university: str, major: str, edition: str):
    bundle = _bundle()
    found = [p for p in bundle.plans_for(university, major) if p.edition == edition]
    if not found:
        raise NotFound(f"没有这个考试计划 / no plan {university}/{major} edition {edition}")
    table = plan_table(bundle, found[0])
    return render_template("console/curriculum_plan.html", t=table, university=bundle.universities[university],
                           in_force=found[0].in_force(current.now().date()), version=bundle.version)


@staff(*CURRICULUM)
def versions():
    db, rulebook = _db(), current.rulebook()
    overview = versions_overview(db, rulebook, current.now().date())
    known = [v["version"] for v in overview["versions"]]
    old, new = (request.args.get("old") or "").strip(), (request.args.get("new") or "").strip()
    if not old and not new:
        old, new = _default_pair(overview)
    error, changes = None, None
    problems = {VERSION_LABELS[key]: ["没有这个规则版本，请从列表中选择。"]
                for key, value in (("old", old), ("new", new)) if value and value not in known}
    problems.update({VERSION_LABELS[key]: ["请选择要比较的版本。"]
                     for key, value in (("old", old), ("new", new)) if not value and (old or new)})
    if problems:
        error = messages.describe(InvalidInput("版本选择有误 / unknown ruleset version", fields=problems))
    elif old and new:
        changes = version_changes(db, rulebook, old, new)
    return render_template("console/curriculum_versions.html", o=overview, old=old, new=new, changes=changes,
                           error=error), 422 if error else 200


def _default_pair(overview) -> tuple[str, str]:
    """The version in force against the working files when they differ, else the two newest."""
    if overview["working"] and overview["in_force"] and overview["working"] != overview["in_force"]:
        return overview["in_force"], overview["working"]
    listed = [v["version"] for v in overview["versions"]]
    return (listed[1], listed[0]) if len(listed) > 1 else ("", "")


@staff(*CURRICULUM)
def what_if():
    rulebook = current.rulebook()
    try:
        result = working_what_if(_db(), rulebook, limit=WHAT_IF_LIMIT)
    except RulesetError as exc:
        # the files on disk do not load: every problem by file and line, nothing decided
        return render_template("console/curriculum_whatif.html", result=None, problems=[p.to_dict() for p in exc.problems],
                               served=rulebook.current().version), 422
    return render_template("console/curriculum_whatif.html", result=result, problems=None, labels=STATUS_LABELS,
                           served=rulebook.current().version)
