"""record_json (orjson) spells a decision's input and output exactly as canonical_json does.

The decision log stores record_json's text; replay and the hash chain compare
through canonical_json.  They must agree on every value a decision can hold.
"""
from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.transcripts import bodies
from service.decisions.schemas import EvaluationRequestSchema
from service.rules.canonical import canonical_json, record_json
from service.rules.decide import decide
from service.rules.inputs import canonical_input, request_for


def test_generated_decisions_and_their_inputs_are_spelt_alike(bundle):
    schema = EvaluationRequestSchema()
    for body in bodies(bundle, 300, seed=11):
        data = schema.load(body)
        canon = canonical_input(data)
        for choice in data["choices"]:
            choice = {k: v for k, v in sorted(choice.items()) if v is not None}
            decision = decide(bundle, request_for(canon, choice))
            record = {**canon, "choice": choice}
            assert record_json(record) == canonical_json(record)
            assert record_json(decision) == canonical_json(decision)


# everything but floats: text of any kind (controls, CJK, astral, lone surrogates),
# integers within and beyond 64 bits, dates, keys that are not text
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(), st.dates(),
    st.datetimes(timezones=st.sampled_from([None, dt.UTC, dt.timezone(dt.timedelta(hours=8))])),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=8), inner, max_size=5),
        st.dictionaries(st.integers(), inner, max_size=3),
        st.frozensets(st.text(max_size=4), max_size=4),
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(values)
def test_any_value_without_floats_is_spelt_alike(value):
    try:
        expected = canonical_json(value)
    except (TypeError, ValueError) as exc:  # what the standard library refuses, record_json refuses too
        try:
            record_json(value)
        except (TypeError, ValueError) as again:
            assert type(again) is type(exc)
        else:
            raise AssertionError(f"record_json spelt what canonical_json refused: {exc}") from None
    else:
        assert record_json(value) == expected
