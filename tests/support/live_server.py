"""A real gunicorn on 127.0.0.1 for crash, concurrency and limit tests: start, SIGKILL, restart on the same files."""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from support.common import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """gunicorn in its own session, so one signal reaches the master and every worker."""

    def __init__(self, db_path, blob_dir, *, workers=2, worker_class="gthread", threads=4, env=None,
                 extra_args=()):
        self.db_path, self.blob_dir = Path(db_path), Path(blob_dir)
        self.workers, self.worker_class, self.threads = workers, worker_class, threads
        self.env = dict(env or {})
        self.extra_args = tuple(extra_args)  # more gunicorn options, e.g. an access log
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.log_path = self.db_path.parent / f"gunicorn-{self.port}.log"

    def start(self, timeout: float = 45) -> LiveServer:
        env = dict(os.environ, SXZK_DATABASE=str(self.db_path), SXZK_BLOB_DIR=str(self.blob_dir), **self.env)
        cmd = [sys.executable, "-m", "gunicorn", "--workers", str(self.workers), "--worker-class",
               self.worker_class, "--threads", str(self.threads), "--bind", f"127.0.0.1:{self.port}",
               "--graceful-timeout", "2", *self.extra_args, "service.app:create_app()"]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited {self.proc.returncode}: {self.log()[-3000:]}")
            try:
                if self.request("GET", "/v1/health")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"gunicorn did not answer in {timeout} s: {self.log()[-3000:]}")

    def _signal_group(self, sig) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        """SIGKILL to the master and every worker at once: no shutdown code runs."""
        self._signal_group(signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait(30)
        self._reap_group()

    def stop(self) -> None:
        self._signal_group(signal.SIGTERM)
        if self.proc is not None:
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()
        self._reap_group()

    def _reap_group(self) -> None:
        # workers of a killed master may outlive it for a moment; make sure none is left writing
        if self.proc is None:
            return
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                return
            time.sleep(0.05)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def request(self, method: str, path: str, body=None, headers=None, timeout: float = 30):
        """(status, headers dict, parsed JSON or raw bytes) over a fresh connection."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            data = body if isinstance(body, bytes | None) else json.dumps(body, ensure_ascii=False).encode()
            hdrs = dict(headers or {})
            if data is not None and not isinstance(body, bytes):
                hdrs.setdefault("Content-Type", "application/json")
            conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
            raw = resp.read()
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = raw
            return resp.status, dict(resp.getheaders()), parsed
        finally:
            conn.close()
