"""`sxzk replay` (one, a period, all; on several processes), `sxzk export`, offline replay, `sxzk verify-log`."""
from __future__ import annotations

import json
import os
import stat

import pytest
from click.testing import CliRunner
from support.audit import make_app, record, tamper

from service.audit.cli import replay_command


@pytest.fixture
def audited(tmp_path):
    app, rules = make_app(tmp_path)
    return app, app.test_cli_runner(), record(app)


def test_replay_all_identical_in_one_process_and_in_several(audited):
    _, cli, decisions = audited
    alone = cli.invoke(args=["replay", "--all", "--workers", "1"])
    assert alone.exit_code == 0, alone.output
    assert alone.output.startswith(f"replayed {len(decisions)} decision(s) with 1 process(es): "
                                   f"{len(decisions)} identical, 0 differing")
    pooled = cli.invoke(args=["replay", "--all", "--workers", "2", "--chunk", "1", "--json"])
    assert pooled.exit_code == 0, pooled.output
    summary = json.loads(pooled.output)
    assert summary["workers"] == 2 and summary["total"] == summary["identical"] == len(decisions)


def test_replay_reports_each_differing_decision_with_its_first_difference(audited):
    app, cli, decisions = audited
    tamper(app, decisions[0]["id"], '"earned":78', '"earned":79')
    tamper(app, decisions[1]["id"], '"eligible":false', '"eligible":true')
    result = cli.invoke(args=["replay", "--since", "2000-01-01", "--workers", "2", "--chunk", "2"])
    assert result.exit_code == 1
    assert f"{len(decisions) - 2} identical, 2 differing" in result.output
    assert f"  {decisions[0]['id']}: credits.earned: recorded 79, replayed 78" in result.output
    assert f"  {decisions[1]['id']}: eligible: recorded true, replayed false" in result.output


def test_replay_one_decision_and_bad_arguments(audited):
    _, cli, decisions = audited
    one = cli.invoke(args=["replay", decisions[2]["id"]])
    assert one.exit_code == 0 and "replayed 1 decision(s)" in one.output
    missing = cli.invoke(args=["replay", "f" * 32])
    assert missing.exit_code == 1 and f"no decision {'f' * 32}" in missing.output
    assert cli.invoke(args=["replay"]).exit_code == 2
    bad = cli.invoke(args=["replay", "--since", "last week"])
    assert bad.exit_code == 2 and "ISO date" in bad.output
    assert cli.invoke(args=["replay", "--all", "--workers", "0"]).exit_code == 2


def test_export_then_replay_offline_without_a_database(audited, tmp_path):
    _, cli, decisions = audited
    out = tmp_path / "export.jsonl"
    result = cli.invoke(args=["export", "--since", "2000-01-01", "--until", "2999-01-01", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"{len(decisions)} decision(s) and 1 ruleset version(s) written" in result.output
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600  # it holds names and ID numbers
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [x["type"] for x in lines] == ["export", "ruleset_version", *["decision"] * len(decisions), "end"]
    assert "curricula/catalogue.yaml" in lines[1]["files"]
    # a bare click runner: no app, no database, only the file
    offline = CliRunner().invoke(replay_command, ["--from-export", str(out), "--workers", "2", "--chunk", "2"])
    assert offline.exit_code == 0, offline.output
    assert f"{len(decisions)} identical, 0 differing" in offline.output
    assert f"hashes: {len(decisions)} row(s) checked, 0 altered, 0 chain break(s)" in offline.output


def test_export_of_a_period_holds_only_its_decisions(audited, tmp_path):
    _, cli, _ = audited
    result = cli.invoke(args=["export", "--since", "2000-01-01", "--until", "2000-01-02"])
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [x["type"] for x in lines] == ["export", "end"] and lines[-1]["decisions"] == 0
    assert cli.invoke(args=["export", "--since", "2000-01-01"]).exit_code == 2  # --until is required
    assert cli.invoke(args=["export", "--since", "1/1/2000", "--until", "2000-01-02"]).exit_code == 2


def test_offline_replay_finds_an_edited_export_and_refuses_a_truncated_one(audited, tmp_path):
    _, cli, decisions = audited
    out = tmp_path / "export.jsonl"
    cli.invoke(args=["export", "--since", "2000-01-01", "--until", "2999-01-01", "--out", str(out)])
    lines = out.read_text(encoding="utf-8").splitlines()
    row = json.loads(lines[2])
    row["output"]["credits"]["earned"] += 1
    edited = tmp_path / "edited.jsonl"
    edited.write_text("\n".join([*lines[:2], json.dumps(row, ensure_ascii=False), *lines[3:]]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(replay_command, ["--from-export", str(edited), "--workers", "1"])
    assert result.exit_code == 1
    assert f"  {row['id']}: credits.earned: recorded {row['output']['credits']['earned']}" in result.output
    assert f"  {row['id']}: the row's content does not match its hash (altered)" in result.output
    truncated = tmp_path / "truncated.jsonl"
    truncated.write_text("\n".join(lines[:-2]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(replay_command, ["--from-export", str(truncated)])
    assert result.exit_code == 1 and "truncated" in result.output
    assert CliRunner().invoke(replay_command, ["--from-export", str(out), "--all"]).exit_code == 2


def test_verify_log_finds_a_tampered_row_by_its_id(audited):
    app, cli, decisions = audited
    ok = cli.invoke(args=["verify-log"])
    assert ok.exit_code == 0 and json.loads(ok.output)["checked"] == len(decisions)
    target = decisions[2]
    tamper(app, target["id"], '"status":"eligible"', '"status":"not_eligible"')
    broken = cli.invoke(args=["verify-log"])
    assert broken.exit_code == 1
    report = json.loads(broken.output)
    assert report["ok"] is False and report["broken_at"] == target["id"] and "altered" in report["reason"]
