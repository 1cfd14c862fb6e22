"""Every example in openapi/yeti.yaml is valid and exercised (generated cases: tests/contract)."""
from __future__ import annotations

import copy
import json

import jsonschema_rs
import pytest
import yaml

from mockcdr import resources
from mockcdr.app import create_app
from mockcdr.settings import Settings

from yeti_helpers import ACME, BASE, JSONAPI

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
