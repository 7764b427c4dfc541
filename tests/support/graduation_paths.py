"""Graduation applications brought to `system_approved` or `paid` through the workflow's own HTTP API.

Used by the 毕业生登记表 tests (tests/forms) and the transfer-out tests (tests/transfer).

The demo candidates come from the workflow's loader (``service.candidates.demo``); extra
candidates for a test go through the same loader from a temporary fixtures file.
"""
from __future__ import annotations

import copy
import io
import json
from pathlib import Path

from service import idnumber
from service.candidates import demo
from service.payments.providers import DEV_SANDBOX_SECRET, SandboxProvider
from service.store.db import connect
from support.candidates import AUDITOR, COUNTY, COUNTY_OTHER, PROVINCE, load, portal  # noqa: F401 - shared
from support.common import FIXTURES

GRADUATION_OPEN = "2025-11-20T10:00:00"  # inside the 2025H2 毕业申请 window of rulesets/workflow/windows.yaml
ELIGIBLE = "010119100003"   # 王五, 专科 市场营销 (sxufe 630701), every course passed, 太原市小店区
DISTRICT = "太原市小店区"


def prepare(app, now: str = GRADUATION_OPEN) -> None:
    """The demo candidates imported and verified, the clock inside the graduation window."""
    load(app, now)


def id_number(order: str, birth: str = "19900101", area: str = "140105") -> str:
    first17 = area + birth + order
    return first17 + idnumber.check_digit(first17)


def add_candidate(app, tmp_path: Path, exam_number: str, name: str, *, like: str = ELIGIBLE, order: str = "013",
                  **changes) -> None:
    """A verified candidate with the courses of ``like``, loaded through the workflow's demo loader."""
    fixtures = json.loads((FIXTURES / "candidates.json").read_text(encoding="utf-8"))
    person = copy.deepcopy(next(c for c in fixtures["candidates"] if c["exam_number"] == like))
    person.update(exam_number=exam_number, name=name, id_number=id_number(order),
                  gender="男" if int(order) % 2 else "女", phone=f"139000{exam_number[-5:]}", **changes)
    folder = tmp_path / f"fixtures-{exam_number}"
    folder.mkdir()
    (folder / "candidates.json").write_text(json.dumps(
        {"candidates": [person], "demo": {"identity_verified": [exam_number]}}, ensure_ascii=False), encoding="utf-8")
    db = connect(app.config["DATABASE"])
    with app.app_context():
        demo.load_demo(db, app.config["BLOB_DIR"], fixtures=folder, registry=FIXTURES / "chsi_sandbox.json")
    db.conn.close()


def expect(resp, status: int) -> dict:
    assert resp.status_code == status, (resp.status_code, resp.json)
    return resp.json


def approved_application(client, exam_number: str = ELIGIBLE) -> int:
    """Filled, checked, submitted and photographed: 系统审核通过 (payable)."""
    h = portal(exam_number)
    app = expect(client.post("/v1/applications", headers=h, json={
        "district": DISTRICT, "phone": "13912345678", "address": "太原市小店区长风街1号",
        "choices": [{"university": "sxufe", "major": "630701"}]}), 201)
    expect(client.post(f"/v1/applications/{app['id']}/check", headers=h), 200)
    expect(client.post(f"/v1/applications/{app['id']}/submit", headers=h, json={"confirm": True}), 200)
    photo = demo.stand_in_photo("id_photo", exam_number)
    done = expect(client.put(f"/v1/applications/{app['id']}/photo", headers=h, content_type="multipart/form-data",
                             data={"photo": (io.BytesIO(photo), "photo.jpg")}), 200)
    assert done["state"] == "system_approved", done
    return app["id"]


def paid_application(client, exam_number: str = ELIGIBLE) -> int:
    """An approved application paid through the sandbox provider's signed callback: state `paid`."""
    app_id = approved_application(client, exam_number)
    order = expect(client.post(f"/v1/applications/{app_id}/orders", headers=portal(exam_number),
                               json={"provider": "alipay"}), 201)
    body, headers = SandboxProvider("alipay", DEV_SANDBOX_SECRET).callback(order, transaction_id=f"TXN{app_id:07d}")
    expect(client.post("/callbacks/payments/alipay", data=body, headers=headers), 200)
    assert expect(client.get(f"/v1/applications/{app_id}", headers=PROVINCE), 200)["state"] == "paid"
    return app_id
