"""Defaults; ``create_app(config)`` and SXZK_* environment variables override them."""
from __future__ import annotations

import contextvars
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def defaults() -> dict:
    return {
        "DATABASE": os.environ.get("SXZK_DATABASE", str(ROOT / "instance" / "sxzk.sqlite3")),
        "RULES_ROOT": os.environ.get("SXZK_RULES_ROOT", str(ROOT)),
        "BLOB_DIR": os.environ.get("SXZK_BLOB_DIR", str(ROOT / "instance" / "blobs")),
        "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,  # largest upload (archives) plus form overhead
        "MAX_JSON_BYTES": 512 * 1024,
        "MIGRATE_AT_START": True,  # create or migrate the database when the app starts (the CLI does not)
        "RATE_LIMIT_PER_MINUTE": int(os.environ.get("SXZK_RATE_LIMIT_PER_MINUTE", "0")),  # 0: off
        "API_TITLE": "山西高等教育自学考试 毕业资格服务 (graduation-eligibility service)",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
    }


# The rules root of the app running this context, bound by the web layer
# (service/web/current.py) like the clock, so that lookups deep in a request
# (is this a district? which window?) read the app's files without asking Flask.
_bound_root: contextvars.ContextVar[str | None] = contextvars.ContextVar("rules_root", default=None)


def rules_root() -> str:
    """The rules root bound for this context, else SXZK_RULES_ROOT or the repository's."""
    return _bound_root.get() or str(defaults()["RULES_ROOT"])


def bind_rules_root(root) -> contextvars.Token:
    return _bound_root.set(str(root) if root else None)


def unbind_rules_root(token: contextvars.Token) -> None:
    _bound_root.reset(token)
