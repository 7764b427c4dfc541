"""The one table-driven state machine: tables declared in YAML, checked on load, applied here.

A feature declares its table in a YAML file (states or statuses with labels and flags;
transitions with action, from, to, roles, a named ``when`` guard and whether a reason
is required) and configures a ``Machine``: where its rows and history live, what its
messages call it, the guards that choose among targets.  ``Machine.transition`` is the
only code that writes a record's state: it checks the actor's role and the current
state against the table, picks the target by the guards, compares the state again in
the UPDATE's WHERE clause (so of two simultaneous deciders exactly one wins) and
records the event with actor, role, time and reason in the append-only history.
"""
from __future__ import annotations

import contextlib
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from service import clock
from service.errors import N_, Conflict, Forbidden, InvalidInput, Msg, NotFound, RulesetError
from service.rules import bound
from service.store import chains
from service.store.db import write_transaction
from service.yamlreader import Reader, YamlSyntaxError, parse_yaml

MAX_REASON = 500
FLAGS = ("editable", "payable", "final")


@dataclass(frozen=True)
class State:
    name: str
    label: str
    flags: frozenset[str] = frozenset()

    @property
    def editable(self) -> bool:
        return "editable" in self.flags

    @property
    def payable(self) -> bool:
        return "payable" in self.flags

    @property
    def final(self) -> bool:
        return "final" in self.flags


@dataclass(frozen=True)
class Transition:
    action: str
    source: str | None  # None: the record does not exist yet
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
        return self.states[state].label if state in self.states else state

    def flagged(self, flag: str) -> list[str]:
        return [s.name for s in self.states.values() if flag in s.flags]

    def payable_states(self) -> list[str]:
        return self.flagged("payable")

    def editable_states(self) -> list[str]:
        return self.flagged("editable")

    def actions(self) -> set[str]:
        return {t.action for t in self.transitions}

    def roles_for(self, action: str) -> set[str]:
        return {r for t in self.transitions if t.action == action for r in t.roles}

    def from_state(self, state: str | None, action: str, role: str | None = None) -> list[Transition]:
        return [t for t in self.transitions
                if t.source == state and t.action == action and (role is None or role in t.roles)]

    def allowed(self, state: str | None, role: str | None = None) -> list[str]:
        """Actions possible from ``state`` (for ``role`` when given), in table order, once each."""
        out = []
        for t in self.transitions:
            if t.source == state and (role is None or role in t.roles) and t.action not in out:
                out.append(t.action)
        return out


# --- loading and checking a table -------------------------------------------------

@dataclass(frozen=True)
class Shape:
    """Which keys a table file has.

    ``states: {name: {label, editable, payable, final}}`` or, with no per-state flags,
    ``statuses: {name: label}``; ``lists`` are top-level lists of states that carry
    the flag of their name (identity's ``verified``).
    """

    states: str = "states"
    noun: str = "state"
    flags: tuple[str, ...] = FLAGS
    lists: tuple[str, ...] = ()


STATES = Shape()
STATUSES = Shape("statuses", "status", flags=(), lists=("verified",))


def load_table(path: Path, *, roles: Iterable[str], guards: Iterable[str] = (), shape: Shape = STATES) -> Table:
    try:
        doc = parse_yaml(path.read_text(encoding="utf-8"), path.name)
    except YamlSyntaxError as exc:
        raise RulesetError([exc.problem]) from None
    return read_table(path.name, doc, roles=roles, guards=guards, shape=shape)


def bundle_table(path: str, check: Callable[[str, object], Table]) -> Callable[[], Table]:
    """The table in ``path`` of the bundle in force (``check``: what reads and checks it)."""
    return functools.partial(bound.table, path, check)


def read_table(file: str, doc, *, roles: Iterable[str], guards: Iterable[str] = (), shape: Shape = STATES) -> Table:
    """Check a parsed table; every mistake is reported at once (RulesetError)."""
    roles, guards = tuple(roles), tuple(guards)
    check = Reader(file)
    if not check.mapping(doc, "", required={"source", "initial", shape.states, "transitions", *shape.lists}):
        check.done()
    check.source(doc)
    states = _states(check, doc, shape)
    if "initial" in doc and doc["initial"] not in states:
        check.bad(doc, "initial", "initial", f"unknown {shape.noun} {doc['initial']!r}")
    items = doc.get("transitions")
    transitions = []
    for i, t in enumerate(items if isinstance(items, list) else []):
        where = f"transitions[{i}]"
        needed = {"action", "from", "to", "roles"}
        if not check.mapping(t, where, required=needed, optional={"when", "reason"}) or not needed <= set(t):
            continue
        src, dst, roles_of = t["from"], t["to"], t["roles"]
        if not isinstance(t["action"], str):
            check.bad(t, "action", f"{where}.action", "a name")
        if src is not None and src not in states:
            check.bad(t, "from", f"{where}.from", f"unknown {shape.noun} {src!r}")
        if dst not in states:
            check.bad(t, "to", f"{where}.to", f"unknown {shape.noun} {dst!r}")
        if not isinstance(roles_of, list) or not roles_of or any(r not in roles for r in roles_of):
            check.bad(t, "roles", f"{where}.roles", f"a non-empty list of {', '.join(roles)}")
            roles_of = []
        if t.get("when") is not None and t["when"] not in guards:
            check.bad(t, "when", f"{where}.when", f"unknown guard {t['when']!r}; known: {', '.join(guards)}")
        if t.get("reason") not in (None, "required"):
            check.bad(t, "reason", f"{where}.reason", "only 'required' may be given")
        if src in states and states[src].final:
            check.bad(t, "from", f"{where}.from", f"{src} is final: nothing leaves it")
        transitions.append(Transition(t["action"], src, dst, tuple(roles_of), t.get("when"),
                                      t.get("reason") == "required"))
    seen: dict[tuple, list[str | None]] = {}
    for t in transitions:
        seen.setdefault((t.source, t.action), []).append(t.when)
    for (src, action), whens in seen.items():
        if len(whens) > 1 and (None in whens or len(set(whens)) != len(whens)):
            check.bad(doc, "transitions", "transitions",
                      f"{action} from {src} has several targets: each needs a different `when` guard")
    check.done()
    return Table(doc["initial"], states, tuple(transitions))


def _states(check: Reader, doc: dict, shape: Shape) -> dict[str, State]:
    specs = doc.get(shape.states)
    if not isinstance(specs, dict):
        if shape.states in doc:
            check.bad(doc, shape.states, shape.states, f"a mapping of {shape.noun} to its label")
        return {}
    states = {}
    for name, spec in specs.items():
        where = f"{shape.states}.{name}"
        if shape.flags:
            label, given = (spec.get("label"), spec) if isinstance(spec, dict) else (None, {})
        else:
            label, given = spec, {}
        if not isinstance(label, str) or not label:
            check.bad(specs, name, where, "needs a label (shown to candidates)")
            continue
        for key in sorted(set(given) - {"label", *shape.flags}):
            check.bad(spec, key, f"{where}.{key}", "unknown key")
        states[name] = State(name, label, frozenset(f for f in shape.flags if given.get(f)))
    for key in shape.lists:
        names = doc.get(key)
        if not isinstance(names, list) or not names or any(n not in states for n in names):
            check.bad(doc, key, key, f"a non-empty list of known {shape.states}")
            continue
        for n in names:
            states[n] = State(n, states[n].label, states[n].flags | {key})
    return states


# --- the history: one append-only events table per kind of record -----------------

# after the key (and any columns of the kind's own): what changed, who, when and why; what
# shipped, so never changed: the rules version came later (``VERSION_COLUMN``, appended)
EVENT_COLUMNS = ("from_state TEXT", "to_state TEXT NOT NULL", "action TEXT NOT NULL", "actor TEXT NOT NULL",
                 "role TEXT NOT NULL", "at TEXT NOT NULL", "reason TEXT")


VERSION_COLUMN = "ruleset_version"


def add_version_column(db, name: str) -> None:
    """The migration step giving history ``name`` the rules version each event was made under."""
    db.execute(f"ALTER TABLE {name} ADD COLUMN {VERSION_COLUMN} TEXT")


def create_events_table(db, name: str, key: str, *, index: str, noun: str, columns: Iterable[str] = EVENT_COLUMNS):
    """Create the history ``name`` keyed by ``key`` (its column definition), refusing UPDATE and DELETE.

    The text, spacing included, is what shipped migrations created: SQLite keeps it and
    ``.schema`` shows it, so a database made today is the same as one made then.  A history
    added from now on is chained as the shipped ones are: its step also runs
    ``chains.add_links`` and the table is listed in ``chains.HISTORY_TABLES``.
    """
    *rest, last = ("id INTEGER PRIMARY KEY AUTOINCREMENT", key, *columns)
    # a column's comma goes before its `-- comment`
    body = "\n            ".join([*(re.sub(r"(\s*--.*)?$", r",\1", c, count=1) for c in rest), last])
    db.execute(f"\n        CREATE TABLE {name} (\n            {body}\n        )")
    db.execute(f"CREATE INDEX {name}_{index} ON {name}({key.split()[0]}, id)")
    for verb in ("UPDATE", "DELETE"):
        db.execute(f"CREATE TRIGGER {name}_no_{verb.lower()} BEFORE {verb} ON {name}\n"
                   f"                  BEGIN SELECT RAISE(ABORT, 'the {noun} history is append-only'); END")


def actor_label(actor) -> str:
    return f"{actor.label} for {actor.candidate}" if getattr(actor, "candidate", None) else actor.label


def record_event(db, events: str, fields: dict, actor, reason: str | None) -> dict:
    """Append ``fields`` (the record's key, what changed) with who, when, why and under which rules version.

    The version is the bundle in force (``service.rules.bound``): the one an application
    keeps once checked, when its steps run pinned to it.
    """
    event = {**fields, "actor": actor_label(actor), "role": actor.role,
             "at": clock.now().isoformat(timespec="seconds"), "reason": reason or None,
             VERSION_COLUMN: bound.version()}
    # the link to the history's head is read and written under one write lock (the caller's, or its own)
    with atomic(db):
        row = chains.linked(db, events, event)
        cur = db.conn.execute(f"INSERT INTO {events} ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})",
                              row)
    return {"id": cur.lastrowid, **{k: v for k, v in row.items() if k not in chains.LINKS}}


def history(db, events: str, columns: Iterable[str], where: dict) -> list[dict]:
    columns = tuple(columns)
    cur = db.conn.execute(f"SELECT {', '.join(columns)} FROM {events} WHERE "
                          + " AND ".join(f"{k} = ?" for k in where) + " ORDER BY id", list(where.values()))
    return [dict(zip(columns, r, strict=True)) for r in cur.fetchall()]


# --- moving a record ----------------------------------------------------------------

@contextlib.contextmanager
def atomic(db):
    """Join the caller's write transaction, or open one (BEGIN IMMEDIATE)."""
    if db.conn.in_transaction:
        yield db
    else:
        with write_transaction(db):
            yield db


def clean_reason(reason: str | None) -> str | None:
    """The reason as stored, or None when it shows nothing a person could read ("\\u200b", NUL, blanks)."""
    reason = (reason or "").strip()
    if not any(unicodedata.category(c)[0] not in "CZ" for c in reason):
        return None
    if reason and len(reason) > MAX_REASON:
        raise InvalidInput("reason too long", fields={"reason": [Msg("at most %(n)d characters", n=MAX_REASON)]})
    return reason


def _everyone(actor, row) -> bool:
    return True


@dataclass(frozen=True, eq=False)
class Machine:
    """One kind of record moved by a table: where its rows and history live and how its messages name it.

    ``rows`` has ``id``, ``state`` and ``updated_at``; ``columns`` of it are read and
    handed to ``visible``.  ``guards`` map a ``when`` name to a test of the stored
    record, ``(db, id) -> bool``.  ``kept``: a column of ``rows`` holding the rules
    version the record keeps (an application's, once checked); its transitions are
    made and recorded under that version.
    """

    table: Callable[[], Table]
    noun: str
    rows: str = ""
    columns: tuple[str, ...] = ("id", "state")
    visible: Callable = _everyone
    events: str = ""
    key: str = ""
    guards: Mapping[str, Callable] = field(default_factory=dict)
    # templates, not Msg: the catalogue finds them again by their shape (service.translations)
    refused: str = N_("cannot {action}: the {noun} is {state} ({label})")
    forbidden: str = N_("role {role} may not {action}")
    state_keys: tuple[str, str] = ("state", "state_label")
    kept: str | None = None

    def conflict(self, state: str, action: str, role: str | None, message: str | None = None) -> Conflict:
        """409 carrying the current state, its label and the actions allowed from it."""
        tbl = self.table()
        label = tbl.label(state)
        key, label_key = self.state_keys
        return Conflict(message or self.refused.format(action=action, noun=self.noun, state=state, label=label),
                        **{key: state, label_key: label, "allowed": tbl.allowed(state, role)})

    def check_role(self, action: str, role: str) -> None:
        tbl = self.table()
        if action not in tbl.actions():
            raise InvalidInput(Msg("unknown action %(action)r", action=action),
                               fields={"action": [Msg("one of %(allowed)s", allowed=", ".join(sorted(tbl.actions())))]})
        if role not in tbl.roles_for(action):
            raise Forbidden(self.forbidden.format(role=role, action=action, noun=self.noun))

    def require(self, state: str, action: str, role: str) -> None:
        """Refuse (403 / 409) what the table allows ``role`` from ``state`` whatever the guards say."""
        self.check_role(action, role)
        if not self.table().from_state(state, action, role):
            raise self.conflict(state, action, role)

    def step(self, state: str, action: str, role: str, holds: Callable[[str], bool]) -> Transition:
        """The one transition whose ``when`` ``holds`` (a guard name -> bool) says applies."""
        self.require(state, action, role)
        chosen = [t for t in self.table().from_state(state, action, role) if t.when is None or holds(t.when)]
        if len(chosen) != 1:  # the loader guarantees guards that exclude each other
            raise self.conflict(state, action, role, f"cannot {action} now: the {self.noun}'s facts do not fit")
        return chosen[0]

    def row(self, db, record_id: int, actor) -> dict:
        """The record's ``columns``, or 404 when it does not exist or the actor may not see it."""
        found = db.execute(f"SELECT {', '.join(self.columns)} FROM {self.rows} WHERE id = ?", [record_id]).fetchone()
        row = dict(zip(self.columns, found, strict=True)) if found else None
        if row is None or not self.visible(actor, row):
            raise NotFound(Msg("no %(noun)s %(id)s", noun=self.noun, id=record_id))
        return row

    def check_allowed(self, db, record_id: int, action: str, actor) -> dict:
        """Refuse early (404 / 403 / 409) what ``transition`` would refuse; returns the row.

        Callers run this before expensive or outside-the-transaction work (the eligibility
        decision, writing an upload), so a refused request does nothing.
        """
        row = self.row(db, record_id, actor)
        self.require(row["state"], action, actor.role)
        return row

    def transition(self, db, record_id: int, action: str, actor, reason: str | None = None) -> dict:
        """Apply ``action`` as ``actor`` (a Principal); returns the recorded event.

        Raises NotFound (missing or not visible to the actor), Forbidden (the role may never
        do this), InvalidInput (a required reason is missing or too long) or Conflict (409,
        carrying the current state and the actions allowed from it).
        """
        reason = clean_reason(reason)
        with atomic(db), bound.pinned(self.kept_version(db, record_id)):
            state = self.check_allowed(db, record_id, action, actor)["state"]
            step = self.step(state, action, actor.role, lambda when: self.guards[when](db, record_id))
            if step.reason_required and not reason:
                raise InvalidInput(Msg("%(action)s needs a reason", action=action),
                                   fields={"reason": [N_("required: say why (shown to the candidate)")]})
            cur = db.conn.execute(f"UPDATE {self.rows} SET state = ?, updated_at = ? WHERE id = ? AND state = ?",
                                  [step.target, clock.now().isoformat(timespec="seconds"), record_id, state])
            if cur.rowcount != 1:
                current = db.execute(f"SELECT state FROM {self.rows} WHERE id = ?", [record_id]).fetchone()
                raise self.conflict(current[0], action, actor.role)
            return self.record_event(db, record_id, state, step.target, action, actor, reason)

    def kept_version(self, db, record_id: int) -> str | None:
        """The rules version the record keeps (None: the bundle in force)."""
        if not self.kept:
            return None
        row = db.execute(f"SELECT {self.kept} FROM {self.rows} WHERE id = ?", [record_id]).fetchone()
        return row[0] if row else None

    def record_event(self, db, record_id: int, source: str | None, target: str, action: str, actor,
                     reason: str | None) -> dict:
        return record_event(db, self.events, {self.key: record_id, "from_state": source, "to_state": target,
                                              "action": action}, actor, reason)

    def history(self, db, record_id: int) -> list[dict]:
        columns = ("id", *(c.split()[0] for c in EVENT_COLUMNS))
        return history(db, self.events, columns, {self.key: record_id})
