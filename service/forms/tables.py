"""Tables of the 毕业生登记表 per graduation application (the area's MIGRATIONS).

Every save is a new version; nothing is overwritten, so what the county office
received can always be printed again.  Never edit a migration that has shipped.
"""
from __future__ import annotations

from sqlite_utils.migrations import Migrations


def _001_registration_forms(db):
    db.execute("""
        CREATE TABLE registration_form_versions (
            application_id INTEGER NOT NULL,
            version INTEGER NOT NULL,
            exam_number TEXT NOT NULL,
            data TEXT NOT NULL,        -- the form as validate_registration cleaned it (JSON)
            saved_by TEXT NOT NULL,
            saved_at TEXT NOT NULL,
            PRIMARY KEY (application_id, version)
        )""")
    db.execute("""CREATE TRIGGER registration_form_versions_no_update BEFORE UPDATE ON registration_form_versions
                  BEGIN SELECT RAISE(ABORT, 'registration form versions are never changed'); END""")
    db.execute("""CREATE TRIGGER registration_form_versions_no_delete BEFORE DELETE ON registration_form_versions
                  BEGIN SELECT RAISE(ABORT, 'registration form versions are never deleted'); END""")
    db.execute("""
        CREATE TABLE registration_form_receipts (
            application_id INTEGER PRIMARY KEY,
            version INTEGER NOT NULL,  -- the version the signed paper copy was printed from
            received_by TEXT NOT NULL,
            received_at TEXT NOT NULL,
            note TEXT,
            FOREIGN KEY (application_id, version) REFERENCES registration_form_versions(application_id, version)
        )""")


MIGRATIONS = Migrations("forms")
MIGRATIONS(name="forms_registration_001")(_001_registration_forms)
