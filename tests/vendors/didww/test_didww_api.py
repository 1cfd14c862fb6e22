"""Create, show, update and list exports; API version selection and each version's representation."""
from __future__ import annotations

from datetime import timedelta

import pytest

IN_2026 = {"export_type": "cdr_in", "filters": {"from": "2026-04-01 00:00:00", "to": "2026-04-03 00:00:00"}}
IN_LEGACY = {"export_type": "cdr_in", "filters": {"year": "2026", "month": "4"}}


def test_create_2026_echoes_filters_and_reference(api):
    resp = api.create({**IN_2026, "external_reference_id": "ref-1", "callback_url": "https://example.com/cb",
                       "callback_method": "get"}, version="2026-04-16")
    assert resp.status_code == 201
    assert resp.headers["Content-Type"] == "application/vnd.api+json"
    doc = resp.json
    assert doc["meta"] == {"api_version": "2026-04-16"}
    data = doc["data"]
    assert data["type"] == "exports" and len(data["id"]) == 36
    assert data["attributes"] == {
        "status": "pending", "created_at": "2026-04-20T12:00:00.000Z", "url": None,
        "callback_url": "https://example.com/cb", "callback_method": "get", "export_type": "cdr_in",
        "external_reference_id": "ref-1",
        "filters": {"from": "2026-04-01 00:00:00", "to": "2026-04-03 00:00:00"}}
    assert "links" not in data and "relationships" not in data


def test_create_legacy_matches_recorded_shape(api):
    """2022-05-10: capitalised status, upper-case method, no filters, no external_reference_id."""
    resp = api.create({**IN_LEGACY, "callback_url": "http://example.com", "callback_method": "GET"},
                      customer="acme", version="2022-05-10")
    assert resp.status_code == 201
    data = resp.json["data"]
    assert list(data["attributes"]) == ["status", "created_at", "url", "callback_url", "callback_method",
                                        "export_type"]
    assert data["attributes"]["status"] == "Pending"
    assert data["attributes"]["callback_method"] == "GET"
    assert resp.json["meta"] == {"api_version": "2022-05-10"}


def test_iso_and_numeric_filter_values_are_normalised(api):
    data = api.create_ok({"export_type": "cdr_out", "filters": {
        "from": "2026-04-01T00:00:00Z", "to": "2026-04-02T02:00:00+02:00",
        "voice_out_trunk.id": "457bf47d-446d-41cd-91c3-dfbda7bf0753"}}, version="2026-04-16")
    assert data["attributes"]["filters"] == {"from": "2026-04-01 00:00:00", "to": "2026-04-02 00:00:00",
                                             "voice_out_trunk.id": "457bf47d-446d-41cd-91c3-dfbda7bf0753"}
    legacy = api.create_ok({"export_type": "cdr_out", "filters": {"year": 2026, "month": 4, "day": 2}},
                           customer="acme")
    shown = api.show(legacy["id"], customer="acme", version="2026-04-16").json["data"]["attributes"]
    assert shown["filters"] == {"year": 2026, "month": 4, "day": 2}   # keeps the keys it was created with


@pytest.mark.parametrize("customer,header,served", [
    ("globex", None, "2026-04-16"),           # default of a 2026 customer
    ("acme", None, "2022-05-10"),             # default of a legacy customer
    ("initech", None, "2021-12-15"),
    ("acme", "2026-04-16", "2026-04-16"),     # a newer version in the header wins
    ("initech", "2022-05-10", "2022-05-10"),
    ("globex", "2022-05-10", "2026-04-16"),   # older than the customer's default: ignored
    ("acme", "2021-12-15", "2022-05-10"),
    ("acme", "1999-01-01", "2022-05-10"),     # unknown: the default
])
def test_version_selection(api, customer, header, served):
    attrs = IN_LEGACY if served != "2026-04-16" else IN_2026
    resp = api.create(attrs, customer=customer, version=header)
    assert resp.status_code == 201, resp.json
    assert resp.json["meta"]["api_version"] == served
    listed = api.get("/v3/exports", customer=customer, version=header).json
    assert listed["meta"]["api_version"] == served


def test_version_header_name_and_api_key_any_case(api):
    headers = {"content-type": "application/vnd.api+json", "api-key": api.key("acme"),
               "x-didww-api-version": "2026-04-16"}
    resp = api.client.post("/v3/exports", json={"data": {"type": "exports", "attributes": IN_2026}},
                           headers=headers)
    assert resp.status_code == 201
    assert resp.json["meta"]["api_version"] == "2026-04-16"


def test_status_words_follow_the_requesting_version(api, rt):
    created = api.create_ok(IN_2026, version="2026-04-16")
    rt.clock.advance(timedelta(seconds=6))
    assert api.show(created["id"], version="2026-04-16").json["data"]["attributes"]["status"] == "processing"
    rt.lifecycle.force(created["id"], "completed")
    attrs = api.show(created["id"], customer="globex").json["data"]["attributes"]
    assert attrs["status"] == "completed"
    # acme-eu is a 2026 customer; a legacy reader of its own 2026 export sees legacy words
    other = api.create_ok({**IN_2026, "callback_url": "http://example.com/x", "callback_method": "post"},
                          customer="acme-eu")
    legacy = api.show(other["id"], customer="acme-eu", version="2022-05-10").json
    assert legacy["meta"]["api_version"] == "2026-04-16"   # older than its default: ignored
    assert legacy["data"]["attributes"]["callback_method"] == "post"


def test_legacy_reader_of_a_2026_export(api):
    """An initech (2021-12-15) export read through 2026-04-16 shows 2026 words and its old filters;
    read through its default it shows the legacy representation."""
    created = api.create_ok({**IN_LEGACY, "callback_url": "http://example.com/x", "callback_method": "POST"},
                            customer="initech")
    new = api.show(created["id"], customer="initech", version="2026-04-16").json["data"]["attributes"]
    assert new["status"] == "pending" and new["callback_method"] == "post"
    assert new["filters"] == {"year": 2026, "month": 4} and new["external_reference_id"] is None
    old = api.show(created["id"], customer="initech").json["data"]["attributes"]
    assert old["status"] == "Pending" and old["callback_method"] == "POST" and "filters" not in old


def test_foreign_and_unknown_exports_are_record_not_found(api):
    created = api.create_ok(IN_2026)
    for customer in ("acme", "acme-eu", "initech"):   # acme and acme-eu share the tenant, not the account
        resp = api.show(created["id"], customer=customer)
        assert resp.status_code == 404
        assert resp.json == {"errors": [{
            "title": "Record not found",
            "detail": f"The record identified by {created['id']} could not be found.",
            "code": "404", "status": "404"}]}
    assert api.show("21e02b15-806d-44b3-b67f-434ea6c44f61").status_code == 404
    listed = api.get("/v3/exports", customer="acme-eu").json
    assert listed["meta"]["total_records"] == 0 and listed["data"] == []


@pytest.mark.parametrize("headers", [{}, {"Api-Key": "not-a-key"}, {"Api-Key": ""}])
def test_unauthorized_body_is_the_recorded_one(api, headers):
    for path in ("/v3/exports", "/v3/exports/21e02b15-806d-44b3-b67f-434ea6c44f61",
                 "/v3/exports/e5352384-6f64-4132-bba1-cda18fbc5896.csv.gz"):
        resp = api.client.get(path, headers=headers)
        assert resp.status_code == 401
        assert resp.data == (b'{"errors":[{"title":"Unauthorized","detail":"Authorization failed",'
                             b'"code":"401","status":"401"}]}')
        assert len(resp.data) == 97
        assert resp.headers["Content-Type"] == "application/vnd.api+json"


def test_patch_and_put_update_the_reference_only(api):
    created = api.create_ok(IN_2026)
    resp = api.patch(created["id"], {"external_reference_id": "invoice-42"})
    assert resp.status_code == 200
    assert resp.json["data"]["attributes"]["external_reference_id"] == "invoice-42"
    assert resp.json["meta"] == {"api_version": "2026-04-16"}
    resp = api.patch(created["id"], {"external_reference_id": None}, method="PUT")
    assert resp.status_code == 200 and resp.json["data"]["attributes"]["external_reference_id"] is None
    resp = api.patch(created["id"], {"callback_url": "http://example.com"})
    assert resp.status_code == 400
    assert resp.json["errors"][0] == {"title": "Param not allowed", "detail": "callback_url is not allowed.",
                                      "code": "105", "status": "400"}
    resp = api.patch(created["id"], {"external_reference_id": "x" * 101})
    assert resp.status_code == 422
    assert resp.json["errors"][0]["detail"] == \
        "external_reference_id - is too long (maximum is 100 characters)"
    assert api.patch(created["id"], {"external_reference_id": "a"}, customer="acme-eu").status_code == 404


def test_patch_body_id_must_match_the_url(api):
    created = api.create_ok(IN_2026)
    resp = api.client.patch(f"/v3/exports/{created['id']}", headers=api.headers(),
                            json={"data": {"type": "exports", "attributes": {"external_reference_id": "a"}}})
    assert resp.status_code == 400 and resp.json["errors"][0]["code"] == "109"
    resp = api.client.patch(f"/v3/exports/{created['id']}", headers=api.headers(), json={
        "data": {"type": "exports", "id": "other", "attributes": {"external_reference_id": "a"}}})
    assert resp.status_code == 400
    assert resp.json["errors"][0]["detail"] == "The URL does not support the key other"


def test_no_patch_in_legacy_versions(api):
    created = api.create_ok(IN_LEGACY, customer="acme")
    resp = api.patch(created["id"], {"external_reference_id": "a"}, customer="acme")
    assert resp.status_code == 405
    assert resp.headers["Allow"] == "GET"
    assert resp.json["errors"][0]["status"] == "405"


def test_delete_is_not_offered(api):
    created = api.create_ok(IN_2026)
    resp = api.client.delete(f"/v3/exports/{created['id']}", headers=api.headers())
    assert resp.status_code == 405
    assert "DELETE" not in resp.headers["Allow"] and "GET" in resp.headers["Allow"]
    assert resp.json["errors"][0]["code"] == "405"
    assert api.show(created["id"]).status_code == 200


def test_sparse_fieldsets_and_include(api):
    created = api.create_ok(IN_2026)
    resp = api.get(f"/v3/exports/{created['id']}?fields[exports]=export_type,status")
    assert resp.json["data"]["attributes"] == {"status": "pending", "export_type": "cdr_in"}
    resp = api.get("/v3/exports?fields[exports]=filters")
    assert resp.json["data"][0]["attributes"] == {"filters": IN_2026["filters"]}
    resp = api.get("/v3/exports?fields[exports]=filters", customer="acme")   # no filters in 2022-05-10
    assert resp.status_code == 400
    assert resp.json["errors"][0] == {"title": "Invalid field", "code": "104", "status": "400",
                                      "detail": "filters is not a valid field for exports."}
    resp = api.get(f"/v3/exports/{created['id']}?include=customer")
    assert resp.status_code == 400 and resp.json["errors"][0]["code"] == "112"


def test_unmatched_paths_under_v3_use_the_envelope(api):
    resp = api.get("/v3/dids")
    assert resp.status_code == 404
    assert resp.headers["Content-Type"] == "application/vnd.api+json"
    assert resp.json["errors"][0]["status"] == "404"


def test_a_file_name_is_never_an_export_id(api, immediate):
    created = api.create_ok(IN_2026)
    file_path = created["attributes"]["url"].removeprefix("http://localhost")
    resp = api.client.patch(file_path, json={}, headers=api.headers())
    assert resp.status_code == 405 and "PATCH" not in resp.headers["Allow"]
    resp = api.get("/v3/exports/not.an-id")
    assert resp.status_code == 404 and resp.json["errors"][0]["status"] == "404"


@pytest.mark.parametrize("fault,status,error", [
    ({"kind": "error", "status": 503}, 503, {"title": "Service Unavailable", "detail": "Injected fault",
                                            "code": "503", "status": "503"}),
    ({"kind": "rate_limit", "retry_after": 7}, 429, {"title": "Too many requests", "detail": "Too many requests",
                                                     "code": "429", "status": "429"}),
])
def test_injected_faults_use_the_envelope(api, rt, fault, status, error):
    from mockcdr.core.faults import parse_fault

    rt.faults.add(parse_fault({"vendor": "didww", "operation": "listExports", "count": 1, **fault}, ["didww"]))
    resp = api.get("/v3/exports")
    assert resp.status_code == status
    assert resp.json == {"errors": [error]}
    assert resp.headers["Content-Type"] == "application/vnd.api+json"
    if status == 429:
        assert resp.headers["Retry-After"] == "7"
    assert api.get("/v3/exports").status_code == 200


def test_corrupted_download_fault_applies_to_the_gzip_file(api, rt, immediate):
    import gzip
    import zlib

    from mockcdr.core.faults import parse_fault

    created = api.create_ok(IN_2026)
    rt.faults.add(parse_fault({"vendor": "didww", "operation": "downloadExportFile", "kind": "corrupt_gzip",
                               "count": 1}, ["didww"]))
    broken = api.download(created["attributes"]["url"])
    with pytest.raises((OSError, EOFError, zlib.error)):
        gzip.decompress(broken.data)
    assert gzip.decompress(api.download(created["attributes"]["url"]).data).startswith(b"Date/Time")
