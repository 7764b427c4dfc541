"""Opening the database: one SQLite file in WAL mode, migrated on open.

``init_app``: each worker thread keeps one connection across its requests (in
``g`` during a request); teardown leaves it as closing would, with nothing
pending.  Core code receives a ``sqlite_utils.Database`` and never imports
Flask.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import threading
import weakref
from pathlib import Path

import sqlite_utils

from service.errors import NotFound
from service.store import faults


def connect(path: str | Path, *, migrate_schema: bool = True) -> sqlite_utils.Database:
    if str(path) == ":memory:":
        db = sqlite_utils.Database(memory=True)
    else:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
        db = sqlite_utils.Database(conn)
    db.conn.execute("PRAGMA foreign_keys = ON")
    db.conn.execute("PRAGMA busy_timeout = 30000")
    if str(path) != ":memory:":
        db.conn.execute("PRAGMA journal_mode = WAL")
        # WAL + NORMAL: a commit survives a process crash (what SIGKILL tests),
        # only a power loss may drop the last transactions.
        db.conn.execute("PRAGMA synchronous = NORMAL")
        db.write_lock_fd = os.open(f"{path}-writelock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        weakref.finalize(db, os.close, db.write_lock_fd)
    if migrate_schema:
        from service.store.migrations import migrate  # it writes through write_transaction, below

        migrate(db)
    return db


@contextlib.contextmanager
def write_transaction(db: sqlite_utils.Database):
    """BEGIN IMMEDIATE: take the write lock first, so read-then-write never races.

    Writers first queue on a file lock beside the database: the kernel wakes the
    next one the moment the lock is released, where SQLite's busy handler polls
    with sleeps growing to 100 ms (under load that, not the work, was the p99).
    """
    conn = db.conn
    fd = getattr(db, "write_lock_fd", None)
    if fd is not None:
        fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            if conn.in_transaction:  # a full disk or an I/O error may have rolled it back already
                conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.Error:
            if conn.in_transaction:  # the commit failed (disk full): nothing of it may stay pending
                conn.execute("ROLLBACK")
            raise
        faults.cleared()
    finally:
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)


class NoDatabase(NotFound):
    """What reads a database found none: it is an error, never an empty new file."""


def open_readonly(path: str | Path) -> sqlite_utils.Database:
    """The database opened so that nothing can be written through this connection (nor a file created)."""
    path = Path(path)
    if not path.exists():
        raise NoDatabase(f"没有数据库 / no database at {path}: create it with `sxzk init-db`, "
                         "or point SXZK_DATABASE at it")
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,
                           check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 30000")
    return sqlite_utils.Database(conn)


@contextlib.contextmanager
def read_snapshot(db: sqlite_utils.Database):
    """One read transaction: every query inside sees the database as of its first read."""
    db.conn.execute("BEGIN")
    try:
        yield db
    finally:
        db.conn.execute("COMMIT")


def init_app(app) -> None:
    from flask import g

    # Opening a connection costs about 1 ms (SQLite parses the schema again on
    # the first statement), more than all of an evaluation's own SQL: so each
    # thread keeps its connection (per process: never one inherited by fork).
    kept = threading.local()

    def get_db():
        if "db" not in g:
            path = app.config["DATABASE"]
            if path == ":memory:":
                g.db = connect(path, migrate_schema=False)
                return g.db
            key = (os.getpid(), path)
            if getattr(kept, "key", None) != key:
                kept.db, kept.key = connect(path, migrate_schema=False), key
            g.db = kept.db
        return g.db

    def close_db(_exc=None):
        db = g.pop("db", None)
        if db is None:
            return
        if getattr(kept, "db", None) is not db:
            db.conn.close()
            return
        try:
            if db.conn.in_transaction:  # what close() would have done with it
                db.conn.execute("ROLLBACK")
        except sqlite3.Error:
            kept.key = kept.db = None
            with contextlib.suppress(sqlite3.Error):
                db.conn.close()

    app.extensions["get_db"] = get_db
    app.teardown_appcontext(close_db)
    if not app.config.get("MIGRATE_AT_START", True):
        return
    migrate_db = connect(app.config["DATABASE"])  # create and migrate once at start
    if app.config["DATABASE"] != ":memory:":
        migrate_db.conn.close()


def get_db():
    from flask import current_app

    return current_app.extensions["get_db"]()
