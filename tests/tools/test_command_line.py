"""The command line without surprises: `python -m service`, no file made by --help or a reading command,
and a missing database named with a non-zero exit."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def sxzk(tmp_path, *args, module="service"):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SXZK_DATABASE": str(tmp_path / "instance" / "sxzk.sqlite3"),
           "SXZK_BLOB_DIR": str(tmp_path / "instance" / "blobs")}
    return subprocess.run([sys.executable, "-m", module, *args], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)


def files(tmp_path) -> list[str]:
    return sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))


@pytest.mark.parametrize("module", ["service", "service.cli"])
def test_python_m_runs_the_cli_and_help_makes_no_file(tmp_path, module):
    result = sxzk(tmp_path, "--help", module=module)
    assert result.returncode == 0 and "Usage: sxzk" in result.stdout and "what-if" in result.stdout
    assert files(tmp_path) == []


@pytest.mark.parametrize("command", [["verify-log"], ["what-if", "HEAD"], ["payments", "sandbox-callback", "GA1"],
                                     ["transfer-out", "approved"]])
def test_a_reading_command_without_a_database_says_so_and_fails(tmp_path, command):
    result = sxzk(tmp_path, *command)
    assert result.returncode == 2, result.stdout
    assert "no database at" in result.stderr and "sxzk init-db" in result.stderr and "re-evaluated" not in result.stdout
    assert files(tmp_path) == []


def test_init_db_makes_the_database_that_reading_commands_then_use(tmp_path):
    assert sxzk(tmp_path, "init-db").returncode == 0
    made = files(tmp_path)
    assert "instance/sxzk.sqlite3" in made
    result = sxzk(tmp_path, "verify-log")
    assert result.returncode == 0 and '"ok": true' in result.stdout
    # SQLite's own -wal and -shm files of a WAL database aside, reading adds nothing
    assert [f for f in files(tmp_path) if not f.endswith(("-wal", "-shm"))] == made
