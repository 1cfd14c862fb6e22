"""Faults do what they say: a fault that could never fire is refused (400 saying why), restored faults are
checked like new ones, every accepted kind fires, and a latency wait ends when its fault is removed."""
from __future__ import annotations

import gzip
import threading
import time
import zlib

import pytest
import yaml

from mockcdr.core.errors import DropConnection
from mockcdr.core.faults import KINDS
from mockcdr.resources import spec_path
from mockcdr.vendors import load

from hostile import DOWNLOADS, YEASTAR_LOGIN, download, make_app

VENDORS = ("didww", "telnyx", "yeti", "mor", "yeastar")
# What each vendor serves as a file, written out here (not read from the code under test).
FILES = {"didww": {"downloadExportFile": "gzip"}, "telnyx": {"downloadCdrReport": "plain"},
         "yeti": {"downloadCdrExport": "gzip"}, "mor": {},
         "yeastar": {op: "plain" for op in ("downloadCdr", "downloadCdrPost", "downloadCdrV2", "downloadCdrPostV2")}}
JSON_OPERATION = {"didww": "listExports", "telnyx": "findCdrRequests", "yeti": "createAuthToken",
                  "mor": "authenticationLogin", "yeastar": "login"}


@pytest.fixture
def app():
    return make_app()


@pytest.fixture
def client(app):
    client = app.test_client()
    client.get("/v3/exports")     # one vendor request: schedules are swept, so snapshots compare as equal
    return client


def _applies(vendor: str, kind: str, operation: str | None) -> bool:
    if kind not in ("truncate", "corrupt_gzip"):
        return True
    packings = ("gzip",) if kind == "corrupt_gzip" else ("gzip", "plain")
    files = FILES[vendor]
    if operation is None:
        return any(p in packings for p in files.values())
    return files.get(operation) in packings


def _cases():
    for vendor in VENDORS:
        for kind in KINDS:
            for operation in (None, JSON_OPERATION[vendor], *FILES[vendor]):
                yield vendor, kind, operation


CASES = list(_cases())


def test_the_matrix_covers_every_vendor_kind_and_kind_of_operation():
    assert len(CASES) == 5 * 6 * 2 + 6 * (1 + 1 + 0 + 4 + 1)
    refused = [c for c in CASES if not _applies(*c)]
    assert ("mor", "truncate", None) in refused and ("yeastar", "corrupt_gzip", "downloadCdr") in refused
    assert ("didww", "truncate", "listExports") in refused and ("telnyx", "truncate", None) not in refused


@pytest.mark.parametrize("vendor,kind,operation", CASES,
                         ids=[f"{v}-{k}-{o or 'any'}" for v, k, o in CASES])
def test_a_fault_is_accepted_exactly_when_it_can_apply(client, vendor, kind, operation):
    body = {"vendor": vendor, "kind": kind, "count": 1}
    if operation:
        body["operation"] = operation
    response = client.post("/_mockcdr/faults", json=body)
    if _applies(vendor, kind, operation):
        assert response.status_code == 201, response.get_json()
        return
    assert response.status_code == 400
    message = response.get_json()["error"]["message"]
    assert message.startswith(f"kind: {kind} acts on a ")
    if operation is None or operation not in FILES[vendor]:
        assert "serves no file" in message or f"no {vendor} operation serves one" in message, message
    else:
        assert f"{operation} serves an uncompressed file" in message, message
    assert client.get("/_mockcdr/faults").get_json() == []


def test_an_unknown_operation_is_refused_with_the_vendors_operations(client):
    response = client.post("/_mockcdr/faults", json={"vendor": "didww", "kind": "error", "operation": "getExprot"})
    assert response.status_code == 400
    message = response.get_json()["error"]["message"]
    assert "didww has no operation 'getExprot'" in message and "getExport" in message


@pytest.mark.parametrize("vendor", VENDORS)
def test_the_operations_faults_know_are_the_specs_operation_ids(vendor):
    spec = yaml.safe_load(spec_path(vendor).read_text())
    ids = {op["operationId"] for path in spec["paths"].values() for op in path.values()
           if isinstance(op, dict) and "operationId" in op}
    assert load(vendor).operations() == ids


def _fire(app, vendor: str, operation: str):
    """One request of ``operation`` (a JSON one, or a download), its body read."""
    if operation in FILES[vendor]:
        response = download(app, vendor, operation)
    elif vendor == "yeastar":
        response = app.test_client().post("/api/v1.1.0/login", json=YEASTAR_LOGIN)
    else:
        method, path = {"didww": ("GET", "/v3/exports"), "telnyx": ("GET", "/reporting/cdr_requests"),
                        "yeti": ("POST", "/api/rest/customer/v1/auth"),
                        "mor": ("POST", "/billing/api/v2/authentication/login")}[vendor]
        response = app.test_client().open(path, method=method, json={} if method == "POST" else None)
    response.get_data()
    return response


@pytest.mark.parametrize("vendor,kind,operation", [c for c in CASES if _applies(*c) and c[2]],
                         ids=[f"{v}-{k}-{o}" for v, k, o in CASES if _applies(v, k, o) and o])
def test_every_accepted_fault_fires_and_is_used_up(app, client, vendor, kind, operation):
    rt = app.extensions["mockcdr"]
    slept = []
    rt.faults._sleep = slept.append
    added = client.post("/_mockcdr/faults", json={"vendor": vendor, "kind": kind, "operation": operation,
                                                  "count": 1, "status": 503, "after_bytes": 10}).get_json()
    try:
        response = _fire(app, vendor, operation)
    except DropConnection:
        assert kind in ("drop", "truncate")
    else:
        assert kind not in ("drop", "truncate")
    assert client.get("/_mockcdr/faults").get_json() == [], f"fault {added['id']} was never used"
    if kind == "corrupt_gzip":
        with pytest.raises((OSError, EOFError, zlib.error)):
            gzip.decompress(response.get_data())
    elif kind == "latency":
        assert slept == [1.0]
    elif kind in ("error", "rate_limit") and vendor != "yeastar":   # the PBX answers errors with 200
        assert response.status_code == {"error": 503, "rate_limit": 503}[kind]


@pytest.mark.parametrize("vendor", sorted(DOWNLOADS))
def test_a_download_fault_for_every_operation_waits_for_the_download(app, client, vendor):
    """truncate without an operation leaves JSON answers alone and cuts the next file."""
    client.post("/_mockcdr/faults", json={"vendor": vendor, "kind": "truncate", "count": 1})
    _fire(app, vendor, JSON_OPERATION[vendor])
    assert client.get("/_mockcdr/faults").get_json()[0]["hits"] == 0
    with pytest.raises(DropConnection):
        download(app, vendor).get_data()
    assert client.get("/_mockcdr/faults").get_json() == []


# -- restoring faults -------------------------------------------------------------------------------
def test_a_restore_with_a_fault_without_a_kind_is_refused_and_changes_nothing(client):
    """The reproduction: it answered 200, then every DIDWW request and DELETE /faults/1 answered 500."""
    client.post("/_mockcdr/faults", json={"vendor": "yeti", "kind": "latency", "latency_ms": 5})
    before = client.get("/_mockcdr/snapshot").get_json()
    snap = dict(before, faults={"next": 2, "faults": [{"vendor": "didww", "kind": None}]})
    response = client.post("/_mockcdr/snapshot", json=snap)
    assert response.status_code == 400
    assert "faults.faults[0]" in response.get_json()["error"]["message"]
    assert "kind must be one of" in response.get_json()["error"]["message"]
    assert client.get("/_mockcdr/snapshot").get_json() == before
    assert client.get("/v3/exports").status_code == 401
    assert client.delete("/_mockcdr/faults/7").status_code == 404
    assert client.delete("/_mockcdr/faults/1").get_json() == {"cleared": 1}


BAD_FAULTS = {
    "unknown vendor": ({"vendor": "acme", "kind": "error"}, "vendor must be one of"),
    "unknown field": ({"vendor": "didww", "kind": "error", "colour": "red"}, "unknown fault fields: colour"),
    "status out of range": ({"vendor": "didww", "kind": "error", "status": 99}, "status must be an integer"),
    "count zero": ({"vendor": "didww", "kind": "error", "count": 0}, "count must be an integer"),
    "a download fault on MOR": ({"vendor": "mor", "kind": "truncate"}, "no mor operation serves one"),
    "corrupt_gzip on a CSV": ({"vendor": "yeastar", "kind": "corrupt_gzip", "operation": "downloadCdr"},
                              "uncompressed"),
    "unknown operation": ({"vendor": "yeti", "kind": "drop", "operation": "nope"}, "has no operation 'nope'"),
    "no id": ({"vendor": "didww", "kind": "error", "id": None}, "id must be an integer"),
    "negative hits": ({"vendor": "didww", "kind": "error", "hits": -1}, "hits must be an integer"),
}


@pytest.mark.parametrize("name", list(BAD_FAULTS))
def test_a_restored_fault_is_checked_like_a_new_one(client, name):
    fault, reason = BAD_FAULTS[name]
    fault = {"id": 1, "hits": 0, **fault}
    before = client.get("/_mockcdr/snapshot").get_json()
    response = client.post("/_mockcdr/snapshot", json=dict(before, faults={"next": 2, "faults": [fault]}))
    assert response.status_code == 400 and reason in response.get_json()["error"]["message"]
    assert client.get("/_mockcdr/snapshot").get_json() == before


def test_two_faults_with_one_id_are_refused(client):
    fault = {"id": 3, "hits": 0, "vendor": "didww", "kind": "error"}
    snap = dict(client.get("/_mockcdr/snapshot").get_json(), faults={"next": 4, "faults": [fault, fault]})
    response = client.post("/_mockcdr/snapshot", json=snap)
    assert response.status_code == 400 and "unique" in response.get_json()["error"]["message"]


def test_faults_survive_a_snapshot_round_trip_and_ids_continue(client):
    client.post("/_mockcdr/faults", json={"vendor": "didww", "kind": "error", "status": 503, "count": 3})
    client.post("/_mockcdr/faults", json={"vendor": "yeti", "kind": "corrupt_gzip"})
    client.get("/v3/exports")                              # spends one use of the first
    snap = client.get("/_mockcdr/snapshot").get_json()
    faults = client.get("/_mockcdr/faults").get_json()
    assert faults[0]["count"] == 2 and faults[0]["hits"] == 1
    client.post("/_mockcdr/reset")
    assert client.post("/_mockcdr/snapshot", json=snap).status_code == 200
    assert client.get("/_mockcdr/faults").get_json() == faults
    added = client.post("/_mockcdr/faults", json={"vendor": "mor", "kind": "drop"}).get_json()
    assert added["id"] == 3


def test_a_hand_written_next_below_the_ids_does_not_reuse_an_id(client):
    fault = {"id": 5, "hits": 0, "vendor": "didww", "kind": "error"}
    snap = dict(client.get("/_mockcdr/snapshot").get_json(), faults={"next": 1, "faults": [fault]})
    assert client.post("/_mockcdr/snapshot", json=snap).status_code == 200
    assert client.post("/_mockcdr/faults", json={"vendor": "didww", "kind": "drop"}).get_json()["id"] == 6


# -- latency ------------------------------------------------------------------------------------------
def _login_in_threads(app, n: int):
    results: list = []

    def run():
        results.append(app.test_client().post("/api/v1.1.0/login", json=YEASTAR_LOGIN).get_json())

    threads = [threading.Thread(target=run, daemon=True) for _ in range(n)]
    for t in threads:
        t.start()
    return threads, results


def _wait_for_hits(client, n: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        faults = client.get("/_mockcdr/faults").get_json()
        if faults and faults[0]["hits"] >= n:
            return
        time.sleep(0.02)
    raise AssertionError("the requests never reached the fault")


def test_clearing_faults_ends_the_latency_of_requests_already_waiting(app, client):
    """Four requests wait on a 120 s latency; DELETE /faults answers at once (no lock is held while
    they wait) and ends their waits, so they answer normally right after."""
    client.post("/_mockcdr/faults", json={"vendor": "yeastar", "kind": "latency", "latency_ms": 120_000})
    threads, results = _login_in_threads(app, 4)
    _wait_for_hits(client, 4)
    assert client.delete("/_mockcdr/faults?vendor=didww").get_json() == {"cleared": 0}
    time.sleep(0.2)
    assert all(t.is_alive() for t in threads), "clearing another vendor's faults ended these waits"
    assert client.delete("/_mockcdr/faults").get_json() == {"cleared": 1}
    for t in threads:
        t.join(timeout=20)
    assert not any(t.is_alive() for t in threads), "the waits outlived their fault"
    assert [r["status"] for r in results] == ["Success"] * 4


def test_deleting_the_fault_by_id_or_resetting_ends_its_waits(app, client):
    fault = client.post("/_mockcdr/faults", json={"vendor": "yeastar", "kind": "latency",
                                                  "latency_ms": 120_000}).get_json()
    threads, _ = _login_in_threads(app, 2)
    _wait_for_hits(client, 2)
    assert client.delete(f"/_mockcdr/faults/{fault['id']}").status_code == 200
    for t in threads:
        t.join(timeout=20)
    assert not any(t.is_alive() for t in threads)
    client.post("/_mockcdr/faults", json={"vendor": "yeastar", "kind": "latency", "latency_ms": 120_000})
    threads, _ = _login_in_threads(app, 1)
    _wait_for_hits(client, 1)
    client.post("/_mockcdr/reset")
    threads[0].join(timeout=20)
    assert not threads[0].is_alive()
