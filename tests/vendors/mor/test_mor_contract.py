"""openapi/mor.yaml against the running app, in-process, with schemathesis (positive and negative data)."""
from __future__ import annotations

import hypothesis
import schemathesis
from hypothesis import HealthCheck
from mor_support import QUICK_START, Api, basic, make_app
from schemathesis.config import SchemathesisConfig

from mockcdr.resources import spec_path

APP = make_app()            # frozen virtual clock: the token below never expires
RT = APP.extensions["mockcdr"]
API = Api(APP.test_client(), RT, prefix="/billing/api/v2")
for _i in range(3):         # a few real tasks (ids 1-3), so generated ids sometimes hit one
    API.create(name=f"contract {_i}")

# The API validates against server state the schema cannot express (a template the caller owns,
# a user of its system, a future instant), so a schema-valid body may still be 422.
CONFIG = SchemathesisConfig.from_dict({"checks": {"positive_data_acceptance": {
    "expected-statuses": ["2xx", "400", "401", "404", "422"]}}})
schema = schemathesis.openapi.from_path(spec_path("mor"), config=CONFIG)
schema.app = APP            # every request (checks' probes too) goes to the app in-process


def _headers(case) -> dict:
    if case.operation.path == "/authentication/login":
        return basic("acme_admin")
    if case.operation.path == "/authentication/refresh":
        return {"Authorization": f"Bearer {API.tokens['refresh_token']}"}
    return API.headers


@schema.parametrize()
@hypothesis.settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck),
                     derandomize=True)
def test_contract(case):
    case.call_and_validate(headers=_headers(case))
    assert not RT.errors, RT.errors


def test_quick_start_task_survived():
    assert API.get("/automatic_cdr_exports/1").status_code in (200, 404)
    assert QUICK_START["template_id"] == 5
