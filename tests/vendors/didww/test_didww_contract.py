"""The examples in openapi/didww.yaml are valid and are what the server says (generated cases: tests/contract)."""
from __future__ import annotations

import copy

import jsonschema_rs
import pytest
import yaml

from mockcdr.app import create_app
from mockcdr.resources import spec_path
from mockcdr.settings import Settings

SPEC = yaml.safe_load(spec_path("didww").read_text(encoding="utf-8"))
APP = create_app(Settings(vendors=("didww",), seed="contract", clock_start="2026-04-20T12:00:00Z",
                          clock_frozen=True))
RT = APP.extensions["mockcdr"]
RT.lifecycle.set_policy("didww.export", {"mode": "immediate"})
HEADERS = {"Api-Key": RT.state["didww"].by_name["globex"].api_key}


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
