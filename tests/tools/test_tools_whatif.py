"""`sxzk what-if`: exactly the candidates a threshold change affects flip; nothing stored changes."""
from __future__ import annotations

import copy
import csv
import hashlib
import json

import pytest
from click.testing import CliRunner
from support.common import example
from support.tools import ROOT, copy_tree, edit

from service.decisions.evaluate import evaluate_and_record
from service.store.db import connect
from service.tools import commands
from service.tools.requests import validated

ACCOUNTING_2017 = "curricula/plans/sxufe/120203K-2017.yaml"


def accounting(exam_number, *, drop=(), substitution=None, english_passed=False):
    body = copy.deepcopy(example("accounting-english-substitution"))
    body["candidate"]["exam_number"] = exam_number
    body["transcript"] = [r for r in body["transcript"] if r["code"] not in drop]
    if english_passed:
        body["transcript"] = [r if r["code"] != "00015" else {**r, "score": "75"} for r in body["transcript"]]
    if substitution is not None:
        body["substitution"] = substitution
    return body


def marketing(exam_number, name):
    body = copy.deepcopy(example(name))
    body["candidate"]["exam_number"] = exam_number
    return body


# Under the shipped 2017 plan (min 67 credits) all three accounting candidates are eligible:
#   A: 英语(二) replaced by 00009 + 00058 + 00162 (16): 48 + 6 (00149) + 16 + 6 (thesis) = 76 credits
#   B: 英语(二) passed, both electives passed, the group takes 00149 (6): 62 + 6 + 6 = 74
#   C: 英语(二) passed, only 00058 for the group (5):                       62 + 5 + 6 = 73
# so raising the minimum to 75 flips B and C, and nobody else.
COHORT = {
    "010119300001": accounting("010119300001"),
    "010119300002": accounting("010119300002", english_passed=True, substitution=[]),
    "010119300003": accounting("010119300003", english_passed=True, substitution=[], drop=("00149",)),
    "010119300004": marketing("010119300004", "marketing-complete"),
    "010119300005": marketing("010119300005", "marketing-missing-00181"),
}


@pytest.fixture
def stored(app):
    """The cohort's decisions stored through the one recording path; returns the database path."""
    db = connect(app.config["DATABASE"])
    with app.app_context():
        rulebook = app.extensions["rulebook"]
        for body in COHORT.values():
            out = evaluate_and_record(db, rulebook, validated(copy.deepcopy(body)))
            assert out["decisions"][0]["status"] in ("eligible", "not_eligible")
        # a later decision of the same candidate and choice replaces the earlier one in what-if
        evaluate_and_record(db, rulebook, validated(copy.deepcopy(COHORT["010119300001"])))
    db.conn.close()
    return app.config["DATABASE"]


@pytest.fixture
def draft(tmp_path):
    tree = copy_tree(tmp_path)
    edit(tree / ACCOUNTING_2017, "min_credits: 67", "min_credits: 75")
    return tree


def digest(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def test_a_threshold_change_flips_exactly_the_expected_candidates(stored, draft, tmp_path):
    before = digest(stored)
    out_csv = tmp_path / "flips.csv"
    result = CliRunner().invoke(commands.what_if_command, [str(draft), "--db", stored, "--csv", str(out_csv)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "5 decision(s) re-evaluated: 2 flip(s) between eligible and not, 0 other status change(s), "
        "0 not decidable under the draft",
        "山西财经大学 120203K 会计学: 2 candidate(s)",
        f"  010119300002  eligible → not_eligible (unmet: credits)  [{_id(stored, '010119300002')}]",
        f"  010119300003  eligible → not_eligible (unmet: credits)  [{_id(stored, '010119300003')}]",
        f"flips written to {out_csv}",
    ]
    rows = list(csv.DictReader(out_csv.open(encoding="utf-8")))
    assert [(r["exam_number"], r["before"], r["after"], r["kind"], r["unmet"]) for r in rows] == [
        ("010119300002", "eligible", "not_eligible", "flip", "credits"),
        ("010119300003", "eligible", "not_eligible", "flip", "credits")]
    assert digest(stored) == before  # nothing stored changed


def test_lowering_the_threshold_back_flips_nobody(stored):
    result = CliRunner().invoke(commands.what_if_command, [str(ROOT), "--db", stored])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["5 decision(s) re-evaluated: 0 flip(s) between eligible and not, "
                                          "0 other status change(s), 0 not decidable under the draft"]


def test_a_cohort_file_is_compared_with_the_rules_in_force(draft, tmp_path):
    cohort = tmp_path / "cohort.jsonl"
    cohort.write_text("\n".join(json.dumps(b, ensure_ascii=False) for b in COHORT.values()), encoding="utf-8")
    result = CliRunner().invoke(commands.what_if_command, [str(draft), "--cohort", str(cohort), "--base", str(ROOT)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[2:] == [
        "  010119300002  eligible → not_eligible (unmet: credits)  [cohort[1]]",
        "  010119300003  eligible → not_eligible (unmet: credits)  [cohort[2]]"]


def test_a_removed_edition_is_reported_as_not_decidable(stored, tmp_path):
    tree = copy_tree(tmp_path)
    (tree / "curricula/plans/sxufe/630701-2021.yaml").unlink()
    result = CliRunner().invoke(commands.what_if_command, [str(tree), "--db", stored])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].endswith("2 not decidable under the draft")
    assert lines[2].startswith("  010119300004  eligible → error: no_plan_in_force: 山西财经大学 630701 市场营销（专科）没有考试计划")


def test_bad_inputs_are_refused(tmp_path, draft):
    result = CliRunner().invoke(commands.what_if_command, [str(draft), "--db", str(tmp_path / "none.sqlite3")])
    assert result.exit_code == 2 and "no database at" in result.output
    bad = tmp_path / "cohort.json"
    bad.write_text(json.dumps([{"candidate": {}}]), encoding="utf-8")
    result = CliRunner().invoke(commands.what_if_command, [str(draft), "--cohort", str(bad)])
    assert result.exit_code == 2 and f"{bad}: [0] candidate.exam_number: Missing data for required field." in result.stderr


def _id(db_path, exam_number):
    db = connect(db_path)
    try:
        return db.execute("SELECT id FROM decisions WHERE exam_number = ? ORDER BY seq DESC LIMIT 1",
                          [exam_number]).fetchone()[0]
    finally:
        db.conn.close()
