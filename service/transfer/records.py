"""The transfer-out application (省际转出, seed 000): apply, withdraw, confirm on site, decide; read it back.

This module gathers the facts (the candidate, their records, their earlier
transfer-out applications, what the graduation workflow recorded), asks the pure
``check.check_transfer_out`` and writes.  Every change goes through
``states.transition`` inside the same write transaction as the data it changes, and
only after the request has been validated, so a refused request changes nothing.
"""
from __future__ import annotations

import json

from service import clock, idnumber
from service.applications import records as graduation
from service.candidates import records as candidates
from service.errors import Conflict, InvalidInput
from service.reference import districts, transfer_rules, windows
from service.store.db import write_transaction
from service.store.paging import select_page
from service.transfer import states
from service.transfer.check import check_transfer_out
from service.web import auth
from service.web.schemas import page

BUSINESS = windows.TRANSFER_OUT  # the 省际转出 window in rulesets/workflow/windows.yaml
TYPE = "省际转出"
ON_SITE_HINT = "考生可携带相关资料至所属地市进行现场确认，并等待招办审核。"


class TransferRefused(Conflict):
    """The candidate's situation does not allow a transfer out; ``unmet`` names each condition."""

    code = "transfer_not_allowed"


def now_iso() -> str:
    return clock.now().isoformat(timespec="seconds")


def _rows(db, sql: str, params) -> list[dict]:
    cur = db.conn.execute(sql, params)
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def rules_for(bundle) -> transfer_rules.TransferRules:
    return transfer_rules.current().with_policy(bundle.policy)


# --- the facts and the check ---------------------------------------------------------

def _graduation_history(db, exam_number: str) -> list[dict]:
    out = []
    for (app_id,) in db.execute("SELECT id FROM applications WHERE exam_number = ? ORDER BY id",
                                [exam_number]).fetchall():
        app = graduation.load(db, app_id)
        out.append({"id": app["id"], "state": app["state"],
                    "choices": [{"university": c["university"], "major": c["major"],
                                 "decision_status": c["decision_status"],
                                 "current": c["decision_id"] is not None and c["decision_revision"] == app["revision"]}
                                for c in app["choices"]]})
    return out


def _transfer_history(db, exam_number: str, *, excluding: int | None = None) -> list[dict]:
    rows = _rows(db, "SELECT id, round, state, target_province, courses FROM transfer_outs WHERE exam_number = ? "
                     "ORDER BY id", [exam_number])
    return [{"id": r["id"], "round": r["round"], "state": r["state"], "target_province": r["target_province"],
             "courses": [c["code"] for c in json.loads(r["courses"])["transferable"]]}
            for r in rows if r["id"] != excluding]


def evaluate(db, bundle, exam_number: str, round_: str | None, *, excluding: int | None = None) -> dict:
    """The check for ``exam_number`` applying in ``round_`` (an application being decided is ``excluding``)."""
    candidate = candidates.get_candidate(db, exam_number)
    history = {"round": round_, "transfer_outs": _transfer_history(db, exam_number, excluding=excluding),
               "graduation_applications": _graduation_history(db, exam_number)}
    return check_transfer_out(candidate, candidates.transcript(db, exam_number), bundle.catalogue,
                              rules_for(bundle), clock.now(), history)


def _refuse_unless_allowed(result: dict, doing: str) -> None:
    if result["allowed"]:
        return
    unmet = [c for c in result["conditions"] if not c["met"]]
    message = f"{doing}：" + "；".join(f"{c['label']}（{c['detail']}）" for c in unmet)
    raise TransferRefused(message, unmet=[{"id": c["id"], "label": c["label"], "detail": c["detail"]} for c in unmet],
                          conditions=result["conditions"])


def precheck(db, bundle, principal) -> dict:
    """What the candidate would be told before applying: the window and each condition."""
    exam_number = auth.candidate_of(principal)
    window = windows.state(BUSINESS, clock.now())
    result = evaluate(db, bundle, exam_number, window["round"])
    return {"window": window, **result}


# --- applying and deciding --------------------------------------------------------------

def create(db, bundle, principal, data: dict) -> dict:
    """A new transfer-out application for the candidate the portal acts for (state submitted)."""
    states.check_role("create", principal.role)
    exam_number = auth.candidate_of(principal)
    candidate = candidates.get_candidate(db, exam_number)
    window = windows.require_open(BUSINESS, clock.now())
    if data["target_exam_number"] == exam_number:
        raise InvalidInput("转入准考证 is the target province's number", fields={"target_exam_number": [
            "this is the candidate's Shanxi 准考证号; enter the 准考证号 issued by the target province"]})
    city = districts.city_of(candidate["district"])
    round_ = windows.round_key(window)
    with write_transaction(db):
        # checked inside the write lock: two simultaneous applications cannot both pass "once per sitting"
        result = evaluate(db, bundle, exam_number, round_)
        _refuse_unless_allowed(result, "不能申请省际转出")
        candidates.require_identity_verified(db, exam_number)
        now = now_iso()
        courses = {"transferable": result["transferable"], "non_transferable": result["non_transferable"]}
        cur = db.conn.execute(
            "INSERT INTO transfer_outs (exam_number, round, district, city, target_province, target_exam_number, "
            "reason, reason_note, state, courses, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [exam_number, round_, candidate["district"], city or candidate["district"], data["target_province"],
             data["target_exam_number"], data["reason"], data.get("reason_note") or None, states.table().initial,
             json.dumps(courses, ensure_ascii=False), now, now])
        transfer_id = cur.lastrowid
        states.record_event(db, transfer_id, None, states.table().initial, "create", principal, None)
    return details(db, principal, transfer_id)


def withdraw(db, principal, transfer_id: int, reason: str | None) -> dict:
    """The candidate takes the application back before it is confirmed on site."""
    with write_transaction(db):
        states.transition(db, transfer_id, "withdraw", principal, reason)
    return details(db, principal, transfer_id)


def confirm_on_site(db, principal, transfer_id: int, note: str | None) -> dict:
    """The office has seen the candidate and their documents (现场确认)."""
    with write_transaction(db):
        states.transition(db, transfer_id, "confirm_on_site", principal, note)
    return details(db, principal, transfer_id)


def decide(db, bundle, principal, transfer_id: int, decision: str, reason: str | None) -> dict:
    """招办审核: approve (the conditions are checked again on today's facts) or reject with a reason."""
    action = {"approve": "approve", "reject": "reject"}[decision]
    states.check_allowed(db, transfer_id, action, principal)
    with write_transaction(db):
        row = states.transfer_row(db, transfer_id, principal)
        if action == "approve":
            # the candidate may have been suspended or have graduated since applying
            result = evaluate(db, bundle, row["exam_number"], row["round"], excluding=transfer_id)
            _refuse_unless_allowed(result, "不能批准转出，请以原因驳回")
            courses = {"transferable": result["transferable"], "non_transferable": result["non_transferable"]}
            db.conn.execute("UPDATE transfer_outs SET courses = ? WHERE id = ?",
                            [json.dumps(courses, ensure_ascii=False), transfer_id])
        states.transition(db, transfer_id, action, principal, reason)
    return details(db, principal, transfer_id)


# --- reading ------------------------------------------------------------------------------

def _load(db, transfer_id: int) -> dict:
    return _rows(db, "SELECT * FROM transfer_outs WHERE id = ?", [transfer_id])[0]


def _last_rejection(db, transfer_id: int) -> str | None:
    row = db.execute("SELECT reason FROM transfer_out_events WHERE transfer_id = ? AND action = 'reject' "
                     "ORDER BY id DESC LIMIT 1", [transfer_id]).fetchone()
    return row[0] if row else None


def details(db, principal, transfer_id: int) -> dict:
    """山西省高等教育自学考试省际转出申请信息详情 (seed 000, 五.2), with the courses."""
    states.transfer_row(db, transfer_id, principal)
    row = _load(db, transfer_id)
    person = candidates.get_candidate(db, row["exam_number"])
    courses = json.loads(row["courses"])
    tbl = states.table()
    return {
        "id": row["id"], "type": TYPE, "exam_number": row["exam_number"], "name": person["name"],
        "id_number": idnumber.mask(person["id_number"]), "round": row["round"],
        "district": row["district"], "city": row["city"], "created_at": row["created_at"],
        "reason": row["reason"], "reason_note": row["reason_note"],
        "target_province": row["target_province"], "target_exam_number": row["target_exam_number"],
        "state": row["state"], "state_label": tbl.label(row["state"]),
        "allowed": tbl.allowed(row["state"], principal.role),
        "rejection_reason": _last_rejection(db, transfer_id) if row["state"] == "rejected" else None,
        "hint": ON_SITE_HINT if row["state"] == "submitted" else None,
        "transferable": courses["transferable"], "non_transferable": courses["non_transferable"],
        "updated_at": row["updated_at"],
    }


def list_for(db, principal, query: dict) -> dict:
    """Applications the principal may see (county staff: their district), a page of them; ID numbers masked."""
    where, params = auth.visible_rows(principal)
    for key in ("state", "district", "round", "exam_number", "target_province"):
        if query.get(key):
            where.append(f"{key} = ?")
            params.append(query[key])
    total, rows = select_page(db, "transfer_outs", "id, exam_number, round, district, city, target_province, reason, "
                              "state, created_at, updated_at", where, params, order="id",
                              limit=query.get("limit", 50), offset=query.get("offset", 0))
    tbl = states.table()
    out = []
    for r in rows:
        person = candidates.get_candidate(db, r["exam_number"])
        out.append({**r, "type": TYPE, "name": person["name"], "id_number": idnumber.mask(person["id_number"]),
                    "state_label": tbl.label(r["state"])})
    return page(query, total, out)


def history_for(db, principal, transfer_id: int) -> list[dict]:
    states.transfer_row(db, transfer_id, principal)
    return states.history(db, transfer_id)
