"""The rules the service decides with: the last good bundle, and archived versions.

An invalid edit never replaces the last good bundle: ``reload`` reports the
problems and the service keeps deciding with what it had.  Archived versions
are rebuilt from their canonical files once per process and cached, so replay
costs no YAML parsing.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

from service.errors import RulesetError
from service.rules.loader import DEFAULT_AREA, bundle_from_files, load_bundle

log = logging.getLogger(__name__)


class Rulebook:
    def __init__(self, root: Path | str, area: str = DEFAULT_AREA, checks=None):
        self.root = Path(root)
        self.area = area
        # what reads the workflow and transfer files (service/tools/tables.py), which this layer cannot import
        self.checks = dict(checks or {})
        self._current = None
        self._last_problems: list = []
        self._versions: dict = {}
        self._lock = threading.Lock()

    def current(self):
        if self._current is None:
            self.reload(raise_on_error=True)
        return self._current

    def reload(self, *, raise_on_error: bool = False) -> dict:
        """Load the files again; on error keep the last good bundle and report."""
        try:
            bundle = load_bundle(self.root, self.area, self.checks)
        except RulesetError as exc:
            self._last_problems = [p.to_dict() for p in exc.problems]
            log.warning("ruleset reload refused: %d problem(s); still serving %s",
                        len(exc.problems), self._current.version if self._current else "nothing")
            if raise_on_error or self._current is None:
                raise
            return {"reloaded": False, "version": self._current.version, "problems": self._last_problems}
        with self._lock:
            changed = self._current is None or bundle.version != self._current.version
            self._current = bundle
            self._versions[bundle.version] = bundle
            self._last_problems = []
        return {"reloaded": changed, "version": bundle.version, "problems": []}

    @property
    def last_problems(self) -> list:
        return list(self._last_problems)

    def in_force(self, on, db):
        """The bundle decisions dated ``on`` are made with.

        The latest *published* version whose effective date is on or before ``on``
        (re-publications of one date: the latest wins); the working files when no
        published version is in force on that date (nothing published yet).
        """
        from service.store import ruleset_archive

        version = ruleset_archive.in_force(db, on.isoformat())
        if version is None:
            return self.current()
        return self.version(version, lambda v: ruleset_archive.files_of(db, v))

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
