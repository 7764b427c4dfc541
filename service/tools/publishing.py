"""Publishing a ruleset version: archived by content hash with author, note and the date it takes effect.

Decisions are made under the version in force on their ``as_of`` date
(``Rulebook.in_force``): the published version with the latest effective date
on or before it.  A decision keeps the version it was made with; an application
re-checked later is decided under the version in force then, or under the
version it names (``ruleset_version`` in the evaluation request).  A
publication moves the archive's generation: every worker of the running
service serves the version in force from its next request (``Rulebook.sync``).
"""
from __future__ import annotations

import datetime as dt

from service.errors import InvalidInput
from service.store import ruleset_archive
from service.store.db import write_transaction


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
        ruleset_archive.mark_published(db, bundle.version, author=author.strip(), note=note.strip(),
                                       effective_from=effective_from.isoformat())
    return ruleset_archive.record(db, bundle.version)
