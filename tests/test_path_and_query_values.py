"""Path and query values that could not be served: a 404 names the id that was asked for only when it has that id's shape.

Someone who types an ID number or a phone into a path gets a 404 that does not
repeat it (error bodies end up in portal logs and screenshots).
"""
from __future__ import annotations

import pytest
from support.common import auth_headers

ID_NUMBER = "14010519900307002X"
PHONE = "13912345678"


@pytest.mark.parametrize(
    ("path", "role"),
    [
        (f"/v1/decisions/{ID_NUMBER}", "auditor"),
        (f"/v1/decisions/{PHONE}", "province"),
        (f"/v1/majors/sxufe/{ID_NUMBER}", "province"),
        (f"/v1/majors/{PHONE}/630701", "province"),
        (f"/v1/orders/{ID_NUMBER}", "province"),
    ],
)
def test_a_404_does_not_repeat_personal_data_typed_into_the_path(client, path, role):
    response = client.get(path, headers=auth_headers(role))
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert ID_NUMBER not in body and PHONE not in body
    assert response.get_json()["message"].startswith("no ")


def test_a_well_formed_id_is_still_named(client):
    response = client.get("/v1/decisions/" + "a" * 32, headers=auth_headers("auditor"))
    assert response.status_code == 404
    assert response.get_json()["message"] == "no decision " + "a" * 32
    response = client.get("/v1/majors/sxufe/999999", headers=auth_headers("province"))
    assert response.get_json()["message"] == "no major 999999 at sxufe"


def test_an_unknown_payment_provider_is_not_repeated_unless_it_is_a_name(client):
    response = client.post(f"/callbacks/payments/{ID_NUMBER}", json={})
    assert response.status_code == 404 and ID_NUMBER not in response.get_data(as_text=True)
    response = client.post("/callbacks/payments/paypal", json={})
    assert response.status_code == 404 and response.get_json()["message"] == "no payment provider paypal"


@pytest.mark.parametrize("path", ["/v1/applications", "/v1/candidates", "/v1/transfer-outs"])
def test_an_offset_beyond_sqlite_integers_is_a_422_not_a_500(client, path):
    # schemathesis found it: 31562395686226038955083563008 overflowed in the query
    response = client.get(f"{path}?offset={2**95}", headers=auth_headers("province"))
    assert response.status_code == 422
    assert response.get_json()["fields"] == {"offset": ["must be between 0 and 9223372036854775807"]}
