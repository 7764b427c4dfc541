"""Every integer a client sends is bounded by SQLite's 64-bit range, so none overflows in a query (a 500).

Walks the OpenAPI document: each integer query/path parameter and each integer property
of a request body must declare a maximum within SQLite's range; the two values that were
found answering 500 are sent for real.
"""
from __future__ import annotations

import pytest
from support.common import auth_headers

from service.app import create_app
from service.web.schemas import SQLITE_MAX_INT

TOO_BIG = str(SQLITE_MAX_INT + 1)


def _resolve(spec, node):
    while isinstance(node, dict) and "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = spec["components"]["schemas"][name]
    return node


def _integers(spec, schema, path, seen):
    schema = _resolve(spec, schema)
    if not isinstance(schema, dict) or id(schema) in seen:
        return
    seen.add(id(schema))
    if schema.get("type") == "integer":
        yield path, schema
    for name, prop in (schema.get("properties") or {}).items():
        if not prop.get("readOnly"):
            yield from _integers(spec, prop, f"{path}.{name}", seen)
    if "items" in schema:
        yield from _integers(spec, schema["items"], f"{path}[]", seen)


def _inputs(spec):
    for route, item in spec["paths"].items():
        for method, op in item.items():
            if not isinstance(op, dict):
                continue
            for param in op.get("parameters", []) + item.get("parameters", []):
                schema = _resolve(spec, param.get("schema", {}))
                if schema.get("type") == "integer":
                    yield f"{method.upper()} {route} ?{param['name']}", schema
            for media in (op.get("requestBody") or {}).get("content", {}).values():
                yield from _integers(spec, media.get("schema", {}), f"{method.upper()} {route} body", set())


def test_every_integer_input_is_bounded(tmp_path):
    spec = create_app({"DATABASE": str(tmp_path / "spec.sqlite3")}).test_client().get("/v1/openapi.json").json
    found = list(_inputs(spec))
    assert found, "the document lists integer inputs"
    unbounded = [where for where, schema in found
                 if schema.get("maximum") is None or schema["maximum"] > SQLITE_MAX_INT]
    assert unbounded == []


@pytest.mark.parametrize("url", [f"/v1/audit/replay?after_seq={TOO_BIG}",
                                 f"/v1/applications/1/registration-form?version={TOO_BIG}",
                                 f"/v1/applications/1/registration-form/pdf?version={TOO_BIG}"])
def test_a_too_large_integer_is_a_422_not_a_500(client, url):
    resp = client.get(url, headers=auth_headers("province"))
    assert resp.status_code == 422, resp.get_json()
    assert resp.get_json()["error"] == "invalid_input"
