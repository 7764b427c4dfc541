"""Tables of candidates, their course results, identity photos, prior diplomas and history.

Photos live in the blob store; ``identity_photos`` keeps only their SHA-256.  The
history (``candidate_events``) is evidence and only ever appended to.  Never edit
a migration that has shipped: append a new one.
"""
from __future__ import annotations

from sqlite_utils.migrations import Migrations

from service.statemachine import EVENT_COLUMNS, add_version_column, create_events_table
from service.store import chains


def _001_candidates(db):
    db.execute("""
        CREATE TABLE candidates (
            exam_number TEXT PRIMARY KEY CHECK (length(exam_number) = 12),  -- 准考证号
            name TEXT NOT NULL,
            id_number TEXT NOT NULL UNIQUE,     -- one record per person: merge 准考证号 before importing
            gender TEXT NOT NULL CHECK (gender IN ('男', '女')),
            district TEXT NOT NULL,             -- 报名区县, full name: whose 招办 reviews the identity
            phone TEXT NOT NULL,
            enrolled INTEGER NOT NULL,          -- 在籍考生 (两照) or 新考生 (三照)
            suspended INTEGER NOT NULL DEFAULT 0,  -- 考籍冻结 (e.g. disciplinary): read by the transfer-out rules
            identity_status TEXT NOT NULL DEFAULT 'unverified',
            identity_changed_at TEXT,
            photos_uploaded_at TEXT,
            registered_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX candidates_district ON candidates(district, identity_status)")
    db.execute("""
        CREATE TABLE candidate_courses (
            exam_number TEXT NOT NULL REFERENCES candidates(exam_number),
            position INTEGER NOT NULL,
            code TEXT NOT NULL,
            name TEXT NOT NULL,
            credits INTEGER NOT NULL,       -- 0 for 不计学分 (theses)
            score TEXT NOT NULL,            -- 0-100, a grade, or 免考
            date TEXT NOT NULL,             -- ISO date the result was obtained
            source TEXT NOT NULL,           -- exam | exemption | old-plan | transfer-in
            PRIMARY KEY (exam_number, position),
            UNIQUE (exam_number, code, date, source)
        )""")
    db.execute("""
        CREATE TABLE identity_photos (
            exam_number TEXT NOT NULL REFERENCES candidates(exam_number),
            kind TEXT NOT NULL CHECK (kind IN ('id_photo', 'id_card', 'holding_id')),
            sha256 TEXT NOT NULL,
            format TEXT NOT NULL,
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            bytes INTEGER NOT NULL,
            uploaded_at TEXT NOT NULL,
            PRIMARY KEY (exam_number, kind)
        )""")
    db.execute("""
        CREATE TABLE prior_diplomas (
            exam_number TEXT PRIMARY KEY REFERENCES candidates(exam_number),
            provider TEXT NOT NULL,
            found INTEGER NOT NULL,         -- 0: the provider has no diploma for this person
            name TEXT,
            id_number TEXT,
            gender TEXT,
            school TEXT,
            major TEXT,
            level TEXT,
            study_form TEXT,
            category TEXT,
            enrolled_year INTEGER,
            graduation_year INTEGER,
            conclusion TEXT,
            certificate_no TEXT,
            reference TEXT NOT NULL,        -- the provider's reference for this verification
            verified_at TEXT NOT NULL
        )""")
    # also the record and prior-diploma changes, which no state table moves: `subject` says whose, to_status may be empty
    create_events_table(db, "candidate_events", "exam_number TEXT NOT NULL REFERENCES candidates(exam_number)",
                        index="exam", noun="candidate",
                        columns=("subject TEXT NOT NULL          -- record | identity | prior_diploma",
                                 "action TEXT NOT NULL", "from_status TEXT", "to_status TEXT",
                                 *EVENT_COLUMNS[3:]))


def _002_event_versions(db):
    add_version_column(db, "candidate_events")


def _003_event_chain(db):
    chains.add_links(db, "candidate_events")


MIGRATIONS = Migrations("candidates")
MIGRATIONS(name="workflow_candidates_001")(_001_candidates)
MIGRATIONS(name="workflow_candidates_002_event_versions")(_002_event_versions)
MIGRATIONS(name="workflow_candidates_003_event_chain")(_003_event_chain)
