"""API coverage of Yeti: auth and export operations, JR's codes under the 400s, the download's two 404s."""
from __future__ import annotations

import pytest
from yeti_helpers import ACME_PRIMARY, BASE, export_body

from coverage_support import coverage, declared, hit_map, hits, operation
from mockcdr.vendors.yeti import VENDOR

UNKNOWN = "00000000-0000-4000-8000-000000000000"


def test_a_flow_is_counted_exactly(app, yeti):
    export = yeti.create()
    assert yeti.download(export["id"]).status_code == 404          # not Completed: empty body
    yeti.complete(export["id"])
    assert yeti.download(export["id"]).status_code == 200
    assert yeti.get(f"/cdr-exports/{export['id']}").status_code == 200
    assert yeti.get("/cdr-exports/").status_code == 200            # a trailing slash is the same operation
    assert yeti.get("/cdr-exports", jwt="not-a-jwt").status_code == 401

    doc = coverage(app, "yeti")
    assert hit_map(doc, "yeti") == {
        ("createAuthToken", "201"): 1, ("createCdrExport", "201"): 1, ("downloadCdrExport", "404"): 1,
        ("downloadCdrExport", "404", "(no body)"): 1, ("downloadCdrExport", "200"): 1,
        ("getCdrExport", "200"): 1, ("listCdrExports", "200"): 1, ("listCdrExports", "401"): 1}
    assert hits(doc, "yeti", "downloadCdrExport", 404, "404") == 0
    assert operation(doc, "yeti", "getAuthInfo")["hits"] == 0
    default = next(r for r in operation(doc, "yeti", "getCdrExport")["responses"] if r["status"] == "default")
    assert default["catch_all"] is True and default["hits"] == 0


def test_a_status_the_spec_leaves_to_default_is_counted_there_with_what_it_was(app, yeti):
    too_big = yeti.post("/cdr-exports", b"{" + b" " * (1 << 20) + b"}")
    assert too_big.status_code == 413
    assert yeti.post("/cdr-exports", export_body(), content_type="text/plain").status_code == 415
    op = operation(coverage(app, "yeti"), "yeti", "createCdrExport")
    by_status = {r["status"]: r for r in op["responses"]}
    assert by_status["default"]["hits"] == 1 and by_status["default"]["seen"] == {"413": 1}
    assert by_status["415"]["hits"] == 1 and "seen" not in by_status["415"]
    assert op["undocumented"] == []


def _create(yeti, body):
    return yeti.post("/cdr-exports", body)


RECIPES = {
    (400, "101"): ("listCdrExports", lambda y, e: y.get("/cdr-exports?fields[calls]=id")),
    (400, "102"): ("listCdrExports", lambda y, e: y.get("/cdr-exports?filter[nope]=1")),
    (400, "103"): ("getCdrExport", lambda y, e: y.get("/cdr-exports/not-a-uuid")),
    (400, "104"): ("getCdrExport", lambda y, e: y.get(f"/cdr-exports/{e}?fields[cdr-exports]=nope")),
    (400, "105"): ("createCdrExport", lambda y, e: _create(y, {"data": {"type": "cdr-exports", "nope": 1}})),
    (400, "106"): ("createCdrExport", lambda y, e: _create(y, {})),
    (400, "107"): ("listCdrExports", lambda y, e: y.get("/cdr-exports?filter[status_eq]=Bogus")),
    (400, "112"): ("listCdrExports", lambda y, e: y.get("/cdr-exports?include=nope")),
    (400, "114"): ("listCdrExports", lambda y, e: y.get("/cdr-exports?sort=nope")),
    (400, "115"): ("createCdrExport", lambda y, e: _create(y, {"data": {
        "type": "cdr-exports", "relationships": {"account": "x"}}})),
    (400, "116"): ("createCdrExport", lambda y, e: _create(y, {"data": {
        "type": "cdr-exports", "relationships": {"account": {"data": {"type": "calls", "id": ACME_PRIMARY}}}}})),
    (400, "118"): ("listCdrExports", lambda y, e: y.get("/cdr-exports?page[size]=0")),
    (400, "119"): ("getCdrExportAccount", lambda y, e: y.get(f"/cdr-exports/{e}/account?fields=id")),
    (400, "120"): ("listCdrExports", lambda y, e: y.get("/cdr-exports?filter=x")),
    (400, "122"): ("createCdrExport", lambda y, e: _create(y, {"data": "x"})),
    (400, "400"): ("createCdrExport", lambda y, e: _create(y, "{not json")),
    (404, "404"): ("downloadCdrExport", lambda y, e: y.download(UNKNOWN)),
    (404, "(no body)"): ("downloadCdrExport", lambda y, e: y.download(e)),
}


def test_every_declared_kind_has_a_recipe():
    assert set(RECIPES) == declared(VENDOR)


@pytest.mark.parametrize("status,kind", sorted(RECIPES))
def test_each_declared_kind_is_counted_under_its_operation(app, yeti, status, kind):
    name, send = RECIPES[(status, kind)]
    export = yeti.create()["id"]
    yeti.client.delete("/_mockcdr/coverage")
    resp = send(yeti, export)
    assert resp.status_code == status
    assert hit_map(coverage(app, "yeti"), "yeti") == {(name, str(status)): 1, (name, str(status), kind): 1}
