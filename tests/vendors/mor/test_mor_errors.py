"""Every kind of error in MOR's envelopes, including the control plane's injected faults."""
from __future__ import annotations

import pytest
from mor_support import QUICK_START

from mockcdr.core.faults import parse_fault
from mockcdr.vendors.mor import tasks


def test_unknown_route_under_a_prefix(api):
    for path in ("/api/v2/nothing_here", "/billing/api/v2/automatic_cdr_exports/1/nope"):
        resp = api.client.get(path, headers=api.headers)
        assert resp.status_code == 404 and resp.get_json() == {"error": "Not found"}


def test_wrong_method_is_405_with_allow(api):
    resp = api.call("DELETE", "/automatic_cdr_exports")
    assert resp.status_code == 405 and resp.get_json() == {"error": "Method not allowed"}
    assert set(resp.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_malformed_json(api):
    resp = api.post("/automatic_cdr_exports", data=b'{"name": ', content_type="application/json")
    assert resp.status_code == 400 and resp.get_json() == {"error": "Invalid JSON in request body"}


def test_body_over_the_limit(api):
    resp = api.post("/automatic_cdr_exports", data=b"x" * (1024 * 1024 + 10), content_type="application/json")
    assert resp.status_code == 413 and resp.get_json() == {"error": "Request entity too large"}


@pytest.mark.parametrize("status,key", [(500, "error"), (503, "error"), (401, "errors"), (403, "errors"),
                                        (422, "error")])
def test_injected_error_faults(api, rt, status, key):
    rt.faults.add(parse_fault({"vendor": "mor", "operation": "createAutomaticCdrExport", "kind": "error",
                               "status": status, "detail": "Injected", "count": 1}, ["mor"]))
    resp = api.post("/automatic_cdr_exports", json=QUICK_START)
    assert resp.status_code == status and resp.get_json() == {key: "Injected"}
    assert api.post("/automatic_cdr_exports", json=QUICK_START).status_code == 201


def test_rate_limit_fault_keeps_retry_after(api, rt):
    rt.faults.add(parse_fault({"vendor": "mor", "kind": "rate_limit", "retry_after": 7, "count": 1}, ["mor"]))
    resp = api.get("/cdr_export_templates")
    assert resp.status_code == 429 and resp.headers["Retry-After"] == "7"
    assert resp.get_json() == {"error": "Too many requests"}


def test_unexpected_exception_is_a_500_in_mors_envelope(api, rt, monkeypatch):
    def boom(*_a, **_k):
        raise RuntimeError("a bug")

    monkeypatch.setattr(tasks, "list_tasks", boom)
    resp = api.get("/automatic_cdr_exports")
    assert resp.status_code == 500 and resp.get_json() == {"error": "Internal Server Error"}
    assert [type(e) for e in rt.errors] == [RuntimeError]
    rt.errors.clear()
