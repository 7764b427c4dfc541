"""Registration and identity verification: 三照 / 两照 checked for real, sandbox check, county manual review."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from support.candidates import (
    AUDITOR,
    COUNTY,
    COUNTY_OTHER,
    ELIGIBLE,
    MANUAL,
    NEW,
    PROVINCE,
    UNVERIFIED,
    count,
    image,
    load,
    noisy_jpeg_over,
    portal,
    three_photos,
    two_photos,
    upload,
)
from support.common import auth_headers

from service.candidates import records as candidates
from service.errors import Conflict
from service.uploads.blobs import BlobStore


@pytest.fixture
def loaded(app, client):
    load(app)
    return client


def status(db, exam_number: str) -> str:
    return db.execute("SELECT identity_status FROM candidates WHERE exam_number = ?", [exam_number]).fetchone()[0]


def unchanged(db, exam_number: str, events_before: int) -> bool:
    return (status(db, exam_number) == "unverified" and count(db, "identity_photos", "exam_number = ?", [exam_number]) == 0
            and count(db, "candidate_events", "exam_number = ?", [exam_number]) == events_before)


def test_a_new_candidate_uploads_three_photos_and_is_verified_online(app, loaded, db):
    resp = upload(loaded, NEW, three_photos())
    assert resp.status_code == 200, resp.json
    body = resp.json
    assert (body["status"], body["verified"], body["enrolled"]) == ("online_passed", True, False)
    assert sorted(p["kind"] for p in body["photos"]) == ["holding_id", "id_card", "id_photo"]
    event = body["history"][-1]
    assert (event["from_status"], event["to_status"], event["role"]) == ("unverified", "online_passed", "portal")
    assert event["actor"] == f"portal:portal-backend for {NEW}" and "identity-sandbox" in event["reason"]
    blobs = BlobStore(Path(app.config["BLOB_DIR"]))
    for photo in body["photos"]:
        assert blobs.exists(photo["sha256"])  # bytes on disk, the hash in the database
    got = loaded.get(f"/v1/candidates/{NEW}/identity/photos/id_photo", headers=portal(NEW))
    assert got.status_code == 200 and got.mimetype == "image/jpeg" and got.data == three_photos()["id_photo"]
    candidates.require_identity_verified(db, NEW)


def test_an_enrolled_candidate_uploads_two(loaded):
    resp = upload(loaded, UNVERIFIED, two_photos())
    assert resp.status_code == 200 and resp.json["status"] == "online_passed"
    assert [p["kind"] for p in resp.json["required_photos"]] == ["id_card", "holding_id"]


def test_a_third_photo_from_an_enrolled_candidate_is_refused_not_ignored(loaded, db):
    before = count(db, "candidate_events", "exam_number = ?", [UNVERIFIED])
    resp = upload(loaded, UNVERIFIED, three_photos())
    assert resp.status_code == 422 and "an enrolled candidate" in resp.json["fields"]["id_photo"][0]
    assert unchanged(db, UNVERIFIED, before)


def test_a_missing_photo_is_named(loaded, db):
    before = count(db, "candidate_events", "exam_number = ?", [NEW])
    resp = upload(loaded, NEW, {"id_photo": three_photos()["id_photo"]})
    assert resp.status_code == 422 and set(resp.json["fields"]) == {"id_card", "holding_id"}
    assert unchanged(db, NEW, before)


@pytest.mark.parametrize("data, code, words", [
    (image("GIF"), 415, "GIF"),
    (b"%PDF-1.7\n" + b"0" * 500, 415, "PDF"),
    (image("PNG")[:200], 422, "damaged"),
    (image("JPEG", size=(120, 160)), 422, "too small"),
    (b"", 422, "empty"),
])
def test_bad_photos_are_refused_by_content_and_nothing_is_stored(app, loaded, db, data, code, words):
    before = count(db, "candidate_events", "exam_number = ?", [UNVERIFIED])
    resp = upload(loaded, UNVERIFIED, {**two_photos(), "holding_id": data})
    assert resp.status_code == code, resp.json
    assert words in resp.json["fields"]["holding_id"][0]
    assert unchanged(db, UNVERIFIED, before)
    good = hashlib.sha256(two_photos()["id_card"]).hexdigest()
    assert not BlobStore(Path(app.config["BLOB_DIR"])).exists(good)  # the good photo was not kept either


def test_an_oversized_photo_is_413(loaded, db):
    before = count(db, "candidate_events", "exam_number = ?", [UNVERIFIED])
    resp = upload(loaded, UNVERIFIED, {**two_photos(), "id_card": noisy_jpeg_over(2 * 1024 * 1024)})
    assert resp.status_code == 413 and "2 MB" in resp.json["fields"]["id_card"][0]
    assert unchanged(db, UNVERIFIED, before)


def test_several_kinds_of_problem_are_all_listed(loaded):
    resp = upload(loaded, NEW, {"id_photo": image("GIF"), "id_card": b"", "selfie": image()}, form={"note": "hi"})
    assert resp.status_code == 422
    assert set(resp.json["fields"]) == {"id_photo", "id_card", "holding_id", "selfie", "note"}


def test_a_png_named_jpg_is_judged_by_its_content(loaded):
    png = {k: image("PNG", size=(400, 500)) for k in ("id_card", "holding_id")}
    resp = upload(loaded, UNVERIFIED, png)
    assert resp.status_code == 200 and {p["format"] for p in resp.json["photos"]} == {"png"}


def test_json_instead_of_files_is_refused(loaded):
    resp = loaded.post(f"/v1/candidates/{UNVERIFIED}/identity/photos", json={"id_card": "base64..."},
                       headers=portal(UNVERIFIED))
    assert resp.status_code == 422 and "multipart/form-data" in resp.json["fields"]["body"][0]


def test_the_sandbox_marker_goes_to_manual_review_and_the_county_approves(loaded, db):
    body = loaded.get(f"/v1/candidates/{MANUAL}/identity", headers=COUNTY).json
    assert body["status"] == "manual_review" and body["allowed"] == ["manual_approve", "manual_reject"]
    assert "sandbox test marker" in body["history"][-1]["reason"]
    with pytest.raises(Conflict) as exc:
        candidates.require_identity_verified(db, MANUAL)
    assert exc.value.extra["identity_status"] == "manual_review"
    photo = loaded.get(f"/v1/candidates/{MANUAL}/identity/photos/id_card", headers=COUNTY)
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    resp = loaded.post(f"/v1/candidates/{MANUAL}/identity/review", json={"decision": "approve"}, headers=COUNTY)
    assert resp.status_code == 200 and resp.json["status"] == "manual_passed"
    last = resp.json["history"][-1]
    assert (last["action"], last["from_status"], last["to_status"], last["actor"]) == (
        "manual_approve", "manual_review", "manual_passed", "county:小店区招办 王老师")
    candidates.require_identity_verified(db, MANUAL)
    again = loaded.post(f"/v1/candidates/{MANUAL}/identity/review", json={"decision": "reject", "reason": "x"},
                        headers=COUNTY)
    assert again.status_code == 409 and again.json["identity_status"] == "manual_passed"


def test_a_rejection_needs_a_reason_and_new_photos_go_to_a_person_again(loaded, db):
    url = f"/v1/candidates/{MANUAL}/identity/review"
    events = count(db, "candidate_events", "exam_number = ?", [MANUAL])
    no_reason = loaded.post(url, json={"decision": "reject"}, headers=COUNTY)
    assert no_reason.status_code == 422 and "reason" in no_reason.json["fields"]
    assert status(db, MANUAL) == "manual_review" and count(db, "candidate_events", "exam_number = ?", [MANUAL]) == events
    rejected = loaded.post(url, json={"decision": "reject", "reason": "手持身份证照与证件照不是同一人"}, headers=PROVINCE)
    assert rejected.status_code == 200 and rejected.json["status"] == "rejected"
    assert rejected.json["history"][-1]["reason"] == "手持身份证照与证件照不是同一人"
    retry = upload(loaded, MANUAL, two_photos())
    assert retry.status_code == 200 and retry.json["status"] == "manual_review"


def test_a_verified_identity_cannot_be_uploaded_again(loaded, db):
    resp = upload(loaded, ELIGIBLE, two_photos())
    assert resp.status_code == 409 and resp.json["identity_status"] == "online_passed"
    assert count(db, "identity_photos", "exam_number = ?", [ELIGIBLE]) == 2


def test_who_may_do_what(loaded, db):
    c = loaded
    review = f"/v1/candidates/{MANUAL}/identity/review"
    assert c.post(review, json={"decision": "approve"}, headers=COUNTY_OTHER).status_code == 404  # 迎泽区 staff
    assert c.post(review, json={"decision": "approve"}, headers=AUDITOR).status_code == 403
    assert c.post(review, json={"decision": "approve"}, headers=portal(MANUAL)).status_code == 403
    assert c.post(review, json={"decision": "approve"}).status_code == 401
    assert c.post(review, json={"decision": "maybe"}, headers=COUNTY).status_code == 422
    assert upload(c, UNVERIFIED, two_photos(), headers=portal(NEW)).status_code == 404  # someone else's
    assert upload(c, UNVERIFIED, two_photos(), headers=auth_headers("portal")).status_code == 422  # no X-Candidate
    assert upload(c, UNVERIFIED, two_photos(), headers=COUNTY).status_code == 403
    assert c.get(f"/v1/candidates/{MANUAL}/identity/photos/id_card", headers=AUDITOR).status_code == 403
    assert c.get(f"/v1/candidates/{MANUAL}/identity/photos/id_card", headers=COUNTY_OTHER).status_code == 404
    assert c.get(f"/v1/candidates/{MANUAL}/identity/photos/passport", headers=COUNTY).status_code == 404
    assert c.get(f"/v1/candidates/{MANUAL}/identity", headers=AUDITOR).status_code == 200
    assert status(db, MANUAL) == "manual_review" and status(db, UNVERIFIED) == "unverified"


def test_the_identity_gate_refuses_the_graduation_application(loaded, db):
    from support.applications import fill

    resp = loaded.post("/v1/applications", json=fill(UNVERIFIED), headers=portal(UNVERIFIED))
    assert resp.status_code == 409 and resp.json["identity_status"] == "unverified"
    assert count(db, "applications") == 0


def test_the_state_table_is_published(loaded):
    body = loaded.get("/v1/identity-states", headers=AUDITOR).json
    assert body["initial"] == "unverified" and body["verified"] == ["online_passed", "manual_passed"]
    assert {"action": "manual_reject", "from": "manual_review", "to": "rejected", "roles": ["county", "province"],
            "when": None, "reason_required": True} in body["transitions"]


def test_the_history_cannot_be_rewritten(loaded, db):
    import sqlite3

    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE candidate_events SET reason = 'x'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM candidate_events")


def test_a_part_without_a_field_name_is_a_422_not_a_500(client):
    # found by schemathesis: a multipart part with no name made sorting the field names fail (a 500)
    boundary = "b0undary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data\r\n\r\nx\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"id_card\"; filename=\"a.jpg\"\r\n"
            f"Content-Type: image/jpeg\r\n\r\nyy\r\n--{boundary}--\r\n").encode()
    resp = client.post("/v1/candidates/010119100001/identity/photos", data=body,
                       headers={**auth_headers("portal", "010119100001"),
                                "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert resp.status_code == 422, resp.get_json()
    assert "body" in resp.get_json()["fields"]
