"""Tables of candidates, their passed courses, identity checks and prior diplomas."""
from __future__ import annotations


def _001_candidates(db):
    db.execute("""
        CREATE TABLE candidates (
            exam_number TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            id_number TEXT NOT NULL UNIQUE,
            gender TEXT NOT NULL,
            district TEXT NOT NULL,
            phone TEXT NOT NULL,
            enrolled INTEGER NOT NULL DEFAULT 1,       -- 在籍考生 (has a 准考证号 already)
            suspended INTEGER NOT NULL DEFAULT 0,      -- 考籍冻结: no business while set
            identity_status TEXT NOT NULL DEFAULT 'unverified',
            imported_at TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX candidates_district ON candidates(district)")
    db.execute("""
        CREATE TABLE candidate_courses (
            exam_number TEXT NOT NULL REFERENCES candidates(exam_number),
            code TEXT NOT NULL,
            name TEXT NOT NULL,
            credits INTEGER,
            score TEXT NOT NULL,
            date TEXT,
            source TEXT NOT NULL,
            PRIMARY KEY (exam_number, code, date, source)
        )""")
    db.execute("""
        CREATE TABLE identity_photos (
            exam_number TEXT NOT NULL REFERENCES candidates(exam_number),
            kind TEXT NOT NULL,          -- id_photo | id_card | holding_id
            sha256 TEXT NOT NULL,
            format TEXT NOT NULL,
            uploaded_at TEXT NOT NULL,
            PRIMARY KEY (exam_number, kind)
        )""")
    db.execute("""
        CREATE TABLE candidate_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            exam_number TEXT NOT NULL,
            from_status TEXT,
            to_status TEXT NOT NULL,
            action TEXT NOT NULL,
            actor TEXT NOT NULL,
            role TEXT NOT NULL,
            at TEXT NOT NULL,
            reason TEXT
        )""")
    db.execute("""CREATE TRIGGER candidate_events_no_update BEFORE UPDATE ON candidate_events
                  BEGIN SELECT RAISE(ABORT, 'the identity history is append-only'); END""")
    db.execute("""
        CREATE TABLE prior_diplomas (
            exam_number TEXT PRIMARY KEY REFERENCES candidates(exam_number),
            name TEXT NOT NULL,
            id_number TEXT NOT NULL,
            gender TEXT NOT NULL,
            school TEXT NOT NULL,
            major TEXT NOT NULL,
            level TEXT NOT NULL,
            graduation_year INTEGER NOT NULL,
            certificate_no TEXT NOT NULL,
            provider TEXT NOT NULL,
            verified_at TEXT NOT NULL
        )""")


MIGRATIONS = [("100_workflow_candidates", _001_candidates)]
