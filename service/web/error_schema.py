"""The error body every failing request gets (``ServiceError.to_dict`` and service/web/errors.py), and every
``error`` code it can carry, with its HTTP status and meaning (the OpenAPI document's ``ErrorCode``).

A new ``ServiceError`` subclass with a code of its own is added to ``ERROR_CODES``:
tests/test_messages.py fails until it is.
"""
from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields

# code: (HTTP status, meaning).  Codes never change with the language; the message does.
ERROR_CODES: dict[str, tuple[int, str]] = {
    "bad_request": (400, "请求无法读取 / the request cannot be read: malformed JSON, a bad callback body"),
    "bad_ruleset_source": (400, "规则来源无法读取 / a ruleset source (folder or git revision) cannot be read"),
    "unauthorized": (401, "缺少凭证、凭证无效或已过期，或回调签名不符 / missing, unknown, revoked or expired "
                          "credentials, or a callback whose signature does not verify"),
    "forbidden": (403, "角色无权执行此操作 / the caller's role may not do this"),
    "storage_unavailable": (503, "存储暂时不可用，请稍后重试（Retry-After）/ the storage failed (I/O error): retry later"),
    "insufficient_storage": (507, "磁盘已满，请稍后重试（Retry-After）/ the disk is full: retry later"),
    "storage_read_only": (503, "存储为只读，请稍后重试（Retry-After）/ the storage is read-only: retry later"),
    "not_found": (404, "不存在或调用方不可见 / no such thing, or not visible to the caller"),
    "method_not_allowed": (405, "该网址不支持此请求方法 / the URL does not take this method"),
    "conflict": (409, "当前状态不允许此操作（响应附带状态）/ the current state does not allow the step "
                      "(the body carries the state and the actions allowed)"),
    "transfer_not_allowed": (409, "考生情况不符合省际转出条件（unmet 列出每项）/ the candidate's situation does not "
                                  "allow a transfer out (unmet names each condition)"),
    "backup_refused": (409, "备份或恢复被拒绝 / a backup or restore is refused"),
    "signing_key": (409, "签名密钥不可用 / the signing key is missing or unusable"),
    "payload_too_large": (413, "请求体或上传文件过大 / the body or an uploaded file is too large"),
    "request_uri_too_large": (414, "网址过长 / the URL is too long"),
    "unsupported_media_type": (415, "内容类型或文件格式不受支持 / the content type or the file format is not accepted"),
    "invalid_input": (422, "输入有误，fields 按字段列出每个问题 / invalid input: fields lists every problem by field"),
    "no_plan_in_force": (422, "该专业在所问日期没有有效的考试计划 / the major has no exam plan in force on the date"),
    "invalid_ruleset": (422, "规则文件有误，problems 列出每处 / the rules files are invalid: problems lists each"),
    "too_many_requests": (429, "请求过于频繁，见 Retry-After / too many requests with these credentials; "
                               "see Retry-After"),
    "request_header_fields_too_large": (431, "请求头过大 / the request headers are too large"),
    "internal_error": (500, "服务内部错误，已记录 / an internal error; it has been logged"),
    "bad_clock_setting": (500, "服务时钟设置有误 / the service clock setting (SXZK_NOW) is invalid"),
    "bad_provider_setting": (500, "外部服务设置有误 / an identity or diploma provider setting is invalid"),
}

# what an HTTPException (routing, webargs) answers, in the codes above
HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
              409: "conflict", 413: "payload_too_large", 414: "request_uri_too_large", 415: "unsupported_media_type",
              422: "invalid_input", 429: "too_many_requests", 431: "request_header_fields_too_large",
              500: "internal_error"}


def error_code_schema() -> dict:
    """The OpenAPI component listing every code, its status and meaning."""
    table = "\n".join(f"- `{code}` ({status}): {meaning}" for code, (status, meaning) in ERROR_CODES.items())
    return {"type": "string", "enum": list(ERROR_CODES), "description": "Every error code the service answers:\n"
            + table, "x-error-codes": [{"code": code, "status": status, "meaning": meaning}
                                        for code, (status, meaning) in ERROR_CODES.items()]}


class ErrorSchema(Schema):
    """Documents the OpenAPI default error response: what the service really answers."""

    class Meta:
        unknown = INCLUDE  # an error may carry context, e.g. a 409's current state or a ruleset's problems

    error = fields.String(required=True, metadata={"description": "stable machine code (components ErrorCode)",
                                                   "enum": list(ERROR_CODES), "example": "invalid_input"})
    message = fields.String(required=True, metadata={
        "description": "what went wrong, for people: Chinese, or English when Accept-Language prefers it"})
    fields_ = fields.Dict(data_key="fields", metadata={
        "description": "problems by field, nested like the request, in the message's language"})
