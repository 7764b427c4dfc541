"""Scores as a portal sends them: a JSON number, text or a grade; anything else is named in one message."""
from __future__ import annotations

import datetime as dt

import pytest
import yaml
from support.common import auth_headers, example

from service.decisions.fastload import compile_schema
from service.decisions.schemas import EvaluationRequestSchema, RecordSchema
from service.errors import RulesetError
from service.tools.cases import load_cases

# evaluations by provincial staff: the portal and county staff evaluate registered candidates only (none here)
STAFF = auth_headers("province")
MESSAGE = ("成绩为 0 到 100 的整数，或等级（优秀/良好/中等/合格/不合格）或 免考 / "
           "a score is a whole number from 0 to 100, or a grade (优秀/良好/中等/合格/不合格) or 免考")


def with_scores(*scores):
    body = example("marketing-complete")
    for record, score in zip(body["transcript"], scores, strict=False):
        record["score"] = score
    return body


def test_a_number_text_and_a_grade_decide_alike(client):
    as_text = client.post("/v1/evaluations", json=with_scores("72", "良好"), headers=STAFF)
    as_number = client.post("/v1/evaluations", json=with_scores(72, "良好"), headers=STAFF)
    assert as_text.status_code == as_number.status_code == 201, as_number.json
    text, number = as_text.json["decisions"][0], as_number.json["decisions"][0]
    assert number["status"] == text["status"] == "eligible" and number["credits"] == text["credits"]


@pytest.mark.parametrize("score", [59.5, "59.5", 101, -1, "101", True, [72], "", "６０"])
def test_anything_but_a_whole_number_or_a_grade_is_named(client, score):
    resp = client.post("/v1/evaluations", json=with_scores(score), headers=STAFF)
    assert resp.status_code == 422
    zh, en = MESSAGE.split(" / ")  # the API answers the side of the reader's language
    assert resp.json["fields"]["transcript"]["0"]["score"] == [en]
    resp = client.post("/v1/evaluations", json=with_scores(score), headers={**STAFF, "Accept-Language": "zh"})
    assert resp.json["fields"]["transcript"]["0"]["score"] == [zh]


def test_the_fast_path_loads_a_number_as_marshmallow_does():
    body = with_scores(72, "60", "良好")
    fast = compile_schema(EvaluationRequestSchema())(body)  # raises if the fast path steps aside
    slow = EvaluationRequestSchema().load(body, partial=False)  # an explicit option takes marshmallow's own path
    assert fast == slow and [r["score"] for r in fast["transcript"][:3]] == ["72", "60", "良好"]
    assert RecordSchema().load({"code": "00009", "score": 0})["score"] == "0"


def case_file(tmp_path, score):
    path = tmp_path / "cases.yaml"
    path.write_text(yaml.safe_dump([{"name": "one", "expected": {"status": "not_eligible"}, "input": {
        "university": "sxufe", "major": "630701", "as_of": dt.date(2025, 11, 20),
        "transcript": [{"code": "00009", "score": score, "date": dt.date(2021, 4, 17)}]}}], allow_unicode=True),
        encoding="utf-8")
    return path


@pytest.mark.parametrize("score", [72, "72", "良好"])
def test_a_yaml_case_takes_a_number_text_or_grade(tmp_path, score):
    [case] = load_cases(case_file(tmp_path, score), display="cases.yaml")
    assert case.body["transcript"][0]["score"] in ("72", "良好")


@pytest.mark.parametrize("score", [59.5, "59.5"])
def test_a_yaml_case_with_a_fraction_says_whole_number(tmp_path, score):
    path = case_file(tmp_path, score)
    with pytest.raises(RulesetError) as info:
        load_cases(path, display="cases.yaml")
    [problem] = [str(p) for p in info.value.problems]
    assert problem.startswith("cases.yaml:") and problem.endswith(f": [0].input.transcript[0].score: {MESSAGE}")
    assert str(score) in path.read_text(encoding="utf-8")  # unquoted 59.5 and quoted '59.5' alike
