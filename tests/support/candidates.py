"""Candidates in tests: the demo fixture loaded at a fixed time, photos, and request helpers."""
from __future__ import annotations

import io

from PIL import Image

from service.candidates import demo
from service.store.db import connect
from support.common import auth_headers

NOW = "2026-11-22T10:00:00+08:00"  # inside the 2026H2 毕业申请 window

MISSING = "010119100001"      # 张晓梅, 太原市小店区, 专科, 00181 failed
ELIGIBLE = "010119100003"     # 王五, 太原市小店区
YINGZE = "010119100004"       # 李四, 太原市迎泽区
UNVERIFIED = "010119100009"   # 周八, 太原市小店区, 在籍, identity unverified
MANUAL = "010119100010"       # 王小明, 太原市小店区, sandbox marker: online check fails
NEW = "010119100011"          # 李小红, 运城市盐湖区, 新考生, unverified
SUBSTITUTE = "010119200002"   # 李建国, 本科, 学信网 record matches
MISMATCH = "010119200007"     # 吴九, 太原市迎泽区, 学信网 record in the name 吴玖
NO_DIPLOMA = "010119200008"   # 郑十, 阳泉市城区, 学信网 has nothing

COUNTY = auth_headers("county")              # 太原市小店区
COUNTY_OTHER = auth_headers("county-other")  # 太原市迎泽区
PROVINCE = auth_headers("province")
AUDITOR = auth_headers("auditor")
CURRICULUM = auth_headers("curriculum")


def portal(exam_number: str) -> dict:
    return auth_headers("portal", exam_number)


def load(app, now: str = NOW) -> None:
    """The demo candidates, imported and verified as `sxzk demo load` does, with the clock at ``now``."""
    app.config["CLOCK_NOW"] = now
    db = connect(app.config["DATABASE"])
    try:
        with app.app_context():
            demo.load_demo(db, app.config["BLOB_DIR"])
    finally:
        db.conn.close()


def image(fmt: str = "JPEG", size=(480, 640), color=(100, 197, 235)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()


def noisy_jpeg_over(limit: int) -> bytes:
    """A real, decodable JPEG larger than ``limit`` bytes (random noise does not compress)."""
    import os

    side = 1200
    while True:
        im = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
        out = io.BytesIO()
        im.save(out, "JPEG", quality=95)
        if out.tell() > limit:
            return out.getvalue()
        side += 400


def upload(client, exam_number: str, files: dict[str, bytes], headers=None, form: dict | None = None):
    data = {kind: (io.BytesIO(content), f"{kind}.jpg") for kind, content in files.items()}
    data.update(form or {})
    return client.post(f"/v1/candidates/{exam_number}/identity/photos", data=data, content_type="multipart/form-data",
                       headers=headers or portal(exam_number))


def two_photos() -> dict[str, bytes]:
    return {"id_card": demo.stand_in_photo("id_card", "42"), "holding_id": demo.stand_in_photo("holding_id", "42")}


def three_photos() -> dict[str, bytes]:
    return {"id_photo": demo.stand_in_photo("id_photo", "42"), **two_photos()}


def count(db, table: str, where: str = "1", params=()) -> int:
    return db.execute(f"SELECT count(*) FROM {table} WHERE {where}", list(params)).fetchone()[0]
