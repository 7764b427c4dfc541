"""Microseconds per credential check (service.web.auth.principal_for) on a database file, per request.

Compares the check as served (expiry, hourly last use) with the bare lookup it replaced
(one indexed SELECT), in interleaved rounds; the figure per path is the median round.

    python -m bench.auth [--calls 20000] [--rounds 5]
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from service.store.db import connect
from service.web import auth

from . import common


def _us_per_call(fn, calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) * 1e6 / calls


def run(calls: int = 20000, rounds: int = 5) -> dict:
    started = common.machine()
    with tempfile.TemporaryDirectory() as tmp:
        db = connect(Path(tmp) / "bench.sqlite3")
        token = auth.add_credential(db, "province", "bench")
        header, token_hash = f"Bearer {token}", auth.hash_token(token)

        def bare():  # the lookup before expiry and last use
            row = db.execute("SELECT role, actor, district, revoked FROM credentials WHERE token_hash = ?",
                             [auth.hash_token(header[len("Bearer "):].strip())]).fetchone()
            return auth.Principal(row[0], row[1], row[2])

        paths = {"bare_lookup": bare, "principal_for": lambda: auth.principal_for(db, header, None)}
        for fn in paths.values():
            fn()  # the first call writes the last use; every later one within the hour writes nothing
        us: dict[str, list[float]] = {k: [] for k in paths}
        for _ in range(rounds):
            for key, fn in paths.items():
                us[key].append(_us_per_call(fn, calls))
        writes = db.execute("SELECT last_used_at FROM credentials WHERE token_hash = ?", [token_hash]).fetchone()[0]
        db.conn.close()
    med = {k: round(statistics.median(v), 2) for k, v in us.items()}
    figures = {"us_per_call": med, "rounds": {k: [round(x, 2) for x in v] for k, v in us.items()},
               "added_us_per_request": round(med["principal_for"] - med["bare_lookup"], 2),
               "last_used_at_after_all_calls": writes}
    return common.record("auth", figures, {"calls": calls, "rounds": rounds}, started)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    run(**vars(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
