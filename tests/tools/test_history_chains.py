"""The application, candidate and transfer-out histories (and the log of views) are hash-chained as the decision log is, and signed:
a history rewritten and re-hashed with the project's own code, or cut short, fails against the exported checkpoints,
which name the chain and the first row in doubt."""
from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner
from support.common import auth_headers, example
from support.graduation_paths import ELIGIBLE, add_candidate, expect, portal, prepare

from service import cli
from service.store import chains, checkpoints
from service.store.db import connect, write_transaction

TRANSFER_OPEN = "2026-01-10T10:00:00"  # the 2026H1 省际转出 window
APPLICANT = "010119100001"
AT = "2026-12-02T10:00:00+08:00"
HISTORIES = [c.name for c in chains.HISTORIES]


def sign(db, key) -> list[dict]:
    with write_transaction(db):
        return checkpoints.make_all(db, key, at=AT)


@pytest.fixture
def signed(app, client, tmp_path):
    """Rows in every chain before a first checkpoint, more in each after it, then a second checkpoint."""
    keys = checkpoints.init_keys(tmp_path / "keys" / "signing-key.pem")
    key = checkpoints.load_private(keys["private"])
    prepare(app)
    db = connect(app.config["DATABASE"])
    h = portal(ELIGIBLE)
    created = expect(client.post("/v1/applications", headers=h, json={
        "district": "太原市小店区", "phone": "13912345678", "address": "太原市小店区长风街1号",
        "choices": [{"university": "sxufe", "major": "630701"}]}), 201)
    expect(client.post("/v1/evaluations", json=example("marketing-complete"), headers=auth_headers("province")), 201)
    first = {cp["chain"]: cp["seq"] for cp in sign(db, key)}
    expect(client.post(f"/v1/applications/{created['id']}/check", headers=h), 200)
    add_candidate(app, tmp_path, "010119100013", "赵新", order="131")
    expect(client.post("/v1/evaluations", json=example("marketing-complete"), headers=auth_headers("province")), 201)
    app.config["CLOCK_NOW"] = TRANSFER_OPEN
    transfer = expect(client.post("/v1/transfer-outs", headers=portal(APPLICANT), json={
        "target_province": "江苏省", "reason": "工作调动", "target_exam_number": "320119200123"}), 201)
    expect(client.post(f"/v1/transfer-outs/{transfer['id']}/withdraw", headers=portal(APPLICANT), json={}), 200)
    expect(client.get(f"/v1/candidates/{ELIGIBLE}", headers=auth_headers("county")), 200)  # a view of an ID number
    sign(db, key)
    kept = checkpoints.listing(db)
    for chain in chains.CHAINS:  # every chain has rows on both sides of the first checkpoint
        assert chains.head(db, chain)[0] > first[chain.name], chain.name
    db.conn.close()
    (tmp_path / "kept.jsonl").write_text("".join(json.dumps(cp) + "\n" for cp in kept), encoding="utf-8")
    return kept, checkpoints.load_public(keys["public"]), first


def stopped_copy(app, tmp_path):
    path = tmp_path / "copy.sqlite3"
    src = connect(app.config["DATABASE"])
    with write_transaction(src):  # a copy as the file stands, whatever the WAL holds
        pass
    src.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    src.conn.close()
    shutil.copyfile(app.config["DATABASE"], path)
    return connect(path, migrate_schema=False)


def rewrite_and_rehash(db, table: str, row_id: int) -> None:
    """The attacker's rewrite: triggers dropped, an event's actor changed, every later link re-made
    with the project's own hash, triggers put back as they were."""
    conn = db.conn
    triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
                            [table]).fetchall()
    for name, _ in triggers:
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute(f"UPDATE {table} SET actor = 'someone else' WHERE id = ?", [row_id])
    prev = conn.execute(f"SELECT row_hash FROM {table} WHERE id < ? ORDER BY id DESC LIMIT 1", [row_id]).fetchone()
    prev = prev[0] if prev else chains.GENESIS
    for row in list(db.query(f"SELECT * FROM {table} WHERE id >= ? ORDER BY id", [row_id])):
        new = chains.history_row_hash(prev, row)
        conn.execute(f"UPDATE {table} SET prev_hash = ?, row_hash = ? WHERE id = ?", [prev, new, row["id"]])
        prev = new
    for _, sql in triggers:
        conn.execute(sql)


def test_every_history_is_chained_and_agrees_with_its_checkpoints(app, signed):
    kept, public, _ = signed
    db = connect(app.config["DATABASE"])
    walked = chains.verify_all(db)
    assert walked["ok"] is True and all(walked["chains"][name]["checked"] >= 1 for name in HISTORIES)
    result = checkpoints.verify(db, kept, public)
    assert result["ok"] is True and {name: r["agreed_through"] for name, r in result["chains"].items()} == {
        c.name: chains.head(db, c)[0] for c in chains.CHAINS}


def test_an_altered_history_row_breaks_its_chain_at_that_row(app, signed, tmp_path):
    db = stopped_copy(app, tmp_path)
    row_id = db.execute("SELECT max(id) FROM candidate_events").fetchone()[0] - 1
    db.conn.execute("DROP TRIGGER candidate_events_no_update")
    db.conn.execute("UPDATE candidate_events SET actor = 'someone else' WHERE id = ?", [row_id])
    result = chains.verify_all(db)
    assert result["ok"] is False and (result["chain"], result["seq"]) == ("candidate_events", row_id)
    assert "altered" in result["reason"]


@pytest.mark.parametrize("table", HISTORIES)
def test_a_rewritten_and_rehashed_history_passes_its_chain_but_not_the_checkpoints(app, signed, tmp_path, table):
    kept, public, first = signed
    db = stopped_copy(app, tmp_path)
    target = first[table] + 1  # the first row written after the first checkpoint
    rewrite_and_rehash(db, table, target)
    assert chains.verify_all(db)["ok"] is True  # the chain alone is fooled
    result = checkpoints.verify(db, kept, public)
    assert result["ok"] is False and (result["chain"], result["seq"]) == (table, target)
    assert result["agreed_through"] == first[table] and "rewritten" in result["reason"]
    assert all(r["ok"] for name, r in result["chains"].items() if name != table)
    db.conn.close()
    # and as the auditors run it, from the exported copy and the public key
    runner = CliRunner()
    for command in cli.all_commands():
        if command.name not in cli.main.commands:
            cli.main.add_command(command)
    out = runner.invoke(cli.main, ["verify-log", "--checkpoints", str(tmp_path / "kept.jsonl"),
                                   "--public-key", str(tmp_path / "keys" / "signing-key.pem.pub")],
                        env={"SXZK_DATABASE": str(tmp_path / "copy.sqlite3")})
    assert out.exit_code == 1, out.output
    report = json.loads(out.output)
    assert (report["chain"], report["seq"]) == (table, target)


@pytest.mark.parametrize("table", HISTORIES)
def test_a_truncated_history_is_named(app, signed, tmp_path, table):
    kept, public, _ = signed
    db = stopped_copy(app, tmp_path)
    last = db.execute(f"SELECT max(id) FROM {table}").fetchone()[0]
    db.conn.execute(f"DROP TRIGGER {table}_no_delete")
    db.conn.execute(f"DELETE FROM {table} WHERE id = ?", [last])
    assert chains.verify_all(db)["ok"] is True
    result = checkpoints.verify(db, kept, public)
    assert result["ok"] is False and (result["chain"], result["seq"]) == (table, last)
    assert "truncated" in result["reason"]


def test_new_events_link_to_the_head(app, signed):
    db = connect(app.config["DATABASE"])
    for chain in chains.HISTORIES:
        rows = list(db.query(f"SELECT id, prev_hash, row_hash FROM {chain.table} ORDER BY id"))
        assert rows[0]["prev_hash"] == chains.GENESIS
        assert all(b["prev_hash"] == a["row_hash"] for a, b in zip(rows, rows[1:], strict=False))


def test_a_history_added_without_links_still_records_its_events(tmp_path):
    """A feature's new history made before it is chained (no ``add_links`` yet) is written as before."""
    from types import SimpleNamespace

    from service import statemachine

    db = connect(tmp_path / "t.sqlite3", migrate_schema=False)
    db.execute("CREATE TABLE things (id INTEGER PRIMARY KEY)")
    db.execute("INSERT INTO things VALUES (1)")
    statemachine.create_events_table(db, "thing_events", "thing_id INTEGER NOT NULL REFERENCES things(id)",
                                     index="thing", noun="thing")
    statemachine.add_version_column(db, "thing_events")
    actor = SimpleNamespace(label="province:someone", role="province")
    event = statemachine.record_event(db, "thing_events", {"thing_id": 1, "from_state": None, "to_state": "new",
                                                           "action": "create"}, actor, None)
    assert event["id"] == 1 and event["to_state"] == "new"
    chains.add_links(db, "thing_events")  # once it is chained, it links to what it had
    chained = chains.Chain("thing_events", "thing_events", "id", chains.history_row_hash)
    assert chains.verify(db, chained)["ok"] is True and chains.head(db, chained)[0] == 1
