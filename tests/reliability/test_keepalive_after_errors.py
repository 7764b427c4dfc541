"""After a 4xx the connection is either still usable or the answer says `Connection: close` (issue 14, finding 9).

A raw keep-alive client against a real gunicorn: gunicorn ignores an application's Connection header and drains
at most 64 KB of an unread body, so without service/web/connection.py (and the pre_request hook of
gunicorn.conf.py) a 415 or 413 before a large body said keep-alive and then dropped the connection.
"""
from __future__ import annotations

import socket

import pytest
from support.live_server import LiveServer

from service.store.db import connect
from service.web import auth

HEALTH = b"GET /v1/health HTTP/1.1\r\nHost: t\r\n\r\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    where = tmp_path_factory.mktemp("keepalive")
    db = connect(where / "db.sqlite3")
    auth.add_credential(db, "province", "省考试院", token="demo-province")
    db.conn.close()
    live = LiveServer(where / "db.sqlite3", where / "blobs", workers=1, threads=2).start()
    yield live
    live.stop()


def post(content_type: str, body: bytes = b"", *, length: int | None = None, token: bool = True,
         chunked: bool = False) -> bytes:
    head = ["POST /v1/evaluations HTTP/1.1", "Host: t", f"Content-Type: {content_type}"]
    if token:
        head.append("Authorization: Bearer demo-province")
    if chunked:
        head.append("Transfer-Encoding: chunked")
        body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    else:
        head.append(f"Content-Length: {len(body) if length is None else length}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def read_response(sock) -> tuple[int, dict] | None:
    """(status, headers) of one response with its body read, or None when the server closed the connection."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    length = int(headers.get("content-length", 0))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        rest += chunk
    return int(lines[0].split()[1]), headers


def exchange(server, request: bytes):
    """The answer to ``request`` and then to a health check sent on the same connection."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as sock:
        sock.sendall(request)
        first = read_response(sock)
        try:
            sock.sendall(HEALTH)
            second = read_response(sock)
        except OSError:  # reset: the server closed it
            second = None
    return first, second


@pytest.mark.parametrize(("name", "request_bytes", "status"), [
    ("415 with a small body", post("text/plain", b"hello"), 415),
    ("415 chunked", post("text/plain", b"hello", chunked=True), 415),
    ("413: a JSON body over 512 KB, drained", post("application/json", b" " * 600_000), 413),
    ("401 before the body is read", post("application/json", b"{}" + b" " * 100_000, token=False), 401),
])
def test_an_error_before_the_body_keeps_the_connection_usable(server, name, request_bytes, status):
    first, second = exchange(server, request_bytes)
    assert first is not None and first[0] == status, name
    assert first[1].get("connection") == "keep-alive", name
    assert second is not None and second[0] == 200, f"{name}: the connection said keep-alive but was dropped"


def test_a_body_too_large_to_drain_is_answered_with_connection_close(server):
    first, second = exchange(server, post("text/plain", b"x" * 3_000_000))
    assert first is not None and first[0] == 415
    assert first[1].get("connection") == "close"
    assert second is None  # and it is closed, as said


def test_a_refused_upload_is_not_read_to_be_refused(server):
    """9 MB of JSON declared, 64 KB sent: the 413 comes at once, saying close, without waiting for the rest."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as sock:
        sock.sendall(post("application/json", b" " * 65536, length=9_000_000))
        status, headers = read_response(sock)
    assert status == 413 and headers.get("connection") == "close"


def test_a_good_request_keeps_the_connection(server):
    first, second = exchange(server, b"GET /v1/health HTTP/1.1\r\nHost: t\r\n\r\n")
    assert first[0] == 200 and first[1].get("connection") == "keep-alive" and second[0] == 200
