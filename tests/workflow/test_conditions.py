"""思想品德鉴定 and 延迟毕业 over HTTP: recorded by the offices, loaded into decisions, required before locking."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from support.common import example
from support.graduation_paths import (
    AUDITOR,
    COUNTY,
    COUNTY_OTHER,
    ELIGIBLE,
    PROVINCE,
    appraised,
    approved_application,
    expect,
    form,
    paid_application,
    portal,
    prepare,
)

from service import cli
from service.candidates import importing
from service.decisions.schemas import EvaluationResponseSchema
from service.errors import InvalidInput

# these tests read what staff and candidates read: Chinese (tests/conftest.py)
pytestmark = pytest.mark.chinese_messages


MISSING = "010119100001"  # 张晓梅, whose complete transcript fixtures/examples/marketing-complete.json holds
SANCTION = {"from": "2025-07-01", "until": "2026-06-30", "reason": "考试作弊（夹带）", "document_no": "晋招考违〔2025〕3号"}


@pytest.fixture
def ready(app):
    prepare(app)  # 2025-11-20, inside the 2025H2 毕业申请 window
    return app


def sanction(client, exam_number=MISSING, body=None, headers=PROVINCE, status=201):
    return expect(client.post(f"/v1/candidates/{exam_number}/sanctions", json=body or SANCTION, headers=headers),
                  status)


def count(db, sql, *params):
    return db.execute(sql, list(params)).fetchone()[0]


# --- 延迟毕业 ------------------------------------------------------------------------

def test_province_records_a_sanction_shown_in_the_list_and_the_history(ready, client):
    added = sanction(client)
    assert (added["from"], added["until"], added["document_no"], added["source"], added["in_force"]) == (
        "2025-07-01", "2026-06-30", "晋招考违〔2025〕3号", "staff", True)
    assert added["recorded_by"].startswith("province:")
    listed = expect(client.get(f"/v1/candidates/{MISSING}/sanctions", headers=portal(MISSING)), 200)
    assert [s["document_no"] for s in listed] == ["晋招考违〔2025〕3号"]
    history = expect(client.get(f"/v1/candidates/{MISSING}/history", headers=AUDITOR), 200)
    last = history[-1]
    assert (last["subject"], last["action"], last["role"], last["to_status"]) == (
        "sanction", "record_sanction", "province", "2025-07-01–2026-06-30")
    assert last["reason"] == "延迟毕业至 2026-06-30（晋招考违〔2025〕3号）：考试作弊（夹带）"


def test_a_bad_sanction_lists_every_problem_and_stores_nothing(ready, client, db):
    resp = sanction(client, body={"from": "2026-07-01", "until": "2026-06-30"}, status=422)
    assert set(resp["fields"]) == {"until", "reason", "document_no"}  # every problem at once
    resp = sanction(client, body={**SANCTION, "until": "2025-06-30"}, status=422)
    assert "结束日期早于开始日期" in resp["fields"]["until"][0]
    resp = sanction(client, body={**SANCTION, "until": "2029-07-01"}, status=422)
    assert "延迟毕业最长 3 年" in resp["fields"]["until"][0]
    assert count(db, "SELECT count(*) FROM candidate_sanctions") == 0
    assert count(db, "SELECT count(*) FROM candidate_events WHERE subject = 'sanction'") == 0


def test_only_province_staff_record_sanctions_and_a_document_decides_one_period(ready, client, db):
    sanction(client, headers=COUNTY, status=403)
    sanction(client, headers=AUDITOR, status=403)
    sanction(client, headers=portal(MISSING), status=403)
    sanction(client)
    again = sanction(client, status=409)
    assert "已登记" in again["message"]
    sanction(client, body={**SANCTION, "until": "2026-12-31"}, status=409)
    assert count(db, "SELECT count(*) FROM candidate_sanctions") == 1
    # another candidate's sanctions are not disclosed to the portal or another district
    expect(client.get(f"/v1/candidates/{MISSING}/sanctions", headers=portal(ELIGIBLE)), 404)
    expect(client.get("/v1/candidates/010119100004/sanctions", headers=COUNTY), 404)


def test_a_decision_inside_the_period_is_not_eligible_and_names_its_end(ready, client):
    body = example("marketing-complete")
    before = expect(client.post("/v1/evaluations", json=body, headers=portal(MISSING)), 201)
    assert before["decisions"][0]["status"] == "eligible"
    sanction(client)
    response = expect(client.post("/v1/evaluations", json=body, headers=portal(MISSING)), 201)
    assert EvaluationResponseSchema().dump(response) == response  # the OpenAPI document describes the new keys
    after = response["decisions"][0]
    assert after["status"] == "not_eligible"
    [req] = [r for r in after["requirements"] if r["id"] == "sanction"]
    assert (req["status"], req["notes"], req["sanction"]["until"]) == ("unmet", ["until:2026-06-30"], "2026-06-30")
    assert after["credits"] == before["decisions"][0]["credits"]  # the courses are decided as before
    # the stored input carries the sanction, so a replay is exact
    stored = expect(client.get(f"/v1/decisions/{after['id']}", headers=AUDITOR), 200)
    assert stored["input"]["sanctions"] == [{"from": "2025-07-01", "until": "2026-06-30",
                                             "document_no": "晋招考违〔2025〕3号", "reason": "考试作弊（夹带）"}]
    assert expect(client.post(f"/v1/decisions/{after['id']}/replay", headers=AUDITOR), 200)["identical"] is True
    # after the period the same transcript is eligible again
    later = expect(client.post("/v1/evaluations", json={**body, "as_of": "2026-07-01"}, headers=PROVINCE), 201)
    assert "sanction" not in [r["id"] for r in later["decisions"][0]["requirements"]]


def test_the_portal_can_neither_send_nor_leave_out_sanctions(ready, client):
    sanction(client)
    body = example("marketing-complete")
    sent = expect(client.post("/v1/evaluations", json={**body, "sanctions": []}, headers=portal(MISSING)), 422)
    assert "sanctions" in sent["fields"]
    smuggled = {**body, "conduct_appraisal": {"result": "合格"}}
    assert "conduct_appraisal" in expect(client.post("/v1/evaluations", json=smuggled, headers=portal(MISSING)),
                                         422)["fields"]


def test_sanctions_are_imported_with_candidates_and_added_once(ready, app, db):
    person = {"exam_number": "010119100020", "name": "赵六", "id_number": "140105199001010016", "gender": "男",
              "district": "太原市小店区", "phone": "13900000020", "enrolled": True, "courses": [],
              "sanctions": [SANCTION]}
    text = json.dumps({"candidates": [person]}, ensure_ascii=False)
    with app.app_context():
        first = importing.import_candidates(db, importing.parse_file(text))
        again = importing.import_candidates(db, importing.parse_file(text))
    assert (first["created"], first["sanctions"], again["unchanged"], again["sanctions"]) == (1, 1, 1, 0)
    assert count(db, "SELECT count(*) FROM candidate_sanctions WHERE exam_number = '010119100020'") == 1
    row = db.execute("SELECT source, recorded_by FROM candidate_sanctions").fetchone()
    assert row == ("import", "province:sxzk candidates import")
    changed = json.dumps({"candidates": [{**person, "sanctions": [{**SANCTION, "until": "2026-12-31"}]}]},
                         ensure_ascii=False)
    with app.app_context(), pytest.raises(InvalidInput) as refused:
        importing.import_candidates(db, importing.parse_file(changed))
    [problem] = refused.value.extra["problems"]
    assert (problem["line"], problem["field"]) == (1, "sanctions.0.document_no")
    assert problem["message"].startswith("文号已登记为 2025-07-01 – 2026-06-30")
    assert count(db, "SELECT count(*) FROM candidate_sanctions") == 1


# --- 思想品德鉴定 ---------------------------------------------------------------------

def lock(client, app_id, headers=COUNTY, status=200):
    return expect(client.post(f"/v1/applications/{app_id}/registration-form/receipt", json={}, headers=headers),
                  status)


def save_form(client, app_id):
    expect(client.put(f"/v1/applications/{app_id}/registration-form", json=form(), headers=portal(ELIGIBLE)), 200)


def test_the_county_records_the_appraisal_then_the_form_can_be_locked(ready, client, db):
    app_id = paid_application(client)
    save_form(client, app_id)
    refused = lock(client, app_id, status=409)
    assert refused["state"] == "paid" and refused["message"].startswith("尚未登记思想品德鉴定")
    done = appraised(client, app_id)
    [choice] = done["choices"]
    [conduct] = [r for r in choice["decision"]["requirements"] if r["id"] == "conduct"]
    assert (choice["status"], conduct["status"], conduct["appraisal"]["result"]) == ("eligible", "met", "合格")
    assert conduct["appraisal"]["recorded_by"] == "county:小店区招办 王老师"
    assert done["application"]["conduct_appraisal"]["passed"] is True
    event = expect(client.get(f"/v1/applications/{app_id}/history", headers=AUDITOR), 200)[-1]
    assert (event["action"], event["from_state"], event["to_state"], event["reason"]) == (
        "record_appraisal", "paid", "paid", "思想品德鉴定：合格（随登记表交回）")
    stored = expect(client.get(f"/v1/decisions/{choice['decision_id']}", headers=AUDITOR), 200)
    assert stored["input"]["conduct_appraisal"]["result"] == "合格"
    assert expect(client.post(f"/v1/decisions/{choice['decision_id']}/replay", headers=AUDITOR), 200)["identical"]
    assert lock(client, app_id)["state"] == "form_locked"


def test_an_appraisal_that_does_not_pass_keeps_the_form_open(ready, client):
    app_id = paid_application(client)
    save_form(client, app_id)
    done = appraised(client, app_id, "不合格")
    [choice] = done["choices"]
    assert choice["status"] == "not_eligible"
    assert [(r["requirement"], r["reason"]) for r in choice["checklist"] if r["mark"] == "unmet"] == [
        ("conduct", "鉴定结果：不合格 (appraised 不合格)")]
    refused = lock(client, app_id, status=409)
    assert "思想品德鉴定为“不合格”" in refused["message"]
    # a corrected appraisal is recorded again, and both are in the history
    appraised(client, app_id, "合格")
    assert lock(client, app_id)["state"] == "form_locked"


def test_a_sanction_recorded_after_payment_blocks_the_lock(ready, client):
    app_id = paid_application(client)
    save_form(client, app_id)
    sanction(client, exam_number=ELIGIBLE)
    [choice] = appraised(client, app_id)["choices"]
    assert [r["requirement"] for r in choice["checklist"] if r["mark"] == "unmet"] == ["sanction"]
    refused = lock(client, app_id, status=409)
    assert "不符合毕业条件" in refused["message"] and "sxufe/630701" in refused["message"]


def test_appraisal_refusals_store_nothing(ready, client, db):
    approved = approved_application(client)
    resp = expect(client.post(f"/v1/applications/{approved}/conduct-appraisal", json={"result": "合格"},
                              headers=COUNTY), 409)
    assert resp["state"] == "system_approved"  # the 登记表 comes after payment
    paid = _pay(client, approved)
    bad = expect(client.post(f"/v1/applications/{paid}/conduct-appraisal", json={"result": "良"}, headers=COUNTY), 422)
    assert "合格 / 不合格" in bad["fields"]["result"][0]
    expect(client.post(f"/v1/applications/{paid}/conduct-appraisal", json={}, headers=COUNTY), 422)
    expect(client.post(f"/v1/applications/{paid}/conduct-appraisal", json={"result": "合格"}, headers=AUDITOR), 403)
    expect(client.post(f"/v1/applications/{paid}/conduct-appraisal", json={"result": "合格"},
                       headers=portal(ELIGIBLE)), 403)
    expect(client.post(f"/v1/applications/{paid}/conduct-appraisal", json={"result": "合格"},
                       headers=COUNTY_OTHER), 404)
    assert count(db, "SELECT count(*) FROM application_events WHERE action = 'record_appraisal'") == 0
    assert count(db, "SELECT count(*) FROM applications WHERE appraisal_result IS NOT NULL") == 0


def _pay(client, app_id):
    from service.payments.providers import DEV_SANDBOX_SECRET, SandboxProvider

    order = expect(client.post(f"/v1/applications/{app_id}/orders", headers=portal(ELIGIBLE),
                               json={"provider": "alipay"}), 201)
    body, headers = SandboxProvider("alipay", DEV_SANDBOX_SECRET).callback(order, transaction_id=f"TXN{app_id:07d}")
    expect(client.post("/callbacks/payments/alipay", data=body, headers=headers), 200)
    return app_id


def test_sxzk_sanctions_add_and_list(ready, app, db):
    for command in cli.all_commands():
        if command.name not in cli.main.commands:
            cli.main.add_command(command)
    env = {"SXZK_DATABASE": app.config["DATABASE"], "SXZK_NOW": "2025-11-20T10:00:00"}

    def sxzk(*args):
        return CliRunner().invoke(cli.main, list(args), env=env)

    args = ["sanctions", "add", MISSING, "--from", "2025-07-01", "--until", "2026-06-30", "--reason", "考试作弊",
            "--document", "晋招考违〔2025〕3号", "--actor", "省考试院 王老师"]
    done = sxzk(*args)
    assert done.exit_code == 0, done.output
    assert done.stdout == (f"{MISSING}: 延迟毕业 2025-07-01 – 2026-06-30 (晋招考违〔2025〕3号) recorded by "
                           "province:省考试院 王老师\n")
    again = sxzk(*args)
    assert again.exit_code == 0 and "already recorded, nothing changed" in again.stdout
    bad = sxzk(*args[:5], "--until", "2025-01-01", *args[7:])
    assert bad.exit_code == 1 and "until: 结束日期早于开始日期" in bad.stderr
    listed = sxzk("sanctions", "list", MISSING)
    assert [s["document_no"] for s in json.loads(listed.stdout)] == ["晋招考违〔2025〕3号"]
    assert count(db, "SELECT count(*) FROM candidate_events WHERE subject = 'sanction'") == 1
