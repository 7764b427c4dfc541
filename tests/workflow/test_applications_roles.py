"""Who may do what: candidates their own, county staff their district, province all, auditors read only."""
from __future__ import annotations

import pytest
from support.applications import (
    AUDITOR,
    COUNTY,
    COUNTY_OTHER,
    ELIGIBLE,
    MISSING,
    PROVINCE,
    UNVERIFIED,
    Driver,
    fill,
    portal,
    prepare,
)
from support.common import auth_headers


@pytest.fixture
def drive(app, client):
    prepare(app)
    return Driver(client)


def test_unauthenticated_is_401(client, drive):
    app_id = drive.create(ELIGIBLE)["id"]
    for resp in (client.get("/v1/applications"), client.get(f"/v1/applications/{app_id}"),
                 client.post("/v1/applications", json=fill()),
                 client.get(f"/v1/applications/{app_id}", headers={"Authorization": "Bearer wrong"})):
        assert resp.status_code == 401


def test_the_portal_must_name_the_candidate(client, drive):
    resp = client.post("/v1/applications", json=fill(), headers=auth_headers("portal"))
    assert resp.status_code == 422 and "X-Candidate" in resp.json["fields"]


def test_a_candidate_cannot_reach_another_candidates_application(drive):
    app_id = drive.create(ELIGIBLE)["id"]
    other = portal(MISSING)
    c = drive.client
    assert c.get(f"/v1/applications/{app_id}", headers=other).status_code == 404
    assert c.get(f"/v1/applications/{app_id}/history", headers=other).status_code == 404
    assert c.put(f"/v1/applications/{app_id}", json=fill(), headers=other).status_code == 404
    assert c.post(f"/v1/applications/{app_id}/check", headers=other).status_code == 404
    assert c.post(f"/v1/applications/{app_id}/submit", json={"confirm": True}, headers=other).status_code == 404
    assert c.get("/v1/applications", headers=other).json["items"] == []
    assert [a["id"] for a in c.get("/v1/applications", headers=portal(ELIGIBLE)).json["items"]] == [app_id]
    assert drive.get(app_id)["state"] == "draft" and len(drive.history(app_id)) == 1


def test_county_staff_see_and_decide_only_their_district(drive):
    app_id = drive.awaiting_county()
    c = drive.client
    assert c.get(f"/v1/applications/{app_id}", headers=COUNTY_OTHER).status_code == 404
    assert c.get("/v1/applications", headers=COUNTY_OTHER).json["items"] == []
    assert c.post(f"/v1/applications/{app_id}/decision", json={"decision": "reject", "reason": "x"},
                  headers=COUNTY_OTHER).status_code == 404
    assert c.post(f"/v1/applications/{app_id}/old-plan/1/verification", json={"verified": True},
                  headers=COUNTY_OTHER).status_code == 404
    # asking for another district's list does not widen the view
    assert c.get("/v1/applications?district=太原市小店区", headers=COUNTY_OTHER).json["items"] == []
    listed = c.get("/v1/applications", headers=COUNTY).json["items"]
    assert [a["id"] for a in listed] == [app_id]
    assert drive.state(app_id) == "awaiting_county"


def test_lists_mask_phones(drive):
    drive.create(ELIGIBLE)
    [item] = drive.client.get("/v1/applications", headers=PROVINCE).json["items"]
    assert item["phone"] != "13912345678" and "*" in item["phone"] and "id_number" not in item
    assert "13912345678" not in drive.client.get("/v1/applications", headers=COUNTY).get_data(as_text=True)


def test_the_detail_shows_contact_details_to_who_uses_them_and_masks_them_for_auditors(drive):
    app_id = drive.create(ELIGIBLE)["id"]
    c = drive.client
    for headers in (portal(ELIGIBLE), COUNTY, PROVINCE):
        shown = c.get(f"/v1/applications/{app_id}", headers=headers).json
        assert shown["phone"] == "13912345678" and shown["address"] == "太原市小店区长风街1号"
    audited = c.get(f"/v1/applications/{app_id}", headers=AUDITOR)
    assert audited.json["phone"] == "139****5678" and audited.json["address"] is None
    assert "13912345678" not in audited.get_data(as_text=True) and "长风街" not in audited.get_data(as_text=True)


def test_province_sees_and_decides_everywhere(drive):
    app_id = drive.awaiting_county()
    drive.verify(app_id, headers=PROVINCE)
    assert drive.decide(app_id, "approve", headers=PROVINCE)["state"] == "county_approved"
    assert drive.history(app_id)[-1]["role"] == "province"


def test_auditors_read_everything_and_change_nothing(drive):
    app_id = drive.awaiting_county()
    c = drive.client
    assert c.get(f"/v1/applications/{app_id}", headers=AUDITOR).json["allowed"] == []
    assert c.get("/v1/applications", headers=AUDITOR).status_code == 200
    assert c.get(f"/v1/applications/{app_id}/photo", headers=AUDITOR).status_code == 200
    for method, path, body in [
        ("post", f"/v1/applications/{app_id}/decision", {"decision": "approve"}),
        ("post", f"/v1/applications/{app_id}/old-plan/1/verification", {"verified": True}),
        ("post", f"/v1/applications/{app_id}/photo-review", {"decision": "approve"}),
        ("post", f"/v1/applications/{app_id}/reapply", None),
        ("put", f"/v1/applications/{app_id}", fill(MISSING)),
        ("post", "/v1/applications", fill()),
    ]:
        resp = getattr(c, method)(path, json=body, headers=AUDITOR)
        assert resp.status_code == 403, (path, resp.json)
    assert drive.state(app_id) == "awaiting_county"


def test_staff_cannot_act_as_the_candidate_and_candidates_cannot_decide(drive):
    app_id = drive.awaiting_county()
    c = drive.client
    for headers in (COUNTY, PROVINCE):
        assert c.post(f"/v1/applications/{app_id}/reapply", headers=headers).status_code == 403
        assert c.post("/v1/applications", json=fill(), headers=headers).status_code == 403
    assert c.post(f"/v1/applications/{app_id}/decision", json={"decision": "approve"},
                  headers=portal(MISSING)).status_code == 403
    assert c.post(f"/v1/applications/{app_id}/old-plan/1/verification", json={"verified": True},
                  headers=portal(MISSING)).status_code == 403
    assert c.get("/v1/applications", headers=auth_headers("curriculum")).status_code == 403
    assert drive.state(app_id) == "awaiting_county"


def test_identity_must_be_verified_before_applying(drive, db):
    resp = drive.client.post("/v1/applications", json=fill(UNVERIFIED), headers=portal(UNVERIFIED))
    assert resp.status_code == 409 and resp.json["identity_status"] == "unverified"
    assert db.execute("SELECT count(*) FROM applications").fetchone()[0] == 0
