"""Replay stored decisions on every core: from the database (read-only) or from an export file.

Ranges are cut into chunks of consecutive log rows; a pool of worker processes
(spawned fresh, so each builds its own durable-rules engine, which holds the
GIL) replays them, each decision under the ruleset version it was recorded
with.  A single decision or a small range is replayed in this process.
"""
from __future__ import annotations

import multiprocessing as mp
import os

from service.store import decision_log
from service.store.db import open_readonly

CHUNK = 500
_worker: dict = {}


def _rulebook(rules_root, versions_files=None):
    from service.decisions.rulebook import Rulebook
    from service.tools.tables import table_checks

    rulebook = Rulebook(rules_root, checks=table_checks())
    for version, files in (versions_files or {}).items():
        # an export's versions are loaded (and their hashes checked) once per process
        rulebook.version(version, lambda _v, files=files: files)
    return rulebook


def _init_worker(rules_root, db_path, versions_files) -> None:
    _worker["rulebook"] = _rulebook(rules_root, versions_files)
    _worker["versions"] = set(versions_files or ())
    _worker["db_path"] = db_path


def _replay_rows(rulebook, db, rows, known_versions=None) -> dict:
    from service.decisions.replay import replay_row

    total = identical = 0
    differing = []
    for row in rows:
        total += 1
        if known_versions is not None and row["ruleset_version"] not in known_versions:
            differing.append({"id": row["id"], "first_difference": {
                "path": "(replay)", "recorded": row["ruleset_version"],
                "replayed": "not replayed: the export holds no valid files of this ruleset version"}})
            continue
        result = replay_row(db, rulebook, row)
        if result["identical"]:
            identical += 1
        else:
            differing.append({"id": row["id"], "first_difference": (result.get("differences") or [None])[0]})
    return {"total": total, "identical": identical, "differing": differing}


def _db_chunk(task) -> dict:
    first, last, chosen = task
    db = open_readonly(_worker["db_path"])
    try:
        rows = decision_log.select(db, after_seq=first - 1, through_seq=last, **chosen)
        return _replay_rows(_worker["rulebook"], db, rows)
    finally:
        db.conn.close()


def _rows_chunk(rows) -> dict:
    return _replay_rows(_worker["rulebook"], None, rows, known_versions=_worker["versions"])


def _merge(parts, workers) -> dict:
    out = {"total": 0, "identical": 0, "differing": 0, "differences": [], "workers": workers}
    for part in parts:
        out["total"] += part["total"]
        out["identical"] += part["identical"]
        out["differing"] += len(part["differing"])
        out["differences"] += part["differing"]
    return out


def _pool(workers, initargs):
    # spawn, not fork: a forked child would inherit this process's engine and its lock
    return mp.get_context("spawn").Pool(workers, initializer=_init_worker, initargs=initargs)


def replay_database(db_path, rules_root, *, decision_id=None, since=None, until=None,
                    workers: int | None = None, chunk: int = CHUNK, progress=None) -> dict:
    """Replay the chosen decisions of the log at ``db_path``; nothing is written to it."""
    workers = max(1, workers or os.cpu_count() or 1)
    chosen = {"decision_id": decision_id, "since": since, "until": until}
    db = open_readonly(db_path)
    try:
        tasks = [(part[0], part[-1], chosen) for part in _chunks(decision_log.seqs(db, **chosen), chunk)]
        if workers == 1 or len(tasks) <= 1:
            rulebook = _rulebook(rules_root)
            parts = []
            for first, last, _ in tasks:
                rows = decision_log.select(db, after_seq=first - 1, through_seq=last, **chosen)
                parts.append(_replay_rows(rulebook, db, rows))
                if progress:
                    progress(parts[-1]["total"])
            return _merge(parts, 1)
    finally:
        db.conn.close()
    workers = min(workers, len(tasks))
    parts = []
    with _pool(workers, (str(rules_root), str(db_path), None)) as pool:
        for part in pool.imap(_db_chunk, tasks):
            parts.append(part)
            if progress:
                progress(part["total"])
    return _merge(parts, workers)


def replay_export_rows(versions_files: dict, rows: list[dict], rules_root, *, workers: int | None = None,
                       chunk: int = CHUNK, progress=None) -> dict:
    """Replay an export's decisions under the export's own ruleset files; no database at all.

    A version whose files do not rebuild to its hash is not used: its decisions are
    reported as differing rather than replayed under something else.
    """
    workers = max(1, workers or os.cpu_count() or 1)
    versions_files = {v: f for v, f in versions_files.items() if _rebuilds(v, f)}
    tasks = list(_chunks(rows, chunk))
    if workers == 1 or len(tasks) <= 1:
        rulebook = _rulebook(rules_root, versions_files)
        parts = []
        for rows_part in tasks:
            parts.append(_replay_rows(rulebook, None, rows_part, known_versions=set(versions_files)))
            if progress:
                progress(parts[-1]["total"])
        return _merge(parts, 1)
    workers = min(workers, len(tasks))
    parts = []
    with _pool(workers, (str(rules_root), None, versions_files)) as pool:
        for part in pool.imap(_rows_chunk, tasks):
            parts.append(part)
            if progress:
                progress(part["total"])
    return _merge(parts, workers)


def _rebuilds(version, files) -> bool:
    from service.errors import RulesetError
    from service.rules.loader import bundle_from_files

    try:
        return bundle_from_files(files).version == version
    except (RulesetError, AttributeError, TypeError, KeyError):
        return False


def _chunks(items, size):
    size = max(1, size)
    for i in range(0, len(items), size):
        yield items[i:i + size]
