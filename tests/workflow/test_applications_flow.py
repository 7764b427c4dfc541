"""The application over HTTP, path by path through the state table (seed 002, 六–七)."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from support.applications import (
    CARD_00181,
    COUNTY,
    ELIGIBLE,
    GRADUATION_CLOSED,
    MISSING,
    PROVINCE,
    SUBSTITUTE,
    SUBSTITUTION,
    Driver,
    fill,
    photo,
    portal,
    prepare,
)

from service.applications import records as applications


@pytest.fixture
def drive(app, client):
    prepare(app)
    return Driver(client)


def actions(history):
    return [(e["action"], e["from_state"], e["to_state"]) for e in history]


def test_eligible_candidate_is_approved_by_the_system(drive, db):
    app = drive.create(ELIGIBLE)
    assert (app["state"], app["attempt"], app["reapplications_left"]) == ("draft", 1, 1)
    assert app["allowed"] == ["update", "check", "attach_archive", "clear_archive", "submit"]
    checked = drive.check(ELIGIBLE, app["id"])
    [choice] = checked["choices"]
    assert (choice["status"], choice["eligible"], choice["unmet"]) == ("eligible", True, 0)
    # the full checklist: every plan course with ✓, as seed 002's 所选专业符合毕业合格条件 screen
    assert {r["symbol"] for r in choice["checklist"]} == {"✓"}
    courses = [r for r in choice["checklist"] if r["kind"] == "course"]
    assert len(courses) == 18 and all(r["held_by"] and r["counted_credits"] for r in courses)
    assert checked["application"]["choices"][0]["decision"] == {"id": choice["decision_id"], "status": "eligible",
                                                                "current": True}
    stored = db.execute("SELECT status, exam_number FROM decisions WHERE id = ?", [choice["decision_id"]]).fetchone()
    assert stored == ("eligible", ELIGIBLE)
    submitted = drive.submit(ELIGIBLE, app["id"])
    assert submitted["state"] == "submitted" and submitted["submitted_at"]
    done = drive.photo(ELIGIBLE, app["id"])
    assert done["state"] == "system_approved" and done["state_label"] == "系统审核通过"
    assert done["photo"]["status"] == "passed" and len(done["photo"]["sha256"]) == 64
    assert actions(drive.history(app["id"])) == [
        ("create", None, "draft"), ("check", "draft", "draft"), ("submit", "draft", "submitted"),
        ("upload_photo", "submitted", "photo_ok"), ("system_audit", "photo_ok", "system_approved")]
    audit = drive.history(app["id"])[-1]
    assert (audit["actor"], audit["role"]) == ("system:audit", "system")


def test_not_eligible_choice_returns_its_checklist_and_cannot_be_submitted(drive):
    app = drive.create(MISSING)
    [choice] = drive.check(MISSING, app["id"])["choices"]
    assert choice["status"] == "not_eligible"
    assert choice["unmet"] == 1
    assert choice["checklist"][0] == {
        "kind": "course", "requirement": "course:00181", "code": "00181", "name": "广告学(一)", "credits": 4,
        "mark": "unmet", "symbol": "✗", "held_by": [], "counted_credits": 0, "reason": "无合格成绩 (not passed)"}
    assert [r["mark"] for r in choice["checklist"][1:]] == ["met"] * (len(choice["checklist"]) - 1)
    assert choice["checklist"][-1]["kind"] == "credits"
    assert any(r["status"] == "met" for r in choice["decision"]["requirements"])
    resp = drive.submit(MISSING, app["id"], expect=422)
    assert "所选专业不符合毕业合格条件" in resp["fields"]["choices"]["0"][0]
    assert drive.state(app["id"]) == "draft"


def test_old_plan_card_makes_it_pending_and_needs_the_archive(drive):
    app = drive.create(MISSING, fill(MISSING, old_plan_records=[CARD_00181]))
    assert app["old_plan_records"][0] | {"position": 1} == {**CARD_00181, "position": 1, "credits": None,
                                                             "status": "pending", "note": None}
    [choice] = drive.check(MISSING, app["id"])["choices"]
    assert choice["status"] == "pending_verification"
    assert (choice["unmet"], choice["checklist"][0]["symbol"], choice["checklist"][0]["code"]) == (0, "待核验", "00181")
    assert choice["checklist"][0]["held_by"][0]["verified"] is False
    resp = drive.submit(MISSING, app["id"], expect=422)
    assert "archive" in resp["fields"]
    with_archive = drive.archive(MISSING, app["id"])
    assert with_archive["archive"]["format"] == "zip" and with_archive["archive"]["members"] == ["红卡-00181.jpg"]
    drive.submit(MISSING, app["id"])
    after_photo = drive.photo(MISSING, app["id"])
    assert after_photo["state"] == "awaiting_county"
    audit = drive.history(app["id"])[-1]
    assert audit["action"] == "system_audit" and "00181" in audit["reason"]


def test_english_substitution_is_part_of_the_decision(drive):
    app = drive.create(SUBSTITUTE)
    [choice] = drive.check(SUBSTITUTE, app["id"])["choices"]
    assert choice["status"] == "eligible"
    english = next(r for r in choice["decision"]["requirements"] if r["id"] == "course:00015")
    assert english["status"] == "met" and english["substitution"]["accepted"]
    assert set(english["substitution"]["accepted"]) <= set(SUBSTITUTION)
    too_few = fill(SUBSTITUTE, choices=[{"university": "sxufe", "major": "120203K", "substitution": ["00009"]}])
    drive.update(SUBSTITUTE, app["id"], too_few)
    [choice] = drive.check(SUBSTITUTE, app["id"])["choices"]
    assert choice["status"] == "not_eligible" and choice["checklist"][0]["requirement"] == "course:00015"
    english = choice["checklist"][0]
    assert english["held_by"] == [{"code": "00009", "name": "政治经济学(财经类)", "credits": 6,
                                   "via": "substitution:english-ii", "verified": True}]
    assert english["substitution"]["measure"] == {"verified": 6, "all": 6, "required": 14}
    assert english["reason"].startswith("无合格成绩, 顶替英语二课程共 6 学分, 不足 14 学分")


def test_county_verifies_the_card_then_approves(drive):
    app_id = drive.awaiting_county()
    blocked = drive.decide(app_id, "approve", expect=409)
    assert blocked["state"] == "awaiting_county" and "00181" in blocked["message"]
    verified = drive.verify(app_id)
    assert verified["choices"][0]["status"] == "eligible"
    assert verified["application"]["old_plan_records"][0]["status"] == "verified"
    approved = drive.decide(app_id, "approve")
    assert approved["state"] == "county_approved" and approved["allowed"] == []
    history = drive.history(app_id)
    assert actions(history)[-2:] == [("verify_old_plan", "awaiting_county", "awaiting_county"),
                                     ("county_approve", "awaiting_county", "county_approved")]
    assert history[-1]["actor"] == "county:小店区招办 王老师" and "核验通过" in history[-2]["reason"]


def test_a_refused_card_leaves_the_choice_not_eligible_and_approval_impossible(drive):
    app_id = drive.awaiting_county()
    refused = drive.verify(app_id, verified=False)
    assert refused["choices"][0]["status"] == "not_eligible"
    drive.decide(app_id, "approve", expect=409)
    drive.decide(app_id, "reject", "旧计划课程合格证与档案不符")
    assert drive.state(app_id) == "county_rejected"


def test_rejection_reapplication_and_second_rejection_is_final(drive):
    app_id = drive.awaiting_county()
    rejected = drive.decide(app_id, "reject", "扫描件不清晰")
    assert rejected["state"] == "county_rejected" and rejected["last_reason"] == "扫描件不清晰"
    assert rejected["reapplications_left"] == 1
    again = drive.reapply(MISSING, app_id)
    assert (again["state"], again["attempt"], again["reapplications_left"]) == ("draft", 2, 0)
    assert again["photo"]["status"] == "none" and not again["choices"][0]["decision"]["current"]
    drive.archive(MISSING, app_id)
    drive.check(MISSING, app_id)
    drive.submit(MISSING, app_id)
    assert drive.photo(MISSING, app_id)["state"] == "awaiting_county"
    final = drive.decide(app_id, "reject", "原件未按时交回")
    assert final["state"] == "rejected_final" and final["allowed"] == []
    refused = drive.reapply(MISSING, app_id, expect=409)
    assert refused["state"] == "rejected_final"
    assert drive.state(app_id) == "rejected_final"


def test_rejection_then_reapplication_then_approval(drive):
    app_id = drive.awaiting_county()
    drive.decide(app_id, "reject", "扫描件不清晰")
    drive.reapply(MISSING, app_id)
    drive.archive(MISSING, app_id)
    drive.check(MISSING, app_id)
    drive.submit(MISSING, app_id)
    drive.photo(MISSING, app_id)
    drive.verify(app_id)
    assert drive.decide(app_id, "approve")["state"] == "county_approved"
    assert [a for a, _, _ in actions(drive.history(app_id))].count("reapply") == 1


def test_blank_photo_goes_to_county_review_with_no_face_as_the_reason(drive):
    # issue 17 finding 7: a pale-blue 5400×7200 PNG with nothing on it went straight to system_approved
    app_id = drive.submitted(ELIGIBLE)
    blank = io.BytesIO()
    Image.new("RGB", (5400, 7200), (180, 215, 240)).save(blank, "PNG")
    done = drive.photo(ELIGIBLE, app_id, blank.getvalue(), name="photo.png")
    assert (done["state"], done["photo"]["status"]) == ("photo_review", "review")
    assert done["photo"]["reasons"] == ["未检测到人脸 / No face was found in the photo"]


def test_photo_failing_machine_checks_goes_to_county_review(drive):
    app_id = drive.submitted(ELIGIBLE)
    dark = drive.photo(ELIGIBLE, app_id, photo(background=(139, 0, 0)))
    assert dark["state"] == "photo_review" and dark["photo"]["status"] == "review" and dark["photo"]["reasons"]
    drive.photo(ELIGIBLE, app_id, expect=409)  # waits for the county office
    rejected = drive.review_photo(app_id, "reject", "背景颜色不符合要求")
    assert rejected["state"] == "submitted" and rejected["last_reason"] == "背景颜色不符合要求"
    drive.photo(ELIGIBLE, app_id, photo(background=(139, 0, 0)))
    approved = drive.review_photo(app_id, "approve")
    assert approved["state"] == "system_approved" and approved["photo"]["status"] == "approved"
    assert actions(drive.history(app_id))[-2:] == [("approve_photo", "photo_review", "photo_ok"),
                                                   ("system_audit", "photo_ok", "system_approved")]


def test_photo_review_reject_needs_a_reason(drive):
    app_id = drive.submitted(ELIGIBLE)
    drive.photo(ELIGIBLE, app_id, photo(background=(139, 0, 0)))
    resp = drive.review_photo(app_id, "reject", expect=422)
    assert "reason" in resp["fields"] and drive.state(app_id) == "photo_review"


def test_submitted_application_is_frozen(drive, db):
    app_id = drive.submitted(ELIGIBLE)
    before = drive.get(app_id)
    for resp in (drive.update(ELIGIBLE, app_id, fill(ELIGIBLE, address="别处2号"), expect=409),
                 drive.check(ELIGIBLE, app_id, expect=409),
                 drive.archive(ELIGIBLE, app_id, expect=409),
                 drive.submit(ELIGIBLE, app_id, expect=409)):
        assert resp["state"] == "submitted" and resp["error"] == "conflict"
    assert drive.client.delete(f"/v1/applications/{app_id}/old-plan", headers=portal(ELIGIBLE)).status_code == 409
    after = drive.get(app_id)
    assert after == before


def test_after_approval_nothing_can_change(drive):
    app_id = drive.approved_by_system()
    before = drive.get(app_id)
    drive.update(ELIGIBLE, app_id, fill(ELIGIBLE), expect=409)
    drive.photo(ELIGIBLE, app_id, expect=409)
    drive.reapply(ELIGIBLE, app_id, expect=409)
    drive.decide(app_id, "reject", "改主意了", headers=PROVINCE, expect=409)
    assert drive.get(app_id) == before


def test_submit_needs_a_check_of_the_current_data(drive):
    app = drive.create(ELIGIBLE)
    resp = drive.submit(ELIGIBLE, app["id"], expect=409)
    assert resp["state"] == "draft" and "check" in resp["allowed"]
    drive.check(ELIGIBLE, app["id"])
    drive.update(ELIGIBLE, app["id"], fill(ELIGIBLE, phone="13800000000"))
    assert drive.get(app["id"])["choices"][0]["decision"]["current"] is False
    drive.submit(ELIGIBLE, app["id"], expect=409)
    drive.check(ELIGIBLE, app["id"])
    assert drive.submit(ELIGIBLE, app["id"])["state"] == "submitted"


def test_one_application_per_round(drive):
    first = drive.create(ELIGIBLE)
    resp = drive.create(ELIGIBLE, expect=409)
    assert resp["application_id"] == first["id"] and resp["state"] == "draft"


def test_clearing_old_plan_removes_cards_and_archive(drive):
    app = drive.create(MISSING, fill(MISSING, old_plan_records=[CARD_00181]))
    drive.archive(MISSING, app["id"])
    resp = drive.client.delete(f"/v1/applications/{app['id']}/old-plan", headers=portal(MISSING))
    assert resp.status_code == 200
    assert resp.json["old_plan_records"] == [] and resp.json["archive"] is None


def test_county_verification_survives_an_identical_reentry_after_reapplying(drive):
    app_id = drive.awaiting_county()
    drive.verify(app_id)
    drive.decide(app_id, "reject", "毕业生登记表未交回")
    drive.reapply(MISSING, app_id)
    same = drive.update(MISSING, app_id, fill(MISSING, old_plan_records=[CARD_00181]))
    assert same["old_plan_records"][0]["status"] == "verified"
    changed = drive.update(MISSING, app_id, fill(MISSING, old_plan_records=[{**CARD_00181, "score": "75"}]))
    assert changed["old_plan_records"][0]["status"] == "pending"


def test_downloads_for_review(drive):
    app_id = drive.awaiting_county()
    photo_resp = drive.client.get(f"/v1/applications/{app_id}/photo", headers=COUNTY)
    assert photo_resp.status_code == 200 and photo_resp.mimetype == "image/jpeg"
    assert photo_resp.data[:3] == b"\xff\xd8\xff"
    archive = drive.client.get(f"/v1/applications/{app_id}/old-plan-archive", headers=COUNTY)
    assert archive.status_code == 200 and archive.data[:2] == b"PK"
    fresh = drive.create(ELIGIBLE)
    assert drive.client.get(f"/v1/applications/{fresh['id']}/photo", headers=COUNTY).status_code == 404


def test_summary_for_the_personal_centre(drive, db):
    assert applications.summary_for(db, ELIGIBLE) is None
    app_id = drive.approved_by_system()
    summary = applications.summary_for(db, ELIGIBLE)
    assert summary["id"] == app_id and summary["state"] == "system_approved" and summary["payable"] is True
    assert summary["choices"] == [{"university": "sxufe", "major": "630701", "decision_status": "eligible"}]
    assert summary["payment"] is None and summary["reapplications_left"] == 1


def test_state_table_is_published(client, drive):
    resp = client.get("/v1/application-states", headers=portal(ELIGIBLE))
    assert resp.status_code == 200
    assert {s["name"] for s in resp.json["states"]} >= {"draft", "paid", "form_locked"}
    assert {"action": "reapply", "from": "county_rejected", "to": "draft", "roles": ["portal"], "when": None,
            "reason_required": False} in resp.json["transitions"]


def test_outside_the_window_the_candidate_can_do_nothing_but_the_county_still_decides(app, drive):
    draft = drive.create(ELIGIBLE)
    rejected = drive.awaiting_county()
    drive.decide(rejected, "reject", "扫描件不清晰")
    waiting = drive.create(SUBSTITUTE)
    drive.check(SUBSTITUTE, waiting["id"])
    app.config["CLOCK_NOW"] = GRADUATION_CLOSED
    before = [drive.get(i) for i in (draft["id"], rejected, waiting["id"])]
    for resp in (drive.update(ELIGIBLE, draft["id"], fill(ELIGIBLE), expect=409),
                 drive.check(ELIGIBLE, draft["id"], expect=409),
                 drive.submit(SUBSTITUTE, waiting["id"], expect=409),
                 drive.reapply(MISSING, rejected, expect=409),
                 drive.create("010119100004", fill("010119100004"), expect=409)):
        assert resp["business"] == "毕业申请" and resp["state"] == "未开放" and "毕业申请 is not open now" in resp["message"]
    assert [drive.get(i) for i in (draft["id"], rejected, waiting["id"])] == before
    county_case = drive.client.get(f"/v1/applications/{rejected}", headers=COUNTY).json
    assert county_case["state"] == "county_rejected"


def test_summary_shows_the_payment(drive, db):
    app_id = drive.approved_by_system()
    resp = drive.client.post(f"/v1/applications/{app_id}/orders", json={"provider": "alipay"}, headers=portal(ELIGIBLE))
    summary = applications.summary_for(db, ELIGIBLE)
    assert summary["payment"] == {"order_id": resp.json["id"], "status": "created",
                                  "amount_fen": resp.json["amount_fen"], "provider": "alipay"}


def test_a_substitution_list_for_a_plan_without_english_ii_is_shown_by_the_check(drive):
    app = drive.create(ELIGIBLE)
    listed = fill(ELIGIBLE, choices=[{"university": "sxufe", "major": "630701", "substitution": ["00058"]}])
    drive.update(ELIGIBLE, app["id"], listed)
    [choice] = drive.check(ELIGIBLE, app["id"])["choices"]
    # 00058 is a required course of 市场营销: counted there, so the list's only code is used
    assert choice["not_used"] == [] and choice["decision"]["unused_inputs"] == []
    listed = fill(ELIGIBLE, choices=[{"university": "sxufe", "major": "630701", "substitution": ["00149"]}])
    drive.update(ELIGIBLE, app["id"], listed)
    [choice] = drive.check(ELIGIBLE, app["id"])["choices"]
    assert choice["not_used"] == [{"code": "00149", "input": "substitution", "reason": "no_substitution"}]
