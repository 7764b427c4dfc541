"""The one place where errors become JSON responses (never a traceback), in the request's language.

Errors carry English message ids; here they are translated under the locale Flask-Babel chose for the
request (``service.web.current.locale``: Chinese unless Accept-Language prefers English).  Codes are
never translated: a client matches on ``error``.
"""
from __future__ import annotations

import logging
import traceback
from pathlib import Path

from flask import jsonify
from flask_babel import get_locale, get_translations
from werkzeug.exceptions import HTTPException

from service import translations
from service.errors import N_, ServiceError
from service.store import faults
from service.web.error_schema import HTTP_CODES

log = logging.getLogger("service.http")


def _response(status: int, body: dict):
    locale = str(get_locale() or translations.DEFAULT_LOCALE)
    resp = jsonify(translations.render(body, get_translations(), locale))
    resp.status_code = status
    resp.headers["Content-Language"] = locale
    resp.vary.add("Accept-Language")
    return resp


def _flatten_webargs(messages):
    # webargs nests messages by location ({"json": {...}}); our callers want fields
    if isinstance(messages, dict) and set(messages) <= {"json", "query", "form", "files", "headers", "view_args"}:
        merged = {}
        for part in messages.values():
            if isinstance(part, dict):
                merged.update(part)
            else:
                merged.setdefault("_body", []).extend(part if isinstance(part, list) else [part])
        return merged
    return messages


def register(app) -> None:
    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError):
        resp = _response(exc.status, exc.to_dict())
        if "retry_after" in exc.extra:
            resp.headers["Retry-After"] = str(exc.extra["retry_after"])
        return resp

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        data = getattr(exc, "data", None) or {}
        code = HTTP_CODES.get(exc.code or 500, (exc.name or "error").lower().replace(" ", "_"))
        body = {"error": code, "message": exc.description or exc.name}
        messages = data.get("messages")
        if messages:
            body["fields"] = _flatten_webargs(messages)
            if exc.code == 422:
                body["message"] = N_("the request has invalid fields; see fields")
            elif exc.code == 400:
                body["message"] = N_("the request body cannot be read; see fields")
        if exc.code == 413:
            body["message"] = N_("the request body is larger than the service accepts")
        return _response(exc.code or 500, body)

    @app.errorhandler(RecursionError)
    def too_deep(_exc):
        return _response(400, {"error": "bad_request", "message": N_("the JSON body is nested too deeply")})

    @app.errorhandler(Exception)
    def unexpected(exc):
        fault = faults.classify(exc)  # disk full, read-only, I/O error: 507/503 with Retry-After, not a bug
        if fault is not None:
            return service_error(faults.noted(fault, exc))
        # the type and where it was raised only (file, line, function: code, never data):
        # messages and local values may carry personal data from the request
        frames = traceback.extract_tb(exc.__traceback__)[-4:]
        where = " < ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames))
        log.error("unhandled %s in request at %s", type(exc).__name__, where)
        return _response(500, {"error": "internal_error", "message": N_("an internal error occurred; it has been logged")})
