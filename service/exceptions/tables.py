"""Tables of per-candidate exceptions and their history (the area's MIGRATIONS).

Never edit a migration that has shipped: append a new one.
"""
from __future__ import annotations

from sqlite_utils.migrations import Migrations

from service.statemachine import add_version_column, create_events_table


def _001_candidate_exceptions(db):
    db.execute("""
        CREATE TABLE candidate_exceptions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            exam_number TEXT NOT NULL,
            university TEXT NOT NULL,
            major TEXT NOT NULL,
            kind TEXT NOT NULL,                -- substitute | waive
            course TEXT NOT NULL,              -- the plan course it is for
            by_course TEXT,                    -- substitute: the passed course that stands for it
            reason TEXT NOT NULL,
            document_number TEXT NOT NULL,     -- the office's document deciding it (文号)
            evidence_sha256 TEXT,              -- a scan of the document, in the blob store
            evidence_format TEXT,
            state TEXT NOT NULL,               -- rulesets/workflow/exception_states.yaml
            recorded_by TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            ruleset_version TEXT NOT NULL,     -- the rules whose limits it was checked against
            updated_at TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX candidate_exceptions_choice ON candidate_exceptions(exam_number, university, major, state)")
    create_events_table(db, "candidate_exception_events",
                        "exception_id INTEGER NOT NULL REFERENCES candidate_exceptions(id)",
                        index="exception", noun="exception")
    add_version_column(db, "candidate_exception_events")


MIGRATIONS = Migrations("exceptions")
MIGRATIONS(name="candidate_exceptions_001")(_001_candidate_exceptions)
