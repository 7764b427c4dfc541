"""Importing candidates: every bad row reported with its line and field, nothing half-imported."""
from __future__ import annotations

import json

import pytest
from support.candidates import MISSING, NOW, SUBSTITUTE, UNVERIFIED, count, load
from support.common import FIXTURES, example

from service.candidates import diploma
from service.candidates import records as candidates
from service.candidates.importing import CSV_COLUMNS, import_candidates, parse_file
from service.decisions.schemas import EvaluationRequestSchema, PriorDiplomaSchema
from service.errors import InvalidInput

HEADER = ",".join(CSV_COLUMNS) + "\n"
GOOD = [
    "010119300001,张三丰,140105199702111012,男,太原市小店区,13900000101,1,00009,,,72,2021-04-17,exam",
    "010119300001,张三丰,140105199702111012,男,太原市小店区,13900000101,1,00018,计算机应用基础,2,65,2021-04-17,exam",
    "010119300002,李秀英,140106199807221046,女,太原市迎泽区,13900000102,0,,,,,,",
]


@pytest.fixture
def ctx(app):
    app.config["CLOCK_NOW"] = NOW
    with app.app_context():
        yield app


def csv_text(*lines: str) -> str:
    return HEADER + "\n".join(lines) + "\n"


def problems_of(exc) -> list[tuple]:
    return [(p["line"], p["field"]) for p in exc.value.extra["problems"]]


def test_the_shipped_fixture_imports_and_a_second_import_changes_nothing(ctx, db):
    rows = parse_file((FIXTURES / "candidates.json").read_text(encoding="utf-8"))
    first = import_candidates(db, rows)
    assert (first["candidates"], first["created"], first["updated"]) == (13, 13, 0)
    events = count(db, "candidate_events")
    again = import_candidates(db, rows)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 13)
    assert count(db, "candidate_events") == events
    districts = {r[0] for r in db.execute("SELECT district FROM candidates")}
    assert {"太原市小店区", "太原市迎泽区", "晋中市榆次区", "阳泉市城区"} <= districts


def test_the_demo_candidate_matches_the_readme_example(ctx, db):
    import_candidates(db, parse_file((FIXTURES / "candidates.json").read_text(encoding="utf-8")))
    ex = example("marketing-missing-00181")
    person = candidates.get_candidate(db, MISSING)
    assert {k: person[k] for k in ex["candidate"]} == ex["candidate"]
    got = candidates.transcript(db, MISSING)
    assert [(r["code"], r["score"], r["date"], r["source"]) for r in got] == [
        (r["code"], r["score"], r["date"], r["source"]) for r in ex["transcript"]]
    # the transcript is a valid evaluation request transcript as it stands
    request = {"candidate": ex["candidate"], "choices": ex["choices"], "transcript": got, "as_of": "2025-11-20"}
    assert len(EvaluationRequestSchema().load(request)["transcript"]) == 18


def test_names_and_credits_come_from_the_catalogue(ctx, db):
    import_candidates(db, parse_file(csv_text(*GOOD)))
    [first, second] = candidates.transcript(db, "010119300001")
    assert (first["name"], first["credits"]) == ("政治经济学(财经类)", 6)
    assert (second["name"], second["credits"]) == ("计算机应用基础", 2)
    assert candidates.get_candidate(db, "010119300002")["enrolled"] is False
    assert candidates.transcript(db, "010119300002") == []


def test_every_bad_csv_row_is_reported_by_line_and_field_and_nothing_is_imported(ctx, db):
    text = csv_text(
        GOOD[0],
        "010119300003,王五,140105199702111013,男,火星区,139,1,0009,,,101,2021-04-17,exam",   # line 3
        "010119300004,赵六,140106199807221046,男,太原市迎泽区,13900000104,是,00009,,7,72,2031-04-17,exam",  # line 4
        "010119300005,钱七,140106199807221054,男,太原市迎泽区,13900000105,1,99999,,,72,2021-04-17,exam",  # line 5
        "010119300005,钱七,140106199807221054,男,太原市迎泽区,13900000105,1,00018,,,免考,2021-04-17,exam",  # line 6
        "010119300006,孙八,140106199807221062,女,太原市迎泽区,13900000106,maybe,00009,,,72,2021-04-17,bought",  # line 7
    )
    with pytest.raises(InvalidInput) as exc:
        import_candidates(db, parse_file(text))
    found = problems_of(exc)
    assert (3, "id_number") in found and (3, "district") in found and (3, "phone") in found
    assert (3, "course_code") in found and (3, "score") in found
    assert (4, "gender") in found and (4, "credits") in found and (4, "date") in found
    assert (5, "course_name") in found and (5, "credits") in found
    assert (6, "score") in found
    assert (7, "enrolled") in found and (7, "source") in found
    assert 2 not in {line for line, _ in found}
    assert set(exc.value.fields) == {"line 3", "line 4", "line 5", "line 6", "line 7"}
    assert "nothing was imported" in exc.value.message
    assert count(db, "candidates") == 0 and count(db, "candidate_courses") == 0 and count(db, "candidate_events") == 0


def test_rows_of_one_candidate_must_agree(ctx, db):
    other_district = GOOD[1].replace("太原市小店区", "太原市迎泽区")
    with pytest.raises(InvalidInput) as exc:
        parse_file(csv_text(GOOD[0], other_district))
    assert problems_of(exc) == [(3, "district")]


def test_the_csv_header_must_be_the_documented_one(ctx, db):
    with pytest.raises(InvalidInput) as exc:
        parse_file("exam_number,name,nickname\n010119300001,张三丰,x\n")
    [messages] = exc.value.fields["line 1"].values()
    assert any("missing column(s)" in m for m in messages) and any("nickname" in m for m in messages)


def test_json_problems_name_the_line_of_the_field(ctx, db):
    text = (FIXTURES / "candidates.json").read_text(encoding="utf-8")
    lines = text.splitlines()
    target = next(i for i, line in enumerate(lines) if '"code": "00043", "score": "68"' in line)
    lines[target] = lines[target].replace('"score": "68"', '"score": "68分"')
    phone = next(i for i, line in enumerate(lines) if '"phone": "13900000003"' in line)
    lines[phone] = lines[phone].replace("13900000003", "12345")
    with pytest.raises(InvalidInput) as exc:
        import_candidates(db, parse_file("\n".join(lines)))
    assert problems_of(exc) == sorted([(phone + 1, "phone"), (target + 1, "courses.5.score")])
    assert count(db, "candidates") == 0


def test_a_json_key_given_twice_is_refused(ctx, db):
    text = json.dumps([{"exam_number": "010119300001", "name": "张三丰", "id_number": "140105199702111012",
                        "gender": "男", "district": "太原市小店区", "phone": "13900000101", "enrolled": True}],
                      ensure_ascii=False, indent=1)
    text = text.replace('"phone": "13900000101",', '"phone": "13900000101",\n  "phone": "13900000102",')
    with pytest.raises(InvalidInput) as exc:
        import_candidates(db, parse_file(text))
    assert problems_of(exc) == [(9, "phone")]  # the second one


@pytest.mark.parametrize("text, where", [("", "file"), ("[{\"exam_number\": ", "line 1"),
                                         ("{\"people\": []}", "line 1")])
def test_unreadable_files_are_422(ctx, db, text, where):
    with pytest.raises(InvalidInput) as exc:
        parse_file(text)
    assert where in exc.value.fields


def test_duplicates_within_the_file_and_against_stored_records(ctx, db):
    import_candidates(db, parse_file(csv_text(*GOOD)))
    same_person_new_number = GOOD[2].replace("010119300002", "010119300009")
    twice = GOOD[0].replace("00009,,,72", "00020,,,61")
    with pytest.raises(InvalidInput) as exc:
        import_candidates(db, parse_file(csv_text(same_person_new_number, "010119300002" + GOOD[2][12:])))
    found = problems_of(exc)
    assert (2, "id_number") in found  # already 准考证号 010119300002, and again in the file
    with pytest.raises(InvalidInput) as exc:
        import_candidates(db, parse_file(csv_text(GOOD[0], twice, GOOD[0])))
    assert (4, "course_code") in problems_of(exc)  # the same result twice


def test_a_verified_identity_is_not_changed_by_an_import(app, db):
    load(app)
    import_candidates_again = (FIXTURES / "candidates.json").read_text(encoding="utf-8").replace(
        '"name": "张晓梅"', '"name": "张小梅"').replace('"phone": "13900000009"', '"phone": "13900000099"')
    with app.app_context():
        with pytest.raises(InvalidInput) as exc:
            import_candidates(db, parse_file(import_candidates_again))
        assert [f for _, f in problems_of(exc)] == ["name"]
        # an unverified candidate's details may change
        ok = import_candidates_again.replace('"name": "张小梅"', '"name": "张晓梅"')
        assert import_candidates(db, parse_file(ok))["updated"] == 1
        assert candidates.get_candidate(db, "010119100009")["phone"] == "13900000099"


def test_an_identity_under_manual_review_is_not_changed_by_an_import(app, db):
    load(app)
    with app.app_context():
        db.execute("UPDATE candidates SET identity_status = 'manual_review' WHERE exam_number = ?", [UNVERIFIED])
        renamed = (FIXTURES / "candidates.json").read_text(encoding="utf-8").replace(
            '"name": "周八"', '"name": "周捌"')
        with pytest.raises(InvalidInput) as exc:
            import_candidates(db, parse_file(renamed))
        assert [f for _, f in problems_of(exc)] == ["name"]
        assert "reviewing" in json.dumps(exc.value.fields, ensure_ascii=False)
        assert candidates.get_candidate(db, UNVERIFIED)["name"] == "周八"


def test_plain_dicts_are_reported_by_row(ctx, db):
    with pytest.raises(InvalidInput) as exc:
        import_candidates(db, [{"exam_number": "1"}])
    fields = {p["field"] for p in exc.value.extra["problems"]}
    assert "row 1: exam_number" in fields and "row 1: district" in fields


def test_prior_diploma_and_transcript_have_the_evaluation_shapes(app, db):
    load(app)
    with app.app_context():
        record = diploma.prior_diploma_for(db, SUBSTITUTE)
        assert PriorDiplomaSchema().load(record) == {**example("accounting-english-substitution")["prior_diploma"]}
        assert diploma.prior_diploma_for(db, MISSING) is None
        assert diploma.prior_diploma_for(db, "010119200008") is None  # 学信网 has nothing for 郑十


def test_the_cli_prints_each_problem_with_file_and_line(app, tmp_path):
    app.config["CLOCK_NOW"] = NOW
    bad = tmp_path / "bad.csv"
    bad.write_text(csv_text(GOOD[0], GOOD[1].replace("65,", "abc,")), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["candidates", "import", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:3: score: " in result.output
    good = tmp_path / "good.csv"
    good.write_text(csv_text(*GOOD), encoding="utf-8-sig")  # Excel's UTF-8 with a byte-order mark
    result = app.test_cli_runner().invoke(args=["candidates", "import", str(good)])
    assert result.exit_code == 0 and "2 candidate(s) — 2 new" in result.output


def test_demo_load_is_idempotent(app, db):
    runner = app.test_cli_runner()
    app.config["CLOCK_NOW"] = NOW
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "13 new" in first.output and "online_passed 10" in first.output and "manual_review 1" in first.output
    events = count(db, "candidate_events")
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0 and "0 new, 0 updated" in second.output
    assert count(db, "candidate_events") == events
