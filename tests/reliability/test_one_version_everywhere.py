"""A real gunicorn (3 workers) on a copy of the rules: every worker serves the version the database says.

Measured before (issue 12): a reload changed the one worker that answered it, and
a worker restarted on broken files failed to boot and took gunicorn down.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from support.common import ROOT, auth_headers, example
from support.live_server import LiveServer

from service.store.db import connect
from service.web import auth

PLAN = "curricula/plans/sxufe/630701-2021.yaml"
# evaluations by provincial staff: the portal and county staff evaluate registered candidates only (none here)
STAFF = auth_headers("province")
CURRICULUM = auth_headers("curriculum")


def edit(rules: Path, old: str, new: str) -> None:
    path = rules / PLAN
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


@pytest.fixture
def served(tmp_path):
    rules = tmp_path / "rules"
    for part in ("curricula", "rulesets"):
        shutil.copytree(ROOT / part, rules / part)
    db_path = tmp_path / "live.sqlite3"
    db = connect(db_path)
    for role, token in (("portal", "demo-portal"), ("province", "demo-province"), ("curriculum", "demo-curriculum"),
                        ("auditor", "demo-auditor")):
        auth.add_credential(db, role, role, token=token)
    db.conn.close()
    server = LiveServer(db_path, tmp_path / "blobs", workers=3, threads=1,
                        env={"SXZK_RULES_ROOT": str(rules)}).start()
    yield server, rules, db_path
    server.stop()


def answers(server, n: int = 100) -> list[tuple]:
    """(version reported, version decided, credits required) of n health checks and n evaluations, each on a
    fresh connection, six at a time so that every worker answers some."""
    def one(_):
        status, _, health = server.request("GET", "/v1/health")
        assert status == 200, health
        status, _, body = server.request("POST", "/v1/evaluations", example("marketing-complete"), STAFF)
        assert status == 201, body
        decision = body["decisions"][0]
        return health["ruleset_version"], decision["ruleset_version"], decision["credits"]["required"], \
            health["working_files"]

    with ThreadPoolExecutor(6) as pool:
        return list(pool.map(one, range(n)))


def cli(db_path, rules, *args) -> subprocess.CompletedProcess:
    env = dict(os.environ, SXZK_DATABASE=str(db_path), SXZK_RULES_ROOT=str(rules))
    return subprocess.run([sys.executable, "-c", "from service.cli import run; run()", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_reload_refused_reload_and_publication_reach_all_three_workers(served):
    server, rules, db_path = served
    old = server.request("GET", "/v1/health")[2]["ruleset_version"]

    edit(rules, "min_credits: 70", "min_credits: 75")
    status, _, reloaded = server.request("POST", "/v1/rules/reload", headers=CURRICULUM)
    assert status == 200 and reloaded["reloaded"] is True
    new = reloaded["version"]
    assert new != old
    assert set(answers(server)) == {(new, new, 75, "accepted")}

    edit(rules, "min_credits: 75", "min_credit: 75")
    status, _, refused = server.request("POST", "/v1/rules/reload", headers=CURRICULUM)
    assert status == 200 and refused["reloaded"] is False and refused["version"] == new and refused["problems"]
    assert set(answers(server)) == {(new, new, 75, "refused")}

    edit(rules, "min_credit: 75", "min_credits: 70")  # the files as shipped: their test cases pass
    published = cli(db_path, rules, "publish", "--note", "70 as printed", "--effective-from", "2025-01-01",
                    "--author", "计划处 刘老师")
    assert published.returncode == 0, published.stderr
    assert f"published {old}" in published.stdout
    assert set(answers(server)) == {(old, old, 70, "refused")}  # the files are good now, but were never reloaded
    assert server.request("GET", "/v1/health")[2]["ruleset_source"] == "published"


def workers_of(master: int) -> set[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return {int(pid) for pid in children}


@pytest.mark.slow
def test_workers_killed_while_the_files_are_broken_come_back_on_the_archived_version(served):
    server, rules, _ = served
    version = server.request("GET", "/v1/health")[2]["ruleset_version"]
    edit(rules, "min_credits: 70", "min_credit: 70")
    for pid in sorted(workers_of(server.proc.pid)):  # every worker replaced: no answer comes from one started before
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while pid in workers_of(server.proc.pid) or len(workers_of(server.proc.pid)) < 3:
            assert server.proc.poll() is None, server.log()[-3000:]
            assert time.monotonic() < deadline, server.log()[-3000:]
            time.sleep(0.1)
    assert "Worker failed to boot" not in server.log()
    health = server.request("GET", "/v1/health")[2]
    assert health["ruleset_version"] == version and health["working_files"] == "refused"
    assert health["problems"] and all(p["file"] == PLAN and p["line"] > 0 for p in health["problems"])
    assert "未采用" in health["note"] and "refused" in health["note"]
    assert set(answers(server, 30)) == {(version, version, 70, "refused")}
