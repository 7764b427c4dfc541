"""Reading and writing the stored 毕业生登记表 versions and the county office's receipt.

Callers hold the write transaction and have checked who may do what.
"""
from __future__ import annotations

import json

COLUMNS = ("application_id", "version", "exam_number", "data", "saved_by", "saved_at")


def _version_row(row) -> dict:
    out = dict(zip(COLUMNS, row, strict=True))
    out["data"] = json.loads(out["data"])
    return out


def add_version(db, application_id: int, exam_number: str, form: dict, saved_by: str, saved_at: str) -> int:
    """Store ``form`` as the next version; returns its number (1, 2, ...)."""
    last = db.execute("SELECT max(version) FROM registration_form_versions WHERE application_id = ?",
                      [application_id]).fetchone()[0]
    version = (last or 0) + 1
    db.conn.execute(
        f"INSERT INTO registration_form_versions ({', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)",
        [application_id, version, exam_number, json.dumps(form, ensure_ascii=False, sort_keys=True), saved_by,
         saved_at])
    return version


def get_version(db, application_id: int, version: int | None = None) -> dict | None:
    """The given version, or the latest when ``version`` is None; None when there is none."""
    if version is None:
        row = db.execute(f"SELECT {', '.join(COLUMNS)} FROM registration_form_versions WHERE application_id = ? "
                         "ORDER BY version DESC LIMIT 1", [application_id]).fetchone()
    else:
        row = db.execute(f"SELECT {', '.join(COLUMNS)} FROM registration_form_versions WHERE application_id = ? "
                         "AND version = ?", [application_id, version]).fetchone()
    return _version_row(row) if row else None


def list_versions(db, application_id: int) -> list[dict]:
    rows = db.execute("SELECT version, saved_by, saved_at FROM registration_form_versions WHERE application_id = ? "
                      "ORDER BY version", [application_id]).fetchall()
    return [{"version": v, "saved_by": by, "saved_at": at} for v, by, at in rows]


def add_receipt(db, application_id: int, version: int, received_by: str, received_at: str, note: str | None) -> None:
    db.conn.execute("INSERT INTO registration_form_receipts (application_id, version, received_by, received_at, note) "
                    "VALUES (?, ?, ?, ?, ?)", [application_id, version, received_by, received_at, note])


def get_receipt(db, application_id: int) -> dict | None:
    row = db.execute("SELECT version, received_by, received_at, note FROM registration_form_receipts "
                     "WHERE application_id = ?", [application_id]).fetchone()
    if row is None:
        return None
    return dict(zip(("version", "received_by", "received_at", "note"), row, strict=True))
