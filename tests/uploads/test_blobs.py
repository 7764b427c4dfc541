"""The content-addressed blob store, on a real temporary directory."""

from __future__ import annotations

import hashlib
import os
import threading

import pytest

from service.errors import InvalidInput, NotFound
from service.uploads import blobs as blobs_module
from service.uploads.blobs import BlobStore


@pytest.fixture
def store(tmp_path):
    return BlobStore(tmp_path / "blobs")


def stored_files(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_put_then_get_round_trips(store):
    data = b"\xff\xd8\xff scan of a red card"
    digest = store.put(data)
    assert digest == hashlib.sha256(data).hexdigest()
    assert store.get(digest) == data
    assert store.exists(digest)


def test_layout_is_two_levels_of_hash_prefix(store):
    digest = store.put(b"photo")
    assert store.path(digest) == store.root / digest[:2] / digest[2:4] / digest
    assert stored_files(store.root) == [f"{digest[:2]}/{digest[2:4]}/{digest}"]


def test_putting_the_same_bytes_twice_stores_once(store):
    first = store.put(b"same bytes")
    before = os.stat(store.path(first)).st_mtime_ns
    second = store.put(b"same bytes")
    assert first == second
    assert len(stored_files(store.root)) == 1
    assert os.stat(store.path(first)).st_mtime_ns == before  # not rewritten


def test_empty_bytes_are_a_valid_blob(store):
    digest = store.put(b"")
    assert store.get(digest) == b""


def test_missing_blob_is_not_found(store):
    digest = hashlib.sha256(b"never stored").hexdigest()
    assert not store.exists(digest)
    with pytest.raises(NotFound) as caught:
        store.get(digest)
    assert caught.value.status == 404


@pytest.mark.parametrize(
    "bad",
    [
        "../../etc/passwd",
        "ab/../../../../etc/passwd",
        "/etc/passwd",
        "A" * 64,  # upper case: one canonical spelling per blob
        "a" * 63,
        "a" * 65,
        "g" * 64,
        "a" * 62 + "\n",
        "",
        None,
    ],
)
def test_malformed_digests_cannot_name_a_path(store, bad):
    for call in (store.get, store.exists, store.path):
        with pytest.raises(InvalidInput):
            call(bad)


def test_no_temporary_file_is_left_behind(store):
    store.put(b"one")
    store.put(b"two")
    assert not [p for p in store.root.rglob(".tmp-*")]


def test_failed_write_leaves_neither_blob_nor_temporary_file(store, monkeypatch):
    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(blobs_module.os, "replace", fail)
    with pytest.raises(OSError):
        store.put(b"lost")
    digest = hashlib.sha256(b"lost").hexdigest()
    assert not store.exists(digest)
    assert stored_files(store.root) == []


def test_data_is_fsynced_before_it_appears(store, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(blobs_module.os, "fsync", lambda fd: events.append("fsync") or real_fsync(fd))
    monkeypatch.setattr(
        blobs_module.os, "replace", lambda a, b: events.append("replace") or real_replace(a, b)
    )
    store.put(b"durable")
    assert events.index("fsync") < events.index("replace")


def test_concurrent_puts_of_the_same_bytes_agree(store):
    data = os.urandom(256 * 1024)
    results = []
    threads = [threading.Thread(target=lambda: results.append(store.put(data))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1
    assert stored_files(store.root) == [f"{results[0][:2]}/{results[0][2:4]}/{results[0]}"]
    assert store.get(results[0]) == data
