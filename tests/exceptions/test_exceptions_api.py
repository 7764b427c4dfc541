"""Per-candidate exceptions over HTTP: who records and revokes, the limits as 422s, evidence, and the
decisions that load them (docs/exceptions.md)."""
from __future__ import annotations

import io

from conftest import discontinue
from support.candidates import AUDITOR, COUNTY, CURRICULUM, MISSING, PROVINCE, portal
from support.graduation_paths import approved_application

ZHANG = "010119200012"  # 张三, 法学 (sxu 030101K), every course passed
LAW = {"university": "sxu", "major": "030101K"}
SUBSTITUTE = {**LAW, "kind": "substitute", "course": "00229", "by": "13683", "reason": "停考专业，证据法学不再开考",
              "document_number": "晋招考院〔2026〕12号"}
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def listed(client, exam_number=ZHANG, **query):
    resp = client.get(f"/v1/candidates/{exam_number}/exceptions", headers=PROVINCE, query_string=query)
    assert resp.status_code == 200, resp.json
    return resp.json["items"]


def record(client, body=SUBSTITUTE, headers=CURRICULUM, exam_number=ZHANG):
    return client.post(f"/v1/candidates/{exam_number}/exceptions", json=body, headers=headers)


def test_curriculum_records_a_substitute_in_force_at_once_with_its_history(served):
    app, rules = served
    discontinue(app, rules)
    client = app.test_client()
    resp = record(client)
    assert resp.status_code == 201, resp.json
    exc = resp.json
    assert {k: exc[k] for k in ("kind", "course", "by", "state", "state_label", "recorded_by", "document_number")} == {
        "kind": "substitute", "course": "00229", "by": "13683", "state": "in_force", "state_label": "生效",
        "recorded_by": "curriculum:计划处 刘老师", "document_number": "晋招考院〔2026〕12号"}
    [event] = exc["history"]
    assert (event["action"], event["from_state"], event["to_state"], event["role"], event["reason"]) == (
        "record", None, "in_force", "curriculum", "停考专业，证据法学不再开考")
    assert event["ruleset_version"] == exc["ruleset_version"] == app.extensions["rulebook"].current().version
    assert listed(client) == [exc]
    assert client.get(f"/v1/exceptions/{exc['id']}", headers=AUDITOR).json == exc
    assert client.get(f"/v1/exceptions/{exc['id']}", headers=COUNTY).status_code == 200


def test_only_curriculum_and_province_staff_record_or_revoke(served):
    app, rules = served
    discontinue(app, rules)
    client = app.test_client()
    for headers in (COUNTY, AUDITOR, portal(ZHANG)):
        assert record(client, headers=headers).status_code == 403
    assert listed(client) == []
    exc_id = record(client, headers=PROVINCE).json["id"]
    for headers in (COUNTY, AUDITOR):
        resp = client.post(f"/v1/exceptions/{exc_id}/revoke", json={"reason": "x"}, headers=headers)
        assert resp.status_code == 403
    assert listed(client)[0]["state"] == "in_force"


def test_every_broken_limit_is_named_at_once_and_nothing_is_stored(served):
    app, _rules = served  # 法学 is not marked 停考 in these rules
    client = app.test_client()
    resp = record(client, {**SUBSTITUTE, "by": "14033"})  # 5 credits for 00229's 6
    assert resp.status_code == 422
    fields = resp.json["fields"]
    assert set(fields) == {"major", "by"}
    assert "停考" in fields["major"][0] and "学分 5 低于原课程 00229 的 6 学分" in fields["by"][0]
    resp = record(client, {**SUBSTITUTE, "by": "00227"})  # a course of the major's own plan
    assert "本专业计划内课程" in resp.json["fields"]["by"][0]
    resp = record(client, {**SUBSTITUTE, "course": "00009", "by": "00058"})  # not a course of the major
    assert "不是该专业考试计划中的课程" in resp.json["fields"]["course"][0]
    resp = record(client, {**SUBSTITUTE, "by": "00065"})  # a 专科-only course (市场营销) for a 专升本 major
    assert any("专升本层次" in m for m in resp.json["fields"]["by"])
    assert listed(client) == []


def test_the_request_is_checked_by_field_before_any_limit(served):
    app, _rules = served
    client = app.test_client()
    resp = record(client, {"university": "sxu", "major": "030101K", "kind": "substitute", "course": "229",
                           "reason": " ", "surprise": 1})
    assert resp.status_code == 422
    assert set(resp.json["fields"]) >= {"course", "reason", "document_number", "surprise"}
    resp = record(client, {**SUBSTITUTE, "kind": "waive"})  # a waiver names no replacing course
    assert "by" in resp.json["fields"]
    assert record(client, exam_number="010119999999").status_code == 404
    assert client.get("/v1/candidates/12/exceptions", headers=PROVINCE).status_code == 422
    assert listed(client) == []


def test_a_waiver_needs_no_discontinued_major(served):
    app, _rules = served
    client = app.test_client()
    waive = {**LAW, "kind": "waive", "course": "00229", "reason": "依文件免除", "document_number": "晋招考院〔2026〕13号"}
    resp = record(client, waive)
    assert resp.status_code == 201, resp.json
    assert resp.json["by"] is None


def test_revoking_needs_a_reason_is_recorded_and_happens_once(served):
    app, rules = served
    discontinue(app, rules)
    client = app.test_client()
    exc_id = record(client).json["id"]
    resp = client.post(f"/v1/exceptions/{exc_id}/revoke", json={}, headers=CURRICULUM)
    assert resp.status_code == 422 and "reason" in resp.json["fields"]
    resp = client.post(f"/v1/exceptions/{exc_id}/revoke", json={"reason": "文件撤回"}, headers=PROVINCE)
    assert resp.status_code == 200
    assert resp.json["state"] == "revoked"
    assert [(e["action"], e["role"], e["reason"]) for e in resp.json["history"]] == [
        ("record", "curriculum", "停考专业，证据法学不再开考"), ("revoke", "province", "文件撤回")]
    again = client.post(f"/v1/exceptions/{exc_id}/revoke", json={"reason": "文件撤回"}, headers=PROVINCE)
    assert again.status_code == 409 and again.json["state"] == "revoked"
    assert listed(client, state="in_force") == [] and len(listed(client, state="revoked")) == 1


def test_evidence_is_a_pdf_or_image_kept_by_hash_and_recorded(served):
    app, rules = served
    discontinue(app, rules)
    client = app.test_client()
    exc_id = record(client).json["id"]
    url = f"/v1/exceptions/{exc_id}/evidence"
    gif = client.put(url, headers=CURRICULUM, content_type="multipart/form-data",
                     data={"evidence": (io.BytesIO(b"GIF89a" + b"\0" * 40), "scan.gif")})
    assert gif.status_code == 422 and "gif" in gif.json["fields"]["evidence"][0]
    assert client.put(url, headers=CURRICULUM, content_type="multipart/form-data", data={}).status_code == 422
    resp = client.put(url, headers=CURRICULUM, content_type="multipart/form-data",
                      data={"evidence": (io.BytesIO(PDF), "notice.pdf")})
    assert resp.status_code == 200, resp.json
    assert resp.json["evidence"]["format"] == "pdf"
    assert [e["action"] for e in resp.json["history"]] == ["record", "attach_evidence"]
    download = client.get(url, headers=AUDITOR)
    assert download.status_code == 200 and download.data == PDF and download.mimetype == "application/pdf"
    from service.store.db import connect
    from service.uploads import blob_gc
    db = connect(app.config["DATABASE"])
    assert resp.json["evidence"]["sha256"] in blob_gc.referenced(db)  # `sxzk blobs gc` keeps it
    db.conn.close()
    client.post(f"/v1/exceptions/{exc_id}/revoke", json={"reason": "文件撤回"}, headers=CURRICULUM)
    late = client.put(url, headers=CURRICULUM, content_type="multipart/form-data",
                      data={"evidence": (io.BytesIO(PDF), "notice.pdf")})
    assert late.status_code == 409


def test_the_portal_cannot_send_exceptions_with_an_evaluation(served):
    app, _rules = served
    client = app.test_client()
    import json

    from support.common import ROOT
    body = json.loads((ROOT / "fixtures/examples/law-discontinued-00229.json").read_text(encoding="utf-8"))
    body["exceptions"] = [{"id": 1, "university": "sxu", "major": "030101K", "kind": "waive", "course": "00229"}]
    resp = client.post("/v1/evaluations", json=body, headers=portal(ZHANG))
    assert resp.status_code == 422 and "exceptions" in resp.json["fields"]


def test_the_application_check_takes_the_exception_and_approval_closes_revocation(served):
    """张晓梅 failed 00181 (市场营销): a waiver by document lets the system approve her application."""
    app, _rules = served
    client = app.test_client()
    waive = {"university": "sxufe", "major": "630701", "kind": "waive", "course": "00181",
             "reason": "依文件免除广告学(一)", "document_number": "晋招考院〔2026〕13号"}
    other = {"university": "sxu", "major": "030101K", "kind": "waive", "course": "00229",
             "reason": "另一专业", "document_number": "晋招考院〔2026〕14号"}
    exc_id = record(client, waive, exam_number=MISSING).json["id"]
    record(client, other, exam_number=MISSING)
    app_id = approved_application(client, MISSING)
    resp = client.get(f"/v1/applications/{app_id}", headers=portal(MISSING))
    [choice] = resp.json["choices"]
    decision = client.get(f"/v1/decisions/{choice['decision']['id']}", headers=AUDITOR).json
    [req] = [r for r in decision["requirements"] if r["id"] == "course:00181"]
    assert req["status"] == "met" and req["counted"][0]["via"] == f"exception:{exc_id}"
    assert [e["id"] for e in decision["input"]["exceptions"]] == [exc_id]  # only this choice's major
    resp = client.post(f"/v1/exceptions/{exc_id}/revoke", json={"reason": "文件撤回"}, headers=CURRICULUM)
    assert resp.status_code == 409 and resp.json["application_id"] == app_id
    assert listed(client, MISSING, state="in_force")[0]["id"] == exc_id


def test_the_command_line_attaches_evidence_and_refuses_a_bad_file_before_storing(served, tmp_path):
    import json

    app, rules = served
    discontinue(app, rules)
    runner = app.test_cli_runner()
    args = ["exceptions", "add", ZHANG, "--university", "sxu", "--major", "030101K", "--kind", "substitute",
            "--course", "00229", "--by", "13683", "--reason", "停考专业", "--document", "晋招考院〔2026〕12号",
            "--actor", "计划处刘老师"]
    bad = tmp_path / "scan.txt"
    bad.write_bytes(b"not a scan")
    refused = runner.invoke(args=[*args, "--evidence", str(bad)])
    assert refused.exit_code == 1 and "evidence: 证明文件须为 PDF、JPEG 或 PNG" in refused.output
    assert json.loads(runner.invoke(args=["exceptions", "list", ZHANG, "--json"]).output) == []
    scan = tmp_path / "notice.pdf"
    scan.write_bytes(PDF)
    done = runner.invoke(args=[*args, "--evidence", str(scan), "--json"])
    assert done.exit_code == 0, done.output
    exc = json.loads(done.output)
    assert exc["evidence"]["format"] == "pdf" and [e["action"] for e in exc["history"]] == ["record", "attach_evidence"]
    # recorded under the rules the reload put in service, the limits' version and each step's
    assert {e["ruleset_version"] for e in exc["history"]} == {exc["ruleset_version"]} == {
        app.extensions["rulebook"].current().version}
    assert app.test_client().get(f"/v1/exceptions/{exc['id']}/evidence", headers=PROVINCE).data == PDF
