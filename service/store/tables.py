"""Tables of the core: the decision log, the ruleset archive, credentials (the ``core`` migration set).

Never edit a migration that has shipped: register a new one.
"""
from __future__ import annotations

from sqlite_utils.migrations import Migrations

from service.store import views


def _001_decisions(db):
    db.execute("""
        CREATE TABLE decisions (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            evaluation_id TEXT NOT NULL,
            choice_index INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            exam_number TEXT NOT NULL,
            university TEXT NOT NULL,
            major TEXT NOT NULL,
            status TEXT NOT NULL,
            eligible INTEGER NOT NULL,
            ruleset_version TEXT NOT NULL,
            engine_version TEXT NOT NULL,
            input TEXT NOT NULL,
            output TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            row_hash TEXT NOT NULL UNIQUE
        )""")
    db.execute("CREATE INDEX decisions_created ON decisions(created_at)")
    db.execute("CREATE INDEX decisions_exam_number ON decisions(exam_number)")
    db.execute("CREATE INDEX decisions_evaluation ON decisions(evaluation_id)")
    # append-only: the log refuses updates and deletes at the database level
    db.execute("""CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
                  BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END""")
    db.execute("""CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
                  BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END""")


def _002_ruleset_versions(db):
    db.execute("""
        CREATE TABLE ruleset_versions (
            version TEXT PRIMARY KEY,
            created_at TEXT NOT NULL,
            files TEXT NOT NULL,
            author TEXT,
            note TEXT,
            effective_from TEXT,
            published INTEGER NOT NULL DEFAULT 0
        )""")


def _003_credentials(db):
    db.execute("""
        CREATE TABLE credentials (
            token_hash TEXT PRIMARY KEY,
            role TEXT NOT NULL,
            district TEXT,
            actor TEXT NOT NULL,
            created_at TEXT NOT NULL,
            revoked INTEGER NOT NULL DEFAULT 0
        )""")


def _004_ruleset_publication(db):
    # The version in force on a date is the published one with the latest effective_from,
    # then the latest publication: published_at orders re-publications, and the index
    # answers that question without reading the archived files.
    db.execute("ALTER TABLE ruleset_versions ADD COLUMN published_at TEXT")
    db.execute("CREATE INDEX ruleset_versions_in_force ON ruleset_versions(published, effective_from, published_at)")


def _005_ruleset_serving(db):
    # Which working-files version every worker serves is the database's word, not a worker's memory:
    # one row, written by reload.  ``generation`` moves with every reload and publication, so a
    # worker learns that it must look again from one indexed read per request.
    db.execute("""
        CREATE TABLE ruleset_serving (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            version TEXT REFERENCES ruleset_versions(version),
            generation INTEGER NOT NULL DEFAULT 0,
            loaded_at TEXT,
            loaded_by TEXT,
            problems TEXT NOT NULL DEFAULT '[]',
            checked_at TEXT
        )""")
    db.execute("INSERT INTO ruleset_serving (id) VALUES (1)")


# names as recorded since the first release (``_migrations``): they mark what a database already has
def _005_checkpoints(db):
    db.execute("""
        CREATE TABLE checkpoints (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            chain TEXT NOT NULL,
            seq INTEGER NOT NULL,
            head TEXT NOT NULL,
            at TEXT NOT NULL,
            key_id TEXT NOT NULL,
            signature TEXT NOT NULL
        )""")
    db.execute("""CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
                  BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END""")
    db.execute("""CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
                  BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END""")


def _006_credential_lifecycle(db):
    # NULL expires_at: never (the demo tokens); last_used_at is written at most hourly (service/web/auth.py)
    db.execute("ALTER TABLE credentials ADD COLUMN expires_at TEXT")
    db.execute("ALTER TABLE credentials ADD COLUMN last_used_at TEXT")


def _007_personal_data_views(db):
    views.create_table(db)


MIGRATIONS = Migrations("core")
MIGRATIONS(name="001_decisions")(_001_decisions)
MIGRATIONS(name="002_ruleset_versions")(_002_ruleset_versions)
MIGRATIONS(name="003_credentials")(_003_credentials)
MIGRATIONS(name="004_ruleset_publication")(_004_ruleset_publication)
MIGRATIONS(name="005_checkpoints")(_005_checkpoints)
MIGRATIONS(name="005_ruleset_serving")(_005_ruleset_serving)
MIGRATIONS(name="006_credential_lifecycle")(_006_credential_lifecycle)
MIGRATIONS(name="007_personal_data_views")(_007_personal_data_views)
