"""`sxzk blobs gc`: unreferenced files older than the grace period go, referenced and recent ones stay."""
from __future__ import annotations

import datetime as dt
import json
import os
import time

import pytest

from service.store.db import connect
from service.uploads import blob_gc
from service.uploads.blobs import BlobStore

DAY = 24 * 3600


@pytest.fixture
def store(tmp_path):
    return BlobStore(tmp_path / "blobs")


@pytest.fixture
def db(tmp_path):
    db = connect(tmp_path / "gc.sqlite3")
    yield db
    db.conn.close()


def aged(store, data: bytes, seconds: float) -> str:
    sha = store.put(data)
    then = time.time() - seconds  # noqa: TID251 - file mtimes, which gc compares with the real time
    os.utime(store.path(sha), (then, then))
    return sha


def test_only_old_unreferenced_files_are_removed(db, store):
    photo = aged(store, b"current graduation photo", 3 * DAY)
    identity = aged(store, b"current identity photo", 3 * DAY)
    replaced = aged(store, b"replaced photo", 3 * DAY)
    racing = aged(store, b"stored a minute ago, row not yet committed", 60)
    # any sha256 / *_sha256 column counts, whatever the table
    db.execute("CREATE TABLE t_apps (id INTEGER PRIMARY KEY, photo_sha256 TEXT, archive_sha256 TEXT)")
    db.execute("CREATE TABLE t_photos (sha256 TEXT)")
    db.execute("INSERT INTO t_apps (photo_sha256, archive_sha256) VALUES (?, NULL)", [photo])
    db.execute("INSERT INTO t_photos VALUES (?)", [identity])

    dry = blob_gc.collect(db, store, dry_run=True)
    assert dry["removed"] == [replaced] and store.exists(replaced)

    done = blob_gc.collect(db, store)
    assert done == {"referenced": 2, "removed": [replaced], "too_recent": 1, "leftovers_removed": 0, "dry_run": False}
    assert not store.exists(replaced)
    assert store.exists(photo) and store.exists(identity) and store.exists(racing)
    assert blob_gc.collect(db, store, grace=dt.timedelta(seconds=1))["removed"] == [racing]


def test_the_shipped_schema_columns_are_found(db, store):
    columns = {(t, c[1]) for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
               for c in db.execute(f'PRAGMA table_info("{t}")').fetchall()}
    wanted = {("applications", "photo_sha256"), ("applications", "archive_sha256"), ("identity_photos", "sha256")}
    assert wanted <= columns  # what the uploads write; referenced() reads exactly such columns


def test_crash_leftovers_go_too(db, store):
    sha = aged(store, b"kept?", 3 * DAY)
    leftover = store.path(sha).parent / ".tmp-crashed"
    leftover.write_bytes(b"half")
    then = time.time() - 3 * DAY  # noqa: TID251 - a file mtime, as above
    os.utime(leftover, (then, then))
    assert blob_gc.collect(db, store)["leftovers_removed"] == 1
    assert not leftover.exists()


def test_the_command_prints_a_summary(app):
    aged(BlobStore(app.config["BLOB_DIR"]), b"orphan", 3 * DAY)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["blobs", "gc", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"referenced": 0, "removed": 1, "too_recent": 0, "leftovers_removed": 0,
                                         "dry_run": True}
    assert runner.invoke(args=["blobs", "gc", "--grace-hours", "0"]).exit_code == 2  # at least an hour
