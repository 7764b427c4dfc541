"""A cohort of 100,000 candidates evaluated, stored and replayed in batch, on every core.

Evaluate: worker processes (one per core, each with its own durable-rules
engine — the engine holds the GIL) generate their share of request bodies,
validate them with the API's schema and decide them, and serialise the rows; the parent links them into the
hash-chained log (one transaction per chunk of 500) in a temporary SQLite file (the chain is
one sequence, so one writer).  Replay: the workers read ranges of the stored
log themselves and decide each row again under its recorded ruleset version,
comparing with what was stored.  Wall time and peak RSS (this process and the
largest worker) are reported for both phases.

    python -m bench.cohort [--candidates 100000] [--processes N]
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import resource
import tempfile
import time
from pathlib import Path

from service.store import decision_log
from service.store.db import connect

from . import common

CHUNK = 500
_worker: dict = {}


def _init_worker() -> None:
    from service.decisions.rulebook import Rulebook

    rulebook = Rulebook(common.ROOT)
    _worker["rulebook"] = rulebook
    _worker["bundle"] = rulebook.current()


def evaluate_chunk(args) -> tuple[list, dict]:
    """Generate, validate and decide candidates [start, start+count): each evaluation's rows, serialised."""
    from service.decisions.schemas import EvaluationRequestSchema
    from service.rules.decide import decide
    from service.rules.inputs import canonical_input, request_for

    from .transcripts import body_for

    start, count, seed = args
    bundle = _worker["bundle"]
    plans = sorted(bundle.plans, key=lambda p: p.key)
    schema = _worker.setdefault("schema", EvaluationRequestSchema())
    rng = random.Random(seed * 1_000_003 + start)
    times = {"generate": 0.0, "validate": 0.0, "decide": 0.0}  # decide: deciding and serialising the rows
    evaluations = []
    for n in range(start, start + count):
        t0 = time.perf_counter()
        body = body_for(bundle, plans[n % len(plans)], n, rng)
        t1 = time.perf_counter()
        data = schema.load(body)
        canon = canonical_input(data)
        t2 = time.perf_counter()
        entries = []
        for choice in data["choices"]:
            choice = {k: v for k, v in sorted(choice.items()) if v is not None}
            entries.append({"exam_number": canon["candidate"]["exam_number"], "university": choice["university"],
                            "major": choice["major"], "input": {**canon, "choice": choice},
                            "output": decide(bundle, request_for(canon, choice))})
        evaluations.append(decision_log.prepare(entries))
        t3 = time.perf_counter()
        times["generate"] += t1 - t0
        times["validate"] += t2 - t1
        times["decide"] += t3 - t2
    return evaluations, times


def replay_range(args) -> dict:
    """Replay the stored decisions with first <= seq < end, reading them in this worker."""
    from service.decisions.replay import replay_many

    db_path, first, end = args
    db = connect(db_path, migrate_schema=False)
    try:
        rows = decision_log.select(db, after_seq=first - 1, through_seq=end - 1)
        result = replay_many(db, _worker["rulebook"], rows)
    finally:
        db.conn.close()
    return {"total": result["total"], "identical": result["identical"], "differing": result["differing"],
            "examples": result["differences"][:3]}


def peak_rss_mb() -> dict:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"self": round(own, 1), "largest_child": round(children, 1)}


def run(candidates: int = 100_000, processes: int | None = None, seed: int = 7) -> dict:
    started = common.machine()
    processes = processes or os.cpu_count() or 1
    ctx = mp.get_context("spawn")  # fresh workers: no engine state inherited from this process
    with tempfile.TemporaryDirectory(prefix="sxzk-cohort-") as tmp:
        db_path = Path(tmp) / "cohort.sqlite3"
        db = connect(db_path)
        from service.decisions.evaluate import ensure_archived
        from service.decisions.rulebook import Rulebook

        ensure_archived(db, Rulebook(common.ROOT).current(), str(db_path))

        t0 = time.perf_counter()
        stage = {"generate": 0.0, "validate": 0.0, "decide": 0.0}
        append_s = 0.0
        stored = 0
        tasks = [(s, min(CHUNK, candidates - s), seed) for s in range(0, candidates, CHUNK)]
        with ctx.Pool(processes, initializer=_init_worker) as pool:
            t_pool = time.perf_counter()
            for evaluations, times in pool.imap_unordered(evaluate_chunk, tasks):
                for key, value in times.items():
                    stage[key] += value
                a0 = time.perf_counter()
                # one transaction per chunk: the parent only links hashes and inserts
                stored += sum(len(rows) for rows in decision_log.append_prepared(db, evaluations))
                append_s += time.perf_counter() - a0
            evaluate_wall = time.perf_counter() - t0
            pool_start_s = t_pool - t0
            load_after_evaluate = common.load()

            v0 = time.perf_counter()
            chain = decision_log.verify(db)
            verify_wall = time.perf_counter() - v0

            seqs = db.execute("SELECT min(seq), max(seq) FROM decisions").fetchone()
            step = max(1, (seqs[1] - seqs[0] + 1) // (processes * 8))
            ranges = [(str(db_path), s, s + step) for s in range(seqs[0], seqs[1] + 1, step)]
            r0 = time.perf_counter()
            replayed = pool.map(replay_range, ranges)
            replay_wall = time.perf_counter() - r0
        db.conn.close()
        db_mb = db_path.stat().st_size / 1e6

    total = sum(r["total"] for r in replayed)
    identical = sum(r["identical"] for r in replayed)
    figures = {
        "candidates": candidates,
        "decisions_stored": stored,
        "processes": processes,
        "evaluate_wall_s": round(evaluate_wall, 1),
        "evaluate_per_s": round(stored / evaluate_wall),
        "evaluate_worker_cpu_s": {k: round(v, 1) for k, v in stage.items()},
        "append_in_parent_s": round(append_s, 1),
        "pool_start_s": round(pool_start_s, 2),
        "verify_chain_s": round(verify_wall, 1),
        "chain_ok": chain["ok"],
        "replay_wall_s": round(replay_wall, 1),
        "replay_per_s": round(total / replay_wall),
        "replayed": total,
        "replayed_identical": identical,
        "replay_differences": [e for r in replayed for e in r["examples"]][:5],
        "peak_rss_mb": peak_rss_mb(),
        "database_mb": round(db_mb, 1),
        "load_after_evaluate": load_after_evaluate,
        "targets": {"replay_wall_s_max": 90},
    }
    return common.record("cohort", figures, {"candidates": candidates, "processes": processes, "chunk": CHUNK,
                                             "seed": seed}, started)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--processes", type=int, default=None)
    args = parser.parse_args(argv)
    run(args.candidates, args.processes)


if __name__ == "__main__":
    main()
