"""An application keeps the rules version it was checked with; every transition records its version."""
from __future__ import annotations

import pytest
from support.applications import ELIGIBLE, Driver, portal, prepare
from support.tools import copy_tree, edit

from service import clock
from service.decisions.rulebook import Rulebook
from service.payments.providers import DEV_SANDBOX_SECRET, SandboxProvider
from service.reference import fees
from service.store.db import connect
from service.tools.tables import table_checks

FEES = "rulesets/workflow/fees.yaml"


@pytest.fixture
def rules(tmp_path):
    return copy_tree(tmp_path)


@pytest.fixture
def drive(app, client, rules):
    # the app decides and moves applications with the rules of a tree this test edits
    app.extensions["rulebook"] = Rulebook(rules, checks=table_checks())
    _reload(app)  # the database decides what every worker serves: the tree's files, from now on
    prepare(app)
    return Driver(client)


def _reload(app) -> dict:
    db = connect(app.config["DATABASE"])
    try:
        return app.extensions["rulebook"].reload(db, clock.today())
    finally:
        db.conn.close()


def raise_the_fee(app, rules) -> str:
    """20 元 → 25 元 per major in the working files, reloaded: the new version in force."""
    edit(rules / FEES, "per_major_fen: 2000", "per_major_fen: 2500")
    reloaded = _reload(app)
    assert reloaded["reloaded"] is True
    return reloaded["version"]


def versions(db, app_id: int) -> list[tuple[str, str]]:
    return [tuple(r) for r in db.execute("SELECT action, ruleset_version FROM application_events "
                                         "WHERE application_id = ? ORDER BY id", [app_id]).fetchall()]


def test_approval_and_payment_keep_the_fee_and_version_of_the_check(app, drive, rules, db):
    checked_under = app.extensions["rulebook"].current().version
    app_id = drive.approved_by_system()
    assert db.execute("SELECT ruleset_version FROM applications WHERE id = ?", [app_id]).fetchone()[0] == checked_under

    in_force = raise_the_fee(app, rules)
    assert in_force != checked_under
    resp = drive.client.post(f"/v1/applications/{app_id}/orders", json={"provider": "alipay"},
                             headers=portal(ELIGIBLE))
    assert resp.status_code == 201, resp.json
    assert resp.json["amount_fen"] == 3000 + 2000  # the fee of the version it was checked with, not 3000 + 2500
    body, headers = SandboxProvider("alipay", DEV_SANDBOX_SECRET).callback(resp.json, transaction_id="TXN0000001")
    assert drive.client.post("/callbacks/payments/alipay", data=body, headers=headers).status_code == 200
    history = versions(db, app_id)
    assert [a for a, _ in history] == ["create", "check", "submit", "upload_photo", "system_audit", "pay"]
    assert {v for _, v in history} == {checked_under}


def test_a_reload_changes_the_workflow_tables_every_new_step_reads(app, drive, rules):
    raise_the_fee(app, rules)
    with app.app_context():
        assert fees.graduation_fee(1).amount_fen == 3000 + 2500


def test_a_new_check_moves_the_application_to_the_version_in_force(app, drive, rules, db):
    before = app.extensions["rulebook"].current().version
    created = drive.create(ELIGIBLE)
    drive.check(ELIGIBLE, created["id"])
    in_force = raise_the_fee(app, rules)
    drive.check(ELIGIBLE, created["id"])
    assert db.execute("SELECT ruleset_version FROM applications WHERE id = ?",
                      [created["id"]]).fetchone()[0] == in_force
    assert versions(db, created["id"]) == [("create", before), ("check", before), ("check", in_force)]


def test_candidate_events_record_the_version_they_were_made_under(app, drive, db):
    in_force = app.extensions["rulebook"].current().version
    recorded = db.execute("SELECT DISTINCT ruleset_version FROM candidate_events").fetchall()
    assert recorded == [(in_force,)]
