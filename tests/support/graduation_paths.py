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


SELF_EVALUATION = (
    "本人参加高等教育自学考试以来，坚持业余学习，认真完成每一门课程的学习与考试。在政治思想方面，"
    "我拥护党的路线方针政策，遵纪守法，关心时事，积极参加单位组织的各项学习活动。在工作方面，"
    "我热爱本职工作，认真负责，团结同事，努力把所学的市场营销知识用于实际工作，多次完成公司交给的任务。"
    "在学习方面，我合理安排工作与学习的时间，克服工学矛盾，系统学习了专业课程，掌握了扎实的专业知识。"
) * 3


def form(**changes) -> dict:
    """A complete 毕业生登记表 body (its fields as the candidate fills them in)."""
    body = {
        "ethnicity": "汉族", "political_status": "中国共产主义青年团团员", "occupation": "销售",
        "mobile": "138 0000 0000", "education_obtained": "高中", "health": "健康",
        "work_start_date": "2012年7月1日", "overseas_relative": "否",
        "native_place": "山西省晋中市平遥县", "employer": "太原市某某商贸有限公司",
        "home_address": "山西省太原市小店区平阳路某某小区3号楼2单元501室",
        "resume": [{"from": "2009年09月01日", "to": "2012年07月01日", "place": "山西省平遥中学学习"},
                   {"from": "2012年07月01日", "to": "2025年10月31日", "place": "太原市某某商贸有限公司销售部工作"}],
        "family_members": [{"name": "王父", "employer": "平遥县某村", "position": "务农"}],
        "rewards_punishments": "奖励：2019年度公司优秀员工。",
        "self_evaluation": SELF_EVALUATION,
    }
    body.update(changes)
    return body


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


def appraised(client, app_id: int, result: str = "合格", headers=COUNTY) -> dict:
    """The county office records the 思想品德鉴定 of the paper 登记表 (needed before the form is locked)."""
    return expect(client.post(f"/v1/applications/{app_id}/conduct-appraisal", headers=headers,
                              json={"result": result, "note": "随登记表交回"}), 200)
