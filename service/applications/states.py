"""The graduation application's state table and the one function that moves an application.

The table is data (rulesets/workflow/application_states.yaml); this module checks it
when it is loaded and applies it.  ``transition`` is the only code that writes
``applications.state``: it checks the actor's role and the current state against the
table, picks the target by the table's guards, compares the state again in the
UPDATE's WHERE clause (so of two simultaneous deciders exactly one wins) and records
the event with actor, role, time and reason.
"""
from __future__ import annotations

import contextlib
import functools
from dataclasses import dataclass
from pathlib import Path

from service.errors import Conflict, Forbidden, InvalidInput, NotFound, RulesetError
from service.reference import clock
from service.store.db import write_transaction
from service.web import auth
from service.yamlreader import Problem, YamlSyntaxError, line_of, parse_yaml

TABLE_FILE = Path(__file__).resolve().parents[2] / "rulesets" / "workflow" / "application_states.yaml"
ROLES = ("portal", "county", "province", "system")
MAX_REASON = 500


@dataclass(frozen=True)
class State:
    name: str
    label: str
    editable: bool = False
    payable: bool = False
    final: bool = False


@dataclass(frozen=True)
class Transition:
    action: str
    source: str | None  # None: the application does not exist yet
    target: str
    roles: tuple[str, ...]
    when: str | None = None
    reason_required: bool = False


@dataclass(frozen=True)
class Table:
    initial: str
    states: dict[str, State]
    transitions: tuple[Transition, ...]

    def label(self, state: str) -> str:
        return self.states[state].label

    def from_state(self, state: str | None, action: str) -> list[Transition]:
        return [t for t in self.transitions if t.source == state and t.action == action]

    def actions(self) -> set[str]:
        return {t.action for t in self.transitions}

    def roles_for(self, action: str) -> set[str]:
        return {r for t in self.transitions if t.action == action for r in t.roles}

    def allowed(self, state: str | None, role: str | None = None) -> list[str]:
        """Actions possible from ``state`` (for ``role`` when given), in table order, once each."""
        out = []
        for t in self.transitions:
            if t.source == state and (role is None or role in t.roles) and t.action not in out:
                out.append(t.action)
        return out

    def payable_states(self) -> list[str]:
        return [s.name for s in self.states.values() if s.payable]

    def editable_states(self) -> list[str]:
        return [s.name for s in self.states.values() if s.editable]


# --- guards: facts of the stored application that choose among targets -----------

def _photo_passed(db, app_id: int) -> bool:
    return _one(db, "SELECT photo_status FROM applications WHERE id = ?", app_id) == "passed"


def _photo_failed(db, app_id: int) -> bool:
    return _one(db, "SELECT photo_status FROM applications WHERE id = ?", app_id) == "review"


def _all_eligible(db, app_id: int) -> bool:
    """Every choice decided eligible on the current data, and no old-plan card awaiting the county."""
    revision = _one(db, "SELECT revision FROM applications WHERE id = ?", app_id)
    choices = db.execute("SELECT decision_status, decision_revision FROM application_choices "
                         "WHERE application_id = ?", [app_id]).fetchall()
    pending = _one(db, "SELECT count(*) FROM application_old_plan WHERE application_id = ? AND status != 'verified'",
                   app_id)
    return bool(choices) and pending == 0 and all(s == "eligible" and r == revision for s, r in choices)


def _needs_county(db, app_id: int) -> bool:
    return not _all_eligible(db, app_id)


def _first_attempt(db, app_id: int) -> bool:
    return _one(db, "SELECT attempt FROM applications WHERE id = ?", app_id) == 1


def _reapplied(db, app_id: int) -> bool:
    return _one(db, "SELECT attempt FROM applications WHERE id = ?", app_id) > 1


GUARDS = {
    "photo_passed": _photo_passed,
    "photo_failed": _photo_failed,
    "all_eligible": _all_eligible,
    "needs_county": _needs_county,
    "first_attempt": _first_attempt,
    "reapplied": _reapplied,
}


def _one(db, sql: str, *params):
    row = db.execute(sql, list(params)).fetchone()
    return row[0] if row else None


# --- loading and checking the table ---------------------------------------------

@functools.lru_cache(maxsize=1)
def table() -> Table:
    return load_table(TABLE_FILE)


def load_table(path: Path) -> Table:
    """Read and check the table; every mistake is reported at once (RulesetError)."""
    name = path.name
    try:
        doc = parse_yaml(path.read_text(encoding="utf-8"), name)
    except YamlSyntaxError as exc:
        raise RulesetError([exc.problem]) from None
    problems: list[Problem] = []

    def bad(node, key, field, message):
        problems.append(Problem(name, line_of(node, key), field, message))

    if not isinstance(doc, dict):
        raise RulesetError([Problem(name, None, "(file)", "must be a mapping with source, initial, states, transitions")])
    for key in ("source", "initial", "states", "transitions"):
        if key not in doc:
            bad(doc, None, key, "required")
    for key in doc:
        if key not in ("source", "initial", "states", "transitions"):
            bad(doc, key, key, "unknown key")
    states = {}
    for sname, spec in (doc.get("states") or {}).items():
        if not isinstance(spec, dict) or not isinstance(spec.get("label"), str):
            bad(doc["states"], sname, f"states.{sname}", "needs a label")
            continue
        unknown = set(spec) - {"label", "editable", "payable", "final"}
        for key in sorted(unknown):
            bad(spec, key, f"states.{sname}.{key}", "unknown key")
        states[sname] = State(sname, spec["label"], bool(spec.get("editable")), bool(spec.get("payable")),
                              bool(spec.get("final")))
    if doc.get("initial") is not None and doc.get("initial") not in states:
        bad(doc, "initial", "initial", f"unknown state {doc.get('initial')!r}")
    transitions = []
    items = doc.get("transitions") or []
    for i, t in enumerate(items):
        where = f"transitions[{i}]"
        if not isinstance(t, dict):
            bad(items, i, where, "must be a mapping")
            continue
        for key in sorted(set(t) - {"action", "from", "to", "roles", "when", "reason"}):
            bad(t, key, f"{where}.{key}", "unknown key")
        src, dst = t.get("from"), t.get("to")
        if not isinstance(t.get("action"), str):
            bad(t, "action", f"{where}.action", "required")
        if src is not None and src not in states:
            bad(t, "from", f"{where}.from", f"unknown state {src!r}")
        if dst not in states:
            bad(t, "to", f"{where}.to", f"unknown state {dst!r}")
        roles = t.get("roles") or []
        if not roles or any(r not in ROLES for r in roles):
            bad(t, "roles", f"{where}.roles", f"a non-empty list of {', '.join(ROLES)}")
        if t.get("when") is not None and t["when"] not in GUARDS:
            bad(t, "when", f"{where}.when", f"unknown guard {t['when']!r}; known: {', '.join(GUARDS)}")
        if t.get("reason") not in (None, "required"):
            bad(t, "reason", f"{where}.reason", "only 'required' may be given")
        if src is not None and states.get(src) and states[src].final:
            bad(t, "from", f"{where}.from", f"{src} is final: nothing leaves it")
        transitions.append(Transition(t.get("action"), src, dst, tuple(roles), t.get("when"),
                                      t.get("reason") == "required"))
    seen: dict[tuple, list[Transition]] = {}
    for t in transitions:
        seen.setdefault((t.source, t.action), []).append(t)
    for (src, action), group in seen.items():
        if len(group) > 1 and any(t.when is None for t in group):
            problems.append(Problem(name, None, "transitions",
                                    f"{action} from {src} has several targets: each needs a `when` guard"))
    if problems:
        raise RulesetError(problems)
    return Table(doc["initial"], states, tuple(transitions))


# --- moving an application --------------------------------------------------------

@contextlib.contextmanager
def atomic(db):
    """Join the caller's write transaction, or open one (BEGIN IMMEDIATE)."""
    if db.conn.in_transaction:
        yield db
    else:
        with write_transaction(db):
            yield db


visible = auth.may_see


def record_event(db, app_id: int, source: str | None, target: str, action: str, actor, reason: str | None) -> dict:
    label = f"{actor.label} for {actor.candidate}" if getattr(actor, "candidate", None) else actor.label
    event = {"application_id": app_id, "from_state": source, "to_state": target, "action": action,
             "actor": label, "role": actor.role, "at": clock.now().isoformat(timespec="seconds"),
             "reason": reason or None}
    cur = db.conn.execute(
        "INSERT INTO application_events (application_id, from_state, to_state, action, actor, role, at, reason) "
        "VALUES (:application_id, :from_state, :to_state, :action, :actor, :role, :at, :reason)", event)
    return {"id": cur.lastrowid, **event}


def conflict(state: str, action: str, role: str | None, message: str | None = None) -> Conflict:
    tbl = table()
    return Conflict(message or f"cannot {action}: the application is {state} ({tbl.label(state)})",
                    state=state, state_label=tbl.label(state), allowed=tbl.allowed(state, role))


def check_allowed(db, app_id: int, action: str, actor) -> dict:
    """Refuse early (404 / 403 / 409) what ``transition`` would refuse; returns the row.

    Callers run this before expensive or outside-the-transaction work (the eligibility
    decision, writing an upload), so a refused request does nothing.
    """
    row = application_row(db, app_id, actor)
    _check_role(action, actor)
    if not table().from_state(row["state"], action):
        raise conflict(row["state"], action, actor.role)
    return row


def transition(db, application_id: int, action: str, actor, reason: str | None = None) -> dict:
    """Apply ``action`` to the application as ``actor`` (a Principal); returns the recorded event.

    Raises NotFound (missing or not visible to the actor), Forbidden (the role may never
    do this), InvalidInput (a required reason is missing) or Conflict (409, carrying the
    current state and the actions allowed from it).
    """
    reason = (reason or "").strip() or None
    if reason and len(reason) > MAX_REASON:
        raise InvalidInput("reason too long", fields={"reason": [f"at most {MAX_REASON} characters"]})
    tbl = table()
    with atomic(db):
        row = application_row(db, application_id, actor)
        _check_role(action, actor)
        state = row["state"]
        options = [t for t in tbl.from_state(state, action) if actor.role in t.roles]
        if not options:
            raise conflict(state, action, actor.role)
        chosen = [t for t in options if t.when is None or GUARDS[t.when](db, application_id)]
        if len(chosen) != 1:  # the loader guarantees guards that exclude each other
            raise conflict(state, action, actor.role, f"cannot {action} now: the application's facts do not fit")
        step = chosen[0]
        if step.reason_required and not reason:
            raise InvalidInput(f"{action} needs a reason", fields={"reason": ["required: say why (shown to the candidate)"]})
        now = clock.now().isoformat(timespec="seconds")
        cur = db.conn.execute("UPDATE applications SET state = ?, updated_at = ? WHERE id = ? AND state = ?",
                              [step.target, now, application_id, state])
        if cur.rowcount != 1:
            current = _one(db, "SELECT state FROM applications WHERE id = ?", application_id)
            raise conflict(current, action, actor.role)
        return record_event(db, application_id, state, step.target, action, actor, reason)


def application_row(db, app_id: int, actor) -> dict:
    cur = db.conn.execute("SELECT id, state, exam_number, district, attempt FROM applications WHERE id = ?", [app_id])
    found = cur.fetchone()
    row = dict(zip([c[0] for c in cur.description], found, strict=True)) if found else None
    if row is None or not visible(actor, row):
        raise NotFound(f"no application {app_id}")
    return row


def _check_role(action: str, actor) -> None:
    tbl = table()
    if action not in tbl.actions():
        raise InvalidInput(f"unknown action {action!r}", fields={"action": [f"one of {', '.join(sorted(tbl.actions()))}"]})
    if actor.role not in tbl.roles_for(action):
        raise Forbidden(f"role {actor.role} may not {action}")


def history(db, application_id: int) -> list[dict]:
    cur = db.conn.execute("SELECT id, from_state, to_state, action, actor, role, at, reason FROM application_events "
                          "WHERE application_id = ? ORDER BY id", [application_id])
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
