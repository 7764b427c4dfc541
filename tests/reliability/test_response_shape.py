"""POST /v1/evaluations returns its result without a schema dump: the result must already be the dump."""
from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from support.bodies import valid_bodies
from support.common import ROOT, auth_headers

from service.decisions.schemas import EvaluationResponseSchema
from service.rules.loader import load_bundle

BUNDLE = load_bundle(ROOT)
DUMP = EvaluationResponseSchema()


def key_paths(value, path=""):
    """Every key of every object, in document order, with its path: equal lists mean equal key order."""
    if isinstance(value, dict):
        out = []
        for k, v in value.items():
            out.append(f"{path}.{k}")
            out.extend(key_paths(v, f"{path}.{k}"))
        return out
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in key_paths(v, f"{path}[{i}]")]
    return []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(body=valid_bodies(BUNDLE))
def test_response_is_exactly_what_the_schema_documents(client, body):
    resp = client.post("/v1/evaluations", data=json.dumps(body, ensure_ascii=False),
                       headers={**auth_headers("province"), "Content-Type": "application/json"})
    assert resp.status_code in (201, 404), resp.json
    if resp.status_code == 201:
        dumped = DUMP.dump(resp.json)
        assert dumped == resp.json
        assert key_paths(dumped) == key_paths(resp.json)
