"""Candidate import (all or nothing, problems by line), windows, districts, fees, the identity gate."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.errors import Conflict, InvalidInput
from service.workflow import candidates, clock, diploma, districts, windows

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
HEADER = "exam_number,name,id_number,gender,district,phone,enrolled,code,course_name,credits,score,date,source\n"


def shipped():
    return json.loads((FIXTURES / "candidates.json").read_text(encoding="utf-8"))["candidates"]


def test_fixture_candidates_import(app, db):
    with app.app_context():
        result = candidates.import_candidates(db, candidates.parse_file(json.dumps(shipped())))
        assert result["candidates"] == 9 and result["courses"] > 100
        person = candidates.get_candidate(db, "010119100001")
        assert person["name"] == "张晓梅" and person["district"] == "太原市小店区"
        assert candidates.masked(person)["id_number"] == "140*************46"
        assert candidates.masked(person)["phone"] == "139****0001"
        codes = [r["code"] for r in candidates.transcript(db, "010119100001")]
        assert "00181" in codes and len(codes) == 18


def test_a_bad_csv_row_imports_nothing_and_names_its_line(app, db):
    good = "010119300003,王五,140105199702111012,男,太原市小店区,13912345678,1,00009,政治经济学(财经类),,72,2021-04-17,exam\n"
    bad = "010119300004,赵六,140106199807221047,女,火星区,139,1,0009,x,,101,2021-04-17,exam\n"
    with app.app_context(), pytest.raises(InvalidInput) as info:
        candidates.import_candidates(db, candidates.parse_file(HEADER + good + bad))
    fields = info.value.fields
    assert set(fields) == {"line 3"}
    assert set(fields["line 3"]) == {"id_number", "district", "phone", "code", "score"}
    assert db.execute("SELECT count(*) FROM candidates").fetchone()[0] == 0


def test_csv_rows_of_one_candidate_must_agree(app, db):
    a = "010119300003,王五,140105199702111012,男,太原市小店区,13912345678,1,00009,x,,72,2021-04-17,exam\n"
    b = "010119300003,王五,140105199702111012,男,太原市迎泽区,13912345678,1,00018,y,,72,2021-04-17,exam\n"
    with app.app_context(), pytest.raises(InvalidInput) as info:
        candidates.parse_file(HEADER + a + b)
    assert "line 3" in info.value.fields


def test_the_identity_gate(app, db):
    with app.app_context():
        candidates.import_candidates(db, candidates.parse_file(json.dumps(shipped())))
        with pytest.raises(Conflict) as info:
            candidates.require_identity_verified(db, "010119100009")
        assert info.value.extra["identity_status"] == "unverified"


def test_windows_open_and_closed():
    inside = clock.parse("2026-11-22T10:00:00")
    assert windows.state("毕业申请", inside)["label"] == "已开放"
    assert windows.round_key(windows.require_open("毕业申请", inside)) == "2026H2"
    shut = windows.state("实践性环节报名", inside)
    assert shut["label"] == "未开放" and shut["opens"].startswith("2027-03-01")
    with pytest.raises(Conflict, match="实践性环节报名未开放"):
        windows.require_open("实践性环节报名", inside)
    assert windows.require_open("毕业申请", clock.parse("2025-11-20T10:00:00"))["round"] == "2025H2"


def test_the_clock_can_be_pinned(app):
    app.config["CLOCK_NOW"] = "2025-11-20T10:00:00"
    with app.app_context():
        assert clock.now().isoformat() == "2025-11-20T10:00:00+08:00"


def test_districts_and_the_chsi_sandbox(app, db):
    assert districts.city_of("太原市小店区") == "太原市" and districts.is_district("阳泉市城区")
    assert not districts.is_district("小店区") and len(districts.table()) > 100
    with app.app_context():
        candidates.import_candidates(db, candidates.parse_file(json.dumps(shipped())))
        sandbox = diploma.ChsiSandbox(FIXTURES / "chsi_sandbox.json")
        person = candidates.get_candidate(db, "010119200002")
        diploma.store(db, person["exam_number"], sandbox.verify(person["id_number"], "auth"), sandbox.name)
        assert diploma.prior_diploma_for(db, "010119200002")["name"] == "李建国"
        assert diploma.prior_diploma_for(db, "010119100001") is None
