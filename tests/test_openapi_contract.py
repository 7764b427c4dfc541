"""The OpenAPI document describes every body: what each call takes and answers, with its schema."""
from __future__ import annotations

# actions that take nothing but their URL: the document rightly shows no request body
BODILESS = {("post", "/v1/rules/reload"), ("post", "/v1/decisions/{decision_id}/replay"),
            ("post", "/v1/applications/{app_id}/check"), ("post", "/v1/applications/{app_id}/reapply"),
            ("post", "/v1/orders/{order_id}/cancel")}


def operations(spec):
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield method, path, op


def test_every_request_body_and_answer_has_a_schema(client):
    spec = client.get("/v1/openapi.json").json
    bodies, answers = [], []
    for method, path, op in operations(spec):
        if method in ("post", "put", "patch") and (method, path) not in BODILESS:
            content = (op.get("requestBody") or {}).get("content") or {}
            if not content or not all(c.get("schema", {}).get("$ref") or c.get("schema", {}).get("properties")
                                      for c in content.values()):
                bodies.append((method, path))
        ok = {code: r for code, r in op["responses"].items() if code.startswith("2")}
        if not ok or not all(r.get("content") for r in ok.values()):
            answers.append((method, path))
    assert not bodies, f"request bodies without a schema: {bodies}"
    assert not answers, f"answers without a schema: {answers}"


def test_uploads_and_files_are_binary_and_the_callback_names_its_signature(client):
    spec = client.get("/v1/openapi.json").json
    photo = spec["paths"]["/v1/applications/{app_id}/photo"]
    upload = photo["put"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert upload["required"] == ["photo"] and upload["properties"]["photo"]["format"] == "binary"
    assert photo["get"]["responses"]["200"]["content"]["image/jpeg"]["schema"]["format"] == "binary"
    callback = spec["paths"]["/callbacks/payments/{provider}"]["post"]
    assert {p["name"] for p in callback["parameters"]} == {"X-Sandbox-Signature"}
    notice = spec["components"]["schemas"]["Notice"]
    assert set(notice["required"]) >= {"order_id", "transaction_id", "amount_fen", "status"}
