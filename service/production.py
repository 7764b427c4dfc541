"""Production settings: under ``SXZK_ENV=production`` the service does not start with demo settings.

Three things make a deployment a demo: the fixed tokens of fixtures/demo_credentials.yaml
(anyone who read the README holds them), the payment sandbox's development secret (anyone
can sign a "paid" callback with it) and no signing key (checkpoints cannot be made).
"""
from __future__ import annotations

import functools
import logging
import os
import sqlite3
from collections.abc import Mapping

import yaml

from service.config import ROOT
from service.payments import providers
from service.store import checkpoints
from service.store.db import connect
from service.web import auth

log = logging.getLogger(__name__)
DEMO_CREDENTIALS = ROOT / "fixtures" / "demo_credentials.yaml"


class UnsafeProductionStart(RuntimeError):
    """create_app under SXZK_ENV=production with demo settings: every reason at once."""

    def __init__(self, reasons: list[str]):
        self.reasons = reasons
        super().__init__("生产环境拒绝启动 / refusing to start in production:\n" + "\n".join(f"- {r}" for r in reasons))


@functools.cache
def demo_token_hashes() -> frozenset[str]:
    if not DEMO_CREDENTIALS.exists():  # a deployment without the fixtures: its tokens cannot have come from them
        return frozenset()
    entries = yaml.safe_load(DEMO_CREDENTIALS.read_text(encoding="utf-8"))["credentials"]
    return frozenset(auth.hash_token(e["token"]) for e in entries)


def demo_credentials_loaded(database: str) -> int:
    """How many demo tokens the database accepts (revoked ones are harmless)."""
    if database == ":memory:":
        return 0
    db = connect(database, migrate_schema=False)
    try:
        hashes = sorted(demo_token_hashes())
        marks = ", ".join("?" * len(hashes))
        return db.execute(f"SELECT count(*) FROM credentials WHERE revoked = 0 AND token_hash IN ({marks})",
                          hashes).fetchone()[0]
    except sqlite3.OperationalError:  # no credentials table yet: nothing loaded
        return 0
    finally:
        db.conn.close()


def demo_reasons(config: Mapping) -> list[str]:
    """What makes these settings a demo, each reason Chinese first; empty: fit for production."""
    reasons = []
    loaded = demo_credentials_loaded(config["DATABASE"])
    if loaded:
        reasons.append(f"演示凭证已载入 / {loaded} demo credential(s) of fixtures/demo_credentials.yaml are loaded: "
                       "revoke them (sxzk credentials revoke) and issue real ones (sxzk credentials add)")
    secret = providers.sandbox_secret(config)
    if secret == providers.DEV_SANDBOX_SECRET:
        unset = not (config.get("PAYMENT_SANDBOX_SECRET") or os.environ.get("SXZK_PAYMENT_SANDBOX_SECRET"))
        reasons.append("支付回调密钥未设置 / SXZK_PAYMENT_SANDBOX_SECRET is not set: callbacks would be checked "
                       "with the development secret" if unset else
                       "支付回调密钥是开发用密钥 / SXZK_PAYMENT_SANDBOX_SECRET is the development secret")
    try:
        checkpoints.load_private(config["SIGNING_KEY"])
    except checkpoints.SigningKeyError as exc:
        reasons.append(f"{exc.message}: set SXZK_SIGNING_KEY to a key made by sxzk keys init")
    return reasons


def check(config: Mapping) -> None:
    """Refuse a production start with demo settings; elsewhere say, first, that this is the demo."""
    reasons = demo_reasons(config)
    if config.get("ENV") == "production":
        if reasons:
            raise UnsafeProductionStart(reasons)
        log.info("production settings (SXZK_ENV=production)")
        return
    log.warning("演示/开发配置 / demo and development settings (SXZK_ENV=%s)%s", config.get("ENV"),
                "".join(f"; {r}" for r in reasons) or "; no demo credentials, secret or missing key")
