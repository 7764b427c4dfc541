"""Driving graduation applications in tests: candidates, request bodies, files, and a driver.

The candidates come from the workflow area's own fixtures (imported with its loader);
the driver walks an application through the state table over HTTP.
"""
from __future__ import annotations

import io
import zipfile

from service.candidates.portrait import stand_in_portrait
from support.common import auth_headers

# 2025H2 毕业申请 window (rulesets/workflow/windows.yaml): the 2017 会计学 plan is still in force
GRADUATION_OPEN = "2025-11-20T10:00:00+08:00"
GRADUATION_CLOSED = "2026-01-10T10:00:00+08:00"

# candidates of fixtures/candidates.json (see prepare()): what each one is for
MISSING = "010119100001"     # 专科 市场营销 at sxufe, missing 00181: not eligible without an old-plan card
ELIGIBLE = "010119100003"    # 专科 市场营销 at sxufe, every course passed
SUBSTITUTE = "010119200002"  # 本科 会计学 at sxufe, 00015 failed: eligible with an English (II) substitution
UNVERIFIED = "010119100009"  # identity not verified yet

COUNTY = auth_headers("county")              # 太原市小店区
COUNTY_OTHER = auth_headers("county-other")  # 太原市迎泽区
PROVINCE = auth_headers("province")
AUDITOR = auth_headers("auditor")
DISTRICT = "太原市小店区"

CARD_00181 = {"code": "00181", "name": "广告学(一)", "date": "2012-10-21", "score": "71"}
SUBSTITUTION = ["00009", "00058", "00162", "03708"]
LIGHT_BLUE = (100, 197, 235)


def portal(exam_number: str) -> dict:
    return auth_headers("portal", exam_number)


def fill(exam_number: str = ELIGIBLE, **changes) -> dict:
    body = {"district": DISTRICT, "phone": "13912345678", "address": "太原市小店区长风街1号",
            "choices": [{"university": "sxufe", "major": "630701"}]}
    if exam_number == SUBSTITUTE:
        body["choices"] = [{"university": "sxufe", "major": "120203K", "substitution": SUBSTITUTION}]
    body.update(changes)
    return body


def photo(background=LIGHT_BLUE, size=(480, 640), fmt="JPEG") -> bytes:
    """A head-and-shoulders stand-in with a real face the machine checks accept (on a light-blue background)."""
    image = stand_in_portrait(size, background)
    out = io.BytesIO()
    image.save(out, fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    return out.getvalue()


def scan_zip() -> bytes:
    """A ZIP with one scanned card (a small JPEG)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("红卡-00181.jpg", photo(size=(300, 200)))
    return out.getvalue()


def files(field: str, data: bytes, name: str) -> dict:
    return {field: (io.BytesIO(data), name)}


class Driver:
    """Each step asserts its expected status, so a test reads as the path it walks."""

    def __init__(self, client):
        self.client = client

    def create(self, exam_number: str, body: dict | None = None, expect: int = 201) -> dict:
        resp = self.client.post("/v1/applications", json=body or fill(exam_number), headers=portal(exam_number))
        assert resp.status_code == expect, resp.json
        return resp.json

    def update(self, exam_number: str, app_id: int, body: dict, expect: int = 200) -> dict:
        resp = self.client.put(f"/v1/applications/{app_id}", json=body, headers=portal(exam_number))
        assert resp.status_code == expect, resp.json
        return resp.json

    def check(self, exam_number: str, app_id: int, expect: int = 200) -> dict:
        resp = self.client.post(f"/v1/applications/{app_id}/check", headers=portal(exam_number))
        assert resp.status_code == expect, resp.json
        return resp.json

    def archive(self, exam_number: str, app_id: int, data: bytes | None = None, name: str = "cards.zip",
                expect: int = 200) -> dict:
        resp = self.client.put(f"/v1/applications/{app_id}/old-plan-archive", headers=portal(exam_number),
                               data=files("archive", data if data is not None else scan_zip(), name),
                               content_type="multipart/form-data")
        assert resp.status_code == expect, resp.json
        return resp.json

    def submit(self, exam_number: str, app_id: int, expect: int = 200) -> dict:
        resp = self.client.post(f"/v1/applications/{app_id}/submit", json={"confirm": True},
                                headers=portal(exam_number))
        assert resp.status_code == expect, resp.json
        return resp.json

    def photo(self, exam_number: str, app_id: int, data: bytes | None = None, name: str = "photo.jpg",
              expect: int = 200) -> dict:
        resp = self.client.put(f"/v1/applications/{app_id}/photo", headers=portal(exam_number),
                               data=files("photo", data if data is not None else photo(), name),
                               content_type="multipart/form-data")
        assert resp.status_code == expect, resp.json
        return resp.json

    def review_photo(self, app_id: int, decision: str, reason: str | None = None, headers=COUNTY,
                     expect: int = 200) -> dict:
        resp = self.client.post(f"/v1/applications/{app_id}/photo-review", json={"decision": decision, "reason": reason},
                                headers=headers)
        assert resp.status_code == expect, resp.json
        return resp.json

    def verify(self, app_id: int, position: int = 1, verified: bool = True, headers=COUNTY, expect: int = 200) -> dict:
        resp = self.client.post(f"/v1/applications/{app_id}/old-plan/{position}/verification",
                                json={"verified": verified, "note": "原件已核"}, headers=headers)
        assert resp.status_code == expect, resp.json
        return resp.json

    def decide(self, app_id: int, decision: str, reason: str | None = None, headers=COUNTY, expect: int = 200) -> dict:
        resp = self.client.post(f"/v1/applications/{app_id}/decision", json={"decision": decision, "reason": reason},
                                headers=headers)
        assert resp.status_code == expect, resp.json
        return resp.json

    def reapply(self, exam_number: str, app_id: int, expect: int = 200) -> dict:
        resp = self.client.post(f"/v1/applications/{app_id}/reapply", headers=portal(exam_number))
        assert resp.status_code == expect, resp.json
        return resp.json

    def get(self, app_id: int, headers=PROVINCE) -> dict:
        resp = self.client.get(f"/v1/applications/{app_id}", headers=headers)
        assert resp.status_code == 200, resp.json
        return resp.json

    def state(self, app_id: int) -> str:
        return self.get(app_id)["state"]

    def history(self, app_id: int, headers=AUDITOR) -> list[dict]:
        resp = self.client.get(f"/v1/applications/{app_id}/history", headers=headers)
        assert resp.status_code == 200, resp.json
        return resp.json

    # --- whole paths -------------------------------------------------------------

    def submitted(self, exam_number: str, body: dict | None = None) -> int:
        app = self.create(exam_number, body)
        self.check(exam_number, app["id"])
        self.submit(exam_number, app["id"])
        return app["id"]

    def approved_by_system(self, exam_number: str = ELIGIBLE) -> int:
        app_id = self.submitted(exam_number)
        assert self.photo(exam_number, app_id)["state"] == "system_approved"
        return app_id

    def awaiting_county(self, exam_number: str = MISSING) -> int:
        """MISSING with the old-plan card for 00181: pending verification, so the county decides."""
        app = self.create(exam_number, fill(exam_number, old_plan_records=[CARD_00181]))
        self.archive(exam_number, app["id"])
        self.check(exam_number, app["id"])
        self.submit(exam_number, app["id"])
        assert self.photo(exam_number, app["id"])["state"] == "awaiting_county"
        return app["id"]

    def approved_by_county(self, exam_number: str = MISSING) -> int:
        app_id = self.awaiting_county(exam_number)
        self.verify(app_id)
        assert self.decide(app_id, "approve")["state"] == "county_approved"
        return app_id


def prepare(app) -> None:
    """Candidates imported, identities verified, the 毕业申请 window open (filled in with the area's loaders).

    The clock stands in the 2025H2 window: 李建国's English (II) substitution needs the
    2017 会计学 plan, which is in force until 2025-12-31.
    """
    from support.candidates import load

    load(app, GRADUATION_OPEN)
