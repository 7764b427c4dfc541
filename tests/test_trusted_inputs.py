"""What an evaluation may assert, by who sends it (issue 14, finding 7): the person must be the registered one,
county staff stay in their district, the portal cannot declare a card verified, a sent transcript is marked."""
from __future__ import annotations

import copy

import pytest
from support.candidates import load
from support.common import auth_headers, example
from support.graduation_paths import id_number

from service.candidates import records
from service.store import decision_log
from service.store.db import connect

# these tests read what staff and candidates read: Chinese (tests/conftest.py)
pytestmark = pytest.mark.chinese_messages


EXAM = "010119100001"  # 张晓梅, 太原市小店区: 00181 failed on record
PORTAL = auth_headers("portal", EXAM)
COUNTY = auth_headers("county")              # 太原市小店区
COUNTY_OTHER = auth_headers("county-other")  # 太原市迎泽区
PROVINCE = auth_headers("province")


@pytest.fixture
def registered(app):
    load(app)
    return app


def post(client, body, headers):
    return client.post("/v1/evaluations", json=body, headers=headers)


def stored(app) -> int:
    db = connect(app.config["DATABASE"])
    try:
        return decision_log.count(db)
    finally:
        db.conn.close()


def test_a_registered_candidate_sent_with_another_person_is_refused_naming_every_field(registered, client):
    body = example("marketing-complete")
    body["candidate"].update(name="李四", id_number=id_number("024"), gender="女")
    for headers in (PROVINCE, COUNTY, PORTAL):
        resp = post(client, body, headers)
        assert resp.status_code == 422, resp.json
        assert set(resp.json["fields"]["candidate"]) == {"name", "id_number"}  # the gender is the record's
        assert resp.json["fields"]["candidate"]["name"][0].startswith("与考生登记信息不符")
    body["candidate"].update(id_number=id_number("013"), gender="男")
    assert set(post(client, body, PROVINCE).json["fields"]["candidate"]) == {"name", "id_number", "gender"}
    assert stored(registered) == 0


def test_an_unknown_exam_number_is_refused_for_county_and_portal_and_decided_as_sent_for_the_province(
        registered, client):
    body = example("marketing-complete")
    body["candidate"]["exam_number"] = "019999999999"
    assert post(client, body, auth_headers("portal", "019999999999")).json["fields"] == {
        "candidate": {"exam_number": ["不是已登记考生的准考证号"]}}
    county = post(client, body, COUNTY)
    assert county.status_code == 422 and "本区县" in county.json["fields"]["candidate"]["exam_number"][0]
    assert stored(registered) == 0
    resp = post(client, body, PROVINCE)
    assert resp.status_code == 201 and resp.json["transcript_source"] == "sent"


def test_county_staff_evaluate_only_their_districts_candidates(registered, client):
    body = example("marketing-complete")
    other = post(client, body, COUNTY_OTHER)
    # refused as an unknown exam number would be: the other district's candidate is not disclosed
    assert other.status_code == 422 and "本区县" in other.json["fields"]["candidate"]["exam_number"][0]
    assert stored(registered) == 0
    assert post(client, body, COUNTY).status_code == 201


def test_the_portal_cannot_declare_an_old_plan_card_verified(registered, client):
    body = example("marketing-missing-00181")
    body["old_plan_records"] = [{"code": "00181", "name": "广告学(一)", "date": "2012-10-21", "score": "71",
                                 "verified": True}]
    resp = post(client, body, PORTAL)
    assert resp.status_code == 422
    assert resp.json["fields"] == {"old_plan_records": {"0": {"verified": [
        "只有区县招办核验后才算已核验，门户不能声明"]}}}
    assert stored(registered) == 0
    # unverified, the card leaves the decision pending; a county office that checked the card may say so
    body["old_plan_records"][0]["verified"] = False
    assert post(client, body, PORTAL).json["decisions"][0]["status"] == "pending_verification"
    body["old_plan_records"][0]["verified"] = True
    assert post(client, body, COUNTY).json["decisions"][0]["status"] == "eligible"


def test_a_transcript_other_than_the_record_is_decided_as_sent_and_marked(registered, client):
    db = connect(registered.config["DATABASE"])
    body = example("marketing-complete")
    body["transcript"] = records.transcript(db, EXAM)
    as_recorded = post(client, body, PORTAL).json
    assert as_recorded["transcript_source"] == "record"
    assert as_recorded["decisions"][0]["status"] == "not_eligible"  # 00181 failed on record

    what_if = copy.deepcopy(body)
    next(r for r in what_if["transcript"] if r["code"] == "00181")["score"] = "75"
    planned = post(client, what_if, PORTAL).json
    assert planned["transcript_source"] == "sent" and planned["decisions"][0]["status"] == "eligible"
    kept = decision_log.get(db, planned["decisions"][0]["id"])
    assert kept["input"]["transcript_source"] == "sent"  # in the chained input: it cannot be changed unseen
    # the mark is in the answer the portal shows and in the stored decision an auditor reads
    shown = client.get(f"/v1/decisions/{planned['decisions'][0]['id']}", headers=PORTAL).json
    assert shown["input"]["transcript_source"] == "sent"
    replay = client.post(f"/v1/decisions/{planned['decisions'][0]['id']}/replay", headers=PORTAL).json
    assert replay["identical"] is True
    db.conn.close()
