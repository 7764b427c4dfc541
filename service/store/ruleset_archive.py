"""Ruleset versions archived by content hash, so replay works after the files change; and which one is served.

The version served is the database's word: the published version in force, else
the working-files version the last reload accepted (``ruleset_serving``).  Every
reload and publication moves ``generation``, which workers compare before each
request.
"""
from __future__ import annotations

import json
import sqlite3

from service.errors import Msg, NotFound
from service.rules.canonical import canonical_json
from service.store.db import write_transaction
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
        _moved(db)
        db.execute("UPDATE ruleset_versions SET published = 1, author = COALESCE(?, author), "
                   "note = COALESCE(?, note), effective_from = COALESCE(?, effective_from) WHERE version = ?",
                   [author, note, effective_from, bundle.version])
    return False


def files_of(db, version: str) -> dict:
    row = db.execute("SELECT files FROM ruleset_versions WHERE version = ?", [version]).fetchone()
    if row is None:
        raise NotFound(Msg("ruleset version %(version)s is not in the archive", version=version))
    return json.loads(row[0])


_RECORD = "version, created_at, author, note, effective_from, published, published_at"


def record(db, version: str) -> dict:
    """The archive row of ``version`` without its files; {} when it is not archived."""
    for row in db.query(f"SELECT {_RECORD} FROM ruleset_versions WHERE version = ?", [version]):
        return {**row, "published": bool(row["published"])}
    return {}


def versions(db) -> list[dict]:
    """Every archived version, oldest first, without its files."""
    return [{**row, "published": bool(row["published"])}
            for row in db.query(f"SELECT {_RECORD} FROM ruleset_versions ORDER BY created_at, version")]


def is_published(db, version: str) -> bool | None:
    """Whether ``version`` is published; None when it is not archived."""
    row = db.execute("SELECT published FROM ruleset_versions WHERE version = ?", [version]).fetchone()
    return None if row is None else bool(row[0])


def in_force(db, on: str) -> str | None:
    """The version decisions dated ``on`` (ISO date) are made under; None when nothing published is in force.

    The published version with the latest effective date on or before ``on``;
    of re-publications of one date, the latest.
    """
    row = db.execute(
        "SELECT version FROM ruleset_versions WHERE published = 1 AND effective_from <= ? "
        "ORDER BY effective_from DESC, published_at IS NULL, published_at DESC, created_at DESC LIMIT 1",
        [on]).fetchone()
    return row[0] if row else None


def mark_published(db, version: str, *, author: str, note: str, effective_from: str) -> None:
    """Publish an archived version from ``effective_from``.

    A re-publication moves the version's date and makes it the latest publication of that date.
    """
    db.execute("UPDATE ruleset_versions SET published = 1, author = ?, note = ?, effective_from = ?, "
               "published_at = ? WHERE version = ?", [author, note, effective_from, now_iso(), version])
    _moved(db)


def _moved(db) -> None:
    db.execute("UPDATE ruleset_serving SET generation = generation + 1 WHERE id = 1")


def generation(db) -> int:
    """Moves with every reload and publication: the one read a worker makes per request."""
    return db.execute("SELECT generation FROM ruleset_serving WHERE id = 1").fetchone()[0]


def serving(db) -> dict:
    """The working-files row: the version the last reload accepted (None: never), and the
    problems of the last reading of the files that was refused ([] when it was accepted)."""
    row = next(db.query("SELECT version, generation, loaded_at, loaded_by, problems, checked_at "
                        "FROM ruleset_serving WHERE id = 1"))
    return {**row, "problems": json.loads(row["problems"])}


def adopt(db, bundle, *, author: str | None = None, first: bool = False) -> bool:
    """Serve ``bundle`` as the working files from now on, in every worker; True if the version changed.

    ``first``: only if nothing is served yet (a start on an empty database, which must not
    undo a reload another process made since it looked).
    """
    with write_transaction(db):
        if first and serving(db)["version"] is not None:
            return False
        archive(db, bundle, author=author)
        changed = serving(db)["version"] != bundle.version
        db.execute("UPDATE ruleset_serving SET version = ?, generation = generation + 1, loaded_at = ?, "
                   "loaded_by = ?, problems = '[]', checked_at = ? WHERE id = 1",
                   [bundle.version, now_iso(), author, now_iso()])
    return changed


def refused(db, problems: list[dict]) -> None:
    """Record why the working files were refused, for every worker's health and rules report."""
    text = canonical_json(problems)
    if db.execute("SELECT problems FROM ruleset_serving WHERE id = 1").fetchone()[0] != text:
        db.execute("UPDATE ruleset_serving SET problems = ?, checked_at = ?, generation = generation + 1 "
                   "WHERE id = 1", [text, now_iso()])
