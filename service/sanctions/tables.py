"""The candidates' 延迟毕业 (sanction) records.  Never edit a migration that has shipped: append a new one."""
from __future__ import annotations

from sqlite_utils.migrations import Migrations


def _001_sanctions(db):
    # one row per decision document; never updated or deleted: a sanction ends on its own date
    db.execute("""
        CREATE TABLE candidate_sanctions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            exam_number TEXT NOT NULL REFERENCES candidates(exam_number),
            starts TEXT NOT NULL,           -- ISO date, the first day graduation is delayed
            until TEXT NOT NULL,            -- ISO date, the last day (included)
            reason TEXT NOT NULL,           -- the violation, as the document states it
            document_no TEXT NOT NULL,      -- 处理决定文号
            source TEXT NOT NULL CHECK (source IN ('import', 'staff')),
            recorded_by TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            CHECK (starts <= until),
            UNIQUE (exam_number, document_no)
        )""")
    db.execute("""
        CREATE TRIGGER candidate_sanctions_append_only BEFORE UPDATE ON candidate_sanctions
        BEGIN SELECT RAISE(ABORT, 'candidate_sanctions is append-only'); END""")
    db.execute("""
        CREATE TRIGGER candidate_sanctions_no_delete BEFORE DELETE ON candidate_sanctions
        BEGIN SELECT RAISE(ABORT, 'candidate_sanctions is append-only'); END""")


MIGRATIONS = Migrations("sanctions")
MIGRATIONS(name="sanctions_001")(_001_sanctions)
