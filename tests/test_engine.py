"""durable-rules behind one module: the hazards it must hold against."""
from __future__ import annotations

import threading

import pytest

from service.rules import compiler
from service.rules.engine import EngineError, RulesEngine

SHAPE = [["course:00001", [["course:00001", 2, True]]],
         ["group:g", [["group:g", 2, False]]],
         ["course:00015", [["course:00015", 2, True], ["course:00015:english-ii", 14, False]]],
         ["credits", [["credits", 70, False]]]]


def fact(s0=2, g=(2, 2), english=(0, 15, 15), credits=(74, 74)):
    return {"s0": s0, "v1": g[0], "a1": g[1], "s2": english[0], "v3": english[1], "a3": english[2],
            "v4": credits[0], "a4": credits[1]}


def fire(engine, f, shape=SHAPE):
    name = compiler.ruleset_name("test", shape)
    return engine.fire(name, lambda: compiler.compile_shape(shape), f)


def test_eligible_fires_exactly_one_rule():
    assert fire(RulesEngine(), fact()) == ["eligible"]


def test_each_failing_requirement_fires_its_own_rule_sorted():
    engine = RulesEngine()
    # course 0 absent, group short, english: course absent and substitution short, credits pending
    got = fire(engine, fact(s0=0, g=(1, 1), english=(0, 10, 10), credits=(60, 74)))
    assert got == ["p3", "u0", "u1", "u2"]
    # the substitution alone meets English (II); the course alone too
    assert fire(engine, fact(english=(0, 14, 14))) == ["eligible"]
    assert fire(engine, fact(english=(2, 0, 0))) == ["eligible"]
    assert fire(engine, fact(english=(1, 0, 0))) == ["p2"]


def test_more_evaluations_than_the_session_limit():
    # durable-rules allows 1024 live sessions per ruleset: each evaluation deletes its own
    engine = RulesEngine()
    for _ in range(1500):
        assert fire(engine, fact()) == ["eligible"]


def test_identical_facts_in_a_row_are_not_observed_twice():
    engine = RulesEngine()
    same = fact(s0=0)
    assert [fire(engine, same) for _ in range(50)] == [["u0"]] * 50


def test_a_ruleset_name_is_compiled_once():
    engine = RulesEngine()
    for _ in range(10):
        fire(engine, fact())
    assert engine.compiled_count == 1
    changed = [row if row[0] != "credits" else ["credits", [["credits", 75, False]]] for row in SHAPE]
    assert fire(engine, fact(), changed) == ["u3"]  # a changed threshold is a new ruleset
    assert engine.compiled_count == 2


def test_no_background_threads_are_started():
    before = threading.active_count()
    engine = RulesEngine()
    fire(engine, fact())
    assert threading.active_count() == before


def test_threads_get_the_same_answers_as_one_thread():
    engine = RulesEngine()
    cases = [fact(), fact(s0=0), fact(g=(1, 2)), fact(credits=(10, 10))]
    expected = [fire(engine, c) for c in cases]
    results, errors = [], []

    def worker():
        try:
            for _ in range(100):
                results.append([fire(engine, c) for c in cases])
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and results == [expected] * 400


def test_a_fact_that_does_not_fit_the_rules_is_refused_before_the_engine_sees_it():
    engine = RulesEngine()
    for bad in ({"unrelated": 1}, {k: v for k, v in fact().items() if k != "a4"}, fact() | {"a4": "74"}):
        with pytest.raises(EngineError, match="does not fit"):
            fire(engine, bad)
    assert fire(engine, fact()) == ["eligible"]  # and the engine is still fine


def test_compiled_rules_hold_the_thresholds_from_the_data():
    rules = compiler.compile_shape(SHAPE)
    assert rules["u3"] == {"all": [{"m": {"$lt": {"a4": 70}}}]}
    assert rules["u2"] == {"all": [{"m": {"$and": [{"$lt": {"s2": 1}}, {"$lt": {"a3": 14}}]}}]}
    assert set(rules) == {"eligible", "u0", "u1", "u2", "u3", "p0", "p1", "p2", "p3"}
