"""The examples in openapi/telnyx.yaml are real: they succeed, download, and match (generated cases: tests/contract)."""
from __future__ import annotations

import jsonschema_rs
import pytest
import schemathesis
import yaml

from mockcdr.app import create_app
from mockcdr.resources import spec_path
from mockcdr.settings import Settings

SPEC = spec_path("telnyx")
KEY = "KEYFAKEACME00000000000000000001_FakeSecretAcme0001"
BEARER = {"Authorization": f"Bearer {KEY}"}
# The spec's request examples use these days: the clock stands just after them.
CLOCK = "2024-02-12T20:00:00Z"


def make_app():
    app = create_app(Settings(vendors=("telnyx",), seed="contract", clock_start=CLOCK, clock_frozen=True))
    app.extensions["mockcdr"].lifecycle.set_policy("telnyx.cdr_request", {"mode": "immediate"})
    return app


schema = schemathesis.openapi.from_path(SPEC)   # its operations validate the examples' responses


def _spec() -> dict:
    return yaml.safe_load(SPEC.read_text())


def _request_examples():
    for path, item in _spec()["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and "requestBody" in op:
                for media in op["requestBody"]["content"].values():
                    if "example" in media:
                        yield pytest.param(path, method, media["example"], id=op["operationId"])


@pytest.mark.parametrize("path, method, example", list(_request_examples()))
def test_request_examples_succeed_and_their_reports_download(path, method, example):
    app = make_app()
    client = app.test_client()
    resp = client.open(path, method=method.upper(), json=example, headers=BEARER)
    assert resp.status_code == 200, resp.get_json()
    job = resp.get_json().get("data") or resp.get_json()
    assert job["status"] == 2
    op = schema[path][method.upper()]
    op.validate_response(resp)
    url = job["report_url"]
    token, filename = url.rsplit("/", 2)[1:]
    download = schema["/reporting/cdr_reports/{token}/{filename}"]["GET"].Case(
        path_parameters={"token": token, "filename": filename})
    got = download.call_and_validate(app=app)
    assert got.status_code == 200 and got.text.count("\n") > 1


def _response_examples():
    spec = _spec()
    for name, response in spec["components"]["responses"].items():
        for media in response.get("content", {}).values():
            if "example" in media:
                yield pytest.param(media["schema"], media["example"], id=name)
    for path, item in spec["paths"].items():
        for op in (o for o in item.values() if isinstance(o, dict) and "responses" in o):
            for status, response in op["responses"].items():
                for media in response.get("content", {}).values():
                    if "example" in media:
                        yield pytest.param(media["schema"], media["example"], id=f"{op['operationId']}-{status}")


@pytest.mark.parametrize("schema_, example", list(_response_examples()))
def test_response_examples_match_their_schema(schema_, example):
    validator = jsonschema_rs.validator_for({**schema_, "components": _spec()["components"]})
    validator.validate(example)


def test_real_401_matches_the_example():
    (example,) = [e.values[1] for e in _response_examples() if e.id == "Unauthorized"]
    resp = make_app().test_client().get("/reporting/cdr_requests")
    assert resp.status_code == 401 and resp.get_json() == example


def test_spec_field_names_are_the_report_columns():
    from mockcdr.vendors.telnyx.formats import COLUMNS

    fields = _spec()["components"]["schemas"]["V2CreateRequest"]["properties"]["fields"]
    assert tuple(fields["items"]["enum"]) == COLUMNS
