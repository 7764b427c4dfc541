"""A concurrent HTTP load generator from the stdlib: client threads, each with a keep-alive connection.

Closed loop (``rate=None``): every client sends its next request as soon as
the previous one is answered, which measures the most the server sustains.
Open loop (``rate=R``): request i is due at start + i/R, whichever client is
free sends it, and its latency counts from when it was due — so a server that
falls behind shows it in the latency instead of silently slowing the clients
(no coordinated omission).
"""
from __future__ import annotations

import http.client
import itertools
import resource
import threading
import time


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, round(q / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


def run_load(port: int, requests: list[tuple[str, str, bytes, dict]], *, clients: int = 32, duration: float = 20,
             max_requests: int | None = None, rate: float | None = None, host: str = "127.0.0.1") -> dict:
    """Send ``requests`` (method, path, body, headers), cycling, until ``duration`` s or ``max_requests``."""
    counter = itertools.count()
    lock = threading.Lock()
    results: list[tuple[int, float, float]] = []  # (status or -1, latency s, service time s)
    errors: list[str] = []
    limit = max_requests if max_requests is not None else float("inf")
    ready = threading.Barrier(clients + 1)
    start_box: list[float] = []

    def client() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        mine, mine_errors = [], []
        ready.wait()
        start = start_box[0]
        deadline = start + duration
        while True:
            i = next(counter)
            if i >= limit:
                break
            due = start + i / rate if rate else None
            if due is not None:
                pause = due - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
            if time.perf_counter() >= deadline:
                break
            method, path, body, headers = requests[i % len(requests)]
            sent = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                status = resp.status
                if resp.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException) as exc:
                status = -1
                mine_errors.append(type(exc).__name__)
                conn.close()
            done = time.perf_counter()
            mine.append((status, done - (due if due is not None else sent), done - sent))
        conn.close()
        with lock:
            results.extend(mine)
            errors.extend(mine_errors)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    start_box.append(time.perf_counter())
    ready.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start_box[0]
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)

    ok = sorted(lat for status, lat, _ in results if 200 <= status < 300)
    service = sorted(svc for status, _, svc in results if 200 <= status < 300)
    statuses: dict[str, int] = {}
    for status, _, _ in results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return {
        "sent": len(results),
        "ok_2xx": len(ok),
        "errors": len(results) - len(ok),
        "statuses": statuses,
        "client_exceptions": sorted(set(errors)),
        "elapsed_s": round(elapsed, 2),
        "requests_per_s": round(len(results) / elapsed, 1),
        "ok_per_s": round(len(ok) / elapsed, 1),
        "latency_ms": {f"p{q}": round(percentile(ok, q) * 1000, 1) for q in (50, 95, 99)}
        | {"max": round(ok[-1] * 1000, 1) if ok else None},
        "service_time_ms": {f"p{q}": round(percentile(service, q) * 1000, 1) for q in (50, 99)},
        "client_cpu_s": round((cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime), 2),
    }
