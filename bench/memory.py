"""Resident memory over 100,000 evaluations in one process: is it flat?

Each evaluation is ``evaluate_and_record`` (decide every choice through
durable-rules and append to the hash-chained log in a temporary SQLite file)
on validated requests cycled from a pool of generated bodies.  RSS is printed
at intervals; the growth counted is from the end of a warm-up (compiled
rulesets, caches, SQLite page cache filled) to the end.

    python -m bench.memory [--evaluations 100000] [--every 10000]
"""
from __future__ import annotations

import argparse
import gc
import tempfile
import time
from pathlib import Path

from service.decisions.evaluate import evaluate_and_record
from service.decisions.rulebook import Rulebook
from service.decisions.schemas import EvaluationRequestSchema
from service.store.db import connect

from . import common
from .transcripts import bodies

WARMUP = 2000


def run(evaluations: int = 100_000, every: int = 10_000, pool: int = 2000) -> dict:
    started = common.machine()
    rulebook = Rulebook(common.ROOT)
    bundle = rulebook.current()
    schema = EvaluationRequestSchema()
    data = [schema.load(b) for b in bodies(bundle, pool, seed=99)]
    with tempfile.TemporaryDirectory(prefix="sxzk-memory-") as tmp:
        db_path = Path(tmp) / "memory.sqlite3"
        db = connect(db_path)
        for i in range(WARMUP):
            evaluate_and_record(db, rulebook, data[i % pool], db_key=str(db_path))
        gc.collect()
        base = common.rss_mb()
        samples = [(0, round(base, 1))]
        print(f"  after {WARMUP} warm-up evaluations: RSS {base:.1f} MB")
        t0 = time.perf_counter()
        for i in range(1, evaluations + 1):
            evaluate_and_record(db, rulebook, data[i % pool], db_key=str(db_path))
            if i % every == 0:
                rss = common.rss_mb()
                samples.append((i, round(rss, 1)))
                print(f"  {i:7d} evaluations: RSS {rss:.1f} MB (+{rss - base:.1f})  "
                      f"{i / (time.perf_counter() - t0):.0f}/s  load {common.load()}")
        wall = time.perf_counter() - t0
        gc.collect()
        end = common.rss_mb()
        db.conn.close()
    figures = {
        "evaluations": evaluations,
        "rss_mb_after_warmup": round(base, 1),
        "rss_mb_end": round(end, 1),
        "growth_mb": round(end - base, 1),
        "growth_mb_per_100k": round((end - base) * 100_000 / evaluations, 1),
        "samples": samples,
        "evaluations_per_s": round(evaluations / wall),
        "targets": {"growth_mb_per_100k_max": 20},
    }
    return common.record("memory", figures, {"evaluations": evaluations, "warmup": WARMUP, "body_pool": pool},
                         started)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=100_000)
    parser.add_argument("--every", type=int, default=10_000)
    args = parser.parse_args(argv)
    run(args.evaluations, args.every)


if __name__ == "__main__":
    main()
