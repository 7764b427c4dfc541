"""schemathesis against the service's own OpenAPI document, in process through the WSGI app.

Every operation of /v1/openapi.json gets generated requests (bounded examples),
authenticated with the demo tokens; the checks: no 5xx, response bodies,
content types and headers as the document says, and status codes the document
lists (the flask-smorest ``default`` error response covers 4xx).
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from support.common import TOKENS

from service.app import create_app

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


# The document comes from an app of its own (it does not depend on data); the
# requests go to the test's app, on a temporary database with the demo tokens.
schema = schemathesis.openapi.from_wsgi("/v1/openapi.json", create_app({"DATABASE": ":memory:"}))
BOUNDED = settings(max_examples=12, deadline=None, derandomize=True,
                   suppress_health_check=list(HealthCheck))


@pytest.mark.slow
@schema.parametrize()
@BOUNDED
def test_as_province_every_operation_conforms(app, case):
    case.call_and_validate(app=app, headers={"Authorization": f"Bearer {TOKENS['province']}"}, checks=CHECKS)


@pytest.mark.slow
@schema.parametrize()
@BOUNDED
def test_as_portal_for_a_candidate_every_operation_conforms(app, case):
    case.call_and_validate(app=app, headers={"Authorization": f"Bearer {TOKENS['portal']}", "X-Candidate": "010119100001"},
                           checks=CHECKS)
