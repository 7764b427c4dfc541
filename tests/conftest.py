"""Shared fixtures: an app on a temporary SQLite file with the demo credentials."""
from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from support.common import FIXTURES, ROOT

from service.app import create_app
from service.rules.loader import load_bundle


@pytest.fixture(autouse=True)
def english_messages(request, monkeypatch):
    """Test clients ask for English messages, which most tests' assertions quote; a module marked
    ``chinese_messages`` reads what staff and candidates read instead: Chinese, the default without
    Accept-Language (tests/test_messages.py tests both)."""
    language = "zh" if request.node.get_closest_marker("chinese_messages") else "en"
    made = FlaskClient.__init__

    def init(self, *args, **kwargs):
        made(self, *args, **kwargs)
        self.environ_base.setdefault("HTTP_ACCEPT_LANGUAGE", language)

    monkeypatch.setattr(FlaskClient, "__init__", init)


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

