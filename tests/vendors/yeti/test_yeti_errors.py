"""Error precedence and the envelope of every core error kind (faults, 429, 413, 500) in yeti's shape."""
from __future__ import annotations

import json

import pytest

from mockcdr.core.faults import parse_fault

from yeti_helpers import BASE, JSONAPI, export_body


def test_media_type_checks_come_before_authorization(client):
    r = client.get(f"{BASE}/cdr-exports", headers={"Accept": "application/json"})
    assert r.status_code == 406
    r = client.post(f"{BASE}/cdr-exports", data="{}", headers={"Content-Type": "application/json"})
    assert r.status_code == 415


def test_authorization_comes_before_parameter_errors(client):
    assert client.get(f"{BASE}/cdr-exports?page[size]=0").status_code == 401
    assert client.get(f"{BASE}/cdr-exports/42").status_code == 401


def test_the_download_does_not_check_accept(yeti, rt):
    rt.lifecycle.set_policy("yeti.cdr_export", {"mode": "immediate"})
    export_id = yeti.create()["id"]
    r = yeti.client.get(f"{BASE}/cdr-exports/{export_id}/download",
                        headers={"Authorization": yeti.jwt, "Accept": "application/json"})
    assert r.status_code == 200


@pytest.mark.parametrize("fault, status, title, code, headers", [
    ({"kind": "error", "status": 503}, 503, "Service Unavailable", "503", {}),
    ({"kind": "error", "status": 500, "detail": "boom", "code": "E42"}, 500, "Internal Server Error", "E42", {}),
    ({"kind": "rate_limit", "retry_after": 7}, 429, "Too Many Requests", "429", {"Retry-After": "7"}),
])
def test_injected_faults_use_the_jsonapi_envelope(yeti, rt, fault, status, title, code, headers):
    rt.faults.add(parse_fault(dict(fault, vendor="yeti", operation="listCdrExports"), ["yeti"]))
    r = yeti.get("/cdr-exports")
    assert r.status_code == status and r.headers["Content-Type"] == JSONAPI
    err = r.get_json()["errors"]
    assert len(err) == 1 and (err[0]["title"], err[0]["code"], err[0]["status"]) == (title, code, str(status))
    for name, value in headers.items():
        assert r.headers[name] == value


def test_a_body_over_the_limit_is_a_jsonapi_413(yeti, rt):
    body = json.dumps(export_body(filters={"x": "y" * (rt.settings.max_body + 10)}))
    r = yeti.post("/cdr-exports", body)
    assert r.status_code == 413
    assert r.get_json() == {"errors": [{"title": "Content Too Large",
                                        "detail": f"request body exceeds {rt.settings.max_body} bytes",
                                        "code": "413", "status": "413"}]}


def test_an_unexpected_error_is_yetis_internal_server_error(yeti, rt, monkeypatch):
    from mockcdr.vendors.yeti import listing

    def broken(*_args, **_kw):
        raise RuntimeError("a bug")

    monkeypatch.setattr(listing, "apply_sort", broken)
    r = yeti.get("/cdr-exports")
    assert r.status_code == 500
    assert r.get_json() == {"errors": [{"title": "Internal Server Error", "detail": "Internal Server Error",
                                        "code": "500", "status": "500"}]}
    assert [str(e) for e in rt.errors] == ["a bug"]
    rt.errors.clear()
