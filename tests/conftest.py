"""Shared fixtures: an app on a temporary SQLite file with the demo credentials."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.app import create_app
from service.rules.loader import load_bundle

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"

TOKENS = {
    "portal": "demo-portal",
    "county": "demo-county-xiaodian",
    "county-other": "demo-county-yingze",
    "province": "demo-province",
    "auditor": "demo-auditor",
    "curriculum": "demo-curriculum",
}


def auth_headers(role: str, candidate: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {TOKENS[role]}"}
    if candidate:
        headers["X-Candidate"] = candidate
    return headers


@pytest.fixture(scope="session")
def bundle():
    return load_bundle(ROOT)


@pytest.fixture
def app(tmp_path):
    import yaml

    from service.store.db import connect
    from service.web import auth

    db_path = tmp_path / "test.sqlite3"
    app = create_app({"TESTING": True, "DATABASE": str(db_path), "BLOB_DIR": str(tmp_path / "blobs")})
    db = connect(db_path)
    for e in yaml.safe_load((FIXTURES / "demo_credentials.yaml").read_text(encoding="utf-8"))["credentials"]:
        auth.add_credential(db, e["role"], e["actor"], e.get("district"), token=e["token"])
    db.conn.close()
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db(app):
    from service.store.db import connect

    conn = connect(app.config["DATABASE"])
    yield conn
    conn.conn.close()


def example(name: str) -> dict:
    return json.loads((FIXTURES / "examples" / f"{name}.json").read_text(encoding="utf-8"))
