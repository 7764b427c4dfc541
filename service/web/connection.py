"""A 4xx keeps its connection usable, or says ``Connection: close`` and means it (issue 14, finding 9).

An answer given before the body is read (413, 415, 401, a 422 of the query) leaves the
body on the socket.  gunicorn drains at most 64 KB of it before reusing the connection
and drops the connection otherwise, yet it has already told the client
``Connection: keep-alive``: the client's next request on it fails.  gunicorn ignores a
``Connection`` header set by the application (hop-by-hop).  So, for an error answer:

- a body of at most ``DRAIN_LIMIT`` still unread is read and discarded here, and the
  connection stays usable;
- a larger one is not read (a 413 must not cost the upload it refuses): the request is
  marked to close, through the request object that the ``pre_request`` hook of
  gunicorn.conf.py hands over, and gunicorn then answers ``Connection: close`` itself.
"""
from __future__ import annotations

import time

DRAIN_LIMIT = 1024 * 1024
DRAIN_SECONDS = 2.0  # a client trickling its body must not hold a worker thread for longer
_CHUNK = 64 * 1024
_CLOSE = "sxzk_close"  # the attribute of wsgi.input that marks its request to close


def pre_request(worker, req) -> None:
    """gunicorn hook: let the application close the connection of ``req``."""
    body = getattr(req, "body", None)
    if body is not None:
        setattr(body, _CLOSE, lambda: setattr(req, "must_close", True))


def settle(environ: dict, status: int) -> bool:
    """After an error answer: drain a small unread body, else ask the server to close; True when it must close."""
    if status < 400 or environ.get("REQUEST_METHOD") in ("GET", "HEAD", "OPTIONS", "DELETE"):
        return False
    stream = environ.get("wsgi.input")
    if stream is None:
        return False
    declared = environ.get("CONTENT_LENGTH") or ""
    # a body declared larger than the limit is not drained: one chunk tells whether the app read it already
    large = declared.isdigit() and int(declared) > DRAIN_LIMIT
    drained, deadline = 0, time.monotonic() + DRAIN_SECONDS
    try:
        while True:
            chunk = stream.read(_CHUNK)
            if not chunk:
                return False  # all of it read: the connection is usable
            drained += len(chunk)
            if large or drained > DRAIN_LIMIT or time.monotonic() > deadline:
                break
    except (OSError, ValueError):  # the client went away or sent a malformed chunk: nothing to keep
        pass
    return _close(environ, stream)


def _close(environ: dict, stream) -> bool:
    close = getattr(stream, _CLOSE, None)
    if close is not None:
        close()
    return True
