"""Publishing a ruleset version: archived by content hash with author, note and the date it takes effect.

Decisions are made under the version in force on their ``as_of`` date
(``Rulebook.in_force``): the published version with the latest effective date
on or before it.  A decision keeps the version it was made with; an application
re-checked later is decided under the version in force then, or under the
version it names (``ruleset_version`` in the evaluation request).
"""
from __future__ import annotations

import datetime as dt

from service.errors import InvalidInput
from service.store import ruleset_archive
from service.store.db import write_transaction
from service.store.decision_log import now_iso


def publish(db, bundle, *, author: str, note: str, effective_from: dt.date) -> dict:
    """Archive ``bundle`` as published from ``effective_from``; returns its archive row."""
    problems = {}
    if not (author or "").strip():
        problems["author"] = ["who publishes is recorded: give a name"]
    if not (note or "").strip():
        problems["note"] = ["say what changed and why (the note is kept with the version)"]
    if not isinstance(effective_from, dt.date):
        problems["effective_from"] = ["a date YYYY-MM-DD"]
    if problems:
        raise InvalidInput("the version cannot be published", fields=problems)
    with write_transaction(db):
        ruleset_archive.archive(db, bundle)
        # a re-publication moves the version's date and makes it the latest publication of that date
        db.execute("UPDATE ruleset_versions SET published = 1, author = ?, note = ?, effective_from = ?, "
                   "published_at = ? WHERE version = ?",
                   [author.strip(), note.strip(), effective_from.isoformat(), now_iso(), bundle.version])
    return version_row(db, bundle.version)


def version_row(db, version: str) -> dict:
    row = db.execute("SELECT version, created_at, author, note, effective_from, published, published_at "
                     "FROM ruleset_versions WHERE version = ?", [version]).fetchone()
    keys = ("version", "created_at", "author", "note", "effective_from", "published", "published_at")
    return dict(zip(keys, row, strict=True)) if row else {}


def versions(db) -> list[dict]:
    """Every archived version, oldest first, without its files."""
    keys = ("version", "created_at", "author", "note", "effective_from", "published", "published_at")
    rows = db.execute("SELECT version, created_at, author, note, effective_from, published, published_at "
                      "FROM ruleset_versions ORDER BY created_at, version").fetchall()
    return [{**dict(zip(keys, row, strict=True)), "published": bool(row[5])} for row in rows]
