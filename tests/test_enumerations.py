"""The value lists a portal offers, served from where the service keeps them and named by the fields taking them."""
from __future__ import annotations

from support.common import auth_headers

from service.forms import lists

PORTAL = auth_headers("portal", "010119100001")
PROVINCE = auth_headers("province")


def get(client, path, headers=PORTAL):
    resp = client.get(path, headers=headers)
    assert resp.status_code == 200, resp.json
    return resp.json


def test_the_index_names_every_list_with_its_size(client):
    index = get(client, "/v1/enumerations")
    assert index["total"] == len(index["items"])
    for ref in index["items"]:
        one = get(client, ref["href"])
        assert one["name"] == ref["name"] and one["total"] == ref["total"] == len(one["items"]) > 0


def test_ethnicities_are_the_56_in_code_order(client):
    body = get(client, "/v1/enumerations/ethnicities")
    assert body["total"] == 56
    assert body["items"][0] == {"value": "汉族", "code": "01"} and body["items"][-1] == {"value": "基诺族", "code": "56"}
    assert [i["value"] for i in body["items"]] == list(lists.ETHNICITIES)


def test_political_statuses_and_transfer_lists(client):
    political = get(client, "/v1/enumerations/political_statuses")
    assert [i["code"] for i in political["items"]] == [f"{n:02d}" for n in range(1, 14)]
    provinces = [i["value"] for i in get(client, "/v1/enumerations/transfer_provinces")["items"]]
    assert "江苏省" in provinces and "山西省" not in provinces and len(provinces) == 30
    reasons = get(client, "/v1/enumerations/transfer_reasons")["items"]
    assert {"value": "其他", "note_required": True} in reasons


def test_districts_are_the_districts_list(client):
    served = get(client, "/v1/enumerations/districts")["items"]
    listed = [{"value": d["name"], "code": d["code"], "city": c["city"], "short": d["short"]}
              for c in get(client, "/v1/districts") for d in c["districts"]]
    assert served == listed
    cities = [i["value"] for i in get(client, "/v1/enumerations/cities")["items"]]
    assert cities == list(dict.fromkeys(d["city"] for d in served)) and "太原市" in cities


def test_a_served_value_is_accepted_where_the_field_names_the_list(client):
    state = get(client, "/v1/enumerations/application_states")["items"][0]
    district = get(client, "/v1/enumerations/districts")["items"][0]
    resp = client.get("/v1/applications", query_string={"state": state["value"], "district": district["value"]},
                      headers=PROVINCE)
    assert resp.status_code == 200 and resp.json["total"] == 0
    assert state["label"]


def test_an_unknown_list_is_404_naming_the_lists(client):
    resp = client.get("/v1/enumerations/nations", headers=PORTAL)
    assert resp.status_code == 404 and resp.json["error"] == "not_found"
    assert "ethnicities" in resp.json["message"] and "nations" in resp.json["message"]
    zh = client.get("/v1/enumerations/nations", headers={**PORTAL, "Accept-Language": "zh"}).json
    assert zh["message"].startswith("没有列表 nations；可选：ethnicities")
    assert client.get("/v1/enumerations").status_code == 401


def _fields_naming_lists(spec) -> list[tuple[str, str]]:
    found = []

    def walk(where, node):
        if isinstance(node, dict):
            if "x-enumeration" in node:
                found.append((where, node["x-enumeration"]))
            for key, value in node.items():
                walk(f"{where}/{key}", value)
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(f"{where}/{i}", value)

    walk("", spec)
    return found


def test_every_list_a_field_names_is_served(client):
    spec = client.get("/v1/openapi.json").json
    named = _fields_naming_lists(spec)
    served = {ref["href"] for ref in get(client, "/v1/enumerations")["items"]}
    assert named and {href for _, href in named} <= served
    assert {"/v1/enumerations/ethnicities", "/v1/enumerations/political_statuses", "/v1/enumerations/districts",
            "/v1/enumerations/transfer_provinces", "/v1/enumerations/transfer_reasons"} <= {h for _, h in named}


def test_the_registration_form_body_is_documented_by_its_schema(client):
    spec = client.get("/v1/openapi.json").json
    body = spec["paths"]["/v1/applications/{app_id}/registration-form"]["put"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"]
    form = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert "candidate" not in form["properties"]  # the identity comes from the records
    assert set(form["required"]) >= {"ethnicity", "political_status", "mobile", "work_start_date", "resume"}
    assert form["properties"]["ethnicity"]["enum"] == list(lists.ETHNICITIES)
    assert form["properties"]["home_address"]["maxLength"] == 200
    assert form["properties"]["work_start_date"]["type"] == "string"
    resume = spec["components"]["schemas"][form["properties"]["resume"]["items"]["$ref"].rsplit("/", 1)[1]]
    assert set(resume["required"]) == {"from", "to", "place"}
