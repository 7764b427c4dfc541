"""The 毕业生登记表 over HTTP: saved after payment (versions kept), exported as PDF, locked on receipt."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image
from pypdf import PdfReader
from support.graduation_paths import (
    AUDITOR,
    COUNTY,
    COUNTY_OTHER,
    ELIGIBLE,
    PROVINCE,
    add_candidate,
    appraised,
    approved_application,
    expect,
    form,
    paid_application,
    portal,
    prepare,
)

from service.forms.pdf import PAGE_W, TITLE


@pytest.fixture
def paid(app, client):
    prepare(app)
    return paid_application(client)


def save(client, app_id, body, headers=None, status=200):
    return expect(client.put(f"/v1/applications/{app_id}/registration-form", json=body,
                             headers=headers or portal(ELIGIBLE)), status)


def export(client, app_id, headers=None, query=""):
    resp = client.get(f"/v1/applications/{app_id}/registration-form/pdf{query}", headers=headers or portal(ELIGIBLE))
    assert resp.status_code == 200, resp.json
    return resp


def receive(client, app_id, headers=COUNTY, status=200, note=None):
    return expect(client.post(f"/v1/applications/{app_id}/registration-form/receipt",
                              json={"note": note} if note else {}, headers=headers), status)


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_saved_form_exports_as_a_two_copy_pdf_that_reads_back(paid, client):
    saved = save(client, paid, form())
    assert (saved["version"], saved["state"], saved["editable"], saved["received"]) == (1, "paid", True, None)
    assert saved["form"]["mobile"] == "13800000000" and saved["form"]["work_start_date"] == "2012年07月01日"
    assert saved["form"]["overseas_relative"] is False and "candidate" not in saved["form"]

    resp = export(client, paid)
    assert resp.mimetype == "application/pdf"
    assert resp.headers["Content-Disposition"].startswith('attachment; filename="registration-form-')
    assert resp.headers["X-Form-Version"] == "1"
    texts = page_texts(resp.data)
    assert len(texts) % 2 == 0
    half = len(texts) // 2
    first, second = "".join(texts[:half]), "".join(texts[half:])
    for copy_text, label in ((first, "第一份"), (second, "第二份")):
        assert TITLE in copy_text and label in copy_text
        assert "王五" in copy_text and "010119100003" in copy_text  # from the candidate's record
        assert "市场营销" in copy_text and "山西财经大学" in copy_text  # from the application
        assert "太原市某某商贸有限公司" in copy_text and "2012年07月01日" in copy_text  # from the stored form
    assert "太原市小店区" in texts[0]


def test_old_plan_cards_are_printed_after_the_passed_results_unless_refused(app, paid):
    from service.forms.registration_forms import printed_courses
    from service.web import current

    cards = [{"code": "00058", "name": "市场营销学", "credits": 5, "score": "70", "date": "2003-04-20",
              "status": status} for status in ("verified", "refused", "pending")]
    with app.app_context():
        policy = current.rulebook().current().policy
        passed = printed_courses(current.db(), policy, {"exam_number": ELIGIBLE, "old_plan": []})
        printed = printed_courses(current.db(), policy, {"exam_number": ELIGIBLE, "old_plan": cards})
    assert passed and printed[:len(passed)] == passed
    assert [c["note"] for c in printed[len(passed):]] == ["旧计划", "旧计划待核验"]


def test_the_scores_printed_are_the_candidates_passed_results(app, paid, client):
    save(client, paid, form())
    with app.app_context():
        from service.candidates import records as candidates
        from service.web import current
        passed = candidates.passed_courses(current.db(), ELIGIBLE, current.rulebook().current().policy)
        born = current.db().conn.execute("SELECT substr(id_number, 7, 6) FROM candidates WHERE exam_number = ?",
                                         [ELIGIBLE]).fetchone()[0]
    assert passed
    texts = page_texts(export(client, paid).data)
    scores = re.sub(r"\s+", "", "".join(texts[2:len(texts) // 2]))
    for course in passed:
        assert f"{course['code']}{course['name']}".replace(" ", "") in scores, course["code"]
        assert f"{course['score']}{course['date']}" in scores, course["code"]
    assert f"合计：{len(passed)}门课程" in scores
    assert f"{born[:4]}年{born[4:]}月" in texts[0]


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_page_one_renders_with_real_glyphs_in_the_title(paid, client, tmp_path):
    save(client, paid, form())
    source = tmp_path / "form.pdf"
    source.write_bytes(export(client, paid).data)
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(source), str(tmp_path / "p")],
                   check=True, capture_output=True)
    (png,) = tmp_path.glob("p*.png")
    image = Image.open(png).convert("L")
    scale = 50 / 72
    title = image.crop(tuple(round(v * scale) for v in (PAGE_W / 2 - 120, 40, PAGE_W / 2 + 120, 70)))
    dark = sum(title.histogram()[:128])
    assert dark > 400, f"only {dark} dark pixels where the title should be"
    assert dark < 0.6 * title.width * title.height, "a dark block, not glyphs"


def test_the_form_can_be_saved_and_exported_again_and_every_version_is_kept(paid, client):
    save(client, paid, form())
    first_pdf = export(client, paid).data
    again = save(client, paid, form(occupation="市场专员", self_evaluation=None))
    assert again["version"] == 2 and again["versions"] == 2 and again["form"]["self_evaluation"] is None
    versions = expect(client.get(f"/v1/applications/{paid}/registration-form/versions", headers=portal(ELIGIBLE)), 200)
    assert [v["version"] for v in versions] == [1, 2]
    assert all(v["saved_by"] == "portal:portal-backend for 010119100003" for v in versions)
    old = expect(client.get(f"/v1/applications/{paid}/registration-form?version=1", headers=portal(ELIGIBLE)), 200)
    assert old["form"]["occupation"] == "销售"
    latest = export(client, paid)
    assert latest.headers["X-Form-Version"] == "2" and latest.data != first_pdf
    assert "本栏由考生本人手写" in "".join(page_texts(latest.data))
    assert export(client, paid, query="?version=1").data == first_pdf  # the same stored data, the same bytes


def test_bad_input_is_listed_by_field_and_stores_nothing(paid, client, db):
    body = form(mobile="12345", work_start_date="2012-07-01", ethnicity="汉", resume=[],
                self_evaluation="太短了。", native_place="太原")
    body["bogus"] = 1
    resp = save(client, paid, body, status=422)
    assert {"mobile", "work_start_date", "ethnicity", "resume", "self_evaluation", "native_place", "bogus"} <= set(
        resp["fields"])
    assert db.execute("SELECT count(*) FROM registration_form_versions").fetchone()[0] == 0
    missing = expect(client.get(f"/v1/applications/{paid}/registration-form/pdf", headers=portal(ELIGIBLE)), 404)
    assert "no 毕业生登记表 saved" in missing["message"]
    assert "fields" in save(client, paid, ["not", "an", "object"], status=422)


def test_the_printed_identity_cannot_be_sent_with_the_form(paid, client):
    resp = save(client, paid, form(candidate={"name": "别人"}), status=422)
    assert "candidate" in resp["fields"]


def test_a_name_the_font_lacks_is_refused_when_the_form_is_saved(app, client, db, tmp_path):
    prepare(app)
    add_candidate(app, tmp_path, "010119100020", "刘䶮")
    app_id = paid_application(client, "010119100020")
    resp = save(client, app_id, form(), headers=portal("010119100020"), status=422)
    (message,) = resp["fields"]["candidate"]["name"]
    assert "U+4DAE" in message and "cannot print" in message
    assert db.execute("SELECT count(*) FROM registration_form_versions").fetchone()[0] == 0


def test_before_payment_the_form_cannot_be_saved(app, client, db):
    prepare(app)
    app_id = approved_application(client)
    resp = save(client, app_id, form(), status=409)
    assert resp["state"] == "system_approved" and "after payment" in resp["message"]
    assert db.execute("SELECT count(*) FROM registration_form_versions").fetchone()[0] == 0


def test_once_the_county_office_receives_it_the_form_is_locked(paid, client):
    save(client, paid, form())
    save(client, paid, form(occupation="市场专员"))
    before = export(client, paid).data
    appraised(client, paid)
    done = receive(client, paid, note="一式两份已收到，考生已签字")
    assert (done["state"], done["editable"]) == ("form_locked", False)
    assert done["received"]["version"] == 2 and done["received"]["received_by"] == "county:小店区招办 王老师"
    locked = save(client, paid, form(occupation="经理"), status=409)
    assert locked["state"] == "form_locked" and locked["allowed"] == []
    assert export(client, paid).data == before  # what the office holds can be printed again
    assert receive(client, paid, status=409)["state"] == "form_locked"
    events = expect(client.get(f"/v1/applications/{paid}/history", headers=AUDITOR), 200)
    last = events[-1]
    assert (last["action"], last["from_state"], last["to_state"], last["role"], last["reason"]) == (
        "lock_form", "paid", "form_locked", "county", "一式两份已收到，考生已签字")


def test_nothing_can_be_received_before_a_form_was_saved(paid, client):
    resp = receive(client, paid, status=409)
    assert resp["state"] == "paid" and "no 毕业生登记表" in resp["message"]


def test_who_may_do_what(paid, client):
    save(client, paid, form())
    # another candidate, another district: the application does not exist for them
    assert client.get(f"/v1/applications/{paid}/registration-form", headers=portal("010119100001")).status_code == 404
    assert client.get(f"/v1/applications/{paid}/registration-form/pdf", headers=COUNTY_OTHER).status_code == 404
    receive(client, paid, headers=COUNTY_OTHER, status=404)
    # auditors read and print, never change; the candidate cannot mark their own form received
    assert client.get(f"/v1/applications/{paid}/registration-form", headers=AUDITOR).status_code == 200
    assert client.get(f"/v1/applications/{paid}/registration-form/pdf", headers=AUDITOR).status_code == 200
    save(client, paid, form(), headers=AUDITOR, status=403)
    save(client, paid, form(), headers=COUNTY, status=403)
    receive(client, paid, headers=AUDITOR, status=403)
    receive(client, paid, headers=portal(ELIGIBLE), status=403)
    # the province may receive any district's form
    appraised(client, paid, headers=PROVINCE)
    assert receive(client, paid, headers=PROVINCE)["state"] == "form_locked"


def test_exports_from_several_threads_at_once_are_identical(paid, app, client):
    save(client, paid, form())
    reference = export(client, paid).data

    def one(_):
        return export(app.test_client(), paid).data

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(one, range(12)))
    assert all(r == reference for r in results)
