"""Publishing: a version archived with hash, author, note and effective date; decisions use the one in force."""
from __future__ import annotations

import datetime as dt

import pytest
from support.audit import make_app
from support.common import auth_headers, example

from service.rules.loader import TABLE_FILES, load_bundle
from service.store.db import connect
from service.store.ruleset_archive import files_of, versions
from service.tools.publishing import publish

PLAN = "curricula/plans/sxufe/630701-2021.yaml"
# evaluations by provincial staff: the portal and county staff evaluate registered candidates only (none here)
STAFF = auth_headers("province")


@pytest.fixture
def env(tmp_path):
    app, rules = make_app(tmp_path)
    return app, rules, app.test_cli_runner()


def raise_threshold(rules, to: int) -> None:
    plan = rules / PLAN
    plan.write_text(plan.read_text(encoding="utf-8").replace("min_credits: 70", f"min_credits: {to}"), encoding="utf-8")


def rows(app) -> list[dict]:
    db = connect(app.config["DATABASE"])
    try:
        return versions(db)
    finally:
        db.conn.close()


def decide(client, as_of: str, **extra) -> dict:
    body = {**example("marketing-complete"), "as_of": as_of, **extra}
    resp = client.post("/v1/evaluations", json=body, headers=STAFF)
    assert resp.status_code == 201, resp.json
    return resp.json["decisions"][0]


def test_publish_archives_the_current_rules_with_hash_author_note_and_date(env):
    app, rules, cli = env
    result = cli.invoke(args=["publish", "--note", "2021 市场营销 plan as printed", "--effective-from", "2025-01-01",
                              "--author", "计划处 刘老师"])
    assert result.exit_code == 0, result.output
    version = load_bundle(rules).version
    assert f"published {version}" in result.output
    [row] = rows(app)
    assert row["version"] == version and row["published"] is True and row["effective_from"] == "2025-01-01"
    assert row["author"] == "计划处 刘老师" and row["note"] == "2021 市场营销 plan as printed" and row["published_at"]
    db = connect(app.config["DATABASE"])
    try:
        archived = files_of(db, version)
    finally:
        db.conn.close()
    # the workflow tables and transfer rules are archived with the rules, under the one version
    assert set(TABLE_FILES) <= archived.keys()
    assert archived["rulesets/workflow/fees.yaml"]["graduation"]["per_major_fen"] == 2000


def test_publish_refuses_rules_whose_test_cases_fail_and_stores_nothing(env):
    app, rules, cli = env
    before = rows(app)  # the working files the app serves, archived unpublished at its start
    raise_threshold(rules, 76)  # the shipped cases expect 70 credits required of 市场营销
    result = cli.invoke(args=["publish", "--note", "raise", "--effective-from", "2026-01-01"])
    assert result.exit_code == 1
    assert "FAIL rulesets/shanxi/tests/" in result.output and "not published" in result.output
    assert rows(app) == before and not any(row["published"] for row in before)


def test_publish_needs_a_note_and_a_real_date(env):
    _, _, cli = env
    assert cli.invoke(args=["publish", "--effective-from", "2026-01-01"]).exit_code == 2
    bad = cli.invoke(args=["publish", "--note", "x", "--effective-from", "2026-02-30"])
    assert bad.exit_code == 2 and "2026-02-30" in bad.output


def test_decisions_use_the_published_version_in_force_on_their_date(env):
    app, rules, _ = env
    client = app.test_client()
    db = connect(app.config["DATABASE"])
    v1 = load_bundle(rules)
    publish(db, v1, author="刘老师", note="v1", effective_from=dt.date(2025, 1, 1))
    raise_threshold(rules, 76)
    assert client.post("/v1/rules/reload", headers=auth_headers("curriculum")).json["reloaded"] is True
    v2 = load_bundle(rules)
    # v2 is the working copy now, but not published: decisions dated after v1's date still use v1
    d = decide(client, "2025-11-20")
    assert d["ruleset_version"] == v1.version and d["credits"]["required"] == 70
    publish(db, v2, author="刘老师", note="v2: 76 credits", effective_from=dt.date(2026, 1, 1))
    assert decide(client, "2025-12-31")["ruleset_version"] == v1.version
    later = decide(client, "2026-01-02")
    assert later["ruleset_version"] == v2.version and later["credits"]["required"] == 76
    # re-publishing v1 for the same date makes it the latest publication of that date
    publish(db, v1, author="刘老师", note="v2 withdrawn", effective_from=dt.date(2026, 1, 1))
    assert decide(client, "2026-01-02")["ruleset_version"] == v1.version
    db.conn.close()


def test_nothing_published_means_the_working_files(env):
    app, rules, _ = env
    d = decide(app.test_client(), "2025-11-20")
    assert d["ruleset_version"] == load_bundle(rules).version


def test_an_application_keeps_its_version_by_naming_it(env):
    app, rules, _ = env
    client = app.test_client()
    first = decide(client, "2025-11-20")  # made under the working files (archived with the decision)
    raise_threshold(rules, 76)
    client.post("/v1/rules/reload", headers=auth_headers("curriculum"))
    db = connect(app.config["DATABASE"])
    publish(db, load_bundle(rules), author="刘老师", note="76", effective_from=dt.date(2025, 1, 1))
    db.conn.close()
    assert decide(client, "2026-03-01")["credits"]["required"] == 76
    kept = decide(client, "2026-03-01", ruleset_version=first["ruleset_version"])
    assert kept["ruleset_version"] == first["ruleset_version"] and kept["credits"]["required"] == 70


def test_a_named_version_must_be_archived_else_422_and_nothing_stored(env):
    app, _, _ = env
    client = app.test_client()
    body = {**example("marketing-complete"), "ruleset_version": "0" * 64}
    resp = client.post("/v1/evaluations", json=body, headers=STAFF)
    assert resp.status_code == 422
    assert resp.json["fields"] == {"ruleset_version": [f"{'0' * 64} is not an archived ruleset version"]}
    resp = client.post("/v1/evaluations", json={**body, "ruleset_version": "v1"}, headers=STAFF)
    assert resp.status_code == 422 and resp.json["fields"]["ruleset_version"] == ["a ruleset version is 64 hex digits"]
    db = connect(app.config["DATABASE"])
    assert db.execute("SELECT count(*) FROM decisions").fetchone()[0] == 0
    db.conn.close()


def test_a_draft_archived_by_a_reload_cannot_be_named_once_versions_are_published(env):
    app, rules, _ = env
    client = app.test_client()
    db = connect(app.config["DATABASE"])
    publish(db, load_bundle(rules), author="刘老师", note="v1", effective_from=dt.date(2025, 1, 1))
    raise_threshold(rules, 76)
    assert client.post("/v1/rules/reload", headers=auth_headers("curriculum")).json["reloaded"]
    draft = load_bundle(rules).version  # archived by the reload, never published, never decided with
    resp = client.post("/v1/evaluations", json={**example("marketing-complete"), "ruleset_version": draft},
                       headers=STAFF)
    assert resp.status_code == 422 and "never published" in resp.json["fields"]["ruleset_version"][0]
    assert db.execute("SELECT count(*) FROM decisions").fetchone()[0] == 0
    db.conn.close()
