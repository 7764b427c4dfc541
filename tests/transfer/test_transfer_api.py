"""Transfer out (省际转出) over HTTP: apply, confirm on site, decide; every refusal names its reason."""
from __future__ import annotations

import threading

import pytest
from support.graduation_paths import (
    AUDITOR,
    COUNTY,
    COUNTY_OTHER,
    ELIGIBLE,
    PROVINCE,
    add_candidate,
    approved_application,
    expect,
    portal,
    prepare,
)

TRANSFER_OPEN = "2026-01-10T10:00:00"    # inside the 2026H1 省际转出 window of rulesets/workflow/windows.yaml
TRANSFER_CLOSED = "2026-03-01T10:00:00"
APPLICANT = "010119100001"   # 张晓梅, 太原市小店区: national passes, not yet eligible to graduate
TRANSFERRED_IN = "010119100004"  # 李四, 太原市迎泽区: exemption and transfer-in courses (2018/2019)
UNVERIFIED = "010119100009"  # identity not verified


def body(**changes) -> dict:
    out = {"target_province": "江苏省", "reason": "工作调动", "target_exam_number": "320119200123"}
    out.update(changes)
    return out


@pytest.fixture
def ready(app):
    prepare(app, TRANSFER_OPEN)
    return app


def apply(client, exam=APPLICANT, status=201, **changes):
    return expect(client.post("/v1/transfer-outs", json=body(**changes), headers=portal(exam)), status)


def step(client, transfer_id, path, headers, status=200, **payload):
    return expect(client.post(f"/v1/transfer-outs/{transfer_id}/{path}", json=payload, headers=headers), status)


def test_from_application_to_approval(ready, client):
    created = apply(client)
    assert (created["type"], created["state"], created["city"], created["district"]) == (
        "省际转出", "submitted", "太原市", "太原市小店区")
    assert (created["target_province"], created["target_exam_number"], created["reason"]) == (
        "江苏省", "320119200123", "工作调动")
    assert created["created_at"] == "2026-01-10T10:00:00+08:00" and created["round"] == "2026H1"
    assert created["name"] == "张晓梅" and "*" in created["id_number"]
    assert "现场确认" in created["hint"] and created["allowed"] == ["withdraw"]
    codes = {c["code"] for c in created["transferable"]}
    assert "00009" in codes and "00019" not in codes and "00181" not in codes  # practical stays; 00181 failed
    assert {"code": "00019", "reason": "practical"}.items() <= next(
        c for c in created["non_transferable"] if c["code"] == "00019").items()

    confirmed = step(client, created["id"], "confirmation", COUNTY, reason="身份证、准考证原件已核")
    assert confirmed["state"] == "confirmed_on_site" and confirmed["allowed"] == ["approve", "reject"]
    approved = step(client, created["id"], "decision", COUNTY, decision="approve")
    assert approved["state"] == "approved" and approved["allowed"] == []
    assert {c["code"] for c in approved["transferable"]} == codes

    events = expect(client.get(f"/v1/transfer-outs/{created['id']}/history", headers=AUDITOR), 200)
    assert [(e["action"], e["from_state"], e["to_state"], e["role"]) for e in events] == [
        ("create", None, "submitted", "portal"), ("confirm_on_site", "submitted", "confirmed_on_site", "county"),
        ("approve", "confirmed_on_site", "approved", "county")]
    assert events[0]["actor"] == "portal:portal-backend for 010119100001"
    assert events[1]["reason"] == "身份证、准考证原件已核" and all(e["at"] for e in events)


def test_details_list_what_does_not_transfer_and_why(ready, client):
    created = apply(client, TRANSFERRED_IN, target_province="北京市", target_exam_number="0111223344556")
    staying = {c["code"]: c["reason"] for c in created["non_transferable"]}
    assert staying["00009"] == "transfer_in" and staying["00020"] == "transfer_in" and staying["00018"] == "exemption"
    assert staying["00019"] == "practical"
    got = expect(client.get(f"/v1/transfer-outs/{created['id']}", headers=COUNTY_OTHER), 200)
    assert got["city"] == "太原市" and got["district"] == "太原市迎泽区"
    assert all(c["reason_label"] for c in got["non_transferable"])


def test_a_rejection_carries_its_reason(ready, client):
    created = apply(client)
    step(client, created["id"], "confirmation", COUNTY)
    missing = step(client, created["id"], "decision", COUNTY, status=422, decision="reject")
    assert "reason" in missing["fields"]
    rejected = step(client, created["id"], "decision", COUNTY, decision="reject", reason="转入省考籍信息与本省不一致")
    assert rejected["state"] == "rejected" and rejected["rejection_reason"] == "转入省考籍信息与本省不一致"
    # the sitting's one application is used up
    again = apply(client, status=409)
    assert [u["id"] for u in again["unmet"]] == ["once_per_sitting"]


def test_an_office_may_reject_an_application_never_confirmed_on_site(ready, client):
    created = apply(client)
    rejected = step(client, created["id"], "decision", COUNTY, status=200, decision="reject", reason="未按时现场确认")
    assert rejected["state"] == "rejected"


def test_withdrawal_before_confirmation_frees_the_sitting(ready, client):
    created = apply(client)
    withdrawn = step(client, created["id"], "withdraw", portal(APPLICANT), reason="改变计划")
    assert withdrawn["state"] == "withdrawn"
    again = apply(client, target_province="河北省", target_exam_number="130119200123")
    assert again["state"] == "submitted" and again["id"] != created["id"]
    step(client, again["id"], "confirmation", COUNTY)
    late = step(client, again["id"], "withdraw", portal(APPLICANT), status=409)
    assert late["state"] == "confirmed_on_site" and late["allowed"] == []


def test_illegal_steps_are_409_with_the_state(ready, client):
    created = apply(client)
    early = step(client, created["id"], "decision", COUNTY, status=409, decision="approve")
    assert early["state"] == "submitted" and early["allowed"] == ["confirm_on_site", "reject"]
    step(client, created["id"], "confirmation", COUNTY)
    twice = step(client, created["id"], "confirmation", COUNTY, status=409)
    assert twice["state"] == "confirmed_on_site"
    step(client, created["id"], "decision", COUNTY, decision="approve")
    after = step(client, created["id"], "decision", COUNTY, status=409, decision="reject", reason="x")
    assert after["state"] == "approved"


def test_one_open_application_and_one_per_sitting(ready, client):
    apply(client)
    second = apply(client, status=409, target_province="河北省")
    assert second["error"] == "transfer_not_allowed"
    assert {u["id"] for u in second["unmet"]} == {"once_per_sitting", "one_target"}
    assert "每个考试周期只能申请转出一次" in second["message"]


def test_simultaneous_applications_make_one(ready, app, client, db):
    results = []

    def one(province):
        resp = app.test_client().post("/v1/transfer-outs", json=body(target_province=province),
                                      headers=portal(APPLICANT))
        results.append(resp.status_code)

    threads = [threading.Thread(target=one, args=(p,)) for p in ("江苏省", "河北省", "北京市", "上海市")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [201, 409, 409, 409]
    assert db.execute("SELECT count(*) FROM transfer_outs").fetchone()[0] == 1


def test_outside_the_window_nothing_is_stored(app, client, db):
    prepare(app, TRANSFER_CLOSED)
    resp = apply(client, status=409)
    assert "省际转出 is not open now" in resp["message"] and resp["window"]["label"] == "未开放"
    assert db.execute("SELECT count(*) FROM transfer_outs").fetchone()[0] == 0


def test_bad_fields_are_all_listed(ready, client, db):
    resp = apply(client, status=422, target_province="山西省", reason="想换个地方", target_exam_number="32-01",
                 bogus=1)
    assert set(resp["fields"]) == {"target_province", "reason", "target_exam_number", "bogus"}
    other = apply(client, status=422, reason="其他")
    assert "reason_note" in other["fields"]
    own = apply(client, status=422, target_exam_number=APPLICANT)
    assert "Shanxi" in own["fields"]["target_exam_number"][0]
    # full-width digits look right on screen but are not the number the other province issued
    full_width = apply(client, status=422, target_exam_number="３２０１１９２００１２３")
    assert set(full_width["fields"]) == {"target_exam_number"}
    assert db.execute("SELECT count(*) FROM transfer_outs").fetchone()[0] == 0
    assert apply(client, reason="其他", reason_note="配偶在江苏工作")["reason_note"] == "配偶在江苏工作"


def test_without_a_national_pass_the_refusal_names_it(ready, client, tmp_path):
    add_candidate(ready, tmp_path, "010119100021", "钱一", courses=[
        {"code": "00018", "name": "计算机应用基础", "score": "免考", "date": "2024-04-13", "source": "exemption"},
        {"code": "00019", "name": "计算机应用基础(实践)", "score": "80", "date": "2024-10-19", "source": "exam"},
        {"code": "00020", "name": "高等数学(一)", "score": "40", "date": "2024-10-19", "source": "exam"}])
    resp = apply(client, "010119100021", status=409)
    assert [u["id"] for u in resp["unmet"]] == ["national_pass"] and "全国统考" in resp["message"]


def test_a_suspended_record_is_refused(ready, client, tmp_path):
    add_candidate(ready, tmp_path, "010119100022", "孙二", suspended=True)
    resp = apply(client, "010119100022", status=409)
    assert [u["id"] for u in resp["unmet"]] == ["not_suspended"]


def test_within_a_year_of_a_transfer_in_is_refused(ready, client, tmp_path):
    add_candidate(ready, tmp_path, "010119100023", "周三", courses=[
        {"code": "00009", "name": "政治经济学(财经类)", "score": "72", "date": "2024-04-13", "source": "exam"},
        {"code": "00041", "name": "基础会计学", "score": "70", "date": "2025-06-01", "source": "transfer-in"}])
    resp = apply(client, "010119100023", status=409)
    assert [u["id"] for u in resp["unmet"]] == ["transfer_in_cooldown"] and "2026-06-01" in resp["message"]


def test_a_candidate_whose_graduation_was_approved_graduates_here(app, client):
    prepare(app)  # the graduation window
    approved_application(client, ELIGIBLE)
    app.config["CLOCK_NOW"] = TRANSFER_OPEN
    resp = apply(client, ELIGIBLE, status=409)
    assert [u["id"] for u in resp["unmet"]] == ["major_not_completed"] and "本省办理毕业" in resp["message"]


def test_approval_checks_the_conditions_again(ready, client, db):
    created = apply(client)
    step(client, created["id"], "confirmation", COUNTY)
    db.execute("UPDATE candidates SET suspended = 1 WHERE exam_number = ?", [APPLICANT])
    refused = step(client, created["id"], "decision", COUNTY, status=409, decision="approve")
    assert [u["id"] for u in refused["unmet"]] == ["not_suspended"]
    assert expect(client.get(f"/v1/transfer-outs/{created['id']}", headers=COUNTY), 200)["state"] == "confirmed_on_site"


def test_an_unverified_identity_is_refused(ready, client):
    resp = apply(client, UNVERIFIED, status=409)
    assert resp["identity_status"] == "unverified"


def test_precheck_explains_each_condition_without_storing(ready, client, db):
    got = expect(client.get("/v1/transfer-out/precheck", headers=portal(APPLICANT)), 200)
    assert got["allowed"] and got["window"]["open"] and got["window"]["round"] == "2026H1"
    assert [c["id"] for c in got["conditions"]] == ["national_pass", "not_suspended", "once_per_sitting",
                                                    "one_target", "major_not_completed", "transfer_in_cooldown"]
    assert db.execute("SELECT count(*) FROM transfer_outs").fetchone()[0] == 0


def test_rules_and_state_table_are_published(ready, client):
    rules = expect(client.get("/v1/transfer-out/rules", headers=AUDITOR), 200)
    assert len(rules["provinces"]) == 30 and "山西省" not in {p["name"] for p in rules["provinces"]}
    assert [r["name"] for r in rules["reasons"]][-1] == "其他"
    table = expect(client.get("/v1/transfer-out/states", headers=AUDITOR), 200)
    assert table["initial"] == "submitted" and len(table["transitions"]) == 6


def test_who_may_see_and_do_what(ready, client):
    created = apply(client)
    tid = created["id"]
    # not theirs: 404, so its existence is not disclosed
    assert client.get(f"/v1/transfer-outs/{tid}", headers=portal(TRANSFERRED_IN)).status_code == 404
    step(client, tid, "confirmation", COUNTY_OTHER, status=404)
    # auditors read only; the candidate cannot confirm or decide; the office cannot apply
    assert client.get(f"/v1/transfer-outs/{tid}", headers=AUDITOR).status_code == 200
    step(client, tid, "confirmation", AUDITOR, status=403)
    step(client, tid, "confirmation", portal(APPLICANT), status=403)
    step(client, tid, "decision", portal(APPLICANT), status=403, decision="approve")
    assert client.post("/v1/transfer-outs", json=body(), headers=COUNTY).status_code == 403
    # lists: the county sees its district, the portal its candidate, ID numbers masked
    assert [t["id"] for t in expect(client.get("/v1/transfer-outs", headers=COUNTY), 200)["items"]] == [tid]
    assert expect(client.get("/v1/transfer-outs", headers=COUNTY_OTHER), 200)["items"] == []
    listed = expect(client.get("/v1/transfer-outs?state=submitted", headers=PROVINCE), 200)["items"]
    assert listed[0]["id_number"].count("*") >= 8
    # the province decides for every district
    step(client, tid, "confirmation", PROVINCE)
    assert step(client, tid, "decision", PROVINCE, decision="approve")["state"] == "approved"


def test_every_transition_records_the_rules_version(ready, app, client, db):
    created = apply(client)
    step(client, created["id"], "withdraw", portal(APPLICANT), reason="改变计划")
    recorded = db.execute("SELECT action, ruleset_version FROM transfer_out_events WHERE transfer_id = ? ORDER BY id",
                          [created["id"]]).fetchall()
    in_force = app.extensions["rulebook"].current().version
    assert [tuple(r) for r in recorded] == [("create", in_force), ("withdraw", in_force)]
