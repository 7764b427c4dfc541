"""The auditors' pages: the decision log with filters, a decision as its checklist, its replay with the
differences highlighted, and the state of the hash chain and the signed checkpoints.

Read-only: every page is a GET and the role has no form that changes anything (its only form is
sign-out).  The pages call service.audit.browsing, the same reading the audit API and ``sxzk
replay`` / ``verify-log`` do; the province, which the audit API also serves, sees them too.
"""
from __future__ import annotations

import re
from pathlib import Path

from flask import render_template, request
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from service.applications import checks as application_checks
from service.audit import api as audit_api
from service.audit.browsing import STATUS_LABELS, chain_status, decision_page, local_time, replay_detail
from service.console import county, messages, nav
from service.console.guard import MAX_PAGE, staff
from service.errors import InvalidInput
from service.rules import checklist
from service.store import decision_log
from service.web import current
from service.web.schemas import EXAM_NUMBER, MAJOR_CODE, SLUG

AUDITORS = audit_api.AUDITORS
PER_PAGE = 50

# the filters' names as the page labels them (kept here: other pages' "status" or "major" mean other things)
FILTER_LABELS = {"day_from": "起始日期", "day_to": "截止日期", "major": "专业", "status": "结论",
                 "exam_number": "准考证号", "page": "页码"}


def register_pages(bp) -> None:
    for rule, view in (
        ("/audit/decisions", decisions),
        ("/audit/decisions/<string:decision_id>", decision),
        ("/audit/decisions/<string:decision_id>/replay", replay),
        ("/audit/chain", chain),
    ):
        bp.add_url_rule(rule, view.__name__, view, methods=["GET"])
    nav.add("console.decisions", "决策日志", AUDITORS)
    nav.add("console.chain", "日志链与检查点", AUDITORS)


def _db():
    return current.db()


def _bundle():
    return current.rulebook().current()


def _major_choices(bundle) -> list[tuple[str, str]]:
    """(value, label) of every major: "sxufe/630701" → 山西财经大学 630701 市场营销（专科）."""
    return [(f"{m.university}/{m.code}", f"{bundle.universities[m.university].name} {m.code} {m.name}（{m.level}）")
            for m in sorted(bundle.majors, key=lambda m: (m.university, m.code))]


_MAJOR_KEY = re.compile(SLUG.regex.pattern.strip("^$") + "/" + MAJOR_CODE.regex.pattern.strip("^$"))


class DecisionFilterSchema(Schema):
    """The log's filters as the form sends them: blank means "any"."""

    day_from = fields.Date(load_default=None, error_messages={"invalid": "请按“年-月-日”填写日期，如 2025-11-20。"})
    day_to = fields.Date(load_default=None, error_messages={"invalid": "请按“年-月-日”填写日期，如 2025-11-20。"})
    major = fields.String(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(
        list(STATUS_LABELS), error="请从列表中选择结论。"))
    exam_number = fields.String(load_default=None, validate=validate.Regexp(
        EXAM_NUMBER.regex, error="准考证号为12位数字。"))
    page = fields.Integer(load_default=1, validate=validate.Range(1, MAX_PAGE, error="页码须为正整数。"),
                          error_messages={"invalid": "页码须为正整数。"})

    def __init__(self, majors: set[str], **kwargs):
        super().__init__(**kwargs)
        self.majors = majors

    @validates_schema(skip_on_field_errors=False)
    def _checks(self, data, **kwargs):
        errors = {}
        # a major the version served no longer lists can still be asked for by its codes (a link, the URL)
        if data.get("major") and data["major"] not in self.majors and not _MAJOR_KEY.fullmatch(data["major"]):
            errors["major"] = ["没有这个专业，请从列表中选择。"]
        if data.get("day_from") and data.get("day_to") and data["day_to"] < data["day_from"]:
            errors["day_to"] = ["截止日期不能早于起始日期。"]
        if errors:
            raise ValidationError(errors)


FILTER_KEYS = ("day_from", "day_to", "major", "status", "exam_number", "page")


def _filters(majors: set[str]) -> dict:
    """The query string read by the schema; every problem is raised at once, by field (422)."""
    # blank boxes mean "any"; keys the form does not have are ignored, as a link may carry others
    raw = {k: v.strip() for k, v in request.args.items() if v.strip() and k in FILTER_KEYS}
    try:
        data = DecisionFilterSchema(majors).load(raw)
    except ValidationError as exc:
        raise InvalidInput("日志查询条件有误 / the filters are invalid",
                           fields={FILTER_LABELS.get(k, k): v for k, v in exc.messages.items()}) from None
    return data


@staff(*AUDITORS)
def decisions():
    bundle = _bundle()
    majors = _major_choices(bundle)
    shown = {k: (request.args.get(k) or "").strip() for k in FILTER_KEYS[:-1]}
    error, page = None, None
    try:
        chosen = _filters({value for value, _ in majors})
    except InvalidInput as exc:
        error = messages.describe(exc)
    else:
        university, _, major = (chosen["major"] or "").partition("/")
        page = decision_page(_db(), day_from=chosen["day_from"], day_to=chosen["day_to"],
                             university=university or None, major=major or None, status=chosen["status"],
                             exam_number=chosen["exam_number"], limit=PER_PAGE,
                             offset=(chosen["page"] - 1) * PER_PAGE)
        page["page"] = chosen["page"]
        page["pages"] = max(1, -(-page["total"] // PER_PAGE))
        names = dict(majors)
        for row in page["rows"]:
            row["major_label"] = names.get(f"{row['university']}/{row['major']}",
                                           f"{row['university']} {row['major']}")
    status = 422 if error else 200
    return render_template("console/audit_decisions.html", page=page, error=error, shown=shown, majors=majors,
                           statuses=STATUS_LABELS, query={k: v for k, v in shown.items() if v}), status


@staff(*AUDITORS)
def decision(decision_id: str):
    row = decision_log.get(_db(), decision_id)
    output = row["output"]
    university = _bundle().universities.get(row["university"])
    return render_template("console/audit_decision.html", row=row, output=output,
                           university_name=university.name if university else row["university"],
                           status_label=STATUS_LABELS.get(row["status"], row["status"]),
                           # the rows the county office, the check API and sxzk explain show, under its own version
                           rows=checklist.rows(application_checks.bundle_of(_db(), current.rulebook(), output), output),
                           via_label=county.via_label,
                           created_local=local_time(row["created_at"]))


@staff(*AUDITORS)
def replay(decision_id: str):
    detail = replay_detail(_db(), current.rulebook(), decision_id)
    row = detail["decision"]
    label = dict(_major_choices(_bundle())).get(f"{row['university']}/{row['major']}",
                                                 f"{row['university']} {row['major']}")
    return render_template("console/audit_replay.html", d=detail, row=row, labels=STATUS_LABELS, major_label=label,
                           created_local=local_time(detail["decision"]["created_at"]))


@staff(*AUDITORS)
def chain():
    key = current.config().get("SIGNING_KEY")
    status = chain_status(_db(), Path(key + ".pub") if key else None)
    return render_template("console/audit_chain.html", s=status, local=local_time)
