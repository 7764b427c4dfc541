"""Removing stored files nothing refers to any more.

Files are written before the transaction that refers to them (a photo is
checked and stored, then the state changes), so a transaction that fails
afterwards (a race on the application's state, a storage fault) leaves a file
behind; a replaced photo or archive is no longer referred to either.  Both are
personal data without a purpose, and the store only grows.

A file is referred to when any column named ``sha256`` or ``…_sha256`` of any
table holds its digest: a new table that keeps blobs that way is covered
without changing this module.  Only files older than a grace period go: a
request may have stored its file and not yet committed the row naming it.
"""
from __future__ import annotations

import datetime as dt
import time

from service.uploads.blobs import BlobStore

DEFAULT_GRACE = dt.timedelta(hours=24)


def referenced(db) -> set[str]:
    """Every digest any ``sha256`` / ``*_sha256`` column of the database holds."""
    out: set[str] = set()
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()]
    for table in tables:
        for column in db.execute(f'PRAGMA table_info("{table}")').fetchall():
            name = column[1]
            if name == "sha256" or name.endswith("_sha256"):
                out.update(r[0] for r in db.execute(f'SELECT DISTINCT "{name}" FROM "{table}" '
                                                    f'WHERE "{name}" IS NOT NULL').fetchall())
    return out


def collect(db, store: BlobStore, *, grace: dt.timedelta = DEFAULT_GRACE, dry_run: bool = False,
            now: float | None = None) -> dict:
    """Remove unreferenced files (and crash leftovers) older than ``grace``; returns what was found and done."""
    # compared with the files' mtimes, which the operating system's real clock wrote: a moved
    # service clock (SXZK_NOW ahead) would remove a file a request stored a moment ago
    cutoff = (time.time() if now is None else now) - grace.total_seconds()  # noqa: TID251
    keep = referenced(db)
    summary = {"referenced": 0, "removed": [], "too_recent": 0, "leftovers_removed": 0, "dry_run": dry_run}
    for sha, path in store.files():
        if sha in keep:
            summary["referenced"] += 1
        elif path.stat().st_mtime > cutoff:
            summary["too_recent"] += 1
        else:
            summary["removed"].append(sha)
            if not dry_run:
                path.unlink(missing_ok=True)
    for path in store.leftovers():
        if path.stat().st_mtime <= cutoff:
            summary["leftovers_removed"] += 1
            if not dry_run:
                path.unlink(missing_ok=True)
    return summary
