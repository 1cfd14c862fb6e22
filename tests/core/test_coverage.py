"""Coverage counting in the core: sessions, concurrency, faults apart, other paths, catalogue checks, merging."""
from __future__ import annotations

import threading

import pytest

from coverage_support import hit_map, hits, operation
from mockcdr.app import create_app
from mockcdr.control_client import ControlClient
from mockcdr.core.catalogue import Catalogue, ResponseKind, ResponseKinds
from mockcdr.core.coverage import OTHER_LIMIT
from mockcdr.core.errors import DropConnection
from mockcdr.coverage_report import merge, responses_percent, summary_line, table
from mockcdr.settings import Settings

KEY = {"Api-Key": "didww-test-globex-51a7c9d2", "Accept": "application/vnd.api+json"}
JSONAPI = {**KEY, "Content-Type": "application/vnd.api+json"}
EXPORT = {"data": {"type": "exports", "attributes": {
    "export_type": "cdr_in", "filters": {"from": "2026-04-19 00:00:00", "to": "2026-04-19 23:59:59"}}}}


@pytest.fixture
def app():
    app = create_app(Settings(vendors=("didww", "mor"), seed="cov", clock_start="2026-04-20T12:00:00Z",
                              clock_frozen=True))
    app.config["TESTING"] = True
    return app


def doc_of(app, vendor=None):
    return ControlClient.for_app(app).get_coverage(vendor)


def test_concurrent_requests_lose_no_count(app):
    threads, each = 8, 150

    def work():
        client = app.test_client()
        for i in range(each):
            client.get("/v3/exports" if i % 3 else "/v3/exports?sort=nope", headers=KEY)
    workers = [threading.Thread(target=work) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    doc = doc_of(app, "didww")
    assert hits(doc, "didww", "listExports") == threads * each
    assert hits(doc, "didww", "listExports", 200) == threads * 100
    assert hits(doc, "didww", "listExports", 400, "114") == threads * 50


def test_sessions_count_apart_and_the_root_sees_none_of_theirs(app):
    control = ControlClient.for_app(app)
    mine = control.session("mine")
    client = app.test_client()
    client.get("/_s/mine/v3/exports", headers=KEY)
    client.get("/_s/mine/v3/exports", headers=KEY)
    client.post("/v3/exports", json=EXPORT, headers=JSONAPI)
    assert mine.get_coverage("didww")["session"] == "mine"
    assert hit_map(mine.get_coverage("didww"), "didww") == {("listExports", "200"): 2}
    assert hit_map(doc_of(app, "didww"), "didww") == {("createExport", "201"): 1}
    mine.reset()
    assert mine.get_coverage()["totals"]["requests"] == 0
    assert doc_of(app)["totals"]["requests"] == 1


def test_the_vendor_filter_and_one_that_matches_nothing(app):
    assert [v["vendor"] for v in doc_of(app)["vendors"]] == ["didww", "mor"]
    assert [v["vendor"] for v in doc_of(app, "mor")["vendors"]] == ["mor"]
    assert doc_of(app, "nope")["vendors"] == [] and doc_of(app, "nope")["totals"]["operations"] == 0


def test_faults_are_counted_apart_from_the_responses(app):
    control = ControlClient.for_app(app)
    client = app.test_client()
    control.set_transition("didww.export", "immediate")
    export = client.post("/v3/exports", json=EXPORT, headers=JSONAPI).get_json()["data"]
    url = export["attributes"]["url"].replace("http://localhost", "")
    control.add_fault("didww", "latency", operation="listExports", latency_ms=1, count=1)
    control.add_fault("didww", "drop", operation="getExport", count=1)
    control.add_fault("didww", "truncate", operation="downloadExportFile", after_bytes=10, count=1)
    assert client.get("/v3/exports", headers=KEY).status_code == 200
    with pytest.raises(DropConnection):
        client.get(f"/v3/exports/{export['id']}", headers=KEY)
    with pytest.raises(DropConnection):
        client.get(url, headers={"Api-Key": KEY["Api-Key"]}).get_data()
    doc = doc_of(app, "didww")
    listing = operation(doc, "didww", "listExports")     # a late answer is still the answer
    assert listing["faults"] == [{"fault": "latency", "status": 200, "hits": 1}]
    assert hits(doc, "didww", "listExports", 200) == 1
    get = operation(doc, "didww", "getExport")
    assert get["hits"] == 1 and get["faults"] == [{"fault": "drop", "status": 0, "hits": 1}]
    assert all(r["hits"] == 0 for r in get["responses"])
    download = operation(doc, "didww", "downloadExportFile")
    assert download["faults"] == [{"fault": "truncate", "status": 200, "hits": 1}]
    assert hits(doc, "didww", "downloadExportFile", 200) == 0
    assert doc["totals"]["faults"] == 3 and doc["totals"]["operations_hit"] == 2     # create, list


def test_a_status_the_spec_does_not_document_is_listed_as_undocumented(app):
    control = ControlClient.for_app(app)
    client = app.test_client()
    token = client.post("/api/v2/authentication/login",
                        headers={"Authorization": "Basic YWNtZV9hZG1pbjphY21lLWFkbWluLUZBS0UtcGFzcw=="})
    headers = {"Authorization": f"Bearer {token.get_json()['token']}", "Content-Type": "application/json"}
    too_big = client.post("/api/v2/automatic_cdr_exports", data="{" + " " * (1 << 20) + "}", headers=headers)
    assert too_big.status_code == 413
    op = operation(control.get_coverage("mor"), "mor", "createAutomaticCdrExport")
    assert op["undocumented"] == [{"status": 413, "hits": 1}]
    assert control.get_coverage("mor")["vendors"][0]["totals"]["undocumented"] == 1


def test_requests_no_operation_matches_are_capped_by_path_but_all_counted(app):
    client = app.test_client()
    for i in range(OTHER_LIMIT + 50):
        client.get(f"/v3/nothing/{i}", headers=KEY)
    vendor = doc_of(app, "didww")["vendors"][0]
    assert len(vendor["other"]) == OTHER_LIMIT + 1
    assert {"method": "GET", "path": "(other paths)", "status": 404, "hits": 50} in vendor["other"]
    assert vendor["totals"]["other"] == OTHER_LIMIT + 50


def test_a_declared_kind_must_name_an_operation_and_status_of_the_spec():
    doc = {"paths": {"/x": {"get": {"operationId": "getX", "responses": {"200": {"description": "ok"}}}}}}
    Catalogue("v", "V", doc, ResponseKinds((ResponseKind(200, "a", "A", ("getX",)),), read=lambda s, b: []))
    with pytest.raises(ValueError, match="names operation 'getY'"):
        Catalogue("v", "V", doc, ResponseKinds((ResponseKind(200, "a", "A", ("getY",)),), read=lambda s, b: []))
    with pytest.raises(ValueError, match="getX 404, a status its spec does not document"):
        Catalogue("v", "V", doc, ResponseKinds((ResponseKind(404, "a", "A", ("getX",)),), read=lambda s, b: []))


def test_a_reader_that_breaks_does_not_break_the_request(app):
    from mockcdr.vendors.didww import VENDOR
    from mockcdr.core.catalogue import catalogue

    cat = catalogue(VENDOR)
    original = cat.read
    cat.read = lambda status, body: 1 / 0
    try:
        assert app.test_client().get("/v3/exports?sort=nope", headers=KEY).status_code == 400
    finally:
        cat.read = original
    response = next(r for r in operation(doc_of(app, "didww"), "didww", "listExports")["responses"]
                    if r["status"] == "400")
    assert response["hits"] == 1 and response["undeclared"] == [{"kind": "(unreadable)", "hits": 1}]


def test_documents_merge_by_summing_and_keep_vendors_seen_once(app):
    client = app.test_client()
    client.get("/v3/exports", headers=KEY)
    first = doc_of(app)
    client.get("/v3/exports?sort=nope", headers=KEY)
    second = doc_of(app, "didww")
    merged = merge([first, second])
    assert merged["sessions"] == 2 and [v["vendor"] for v in merged["vendors"]] == ["didww", "mor"]
    assert hit_map(merged, "didww") == {("listExports", "200"): 2, ("listExports", "400"): 1,
                                        ("listExports", "400", "114"): 1}
    assert merged["totals"]["requests"] == 3 == merged["vendors"][0]["totals"]["requests"]
    assert merge([]) == {"session": "merged", "since": None, "sessions": 0, "vendors": [],
                         "totals": dict.fromkeys(merged["totals"], 0)}


def test_the_summary_line_the_percentage_and_the_table(app):
    client = app.test_client()
    client.get("/v3/exports", headers=KEY)
    doc = doc_of(app)
    assert summary_line(doc["vendors"][0]) == "didww: 1/6 operations, 1/64 responses (2%)"
    assert summary_line(doc["vendors"][1]) == "mor: 0/11 operations, 0/55 responses (0%), not exercised"
    assert responses_percent(doc) == pytest.approx(100 / 64)                   # mor was not exercised
    assert responses_percent(doc, ["didww", "mor"]) == pytest.approx(100 / (64 + 55))
    text = table(doc)
    assert "  listExports  GET /v3/exports  (1 requests)" in text
    assert [line.split()[-1] for line in text.splitlines() if line.strip().startswith("406")][:1] == ["never"]


def test_a_blueprint_without_a_spec_counts_everything_as_other():
    import toyvendor

    app = create_app(Settings(vendors=(), seed="t"), extra_vendors=[toyvendor.VENDOR])
    client = app.test_client()
    client.post("/toy/exports", json={"name": "n"}, headers={"X-Toy-Key": "key-acme"})
    vendor = doc_of(app)["vendors"][0]
    assert vendor["operations"] == [] and vendor["other"] == [
        {"method": "POST", "path": "/toy/exports", "status": 201, "hits": 1}]
