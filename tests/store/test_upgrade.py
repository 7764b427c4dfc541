"""A database made by the release before the migration sets upgrades in place.

fixtures/schema/main-2026-12-02.sql is ``sqlite3 .dump`` of what ``sxzk init-db`` made
then: its schema and its ``_migrations`` rows.  Nothing recorded there runs again; the
steps appended since (``NEW``: declared in today's code, not in the pinned release) run once.
"""
from __future__ import annotations

import re
import sqlite3
import threading
from pathlib import Path

import pytest
import sqlite_utils
from sqlite_utils.migrations import Migrations
from support.common import auth_headers, example

from service.app import create_app
from service.applications import states
from service.decisions.replay import replay_many
from service.decisions.rulebook import Rulebook
from service.store import chains, decision_log, migrations
from service.store.db import connect, write_transaction
from service.web import auth

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "fixtures" / "schema" / "main-2026-12-02.sql"
SHIPPED = {"core": ["001_decisions", "002_ruleset_versions", "003_credentials", "004_ruleset_publication"],
           "candidates": ["workflow_candidates_001"],
           "applications": ["workflow_applications_001", "workflow_payments_001"],
           "forms": ["forms_registration_001"],
           "transfer": ["transfer_outs_001"]}
EXAM = "010119100001"


def declared() -> dict[str, list[str]]:
    """Every step of today's code, by set: the shipped ones and any added since the pinned release."""
    empty = sqlite_utils.Database(memory=True)
    return {steps.name: [m.name for m in steps.pending(empty)] for steps in migrations.sets()}


DECLARED = declared()
ALL = [name for names in DECLARED.values() for name in names]
NEW = [name for name in ALL if not any(name in names for names in SHIPPED.values())]


def old_database(path: Path, *, without: str | None = None) -> None:
    """The fixture as a database file; ``without``: a step (and what it made) the old release had not run."""
    script = FIXTURE.read_text(encoding="utf-8")
    conn = sqlite3.connect(path)
    conn.executescript(script)
    if without == "transfer_outs_001":
        conn.executescript("DROP TABLE transfer_out_events; DROP TABLE transfer_outs; "
                           "DELETE FROM _migrations WHERE name = 'transfer_outs_001';")
    conn.close()


def schema(db) -> dict[str, str]:
    """Tables, indexes and triggers as SQL, comments and layout aside; the migration records left out."""
    out = {}
    for name, sql in db.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL"):
        if "migrations" not in name and name != "sqlite_sequence":
            out[name] = " ".join(re.sub(r"--[^\n]*", "", sql).split())
    return out


def recorded(db) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for row in db.query("SELECT migration_set, name FROM _sqlite_migrations ORDER BY id"):
        out.setdefault(row["migration_set"], []).append(row["name"])
    return out


@pytest.fixture
def populated(tmp_path, monkeypatch):
    """The old database with decisions made by the evaluation endpoint, an application and its history.

    The new code writes them, but nothing migrates the file meanwhile: it is left as
    the old release would have left it (the table the new code serves its rules
    version from, the credentials' expiry and last use and the candidates' exceptions it reads
    for each decision are there while it writes, and dropped after).
    """
    from service.exceptions import tables as exception_tables
    from service.sanctions import tables as sanction_tables
    from service.store import tables

    path = tmp_path / "old.sqlite3"
    old_database(path)
    with monkeypatch.context() as m:
        m.setattr(migrations, "migrate", lambda db: [] if db["ruleset_serving"].exists()
                  else tables._005_ruleset_serving(db) or tables._006_credential_lifecycle(db)
                  or exception_tables._001_candidate_exceptions(db)
                  or sanction_tables._001_sanctions(db) or [])
        app = create_app({"TESTING": True, "DATABASE": str(path), "BLOB_DIR": str(tmp_path / "blobs")})
        db = connect(path)
        auth.add_credential(db, "province", "province-staff", token="demo-province")
        client = app.test_client()
        decisions = []
        for name in ("marketing-complete", "marketing-missing-00181", "marketing-complete"):
            resp = client.post("/v1/evaluations", json=example(name), headers=auth_headers("province"))
            assert resp.status_code == 201, resp.json
            decisions += resp.json["decisions"]
        with app.app_context():
            app_id = _application(db, decisions[0]["id"])
    db.execute("DROP TABLE ruleset_serving")
    db.execute("DROP TABLE candidate_exception_events")
    db.execute("DROP TABLE candidate_exceptions")
    db.execute("DROP TABLE candidate_sanctions")  # decisions read it for every candidate
    db.execute("ALTER TABLE credentials DROP COLUMN expires_at")
    db.execute("ALTER TABLE credentials DROP COLUMN last_used_at")
    assert not db["_sqlite_migrations"].exists()
    yield app, db, app_id, decisions
    db.conn.close()


def _application(db, decision_id: str) -> int:
    now = "2026-11-22T10:00:00+08:00"
    with write_transaction(db):
        app_id = db.conn.execute(
            "INSERT INTO applications (exam_number, round, district, phone, address, state, created_at, updated_at) "
            "VALUES (?, '2026H2', '太原市小店区', '13912345678', '地址1号', 'submitted', ?, ?)",
            [EXAM, now, now]).lastrowid
        db.conn.execute("INSERT INTO application_choices (application_id, position, university, major, decision_id, "
                        "decision_status, decision_revision) VALUES (?, 1, 'sxufe', '630701', ?, 'eligible', 1)",
                        [app_id, decision_id])
        for source, target, action in ((None, "draft", "create"), ("draft", "draft", "check"),
                                       ("draft", "submitted", "submit")):
            db.conn.execute("INSERT INTO application_events (application_id, from_state, to_state, action, actor, "
                            "role, at) VALUES (?, ?, ?, ?, 'portal-backend for ' || ?, 'portal', ?)",
                            [app_id, source, target, action, EXAM, now])
    return app_id


def test_the_old_database_upgrades_without_running_anything_again(populated):
    _app, db, app_id, decisions = populated
    events = list(db.query("SELECT * FROM application_events ORDER BY id"))
    before = schema(db)

    assert migrations.migrate(db) == NEW  # only what came after the pinned release
    assert recorded(db) == DECLARED
    assert migrations.migrate(db) == [] and recorded(db) == DECLARED
    assert set(before) <= set(schema(db))  # nothing the old release made is gone (steps since only add)
    assert db.execute("SELECT count(*) FROM _migrations").fetchone()[0] == 9  # left for the previous release

    chain = decision_log.verify(db)
    assert chain["ok"] is True and chain["checked"] == len(decisions)
    replayed = replay_many(db, Rulebook(ROOT), decision_log.select(db))
    assert replayed == {"total": len(decisions), "identical": len(decisions), "differing": 0, "differences": []}
    assert [d["id"] for d in decision_log.select(db)] == [d["id"] for d in decisions]

    after = list(db.query("SELECT * FROM application_events ORDER BY id"))
    added = ("ruleset_version", "prev_hash", "row_hash")
    assert [{k: v for k, v in e.items() if k not in added} for e in after] == events
    assert {e["ruleset_version"] for e in after} == {None}  # made before versions were recorded
    histories = chains.verify_all(db)  # the rows the old release wrote are chained by the upgrade
    assert histories["ok"] is True and histories["chains"]["application_events"]["checked"] == len(events) == 3
    assert [(e["action"], e["to_state"]) for e in states.history(db, app_id)] == [
        ("create", "draft"), ("check", "draft"), ("submit", "submitted")]
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM application_events")


def test_the_app_opens_an_old_database_as_it_is(populated, tmp_path):
    app, db, _app_id, _decisions = populated
    fresh = create_app({"TESTING": True, "DATABASE": app.config["DATABASE"], "BLOB_DIR": str(tmp_path / "blobs")})
    assert recorded(db) == DECLARED
    resp = fresh.test_client().post("/v1/evaluations", json=example("marketing-complete"),
                                    headers=auth_headers("province"))
    assert resp.status_code == 201 and decision_log.verify(db)["ok"] is True


def test_a_step_the_old_release_had_not_run_is_applied_once(tmp_path):
    path = tmp_path / "old.sqlite3"
    old_database(path, without="transfer_outs_001")
    db = connect(path, migrate_schema=False)
    assert migrations.migrate(db) == [name for name in ALL if name in NEW or name == "transfer_outs_001"]
    assert recorded(db) == DECLARED and migrations.migrate(db) == []
    old_database(tmp_path / "whole.sqlite3")
    whole = connect(tmp_path / "whole.sqlite3", migrate_schema=False)
    migrations.migrate(whole)
    assert schema(db) == schema(whole)


def test_a_fresh_database_has_the_schema_of_an_upgraded_old_one(tmp_path):
    db = connect(tmp_path / "new.sqlite3", migrate_schema=False)
    assert migrations.migrate(db) == ALL
    assert recorded(db) == DECLARED and migrations.applied(db) == ALL
    old_database(tmp_path / "old.sqlite3")
    old = connect(tmp_path / "old.sqlite3", migrate_schema=False)
    migrations.migrate(old)
    assert schema(db) == schema(old)
    assert not db["_migrations"].exists()


def test_a_failing_step_leaves_nothing_and_the_steps_before_it_stay(tmp_path, monkeypatch):
    from service.transfer import tables as transfer_tables

    def broken(db):
        db.execute("CREATE TABLE half_made (id INTEGER)")
        raise RuntimeError("step failed")

    steps = Migrations("transfer")
    steps(name="transfer_outs_001")(transfer_tables._001_transfer_outs)
    steps(name="transfer_broken_002")(broken)
    monkeypatch.setattr(transfer_tables, "MIGRATIONS", steps)
    db = connect(tmp_path / "new.sqlite3", migrate_schema=False)
    with pytest.raises(RuntimeError, match="step failed"):
        migrations.migrate(db)
    assert recorded(db)["transfer"] == ["transfer_outs_001"]
    assert db["transfer_outs"].exists() and not db["half_made"].exists() and not db.conn.in_transaction


def test_workers_migrating_at_once_apply_each_step_once(tmp_path):
    path = tmp_path / "new.sqlite3"
    dbs = [connect(path, migrate_schema=False) for _ in range(3)]
    start, applied, failed = threading.Barrier(len(dbs)), [], []

    def run(db):
        start.wait()
        try:
            applied.extend(migrations.migrate(db))
        except Exception as exc:  # a thread's exception would otherwise go unseen
            failed.append(exc)

    threads = [threading.Thread(target=run, args=(db,)) for db in dbs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failed == []
    assert sorted(applied) == sorted(ALL)
    assert recorded(dbs[0]) == DECLARED
