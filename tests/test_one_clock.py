"""One clock: every "today" of a decision or a validation is the service clock's (Asia/Shanghai, moved by
SXZK_NOW or the app's CLOCK_NOW), never the host's date."""
from __future__ import annotations

import datetime as dt

import pytest
from marshmallow import ValidationError
from support.common import auth_headers, example

from service import clock
from service.decisions.schemas import RecordSchema
from service.idnumber import check_digit
from service.store import decision_log
from service.web.schemas import CandidateSchema, id_number

# evaluations by provincial staff: the portal and county staff evaluate registered candidates only (none here)
STAFF = auth_headers("province")


@pytest.fixture(autouse=True)
def real_clock(monkeypatch):
    monkeypatch.delenv(clock.ENV_KEY, raising=False)


def undated_substitution():
    """The README's English (II) example without its as_of: the 2017 plan is in force until 2025-12-31."""
    body = example("accounting-english-substitution")
    del body["as_of"]
    return body


def decide(client, body):
    resp = client.post("/v1/evaluations", json=body, headers=STAFF)
    assert resp.status_code == 201, resp.json
    return resp.json["decisions"][0]


@pytest.mark.parametrize("moved_by", ["environment", "config"])
def test_an_undated_evaluation_is_dated_by_the_moved_clock_and_decided_under_that_days_plan(
        app, client, monkeypatch, moved_by):
    def move(to):
        if moved_by == "environment":
            monkeypatch.setenv(clock.ENV_KEY, to)
        else:
            app.config[clock.CONFIG_KEY] = to

    move("2025-11-20T10:00:00")
    d = decide(client, undated_substitution())
    assert (d["as_of"], d["edition"], d["status"]) == ("2025-11-20", "2017", "eligible")
    english = next(r for r in d["requirements"] if r["id"] == "course:00015")
    assert english["status"] == "met" and english["counted"][0]["via"].startswith("substitution:")

    move("2026-11-20T10:00:00")  # the 2017 plan has ended: the 2024 edition decides
    d = decide(client, undated_substitution())
    assert (d["as_of"], d["edition"]) == ("2026-11-20", "2024")


def test_late_evening_utc_is_already_the_next_day_in_beijing(app, client, db, monkeypatch):
    monkeypatch.setattr(clock, "host_now", lambda: dt.datetime(2026, 12, 1, 23, 30, tzinfo=dt.UTC))
    d = decide(client, undated_substitution())
    assert d["as_of"] == "2026-12-02"
    # the row is stamped by the same clock, in UTC as every row before it; a Beijing day finds it
    assert decision_log.get(db, d["id"])["created_at"] == "2026-12-01T23:30:00.000000+00:00"
    assert decision_log.count(db, since="2026-12-02", until="2026-12-03") == 1
    assert decision_log.count(db, since="2026-12-01", until="2026-12-02") == 0
    assert decision_log.count(db, since="2026-12-02T07:30:00+08:00", until="2026-12-02T07:31:00+08:00") == 1


def test_a_record_dated_after_the_clocks_today_is_refused(app, client):
    app.config[clock.CONFIG_KEY] = "2025-11-20T10:00:00"
    body = undated_substitution()
    body["transcript"][0]["date"] = "2025-11-21"
    resp = client.post("/v1/evaluations", json=body, headers=STAFF)
    assert resp.status_code == 422
    assert resp.json["fields"]["transcript"]["0"]["date"] == ["date is in the future"]
    body["transcript"][0]["date"] = "2025-11-20"
    assert client.post("/v1/evaluations", json=body, headers=STAFF).status_code == 201


def person(born: str) -> dict:
    first17 = f"140105{born.replace('-', '')}123"
    return {"exam_number": "010119200002", "name": "李建国", "id_number": first17 + check_digit(first17), "gender": "男"}


@pytest.mark.parametrize(("now", "after", "before"), [
    ("2030-06-01T10:00:00", "2030-06-02", "2030-05-31"),  # a clock ahead of the host's accepts 2030 births
    ("2020-06-01T10:00:00", "2020-06-02", "2020-05-31"),  # a clock behind it refuses 2021 ones
])
def test_birth_dates_and_record_dates_are_checked_against_the_clock(now, after, before):
    with clock.using(clock.Clock({clock.CONFIG_KEY: now})):
        assert CandidateSchema().validate(person(before)) == {}
        assert CandidateSchema().validate(person(after)) == {
            "id_number": ["birth date in the ID number is out of range"]}
        with pytest.raises(ValidationError):
            id_number(person(after)["id_number"])
        record = {"code": "00009", "score": "80"}
        assert RecordSchema().validate({**record, "date": before}) == {}
        assert RecordSchema().validate({**record, "date": after}) == {"date": ["date is in the future"]}
