"""The request schema's fast path returns exactly what marshmallow returns, or steps aside."""
from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from marshmallow import Schema, ValidationError
from support.bodies import json_values, mutated_bodies, valid_bodies
from support.common import ROOT, example

from service.decisions.fastload import _StepAside, compile_schema
from service.decisions.schemas import EvaluationRequestSchema
from service.rules.loader import load_bundle

BUNDLE = load_bundle(ROOT)
SCHEMA = EvaluationRequestSchema()
FAST = compile_schema(SCHEMA)  # raises if the schema stopped being compilable (the fast path would be off)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def marshmallow_outcome(body):
    try:
        return "ok", Schema.load(SCHEMA, copy.deepcopy(body))
    except ValidationError as exc:
        return "error", exc.messages


def served_outcome(body):
    try:
        return "ok", SCHEMA.load(copy.deepcopy(body))
    except ValidationError as exc:
        return "error", exc.messages


@SETTINGS
@given(body=valid_bodies(BUNDLE))
def test_valid_bodies_take_the_fast_path_with_marshmallows_result(body):
    assert marshmallow_outcome(body) == ("ok", FAST(copy.deepcopy(body)))


def check_same(body):
    expected = marshmallow_outcome(body)
    try:
        fast = FAST(copy.deepcopy(body))
    except _StepAside:
        fast = None
    if fast is not None:
        assert expected == ("ok", fast)
    assert served_outcome(body) == expected


@SETTINGS
@given(body=mutated_bodies(BUNDLE))
def test_mutated_bodies_get_marshmallows_result_or_errors(body):
    check_same(body)


@SETTINGS
@given(body=json_values())
def test_arbitrary_json_gets_marshmallows_result_or_errors(body):
    check_same(body)


@pytest.mark.parametrize("path, value", [
    (("transcript", 0, "credits"), "5"),       # marshmallow turns "5" into 5: the fast path steps aside
    (("transcript", 0, "credits"), 5.0),
    (("transcript", 0, "credits"), True),
    (("transcript", 0, "date"), "20200105"),   # fromisoformat spellings other than YYYY-MM-DD
    (("transcript", 0, "date"), "2020-02-30"),
    (("transcript", 0, "date"), None),         # load_default None: null allowed
    (("transcript", 0, "score"), b"60"),
    (("choices", 0, "edition"), None),         # no load_default: null is an error
    (("prior_diploma",), None),
    (("substitution",), ("00009",)),
    (("candidate", "exam_number"), "０１０１１９１００００１"),  # full-width digits match \\d
])
def test_edge_values_agree(path, value):
    body = example("accounting-english-substitution")
    node = body
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    check_same(body)
