"""An invalid edit never replaces the last good rules; replay uses the archived version."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support.common import auth_headers, example

from service.app import create_app
from service.store.db import connect

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def editable(tmp_path):
    """An app whose rules live in a temporary copy that the test edits."""
    rules = tmp_path / "rules"
    for part in ("curricula", "rulesets"):
        shutil.copytree(ROOT / part, rules / part)
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "t.sqlite3"), "RULES_ROOT": str(rules)})
    from service.web import auth

    db = connect(tmp_path / "t.sqlite3")
    for role, token in (("portal", "demo-portal"), ("province", "demo-province"), ("auditor", "demo-auditor"),
                        ("curriculum", "demo-curriculum")):
        auth.add_credential(db, role, role, token=token)
    return app, rules


def plan_file(rules: Path) -> Path:
    return rules / "curricula/plans/sxufe/630701-2021.yaml"


def evaluate(client, name="marketing-complete"):
    resp = client.post("/v1/evaluations", json=example(name), headers=auth_headers("province"))
    assert resp.status_code == 201, resp.json
    return resp.json["decisions"][0]


def test_invalid_edit_is_reported_and_the_last_good_version_keeps_serving(editable):
    app, rules = editable
    client = app.test_client()
    before = client.get("/v1/health").json["ruleset_version"]
    text = plan_file(rules).read_text(encoding="utf-8")
    plan_file(rules).write_text(text.replace('"00181"', '"00187"'), encoding="utf-8")
    resp = client.post("/v1/rules/reload", headers=auth_headers("curriculum"))
    assert resp.status_code == 200 and resp.json["reloaded"] is False
    [problem] = resp.json["problems"]
    assert problem["file"] == "curricula/plans/sxufe/630701-2021.yaml" and problem["line"] > 0
    assert "00187" in problem["message"] and problem["field"].startswith("required[")
    assert client.get("/v1/health").json["ruleset_version"] == before
    assert evaluate(client)["ruleset_version"] == before
    assert client.get("/v1/rules", headers=auth_headers("auditor")).json["problems"] == resp.json["problems"]


def test_reload_is_for_curriculum_staff(editable):
    app, _ = editable
    assert app.test_client().post("/v1/rules/reload", headers=auth_headers("portal", "010119100001")).status_code == 403


def test_replay_after_the_files_change_uses_the_archived_version(editable):
    app, rules = editable
    client = app.test_client()
    old = evaluate(client, "marketing-missing-00181")  # 74 credits earned
    assert old["credits"] == {"earned": 74, "earned_verified": 74, "required": 70}
    text = plan_file(rules).read_text(encoding="utf-8")
    plan_file(rules).write_text(text.replace("min_credits: 70", "min_credits: 75"), encoding="utf-8")
    resp = client.post("/v1/rules/reload", headers=auth_headers("curriculum"))
    assert resp.json["reloaded"] is True and resp.json["version"] != old["ruleset_version"]
    new = evaluate(client, "marketing-missing-00181")
    assert new["ruleset_version"] == resp.json["version"]
    assert [r["id"] for r in new["requirements"] if r["status"] == "unmet"] == ["course:00181", "credits"]
    replay = client.post(f"/v1/decisions/{old['id']}/replay", headers=auth_headers("auditor")).json
    assert replay["identical"] is True and replay["ruleset_version"] == old["ruleset_version"]


def test_replay_reports_the_difference_of_a_tampered_output(editable):
    app, _ = editable
    client = app.test_client()
    d = evaluate(client)
    db = connect(app.config["DATABASE"])
    db.execute("DROP TRIGGER decisions_no_update")
    db.execute("UPDATE decisions SET output = replace(output, '\"earned\":78', '\"earned\":79') WHERE id = ?", [d["id"]])
    replay = client.post(f"/v1/decisions/{d['id']}/replay", headers=auth_headers("auditor")).json
    assert replay["identical"] is False
    assert replay["differences"] == [{"path": "credits.earned", "recorded": 79, "replayed": 78}]


def test_the_log_is_append_only_and_chained(client, db):
    client.post("/v1/evaluations", json=example("marketing-complete"), headers=auth_headers("province"))
    client.post("/v1/evaluations", json=example("marketing-missing-00181"), headers=auth_headers("province"))
    from service.store import decision_log

    assert decision_log.verify(db) == {"ok": True, "checked": 2, "head": decision_log.verify(db)["head"]}
    with pytest.raises(Exception, match="append-only"):
        db.execute("UPDATE decisions SET status = 'eligible'")
    with pytest.raises(Exception, match="append-only"):
        db.execute("DELETE FROM decisions")
    db.execute("DROP TRIGGER decisions_no_delete")
    first = db.execute("SELECT id FROM decisions ORDER BY seq LIMIT 1").fetchone()[0]
    db.execute("DELETE FROM decisions WHERE id = ?", [first])
    result = decision_log.verify(db)
    assert result["ok"] is False and "removed" in result["reason"]
