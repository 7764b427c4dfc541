"""学信网 prior-diploma verification through the CHSI sandbox: stored as the provider says, mismatches shown."""
from __future__ import annotations

import pytest
from support.candidates import (
    AUDITOR,
    COUNTY,
    COUNTY_OTHER,
    MISMATCH,
    MISSING,
    NO_DIPLOMA,
    PROVINCE,
    SUBSTITUTE,
    UNVERIFIED,
    count,
    load,
    portal,
)

from service.candidates import diploma
from service.decisions.schemas import PriorDiplomaSchema

AUTH = {"authorisation_code": "QR-20261122-0001", "consent": True}


@pytest.fixture
def loaded(app, client):
    load(app)
    return client


def test_a_matching_record_is_stored_and_shown_masked(loaded, db):
    body = loaded.get(f"/v1/candidates/{SUBSTITUTE}/prior-diploma", headers=portal(SUBSTITUTE)).json
    assert (body["status"], body["consistent"]) == ("verified", True)
    assert body["record"]["school"] == "山西财经大学" and body["record"]["id_number"] == "140*************30"
    assert body["matches"] == {"name": True, "id_number": True, "gender": True}
    assert body["history"][0]["to_status"] == "found"
    record = diploma.prior_diploma_for(db, SUBSTITUTE)
    assert PriorDiplomaSchema().load(record)["verified"] is True and record["level"] == "专科"


def test_a_mismatch_is_stored_as_the_provider_says_and_shown_as_such(loaded, db):
    body = loaded.get(f"/v1/candidates/{MISMATCH}/prior-diploma", headers=PROVINCE).json
    assert body["record"]["name"] == "吴玖" and body["matches"]["name"] is False and body["consistent"] is False
    assert "姓名" in body["label"] and "招办" in body["label"]
    assert diploma.prior_diploma_for(db, MISMATCH)["name"] == "吴玖"  # the eligibility rules report the mismatch


def test_no_record_at_chsi(loaded, db):
    body = loaded.get(f"/v1/candidates/{NO_DIPLOMA}/prior-diploma", headers=AUDITOR).json
    assert body["status"] == "not_found" and body["record"] is None
    assert diploma.prior_diploma_for(db, NO_DIPLOMA) is None


def test_the_portal_authorises_and_a_second_authorisation_replaces_the_first(loaded, db):
    url = f"/v1/candidates/{MISSING}/prior-diploma"
    assert loaded.get(url, headers=portal(MISSING)).json["status"] == "none"
    first = loaded.post(url, json=AUTH, headers=portal(MISSING))
    assert first.status_code == 200 and first.json["status"] == "not_found"  # 张晓梅 is not in the registry
    second = loaded.post(url, json={**AUTH, "authorisation_code": "QR-20261122-0002"}, headers=portal(MISSING))
    assert [e["to_status"] for e in second.json["history"]] == ["not_found", "not_found"]
    assert second.json["history"][1]["from_status"] == "not_found"
    assert count(db, "prior_diplomas", "exam_number = ?", [MISSING]) == 1


def test_an_unverified_identity_cannot_authorise(loaded, db):
    resp = loaded.post(f"/v1/candidates/{UNVERIFIED}/prior-diploma", json=AUTH, headers=portal(UNVERIFIED))
    assert resp.status_code == 409 and resp.json["identity_status"] == "unverified"
    assert count(db, "prior_diplomas", "exam_number = ?", [UNVERIFIED]) == 0


@pytest.mark.parametrize("body, field", [
    ({"authorisation_code": "QR-1", "consent": True}, "authorisation_code"),
    ({"authorisation_code": "QR-20261122-0001", "consent": False}, "consent"),
    ({"authorisation_code": "QR-20261122-0001"}, "consent"),
    ({**AUTH, "school": "清华大学"}, "school"),
])
def test_bad_authorisations_are_422_and_store_nothing(loaded, db, body, field):
    resp = loaded.post(f"/v1/candidates/{MISSING}/prior-diploma", json=body, headers=portal(MISSING))
    assert resp.status_code == 422 and field in resp.json["fields"]
    assert count(db, "prior_diplomas", "exam_number = ?", [MISSING]) == 0


def test_only_the_candidate_authorises_and_only_the_district_reads(loaded):
    url = f"/v1/candidates/{SUBSTITUTE}/prior-diploma"
    assert loaded.post(url, json=AUTH, headers=COUNTY).status_code == 403
    assert loaded.post(url, json=AUTH, headers=portal(MISSING)).status_code == 404
    assert loaded.get(url, headers=COUNTY).status_code == 200
    assert loaded.get(url, headers=COUNTY_OTHER).status_code == 404
    assert loaded.get(url).status_code == 401
