"""Every shell block of the guides, run in order against `make run` on a database of its own.

A guide that drifts from what the service answers fails here: a command that exits non-zero, an
answer whose HTTP status or ``"key": value`` pairs differ from the guide's ``# →`` lines, or a
snippet that writes into the checkout. See tests/support/guides.py for the conventions.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import urllib.request

import pytest
from support.common import ROOT
from support.guides import mismatches, parse
from support.live_server import free_port

pytestmark = pytest.mark.slow

GUIDES = ["docs/workflow-candidates.md", "docs/workflow-applications.md", "docs/forms-and-transfer.md"]
MARK = "@@@guide-command"
HTTP = re.compile(r"@@HTTP (\d{3})")


def _checkout_state() -> set[str]:
    """What git sees in the checkout, ignored files included (instance/ would be one)."""
    out = subprocess.run(["git", "status", "--porcelain", "--ignored", "--untracked-files=all"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    return {line for line in out.splitlines() if "/.venv/" not in line and not line.endswith(".venv/")
            and "__pycache__" not in line and ".pytest_cache" not in line}


class MakeRun:
    """The guide's own `… make run` line, on a database and blob folder of the test's."""

    def __init__(self, command: str, tmp_path):
        self.command, self.port = command, free_port()
        self.env = dict(os.environ, PORT=str(self.port), SXZK_DATABASE=str(tmp_path / "sxzk.sqlite3"),
                        SXZK_BLOB_DIR=str(tmp_path / "blobs"))
        self.log = tmp_path / "make-run.log"

    def __enter__(self):
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(["bash", "-c", self.command], cwd=ROOT, env=self.env, stdout=log,
                                         stderr=log, start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"`{self.command}` exited {self.proc.returncode}: "
                                   f"{self.log.read_text(errors='replace')[-3000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/v1/health", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"`{self.command}` did not serve in 120 s: {self.log.read_text(errors='replace')[-3000:]}")

    def __exit__(self, *exc):
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)


def _script(commands) -> str:
    parts = []
    for n, cmd in enumerate(commands):
        parts.append(f"printf '\\n{MARK} {n}\\n'; printf '\\n{MARK} {n}\\n' >&2\n{cmd.text}\n"
                     f"printf '\\n{MARK} rc %d\\n' $? >&2\n")
    return "\n".join(parts)


def _segments(text: str) -> dict[int, str]:
    out: dict[int, str] = {}
    current = None
    for line in text.splitlines(keepends=True):
        if line.startswith(MARK + " ") and not line.startswith(MARK + " rc"):
            current = int(line.split()[1])
            out[current] = ""
        elif current is not None:
            out[current] += line
    return out


@pytest.mark.parametrize("guide", GUIDES)
def test_guide_runs_as_written(guide, tmp_path):
    parsed = parse(ROOT / guide)
    assert parsed.server, f"{guide} says how to start the server (a `make run` line)"
    assert parsed.commands, f"{guide} has commands to run"
    home = tmp_path / "home"
    home.mkdir()
    # curl prints each answer's status to stderr, where the guide's reader does not see it
    (home / ".curlrc").write_text('write-out = "%{stderr}@@HTTP %{http_code}\\n"\n')
    before = _checkout_state()
    with MakeRun(parsed.server, tmp_path) as server:
        env = dict(server.env, HOME=str(home))
        env.pop("SXZK_NOW", None)
        run = subprocess.run(["bash", "-c", _script(parsed.commands)], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=600)
    out, err = _segments(run.stdout), _segments(run.stderr)
    problems = []
    for n, cmd in enumerate(parsed.commands):
        where = f"{guide}:{cmd.line}"
        if n not in out:
            problems.append(f"{where}: never ran (the script stopped before it)\n{run.stderr[-2000:]}")
            break
        rc = re.search(rf"{MARK} rc (\d+)", err.get(n, "") + run.stderr.split(f"{MARK} {n + 1}\n")[0][-200:])
        if rc and rc.group(1) != "0":
            problems.append(f"{where}: exit status {rc.group(1)}: {cmd.text[:120]}\n{err.get(n, '')[-800:]}")
        # a command with its own -w '%{http_code}' prints the status where the reader sees it
        statuses = HTTP.findall(err.get(n, "")) or re.findall(r"^(\d{3})$", out[n].strip())
        want = cmd.expected_status
        if want is not None and (not statuses or int(statuses[-1]) != want):
            problems.append(f"{where}: expected HTTP {want}, got {statuses[-1:] or 'no answer'}: "
                            f"{out[n][:400]}")
        elif want is None and statuses and int(statuses[-1]) >= 400:
            problems.append(f"{where}: HTTP {statuses[-1]} where the guide shows no error: {out[n][:400]}")
        missing = mismatches(cmd, out[n])
        if missing:
            problems.append(f"{where}: the answer lacks {missing}: {out[n][:600]}")
    assert not problems, "\n\n".join(problems)
    assert _checkout_state() == before, "the guide's snippets wrote into the checkout"
