"""Self-validation: responses are judged against the spec of the operation they answer."""
import json

import pytest

from mockcdr.contract import Spec, check, to_json_schema

DOC = {
    "openapi": "3.0.3", "servers": [{"url": "http://127.0.0.1:8080/api"}],
    "paths": {
        "/things/{id}": {"get": {"operationId": "getThing", "responses": {
            "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
            "404": {"description": "none"}}}},
        "/things/{id}.csv.gz": {"get": {"operationId": "getFile", "responses": {
            "200": {"description": "file", "content": {"application/octet-stream": {"schema": {"type": "string"}}}}}}},
        "/things/{id}.csv": {"get": {"operationId": "getCsv", "responses": {
            "200": {"description": "csv", "content": {"text/csv; charset=utf-8": {"schema": {"type": "string"}}}}}}},
        "/things": {"post": {"operationId": "make", "responses": {"4XX": {"$ref": "#/components/responses/Err"}}}},
    },
    "components": {
        "schemas": {"Thing": {"type": "object", "required": ["id", "note"], "additionalProperties": False,
                              "properties": {"id": {"type": "string"}, "note": {"type": "string", "nullable": True},
                                             "tags": {"type": "array", "items": {"type": "string"}, "example": ["a"]}}}},
        "responses": {"Err": {"description": "e", "content": {"application/vnd.api+json": {"schema": {
            "type": "object", "required": ["errors"]}}}}},
    },
}


def problems(method, path, status, ctype, body):
    spec = Spec(DOC)
    template, op = spec.match(method, path)
    return spec.problems(template, op, method, status, ctype, body)


def test_a_conforming_response_has_no_problems():
    assert problems("GET", "/api/things/1", 200, "application/json", b'{"id": "1", "note": null}') == []
    assert problems("GET", "/api/things/1/", 200, "application/json", b'{"id": "1", "note": "x"}') == []


def test_undocumented_status_wrong_type_and_schema_mismatch_are_found():
    assert "status 500 is not documented" in problems("GET", "/api/things/1", 500, "application/json", b"{}")[0]
    assert "content type 'text/html'" in problems("GET", "/api/things/1", 200, "text/html", b"<p>")[0]
    assert "does not match the schema" in problems("GET", "/api/things/1", 200, "application/json", b'{"id": 1, "note": null}')[0]
    assert "does not match" in problems("GET", "/api/things/1", 200, "application/json", b'{"id": "1", "note": null, "x": 1}')[0]
    assert "not the JSON" in problems("GET", "/api/things/1", 200, "application/json", b"{nope")[0]
    assert "documents no body" in problems("GET", "/api/things/1", 404, "application/json", b"{}")[0]
    assert problems("GET", "/api/things/1", 404, None, b"") == []


def test_more_literal_templates_win_and_ranges_and_refs_resolve():
    spec = Spec(DOC)
    assert spec.match("GET", "/api/things/abc.csv.gz")[0] == "/things/{id}.csv.gz"
    assert spec.match("GET", "/api/things/abc")[0] == "/things/{id}"
    assert spec.match("DELETE", "/api/things/abc") is None and spec.match("GET", "/other") is None
    assert problems("POST", "/api/things", 422, "application/vnd.api+json", b'{"errors": []}') == []
    assert problems("POST", "/api/things", 422, "application/vnd.api+json", b'{"error": 1}')
    assert problems("GET", "/api/things/a.csv.gz", 200, "application/octet-stream", None) == []
    assert problems("GET", "/api/things/a.csv", 200, "text/csv; charset=utf-8", None) == []
    assert problems("GET", "/api/things/a.csv", 200, "text/plain", None)


def test_openapi_nullable_becomes_json_schema_null():
    assert to_json_schema({"type": "string", "nullable": True, "example": "x"}, {}) == {"type": ["string", "null"]}
    assert to_json_schema({"enum": ["a"], "nullable": True}, {}) == {"enum": ["a", None]}
    assert to_json_schema({"oneOf": [{"type": "string"}], "nullable": True}, {}) == \
        {"anyOf": [{"oneOf": [{"type": "string"}]}, {"type": "null"}]}


def test_check_against_the_shipped_control_spec():
    assert check("control", "GET", "/_mockcdr/health", 200, "application/json", b'{"status": "ok"}', record=False) is None
    bad = check("control", "GET", "/_mockcdr/health", 200, "application/json", b'{"status": "fine"}', record=False)
    assert bad is not None and "health" in str(bad)
    assert check("control", "GET", "/_mockcdr/unknown", 404, "application/json", b"{}", record=False) is None
    assert check("nosuchspec", "GET", "/x", 200, None, b"", record=False) is None


def test_every_control_response_in_a_session_conforms(toy_app, toy):
    """Drive every control operation once; the autouse check fails this test on any violation."""
    from mockcdr.control_client import ControlClient
    cc = ControlClient.for_app(toy_app)
    job = toy.post("/toy/exports", json={"name": "n"}).json
    cc.health(); cc.info(); cc.get_spec("control"); cc.get_clock(); cc.advance_clock(1)
    cc.freeze_clock(); cc.unfreeze_clock(); cc.set_clock("2026-01-01T00:00:00Z")
    cc.list_transitions(); cc.set_transition("toy.export", "immediate"); cc.list_jobs(); cc.get_job(job["id"])
    cc.force_job_state(job["id"], "failed"); f = cc.add_fault("toy", "latency", latency_ms=0)
    cc.list_faults(); cc.delete_fault(f["id"]); cc.clear_faults(); cc.get_journal(); cc.clear_journal()
    cc.list_deliveries(); cc.run_deliveries(); cc.clear_deliveries(); snap = cc.get_snapshot()
    cc.restore_snapshot(snap); cc.reset(); cc.set_seed("x")
    for bad in (lambda: cc.advance_clock("x"), lambda: cc.get_job("nope"), lambda: cc.get_delivery(99),
                lambda: cc.get_delivery_file(99), lambda: cc.delete_fault(99), lambda: cc.restore_snapshot({})):
        with pytest.raises(Exception):
            bad()
    from mockcdr.contract import VIOLATIONS
    assert VIOLATIONS == []
