"""Every list answers one envelope, {total, limit, offset, items}; an unknown filter value is a 422 naming the allowed ones."""
from __future__ import annotations

import pytest
from support.applications import AUDITOR, COUNTY, ELIGIBLE, MISSING, PROVINCE, Driver, portal, prepare


@pytest.fixture
def drive(app, client):
    prepare(app)
    return Driver(client)


def test_applications_are_paged_with_the_total(drive):
    ids = [drive.create(number)["id"] for number in (ELIGIBLE, MISSING)]
    first = drive.client.get("/v1/applications?limit=1", headers=PROVINCE)
    assert first.status_code == 200
    assert {k: first.json[k] for k in ("total", "limit", "offset")} == {"total": 2, "limit": 1, "offset": 0}
    assert [a["id"] for a in first.json["items"]] == ids[:1]
    second = drive.client.get("/v1/applications?limit=1&offset=1", headers=PROVINCE).json
    assert (second["total"], second["offset"], [a["id"] for a in second["items"]]) == (2, 1, ids[1:])
    # the total counts what the caller may see, not every row
    mine = drive.client.get("/v1/applications", headers=portal(ELIGIBLE)).json
    assert (mine["total"], [a["id"] for a in mine["items"]]) == (1, ids[:1])


@pytest.mark.parametrize("path", ["/v1/applications", "/v1/transfer-outs", "/v1/candidates"])
def test_every_list_has_the_same_envelope(drive, path):
    body = drive.client.get(path, headers=PROVINCE).json
    assert set(body) == {"total", "limit", "offset", "items"} and body["limit"] == 50 and body["offset"] == 0


def test_the_orders_of_an_application_are_a_page(drive):
    app_id = drive.approved_by_system()
    drive.client.post(f"/v1/applications/{app_id}/orders", json={"provider": "alipay"}, headers=portal(ELIGIBLE))
    body = drive.client.get(f"/v1/applications/{app_id}/orders", headers=AUDITOR).json
    assert body["total"] == 1 and body["items"][0]["provider"] == "alipay"


@pytest.mark.parametrize("path, field, named", [
    ("/v1/applications?state=bogus", "state", "awaiting_county"),
    ("/v1/applications?district=太原市", "district", "太原市小店区"),
    ("/v1/transfer-outs?state=bogus", "state", "submitted"),
    ("/v1/transfer-outs?target_province=火星", "target_province", "江苏省"),
])
def test_an_unknown_filter_value_names_the_allowed_values(drive, path, field, named):
    resp = drive.client.get(path, headers={**COUNTY, "Accept-Language": "zh"})
    assert resp.status_code == 422, resp.json
    [message] = resp.json["fields"][field]
    assert message.startswith("未知的") and named in message


def test_an_unknown_filter_is_refused(drive):
    resp = drive.client.get("/v1/applications?stat=submitted", headers=PROVINCE)
    assert resp.status_code == 422 and "stat" in str(resp.json)
