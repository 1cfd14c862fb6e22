"""Every example in openapi/yeastar.yaml is valid and exercised (generated cases: tests/contract)."""
from __future__ import annotations

from pathlib import Path

import jsonschema_rs
import pytest
import yaml

from mockcdr.app import create_app
from mockcdr.resources import spec_path
from yeastar_helpers import yeastar_settings

SPEC = spec_path("yeastar")
app = create_app(yeastar_settings())
client = app.test_client()


def _examples(node, where=""):
    """Every (pointer, example) in the spec, with the schema it belongs to."""
    if isinstance(node, dict):
        if "example" in node and "schema" in node:
            yield where, node["example"], node["schema"]
        for key, value in node.items():
            yield from _examples(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _examples(value, f"{where}/{i}")


def _resolve(spec: dict, schema: dict) -> dict:
    """The schema with its #/components refs inlined (enough for jsonschema)."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            node = spec
            for part in schema["$ref"].lstrip("#/").split("/"):
                node = node[part]
            return _resolve(spec, node)
        return {k: _resolve(spec, v) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_resolve(spec, v) for v in schema]
    return schema


SPEC_DOC = yaml.safe_load(Path(SPEC).read_text(encoding="utf-8"))
EXAMPLES = list(_examples(SPEC_DOC["paths"], "paths")) + list(_examples(SPEC_DOC["components"], "components"))


def test_the_spec_has_examples():
    pointers = [p for p, _, _ in EXAMPLES]
    assert any("/responses/" in p for p in pointers) and any("requestBod" in p for p in pointers)


@pytest.mark.parametrize("pointer, example, schema_", EXAMPLES, ids=[p for p, _, _ in EXAMPLES])
def test_every_example_validates_against_its_schema(pointer, example, schema_):
    jsonschema_rs.validate(_resolve(SPEC_DOC, schema_), example)


def test_request_examples_succeed_as_documented():
    login_example = SPEC_DOC["components"]["requestBodies"]["Login"]["content"]["application/json"]["example"]
    resp = client.post("/api/v1.1.0/login", json=login_example)
    assert resp.json["status"] == "Success"
    token = resp.json["token"]
    random_example = (SPEC_DOC["paths"]["/api/v1.1.0/cdr/get_random"]["post"]["requestBody"]
                      ["content"]["application/json"]["example"])
    resp = client.post(f"/api/v1.1.0/cdr/get_random?token={token}", json=random_example)
    documented = (SPEC_DOC["paths"]["/api/v1.1.0/cdr/get_random"]["post"]["responses"]["200"]
                  ["content"]["application/json"]["example"])
    assert {k: v for k, v in resp.json.items() if k != "random"} == \
        {k: v for k, v in documented.items() if k != "random"}


def test_view_functions_are_the_spec_operation_ids():
    spec_ids = {op["operationId"] for item in SPEC_DOC["paths"].values() for op in item.values()
                if isinstance(op, dict) and "operationId" in op}
    views = {endpoint.split(".", 1)[1]: fn.__name__ for endpoint, fn in app.view_functions.items()
             if endpoint.startswith("yeastar.")}
    assert set(views) == spec_ids
    assert all(name == endpoint for endpoint, name in views.items())
