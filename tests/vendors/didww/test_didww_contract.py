"""openapi/didww.yaml against the in-process app with schemathesis, and the spec's examples."""
from __future__ import annotations

import copy

import hypothesis
import jsonschema_rs
import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck
from schemathesis.config import SchemathesisConfig

from mockcdr.app import create_app
from mockcdr.resources import spec_path
from mockcdr.settings import Settings

SPEC = yaml.safe_load(spec_path("didww").read_text(encoding="utf-8"))
APP = create_app(Settings(vendors=("didww",), seed="contract", clock_start="2026-04-20T12:00:00Z",
                          clock_frozen=True))
RT = APP.extensions["mockcdr"]
RT.lifecycle.set_policy("didww.export", {"mode": "immediate"})
HEADERS = {"Api-Key": RT.state["didww"].by_name["globex"].api_key}
_client = APP.test_client()
for _ref in ("seed-1", "seed-2"):    # a few real exports for the list to show
    _client.post("/v3/exports", headers={**HEADERS, "Content-Type": "application/vnd.api+json"}, json={
        "data": {"type": "exports", "attributes": {"export_type": "cdr_in", "external_reference_id": _ref,
                                                   "filters": {"from": "2026-04-01", "to": "2026-04-02"}}}})

def make_schema(customer: str):
    """The spec, sent to the in-process app with ``customer``'s Api-Key (schemathesis also probes
    without it). A schema-valid request may still break rules the schema cannot express: a window
    relative to the virtual clock (422), a body id that must equal the URL's (400), an id that
    does not exist (404), filters of the other API version (422), PATCH under a legacy version
    (405). Unknown query parameters are ignored, as Rails does, so none are generated."""
    config = SchemathesisConfig.from_dict({
        "auth": {"openapi": {"api_key": {"api_key": RT.state["didww"].by_name[customer].api_key}}},
        "generation": {"allow-extra-parameters": False},
        "checks": {"positive_data_acceptance": {
            "expected-statuses": ["2xx", "400", "401", "404", "405", "422"]}}})
    loaded = schemathesis.openapi.from_path(spec_path("didww"), config=config)
    loaded.app = APP    # every request, the checks' probes included, goes to the WSGI app
    return loaded


schema = make_schema("globex")          # default version 2026-04-16
legacy_schema = make_schema("acme")     # default version 2022-05-10


@schema.parametrize()
@hypothesis.settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_contract(case):
    case.call_and_validate()
    assert not RT.errors, RT.errors


@legacy_schema.parametrize()
@hypothesis.settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_contract_legacy_customer(case):
    case.call_and_validate()
    assert not RT.errors, RT.errors


# -- the spec's examples ---------------------------------------------------------------------------
def _resolve(node):
    """An OpenAPI 3.0 schema as plain JSON Schema: $refs inlined, ``nullable`` as a null type."""
    if isinstance(node, list):
        return [_resolve(n) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = SPEC
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        return _resolve(copy.deepcopy(target))
    out = {k: _resolve(v) for k, v in node.items() if k not in ("nullable", "example", "description")}
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = out["enum"] + [None]
    return out


def _examples():
    """Every response example in the spec, with the schema it documents."""
    for item in SPEC["paths"].values():
        for method, op in item.items():
            if method == "parameters":
                continue
            for status, raw in op["responses"].items():
                if "$ref" in raw:
                    raw = SPEC["components"]["responses"][raw["$ref"].rsplit("/", 1)[1]]
                for media in (raw.get("content") or {}).values():
                    if "example" in media:
                        yield pytest.param(media["schema"], media["example"], id=f"{op['operationId']}-{status}")


@pytest.mark.parametrize("schema_node,example", list(_examples()))
def test_response_examples_match_their_schema(schema_node, example):
    jsonschema_rs.validator_for(_resolve(schema_node)).validate(example)


def test_request_example_is_accepted():
    content = SPEC["paths"]["/v3/exports"]["post"]["requestBody"]["content"]["application/vnd.api+json"]
    resp = APP.test_client().post("/v3/exports", json=content["example"], headers={
        **HEADERS, "Content-Type": "application/vnd.api+json"})
    assert resp.status_code == 201, resp.json
    jsonschema_rs.validator_for(_resolve(content["schema"])).validate(content["example"])
    assert resp.json["data"]["attributes"]["filters"] == content["example"]["data"]["attributes"]["filters"]


def test_error_examples_are_what_the_server_says():
    client = APP.test_client()
    unauthorized = SPEC["components"]["responses"]["Unauthorized"]["content"]["application/vnd.api+json"]
    assert client.get("/v3/exports").json == unauthorized["example"]
    missing = SPEC["components"]["responses"]["NotFound"]["content"]["application/vnd.api+json"]
    assert client.get("/v3/exports/21e02b15-806d-44b3-b67f-434ea6c44f61", headers=HEADERS).json == \
        missing["example"]
