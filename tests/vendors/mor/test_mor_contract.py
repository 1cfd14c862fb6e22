"""openapi/mor.yaml against the running app, in-process, with schemathesis (positive and negative data)."""
from __future__ import annotations

import hypothesis
import schemathesis
from hypothesis import HealthCheck
from mor_support import PASSWORDS, Api, make_app
from schemathesis.config import SchemathesisConfig

from mockcdr.resources import spec_path

APP = make_app()            # frozen virtual clock: the token below never expires
RT = APP.extensions["mockcdr"]
API = Api(APP.test_client(), RT, prefix="/billing/api/v2")
for _i in range(3):         # a few real tasks (ids 1-3), so generated ids sometimes hit one
    API.create(name=f"contract {_i}")

# The API validates against server state the schema cannot express (a template the caller owns,
# a user of its system, a future instant), so a schema-valid body may still be 422.
CONFIG = SchemathesisConfig.from_dict({
    "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "404", "422"]}},
    # the spec's own security schemes carry the credentials: Basic for login, a live JWT elsewhere
    "auth": {"openapi": {"basicAuth": {"username": "acme_admin", "password": PASSWORDS["acme_admin"]},
                         "bearerAuth": {"bearer": API.tokens["token"]}}},
})
schema = schemathesis.openapi.from_path(spec_path("mor"), config=CONFIG)
schema.app = APP            # every request (checks' probes too) goes to the app in-process


@schema.parametrize()
@hypothesis.settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck),
                     derandomize=True)
def test_contract(case):
    case.call_and_validate()
    assert not RT.errors, RT.errors
