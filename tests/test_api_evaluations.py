"""The evaluation API: the decision, its storage, replay and bad input."""
from __future__ import annotations

import copy

from support.common import auth_headers, example

PORTAL = auth_headers("portal", "010119100001")
# the rules are the point here, not who asks: provincial staff may evaluate an exam number no candidate has
# (the portal and county staff only registered candidates: tests/test_trusted_inputs.py)
STAFF = auth_headers("province")


def post(client, body, headers=STAFF):
    return client.post("/v1/evaluations", json=body, headers=headers)


def test_missing_00181_is_not_eligible_and_names_it(client):
    resp = post(client, example("marketing-missing-00181"))
    assert resp.status_code == 201, resp.json
    d = resp.json["decisions"][0]
    assert d["status"] == "not_eligible" and d["eligible"] is False
    unmet = [r for r in d["requirements"] if r["status"] != "met"]
    assert [(r["id"], r["missing"]) for r in unmet] == [("course:00181", ["00181"])]
    assert d["credits"] == {"earned": 74, "earned_verified": 74, "required": 70}
    counted = {c["code"]: c["credits"] for r in d["requirements"] for c in r["counted"]}
    assert counted["00009"] == 6 and counted["00019"] == 2 and "00181" not in counted
    assert d["ignored_records"] == [{"code": "00181", "reason": "not_passed"}]
    assert len(d["ruleset_version"]) == 64 and d["engine_version"].startswith("durable_rules-2.0.28")


def test_with_00181_passed_is_eligible_and_replays_identical(client):
    resp = post(client, example("marketing-complete"))
    d = resp.json["decisions"][0]
    assert d["status"] == "eligible" and d["credits"]["earned"] == 78
    got = client.get(f"/v1/decisions/{d['id']}", headers=auth_headers("auditor"))
    assert got.status_code == 200 and got.json["status"] == "eligible"
    assert got.json["input"]["choice"] == {"major": "630701", "university": "sxufe"}
    replay = client.post(f"/v1/decisions/{d['id']}/replay", headers=auth_headers("auditor"))
    assert replay.json == {"id": d["id"], "identical": True, "ruleset_version": d["ruleset_version"],
                           "engine_version": d["engine_version"]}


def test_chinese_is_not_escaped(client):
    resp = post(client, example("marketing-complete"))
    assert "市场营销".encode() in resp.data


def test_every_problem_is_listed_by_field_and_nothing_is_stored(client, db):
    body = copy.deepcopy(example("marketing-complete"))
    body["candidate"].update(exam_number="12", id_number="140106199807221047")
    body["choices"] += [{"university": "sxu", "major": "030101K"}, {"university": "tyut", "major": "080901"}]
    body["transcript"][0].update(code="181", score="101")
    body["bogus"] = 1
    resp = post(client, body, auth_headers("province"))
    assert resp.status_code == 422
    fields = resp.json["fields"]
    assert fields["candidate"]["exam_number"] and fields["candidate"]["id_number"]
    assert set(fields["transcript"]["0"]) == {"code", "score"}
    assert fields["choices"] == ["at most two examining universities (主考院校)"]
    assert fields["bogus"] == ["Unknown field."]
    assert db.execute("SELECT count(*) FROM decisions").fetchone()[0] == 0


def test_gender_must_match_the_id_number(client):
    body = example("marketing-complete")
    body["candidate"]["gender"] = "男"
    resp = post(client, body)
    assert resp.status_code == 422 and "gender" in resp.json["fields"]["candidate"]


def test_unknown_major_stores_nothing_even_if_another_choice_is_fine(client, db):
    body = example("marketing-complete")
    body["choices"].append({"university": "sxu", "major": "999999"})
    resp = post(client, body)
    assert resp.status_code == 404 and resp.json["error"] == "not_found"
    assert db.execute("SELECT count(*) FROM decisions").fetchone()[0] == 0


def test_major_without_any_plan_is_a_422_no_plan_in_force(client, db):
    body = example("marketing-complete")
    body["choices"] = [{"university": "sxufe", "major": "630302"}]
    resp = post(client, body, {**STAFF, "Accept-Language": "zh"})
    assert resp.status_code == 422 and resp.json["error"] == "no_plan_in_force"
    assert resp.json["message"] == "山西财经大学 630302 会计（专科）没有考试计划，不能据以审核毕业"
    assert resp.json["fields"] == {"choices": [resp.json["message"]]}
    english = post(client, body, STAFF).json
    assert english["error"] == "no_plan_in_force"
    assert "no exam plan of 山西财经大学 630302 会计（专科） is on file" in english["message"]
    assert db.execute("SELECT count(*) FROM decisions").fetchone()[0] == 0


def test_plans_out_of_force_name_the_dates_they_are_in_force(client):
    body = example("marketing-complete")
    body["as_of"] = "2020-06-01"
    resp = post(client, body, {**STAFF, "Accept-Language": "zh-CN,zh;q=0.9"})
    assert resp.status_code == 422 and resp.json["error"] == "no_plan_in_force"
    assert "在 2020-06-01 没有有效的考试计划（考试计划有效期：2021版 2021-01-01 起）" in resp.json["message"]
    assert "(plans are in force: edition 2021 from 2021-01-01)" in post(client, body, STAFF).json["message"]


def test_auth_and_roles(client):
    body = example("marketing-complete")
    assert post(client, body, {}).status_code == 401
    assert post(client, body, {"Authorization": "Bearer nope"}).status_code == 401
    assert post(client, body, auth_headers("auditor")).status_code == 403
    assert post(client, body, auth_headers("portal", "010119100002")).status_code == 403
    d = post(client, body).json["decisions"][0]
    assert client.get(f"/v1/decisions/{d['id']}", headers=auth_headers("portal", "010119100002")).status_code == 404
    assert client.get(f"/v1/decisions/{d['id']}", headers=PORTAL).status_code == 200


def test_wrong_content_type_and_bad_json(client):
    resp = client.post("/v1/evaluations", data="x", content_type="text/plain", headers=PORTAL)
    assert resp.status_code == 415
    resp = client.post("/v1/evaluations", data="{bad", content_type="application/json", headers=PORTAL)
    assert resp.status_code == 400 and resp.json["error"] == "bad_request"
    resp = client.post("/v1/evaluations", data="[" * 100000, content_type="application/json", headers=PORTAL)
    assert resp.status_code in (400, 413)


def test_openapi_document_lists_the_api(client):
    spec = client.get("/v1/openapi.json").json
    assert {"/v1/evaluations", "/v1/decisions/{decision_id}", "/v1/decisions/{decision_id}/replay",
            "/v1/majors/{university}/{major}", "/v1/universities", "/v1/majors"} <= set(spec["paths"])
    assert "EvaluationRequest" in spec["components"]["schemas"]


def test_major_plan_as_the_seed_shows_it(client):
    resp = client.get("/v1/majors/sxufe/630701", headers=PORTAL)
    plan = resp.json["plans"][0]
    assert len(plan["courses"]) == 18 and sum(c["credits"] for c in plan["courses"]) == 78
    assert plan["courses"][0] == {"requirement": "required", "code": "00009", "name": "政治经济学(财经类)",
                                  "credits": 6, "kind": "theory"}
    majors = client.get("/v1/majors?university=sxu&level=专科", headers=PORTAL).json
    assert {m["code"] for m in majors} == {"680503", "690206", "960101"}


def test_the_major_list_says_which_majors_have_a_plan_in_force(app, client):
    app.config["CLOCK_NOW"] = "2026-03-01T09:00:00+08:00"
    majors = {(m["university"], m["code"]): m for m in client.get("/v1/majors", headers=PORTAL).json}
    assert majors[("sxufe", "120203K")]["plan_in_force"] and majors[("sxufe", "120203K")]["plan_status"] == "in_force"
    none = majors[("sxu", "020101")]
    assert (none["plan_in_force"], none["plan_status"], none["editions"]) == (False, "none", [])
    assert none["no_plan"].startswith("未找到同一专业代码的公开考试计划 / no published exam plan of this major code")
    assert majors[("sxufe", "120203K")]["no_plan"] is None
    # every major either has a plan on file or says why it has none
    assert all(m["editions"] or m["no_plan"] for m in majors.values()) and len(majors) == 35
    # a major with a plan names its source; the reference plans say they are not Shanxi's own
    journalism = client.get("/v1/majors/sxu/050301", headers=PORTAL).json
    assert journalism["plan_status"] == "in_force" and journalism["no_plan"] is None
    assert journalism["plans"][0]["source"].startswith("REFERENCE PLAN, not Shanxi's own: 江苏省高等教育自学考试")
    app.config["CLOCK_NOW"] = "2020-03-01T09:00:00+08:00"
    early = {(m["university"], m["code"]): m for m in client.get("/v1/majors", headers=PORTAL).json}
    assert early[("sxufe", "630701")]["plan_status"] == "not_in_force" and not early[("sxufe", "630701")]["plan_in_force"]
    assert client.get("/v1/majors?level=本科", headers=PORTAL).status_code == 422


def summary(decision):
    return {r["id"]: r["status"] for r in decision["requirements"] if r["status"] != "met"}


def test_english_ii_replaced_by_chosen_courses(client):
    body = example("accounting-english-substitution")
    resp = post(client, body)
    d = resp.json["decisions"][0]
    assert d["status"] == "eligible" and d["edition"] == "2017"
    english = next(r for r in d["requirements"] if r["id"] == "course:00015")
    assert english["status"] == "met"
    assert english["substitution"]["accepted"] == ["00009", "00058", "00162"]
    assert english["substitution"]["rejected"] == [{"code": "03708", "reason": "counted_elsewhere:course:03708"}]
    assert english["substitution"]["measure"] == {"verified": 16, "all": 16, "required": 14}
    elective = next(r for r in d["requirements"] if r["id"] == "group:elective")
    assert [c["code"] for c in elective["counted"]] == ["00149"]  # 00058 was chosen for the substitution
    assert [a["edition"] for a in d["alternatives"]] == ["2017", "2024"]


def test_too_few_substitution_credits_leave_english_unmet(client):
    body = example("accounting-english-substitution")
    body["substitution"] = ["00058", "00162"]
    d = post(client, body).json["decisions"][0]
    english = next(r for r in d["requirements"] if r["id"] == "course:00015")
    assert english["status"] == "unmet" and english["substitution"]["measure"]["all"] == 10
    assert d["status"] == "not_eligible"


def test_unverified_old_plan_course_makes_the_decision_pending(client):
    d = post(client, example("accounting-old-plan-pending")).json["decisions"][0]
    assert d["status"] == "pending_verification" and d["eligible"] is False
    assert summary(d) == {"course:03709": "pending"}  # credits are met even without it
    [counted] = next(r for r in d["requirements"] if r["id"] == "course:03709")["counted"]
    assert counted == {"code": "03709", "for": "03709", "credits": 4, "verified": False, "via": "direct"}


def test_prior_diploma_mismatch_is_unmet_for_benke(client):
    body = example("accounting-english-substitution")
    body["prior_diploma"]["name"] = "李建华"
    d = post(client, body).json["decisions"][0]
    pd = next(r for r in d["requirements"] if r["id"] == "prior-diploma")
    assert pd["status"] == "unmet" and pd["notes"] == ["mismatch:name"]
