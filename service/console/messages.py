"""What a refused step says on the page: a Chinese headline for each error, the fields by name.

The error itself (``service.errors``) is the API's; only its presentation is the console's.
The message the workflow gave follows the headline, so nothing it says is lost.
"""
from __future__ import annotations

from service import translations
from service.errors import ServiceError

HEADLINES = {
    "invalid_input": "提交的内容有误，请按下列各项修改",
    "conflict": "当前状态不允许此操作",
    "not_found": "没有找到该记录（或不在您的管辖范围内）",
    "forbidden": "您的角色无权进行此操作",
    "unauthorized": "请重新登录",
    "bad_request": "请求无效",
    "payload_too_large": "文件过大",
    "unsupported_media_type": "文件类型不受支持",
    "too_many_requests": "操作过于频繁，请稍后再试",
    "no_plan_in_force": "该专业当前没有有效的考试计划",
}

# the form fields and the workflow's field names as the staff know them
FIELDS = {
    "decision": "审核结果", "reason": "原因", "note": "备注", "verified": "核验结果", "token": "凭证",
    "choices": "所选专业", "archive": "旧计划课程扫描件", "photo": "毕业照", "district": "区县",
    "exam_number": "准考证号", "state": "状态", "q": "搜索", "page": "页码", "_body": "请求",
    "result": "鉴定结果", "from": "开始日期", "until": "结束日期", "document_no": "处理决定文号",
}


# the state tables' actions (rulesets/workflow/application_states.yaml, rulesets/transfer/states.yaml)
ACTIONS = {
    "create": "创建申请", "update": "修改申请", "check": "资格审核", "attach_archive": "上传旧计划课程扫描件",
    "clear_archive": "清空旧计划课程", "submit": "确认提交", "upload_photo": "上传毕业照",
    "approve_photo": "毕业照人工审核通过", "reject_photo": "毕业照人工审核不通过", "system_audit": "系统审核",
    "verify_old_plan": "旧计划课程核验", "county_approve": "招办审批通过", "county_reject": "招办审批不通过",
    "reapply": "重新申请", "pay": "缴费", "record_appraisal": "登记思想品德鉴定", "lock_form": "确认收到纸质登记表",
    "withdraw": "考生撤回", "confirm_on_site": "现场确认", "approve": "审核通过", "reject": "审核不通过",
}
ROLES = {"portal": "考生（门户）", "county": "县区招办", "city": "市招办", "province": "省考试院", "auditor": "审计",
         "curriculum": "课程计划管理", "system": "系统"}


def action_label(action: str) -> str:
    return ACTIONS.get(action, action)


def role_name(role: str) -> str:
    return ROLES.get(role, role)


def field_label(name: str) -> str:
    return FIELDS.get(name, name)


def _flatten(problems, prefix: str = "") -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    items = problems.items() if isinstance(problems, dict) else [("", problems)]
    for key, value in items:
        label = field_label(str(key)) if not prefix else f"{prefix} 第{int(key) + 1}项" if str(key).isdigit() else \
            f"{prefix} · {field_label(str(key))}"
        if isinstance(value, dict):
            out.extend(_flatten(value, label))
        else:
            out.append((label, [str(v) for v in (value if isinstance(value, list) else [value])]))
    return out


def describe(exc: ServiceError, state_label=None) -> dict:
    """{"status", "headline", "message", "fields": [(label, [problems])], "state"} for the error banner.

    ``state_label`` turns a 409's state name into its Chinese label when the error carries only the name.
    """
    headline = HEADLINES.get(exc.code, "操作未完成")
    state = exc.extra.get("state_label") or (state_label(exc.extra["state"]) if state_label and
                                             exc.extra.get("state") else exc.extra.get("state"))
    if exc.code == "conflict" and state:
        headline = f"当前状态（{state}）不允许此操作"
    # staff read Chinese: the message and field problems through the API's own catalogue
    body = translations.render(exc.to_dict(), translations.catalogue(translations.DEFAULT_LOCALE))
    return {"status": exc.status, "headline": headline, "message": body["message"],
            "fields": _flatten(body["fields"]) if exc.fields else [], "state": state}
