"""API coverage of DIDWW: exact counts per operation, response and JSON:API code; faults apart; zero rows."""
from __future__ import annotations

import pytest

from coverage_support import coverage, declared, hit_map, hits, operation
from mockcdr.control_client import ControlClient
from mockcdr.vendors.didww import VENDOR

IN_2026 = {"export_type": "cdr_in", "filters": {"from": "2026-04-01 00:00:00", "to": "2026-04-03 00:00:00"}}


def test_a_flow_is_counted_exactly_and_what_it_never_reached_shows_zero(app, api, immediate):
    control = ControlClient.for_app(app)
    export = api.create_ok(IN_2026)
    api.show(export["id"])
    url = api.show(export["id"]).json["data"]["attributes"]["url"]
    assert api.download(url).status_code == 200
    assert api.get("/v3/exports?sort=nope").status_code == 400
    control.add_fault("didww", "error", operation="getExport", status=503, count=1)
    assert api.show(export["id"]).status_code == 503

    doc = coverage(app, "didww")
    assert [v["vendor"] for v in doc["vendors"]] == ["didww"]
    assert hit_map(doc, "didww") == {
        ("createExport", "201"): 1, ("getExport", "200"): 2, ("downloadExportFile", "200"): 1,
        ("listExports", "400"): 1, ("listExports", "400", "114"): 1}
    get = operation(doc, "didww", "getExport")
    assert get["hits"] == 3                                  # the faulted poll reached it too...
    assert get["faults"] == [{"fault": "error", "status": 503, "hits": 1}]     # ...counted apart
    assert get["undocumented"] == []
    assert hits(doc, "didww", "createExport", 422) == 0
    assert hits(doc, "didww", "createExport", 400, "106") == 0
    update = operation(doc, "didww", "updateExport")
    assert update["hits"] == 0 and {r["status"] for r in update["responses"]} == {
        "200", "400", "401", "404", "405", "406", "413", "415", "422"}
    assert all(r["hits"] == 0 for r in update["responses"])
    totals = doc["vendors"][0]["totals"]
    assert totals == {"operations": 6, "operations_hit": 4, "responses": 64, "responses_hit": 4,
                      "requests": 6, "faults": 1, "undocumented": 0, "undeclared": 0, "other": 0}


def test_a_reset_and_delete_clear_it(app, api):
    control = ControlClient.for_app(app)
    api.get("/v3/exports")
    assert hits(coverage(app, "didww"), "didww", "listExports", 200) == 1
    assert control.clear_coverage() == {"cleared": 1}
    assert coverage(app)["totals"]["requests"] == 0
    api.get("/v3/exports")
    control.reset()
    assert coverage(app)["totals"]["requests"] == 0


def test_other_methods_and_unknown_paths_are_listed_apart(app, api):
    api.client.head("/v3/exports", headers=api.headers())
    api.get("/v3/nothing-here")
    api.client.delete("/v3/exports", headers=api.headers())
    vendor = coverage(app, "didww")["vendors"][0]
    assert sorted((o["method"], o["path"], o["status"], o["hits"]) for o in vendor["other"]) == [
        ("DELETE", "/v3/exports", 405, 1), ("GET", "/v3/nothing-here", 404, 1), ("HEAD", "/v3/exports", 200, 1)]
    assert vendor["totals"]["other"] == 3 and vendor["totals"]["operations_hit"] == 0


# Each JSON:API code DIDWW's 400s carry, provoked once on an operation that declares it.
def _patch(api, export_id, data, raw=None):
    if raw is not None:
        return api.client.patch(f"/v3/exports/{export_id}", data=raw, headers=api.headers())
    return api.client.patch(f"/v3/exports/{export_id}", json={"data": data}, headers=api.headers())


RECIPES = {
    "101": ("listExports", lambda api, e: api.get("/v3/exports?fields[calls]=status")),
    "102": ("listExports", lambda api, e: api.get("/v3/exports?filter[status]=pending")),
    "104": ("getExport", lambda api, e: api.get(f"/v3/exports/{e}?fields[exports]=nope")),
    "105": ("createExport", lambda api, e: api.create({**IN_2026, "nope": 1})),
    "106": ("createExport", lambda api, e: api.client.post("/v3/exports", json={}, headers=api.headers())),
    "109": ("updateExport", lambda api, e: _patch(api, e, {"type": "exports", "attributes": {}})),
    "110": ("updateExport", lambda api, e: _patch(api, e, {"type": "exports", "id": "other"})),
    "112": ("listExports", lambda api, e: api.get("/v3/exports?include=calls")),
    "114": ("listExports", lambda api, e: api.get("/v3/exports?sort=nope")),
    "118": ("listExports", lambda api, e: api.get("/v3/exports?page[size]=0")),
    "119": ("getExport", lambda api, e: api.get(f"/v3/exports/{e}?fields=status")),
    "120": ("listExports", lambda api, e: api.get("/v3/exports?filter=x")),
    "122": ("createExport", lambda api, e: api.client.post("/v3/exports", json={"data": "x"}, headers=api.headers())),
    "400": ("updateExport", lambda api, e: _patch(api, e, None, raw="{not json")),
}


def test_every_declared_code_has_a_recipe():
    assert {(400, kind) for kind in RECIPES} == declared(VENDOR)


@pytest.mark.parametrize("kind", sorted(RECIPES))
def test_each_declared_code_is_produced_and_counted_under_its_operation(app, api, kind):
    name, send = RECIPES[kind]
    export = api.create_ok(IN_2026)["id"]
    ControlClient.for_app(app).clear_coverage()
    resp = send(api, export)
    assert resp.status_code == 400 and [e["code"] for e in resp.json["errors"]][0] == kind
    assert hit_map(coverage(app, "didww"), "didww") == {(name, "400"): 1, (name, "400", kind): 1}
