"""A per-credential request limit: a fixed one-minute window, shared by every worker.

``RATE_LIMIT_PER_MINUTE`` requests per credential per clock minute (0: off).
The counters live in a SQLite file of their own beside the database
(``<database>-ratelimit``): every gunicorn worker and thread counts in the same
place, so the limit holds for the whole service, and counting never queues
behind the decision log's write lock.  Losing a counter in a crash only forgives
a minute, so that file is written without fsync.  A credential is keyed by its
token's hash; the token itself is never stored.  Requests without valid
credentials are answered 401 before they are counted.
"""
from __future__ import annotations

import math
import sqlite3
import threading
import time

from service.errors import Msg, TooManyRequests
from service.store import faults

WINDOW_SECONDS = 60

_SCHEMA = """CREATE TABLE IF NOT EXISTS rate_limits (
    credential TEXT NOT NULL,
    window INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (credential, window)
) WITHOUT ROWID"""

_COUNT = ("INSERT INTO rate_limits (credential, window, count) VALUES (?, ?, 1) "
          "ON CONFLICT (credential, window) DO UPDATE SET count = count + 1 RETURNING count")


class RateLimiter:
    def __init__(self, database: str, limit: int):
        self.limit = limit
        # an in-memory database is one process's test database: count there too, per limiter
        self.path = f"file:ratelimit-{id(self)}?mode=memory&cache=shared" if database == ":memory:" \
            else f"{database}-ratelimit"
        self._uri = database == ":memory:"
        self._local = threading.local()
        self._keepalive = self._connect() if self._uri else None  # a shared memory database lives while open

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, uri=self._uri, timeout=30, isolation_level=None,
                               check_same_thread=False)
        if not self._uri:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = OFF")
        conn.execute(_SCHEMA)
        return conn

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
        return conn

    def hit(self, credential: str, now: float | None = None) -> None:
        """Count one request of ``credential``; over the limit, raise TooManyRequests with retry_after seconds."""
        if self.limit <= 0:
            return
        # elapsed real seconds, not a date: under a pinned service clock (SXZK_NOW) every request
        # would fall in the same minute for ever and a demo would be refused after `limit` requests
        now = time.time() if now is None else now  # noqa: TID251
        window = int(now // WINDOW_SECONDS)
        try:
            conn = self._conn()
            # one statement: the upsert is atomic across processes without an explicit transaction
            count = conn.execute(_COUNT, [credential, window]).fetchall()[0][0]  # fetchall: the statement ends, the lock goes
        except sqlite3.Error as exc:
            fault = faults.classify(exc)
            if fault is None:
                raise
            # a full or read-only disk must not turn reads away too: this request goes uncounted
            faults.noted(fault, exc)
            return
        if count == 1:  # a credential's first request of a window clears its past ones
            conn.execute("DELETE FROM rate_limits WHERE credential = ? AND window < ?", [credential, window])
        if count > self.limit:
            retry_after = max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
            raise TooManyRequests(Msg("more than %(limit)d requests a minute with these credentials; retry after %(seconds)d s",
                                      limit=self.limit, seconds=retry_after), retry_after=retry_after)
