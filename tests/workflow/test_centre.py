"""The personal centre (个人中心) and the staff views of candidates, with each role's limits."""
from __future__ import annotations

import pytest
from support.candidates import (
    AUDITOR,
    COUNTY,
    COUNTY_OTHER,
    CURRICULUM,
    ELIGIBLE,
    MISMATCH,
    MISSING,
    PROVINCE,
    UNVERIFIED,
    YINGZE,
    load,
    portal,
)
from support.common import auth_headers


@pytest.fixture
def loaded(app, client):
    load(app)
    return client


def centre(client, exam_number: str) -> dict:
    resp = client.get("/v1/centre", headers=portal(exam_number))
    assert resp.status_code == 200, resp.json
    return resp.json


def test_the_centre_shows_a_masked_profile_windows_and_the_passed_courses(loaded):
    body = centre(loaded, MISSING)
    assert body["now"] == "2026-11-22T10:00:00+08:00"
    assert body["profile"] == {"exam_number": MISSING, "name": "张晓梅", "id_number": "140*************46",
                               "gender": "女", "phone": "139****0001", "district": "太原市小店区", "enrolled": True,
                               "registered_at": "2026-11-22T10:00:00+08:00"}
    businesses = {b["business"]: b for b in body["businesses"]}
    assert list(businesses)[:5] == ["理论课报名", "转考申请", "免考申请", "实践性环节报名", "毕业申请"]
    assert businesses["毕业申请"]["label"] == "已开放" and businesses["毕业申请"]["usable"] is True
    assert businesses["实践性环节报名"]["label"] == "未开放" and businesses["实践性环节报名"]["opens"] is None
    codes = [c["code"] for c in body["passed_courses"]]
    assert len(codes) == 17 and "00181" not in codes  # 00181 was failed (52): not a 合格成绩
    assert body["passed_credits"] == 74
    assert body["identity"]["status"] == "online_passed" and body["prior_diploma"]["status"] == "none"
    assert body["application"] is None
    assert "140106199807221046" not in str(body) and "13900000001" not in str(body)


def test_outside_the_window_the_dates_are_shown(app, loaded):
    app.config["CLOCK_NOW"] = "2026-10-08T10:00"
    grad = next(b for b in centre(loaded, MISSING)["businesses"] if b["business"] == "毕业申请")
    assert (grad["label"], grad["usable"], grad["opens"]) == ("未开放", False, "2026-11-09T09:00+08:00")


def test_an_unverified_candidate_sees_the_windows_but_cannot_use_them(loaded):
    body = centre(loaded, UNVERIFIED)
    assert body["identity"]["status"] == "unverified" and body["identity"]["allowed"] == ["upload_photos"]
    assert not any(b["usable"] for b in body["businesses"])


def test_the_centre_shows_the_graduation_application(loaded):
    from support.applications import fill

    created = loaded.post("/v1/applications", json=fill(ELIGIBLE), headers=portal(ELIGIBLE))
    assert created.status_code == 201, created.json
    application = centre(loaded, ELIGIBLE)["application"]
    assert application["id"] == created.json["id"] and application["state"] == "draft"


def test_the_centre_shows_a_prior_diploma_mismatch(loaded):
    diploma = centre(loaded, MISMATCH)["prior_diploma"]
    assert diploma["consistent"] is False and diploma["matches"]["name"] is False


def test_the_centre_is_the_portals_and_needs_the_candidate(loaded):
    assert loaded.get("/v1/centre").status_code == 401
    assert loaded.get("/v1/centre", headers=auth_headers("portal")).status_code == 422
    assert loaded.get("/v1/centre", headers=portal("019999999999")).status_code == 404
    for headers in (COUNTY, PROVINCE, AUDITOR, CURRICULUM):
        assert loaded.get("/v1/centre", headers=headers).status_code == 403


def test_county_staff_list_only_their_district_masked(loaded):
    body = loaded.get("/v1/candidates", headers=COUNTY).json
    assert body["total"] == 5 and {c["district"] for c in body["items"]} == {"太原市小店区"}
    first = body["items"][0]
    assert first["id_number"] == "140*************46" and first["phone"] == "139****0001"
    other = loaded.get("/v1/candidates", headers=COUNTY_OTHER).json
    assert {c["district"] for c in other["items"]} == {"太原市迎泽区"}
    # a filter cannot widen a county's view
    assert loaded.get("/v1/candidates?district=太原市迎泽区", headers=COUNTY).json["total"] == 0


def test_province_and_auditors_list_everyone_and_filter(loaded):
    assert loaded.get("/v1/candidates", headers=PROVINCE).json["total"] == 13
    review = loaded.get("/v1/candidates?identity_status=manual_review", headers=AUDITOR).json
    assert [c["exam_number"] for c in review["items"]] == ["010119100010"]
    page = loaded.get("/v1/candidates?limit=2&offset=2", headers=AUDITOR).json
    assert page["total"] == 13 and len(page["items"]) == 2
    bad = loaded.get("/v1/candidates?limit=0&identity_status=happy&colour=red", headers=AUDITOR)
    assert bad.status_code == 422 and {"limit", "identity_status", "colour"} <= set(bad.json["fields"])


def test_lists_are_for_staff(loaded):
    assert loaded.get("/v1/candidates").status_code == 401
    assert loaded.get("/v1/candidates", headers=portal(MISSING)).status_code == 403
    assert loaded.get("/v1/candidates", headers=CURRICULUM).status_code == 403


def test_one_candidate_by_role(loaded):
    url = f"/v1/candidates/{MISSING}"
    full = loaded.get(url, headers=COUNTY).json
    assert full["id_number"] == "140106199807221046"  # the county office compares it with the ID photos
    assert loaded.get(url, headers=AUDITOR).json["id_number"] == "140*************46"
    own = loaded.get(url, headers=portal(MISSING)).json
    assert own["id_number"] == "140*************46" and own["identity"]["status"] == "online_passed"
    assert loaded.get(url, headers=COUNTY_OTHER).status_code == 404
    assert loaded.get(url, headers=portal(YINGZE)).status_code == 404
    assert loaded.get(f"/v1/candidates/{YINGZE}", headers=COUNTY_OTHER).status_code == 200


def test_courses_and_history(loaded):
    passed = loaded.get(f"/v1/candidates/{MISSING}/courses", headers=portal(MISSING)).json
    every = loaded.get(f"/v1/candidates/{MISSING}/courses?all=true", headers=COUNTY).json
    assert len(passed) == 17 and len(every) == 18
    assert {"code": "00181", "name": "广告学(一)", "credits": 4, "score": "52", "date": "2025-04-12",
            "source": "exam", "passed": False} in every
    history = loaded.get(f"/v1/candidates/{MISSING}/history", headers=AUDITOR).json
    assert [(e["subject"], e["action"]) for e in history] == [("record", "import"), ("identity", "upload_photos")]
    assert loaded.get(f"/v1/candidates/{MISSING}/history", headers=COUNTY_OTHER).status_code == 404
    assert loaded.get(f"/v1/candidates/{MISSING}/courses?all=maybe", headers=COUNTY).status_code == 422
