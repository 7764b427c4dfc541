"""Storage faults (disk full, read-only file, I/O error) as the answers a client can act on.

A write that fails because of the storage is not a bug of the request: SQLite rolls its
transaction back and a blob is only renamed into place once whole, so nothing is half
written, and the same request succeeds once the cause is gone.  So the client gets 507
(disk full) or 503 with ``Retry-After`` and a Chinese-first message, not a 500; reads,
which need no space, go on being served.

An operator needs one log line when a fault starts, not one per refused request: a
process logs the first fault of each kind (an episode), counts the rest silently and
logs again, with the count, when a write succeeds after it (``cleared``, called by
``write_transaction``'s commit).
"""
from __future__ import annotations

import errno
import logging
import sqlite3
import threading

from service.errors import ServiceError

log = logging.getLogger("service.storage")

RETRY_AFTER = 60  # seconds: an operator has to free space or remount; a client retrying sooner only adds load

# SQLite's primary result codes (https://www.sqlite.org/rescode.html); extended codes keep them in the low byte
SQLITE_BUSY, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN = 5, 8, 10, 11, 13, 14


class StorageFault(ServiceError):
    """The storage refused a write (or a read): retry later; nothing of the request was kept."""

    status = 503
    code = "storage_unavailable"
    kind = "io_error"

    def __init__(self, message: str):
        super().__init__(message, retry_after=RETRY_AFTER)


class StorageFull(StorageFault):
    status = 507
    code = "insufficient_storage"
    kind = "disk_full"


class StorageReadOnly(StorageFault):
    code = "storage_read_only"
    kind = "read_only"


FULL = "存储空间已满，本次请求未保存任何内容，请稍后重试 / the disk is full: nothing of this request was stored; retry later"
READ_ONLY = ("存储暂时只读，本次请求未保存任何内容，请稍后重试 / the storage is read-only for now: nothing of this "
             "request was stored; retry later")
IO_ERROR = ("存储读写出错，本次请求未保存任何内容，请稍后重试 / the storage reported an I/O error: nothing of this "
            "request was stored; retry later")

_BY_ERRNO = {errno.ENOSPC: (StorageFull, FULL), errno.EDQUOT: (StorageFull, FULL),
             errno.EROFS: (StorageReadOnly, READ_ONLY), errno.EIO: (StorageFault, IO_ERROR)}
_BY_SQLITE = {SQLITE_FULL: (StorageFull, FULL), SQLITE_READONLY: (StorageReadOnly, READ_ONLY),
              SQLITE_IOERR: (StorageFault, IO_ERROR), SQLITE_CANTOPEN: (StorageFault, IO_ERROR)}


def classify(exc: BaseException) -> StorageFault | None:
    """The storage fault ``exc`` is, or None when it is something else (a bug: a 500)."""
    if isinstance(exc, StorageFault):
        return exc
    found = None
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        found = _BY_SQLITE.get(code & 0xFF) if isinstance(code, int) else None
    elif isinstance(exc, OSError):
        found = _BY_ERRNO.get(exc.errno)
    if found is None:
        return None
    cls, message = found
    return cls(message)


_lock = threading.Lock()
_episodes: dict[str, int] = {}  # kind -> requests refused since the episode began (this process)


def noted(fault: StorageFault, cause: BaseException) -> StorageFault:
    """Count ``fault``; log it when it begins an episode.  The cause's type and code only: no data."""
    with _lock:
        first = fault.kind not in _episodes
        _episodes[fault.kind] = _episodes.get(fault.kind, 0) + 1
    if first:
        detail = getattr(cause, "sqlite_errorname", None) or errno.errorcode.get(getattr(cause, "errno", None) or 0)
        log.error("storage fault began: %s (%s %s); writes are refused with %s until a write succeeds",
                  fault.kind, type(cause).__name__, detail or "", fault.status)
    return fault


def cleared() -> None:
    """A write succeeded: every open episode has ended (logged once, with how many requests it refused)."""
    if not _episodes:  # the common case: one dict truth test per commit
        return
    with _lock:
        ended = dict(_episodes)
        _episodes.clear()
    for kind, refused in ended.items():
        log.warning("storage fault ended: %s; %d request(s) were refused during it", kind, refused)
