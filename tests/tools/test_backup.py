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
