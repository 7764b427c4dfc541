"""Tables of the graduation application and its payment (appended to the area's MIGRATIONS).

Uploaded files (the graduation photo, the old-plan scan archive) live in the blob
store; these tables keep only their SHA-256.  Never edit a migration that has shipped:
append a new one.
"""
from __future__ import annotations

from sqlite_utils.migrations import Migrations

from service.statemachine import EVENT_COLUMNS, add_version_column, create_events_table
from service.store import chains


def _001_applications(db):
    db.execute("""
        CREATE TABLE applications (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            exam_number TEXT NOT NULL,
            round TEXT NOT NULL,            -- the 毕业申请 window the application belongs to
            district TEXT NOT NULL,         -- 毕业申请区县: whose 招办 decides
            phone TEXT NOT NULL,
            address TEXT NOT NULL,
            state TEXT NOT NULL,
            attempt INTEGER NOT NULL DEFAULT 1,   -- 2 after the one re-application
            revision INTEGER NOT NULL DEFAULT 1,  -- bumped by every edit: decisions must be of the current one
            archive_sha256 TEXT,
            archive_format TEXT,
            archive_members TEXT,
            archive_problems TEXT,
            photo_sha256 TEXT,
            photo_format TEXT,
            photo_status TEXT NOT NULL DEFAULT 'none',  -- none | passed | review | approved
            photo_reasons TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            submitted_at TEXT,
            UNIQUE (exam_number, round)
        )""")
    db.execute("CREATE INDEX applications_district_state ON applications(district, state)")
    db.execute("""
        CREATE TABLE application_choices (
            application_id INTEGER NOT NULL REFERENCES applications(id),
            position INTEGER NOT NULL,
            university TEXT NOT NULL,
            major TEXT NOT NULL,
            substitution TEXT NOT NULL DEFAULT '[]',  -- course codes replacing 00015 英语(二)
            decision_id TEXT,
            decision_status TEXT,
            decision_revision INTEGER,
            PRIMARY KEY (application_id, position)
        )""")
    db.execute("""
        CREATE TABLE application_old_plan (
            application_id INTEGER NOT NULL REFERENCES applications(id),
            position INTEGER NOT NULL,
            code TEXT NOT NULL,
            name TEXT NOT NULL,
            date TEXT NOT NULL,
            score TEXT NOT NULL,
            credits INTEGER,
            status TEXT NOT NULL DEFAULT 'pending',  -- pending | verified | refused (by the county office)
            checked_by TEXT,
            checked_at TEXT,
            note TEXT,
            PRIMARY KEY (application_id, position)
        )""")
    create_events_table(db, "application_events", "application_id INTEGER NOT NULL REFERENCES applications(id)",
                        index="app", noun="application")


def _002_payments(db):
    db.execute("""
        CREATE TABLE payment_orders (
            id TEXT PRIMARY KEY,               -- 商户订单号
            application_id INTEGER NOT NULL REFERENCES applications(id),
            exam_number TEXT NOT NULL,
            district TEXT NOT NULL,
            provider TEXT NOT NULL,
            amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
            description TEXT NOT NULL,
            status TEXT NOT NULL,              -- created | paid | cancelled
            pay TEXT NOT NULL,                 -- what the provider returned for paying (URL, parameters)
            transaction_id TEXT UNIQUE,        -- the provider's, once paid
            created_at TEXT NOT NULL,
            paid_at TEXT,
            cancelled_at TEXT
        )""")
    # at most one order an application can still be paid with, or has been paid with
    db.execute("CREATE UNIQUE INDEX payment_orders_one_live ON payment_orders(application_id) "
               "WHERE status IN ('created', 'paid')")
    db.execute("""
        CREATE TABLE payment_callbacks (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            provider TEXT NOT NULL,
            transaction_id TEXT NOT NULL,
            order_id TEXT NOT NULL REFERENCES payment_orders(id),
            amount_fen INTEGER NOT NULL,
            status TEXT NOT NULL,
            body_sha256 TEXT NOT NULL,
            received_at TEXT NOT NULL,
            result TEXT NOT NULL,
            UNIQUE (provider, transaction_id)
        )""")


def _003_ruleset_versions(db):
    add_version_column(db, "application_events")
    # the version the application was last checked with: its later steps keep it (records.check)
    db.execute("ALTER TABLE applications ADD COLUMN ruleset_version TEXT")


def _004_refunds_and_receipts(db):
    # a genuine payment that could not be applied (the order was already paid or cancelled,
    # or the amount differs): the money is kept track of until it is refunded
    db.execute("""
        CREATE TABLE payment_refunds (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            provider TEXT NOT NULL,
            transaction_id TEXT NOT NULL,
            order_id TEXT NOT NULL REFERENCES payment_orders(id),
            application_id INTEGER NOT NULL REFERENCES applications(id),
            exam_number TEXT NOT NULL,
            district TEXT NOT NULL,
            amount_fen INTEGER NOT NULL,
            reason TEXT NOT NULL,              -- already_paid | cancelled | wrong_amount
            status TEXT NOT NULL,              -- refund_owed
            received_at TEXT NOT NULL,
            UNIQUE (provider, transaction_id)
        )""")
    db.execute("CREATE INDEX payment_refunds_order ON payment_refunds(order_id)")
    # 电子票据 of a paid order, as the provider issued it
    for column in ("receipt_code", "receipt_number", "receipt_check_code", "receipt_verify_url"):
        db.execute(f"ALTER TABLE payment_orders ADD COLUMN {column} TEXT")


def _005_refund_payouts(db):
    # province staff pay a refund owed back through the provider and record it: the provider's
    # refund reference (unique per provider), who and when; its history says every step
    for column in ("refund_reference", "refunded_by", "refunded_at", "refund_note"):
        db.execute(f"ALTER TABLE payment_refunds ADD COLUMN {column} TEXT")
    db.execute("CREATE UNIQUE INDEX payment_refunds_reference ON payment_refunds(provider, refund_reference) "
               "WHERE refund_reference IS NOT NULL")
    create_events_table(db, "payment_refund_events", "refund_id INTEGER NOT NULL REFERENCES payment_refunds(id)",
                        index="refund", noun="refund", columns=EVENT_COLUMNS)
    add_version_column(db, "payment_refund_events")
    # refunds owed before this step get the event the callback writes now, as the system recorded them
    db.execute("INSERT INTO payment_refund_events (refund_id, from_state, to_state, action, actor, role, at, reason) "
               "SELECT id, NULL, 'refund_owed', 'owe', 'system:payment:' || provider, 'system', received_at, reason "
               "FROM payment_refunds ORDER BY id")


def _005_conduct_appraisal(db):
    # 思想品德鉴定 as the county office recorded it from the paper 毕业生登记表 (service/applications/appraisal.py);
    # every recording is also an application event, so earlier results stay in the history
    for column in ("appraisal_result TEXT", "appraisal_passed INTEGER", "appraisal_by TEXT", "appraisal_at TEXT",
                   "appraisal_note TEXT"):
        db.execute(f"ALTER TABLE applications ADD COLUMN {column}")


def _005_event_chain(db):
    chains.add_links(db, "application_events")


MIGRATIONS = Migrations("applications")
MIGRATIONS(name="workflow_applications_001")(_001_applications)
MIGRATIONS(name="workflow_payments_001")(_002_payments)
MIGRATIONS(name="workflow_applications_003_ruleset_versions")(_003_ruleset_versions)
MIGRATIONS(name="workflow_payments_002_refunds_receipts")(_004_refunds_and_receipts)
MIGRATIONS(name="workflow_payments_003_refund_payouts")(_005_refund_payouts)
MIGRATIONS(name="workflow_applications_005_conduct_appraisal")(_005_conduct_appraisal)
MIGRATIONS(name="workflow_applications_005_event_chain")(_005_event_chain)
