"""Signed checkpoints catch what the hash chain alone cannot: a log rewritten and re-hashed with the project's
own code, or cut short, by someone with write access to the database file."""
from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner
from support.common import auth_headers, example

from service import cli
from service.store import chains, checkpoints, decision_log
from service.store.db import connect, write_transaction

AT = "2026-12-02T10:00:00+08:00"


@pytest.fixture
def signed(app, client, tmp_path):
    """Five decisions, a checkpoint after the third and one after the fifth, exported with the public key."""
    keys = checkpoints.init_keys(tmp_path / "keys" / "signing-key.pem")
    key = checkpoints.load_private(keys["private"])
    db = connect(app.config["DATABASE"])
    for n in range(5):
        assert client.post("/v1/evaluations", json=example("marketing-complete"),
                           headers=auth_headers("province")).status_code == 201
        if n in (2, 4):
            with write_transaction(db):
                checkpoints.make_all(db, key, at=AT)
    kept = checkpoints.listing(db)
    db.conn.close()
    return kept, checkpoints.load_public(keys["public"])


def stopped_copy(app, tmp_path):
    path = tmp_path / "copy.sqlite3"
    shutil.copyfile(app.config["DATABASE"], path)
    for suffix in ("-wal",):
        src = app.config["DATABASE"] + suffix
        try:
            shutil.copyfile(src, str(path) + suffix)
        except FileNotFoundError:
            pass
    return connect(path, migrate_schema=False)


def rewrite_and_rehash(db, seq: int) -> None:
    """What an attacker with the file does: drop the triggers, change a row, re-link every later row."""
    conn = db.conn
    triggers = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'decisions'").fetchall()
    conn.execute("DROP TRIGGER decisions_no_update")
    conn.execute("DROP TRIGGER decisions_no_delete")
    conn.execute("UPDATE decisions SET status = 'not_eligible', eligible = 0 WHERE seq = ?", [seq])
    prev = conn.execute("SELECT row_hash FROM decisions WHERE seq = ?", [seq - 1]).fetchone()[0]
    for row in list(db.query("SELECT * FROM decisions WHERE seq >= ? ORDER BY seq", [seq])):
        row["prev_hash"] = prev
        new = decision_log.row_hash(prev, row)
        conn.execute("UPDATE decisions SET prev_hash = ?, row_hash = ? WHERE seq = ?", [prev, new, row["seq"]])
        prev = new
    for (sql,) in triggers:
        conn.execute(sql)


def test_an_untouched_log_agrees_with_its_checkpoints(app, signed):
    kept, public = signed
    db = connect(app.config["DATABASE"])
    result = checkpoints.verify(db, kept, public)
    assert result["ok"] is True and result["chains"]["decisions"] == {
        "ok": True, "chain": "decisions", "checked": 2, "agreed_through": 5, "head": decision_log.verify(db)["head"]}


def test_a_rewritten_and_rehashed_log_passes_the_chain_but_not_the_checkpoints(app, signed, tmp_path):
    kept, public = signed
    db = stopped_copy(app, tmp_path)
    rewrite_and_rehash(db, 4)
    assert decision_log.verify(db)["ok"] is True  # the chain alone is fooled
    result = checkpoints.verify(db, kept, public)
    assert result["ok"] is False and result["agreed_through"] == 3 and result["seq"] == 4
    assert result["chain"] == "decisions" and "rewritten" in result["reason"]


def test_a_truncated_log_is_named(app, signed, tmp_path):
    kept, public = signed
    db = stopped_copy(app, tmp_path)
    db.conn.execute("DROP TRIGGER decisions_no_delete")
    db.conn.execute("DELETE FROM decisions WHERE seq = 5")
    assert decision_log.verify(db)["ok"] is True
    result = checkpoints.verify(db, kept, public)
    assert result["ok"] is False and result["seq"] == 5 and "truncated" in result["reason"]


def test_an_altered_checkpoint_copy_is_refused(app, signed):
    kept, public = signed
    forged = [dict(kept[0], head="0" * 64), kept[1]]
    result = checkpoints.verify(connect(app.config["DATABASE"]), forged, public)
    assert result["ok"] is False and "signature" in result["reason"]


def test_the_commands_sign_export_and_verify(app, signed, tmp_path, monkeypatch):
    kept, _ = signed
    key = tmp_path / "keys" / "signing-key.pem"
    runner = CliRunner()
    env = {"SXZK_DATABASE": app.config["DATABASE"], "SXZK_SIGNING_KEY": str(key)}
    for command in cli.all_commands():
        if command.name not in cli.main.commands:
            cli.main.add_command(command)
    out = runner.invoke(cli.main, ["checkpoint", "--export", str(tmp_path / "kept.jsonl")], env=env)
    assert out.exit_code == 0, out.output
    lines = (tmp_path / "kept.jsonl").read_text(encoding="utf-8").splitlines()
    decision_checkpoints = [json.loads(x) for x in lines if json.loads(x)["chain"] == "decisions"]
    assert [cp["seq"] for cp in decision_checkpoints] == [3, 5, 5]
    assert {json.loads(x)["chain"] for x in lines} == {c.name for c in chains.CHAINS}
    ok = runner.invoke(cli.main, ["verify-log", "--checkpoints", str(tmp_path / "kept.jsonl"),
                                  "--public-key", f"{key}.pub"], env=env)
    assert ok.exit_code == 0, ok.output
    again = runner.invoke(cli.main, ["keys", "init", "--key", str(key)], env=env)
    assert again.exit_code != 0 and "never overwritten" in (again.output + str(again.exception))
