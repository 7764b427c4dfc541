"""The state table itself: every listed transition, every unlisted one refused, the guards, racing deciders."""
from __future__ import annotations

import itertools
import threading

import pytest

from service.applications import states
from service.errors import Conflict, Forbidden, InvalidInput, NotFound, RulesetError
from service.store.db import connect
from service.web import auth

TABLE = states.table()
EXAM = "010119100003"
DISTRICT = "太原市小店区"
_ROUNDS = itertools.count(1)


def actor(role: str, *, district: str = DISTRICT, exam: str = EXAM) -> auth.Principal:
    return {
        "portal": auth.Principal("portal", "portal-backend", candidate=exam),
        "county": auth.Principal("county", "小店区招办 王老师", district=district),
        "province": auth.Principal("province", "省考试院 赵老师"),
        "system": auth.Principal("system", "test"),
        "auditor": auth.Principal("auditor", "审计 陈老师"),
    }[role]


def make(db, state: str, *, attempt: int = 1, photo_status: str = "none", decision: str | None = "eligible",
         card: str | None = None) -> int:
    """An application row in ``state`` with the facts the guards read (test set-up, bypassing the table)."""
    now = "2025-05-10T09:00:00+08:00"
    cur = db.conn.execute(
        "INSERT INTO applications (exam_number, round, district, phone, address, state, attempt, photo_status, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [EXAM, f"round-{next(_ROUNDS)}", DISTRICT, "13912345678", "地址1号",
         state, attempt, photo_status, now, now])
    app_id = cur.lastrowid
    db.conn.execute("INSERT INTO application_choices (application_id, position, university, major, decision_id, "
                    "decision_status, decision_revision) VALUES (?, 1, 'sxufe', '630701', ?, ?, 1)",
                    [app_id, "d" if decision else None, decision])
    if card:
        db.conn.execute("INSERT INTO application_old_plan (application_id, position, code, name, date, score, status) "
                        "VALUES (?, 1, '00181', '广告学(一)', '2012-10-21', '71', ?)", [app_id, card])
    return app_id


def state_of(db, app_id: int) -> str:
    return db.execute("SELECT state FROM applications WHERE id = ?", [app_id]).fetchone()[0]


def events(db, app_id: int) -> int:
    return db.execute("SELECT count(*) FROM application_events WHERE application_id = ?", [app_id]).fetchone()[0]


# facts under which each guard holds
FACTS = {
    None: {},
    "photo_passed": {"photo_status": "passed"},
    "photo_failed": {"photo_status": "review"},
    "all_eligible": {},
    "needs_county": {"card": "pending", "decision": "pending_verification"},
    "first_attempt": {},
    "reapplied": {"attempt": 2},
}


def test_the_shipped_table_is_valid_and_complete():
    assert TABLE.initial == "draft"
    assert set(TABLE.states) == {"draft", "submitted", "photo_review", "photo_ok", "system_approved",
                                 "awaiting_county", "county_approved", "county_rejected", "rejected_final",
                                 "paid", "form_locked"}
    assert sorted(TABLE.payable_states()) == ["county_approved", "system_approved"]
    assert TABLE.editable_states() == ["draft"]
    reachable = {TABLE.initial}
    for _ in TABLE.states:
        reachable |= {t.target for t in TABLE.transitions if t.source in reachable}
    assert reachable == set(TABLE.states)
    # a final state has no way out; every other state has one
    for s in TABLE.states.values():
        assert bool(TABLE.allowed(s.name)) is not s.final, s.name
    assert all("auditor" not in t.roles for t in TABLE.transitions)


@pytest.mark.parametrize("step", [t for t in TABLE.transitions if t.source is not None],
                         ids=lambda t: f"{t.source}-{t.action}-{t.target}")
def test_every_listed_transition(db, step):
    app_id = make(db, step.source, **FACTS[step.when])
    reason = "理由：测试" if step.reason_required else None
    event = states.transition(db, app_id, step.action, actor(step.roles[0]), reason)
    assert state_of(db, app_id) == step.target
    assert (event["from_state"], event["to_state"], event["action"], event["role"]) == (
        step.source, step.target, step.action, step.roles[0])
    assert event["at"] and event["actor"].startswith(f"{step.roles[0]}:")
    assert states.history(db, app_id)[-1]["reason"] == reason


ILLEGAL = [(s, a) for s in TABLE.states for a in sorted(TABLE.actions() - {"create"})
           if not TABLE.from_state(s, a)]


@pytest.mark.parametrize(("state", "action"), ILLEGAL, ids=lambda v: v)
def test_every_unlisted_transition_is_409_and_changes_nothing(db, state, action):
    app_id = make(db, state, photo_status="passed")
    role = sorted(TABLE.roles_for(action))[0]
    with pytest.raises(Conflict) as exc:
        states.transition(db, app_id, action, actor(role), "理由")
    assert exc.value.status == 409
    assert exc.value.extra["state"] == state
    assert exc.value.extra["allowed"] == TABLE.allowed(state, role)
    assert state_of(db, app_id) == state and events(db, app_id) == 0


def test_second_rejection_is_final_first_is_not(db):
    first, second = make(db, "awaiting_county"), make(db, "awaiting_county", attempt=2)
    states.transition(db, first, "county_reject", actor("county"), "原件未交回")
    states.transition(db, second, "county_reject", actor("county"), "原件未交回")
    assert (state_of(db, first), state_of(db, second)) == ("county_rejected", "rejected_final")
    with pytest.raises(Conflict) as exc:
        states.transition(db, second, "reapply", actor("portal"))
    assert exc.value.extra["state"] == "rejected_final" and exc.value.extra["allowed"] == []


@pytest.mark.parametrize(("facts", "target"), [
    ({}, "system_approved"),
    ({"card": "pending", "decision": "pending_verification"}, "awaiting_county"),
    ({"card": "verified"}, "system_approved"),
    ({"card": "refused"}, "awaiting_county"),
    ({"decision": "not_eligible"}, "awaiting_county"),
    ({"decision": None}, "awaiting_county"),
])
def test_system_audit_approves_only_when_all_is_eligible(db, facts, target):
    app_id = make(db, "photo_ok", **facts)
    assert states.transition(db, app_id, "system_audit", actor("system"))["to_state"] == target


def test_a_decision_of_an_older_revision_does_not_count(db):
    app_id = make(db, "photo_ok")
    db.conn.execute("UPDATE applications SET revision = 2 WHERE id = ?", [app_id])
    assert states.transition(db, app_id, "system_audit", actor("system"))["to_state"] == "awaiting_county"


def test_roles_the_table_does_not_list_are_forbidden_and_change_nothing(db):
    app_id = make(db, "awaiting_county")
    for role, action in [("portal", "county_approve"), ("auditor", "county_approve"), ("county", "submit"),
                         ("county", "pay"), ("portal", "system_audit"), ("province", "reapply")]:
        with pytest.raises(Forbidden):
            states.transition(db, app_id, action, actor(role), "理由")
    assert state_of(db, app_id) == "awaiting_county" and events(db, app_id) == 0


def test_out_of_reach_applications_are_not_found(db):
    app_id = make(db, "awaiting_county")
    for who in (actor("county", district="太原市迎泽区"), actor("portal", exam="010119100001")):
        with pytest.raises(NotFound):
            states.transition(db, app_id, "county_reject" if who.role == "county" else "reapply", who, "理由")
    with pytest.raises(NotFound):
        states.transition(db, 99999, "county_approve", actor("province"))
    assert state_of(db, app_id) == "awaiting_county"


def test_a_required_reason_is_required(db):
    app_id = make(db, "awaiting_county")
    for reason in (None, "", "   "):
        with pytest.raises(InvalidInput) as exc:
            states.transition(db, app_id, "county_reject", actor("county"), reason)
        assert "reason" in exc.value.fields
    with pytest.raises(InvalidInput):
        states.transition(db, app_id, "county_reject", actor("county"), "长" * (states.MAX_REASON + 1))
    assert state_of(db, app_id) == "awaiting_county" and events(db, app_id) == 0


def test_unknown_action_is_invalid(db):
    app_id = make(db, "draft")
    with pytest.raises(InvalidInput):
        states.transition(db, app_id, "approve_everything", actor("province"))


def test_two_simultaneous_county_decisions_exactly_one_wins(app, db):
    app_id = make(db, "awaiting_county")
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(action, reason):
        conn = connect(app.config["DATABASE"], migrate_schema=False)
        try:
            barrier.wait()
            outcomes.append(states.transition(conn, app_id, action, actor("county"), reason)["to_state"])
        except Conflict as exc:
            outcomes.append(("409", exc.extra["state"]))
        finally:
            conn.conn.close()

    threads = [threading.Thread(target=decide, args=("county_approve", None)),
               threading.Thread(target=decide, args=("county_reject", "材料不全"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [o for o in outcomes if isinstance(o, str)]
    losers = [o for o in outcomes if isinstance(o, tuple)]
    assert len(winners) == 1 and len(losers) == 1
    assert losers[0] == ("409", winners[0]) and state_of(db, app_id) == winners[0]
    assert events(db, app_id) == 1


def test_the_history_cannot_be_rewritten(db):
    app_id = make(db, "awaiting_county")
    states.transition(db, app_id, "county_approve", actor("county"))
    for sql in ("UPDATE application_events SET reason = 'x'", "DELETE FROM application_events"):
        with pytest.raises(Exception, match="append-only"):
            db.execute(sql)


def test_a_broken_table_is_refused_with_every_problem(tmp_path):
    path = tmp_path / "states.yaml"
    path.write_text("""
source: [{title: test}]
initial: nowhere
states:
  draft: {label: 填报中, colour: red}
  done: {label: 完成, final: true}
transitions:
  - {action: submit, from: draft, to: limbo, roles: [portal]}
  - {action: go, from: draft, to: done, roles: [wizard], when: lucky}
  - {action: back, from: done, to: draft, roles: [portal]}
  - {action: split, from: draft, to: done, roles: [portal]}
  - {action: split, from: draft, to: draft, roles: [portal]}
""", encoding="utf-8")
    with pytest.raises(RulesetError) as exc:
        states.load_table(path)
    text = exc.value.message
    for expected in ("initial: unknown state 'nowhere'", "states.draft.colour: unknown key", "unknown state 'limbo'",
                     "transitions[1].roles", "unknown guard 'lucky'", "done is final",
                     "split from draft has several targets"):
        assert expected in text, expected


def test_a_duplicate_key_in_the_table_is_refused(tmp_path):
    path = tmp_path / "states.yaml"
    path.write_text("source: []\ninitial: draft\ninitial: draft\nstates: {}\ntransitions: []\n", encoding="utf-8")
    with pytest.raises(RulesetError, match="duplicate key"):
        states.load_table(path)


@pytest.mark.parametrize("blank", ["", "   ", "\u0000", "\u200b", "\u3000\u200b\n\t", "\ufeff"])
def test_a_reason_with_nothing_visible_is_no_reason(db, blank):
    step = next(t for t in TABLE.transitions if t.reason_required and t.source is not None)
    app_id = make(db, step.source, **FACTS[step.when])
    with pytest.raises(InvalidInput) as exc:
        states.transition(db, app_id, step.action, actor(step.roles[0]), blank)
    assert "reason" in exc.value.fields
    assert state_of(db, app_id) == step.source
