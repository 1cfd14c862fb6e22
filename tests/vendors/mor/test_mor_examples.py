"""Every example in openapi/mor.yaml matches its schema and is really sent or answered by the app."""
from __future__ import annotations

import copy

import jsonschema_rs
import pytest
import yaml
from mor_support import QUICK_START, Api

from mockcdr.resources import spec_path

SPEC = yaml.safe_load(spec_path("mor").read_text(encoding="utf-8"))


def _resolve(node):
    """$refs inlined and OpenAPI 3.0 ``nullable`` turned into JSON Schema, for jsonschema_rs."""
    if isinstance(node, list):
        return [_resolve(n) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = SPEC
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        return _resolve(target)
    out = {k: _resolve(v) for k, v in node.items() if k not in ("nullable", "example", "examples")}
    if node.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


def _media_examples():
    """(where, schema, example value) for every example under a media type."""
    found = []

    def walk(node, where):
        if isinstance(node, dict):
            if "schema" in node and ("example" in node or "examples" in node):
                if "example" in node:
                    found.append((where, node["schema"], node["example"]))
                for name, ex in (node.get("examples") or {}).items():
                    found.append((f"{where}#{name}", node["schema"], ex["value"]))
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}/{i}")
    walk(SPEC, "")
    return found


EXAMPLES = _media_examples()


def test_every_example_is_exercised_below():
    assert sorted(w for w, _s, _e in EXAMPLES) == sorted([
        # test_request_example_is_accepted_and_answers_the_response_example
        "/paths//automatic_cdr_exports/post/requestBody/content/application/json#quickStart",
        "/paths//automatic_cdr_exports/post/responses/201/content/application/json",
        # test_validation_example_is_what_the_app_says
        "/paths//automatic_cdr_exports/post/responses/422/content/application/json",
        # test_unauthorized_examples_are_what_the_app_says
        "/components/responses/Unauthorized/content/application/json#role",
        "/components/responses/Unauthorized/content/application/json#acl",
        # test_not_found_example_is_what_the_app_says
        "/components/responses/NotFound/content/application/json",
    ])


@pytest.mark.parametrize("where,schema,example", EXAMPLES, ids=[w for w, _s, _e in EXAMPLES])
def test_example_matches_its_schema(where, schema, example):
    validator = jsonschema_rs.validator_for(_resolve(copy.deepcopy(schema)))
    errors = [e.message for e in validator.iter_errors(example)]
    assert errors == [], (where, errors)


def _example(suffix: str):
    (value,) = [e for w, _s, e in EXAMPLES if w.endswith(suffix)]
    return value


def test_request_example_is_accepted_and_answers_the_response_example(api):
    request = _example("#quickStart")
    assert request == QUICK_START
    resp = api.post("/automatic_cdr_exports", json=request)
    assert resp.status_code == 201
    created = resp.get_json()["automatic_cdr_export"]
    documented = _example("/responses/201/content/application/json")["automatic_cdr_export"]
    assert {k: created[k] for k in documented if k != "id"} == {k: v for k, v in documented.items() if k != "id"}


def test_validation_example_is_what_the_app_says(api):
    body = {k: v for k, v in QUICK_START.items() if k != "template_id"}
    resp = api.post("/automatic_cdr_exports", json=body)
    assert resp.status_code == 422
    assert resp.get_json() == _example("/responses/422/content/application/json")


def test_not_found_example_is_what_the_app_says(api):
    resp = api.get("/automatic_cdr_exports/4242")
    assert resp.status_code == 404 and resp.get_json() == _example("NotFound/content/application/json")


def test_unauthorized_examples_are_what_the_app_says(client, rt):
    accountant = Api(client, rt, "acme_accountant")
    resp = accountant.get("/automatic_cdr_exports")
    assert resp.status_code == 401 and resp.get_json() == _example("#role")
    auditor = Api(client, rt, "acme_auditor")
    resp = auditor.post("/automatic_cdr_exports", json=QUICK_START)
    assert resp.status_code == 401 and resp.get_json() == _example("#acl")
