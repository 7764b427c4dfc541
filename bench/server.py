"""A gunicorn running the service on 127.0.0.1, on a temporary SQLite file with the demo credentials."""
from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from . import common


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_database(path: Path) -> None:
    from service.store.db import connect
    from service.web import auth

    db = connect(path)
    creds = yaml.safe_load((common.ROOT / "fixtures" / "demo_credentials.yaml").read_text(encoding="utf-8"))
    for e in creds["credentials"]:
        auth.add_credential(db, e["role"], e["actor"], e.get("district"), token=e["token"])
    db.conn.close()


class Gunicorn:
    """``with Gunicorn(workers=2, worker_class="sync") as g: ...`` — g.port, g.db_path, g.stderr_text()."""

    def __init__(self, workers=2, worker_class="sync", threads=1, extra_args=(), env=None, directory=None):
        self.workers, self.worker_class, self.threads = workers, worker_class, threads
        self.extra_args = list(extra_args)
        self.env = dict(env or {})
        self._tmp = None if directory else tempfile.TemporaryDirectory(prefix="sxzk-bench-")
        self.dir = Path(directory or self._tmp.name)
        self.db_path = self.dir / "bench.sqlite3"
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self._err = None

    def settings(self) -> dict:
        return {"workers": self.workers, "worker_class": self.worker_class, "threads": self.threads,
                "extra_args": self.extra_args}

    def start(self, timeout: float = 60) -> Gunicorn:
        if not self.db_path.exists():
            prepare_database(self.db_path)
        env = dict(os.environ, SXZK_DATABASE=str(self.db_path), SXZK_BLOB_DIR=str(self.dir / "blobs"), **self.env)
        cmd = [sys.executable, "-m", "gunicorn", "--workers", str(self.workers), "--worker-class", self.worker_class,
               "--threads", str(self.threads), "--bind", f"127.0.0.1:{self.port}", "--backlog", "256",
               *self.extra_args, "service.app:create_app()"]
        self._err = open(self.dir / "server.stderr", "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(cmd, cwd=common.ROOT, env=env, stdout=self._err, stderr=self._err)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}:\n{self.stderr_text()[-2000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/v1/health")
                if conn.getresponse().status == 200:
                    conn.close()
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not answer /v1/health in time")

    def stop(self, sig=signal.SIGTERM, timeout: float = 30) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._err:
            self._err.close()
            self._err = None

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the master and its live workers."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            pid, ppid = int(entry.name), int(fields[1])
            if self.proc and (pid == self.proc.pid or ppid == self.proc.pid):
                total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / tick

    def stderr_text(self) -> str:
        path = self.dir / "server.stderr"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def cleanup(self) -> None:
        self.stop()
        if self._tmp:
            self._tmp.cleanup()

    def __enter__(self) -> Gunicorn:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.cleanup()
