"""Storage faults against a real gunicorn whose database lives on a small tmpfs (issue 14, finding 3).

Disk full: writes are answered 507 with a JSON body and Retry-After, nothing is half written, reads go on,
writes come back once space does, and the log says so once per episode (per worker), not per request.
A read-only file: 503.  Mounting a tmpfs needs root: without it those tests are skipped.
"""
from __future__ import annotations

import errno
import os
import sqlite3
import subprocess

import pytest
from support.common import example
from support.live_server import LiveServer

from service.store import chains, decision_log, faults
from service.store.db import connect
from service.web import auth

PROVINCE = {"Authorization": "Bearer demo-province"}
AUDITOR = {"Authorization": "Bearer demo-auditor"}
WORKERS = 2


def _mount(where, *options) -> bool:
    return subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join(("size=8m", *options)), "tmpfs", str(where)],
                          capture_output=True).returncode == 0


@pytest.fixture
def small_disk(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root: mounts an 8 MB tmpfs to fill")
    disk = tmp_path / "disk"
    disk.mkdir()
    if not _mount(disk):
        pytest.skip("cannot mount a tmpfs here (no CAP_SYS_ADMIN)")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


@pytest.fixture
def server(small_disk, tmp_path):
    db_path = small_disk / "sxzk.sqlite3"
    db = connect(db_path)
    auth.add_credential(db, "province", "省考试院", token="demo-province")
    auth.add_credential(db, "auditor", "审计", token="demo-auditor")
    db.conn.close()
    live = LiveServer(db_path, small_disk / "blobs", workers=WORKERS, threads=2,
                      env={"SXZK_RATE_LIMIT_PER_MINUTE": "100000"})  # the limiter's own file is on the disk too
    live.log_path = tmp_path / "gunicorn.log"  # the log must not share the disk it reports on
    live.start()
    try:
        yield live
    finally:
        live.stop()


def evaluate(server):
    return server.request("POST", "/v1/evaluations", example("marketing-complete"), PROVINCE)


def fill(disk) -> None:
    """Write a filler file until the disk refuses: what a runaway log does to a real one."""
    with open(disk / "filler", "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
                os.fsync(f.fileno())
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


def decisions_in(db_path) -> tuple[int, bool]:
    db = connect(db_path, migrate_schema=False)
    try:
        return decision_log.count(db), chains.verify_all(db)["ok"]
    finally:
        db.conn.close()


def test_a_full_disk_answers_507_keeps_reads_and_recovers(server, small_disk):
    status, _, first = evaluate(server)
    assert status == 201
    stored = 1
    fill(small_disk)
    # the WAL reuses pages it already has: some writes may still fit; the first that needs space is refused
    refused = []
    for _ in range(400):
        status, headers, body = evaluate(server)
        if status == 201:
            stored += 1
            continue
        refused.append((status, headers, body))
        if len(refused) == 10:
            break
    assert len(refused) == 10, "the full disk never refused a write"
    for status, headers, body in refused:
        assert status == 507 and body["error"] == "insufficient_storage"
        assert body["message"].startswith("存储空间已满") and headers["Retry-After"] == str(faults.RETRY_AFTER)
    assert decisions_in(server.db_path) == (stored, True)  # nothing half written, the chain whole

    # reads need no space
    status, _, got = server.request("GET", f"/v1/decisions/{first['decisions'][0]['id']}", headers=AUDITOR)
    assert status == 200 and got["id"] == first["decisions"][0]["id"]
    status, _, walked = server.request("GET", "/v1/audit/log/verify", headers=AUDITOR)
    assert status == 200 and walked["ok"] is True

    (small_disk / "filler").unlink()
    for _ in range(100):  # until every worker that saw the fault has written again (each ends its own episode)
        assert evaluate(server)[0] == 201
        stored += 1
        log = server.log()
        began, ended = log.count("storage fault began: disk_full"), log.count("storage fault ended: disk_full")
        if began == ended:
            break
    assert decisions_in(server.db_path) == (stored, True)
    assert 1 <= began <= WORKERS and began == ended, log[-3000:]  # once per episode and worker, not per request
    assert "unhandled" not in log


def test_a_read_only_database_answers_503_and_stores_nothing(app, client, monkeypatch, tmp_path):
    """A file gone read-only under a running service: SQLite's own SQLITE_READONLY, raised where the log is
    written.  (A tmpfs cannot be remounted read-only while the service holds its files open for writing, so
    the genuine error is made on a read-only connection and raised from the write.)"""
    from service.decisions import evaluate as evaluating

    assert client.post("/v1/evaluations", json=example("marketing-complete"), headers=PROVINCE).status_code == 201
    frozen = tmp_path / "frozen.sqlite3"
    sqlite3.connect(frozen).execute("CREATE TABLE t (x)").connection.close()

    def read_only_write(db, entries):
        sqlite3.connect(f"{frozen.as_uri()}?mode=ro", uri=True).execute("INSERT INTO t VALUES (1)")

    monkeypatch.setattr(evaluating.decision_log, "append", read_only_write)
    resp = client.post("/v1/evaluations", json=example("marketing-complete"),
                       headers={**PROVINCE, "Accept-Language": "zh"})
    assert resp.status_code == 503 and resp.json["error"] == "storage_read_only"
    assert resp.headers["Retry-After"] == str(faults.RETRY_AFTER) and "请稍后重试" in resp.json["message"]
    monkeypatch.undo()
    assert client.get("/v1/audit/log/verify", headers=AUDITOR).json["checked"] == 1  # reads go on
    assert client.post("/v1/evaluations", json=example("marketing-complete"), headers=PROVINCE).status_code == 201


@pytest.mark.parametrize(("error", "status", "code"), [
    (OSError(errno.ENOSPC, "No space left on device"), 507, "insufficient_storage"),
    (OSError(errno.EDQUOT, "Disk quota exceeded"), 507, "insufficient_storage"),
    (OSError(errno.EROFS, "Read-only file system"), 503, "storage_read_only"),
    (OSError(errno.EIO, "Input/output error"), 503, "storage_unavailable"),
])
def test_blob_store_errors_are_storage_faults(error, status, code):
    fault = faults.classify(error)
    assert (fault.status, fault.code, fault.extra["retry_after"]) == (status, code, faults.RETRY_AFTER)


def test_other_errors_are_not_storage_faults():
    assert faults.classify(OSError(errno.ENOENT, "No such file")) is None
    assert faults.classify(sqlite3.IntegrityError("UNIQUE constraint failed")) is None
    assert faults.classify(ValueError("x")) is None


def test_sqlite_full_and_readonly_are_classified(tmp_path):
    path = tmp_path / "ro.sqlite3"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as caught:
        conn.execute("INSERT INTO t VALUES (1)")
    assert faults.classify(caught.value).status == 503 and faults.classify(caught.value).code == "storage_read_only"


def test_a_photo_upload_on_a_full_blob_disk_answers_507_and_stores_nothing(app, client, small_disk):
    """The blob store's own ENOSPC: the photo is refused whole, no row names it, no temporary file is left."""
    from support.candidates import count, load, two_photos, upload

    load(app)
    exam = "010119100009"  # 在籍, identity unverified: uploads two photos
    app.config["BLOB_DIR"] = str(small_disk / "blobs")
    (small_disk / "blobs").mkdir()
    fill(small_disk)
    db = connect(app.config["DATABASE"])
    events = count(db, "candidate_events", "exam_number = ?", [exam])
    resp = upload(client, exam, two_photos())
    assert resp.status_code == 507 and resp.json["error"] == "insufficient_storage", resp.json
    assert resp.headers["Retry-After"] == str(faults.RETRY_AFTER)
    assert count(db, "identity_photos", "exam_number = ?", [exam]) == 0
    assert count(db, "candidate_events", "exam_number = ?", [exam]) == events
    assert not [p for p in (small_disk / "blobs").rglob("*") if p.is_file()]  # nothing half written
    (small_disk / "filler").unlink()
    assert upload(client, exam, two_photos()).status_code == 200
    db.conn.close()
