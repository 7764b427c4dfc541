"""A real gunicorn, with the access log `make run` writes, serves a day's mix of traffic that carries personal data.

Candidates are looked up, evaluated and apply; the county decides; clients make the
usual mistakes (invalid ID numbers and phones, broken JSON, wrong content types,
oversize bodies, unknown tokens, forbidden roles) and one upload ends in a storage
fault (a 500).  Afterwards neither the log (access and error) nor any error body
holds an ID number, a phone, a name or a traceback, and every response carries the
security headers.
"""
from __future__ import annotations

import copy
import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from support.applications import (
    AUDITOR,
    CARD_00181,
    COUNTY,
    DISTRICT,
    ELIGIBLE,
    GRADUATION_OPEN,
    MISSING,
    PROVINCE,
    UNVERIFIED,
    fill,
    photo,
    portal,
    prepare,
    scan_zip,
)
from support.common import FIXTURES, ROOT, auth_headers, example
from support.live_server import LiveServer

from service import idnumber
from service.candidates import demo
from service.web.access_log import redact

EXAMPLES = sorted(p.stem for p in (FIXTURES / "examples").glob("*.json"))
CANDIDATES = json.loads((FIXTURES / "candidates.json").read_text(encoding="utf-8"))["candidates"]
APPLICATION_PHONE, APPLICATION_ADDRESS = fill()["phone"], fill()["address"]
WRONG_CHECK_DIGIT = "140106199807221047"  # 张晓梅's number with the last character changed
BAD_PHONE = "1390000000x"
# a well-formed ID number of nobody in the fixtures, typed where a 准考证号 belongs
TYPED_INTO_THE_PATH = "14010519900101123" + idnumber.check_digit("14010519900101123")
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Cache-Control": "no-store"}


def make_run_access_log_args() -> tuple[str, ...]:
    """The access-log format and logger class `make run` deploys, read from the Makefile: the test checks what ships."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    fmt = re.search(r"--access-logformat '([^']+)'", makefile)
    logger = re.search(r"--logger-class (\S+)", makefile)
    assert fmt and logger, "the Makefile's run target no longer sets --access-logformat and --logger-class"
    return ("--access-logfile", "-", "--access-logformat", fmt.group(1), "--logger-class", logger.group(1))


def personal_data() -> set[str]:
    """Every ID number, phone and name of the fixture candidates, and the personal values the traffic sends."""
    values = {c[key] for c in CANDIDATES for key in ("id_number", "phone", "name")}
    for name in EXAMPLES:
        person = example(name)["candidate"]
        values |= {person["id_number"], person["name"]}
    return values | {APPLICATION_PHONE, APPLICATION_ADDRESS, WRONG_CHECK_DIGIT, BAD_PHONE}


def multipart(files: dict[str, tuple[bytes, str]]) -> tuple[bytes, dict]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
             f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n"
             for field, (data, filename) in files.items()]
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), {"Content-Type": f"multipart/form-data; boundary={boundary}"}


@dataclass
class Exchange:
    method: str
    path: str
    status: int
    headers: dict
    body: object  # parsed JSON, or the raw bytes when it was not JSON

    def text(self) -> str:
        if isinstance(self.body, bytes):
            return self.body.decode("utf-8", "replace")
        return json.dumps(self.body, ensure_ascii=False)


class Traffic:
    """Sends requests to the live server and keeps every exchange for the checks afterwards."""

    def __init__(self, server: LiveServer):
        self.server = server
        self.exchanges: list[Exchange] = []

    def send(self, method: str, path: str, body=None, headers=None, expect: int | None = None):
        status, resp_headers, parsed = self.server.request(method, path, body, headers)
        self.exchanges.append(Exchange(method, path, status, resp_headers, parsed))
        assert expect is None or status == expect, (method, path, status, parsed)
        return parsed

    def upload(self, method: str, path: str, files: dict[str, tuple[bytes, str]], headers: dict, expect: int):
        body, content_type = multipart(files)
        return self.send(method, path, body, {**headers, **content_type}, expect)

    def errors(self) -> list[Exchange]:
        return [e for e in self.exchanges if e.status >= 400]


# --- the traffic ---------------------------------------------------------------------

def look_up_candidates(traffic: Traffic) -> None:
    traffic.send("GET", f"/v1/candidates/{MISSING}", headers=portal(MISSING), expect=200)
    traffic.send("GET", "/v1/centre", headers=portal(ELIGIBLE), expect=200)
    traffic.send("GET", f"/v1/candidates/{ELIGIBLE}", headers=COUNTY, expect=200)  # staff see the full ID number
    traffic.send("GET", f"/v1/candidates/{ELIGIBLE}/identity", headers=COUNTY, expect=200)
    traffic.send("GET", f"/v1/candidates/{MISSING}/courses", headers=portal(MISSING), expect=200)
    traffic.send("GET", f"/v1/candidates?district={quote(DISTRICT)}", headers=PROVINCE, expect=200)


def evaluate_the_examples(traffic: Traffic) -> None:
    for name in EXAMPLES:
        traffic.send("POST", "/v1/evaluations", example(name), PROVINCE, expect=201)


def apply_and_be_decided(traffic: Traffic) -> None:
    """ELIGIBLE is approved by the system; MISSING, with an old-plan card, by the 小店区 county office."""
    eligible = traffic.send("POST", "/v1/applications", fill(ELIGIBLE), portal(ELIGIBLE), expect=201)["id"]
    traffic.send("POST", f"/v1/applications/{eligible}/check", headers=portal(ELIGIBLE), expect=200)
    traffic.send("POST", f"/v1/applications/{eligible}/submit", {"confirm": True}, portal(ELIGIBLE), expect=200)
    approved = traffic.upload("PUT", f"/v1/applications/{eligible}/photo", {"photo": (photo(), "photo.jpg")},
                              portal(ELIGIBLE), expect=200)
    assert approved["state"] == "system_approved"
    traffic.send("POST", f"/v1/applications/{eligible}/submit", {"confirm": True}, portal(ELIGIBLE), expect=409)

    missing = traffic.send("POST", "/v1/applications", fill(MISSING, old_plan_records=[CARD_00181]),
                           portal(MISSING), expect=201)["id"]
    traffic.upload("PUT", f"/v1/applications/{missing}/old-plan-archive", {"archive": (scan_zip(), "cards.zip")},
                   portal(MISSING), expect=200)
    traffic.send("POST", f"/v1/applications/{missing}/check", headers=portal(MISSING), expect=200)
    traffic.send("POST", f"/v1/applications/{missing}/submit", {"confirm": True}, portal(MISSING), expect=200)
    waiting = traffic.upload("PUT", f"/v1/applications/{missing}/photo", {"photo": (photo(), "photo.jpg")},
                             portal(MISSING), expect=200)
    assert waiting["state"] == "awaiting_county"
    traffic.send("POST", f"/v1/applications/{missing}/old-plan/1/verification",
                 {"verified": True, "note": "原件已核"}, COUNTY, expect=200)
    decided = traffic.send("POST", f"/v1/applications/{missing}/decision", {"decision": "approve", "reason": None},
                           COUNTY, expect=200)
    assert decided["state"] == "county_approved"
    traffic.send("GET", f"/v1/applications/{missing}", headers=AUDITOR, expect=200)
    traffic.send("GET", f"/v1/applications/{missing}/history", headers=AUDITOR, expect=200)


def evaluation_with(**candidate) -> dict:
    body = copy.deepcopy(example("marketing-missing-00181"))
    body["candidate"].update(candidate)
    return body


def make_mistakes(traffic: Traffic) -> None:
    """Bad requests that carry personal data: the answer names the field, never the value."""
    wrong = traffic.send("POST", "/v1/evaluations", evaluation_with(id_number=WRONG_CHECK_DIGIT), PROVINCE, expect=422)
    assert "id_number" in wrong["fields"]["candidate"]
    traffic.send("POST", "/v1/evaluations", evaluation_with(id_number=WRONG_CHECK_DIGIT[:16]), PROVINCE, expect=422)
    traffic.send("POST", "/v1/evaluations", evaluation_with(gender="男"), PROVINCE, expect=422)
    traffic.send("POST", "/v1/evaluations", evaluation_with(phone=CANDIDATES[0]["phone"]), PROVINCE, expect=422)
    bad_phone = traffic.send("POST", "/v1/applications", fill(ELIGIBLE, phone=BAD_PHONE), portal(ELIGIBLE), expect=422)
    assert "phone" in bad_phone["fields"]
    traffic.send("POST", "/v1/applications", fill(ELIGIBLE, id_number=CANDIDATES[1]["id_number"]),
                 portal(ELIGIBLE), expect=422)
    traffic.send("GET", "/v1/centre", headers=auth_headers("portal", CANDIDATES[1]["id_number"]), expect=422)
    traffic.send("GET", f"/v1/candidates/{TYPED_INTO_THE_PATH}", headers=COUNTY, expect=404)
    broken = json.dumps(evaluation_with(), ensure_ascii=False).encode()[:-40]
    traffic.send("POST", "/v1/evaluations", broken, {**PROVINCE, "Content-Type": "application/json"}, expect=400)
    traffic.send("POST", "/v1/evaluations", json.dumps(evaluation_with(), ensure_ascii=False).encode(),
                 {**PROVINCE, "Content-Type": "text/plain"}, expect=415)
    padded = evaluation_with(name="张晓梅" * 100_000)
    traffic.send("POST", "/v1/evaluations", json.dumps(padded, ensure_ascii=False).encode(),
                 {**PROVINCE, "Content-Type": "application/json"}, expect=413)


def knock_without_rights(traffic: Traffic) -> None:
    traffic.send("GET", f"/v1/candidates/{MISSING}", headers={"Authorization": f"Bearer {CANDIDATES[0]['id_number']}"},
                 expect=401)
    traffic.send("POST", "/v1/evaluations", example(EXAMPLES[0]), expect=401)
    traffic.send("POST", "/v1/evaluations", example(EXAMPLES[0]), AUDITOR, expect=403)
    traffic.send("GET", f"/v1/candidates/{MISSING}/identity/photos/id_card", headers=AUDITOR, expect=403)


def upload_identity_photos_into_a_storage_fault(traffic: Traffic, blob_dir: Path) -> None:
    """周八 uploads his ID card while the blob store cannot create the card's directory: a 500 inside the service."""
    card, holding = demo.stand_in_photo("id_card", "77"), demo.stand_in_photo("holding_id", "77")
    digest = hashlib.sha256(card).hexdigest()
    obstacle = blob_dir / digest[:2] / digest[2:4]
    assert not obstacle.exists()
    obstacle.parent.mkdir(parents=True, exist_ok=True)
    obstacle.write_bytes(b"not a directory")  # where BlobStore.put makes the card's directory
    traffic.upload("POST", f"/v1/candidates/{UNVERIFIED}/identity/photos",
                   {"id_card": (card, "id_card.jpg"), "holding_id": (holding, "holding_id.jpg")},
                   portal(UNVERIFIED), expect=500)


def read_the_documents(traffic: Traffic) -> None:
    traffic.send("GET", "/v1/openapi.json", expect=200)
    traffic.send("GET", "/v1/health", expect=200)


# --- the checks ----------------------------------------------------------------------

def assert_error_bodies_are_plain_json(traffic: Traffic) -> None:
    for e in traffic.errors():
        assert isinstance(e.body, dict) and {"error", "message"} <= set(e.body), (e.path, e.status, e.body)
        text = e.text()
        for tell in ("Traceback", 'File "', str(ROOT), "/work/", ".py"):
            assert tell not in text, (e.path, e.status, tell, text)


def assert_error_bodies_echo_no_personal_data(traffic: Traffic) -> None:
    secrets = personal_data() | {TYPED_INTO_THE_PATH}
    for e in traffic.errors():
        echoed = sorted(s for s in secrets if s in e.text())
        assert not echoed, (e.method, e.path, e.status, echoed, e.text())


def assert_the_log_holds_no_personal_data(log: str) -> None:
    # the access log records paths as clients send them: the logger class masks what is typed there
    leaked = sorted(s for s in personal_data() | {TYPED_INTO_THE_PATH} if s in log)
    assert not leaked, leaked
    assert "Traceback" not in log


def assert_the_log_saw_the_traffic(log: str, traffic: Traffic) -> None:
    """Without this the checks above would also pass on an empty log."""
    for e in traffic.exchanges:
        assert f'"{e.method} {redact(e.path.split("?")[0])}" {e.status} ' in log, (e.method, e.path, e.status)
    assert "unhandled FileExistsError in request" in log  # the 500, by its type only


def assert_security_headers(traffic: Traffic) -> None:
    for e in traffic.exchanges:
        for header, value in SECURITY_HEADERS.items():
            assert e.headers.get(header) == value, (e.method, e.path, e.status, header, e.headers.get(header))
        assert e.headers.get("Content-Security-Policy"), (e.method, e.path, e.status)


@pytest.fixture
def live(app):
    """The demo candidates on the app's database, the 毕业申请 window open, and gunicorn logging as `make run` does."""
    prepare(app)
    access_log = make_run_access_log_args()
    server = LiveServer(app.config["DATABASE"], app.config["BLOB_DIR"], env={"SXZK_NOW": GRADUATION_OPEN},
                        extra_args=access_log).start()
    yield server
    server.stop()


@pytest.mark.slow
def test_personal_data_and_tracebacks_stay_out_of_the_log_and_the_error_bodies(live, app):
    traffic = Traffic(live)
    look_up_candidates(traffic)
    evaluate_the_examples(traffic)
    apply_and_be_decided(traffic)
    make_mistakes(traffic)
    knock_without_rights(traffic)
    upload_identity_photos_into_a_storage_fault(traffic, Path(app.config["BLOB_DIR"]))
    read_the_documents(traffic)
    live.stop()  # every worker has written its last line

    assert {e.status for e in traffic.exchanges} >= {200, 201, 400, 401, 403, 404, 409, 413, 415, 422, 500}
    assert_error_bodies_are_plain_json(traffic)
    assert_error_bodies_echo_no_personal_data(traffic)
    assert_security_headers(traffic)
    log = live.log()
    assert_the_log_saw_the_traffic(log, traffic)
    assert_the_log_holds_no_personal_data(log)


def test_the_access_log_masks_id_numbers_and_phones_but_keeps_exam_numbers():
    assert redact("/v1/candidates/14010519900101123X/history?phone=13912345678") == \
        "/v1/candidates/140*************3X/history?phone=139****5678"
    assert redact("/v1/candidates/010119100001") == "/v1/candidates/010119100001"  # a 准考证号 is not personal
    assert redact("/v1/decisions/1234567890123456789012") == "/v1/decisions/1234567890123456789012"  # a longer run
