"""The version served is the database's word: two apps on one database (as two workers) always agree.

The real-gunicorn versions of these are in tests/reliability/test_one_version_everywhere.py.
"""
from __future__ import annotations

import datetime as dt
import logging
import shutil
from pathlib import Path

import pytest
from support.common import auth_headers, example

from service.app import create_app
from service.errors import RulesetError
from service.rules.loader import load_bundle
from service.store import ruleset_archive
from service.store.db import connect
from service.tools.publishing import publish
from service.web import auth

ROOT = Path(__file__).resolve().parent.parent
PLAN = "curricula/plans/sxufe/630701-2021.yaml"
# evaluations by provincial staff: the portal and county staff evaluate registered candidates only (none here)
STAFF = auth_headers("province")
CURRICULUM = auth_headers("curriculum")


def copy_rules(tmp_path) -> Path:
    rules = tmp_path / "rules"
    for part in ("curricula", "rulesets"):
        shutil.copytree(ROOT / part, rules / part)
    return rules


def edit(rules: Path, old: str, new: str) -> None:
    path = rules / PLAN
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def worker(tmp_path, rules):
    return create_app({"TESTING": True, "DATABASE": str(tmp_path / "t.sqlite3"), "RULES_ROOT": str(rules)}).test_client()


@pytest.fixture
def two_workers(tmp_path):
    rules = copy_rules(tmp_path)
    first = worker(tmp_path, rules)
    db = connect(tmp_path / "t.sqlite3")
    for role, token in (("portal", "demo-portal"), ("province", "demo-province"), ("curriculum", "demo-curriculum"),
                        ("auditor", "demo-auditor")):
        auth.add_credential(db, role, role, token=token)
    yield first, worker(tmp_path, rules), rules, db
    db.conn.close()


def required(client) -> tuple[str, int]:
    resp = client.post("/v1/evaluations", json=example("marketing-complete"), headers=STAFF)
    assert resp.status_code == 201, resp.json
    return resp.json["decisions"][0]["ruleset_version"], resp.json["decisions"][0]["credits"]["required"]


def test_a_reload_in_one_worker_is_served_by_the_other_on_its_next_request(two_workers):
    first, second, rules, _ = two_workers
    old = second.get("/v1/health").json["ruleset_version"]
    edit(rules, "min_credits: 70", "min_credits: 75")
    resp = first.post("/v1/rules/reload", headers=CURRICULUM)
    assert resp.json["reloaded"] is True and resp.json["version"] != old
    new = resp.json["version"]
    for client in (first, second):
        health = client.get("/v1/health").json
        assert health["ruleset_version"] == new and health["working_files"] == "accepted"
        assert required(client) == (new, 75)


def test_a_refused_reload_leaves_every_worker_on_the_old_version_and_every_worker_says_why(two_workers):
    first, second, rules, _ = two_workers
    old = first.get("/v1/health").json["ruleset_version"]
    edit(rules, "min_credits: 70", "min_credit: 70")
    refused = first.post("/v1/rules/reload", headers=CURRICULUM).json
    assert refused["reloaded"] is False and refused["version"] == old
    assert refused["problems"] and all(p["file"] == PLAN and p["line"] > 0 for p in refused["problems"])
    for client in (first, second):
        health = client.get("/v1/health").json
        assert health["ruleset_version"] == old and health["working_files"] == "refused"
        assert health["problems"] == refused["problems"] and "未采用" in health["note"]
        assert client.get("/v1/rules", headers=auth_headers("auditor")).json["problems"] == refused["problems"]
        assert required(client) == (old, 70)


def test_a_publication_by_another_process_switches_every_worker(two_workers):
    first, second, rules, db = two_workers
    edit(rules, "min_credits: 70", "min_credits: 76")
    v76 = load_bundle(rules)
    publish(db, v76, author="刘老师", note="76 credits", effective_from=dt.date(2025, 1, 1))
    for client in (first, second):
        health = client.get("/v1/health").json
        assert health["ruleset_version"] == v76.version and health["ruleset_source"] == "published"
        assert required(client) == (v76.version, 76)


def test_a_worker_starting_on_broken_files_serves_the_archived_version_and_says_so(two_workers, tmp_path):
    first, _, rules, _ = two_workers
    served = first.get("/v1/health").json["ruleset_version"]
    edit(rules, "min_credits: 70", "min_credit: 70")
    replacement = worker(tmp_path, rules)  # as gunicorn's replacement of a killed worker
    health = replacement.get("/v1/health").json
    assert health["ruleset_version"] == served and health["working_files"] == "refused"
    assert health["problems"] and all(p["file"] == PLAN and p["line"] > 0 for p in health["problems"])
    assert any(p["field"].endswith("min_credit") for p in health["problems"])
    assert required(replacement) == (served, 70)


def test_a_worker_starting_with_edited_files_serves_the_database_version_until_a_reload(two_workers, tmp_path):
    first, _, rules, _ = two_workers
    served = first.get("/v1/health").json["ruleset_version"]
    edit(rules, "min_credits: 70", "min_credits: 75")
    assert worker(tmp_path, rules).get("/v1/health").json["ruleset_version"] == served


def test_an_empty_database_and_broken_files_refuse_to_start_printing_the_problems(tmp_path, caplog):
    rules = copy_rules(tmp_path)
    edit(rules, "min_credits: 70", "min_credit: 70")
    with caplog.at_level(logging.ERROR), pytest.raises(RulesetError):
        worker(tmp_path, rules)
    assert f"{PLAN}:" in caplog.text and "min_credit" in caplog.text
    db = connect(tmp_path / "t.sqlite3")
    assert ruleset_archive.serving(db)["version"] is None and ruleset_archive.versions(db) == []
    db.conn.close()


def test_sxzk_reload_from_another_process_switches_every_worker_or_prints_why_not(two_workers, tmp_path):
    first, second, rules, _ = two_workers
    old = first.get("/v1/health").json["ruleset_version"]
    edit(rules, "min_credits: 70", "min_credits: 75")
    runner = worker(tmp_path, rules).application.test_cli_runner()  # the command's own process and app
    result = runner.invoke(args=["reload", "--author", "计划处 刘老师"])
    assert result.exit_code == 0, result.output
    new = load_bundle(rules).version
    assert new != old and f"working files {new} accepted" in result.output
    assert {c.get("/v1/health").json["ruleset_version"] for c in (first, second)} == {new}

    edit(rules, "min_credits: 75", "min_credit: 75")
    result = runner.invoke(args=["reload"])
    assert result.exit_code == 1
    assert f"{PLAN}:" in result.output and "min_credit: unknown key (did you mean 'min_credits'?)" in result.output
    assert f"refused: every worker keeps serving {new}" in result.output
    assert {c.get("/v1/health").json["working_files"] for c in (first, second)} == {"refused"}
