"""A chunked request body declares no Content-Length; the type and size limits hold for it all the same."""
from __future__ import annotations

import io
import json

from support.common import auth_headers, example


def _chunked(client, path, body: bytes, content_type: str, role: str = "province"):
    # what a WSGI server that de-chunks (gunicorn) hands the app: no CONTENT_LENGTH, a terminated stream
    headers = {**auth_headers(role), "Content-Type": content_type, "Transfer-Encoding": "chunked"}
    return client.post(path, input_stream=io.BytesIO(body), headers=headers,
                       environ_overrides={"wsgi.input_terminated": True})


def test_a_chunked_json_body_over_the_limit_is_413(app, client):
    limit = app.config["MAX_JSON_BYTES"]
    body = json.dumps({"padding": "x" * (limit + 10)}).encode()
    resp = _chunked(client, "/v1/evaluations", body, "application/json")
    assert resp.status_code == 413
    assert resp.get_json()["error"] == "payload_too_large"


def test_a_chunked_text_body_is_415(client):
    resp = _chunked(client, "/v1/evaluations", b"hello", "text/plain")
    assert resp.status_code == 415
    assert resp.get_json()["error"] == "unsupported_media_type"


def test_a_chunked_json_body_within_the_limit_is_decided(client):
    body = json.dumps(example("marketing-complete")).encode()
    resp = _chunked(client, "/v1/evaluations", body, "application/json")
    assert resp.status_code == 201, resp.get_json()
