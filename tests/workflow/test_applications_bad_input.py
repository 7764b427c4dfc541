"""Bad input is a clear 4xx naming each problem, and the application is left exactly as it was."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from support.applications import (
    CARD_00181,
    ELIGIBLE,
    MISSING,
    Driver,
    fill,
    photo,
    portal,
    prepare,
)


@pytest.fixture
def drive(app, client):
    prepare(app)
    app.config["TEST_DEMO_BLOBS"] = set(_files(app))  # the demo's identity photos
    return Driver(client)


def _files(app) -> list[Path]:
    root = Path(app.config["BLOB_DIR"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def blobs(app) -> list[Path]:
    """Files the application workflow stored (the demo's identity photos excluded)."""
    return [p for p in _files(app) if p not in app.config.get("TEST_DEMO_BLOBS", set())]


def count(db, table: str) -> int:
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_a_third_university_is_refused(drive, db):
    body = fill(choices=[{"university": "sxufe", "major": "630701"}, {"university": "sxu", "major": "030101K"},
                         {"university": "tyut", "major": "080901"}])
    resp = drive.create(ELIGIBLE, body, expect=422)
    assert resp["fields"]["choices"] and count(db, "applications") == 0


def test_two_majors_under_one_university_are_refused(drive, db):
    body = fill(choices=[{"university": "sxufe", "major": "630701"}, {"university": "sxufe", "major": "120203K"}])
    resp = drive.create(ELIGIBLE, body, expect=422)
    assert "one major under each" in resp["fields"]["choices"][0] and count(db, "applications") == 0


def test_every_field_problem_is_listed_at_once(drive, db):
    body = fill(phone="12345", address="", district="x" * 50, bogus=1,
                choices=[{"university": "SXUFE", "major": "63"}],
                old_plan_records=[{"code": "181", "name": "", "date": "2099-01-01", "score": "101", "verified": True}])
    resp = drive.create(ELIGIBLE, body, expect=422)
    fields = resp["fields"]
    assert {"phone", "address", "district", "bogus", "choices", "old_plan_records"} <= set(fields)
    assert set(fields["choices"]["0"]) == {"university", "major"}
    assert set(fields["old_plan_records"]["0"]) == {"code", "name", "date", "score", "verified"}
    assert count(db, "applications") == 0 and count(db, "application_events") == 0


def test_unknown_district_university_and_major_are_named(drive, db):
    body = fill(district="火星市", choices=[{"university": "nowhere", "major": "630701"},
                                          {"university": "sxu", "major": "999999"}])
    resp = drive.create(ELIGIBLE, body, expect=422)
    assert "district" in resp["fields"]
    assert "university" in resp["fields"]["choices"]["0"] and "major" in resp["fields"]["choices"]["1"]
    assert count(db, "applications") == 0


def test_a_major_without_a_plan_is_refused_when_filled_naming_it(drive, db):
    body = fill(choices=[{"university": "sxufe", "major": "630701"}, {"university": "sxu", "major": "020101"}])
    resp = drive.create(ELIGIBLE, body, expect=422)
    [why] = resp["fields"]["choices"]["1"]["major"]
    assert why.startswith("no exam plan of 山西大学 020101 经济学（专升本） is on file")
    assert "0" not in resp["fields"]["choices"]
    chinese = drive.client.post("/v1/applications", json=body, headers={**portal(ELIGIBLE), "Accept-Language": "zh"})
    assert chinese.json["fields"]["choices"]["1"]["major"] == ["山西大学 020101 经济学（专升本）没有考试计划，不能据以审核毕业"]
    assert count(db, "applications") == 0


def test_an_update_to_a_major_without_a_plan_is_refused(drive):
    app = drive.create(ELIGIBLE)
    resp = drive.update(ELIGIBLE, app["id"], fill(choices=[{"university": "sxu", "major": "030301"}]), expect=422)
    assert "山西大学 030301" in resp["fields"]["choices"]["0"]["major"][0]
    assert drive.get(app["id"])["choices"][0]["major"] == "630701"


def test_a_card_listed_twice_is_refused(drive):
    resp = drive.create(MISSING, fill(MISSING, old_plan_records=[CARD_00181, CARD_00181]), expect=422)
    assert "00181" in resp["fields"]["old_plan_records"][0]


def test_a_bad_update_changes_nothing(drive):
    app = drive.create(ELIGIBLE)
    drive.check(ELIGIBLE, app["id"])
    before = drive.get(app["id"])
    drive.update(ELIGIBLE, app["id"], fill(phone="1"), expect=422)
    drive.update(ELIGIBLE, app["id"], fill(district="火星市"), expect=422)
    assert drive.get(app["id"]) == before and len(drive.history(app["id"])) == 2


def test_submit_must_be_confirmed(drive):
    app = drive.create(ELIGIBLE)
    drive.check(ELIGIBLE, app["id"])
    for body in ({"confirm": False}, {}, {"confirm": True, "extra": 1}):
        resp = drive.client.post(f"/v1/applications/{app['id']}/submit", json=body, headers=portal(ELIGIBLE))
        assert resp.status_code == 422
    assert drive.state(app["id"]) == "draft"


# --- uploads ------------------------------------------------------------------------

def encoded(fmt: str, size=(480, 640)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (100, 197, 235)).save(out, fmt)
    return out.getvalue()


@pytest.mark.parametrize(("data", "name", "status"), [
    (encoded("GIF"), "photo.jpg", 415),
    (encoded("BMP"), "photo.png", 415),
    (b"not an image at all", "photo.jpg", 415),
    (b"", "photo.jpg", 422),
    (photo()[:2000], "photo.jpg", 422),
])
def test_bad_photos_are_refused_and_change_nothing(app, drive, data, name, status):
    app_id = drive.submitted(ELIGIBLE)
    before, stored = drive.get(app_id), blobs(app)
    resp = drive.photo(ELIGIBLE, app_id, data, name, expect=status)
    assert resp["fields"]["photo"]
    assert drive.get(app_id) == before and blobs(app) == stored


def test_a_photo_of_two_megabytes_is_413(app, drive):
    app_id = drive.submitted(ELIGIBLE)
    big = photo() + b"\0" * (2 * 1024 * 1024)  # trailing bytes after a valid JPEG: size alone refuses it
    resp = drive.photo(ELIGIBLE, app_id, big, expect=413)
    assert resp["error"] == "payload_too_large" and drive.state(app_id) == "submitted" and blobs(app) == []


def test_a_png_named_jpg_is_judged_by_its_content(drive):
    app_id = drive.submitted(ELIGIBLE)
    done = drive.photo(ELIGIBLE, app_id, photo(fmt="PNG"), "photo.jpg")
    assert done["photo"]["format"] == "png" and done["state"] == "system_approved"


def test_photo_without_a_file_is_422(drive):
    app_id = drive.submitted(ELIGIBLE)
    resp = drive.client.put(f"/v1/applications/{app_id}/photo", headers=portal(ELIGIBLE), data={"x": "1"},
                            content_type="multipart/form-data")
    assert resp.status_code == 422 and "photo" in resp.json["fields"]


def test_photo_before_submission_is_409(app, drive):
    draft = drive.create(ELIGIBLE)
    resp = drive.photo(ELIGIBLE, draft["id"], expect=409)
    assert resp["state"] == "draft" and blobs(app) == []


def test_a_fake_zip_is_415_and_changes_nothing(app, drive):
    draft = drive.create(MISSING, fill(MISSING, old_plan_records=[CARD_00181]))
    resp = drive.archive(MISSING, draft["id"], b"PK? this is a text file renamed to zip", "cards.zip", expect=415)
    assert resp["fields"]["archive"]
    resp = drive.archive(MISSING, draft["id"], photo(), "cards.rar", expect=415)
    assert "JPEG" in resp["message"]
    assert drive.get(draft["id"])["archive"] is None and blobs(app) == []


def test_a_zip_bomb_is_refused(app, drive):
    draft = drive.create(MISSING, fill(MISSING, old_plan_records=[CARD_00181]))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("scan.jpg", photo(size=(64, 64)))
        archive.writestr("bomb.bin", b"\0" * (50 * 1024 * 1024))
    resp = drive.archive(MISSING, draft["id"], out.getvalue(), expect=422)
    assert "zip bomb" in resp["message"] or "zip bomb" in str(resp["fields"])
    assert drive.get(draft["id"])["archive"] is None and blobs(app) == []


def test_an_upload_over_the_request_limit_is_413(app, drive):
    draft = drive.create(MISSING, fill(MISSING, old_plan_records=[CARD_00181]))
    resp = drive.archive(MISSING, draft["id"], b"PK\x03\x04" + b"\0" * (9 * 1024 * 1024), expect=413)
    assert resp["message"] == "the request body is larger than the service accepts"
    assert drive.get(draft["id"])["archive"] is None and blobs(app) == []


def test_an_unknown_district_is_named_with_the_other_problems(drive, db):
    # a well-formed but unknown district used to be reported only once everything else was valid
    resp = drive.create(ELIGIBLE, fill(district="火星市", phone="12345"), expect=422)
    assert {"district", "phone"} <= set(resp["fields"])
    assert "GET /v1/districts" in resp["fields"]["district"][0]
    assert count(db, "applications") == 0
