"""Files of an application: the old-plan scan archive (六.2) and the graduation photo (七.4).

Each file is checked for real (``service.uploads``) before anything is stored, kept in
the blob store by its SHA-256, and referenced from the application in the same write
transaction as the state change.  A photo that fails the machine checks is not refused:
it goes to the county office for manual review, as the seed provides.
"""
from __future__ import annotations

import json

from service.applications import records as applications
from service.applications import states
from service.store.db import write_transaction
from service.uploads.archive import check_archive
from service.uploads.photo import check_graduation_photo
from service.web import auth

SYSTEM_AUDIT = auth.Principal("system", "audit")


def attach_archive(db, blobs, principal, app_id: int, data: bytes) -> dict:
    """The 旧计划课程（实践课考核卡）扫描件压缩包: a real ZIP or RAR, size-limited, zip-bomb safe."""
    states.check_allowed(db, app_id, "attach_archive", principal)
    applications.require_window()
    info = check_archive(data, field="archive")
    sha = blobs.put(data)
    with write_transaction(db):
        states.transition(db, app_id, "attach_archive", principal)
        db.conn.execute("UPDATE applications SET archive_sha256 = ?, archive_format = ?, archive_members = ?, "
                        "archive_problems = ? WHERE id = ?",
                        [sha, info.format, json.dumps(info.members, ensure_ascii=False),
                         json.dumps(info.problems, ensure_ascii=False), app_id])


def clear_old_plan(db, principal, app_id: int) -> None:
    """清空已添加课程及文件: the old-plan cards and their archive."""
    states.check_allowed(db, app_id, "clear_archive", principal)
    applications.require_window()
    with write_transaction(db):
        states.transition(db, app_id, "clear_archive", principal)
        db.conn.execute("DELETE FROM application_old_plan WHERE application_id = ?", [app_id])
        db.conn.execute("UPDATE applications SET archive_sha256 = NULL, archive_format = NULL, archive_members = NULL, "
                        "archive_problems = NULL, revision = revision + 1 WHERE id = ?", [app_id])


def upload_photo(db, blobs, principal, app_id: int, data: bytes) -> None:
    """毕业照: passed → photo_ok and at once the system audit; failed machine checks → county review."""
    states.check_allowed(db, app_id, "upload_photo", principal)
    applications.require_window()
    result = check_graduation_photo(data, field="photo")
    sha = blobs.put(data)
    with write_transaction(db):
        db.conn.execute("UPDATE applications SET photo_sha256 = ?, photo_format = ?, photo_status = ?, "
                        "photo_reasons = ? WHERE id = ? AND state = 'submitted'",
                        [sha, result.info.format, "passed" if result.passed else "review",
                         json.dumps(result.reasons, ensure_ascii=False), app_id])
        event = states.transition(db, app_id, "upload_photo", principal,
                                  None if result.passed else "；".join(result.reasons))
        if event["to_state"] == "photo_ok":
            system_audit(db, app_id)


def system_audit(db, app_id: int) -> dict:
    """七.5: approved by the system when every choice is eligible and nothing awaits verification."""
    return states.transition(db, app_id, "system_audit", SYSTEM_AUDIT, audit_findings(db, app_id))


def audit_findings(db, app_id: int) -> str | None:
    """Why the system could not approve by itself (the county office reads this), or None."""
    app = applications.load(db, app_id)
    findings = [f"{c['university']}/{c['major']}: {c['decision_status'] or 'not checked'}"
                for c in app["choices"]
                if c["decision_status"] != "eligible" or c["decision_revision"] != app["revision"]]
    cards = [r["code"] for r in app["old_plan"] if r["status"] != "verified"]
    if cards:
        findings.append(f"旧计划课程待县区招办核验: {', '.join(cards)}")
    return "；".join(findings) or None
