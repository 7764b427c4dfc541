"""Hostile and careless input to POST /v1/evaluations: always a clear 4xx (or a 201), never a 500, nothing stored.

Property tests send arbitrary JSON and valid bodies with one part broken;
the examples below cover what property tests reach rarely: malformed and
non-UTF-8 bodies, deep nesting, oversize bodies and uploads, wrong content
types, and look-alike digits.
"""
from __future__ import annotations

import copy
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from support.bodies import json_values, mutated_bodies
from support.common import ROOT, auth_headers, example

from service.rules.loader import load_bundle

BUNDLE = load_bundle(ROOT)
PROVINCE = auth_headers("province")
FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def stored(db) -> int:
    return db.execute("SELECT count(*) FROM decisions").fetchone()[0]


def post_raw(client, data: bytes, content_type="application/json", headers=PROVINCE):
    return client.post("/v1/evaluations", data=data, headers={**headers, "Content-Type": content_type})


def assert_clean_error(resp, *statuses):
    assert resp.status_code in statuses, (resp.status_code, resp.data[:300])
    body = resp.get_json()
    assert set(body) >= {"error", "message"}
    text = resp.get_data(as_text=True)
    assert "Traceback" not in text and 'File "' not in text


def check_one(client, db, body):
    before = stored(db)
    resp = post_raw(client, json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    assert resp.status_code < 500, resp.data[:500]
    if resp.status_code == 201:
        assert stored(db) == before + len(resp.get_json()["decisions"])
    else:
        assert_clean_error(resp, resp.status_code)
        assert stored(db) == before


@FUZZ
@given(body=json_values())
def test_arbitrary_json_is_answered_4xx_and_stores_nothing(client, db, body):
    check_one(client, db, body)


@FUZZ
@given(body=mutated_bodies(BUNDLE))
def test_a_valid_body_with_any_part_broken_is_201_or_4xx(client, db, body):
    check_one(client, db, body)


@pytest.mark.parametrize("path, value", [
    (("transcript", 0, "score"), "³"),                 # isdigit() but not int(): was a 500
    (("transcript", 0, "score"), "６０"),               # full-width: not a score
    (("transcript", 0, "code"), "００１８１"),
    (("transcript", 0, "code"), "٠٠١٨١"),             # Arabic-Indic digits
    (("transcript", 0, "code"), "00181\n"),            # Python's $ matched before the newline
    (("candidate", "exam_number"), "010119100001\n"),
    (("candidate", "id_number"), "14010519950315123\u0660"),
    (("choices", 0, "university"), "sxufe\n"),
    (("transcript", 0, "name"), "\ud800"),             # a lone surrogate
])
def test_look_alike_digits_and_trailing_newlines_are_422(client, db, path, value):
    body = copy.deepcopy(example("accounting-english-substitution"))
    node = body
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    resp = post_raw(client, json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    if path[-1] == "name":  # a name is free text: any string is stored as given, or refused, but never a 500
        assert resp.status_code in (201, 400, 422)
        return
    assert_clean_error(resp, 422)
    assert stored(db) == 0


@pytest.mark.parametrize("data", [
    b"{", b'{"candidate": }', b"\xff\xfe{}", b"null", b"[]", b'"text"', b"1e999999",
    b"{\"candidate\": \"\\ud800\"}",
    b"[" * 100_000 + b"]" * 100_000,                    # deeper than the JSON parser's recursion
    b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
])
def test_malformed_or_absurd_json_is_4xx(client, db, data):
    resp = post_raw(client, data)
    assert_clean_error(resp, 400, 422)
    assert stored(db) == 0


def test_a_body_over_the_json_limit_is_413_before_it_is_parsed(app, client, db):
    body = example("marketing-complete")
    body["transcript"] = body["transcript"] * 500
    data = json.dumps(body, ensure_ascii=False).encode()
    assert len(data) > app.config["MAX_JSON_BYTES"]
    assert_clean_error(post_raw(client, data), 413)
    assert stored(db) == 0


def test_an_upload_over_the_content_limit_is_413(app, client):
    too_big = b"\xff\xd8" + b"\0" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    resp = client.post("/v1/candidates/010119100001/identity/photos",
                       data={"photo": (io.BytesIO(too_big), "p.jpg")},
                       headers=auth_headers("portal", "010119100001"), content_type="multipart/form-data")
    assert_clean_error(resp, 413)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml",
                                          "application/json-patch+json"])
def test_a_wrong_content_type_is_415(client, db, content_type):
    data = json.dumps(example("marketing-complete"), ensure_ascii=False).encode()
    assert_clean_error(post_raw(client, data, content_type), 415)
    assert stored(db) == 0


def test_no_content_type_is_415(client, db):
    data = json.dumps(example("marketing-complete"), ensure_ascii=False).encode()
    resp = client.post("/v1/evaluations", data=data, headers=PROVINCE)
    assert_clean_error(resp, 415)
    assert stored(db) == 0
