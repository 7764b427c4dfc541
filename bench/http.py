"""POST /v1/evaluations under gunicorn on 127.0.0.1 with 32 concurrent keep-alive clients.

For each gunicorn setting tried: a closed-loop run (clients send back to back:
the most the server sustains, and its latency at that point), then, for the
best setting, an open-loop run at the target rate (600 requests/s offered by
32 clients; latency counted from when each request was due).  After each run
the server is stopped and the decisions stored are counted and the hash chain
verified.  The load generator runs on the same 2 cores as the server; its own
CPU time is reported.

    python -m bench.http                 # the settings sweep, then the paced run on the best
    python -m bench.http --only sync:3   # one setting (worker_class:workers[:threads])
"""
from __future__ import annotations

import argparse
import json

from service.rules.loader import load_bundle
from service.store import decision_log
from service.store.db import connect

from . import common
from .loadgen import run_load
from .server import Gunicorn
from .transcripts import bodies

SWEEP = ["gthread:2:1", "gthread:2:2", "gthread:3:1", "gthread:2:4", "sync:2", "sync:3"]


def parse_setting(text: str) -> dict:
    parts = text.split(":")
    return {"worker_class": parts[0], "workers": int(parts[1]), "threads": int(parts[2]) if len(parts) > 2 else 1}


def evaluation_requests(n: int) -> list[tuple[str, str, bytes, dict]]:
    out = []
    for body in bodies(load_bundle(common.ROOT), n, seed=66):
        # provincial staff: the generated candidates are not registered, which the portal may not evaluate
        headers = {"Authorization": "Bearer demo-province", "Content-Type": "application/json"}
        out.append(("POST", "/v1/evaluations", json.dumps(body, ensure_ascii=False).encode(), headers))
    return out


def stored(db_path) -> tuple[int, dict]:
    db = connect(db_path, migrate_schema=False)
    try:
        return decision_log.count(db), decision_log.verify(db)
    finally:
        db.conn.close()


def measure(setting: dict, reqs, *, clients: int, duration: float, max_requests: int, rate: float | None,
            warmup: int = 300) -> dict:
    server = Gunicorn(**setting)
    try:
        server.start()
        run_load(server.port, reqs[-warmup:], clients=4, duration=30, max_requests=warmup)  # compile per worker
        before, _ = stored(server.db_path)
        cpu0 = server.cpu_seconds()
        load = run_load(server.port, reqs, clients=clients, duration=duration, max_requests=max_requests, rate=rate)
        server_cpu = server.cpu_seconds() - cpu0
        server.stop()
        after, chain = stored(server.db_path)
        errors_logged = [line for line in server.stderr_text().splitlines() if "ERROR" in line][:5]
    finally:
        server.cleanup()
    return {"setting": setting, "mode": f"open loop {rate}/s" if rate else "closed loop", **load,
            "decisions_stored": after - before, "stored_per_s": round((after - before) / load["elapsed_s"], 1),
            "chain_ok": chain["ok"], "server_error_lines": errors_logged,
            # CPU per request is what load from other processes changes least: with the
            # client's, it bounds what the two cores can serve (cores / CPU per request)
            "server_cpu_ms_per_request": round(1000 * server_cpu / max(1, load["sent"]), 2),
            "client_cpu_ms_per_request": round(1000 * load["client_cpu_s"] / max(1, load["sent"]), 2)}


def run(settings: list[str], *, clients=32, duration=20.0, max_requests=60000, rate=600.0) -> dict:
    started = common.machine()
    reqs = evaluation_requests(4000)
    runs = []
    for text in settings:
        result = measure(parse_setting(text), reqs, clients=clients, duration=duration, max_requests=max_requests,
                         rate=None)
        result["load_after"] = common.load()
        runs.append(result)
        print(f"  {text:12s} closed loop: {result['stored_per_s']:7.1f} stored/s  "
              f"p50 {result['latency_ms']['p50']} p95 {result['latency_ms']['p95']} p99 {result['latency_ms']['p99']} ms"
              f"  errors {result['errors']}  CPU/request server {result['server_cpu_ms_per_request']} ms"
              f" client {result['client_cpu_ms_per_request']} ms  load {result['load_after']}")
    best = max(runs, key=lambda r: r["stored_per_s"])
    paced = None
    if rate:
        paced = measure(best["setting"], reqs, clients=clients, duration=duration, max_requests=max_requests,
                        rate=rate)
        paced["load_after"] = common.load()
        print(f"  best {best['setting']} open loop at {rate}/s: {paced['stored_per_s']} stored/s  "
              f"p50 {paced['latency_ms']['p50']} p95 {paced['latency_ms']['p95']} p99 {paced['latency_ms']['p99']} ms")
    figures = {
        "best_setting": best["setting"],
        "closed_loop_stored_per_s": best["stored_per_s"],
        "closed_loop_latency_ms": best["latency_ms"],
        "paced": None if paced is None else {
            "offered_per_s": rate, "stored_per_s": paced["stored_per_s"], "latency_ms": paced["latency_ms"],
            "errors": paced["errors"], "decisions_stored": paced["decisions_stored"], "ok_2xx": paced["ok_2xx"],
            "chain_ok": paced["chain_ok"]},
        "runs": runs + ([paced] if paced else []),
        "targets": {"stored_per_s_min": 600, "p99_ms_max": 30, "clients": clients},
    }
    return common.record("http", figures, {"clients": clients, "duration_s": duration, "max_requests": max_requests,
                                           "bodies": len(reqs), "settings_tried": settings}, started)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", help="worker_class:workers[:threads], repeatable")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--max-requests", type=int, default=60000)
    parser.add_argument("--rate", type=float, default=600.0, help="open-loop rate for the best setting; 0: skip")
    args = parser.parse_args(argv)
    run(args.only or SWEEP, clients=args.clients, duration=args.duration, max_requests=args.max_requests,
        rate=args.rate or None)


if __name__ == "__main__":
    main()
