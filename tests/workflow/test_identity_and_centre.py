"""Identity verification and the personal centre, end to end over HTTP, as the portal and county staff use them.

Complements test_identity.py / test_centre.py / test_prior_diploma.py with the
paths they leave out: a scripted identity provider (online failure, retries,
rejection and approval in one candidate's life), racing reviewers, uploads beyond
the request limit, the configurable 学信网 sandbox registry and mismatches of the
ID number and gender, each role's limits on every identity endpoint, a new
candidate's centre, and that personal data stays out of the logs.
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import threading

import pytest
from PIL import Image
from support.candidates import (
    AUDITOR,
    COUNTY,
    COUNTY_OTHER,
    CURRICULUM,
    MANUAL,
    MISSING,
    NEW,
    PROVINCE,
    UNVERIFIED,
    count,
    load,
    noisy_jpeg_over,
    portal,
    three_photos,
    two_photos,
    upload,
)
from support.common import auth_headers

from service.candidates import diploma
from service.candidates import records as candidates
from service.identity.providers import IdentityProvider, Outcome

AUTH = {"authorisation_code": "QR-20261122-0101", "consent": True}
MISSING_ID = "140106199807221046"  # 张晓梅 in fixtures/candidates.json


class ScriptedIdentityProvider(IdentityProvider):
    """Answers with the verdicts it is given, in order, and remembers what it was asked."""

    name = "identity-scripted"

    def __init__(self, *verdicts: bool):
        self.verdicts = list(verdicts)
        self.calls: list[tuple[str, dict]] = []

    def verify(self, candidate, photos):
        self.calls.append((candidate["exam_number"], dict(photos)))
        passed = self.verdicts.pop(0)
        return Outcome(passed, "scripted pass" if passed else "scripted failure", f"SCR-{len(self.calls)}")


class FixedDiplomaProvider(diploma.DiplomaProvider):
    """Returns one record whoever asks: what a real 学信网 answer looks like when someone else authorised."""

    name = "chsi-fixed"

    def __init__(self, record: dict):
        self.record = record

    def verify(self, id_number, authorisation):
        return dict(self.record)


@pytest.fixture
def loaded(app, client):
    load(app)
    return client


def status(db, exam_number: str) -> str:
    return db.execute("SELECT identity_status FROM candidates WHERE exam_number = ?", [exam_number]).fetchone()[0]


def stored_hashes(db, exam_number: str) -> dict:
    rows = db.execute("SELECT kind, sha256 FROM identity_photos WHERE exam_number = ?", [exam_number]).fetchall()
    return dict(rows)


def review(client, exam_number: str, headers, decision: str, reason: str | None = None):
    body = {"decision": decision, **({"reason": reason} if reason is not None else {})}
    return client.post(f"/v1/candidates/{exam_number}/identity/review", json=body, headers=headers)


def another_photo(seed: str) -> bytes:
    """A valid PNG photo other than the demo stand-ins, so a second upload is told apart from the first."""
    out = io.BytesIO()
    shade = int(hashlib.sha256(seed.encode()).hexdigest()[:2], 16) % 50
    Image.new("RGB", (600, 800), (150 + shade, 190, 230)).save(out, "PNG")
    return out.getvalue()


def steps(history: list[dict]) -> list[tuple]:
    return [(e["action"], e["from_status"], e["to_status"], e["role"]) for e in history if e["subject"] == "identity"]


# --- one candidate's whole identity life --------------------------------------------

def test_online_failure_county_rejection_new_photos_and_approval(app, loaded, db):
    provider = ScriptedIdentityProvider(False, True)
    app.config["IDENTITY_PROVIDER"] = provider
    mine = portal(UNVERIFIED)

    first = upload(loaded, UNVERIFIED, two_photos())
    assert first.status_code == 200 and first.json["status"] == "manual_review"
    assert "scripted failure" in first.json["history"][-1]["reason"]
    assert provider.calls == [(UNVERIFIED, stored_hashes(db, UNVERIFIED))]  # the stored photos are the checked ones
    centre = loaded.get("/v1/centre", headers=mine).json
    assert centre["identity"]["status"] == "manual_review" and not any(b["usable"] for b in centre["businesses"])
    waiting = loaded.get("/v1/candidates?identity_status=manual_review", headers=COUNTY).json
    assert UNVERIFIED in [c["exam_number"] for c in waiting["items"]]

    rejected = review(loaded, UNVERIFIED, COUNTY, "reject", "手持身份证照看不清证件号码")
    assert rejected.status_code == 200 and rejected.json["status"] == "rejected"
    own = loaded.get(f"/v1/candidates/{UNVERIFIED}/identity", headers=mine).json
    assert own["label"] == "报名点人工审核未通过，请重新上传照片" and own["allowed"] == ["upload_photos"]
    assert own["history"][-1]["reason"] == "手持身份证照看不清证件号码"  # the candidate reads why
    late = review(loaded, UNVERIFIED, PROVINCE, "approve")
    assert late.status_code == 409 and late.json["identity_status"] == "rejected" and late.json["allowed"] == []

    # after a rejection new photos go to a person, even though the online check now passes
    retry = upload(loaded, UNVERIFIED, {"id_card": another_photo("id_card"), "holding_id": another_photo("hold")})
    assert retry.status_code == 200 and retry.json["status"] == "manual_review"
    assert provider.calls[1] == (UNVERIFIED, stored_hashes(db, UNVERIFIED)) and count(
        db, "identity_photos", "exam_number = ?", [UNVERIFIED]) == 2  # the new pair replaced the old one

    approved = review(loaded, UNVERIFIED, COUNTY, "approve", "与身份证核对一致")
    assert approved.status_code == 200 and approved.json["status"] == "manual_passed"
    candidates.require_identity_verified(db, UNVERIFIED)
    centre = loaded.get("/v1/centre", headers=mine).json
    assert all(b["usable"] == b["open"] for b in centre["businesses"]) and any(b["usable"] for b in centre["businesses"])

    history = loaded.get(f"/v1/candidates/{UNVERIFIED}/history", headers=mine).json
    assert steps(history) == [
        ("upload_photos", "unverified", "manual_review", "portal"),
        ("manual_reject", "manual_review", "rejected", "county"),
        ("upload_photos", "rejected", "manual_review", "portal"),
        ("manual_approve", "manual_review", "manual_passed", "county"),
    ]
    assert history[-1]["actor"] == "county:小店区招办 王老师" and history[-1]["reason"] == "与身份证核对一致"
    assert all(e["at"] == "2026-11-22T10:00:00+08:00" for e in history if e["subject"] == "identity")


def test_trying_online_again_while_waiting_for_the_county(app, loaded, db):
    app.config["IDENTITY_PROVIDER"] = ScriptedIdentityProvider(False, False, True)
    outcomes = [upload(loaded, NEW, three_photos()).json["status"] for _ in range(3)]
    assert outcomes == ["manual_review", "manual_review", "online_passed"]
    history = loaded.get(f"/v1/candidates/{NEW}/identity", headers=PROVINCE).json["history"]
    assert steps(history) == [("upload_photos", "unverified", "manual_review", "portal"),
                              ("upload_photos", "manual_review", "manual_review", "portal"),
                              ("upload_photos", "manual_review", "online_passed", "portal")]
    assert count(db, "identity_photos", "exam_number = ?", [NEW]) == 3


def test_two_reviewers_at_once_exactly_one_decides(app, loaded, db):
    barrier = threading.Barrier(2)
    answers: list = []

    def decide(headers, decision, reason):
        client = app.test_client()
        barrier.wait()
        resp = review(client, MANUAL, headers, decision, reason)
        answers.append((resp.status_code, resp.json))

    threads = [threading.Thread(target=decide, args=(COUNTY, "approve", None)),
               threading.Thread(target=decide, args=(PROVINCE, "reject", "不是同一人"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(code for code, _ in answers)
    assert codes == [200, 409]
    winner = next(body for code, body in answers if code == 200)
    loser = next(body for code, body in answers if code == 409)
    assert loser["identity_status"] == winner["status"] == status(db, MANUAL)
    decisions = [e for e in winner["history"] if e["action"] in ("manual_approve", "manual_reject")]
    assert len(decisions) == 1


# --- uploads that are refused -------------------------------------------------------

def test_a_photo_sent_twice_in_one_field_is_refused(loaded, db):
    photos = two_photos()
    data = {"id_card": [(io.BytesIO(photos["id_card"]), "a.jpg"), (io.BytesIO(photos["id_card"]), "b.jpg")],
            "holding_id": (io.BytesIO(photos["holding_id"]), "c.jpg")}
    resp = loaded.post(f"/v1/candidates/{UNVERIFIED}/identity/photos", data=data, content_type="multipart/form-data",
                       headers=portal(UNVERIFIED))
    assert resp.status_code == 422 and list(resp.json["fields"]) == ["id_card"]
    assert status(db, UNVERIFIED) == "unverified" and count(db, "identity_photos", "exam_number = ?", [UNVERIFIED]) == 0


def test_a_body_beyond_the_request_limit_is_413_and_nothing_is_stored(app, loaded, db):
    app.config["MAX_CONTENT_LENGTH"] = 512 * 1024
    events = count(db, "candidate_events", "exam_number = ?", [UNVERIFIED])
    big = noisy_jpeg_over(600 * 1024)
    resp = upload(loaded, UNVERIFIED, {"id_card": big, "holding_id": two_photos()["holding_id"]})
    assert resp.status_code == 413 and resp.json["error"] == "payload_too_large"
    assert status(db, UNVERIFIED) == "unverified"
    assert count(db, "identity_photos", "exam_number = ?", [UNVERIFIED]) == 0
    assert count(db, "candidate_events", "exam_number = ?", [UNVERIFIED]) == events


def test_an_enrolled_candidate_sending_id_photo_alone_hears_about_both(loaded, db):
    resp = upload(loaded, UNVERIFIED, {"id_photo": three_photos()["id_photo"]})
    assert resp.status_code == 422
    assert set(resp.json["fields"]) == {"id_photo", "id_card", "holding_id"}
    assert "an enrolled candidate" in resp.json["fields"]["id_photo"][0]
    assert count(db, "identity_photos", "exam_number = ?", [UNVERIFIED]) == 0


# --- 学信网: the registry is configurable, and every mismatch is named -----------------

def test_the_sandbox_registry_is_configurable_and_a_gender_mismatch_is_named(app, loaded, db, tmp_path):
    registry = tmp_path / "chsi.json"
    registry.write_text(json.dumps({"records": [{
        "name": "张晓梅", "id_number": MISSING_ID, "gender": "男", "school": "山西大学", "major": "法律事务",
        "level": "专科", "study_form": "业余", "category": "成人高等教育", "enrolled_year": 2016,
        "graduation_year": 2019, "conclusion": "毕业", "certificate_no": "101081201906000001"}]},
        ensure_ascii=False), encoding="utf-8")
    app.config["CHSI_SANDBOX_REGISTRY"] = str(registry)
    resp = loaded.post(f"/v1/candidates/{MISSING}/prior-diploma", json=AUTH, headers=portal(MISSING))
    assert resp.status_code == 200, resp.json
    body = resp.json
    assert (body["status"], body["consistent"]) == ("verified", False)
    assert body["matches"] == {"name": True, "id_number": True, "gender": False}
    assert "性别" in body["label"] and "姓名" not in body["label"]
    assert body["record"]["school"] == "山西大学" and MISSING_ID not in json.dumps(body)
    seen = loaded.get(f"/v1/candidates/{MISSING}/prior-diploma", headers=COUNTY).json
    assert seen["matches"] == body["matches"] and seen["history"][-1]["to_status"] == "found"
    assert diploma.prior_diploma_for(db, MISSING)["gender"] == "男"  # kept as 学信网 says; the rules judge it


def test_a_record_of_someone_else_names_the_name_and_the_id_number(app, loaded, db):
    other_id = "140105199503151230"
    app.config["DIPLOMA_PROVIDER"] = FixedDiplomaProvider({
        "name": "李建国", "id_number": other_id, "gender": "女", "school": "山西财经大学", "major": "会计",
        "level": "专科", "study_form": "全日制", "category": "普通高等教育", "enrolled_year": 2014,
        "graduation_year": 2017, "conclusion": "毕业", "certificate_no": "101251201705001234"})
    resp = loaded.post(f"/v1/candidates/{MISSING}/prior-diploma", json=AUTH, headers=portal(MISSING))
    assert resp.status_code == 200
    assert resp.json["matches"] == {"name": False, "id_number": False, "gender": True}
    assert "姓名、身份证号" in resp.json["label"] and "招办" in resp.json["label"]
    assert resp.json["record"]["id_number"] == "140*************30" and other_id not in json.dumps(resp.json)
    centre = loaded.get("/v1/centre", headers=portal(MISSING)).json
    assert centre["prior_diploma"]["consistent"] is False and centre["prior_diploma"]["matches"]["id_number"] is False


def test_a_missing_registry_file_is_a_plain_500_logged_without_personal_data(app, loaded, db, tmp_path, caplog):
    app.config["CHSI_SANDBOX_REGISTRY"] = str(tmp_path / "absent.json")
    caplog.set_level(logging.DEBUG)
    resp = loaded.post(f"/v1/candidates/{MISSING}/prior-diploma", json=AUTH, headers=portal(MISSING))
    assert resp.status_code == 500 and "Traceback" not in resp.get_data(as_text=True)
    assert resp.is_json and set(resp.json) >= {"error", "message"}
    assert count(db, "prior_diplomas", "exam_number = ?", [MISSING]) == 0
    assert caplog.records and MISSING_ID not in caplog.text and "13900000001" not in caplog.text


# --- each role's limits ----------------------------------------------------------

READS = ("/identity", "/history", "/prior-diploma", "", "/courses")


@pytest.mark.parametrize("path", READS)
def test_who_may_read_a_candidate(loaded, path):
    url = f"/v1/candidates/{MANUAL}{path}"
    assert loaded.get(url).status_code == 401
    assert loaded.get(url, headers=CURRICULUM).status_code == 403
    assert loaded.get(url, headers=auth_headers("portal")).status_code == 422  # whom does the portal act for?
    assert loaded.get(url, headers=portal(MISSING)).status_code == 404         # someone else's
    assert loaded.get(url, headers=COUNTY_OTHER).status_code == 404            # another district's
    for allowed in (portal(MANUAL), COUNTY, PROVINCE, AUDITOR):
        assert loaded.get(url, headers=allowed).status_code == 200


def test_who_may_change_a_candidate(loaded, db):
    base = f"/v1/candidates/{MANUAL}"
    events = count(db, "candidate_events", "exam_number = ?", [MANUAL])
    for headers in (AUDITOR, CURRICULUM, PROVINCE, COUNTY):
        assert upload(loaded, MANUAL, two_photos(), headers=headers).status_code == 403
    for headers in (AUDITOR, CURRICULUM, COUNTY, PROVINCE):
        assert loaded.post(f"{base}/prior-diploma", json=AUTH, headers=headers).status_code == 403
    for headers in (AUDITOR, CURRICULUM, portal(MANUAL)):
        assert review(loaded, MANUAL, headers, "approve").status_code == 403
    assert review(loaded, MANUAL, COUNTY_OTHER, "approve").status_code == 404
    assert review(loaded, MANUAL, auth_headers("portal"), "approve").status_code == 403
    assert loaded.get(f"{base}/identity/photos/id_card", headers=AUDITOR).status_code == 403
    assert loaded.get(f"{base}/identity/photos/id_card", headers=portal(MISSING)).status_code == 404
    assert loaded.get(f"{base}/identity/photos/id_card", headers=PROVINCE).status_code == 200
    assert status(db, MANUAL) == "manual_review"
    assert count(db, "candidate_events", "exam_number = ?", [MANUAL]) == events


def test_reference_lists_are_for_every_authenticated_role(loaded):
    for role in ("portal", "county", "province", "auditor", "curriculum"):
        headers = auth_headers(role)
        assert loaded.get("/v1/districts", headers=headers).status_code == 200
        assert loaded.get("/v1/windows", headers=headers).status_code == 200
    assert loaded.get("/v1/districts").status_code == 401


# --- the personal centre of a new candidate ------------------------------------------

def test_a_new_candidates_centre_before_and_after_the_three_photos(loaded):
    before = loaded.get("/v1/centre", headers=portal(NEW)).json
    assert before["profile"]["enrolled"] is False
    assert before["profile"]["id_number"] == "140*************24" and before["profile"]["phone"] == "139****0011"
    assert [p["kind"] for p in before["identity"]["required_photos"]] == ["id_photo", "id_card", "holding_id"]
    assert before["identity"]["photos"] == [] and before["identity"]["allowed"] == ["upload_photos"]
    assert before["passed_courses"] == [] and before["passed_credits"] == 0
    assert before["prior_diploma"]["status"] == "none" and before["application"] is None
    assert not any(b["usable"] for b in before["businesses"])

    assert upload(loaded, NEW, three_photos()).status_code == 200
    after = loaded.get("/v1/centre", headers=portal(NEW)).json
    assert after["identity"]["status"] == "online_passed"
    assert sorted(p["kind"] for p in after["identity"]["photos"]) == ["holding_id", "id_card", "id_photo"]
    assert [b["usable"] for b in after["businesses"]] == [b["open"] for b in after["businesses"]]


def test_staff_filter_new_candidates_within_their_view(loaded):
    new = loaded.get("/v1/candidates?enrolled=false", headers=PROVINCE).json
    assert [c["exam_number"] for c in new["items"]] == [NEW] and new["items"][0]["phone"] == "139****0011"
    assert loaded.get("/v1/candidates?enrolled=false", headers=COUNTY).json == {"total": 0, "limit": 50, "offset": 0, "items": []}
    unverified = loaded.get("/v1/candidates?identity_status=unverified", headers=COUNTY).json
    assert [c["exam_number"] for c in unverified["items"]] == [UNVERIFIED]
