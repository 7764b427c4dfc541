"""Ruleset versions archived by content hash, so replay works after the files change."""
from __future__ import annotations

import json
import sqlite3

from service.decisions.canonical import canonical_json
from service.errors import NotFound
from service.store.decision_log import now_iso


def archive(db, bundle, *, author: str | None = None, note: str | None = None,
            effective_from: str | None = None, published: bool = False) -> bool:
    """Store the bundle's canonical files under its version; True if it was new."""
    if not db.execute("SELECT 1 FROM ruleset_versions WHERE version = ?", [bundle.version]).fetchone():
        try:
            db["ruleset_versions"].insert({
                "version": bundle.version, "created_at": now_iso(), "files": canonical_json(bundle.files),
                "author": author, "note": note, "effective_from": effective_from, "published": int(published),
            })
            return True
        except sqlite3.IntegrityError:
            pass  # another worker archived it since the check: same content (the version is its hash)
    if published:
        db.execute("UPDATE ruleset_versions SET published = 1, author = COALESCE(?, author), "
                   "note = COALESCE(?, note), effective_from = COALESCE(?, effective_from) WHERE version = ?",
                   [author, note, effective_from, bundle.version])
    return False


def files_of(db, version: str) -> dict:
    row = db.execute("SELECT files FROM ruleset_versions WHERE version = ?", [version]).fetchone()
    if row is None:
        raise NotFound(f"ruleset version {version} is not in the archive")
    return json.loads(row[0])


def listing(db) -> list[dict]:
    return list(db.query("SELECT version, created_at, author, note, effective_from, published "
                         "FROM ruleset_versions ORDER BY created_at"))
