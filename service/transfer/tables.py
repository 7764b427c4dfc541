"""Tables of the transfer-out application and its history (the area's MIGRATIONS).

Never edit a migration that has shipped: append a new one.
"""
from __future__ import annotations

from sqlite_utils.migrations import Migrations

from service.statemachine import add_version_column, create_events_table
from service.store import chains


def _001_transfer_outs(db):
    db.execute("""
        CREATE TABLE transfer_outs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            exam_number TEXT NOT NULL,
            round TEXT NOT NULL,               -- the 省际转出 window (exam sitting) applied in
            district TEXT NOT NULL,            -- the candidate's 报名区县 when applying: whose 招办 decides
            city TEXT NOT NULL,                -- 所属地市, where the candidate confirms on site
            target_province TEXT NOT NULL,     -- 转入省
            target_exam_number TEXT NOT NULL,  -- 转入准考证
            reason TEXT NOT NULL,              -- 转出原因
            reason_note TEXT,
            state TEXT NOT NULL,
            courses TEXT NOT NULL,             -- JSON: transferable and non-transferable courses (the details page)
            created_at TEXT NOT NULL,          -- 申请时间
            updated_at TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX transfer_outs_candidate ON transfer_outs(exam_number, round)")
    db.execute("CREATE INDEX transfer_outs_district_state ON transfer_outs(district, state)")
    create_events_table(db, "transfer_out_events", "transfer_id INTEGER NOT NULL REFERENCES transfer_outs(id)",
                        index="transfer", noun="transfer-out")


def _002_event_versions(db):
    add_version_column(db, "transfer_out_events")


def _003_event_chain(db):
    chains.add_links(db, "transfer_out_events")


MIGRATIONS = Migrations("transfer")
MIGRATIONS(name="transfer_outs_001")(_001_transfer_outs)
MIGRATIONS(name="transfer_outs_002_event_versions")(_002_event_versions)
MIGRATIONS(name="transfer_outs_003_event_chain")(_003_event_chain)
