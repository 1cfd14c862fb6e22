"""Refused requests: 422 validation (filters, windows), 400 JSON:API document errors, 415 and 406."""
from __future__ import annotations

import pytest

MEDIA = "application/vnd.api+json"


def details(resp) -> list[str]:
    return [e["detail"] for e in resp.json["errors"]]


def only_error(resp) -> dict:
    assert len(resp.json["errors"]) == 1, resp.json
    return resp.json["errors"][0]


def test_out_of_range_window_has_the_documented_shape(api):
    resp = api.create({"export_type": "cdr_in", "filters": {"from": "2026-01-31 23:59:59",
                                                            "to": "2026-02-10 00:00:00"}})
    assert resp.status_code == 422
    assert resp.headers["Content-Type"] == MEDIA
    assert resp.json == {"errors": [{
        "title": "from must be within the current and 2 previous months",
        "detail": "filters - from must be within the current and 2 previous months",
        "code": "100", "source": {"pointer": "/data/attributes/filters"}, "status": "422"}]}


def test_window_edges_on_the_virtual_clock(api, rt):
    """Clock at 2026-04-20 12:00 UTC: February 1st is the first instant allowed, now the last."""
    ok = api.create({"export_type": "cdr_in", "filters": {"from": "2026-02-01 00:00:00",
                                                          "to": "2026-04-20 12:00:00"}})
    assert ok.status_code == 201
    future = api.create({"export_type": "cdr_in", "filters": {"from": "2026-04-20 00:00:00",
                                                              "to": "2026-04-20 12:00:01"}})
    assert future.status_code == 422
    assert details(future) == ["filters - to can't be in the future"]
    swapped = api.create({"export_type": "cdr_in", "filters": {"from": "2026-04-02", "to": "2026-04-01"}})
    assert details(swapped) == ["filters - to must be after from"]


def test_bad_from_format_matches_the_documented_example(api):
    resp = api.create({"export_type": "cdr_in", "filters": {"from": "yesterday", "to": "2026-04-02"}})
    assert only_error(resp) == {"title": "from not valid", "detail": "filters - from not valid", "code": "100",
                                "source": {"pointer": "/data/attributes/filters"}, "status": "422"}


@pytest.mark.parametrize("filters,expected", [
    ({"year": 2026, "month": 1}, ["filters - month must be within the current and 2 previous months"]),
    ({"year": 2026, "month": 5}, ["filters - month must be within the current and 2 previous months"]),
    ({"year": 2026, "month": 13}, ["filters - month not valid"]),
    ({"year": "twenty", "month": 4}, ["filters - year not valid"]),
    ({"month": 4}, ["filters - year can't be blank"]),
    ({"year": 2026, "month": 4, "bogus": 1}, ["filters - bogus is not allowed"]),
    ({"year": 2026, "month": 4, "day": 1}, ["filters - day is not allowed"]),             # cdr_in has no day
    ({"from": "2026-04-01", "to": "2026-04-02"},
     ["filters - from is not allowed", "filters - to is not allowed", "filters - year can't be blank",
      "filters - month can't be blank"]),
    ({"year": 2026, "month": 4, "did_number": ""}, ["filters - did_number can't be blank"]),
    ({"year": 2026, "month": 4, "did_number": ["1"]}, ["filters - did_number not valid"]),
])
def test_legacy_filter_errors(api, filters, expected):
    resp = api.create({"export_type": "cdr_in", "filters": filters}, customer="acme")
    assert resp.status_code == 422
    assert details(resp) == expected
    assert all(e["source"] == {"pointer": "/data/attributes/filters"} for e in resp.json["errors"])


@pytest.mark.parametrize("filters,expected", [
    ({"year": 2026, "month": 4, "day": 21}, ["filters - day can't be in the future"]),
    ({"year": 2026, "month": 2, "day": 30}, ["filters - day not valid"]),
    ({"year": 2026, "month": 4, "did_number": "1"}, ["filters - did_number is not allowed"]),
    ({"year": 2026, "month": 4, "voice_out_trunk.id": 5.5}, ["filters - voice_out_trunk.id not valid"]),
])
def test_legacy_cdr_out_filter_errors(api, filters, expected):
    resp = api.create({"export_type": "cdr_out", "filters": filters}, customer="acme")
    assert details(resp) == expected


@pytest.mark.parametrize("filters,expected", [
    ({"year": 2026, "month": 4}, ["filters - year is not allowed", "filters - month is not allowed",
                                  "filters - from can't be blank", "filters - to can't be blank"]),
    ({"from": 20260401, "to": "2026-04-02"}, ["filters - from not valid"]),
    ({"from": "2026-04-01", "to": "2026-04-02", "voice_out_trunk.id": "x"},
     ["filters - voice_out_trunk.id is not allowed"]),
])
def test_2026_filter_errors(api, filters, expected):
    assert details(api.create({"export_type": "cdr_in", "filters": filters})) == expected


@pytest.mark.parametrize("attributes,expected", [
    ({"filters": {"from": "2026-04-01", "to": "2026-04-02"}}, ["export_type - can't be blank"]),
    ({"export_type": "sms_in", "filters": {"from": "2026-04-01", "to": "2026-04-02"}},
     ["export_type - is not included in the list"]),
    ({"export_type": "cdr_in"}, ["filters - can't be blank"]),
    ({"export_type": "cdr_in", "filters": "2026-04"}, ["filters - is invalid"]),
    ({"export_type": "cdr_in", "filters": {"from": "2026-04-01", "to": "2026-04-02"}, "callback_url": "ftp://x"},
     ["callback_url - is invalid"]),
    ({"export_type": "cdr_in", "filters": {"from": "2026-04-01", "to": "2026-04-02"}, "callback_method": "POST"},
     ["callback_method - is not included in the list"]),
    ({"export_type": "cdr_in", "filters": {"from": "2026-04-01", "to": "2026-04-02"},
      "external_reference_id": 7}, ["external_reference_id - is invalid"]),
])
def test_attribute_errors(api, attributes, expected):
    resp = api.create(attributes)
    assert resp.status_code == 422
    assert details(resp) == expected
    attribute = expected[0].split(" - ")[0]
    assert resp.json["errors"][0]["source"]["pointer"] == f"/data/attributes/{attribute}"


def test_legacy_callback_method_words(api):
    base = {"export_type": "cdr_in", "filters": {"year": 2026, "month": 4}, "callback_url": "http://x.example"}
    assert api.create({**base, "callback_method": "post"}, customer="acme").status_code == 422
    assert api.create({**base, "callback_method": "POST"}, customer="acme").status_code == 201


@pytest.mark.parametrize("body,status,code,detail", [
    ({}, 400, "106", "The required parameter, data, is missing."),
    ({"data": None}, 400, "106", "The required parameter, data, is missing."),
    ({"data": []}, 400, "122", "Data must be a hash."),
    ({"data": {"attributes": {}}}, 400, "106", "The required parameter, type, is missing."),
    ({"data": {"type": "dids", "attributes": {}}}, 400, "101", "dids is not a valid resource."),
    ({"data": {"type": "exports", "attributes": {"status": "completed"}}}, 400, "105", "status is not allowed."),
    ({"data": {"type": "exports", "id": "x", "attributes": {}}}, 400, "105", "id is not allowed."),
    ({"data": {"type": "exports", "attributes": [1]}}, 400, "122", "Data must be a hash."),
])
def test_document_errors(api, body, status, code, detail):
    resp = api.client.post("/v3/exports", json=body, headers=api.headers())
    assert resp.status_code == status
    assert only_error(resp)["code"] == code
    assert only_error(resp)["detail"] == detail


def test_external_reference_id_is_not_a_legacy_attribute(api):
    resp = api.create({"export_type": "cdr_in", "filters": {"year": 2026, "month": 4},
                       "external_reference_id": "a"}, customer="acme")
    assert resp.status_code == 400
    assert only_error(resp)["title"] == "Param not allowed"


def test_every_disallowed_param_is_listed(api):
    resp = api.create({"status": "x", "url": "y", "export_type": "cdr_in"})
    assert details(resp) == ["status is not allowed.", "url is not allowed."]


def test_malformed_json_is_a_400_in_the_envelope(api):
    resp = api.client.post("/v3/exports", data=b'{"data": ', headers=api.headers())
    assert resp.status_code == 400
    assert resp.headers["Content-Type"] == MEDIA
    assert only_error(resp)["status"] == "400"


@pytest.mark.parametrize("content_type,shown", [("application/json", "application/json"), (None, "")])
def test_create_needs_the_jsonapi_content_type(api, content_type, shown):
    headers = api.headers()
    headers.pop("Content-Type")
    if content_type:
        headers["Content-Type"] = content_type
    resp = api.client.post("/v3/exports", data=b"{}", headers=headers)
    assert resp.status_code == 415
    assert only_error(resp) == {
        "title": "Unsupported media type",
        "detail": "All requests that create or update must use the 'application/vnd.api+json' Content-Type. "
                  f"This request specified '{shown}'.", "code": "415", "status": "415"}


def test_charset_parameter_is_tolerated_on_content_type(api):
    body = {"data": {"type": "exports", "attributes": {"export_type": "cdr_in",
                                                        "filters": {"from": "2026-04-01", "to": "2026-04-02"}}}}
    resp = api.client.post("/v3/exports", json=body,
                           headers=api.headers(**{"Content-Type": MEDIA + "; charset=utf-8"}))
    assert resp.status_code == 201


@pytest.mark.parametrize("accept,status", [
    ("application/json", 406), (MEDIA + "; charset=utf-8", 406), ("text/html, application/xml", 406),
    ("*/*", 200), ("application/json, */*;q=0.1", 200), (MEDIA, 200), ("", 200)])
def test_accept_header(api, accept, status):
    resp = api.client.get("/v3/exports", headers=api.headers(Accept=accept))
    assert resp.status_code == status
    if status == 406:
        assert only_error(resp)["detail"] == (
            "All requests must use the 'application/vnd.api+json' Accept without media type parameters. "
            f"This request specified '{accept}'.")


def test_gets_with_a_content_type_and_no_body_are_fine(api):
    """The SDK sends Content-Type on every GET."""
    resp = api.client.get("/v3/exports", headers=api.headers(**{"Content-Type": MEDIA}))
    assert resp.status_code == 200
    resp = api.client.get("/v3/exports", headers=api.headers(**{"Content-Type": "text/plain"}))
    assert resp.status_code == 200


def test_over_long_body_is_413_in_the_envelope(api):
    resp = api.client.post("/v3/exports", data=b"{" + b" " * (2 * 1024 * 1024) + b"}", headers=api.headers())
    assert resp.status_code == 413
    assert only_error(resp)["status"] == "413"
