"""What following the database's ruleset version costs each request (issue 12).

Before each request a worker reads one counter (``Rulebook.sync``); only when a
reload or publication moved it does it look again (archived bundles are cached,
so no file is read).  Measured on a file database in WAL mode, as served:

- ``sync_unchanged_us``: the per-request check when nothing moved;
- ``sync_after_a_move_us``: the check plus the re-resolve after a publication;
- ``health_request_us``: a whole ``GET /v1/health`` through the Flask test client, for scale.

    python -m bench.version_check [--calls 20000]
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from service.app import create_app
from service.store import ruleset_archive
from service.store.db import connect

from . import common


def _us_per_call(fn, calls: int, rounds: int = 5) -> float:
    per_round = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        per_round.append((time.perf_counter() - start) / calls * 1e6)
    return round(statistics.median(per_round), 2)


def run(calls: int = 20000) -> dict:
    started = common.machine()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"
        app = create_app({"TESTING": True, "DATABASE": str(path), "RULES_ROOT": str(common.ROOT)})
        book, db, today = app.extensions["rulebook"], connect(path), dt.date(2026, 12, 2)
        other = connect(path)  # another worker's connection, which publishes
        version = book.sync(db, today).bundle.version

        def moved():
            ruleset_archive.mark_published(other, version, author="bench", note="bench", effective_from="2025-01-01")
            book.sync(db, today)

        client = app.test_client()
        figures = {
            "sync_unchanged_us": _us_per_call(lambda: book.sync(db, today), calls),
            "sync_after_a_move_us": round(_us_per_call(moved, calls // 20) - _us_per_call(
                lambda: ruleset_archive.mark_published(other, version, author="bench", note="bench",
                                                       effective_from="2025-01-01"), calls // 20), 2),
            "health_request_us": _us_per_call(lambda: client.get("/v1/health"), calls // 20),
        }
        db.conn.close()
        other.conn.close()
    return common.record("version_check", figures, {"calls": calls}, started)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20000)
    args = parser.parse_args(argv)
    run(args.calls)


if __name__ == "__main__":
    main()
