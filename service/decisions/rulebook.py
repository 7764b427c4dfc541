"""The rules the service decides with: the version the database says is in force, and archived versions.

Which version is served is decided by the database, never by a worker's memory:
the published version in force today, else the working-files version the last
reload accepted (``ruleset_archive.serving``).  Before each request a worker
compares one counter (``sync``) and, when a reload or publication moved it,
takes the version from the archive: every worker answers with the same version
before its next request.  Working files are read only at start and on reload; an
invalid edit is reported in every worker and never replaces what is served.
Archived versions are rebuilt from their canonical files once per process.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from service.errors import RulesetError
from service.rules.loader import DEFAULT_AREA, bundle_from_files, load_bundle
from service.store import ruleset_archive

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Served:
    """What a worker serves, as the database said when ``key`` (generation, day) was read."""

    bundle: object
    source: str  # "published": the version published in force today; "working files": the last reload's
    working_version: str | None = None
    problems: list = field(default_factory=list)  # why the working files were last refused ([]: they were not)
    key: tuple | None = None  # None: not bound to a database (tools, benches read the files)


class Rulebook:
    def __init__(self, root: Path | str, area: str = DEFAULT_AREA, checks=None):
        self.root = Path(root)
        self.area = area
        # what reads the workflow and transfer files (service/tools/tables.py), which this layer cannot import
        self.checks = dict(checks or {})
        self._served: Served | None = None
        self._versions: dict = {}
        self._lock = threading.Lock()

    def current(self):
        """The bundle in force: as of the last ``sync``; the files on disk when no database was given."""
        return self.served().bundle

    def served(self) -> Served:
        served = self._served
        if served is None:
            bundle = load_bundle(self.root, self.area, self.checks)
            self._keep(bundle)
            served = self._served = Served(bundle, "working files", bundle.version)
        return served

    def start(self, db, today: dt.date) -> Served:
        """At process start: read the working files, then serve what the database says.

        The files become the served version only when the database serves none yet.
        Broken files are recorded as refused and the version in force keeps serving;
        with nothing archived to serve, ``RulesetError`` (the process must not start).
        """
        try:
            bundle = load_bundle(self.root, self.area, self.checks)
        except RulesetError as exc:
            if ruleset_archive.serving(db)["version"] is None and ruleset_archive.in_force(db, today.isoformat()) is None:
                raise
            ruleset_archive.refused(db, [p.to_dict() for p in exc.problems])
            log.warning("working rule files refused at start: %d problem(s); serving the archived version",
                        len(exc.problems))
        else:
            self._keep(bundle)
            ruleset_archive.adopt(db, bundle, first=True)
        self._served = None
        return self.sync(db, today)

    def sync(self, db, today: dt.date) -> Served:
        """Follow the database: one read when nothing moved since the last call on ``today``."""
        key = (ruleset_archive.generation(db), today)
        served = self._served
        if served is None or served.key != key:
            # the generation is read first: what follows is at least as new, and a move meanwhile is seen next time
            served = self._served = self._resolve(db, today, key)
        return served

    def _resolve(self, db, today: dt.date, key: tuple) -> Served:
        row = ruleset_archive.serving(db)
        published = ruleset_archive.in_force(db, today.isoformat())
        version, source = (published, "published") if published else (row["version"], "working files")
        if version is None:
            return Served(self.served().bundle, "working files", None, row["problems"], key)
        return Served(self._archived(db, version), source, row["version"], row["problems"], key)

    def reload(self, db, today: dt.date, *, author: str | None = None) -> dict:
        """Read the working files; if valid every worker serves them, else every worker reports why not."""
        try:
            bundle = load_bundle(self.root, self.area, self.checks)
        except RulesetError as exc:
            problems = [p.to_dict() for p in exc.problems]
            ruleset_archive.refused(db, problems)
            served = self.sync(db, today)
            log.warning("ruleset reload refused: %d problem(s); still serving %s", len(problems), served.bundle.version)
            return {"reloaded": False, "version": served.bundle.version, "problems": problems}
        self._keep(bundle)
        changed = ruleset_archive.adopt(db, bundle, author=author)
        self.sync(db, today)
        return {"reloaded": changed, "version": bundle.version, "problems": []}

    def in_force(self, on, db):
        """The bundle decisions dated ``on`` are made with.

        The latest *published* version whose effective date is on or before ``on``
        (re-publications of one date: the latest wins); the working files the last
        reload accepted when no published version is in force on that date.
        """
        version = ruleset_archive.in_force(db, on.isoformat()) or ruleset_archive.serving(db)["version"]
        if version is None:
            return self.current()
        return self._archived(db, version)

    def _archived(self, db, version: str):
        return self.version(version, lambda v: ruleset_archive.files_of(db, v))

    def _keep(self, bundle) -> None:
        with self._lock:
            self._versions.setdefault(bundle.version, bundle)

    def version(self, version: str, files_loader):
        """The bundle of an archived version; ``files_loader(version)`` reads its files."""
        bundle = self._versions.get(version)
        if bundle is None:
            bundle = bundle_from_files(files_loader(version), self.checks)
            if bundle.version != version:
                raise RulesetError([])  # archive corrupted: hash no longer matches
            with self._lock:
                self._versions[version] = bundle
        return bundle
