"""API coverage of Telnyx: V1 and V2 operations counted apart, Telnyx codes under the 400s, zero rows."""
from __future__ import annotations

from datetime import timedelta

import pytest

from coverage_support import coverage, declared, hit_map, hits, operation
from mockcdr.control_client import ControlClient
from mockcdr.vendors.telnyx import VENDOR

V1 = "/reporting/cdr_requests"
V2 = "/v2/legacy/reporting/batch_detail_records/voice"


def test_v1_and_v2_flows_are_counted_per_operation(app, api):
    job = api.created()
    report_url = api.complete(job)["report_url"]
    assert api.download(report_url).status_code == 200
    assert api.client.get(f"{V2}/{job['id']}", headers=api.bearer()).status_code == 200
    assert api.client.get(V2, headers=api.bearer()).status_code == 200
    assert api.client.get(V1, headers={"x-api-user": "nobody", "x-api-token": "x"}).status_code == 401
    assert api.show("no-such-request").status_code == 404
    assert api.client.delete(f"{V1}/{job['id']}", headers=api.v1_headers()).status_code == 200

    doc = coverage(app, "telnyx")
    assert hit_map(doc, "telnyx") == {
        ("addCdrRequest", "200"): 1, ("getCdrRequest", "200"): 1, ("getCdrRequest", "404"): 1,
        ("downloadCdrReport", "200"): 1, ("getVoiceReport", "200"): 1, ("listVoiceReports", "200"): 1,
        ("findCdrRequests", "401"): 1, ("deleteCdrRequest", "200"): 1}
    assert operation(doc, "telnyx", "createVoiceReport")["hits"] == 0
    assert hits(doc, "telnyx", "addCdrRequest", 400, "10004") == 0
    assert doc["vendors"][0]["totals"]["operations_hit"] == 7
    assert doc["vendors"][0]["totals"]["responses"] == 32


RECIPES = {
    "10004": ("addCdrRequest", lambda api: api.client.post(V1, json={"call_types": [1]}, headers=api.v1_headers())),
    "10015": ("findCdrRequests", lambda api: api.client.get(f"{V1}?per_page=0", headers=api.v1_headers())),
}


def test_every_declared_code_has_a_recipe():
    assert {(400, kind) for kind in RECIPES} == declared(VENDOR)


@pytest.mark.parametrize("kind", sorted(RECIPES))
def test_each_declared_code_is_counted_under_its_operation(app, api, kind):
    name, send = RECIPES[kind]
    resp = send(api)
    assert resp.status_code == 400 and {e["code"] for e in resp.get_json()["errors"]} == {kind}
    assert hit_map(coverage(app, "telnyx"), "telnyx") == {(name, "400"): 1, (name, "400", kind): 1}


def test_one_answer_with_both_codes_counts_once_under_each(app, api):
    """One 400 listing a missing field and a broken rule is one response of each kind."""
    body = {"end_time": (api.rt.clock.now() + timedelta(days=3)).isoformat(), "call_types": [1]}
    resp = api.client.post(V2, json=body, headers=api.bearer())
    assert resp.status_code == 400
    assert sorted(e["code"] for e in resp.get_json()["errors"]) == ["10004", "10015"]
    assert hit_map(coverage(app, "telnyx"), "telnyx") == {
        ("createVoiceReport", "400"): 1, ("createVoiceReport", "400", "10004"): 1,
        ("createVoiceReport", "400", "10015"): 1}


def test_a_rate_limit_fault_is_not_a_documented_response(app, api):
    ControlClient.for_app(app).add_fault("telnyx", "rate_limit", operation="findCdrRequests", count=1)
    assert api.client.get(V1, headers=api.v1_headers()).status_code == 429
    op = operation(coverage(app, "telnyx"), "telnyx", "findCdrRequests")
    assert op["hits"] == 1 and op["faults"] == [{"fault": "rate_limit", "status": 429, "hits": 1}]
    assert all(r["hits"] == 0 for r in op["responses"]) and op["undocumented"] == []
