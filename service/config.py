"""Defaults; ``create_app(config)`` and SXZK_* environment variables override them."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def defaults() -> dict:
    return {
        "DATABASE": os.environ.get("SXZK_DATABASE", str(ROOT / "instance" / "sxzk.sqlite3")),
        "RULES_ROOT": os.environ.get("SXZK_RULES_ROOT", str(ROOT)),
        "BLOB_DIR": os.environ.get("SXZK_BLOB_DIR", str(ROOT / "instance" / "blobs")),
        # the private key that signs checkpoints of the decision log: outside the database, kept by operators
        "SIGNING_KEY": os.environ.get("SXZK_SIGNING_KEY", str(ROOT / "instance" / "signing-key.pem")),
        # production: the service refuses to start with demo credentials, secret or no signing key
        "ENV": os.environ.get("SXZK_ENV", "development"),
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


def rules_root() -> str:
    """SXZK_RULES_ROOT or the repository's: the rules of library code run outside an app
    (inside one, the bundle in force is bound: service/rules/bound.py)."""
    return str(defaults()["RULES_ROOT"])
