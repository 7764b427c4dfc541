"""A concurrent HTTP/1.1 load generator from the stdlib: asyncio streams, one keep-alive connection per client.

The clients share the two cores with the server, so the generator must be
cheap: requests are pre-encoded bytes and responses are read by their
Content-Length, in one event loop (about a fifth of the CPU per request that
threads with http.client took).  A connection the server closes (gunicorn's
sync workers close after every response) is reopened for the next request.

Closed loop (``rate=None``): every client sends its next request as soon as
the previous one is answered, which measures the most the server sustains.
Open loop (``rate=R``): request i is due at start + i/R, whichever client is
free sends it, and its latency counts from when it was due — so a server that
falls behind shows it in the latency instead of silently slowing the clients
(no coordinated omission).
"""
from __future__ import annotations

import asyncio
import itertools
import resource
import time


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, round(q / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


def encode(method: str, path: str, body: bytes | None, headers: dict, host: str, port: int) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: keep-alive"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if body is not None:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + (body or b"")


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length, close = 0, False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "connection" and value.strip().lower() == "close":
            close = True
    body = await reader.readexactly(length) if length else b""
    return status, close, body


async def _run(host, port, wire, clients, duration, limit, rate):
    counter = itertools.count()
    results: list[tuple[int, float, float]] = []  # (status or -1, latency s, service time s)
    errors: list[str] = []
    start = time.perf_counter()
    deadline = start + duration

    async def client():
        reader = writer = None
        while True:
            i = next(counter)
            if i >= limit:
                break
            due = start + i / rate if rate else None
            if due is not None:
                pause = due - time.perf_counter()
                if pause > 0:
                    await asyncio.sleep(pause)
            if time.perf_counter() >= deadline:
                break
            sent = time.perf_counter()
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                writer.write(wire[i % len(wire)])
                status, close, _ = await _read_response(reader)
                if close:
                    writer.close()
                    reader = writer = None
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
                status = -1
                errors.append(type(exc).__name__)
                if writer is not None:
                    writer.close()
                reader = writer = None
            done = time.perf_counter()
            results.append((status, done - (due if due is not None else sent), done - sent))
        if writer is not None:
            writer.close()

    await asyncio.gather(*(client() for _ in range(clients)))
    return results, errors, time.perf_counter() - start


def run_load(port: int, requests: list[tuple[str, str, bytes | None, dict]], *, clients: int = 32,
             duration: float = 20, max_requests: int | None = None, rate: float | None = None,
             host: str = "127.0.0.1") -> dict:
    """Send ``requests`` (method, path, body, headers), cycling, until ``duration`` s or ``max_requests``."""
    wire = [encode(m, p, b, h, host, port) for m, p, b, h in requests]
    limit = max_requests if max_requests is not None else float("inf")
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    results, errors, elapsed = asyncio.run(_run(host, port, wire, clients, duration, limit, rate))
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
