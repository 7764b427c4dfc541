"""Backup and restore of the database with the uploaded files it refers to, checked by a manifest.

A backup is a folder: ``sxzk.sqlite3`` (a consistent copy taken with SQLite's online
backup API while the service keeps serving), ``blobs/`` (every photo and scan the copy
refers to, in the blob store's layout) and ``manifest.json`` (the SHA-256 and size of
every file, the decision log's head, every chain's, and the counts of the main tables).  A restore
checks the whole manifest before it writes anything, so a damaged or incomplete
backup changes nothing; every chain of the restored database is verified afterwards.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from pathlib import Path

from service import clock
from service.errors import ServiceError
from service.store import chains, decision_log
from service.store.db import connect
from service.uploads import blob_gc
from service.uploads.blobs import BlobStore

DATABASE = "sxzk.sqlite3"
BLOBS = "blobs"
MANIFEST = "manifest.json"
FORMAT = 1
COUNTED = ("decisions", "candidates", "applications", "application_events", "transfer_outs", "ruleset_versions")


class BackupError(ServiceError):
    status = 409
    code = "backup_refused"


def backup(db_path: Path | str, blob_dir: Path | str, dest: Path | str) -> dict:
    """Copy the live database and its blobs into the new folder ``dest``; returns the manifest."""
    db_path, dest = Path(db_path), Path(dest)
    if not db_path.is_file():
        raise BackupError(f"数据库不存在 / no database at {db_path}")
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"备份目录非空 / {dest} is not empty: back up into a new folder")
    dest.mkdir(parents=True, exist_ok=True)
    copy = dest / DATABASE
    source = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    target = sqlite3.connect(str(copy))
    try:
        source.backup(target)  # one consistent snapshot, pages copied while writers go on
    finally:
        target.close()
        source.close()
    snapshot = connect(copy, migrate_schema=False)
    store, kept = BlobStore(Path(blob_dir)), BlobStore(dest / BLOBS)
    blobs, missing = {}, []
    for digest in sorted(blob_gc.referenced(snapshot)):
        if not store.exists(digest):
            missing.append(digest)
            continue
        kept.put(store.get(digest))  # re-hashed on the way: a damaged file would not match its name
        blobs[digest] = store.path(digest).stat().st_size
    chain = decision_log.verify(snapshot)
    manifest = {
        "format": FORMAT,
        "created_at": clock.now().isoformat(timespec="seconds"),
        "database": {"file": DATABASE, **_digest(copy)},
        "blobs": blobs,
        "missing_blobs": missing,
        "decision_log": chain,
        "chains": _walked(snapshot),
        "counts": _counts(snapshot),
    }
    snapshot.conn.close()
    (dest / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def check(src: Path | str) -> dict:
    """Every file the manifest lists is there with its hash; returns the manifest or raises naming each problem."""
    src = Path(src)
    try:
        manifest = json.loads((src / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"备份清单无法读取 / {src / MANIFEST} cannot be read: {exc}") from None
    problems = []
    database = src / manifest["database"]["file"]
    if not database.is_file() or _digest(database) != {k: manifest["database"][k] for k in ("sha256", "bytes")}:
        problems.append(f"{database.name}: missing or changed since the backup")
    kept = BlobStore(src / BLOBS)
    for digest, size in manifest["blobs"].items():
        path = kept.path(digest)
        if not path.is_file() or path.stat().st_size != size or _sha256(path) != digest:
            problems.append(f"{BLOBS}/{digest}: missing or changed since the backup")
    if problems:
        raise BackupError("备份不完整或已被改动，未恢复任何内容 / the backup is incomplete or altered; nothing "
                          "was restored", problems=problems)
    return manifest


def restore(src: Path | str, db_path: Path | str, blob_dir: Path | str, *, replace: bool = False) -> dict:
    """Check the backup in ``src``, then put its database at ``db_path`` and its blobs into ``blob_dir``."""
    src, db_path = Path(src), Path(db_path)
    manifest = check(src)
    if db_path.exists() and not replace:
        raise BackupError(f"目标数据库已存在 / {db_path} exists: stop the service and pass --replace to overwrite it")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    kept, store = BlobStore(src / BLOBS), BlobStore(Path(blob_dir))
    for digest in manifest["blobs"]:
        store.put(kept.get(digest))
    partial = db_path.with_name(f".{db_path.name}.restoring")
    shutil.copyfile(src / manifest["database"]["file"], partial)
    for suffix in ("-wal", "-shm"):  # an old log beside the file would be replayed into the restored copy
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    os.replace(partial, db_path)
    restored = connect(db_path)
    chain = decision_log.verify(restored)
    walked = _walked(restored)
    missing = sorted(d for d in blob_gc.referenced(restored) if not store.exists(d))
    restored.conn.close()
    return {"restored": str(db_path), "blobs": len(manifest["blobs"]), "decision_log": chain, "chains": walked,
            "missing_blobs": missing, "counts": manifest["counts"]}


def _walked(db) -> dict:
    """Every chain walked (decisions and histories): ok, rows checked, and the first broken link if any."""
    result = chains.verify_all(db)
    return {k: v for k, v in result.items() if k != "chains"} | {
        "heads": {name: r.get("head") for name, r in result["chains"].items()}}


def _digest(path: Path) -> dict:
    return {"sha256": _sha256(path), "bytes": path.stat().st_size}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _counts(db) -> dict:
    tables = set(db.table_names())
    return {t: db[t].count for t in COUNTED if t in tables}
