"""openapi/yeti.yaml is the contract: schemathesis in-process, and every example in it exercised."""
from __future__ import annotations

import copy
import json

import hypothesis
import jsonschema_rs
import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck
from schemathesis.specs.openapi import checks

from mockcdr import resources
from mockcdr.app import create_app
from mockcdr.settings import Settings

from yeti_helpers import ACME, ACME_PRIMARY, BASE, JSONAPI

SPEC_PATH = resources.spec_path("yeti")
SPEC = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


def _app():
    app = create_app(Settings(vendors=("yeti",), seed="contract", clock_start="2026-07-18T10:00:00Z",
                              clock_frozen=True))
    rt = app.extensions["mockcdr"]
    rt.lifecycle.set_policy("yeti.cdr_export", {"mode": "immediate"})
    client = app.test_client()
    jwt = client.post(f"{BASE}/auth", json={"auth": {"login": ACME[0], "password": ACME[1]}}).get_json()["jwt"]
    # one export to find, relate and download
    body = {"data": {"type": "cdr-exports", "attributes": {"filters": {
        "time_start_gteq": "2026-07-15", "time_start_lt": "2026-07-16"}}, "relationships": {"account": {
            "data": {"type": "accounts", "id": "45c9f55f-fe50-42d5-92c8-c9745d696cf8"}}}}}
    client.post(f"{BASE}/cdr-exports", data=json.dumps(body),
                headers={"Authorization": jwt, "Content-Type": JSONAPI})
    return app, jwt


APP, JWT = _app()
schema = schemathesis.openapi.from_path(SPEC_PATH)
schema.app = APP


@schema.auth()
class YetiJwt:
    """A valid token (the clock is frozen) for operations the spec secures."""

    def get(self, case, ctx):
        return JWT

    def set(self, case, data, ctx):
        case.headers = {**(case.headers or {}), "Authorization": data}


def _use_a_real_account(case) -> None:
    """Any UUID is schema-valid, but only the caller's own accounts can be exported."""
    try:
        identifier = case.body["data"]["relationships"]["account"]["data"]
    except (KeyError, TypeError):
        return
    if isinstance(identifier, dict) and "id" in identifier:
        identifier["id"] = ACME_PRIMARY


@schema.parametrize()
@hypothesis.settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_contract(case):
    if case.meta is not None and case.meta.generation.mode.is_positive:
        _use_a_real_account(case)
    # Excluded: unsupported_method (Rails answers unrouted methods 404, not 405) and
    # negative_data_rejection (ActiveModel casts accept far more than a schema can state: any value
    # for success_eq, "12abc" for a duration, Feb 29th; and /cdr-exports/ with an empty id is the index).
    case.call_and_validate(excluded_checks=[checks.unsupported_method, checks.negative_data_rejection])
    assert not APP.extensions["mockcdr"].errors


# -- the examples in the spec --------------------------------------------------------------------------
def _resolve(node):
    """Inline $refs and turn OpenAPI 3.0 ``nullable`` into JSON Schema."""
    if isinstance(node, dict):
        if "$ref" in node:
            target = SPEC
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            return _resolve(target)
        out = {k: _resolve(v) for k, v in node.items() if k not in ("nullable", "example", "description")}
        if node.get("nullable") and "type" in out:
            out["type"] = [out["type"], "null"]
        return out
    if isinstance(node, list):
        return [_resolve(v) for v in node]
    return node


def _examples():
    for path, item in SPEC["paths"].items():
        for method, op in item.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            for media, content in op.get("requestBody", {}).get("content", {}).items():
                if "example" in content:
                    yield pytest.param("request", path, method, media, content, id=f"{op['operationId']}-request")
            for status, response in op["responses"].items():
                if "$ref" in response:
                    continue                   # shared responses are checked once, below
                for media, content in response.get("content", {}).items():
                    if "example" in content:
                        yield pytest.param(status, path, method, media, content,
                                           id=f"{op['operationId']}-{status}")
    for name, response in SPEC["components"]["responses"].items():
        for media, content in response.get("content", {}).items():
            if "example" in content:
                yield pytest.param("component", name, None, media, content, id=f"responses.{name}")


EXAMPLES = list(_examples())


def test_the_spec_has_examples():
    assert {e.id for e in EXAMPLES} == {"createAuthToken-request", "createAuthToken-401",
                                        "createCdrExport-request", "createCdrExport-422", "responses.Unauthorized"}


@pytest.mark.parametrize("where, path, method, media, content", EXAMPLES)
def test_examples(where, path, method, media, content):
    if where != "request":
        jsonschema_rs.validator_for(_resolve(content["schema"])).validate(content["example"])
        return
    client = APP.test_client()
    headers = {"Content-Type": media}
    if path.endswith("/cdr-exports"):
        headers["Authorization"] = JWT
    r = client.open(path, method=method.upper(), data=json.dumps(content["example"]), headers=headers)
    assert r.status_code == 201, r.data
    documented = SPEC["paths"][path][method]["responses"]["201"]["content"]
    body = r.get_json()
    jsonschema_rs.validator_for(_resolve(copy.deepcopy(documented[r.mimetype]["schema"]))).validate(body)
