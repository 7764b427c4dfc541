"""The transfer-out application's state table and the one function that moves an application.

The table (rulesets/transfer/transfer_out_states.yaml) has the graduation
application's format and is read and checked by the same loader; who may see an
application is the same rule too (``service.applications.states.visible``).  Only
``transition`` writes ``transfer_outs.state``: it checks role and state against the
table, compares the state again in the UPDATE (so of two simultaneous deciders
exactly one wins) and records the event with actor, role, time and reason.
"""
from __future__ import annotations

import functools
from pathlib import Path

from service.applications import states as workflow_states
from service.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.reference import clock

TABLE_FILE = Path(__file__).resolve().parents[2] / "rulesets" / "transfer" / "transfer_out_states.yaml"
MAX_REASON = workflow_states.MAX_REASON
COLUMNS = ("id", "exam_number", "round", "district", "state")


@functools.lru_cache(maxsize=1)
def table() -> workflow_states.Table:
    return workflow_states.load_table(TABLE_FILE)


def conflict(state: str, action: str, role: str | None, message: str | None = None) -> Conflict:
    tbl = table()
    return Conflict(message or f"cannot {action}: the transfer-out application is {state} ({tbl.label(state)})",
                    state=state, state_label=tbl.label(state), allowed=tbl.allowed(state, role))


def transfer_row(db, transfer_id: int, actor) -> dict:
    """The application's key columns, or 404 when it does not exist or the actor may not see it."""
    found = db.execute(f"SELECT {', '.join(COLUMNS)} FROM transfer_outs WHERE id = ?", [transfer_id]).fetchone()
    row = dict(zip(COLUMNS, found, strict=True)) if found else None
    if row is None or not workflow_states.visible(actor, row):
        raise NotFound(f"no transfer-out application {transfer_id}")
    return row


def check_role(action: str, actor) -> None:
    tbl = table()
    if action not in tbl.actions():
        raise InvalidInput(f"unknown action {action!r}", fields={"action": [f"one of {', '.join(sorted(tbl.actions()))}"]})
    if actor.role not in tbl.roles_for(action):
        raise Forbidden(f"role {actor.role} may not {action} a transfer-out application")


def check_allowed(db, transfer_id: int, action: str, actor) -> dict:
    """Refuse early (404 / 403 / 409) what ``transition`` would refuse; returns the row."""
    row = transfer_row(db, transfer_id, actor)
    check_role(action, actor)
    if not [t for t in table().from_state(row["state"], action) if actor.role in t.roles]:
        raise conflict(row["state"], action, actor.role)
    return row


def record_event(db, transfer_id: int, source: str | None, target: str, action: str, actor,
                 reason: str | None) -> dict:
    label = f"{actor.label} for {actor.candidate}" if getattr(actor, "candidate", None) else actor.label
    event = {"transfer_id": transfer_id, "from_state": source, "to_state": target, "action": action,
             "actor": label, "role": actor.role, "at": clock.now().isoformat(timespec="seconds"),
             "reason": reason or None}
    cur = db.conn.execute(
        "INSERT INTO transfer_out_events (transfer_id, from_state, to_state, action, actor, role, at, reason) "
        "VALUES (:transfer_id, :from_state, :to_state, :action, :actor, :role, :at, :reason)", event)
    return {"id": cur.lastrowid, **event}


def transition(db, transfer_id: int, action: str, actor, reason: str | None = None) -> dict:
    """Apply ``action`` as ``actor`` inside the caller's write transaction; returns the recorded event.

    Raises NotFound, Forbidden, InvalidInput (a required reason is missing or too long)
    or Conflict (409 with the current state and the actions allowed from it).
    """
    reason = (reason or "").strip() or None
    if reason and len(reason) > MAX_REASON:
        raise InvalidInput("reason too long", fields={"reason": [f"at most {MAX_REASON} characters"]})
    row = check_allowed(db, transfer_id, action, actor)
    state = row["state"]
    step = next(t for t in table().from_state(state, action) if actor.role in t.roles)
    if step.reason_required and not reason:
        raise InvalidInput(f"{action} needs a reason", fields={"reason": ["required: say why (shown to the candidate)"]})
    cur = db.conn.execute("UPDATE transfer_outs SET state = ?, updated_at = ? WHERE id = ? AND state = ?",
                          [step.target, clock.now().isoformat(timespec="seconds"), transfer_id, state])
    if cur.rowcount != 1:
        current = db.execute("SELECT state FROM transfer_outs WHERE id = ?", [transfer_id]).fetchone()[0]
        raise conflict(current, action, actor.role)
    return record_event(db, transfer_id, state, step.target, action, actor, reason)


def history(db, transfer_id: int) -> list[dict]:
    cur = db.conn.execute("SELECT id, from_state, to_state, action, actor, role, at, reason FROM transfer_out_events "
                          "WHERE transfer_id = ? ORDER BY id", [transfer_id])
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
