"""Who viewed personal data (issue 14, "build" 5): every identity photo, graduation photo, scan and unmasked ID
number served is recorded (actor, role, time, what, whose) and readable by auditors over HTTP and with `sxzk views`."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from support.applications import AUDITOR, COUNTY, COUNTY_OTHER, MISSING, PROVINCE, Driver, portal, prepare

from service import cli
from service.store import chains, views
from service.store.db import connect


@pytest.fixture
def viewed(app, client):
    """An application awaiting the 小店区 office (photo and scan on file), then the office looks at everything."""
    prepare(app)
    app_id = Driver(client).awaiting_county(MISSING)
    assert client.get(f"/v1/candidates/{MISSING}/identity/photos/id_card", headers=COUNTY).status_code == 200
    assert client.get(f"/v1/applications/{app_id}/photo", headers=COUNTY).status_code == 200
    assert client.get(f"/v1/applications/{app_id}/old-plan-archive", headers=COUNTY).status_code == 200
    shown = client.get(f"/v1/candidates/{MISSING}", headers=PROVINCE).json
    assert "*" not in shown["id_number"]  # staff who check identities see it whole: that is a view
    return app_id


def listing(client, query: str = "", headers=AUDITOR):
    resp = client.get(f"/v1/audit/views{query}", headers=headers)
    assert resp.status_code == 200, resp.json
    return resp.json


def test_every_view_of_personal_data_is_recorded(viewed, client):
    page = listing(client)
    assert page["total"] == 4 and (page["limit"], page["offset"]) == (50, 0)
    newest_first = [(v["what"], v["role"], v["exam_number"], v["ref"]) for v in page["items"]]
    assert newest_first == [("id_number", "province", MISSING, "candidate"),
                            ("scan", "county", MISSING, str(viewed)),
                            ("graduation_photo", "county", MISSING, str(viewed)),
                            ("identity_photo", "county", MISSING, "id_card")]
    assert all(v["actor"] and v["at"].endswith("+00:00") for v in page["items"])


def test_what_is_not_shown_is_not_recorded(viewed, client):
    before = listing(client)["total"]
    assert "*" in client.get(f"/v1/candidates/{MISSING}", headers=portal(MISSING)).json["id_number"]  # masked
    assert client.get(f"/v1/applications/{viewed}/photo", headers=COUNTY_OTHER).status_code == 404  # refused
    assert listing(client)["total"] == before


def test_the_portal_viewing_its_own_photo_is_recorded_as_acting_for_the_candidate(viewed, client):
    assert client.get(f"/v1/applications/{viewed}/photo", headers=portal(MISSING)).status_code == 200
    item = listing(client, "?role=portal")["items"][0]
    assert item["what"] == "graduation_photo" and item["actor"].endswith(f"for {MISSING}")


def test_auditors_filter_and_page(viewed, client):
    assert [v["what"] for v in listing(client, "?what=scan")["items"]] == ["scan"]
    assert listing(client, f"?exam_number={MISSING}&role=county")["total"] == 3
    assert listing(client, "?exam_number=010119100003")["total"] == 0
    second = listing(client, "?limit=2&offset=2")
    assert second["total"] == 4 and [v["what"] for v in second["items"]] == ["graduation_photo", "identity_photo"]
    assert listing(client, "?since=2000-01-01&until=2000-01-02")["total"] == 0
    assert listing(client, "?since=2000-01-01")["total"] == 4


def test_the_log_is_for_auditors_and_bad_filters_are_named(viewed, client):
    assert client.get("/v1/audit/views", headers=COUNTY).status_code == 403
    resp = client.get("/v1/audit/views?what=selfie&limit=0&exam_number=110105194912310029&since=soon",
                      headers=AUDITOR)
    assert resp.status_code == 422
    assert set(resp.json["fields"]) == {"what", "limit", "exam_number", "since"}
    assert "110105194912310029" not in resp.get_data(as_text=True)  # an ID number typed in is not echoed


def test_the_log_is_append_only_and_chained(app, viewed):
    db = connect(app.config["DATABASE"])
    assert chains.verify(db, chains.BY_NAME[views.TABLE]) == {
        "ok": True, "chain": views.TABLE, "checked": 4, "head": chains.head(db, chains.BY_NAME[views.TABLE])[1]}
    with pytest.raises(Exception, match="append-only"):
        db.execute(f"DELETE FROM {views.TABLE}")
    db.conn.close()


def test_the_command_prints_the_same_log(app, viewed):
    for command in cli.all_commands():
        if command.name not in cli.main.commands:
            cli.main.add_command(command)
    out = CliRunner().invoke(cli.main, ["views", "--what", "identity_photo"],
                             env={"SXZK_DATABASE": app.config["DATABASE"]})
    assert out.exit_code == 0, out.output
    page = json.loads(out.output)
    assert page["total"] == 1 and page["items"][0]["ref"] == "id_card"
