"""SXZK_ENV=production: the service does not start with demo credentials, the development payment
secret or no signing key; elsewhere its first log line says it runs the demo configuration."""
from __future__ import annotations

import logging

import pytest
import yaml
from support.common import FIXTURES

from service.app import create_app
from service.payments.providers import DEV_SANDBOX_SECRET
from service.production import UnsafeProductionStart
from service.store import checkpoints
from service.store.db import connect
from service.web import auth


@pytest.fixture
def settings(tmp_path, monkeypatch):
    """Production settings that pass: a real payment secret, a signing key, no demo token."""
    monkeypatch.delenv("SXZK_PAYMENT_SANDBOX_SECRET", raising=False)
    keys = checkpoints.init_keys(tmp_path / "keys" / "signing-key.pem")
    return {"TESTING": True, "ENV": "production", "DATABASE": str(tmp_path / "prod.sqlite3"),
            "BLOB_DIR": str(tmp_path / "blobs"), "SIGNING_KEY": str(keys["private"]),
            "PAYMENT_SANDBOX_SECRET": "a-secret-of-this-province"}


def load_demo(database: str) -> list[str]:
    db = connect(database)
    entries = yaml.safe_load((FIXTURES / "demo_credentials.yaml").read_text(encoding="utf-8"))["credentials"]
    for e in entries:
        auth.add_credential(db, e["role"], e["actor"], e.get("district"), token=e["token"])
    db.conn.close()
    return [e["token"] for e in entries]


def refusal(config) -> list[str]:
    with pytest.raises(UnsafeProductionStart) as caught:
        create_app(config)
    assert str(caught.value).startswith("生产环境拒绝启动 / refusing to start in production")
    return caught.value.reasons


def test_production_starts_with_real_settings_and_serves_a_real_token(settings):
    db = connect(settings["DATABASE"])
    token = auth.add_credential(db, "province", "省考试院 赵老师")
    db.conn.close()
    client = create_app(settings).test_client()
    assert client.get("/v1/districts", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_demo_credentials_refuse_the_start(settings):
    load_demo(settings["DATABASE"])
    [reason] = refusal(settings)
    assert reason.startswith("演示凭证已载入 / 7 demo credential(s)")


def test_revoked_demo_credentials_do_not_refuse_it(settings):
    load_demo(settings["DATABASE"])
    db = connect(settings["DATABASE"])
    db.execute("UPDATE credentials SET revoked = 1")
    db.conn.close()
    create_app(settings)


def test_a_missing_payment_secret_refuses_the_start(settings):
    del settings["PAYMENT_SANDBOX_SECRET"]
    [reason] = refusal(settings)
    assert reason.startswith("支付回调密钥未设置 / SXZK_PAYMENT_SANDBOX_SECRET is not set")


def test_the_development_payment_secret_refuses_the_start(settings, monkeypatch):
    del settings["PAYMENT_SANDBOX_SECRET"]
    monkeypatch.setenv("SXZK_PAYMENT_SANDBOX_SECRET", DEV_SANDBOX_SECRET)
    [reason] = refusal(settings)
    assert reason.startswith("支付回调密钥是开发用密钥 / SXZK_PAYMENT_SANDBOX_SECRET is the development secret")


def test_an_unreadable_signing_key_refuses_the_start(settings, tmp_path):
    settings["SIGNING_KEY"] = str(tmp_path / "nowhere.pem")
    [reason] = refusal(settings)
    assert reason.startswith("签名密钥无法读取 / the signing key") and "nowhere.pem" in reason
    (tmp_path / "garbage.pem").write_text("not a key")
    settings["SIGNING_KEY"] = str(tmp_path / "garbage.pem")
    [reason] = refusal(settings)
    assert "garbage.pem" in reason


def test_every_reason_is_named_at_once(settings, tmp_path):
    load_demo(settings["DATABASE"])
    del settings["PAYMENT_SANDBOX_SECRET"]
    settings["SIGNING_KEY"] = str(tmp_path / "nowhere.pem")
    reasons = refusal(settings)
    assert [r.split(" / ")[0] for r in reasons] == ["演示凭证已载入", "支付回调密钥未设置", "签名密钥无法读取"]


def test_the_demo_says_so_in_its_first_log_line(settings, tmp_path, caplog):
    load_demo(settings["DATABASE"])
    settings["ENV"] = "development"
    del settings["PAYMENT_SANDBOX_SECRET"]
    settings["SIGNING_KEY"] = str(tmp_path / "nowhere.pem")
    with caplog.at_level(logging.INFO):
        app = create_app(settings)
    first = caplog.records[0]
    assert first.name == "service.production" and first.levelno == logging.WARNING
    message = first.getMessage()
    assert message.startswith("演示/开发配置 / demo and development settings (SXZK_ENV=development)")
    for reason in ("演示凭证已载入", "支付回调密钥未设置", "签名密钥无法读取"):
        assert reason in message
    assert "demo-province" not in message  # tokens never in logs
    # the demo tokens keep working outside production
    assert app.test_client().get("/v1/districts", headers={"Authorization": "Bearer demo-province"}).status_code == 200
