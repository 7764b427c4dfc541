"""What a city office (市招办) may see and do: transfer-outs of its city's districts, nothing of graduation.

Seed 000 (五.2) sends the transfer-out applicant "至所属地市进行现场确认"; seed 002 sends
every step of the graduation application (photo review, old-plan cards, the 登记表)
to the 县（市、区）自考部门, the district office, never to the 地市.  So a city
credential reads reference data and its city's transfer-outs, confirms them on site,
and is refused (403) everything about applications, candidates, payments and forms,
even for a candidate of one of its own districts.
"""
from __future__ import annotations

import pytest
from support.applications import ELIGIBLE, Driver, prepare
from support.common import auth_headers

from service.web import auth

CITY = auth_headers("city")  # 太原市招办; ELIGIBLE applies in 太原市小店区, one of its districts

# the calls a city credential may make besides reference data every role reads
CITY_CALLS = {
    ("transfer_outs.transfer_rules", "GET"), ("transfer_outs.state_table", "GET"),
    ("transfer_outs.list_transfer_outs", "GET"), ("transfer_outs.get_transfer_out", "GET"),
    ("transfer_outs.history", "GET"), ("transfer_outs.confirm", "POST"),
}


def roles_of(view) -> set[str] | None:
    """The roles ``auth.require`` lets through to ``view`` (None: any authenticated caller)."""
    f = view
    while f is not None:
        code = getattr(f, "__code__", None)
        if code is not None and code.co_name == "inner" and code.co_filename.endswith("service/web/auth.py"):
            return set(dict(zip(code.co_freevars, f.__closure__, strict=True))["roles"].cell_contents)
        f = getattr(f, "__wrapped__", None)
    return None


def test_the_only_calls_naming_the_city_role_are_the_transfer_outs(app):
    named = set()
    for rule in app.url_map.iter_rules():
        roles = roles_of(app.view_functions[rule.endpoint])
        if roles is not None and "city" in roles and roles != set(auth.ROLES):
            named |= {(rule.endpoint, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert named == CITY_CALLS
    # what any caller may read is reference data, with nothing about a person in it
    open_to_all = sorted(rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/v1/")
                         and roles_of(app.view_functions[rule.endpoint]) in (None, set(auth.ROLES)))
    assert all(not any(word in path for word in ("application", "candidate", "order", "refund", "form", "decision",
                                                 "evaluation", "photo", "transfer-outs"))
               for path in open_to_all), open_to_all


@pytest.fixture
def drive(app, client):
    prepare(app)
    return Driver(client)


def test_a_city_office_sees_nothing_of_an_application_of_its_own_city(drive):
    app_id = drive.approved_by_system()
    order = drive.client.post(f"/v1/applications/{app_id}/orders", json={"provider": "alipay"},
                              headers=auth_headers("portal", ELIGIBLE)).json
    reads = ["/v1/applications", f"/v1/applications/{app_id}", f"/v1/applications/{app_id}/history",
             f"/v1/applications/{app_id}/photo", f"/v1/applications/{app_id}/orders", "/v1/application-states",
             f"/v1/applications/{app_id}/registration-form", f"/v1/orders/{order['id']}", "/v1/payment-refunds",
             "/v1/candidates", f"/v1/candidates/{ELIGIBLE}", f"/v1/candidates/{ELIGIBLE}/courses"]
    answers = {url: drive.client.get(url, headers=CITY).status_code for url in reads}
    assert set(answers.values()) == {403}, answers
    acts = [(f"/v1/applications/{app_id}/decision", {"decision": "approve"}),
            (f"/v1/applications/{app_id}/photo-review", {"decision": "approve"}),
            (f"/v1/orders/{order['id']}/cancel", None)]
    for url, body in acts:
        resp = drive.client.post(url, json=body, headers=CITY)
        assert resp.status_code == 403 and resp.json["message"] == "role city may not do this", (url, resp.json)
    # nothing changed
    assert drive.state(app_id) == "system_approved"


def test_the_application_state_table_gives_the_city_office_no_step(drive):
    table = drive.client.get("/v1/application-states", headers=auth_headers("province")).json
    assert table["transitions"] and all("city" not in t["roles"] for t in table["transitions"])
