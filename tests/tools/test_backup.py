"""`sxzk backup` / `sxzk restore`: a consistent copy taken while decisions keep being written, checked by its
manifest before anything is restored; the restored database verifies and every photo it names is there."""
from __future__ import annotations

import json
import threading

import pytest
from support.common import auth_headers, example

from service.audit import backup
from service.candidates import demo
from service.errors import ServiceError
from service.store import decision_log
from service.store.db import connect
from service.uploads import blob_gc
from service.uploads.blobs import BlobStore


@pytest.fixture
def served(app, client):
    """A database with decisions and the demo candidates' identity photos (real code paths)."""
    db = connect(app.config["DATABASE"])
    with app.app_context():
        demo.load_demo(db, app.config["BLOB_DIR"])
    for _ in range(3):
        assert client.post("/v1/evaluations", json=example("marketing-complete"),
                           headers=auth_headers("province")).status_code == 201
    return db


def test_a_backup_taken_under_writes_restores_whole(app, client, served, tmp_path):
    stop, written = threading.Event(), []

    def keep_writing():
        writer = app.test_client()
        while not stop.is_set():
            resp = writer.post("/v1/evaluations", json=example("marketing-complete"), headers=auth_headers("province"))
            written.append(resp.status_code)

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        manifest = backup.backup(app.config["DATABASE"], app.config["BLOB_DIR"], tmp_path / "backup")
    finally:
        stop.set()
        thread.join()
    assert set(written) == {201}, "the service kept answering while the backup ran"
    assert manifest["decision_log"]["ok"] and manifest["missing_blobs"] == []
    assert manifest["blobs"], "the demo's identity photos are in the backup"

    target_db, target_blobs = tmp_path / "restored" / "sxzk.sqlite3", tmp_path / "restored" / "blobs"
    result = backup.restore(tmp_path / "backup", target_db, target_blobs)
    assert result["decision_log"]["ok"] and result["missing_blobs"] == []
    restored = connect(target_db)
    assert decision_log.verify(restored)["checked"] == manifest["counts"]["decisions"] >= 3
    store = BlobStore(target_blobs)
    assert all(store.exists(d) for d in blob_gc.referenced(restored))
    assert restored["candidates"].count == manifest["counts"]["candidates"]


def test_an_altered_backup_restores_nothing(app, served, tmp_path):
    backup.backup(app.config["DATABASE"], app.config["BLOB_DIR"], tmp_path / "backup")
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text(encoding="utf-8"))
    one = BlobStore(tmp_path / "backup" / "blobs").path(next(iter(manifest["blobs"])))
    one.write_bytes(one.read_bytes()[:-1] + b"\x00")
    target = tmp_path / "restored" / "sxzk.sqlite3"
    with pytest.raises(ServiceError) as exc:
        backup.restore(tmp_path / "backup", target, tmp_path / "restored" / "blobs")
    assert exc.value.status == 409 and "未恢复任何内容" in exc.value.message
    assert any(one.name in p for p in exc.value.extra["problems"])
    assert not target.exists() and not (tmp_path / "restored" / "blobs").exists()


def test_restore_never_overwrites_a_database_unasked(app, served, tmp_path):
    backup.backup(app.config["DATABASE"], app.config["BLOB_DIR"], tmp_path / "backup")
    with pytest.raises(ServiceError, match="--replace"):
        backup.restore(tmp_path / "backup", app.config["DATABASE"], app.config["BLOB_DIR"])


def test_a_backup_goes_into_a_new_folder(app, served, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "something").write_text("x")
    with pytest.raises(ServiceError, match="not empty"):
        backup.backup(app.config["DATABASE"], app.config["BLOB_DIR"], tmp_path / "full")


def test_sxzk_backup_under_a_live_gunicorn_restores_with_every_chain_and_file(app, client, tmp_path):
    """The operator's path: `sxzk backup` while gunicorn serves a thread's evaluations, `sxzk restore`, `sxzk
    verify-log`; the restored service serves every identity photo, graduation photo and scan."""
    import hashlib
    import os
    import subprocess
    import sys
    import time

    from support.applications import COUNTY, ELIGIBLE, MISSING, Driver, prepare
    from support.common import ROOT
    from support.live_server import LiveServer

    prepare(app)
    drive = Driver(client)
    drive.approved_by_system(ELIGIBLE)
    drive.awaiting_county(MISSING)
    env = dict(os.environ, PYTHONPATH=str(ROOT))

    def sxzk(*args):
        return subprocess.run([sys.executable, "-m", "service.cli", *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=300)

    live = LiveServer(app.config["DATABASE"], app.config["BLOB_DIR"], workers=2, threads=2).start()
    stop, written = threading.Event(), []

    def keep_writing():
        while not stop.is_set():
            written.append(live.request("POST", "/v1/evaluations", example("marketing-complete"),
                                        auth_headers("province"))[0])

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        while len(written) < 5:
            time.sleep(0.05)
        during = len(written)
        made = sxzk("backup", str(tmp_path / "backup"), "--database", app.config["DATABASE"],
                    "--blob-dir", app.config["BLOB_DIR"])
        time.sleep(0.5)
        after = len(written)
    finally:
        stop.set()
        writer.join()
        live.stop()
    assert made.returncode == 0, made.stderr
    assert set(written) == {201} and after > during, "the service kept writing while the backup ran"
    manifest = json.loads(made.stdout)
    assert manifest["chains"]["ok"] is True and manifest["missing_blobs"] == []

    restored_db, restored_blobs = tmp_path / "restored" / "sxzk.sqlite3", tmp_path / "restored" / "blobs"
    put_back = sxzk("restore", str(tmp_path / "backup"), "--database", str(restored_db),
                    "--blob-dir", str(restored_blobs))
    assert put_back.returncode == 0, put_back.stderr
    assert json.loads(put_back.stdout)["chains"]["ok"] is True
    env["SXZK_DATABASE"] = str(restored_db)
    verified = sxzk("verify-log")
    assert verified.returncode == 0, verified.stdout
    walked = json.loads(verified.stdout)
    assert walked["chains"]["decisions"]["checked"] == manifest["counts"]["decisions"] >= 5
    assert walked["ok"] is True and all(walked["chains"][name]["checked"] > 0
                                        for name in ("application_events", "candidate_events"))

    db = connect(restored_db)
    photos = list(db.query("SELECT exam_number, kind, sha256 FROM identity_photos"))
    uploads = list(db.query("SELECT id, photo_sha256, archive_sha256 FROM applications"))
    db.conn.close()
    assert photos and any(u["archive_sha256"] for u in uploads)
    province = auth_headers("province")
    served_again = LiveServer(restored_db, restored_blobs, workers=1, threads=2).start()
    try:
        for p in photos:
            status, _, body = served_again.request("GET", f"/v1/candidates/{p['exam_number']}/identity/photos/"
                                                          f"{p['kind']}", headers=province)
            assert status == 200 and hashlib.sha256(body).hexdigest() == p["sha256"]
        for u in uploads:
            for path, digest in (("photo", u["photo_sha256"]), ("old-plan-archive", u["archive_sha256"])):
                if digest:
                    status, _, body = served_again.request("GET", f"/v1/applications/{u['id']}/{path}",
                                                           headers=COUNTY)
                    assert status == 200 and hashlib.sha256(body).hexdigest() == digest
    finally:
        served_again.stop()
