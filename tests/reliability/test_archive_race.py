"""Two workers archiving the same ruleset version at once: both succeed (found by the HTTP load test).

On a fresh database the first evaluation of each gunicorn worker archives the
current ruleset version; two workers could both see it missing and both
insert, and the second got a 500 (IntegrityError).  The race is reproduced
deterministically: the row is inserted by "another worker" after this one's
check has already found nothing.
"""
from __future__ import annotations

from support.common import ROOT

from service.rules.loader import load_bundle
from service.store import ruleset_archive
from service.store.db import connect


class CheckedBeforeTheOtherInserted:
    """A database whose existence check answers as it would have just before another worker's insert."""

    def __init__(self, db):
        self._db = db

    def execute(self, sql, params=()):
        if sql.startswith("SELECT 1 FROM ruleset_versions"):
            return self._db.execute("SELECT 1 WHERE 0")
        return self._db.execute(sql, params)

    def __getitem__(self, table):
        return self._db[table]


def test_archiving_a_version_another_worker_just_archived_is_not_an_error(tmp_path):
    bundle = load_bundle(ROOT)
    first, second = connect(tmp_path / "a.sqlite3"), connect(tmp_path / "a.sqlite3")
    assert ruleset_archive.archive(first, bundle) is True
    assert ruleset_archive.archive(CheckedBeforeTheOtherInserted(second), bundle) is False
    assert second.execute("SELECT count(*) FROM ruleset_versions").fetchone()[0] == 1
    assert ruleset_archive.files_of(second, bundle.version) == ruleset_archive.files_of(first, bundle.version)


def test_publishing_a_version_another_worker_just_archived_still_publishes(tmp_path):
    bundle = load_bundle(ROOT)
    first, second = connect(tmp_path / "b.sqlite3"), connect(tmp_path / "b.sqlite3")
    ruleset_archive.archive(first, bundle)
    ruleset_archive.archive(CheckedBeforeTheOtherInserted(second), bundle, author="计划处 刘老师", published=True)
    row = second.execute("SELECT published, author FROM ruleset_versions").fetchone()
    assert tuple(row) == (1, "计划处 刘老师")
