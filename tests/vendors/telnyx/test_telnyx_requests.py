"""V1 /reporting/cdr_requests and the V2 successor: shapes, defaults, listing, paging, deletion."""
from __future__ import annotations

from datetime import timedelta

import pytest

V1 = "/reporting/cdr_requests"
V2 = "/v2/legacy/reporting/batch_detail_records/voice"
V1_KEYS = {"id", "start_time", "end_time", "call_types", "record_types", "connections", "report_name",
           "status", "report_url", "filters", "created_at", "updated_at"}


def test_create_returns_200_and_the_bare_object_with_seed_defaults(api):
    resp = api.client.post(V1, json={"start_time": "2024-02-11T00:00:00+00:00"}, headers=api.v1_headers())
    assert resp.status_code == 200
    body = resp.get_json()
    assert set(body) == V1_KEYS                       # bare: no "data" envelope, no source
    assert body["start_time"] == "2024-02-11T00:00:00+00:00"
    assert body["end_time"] == "2024-02-12T12:00:00+00:00"      # defaults to now
    assert body["call_types"] == [1] and body["record_types"] == [1]
    assert body["connections"] == [] and body["filters"] == [] and body["report_name"] == ""
    assert body["status"] == 1 and body["report_url"] == ""
    assert body["created_at"] == body["updated_at"] == "2024-02-12T12:00:00+00:00"


def test_create_echoes_what_was_asked(api):
    filters = [{"filter_type": "and", "cli": "1202", "cli_filter": "starts_with"},
               {"filter_type": "or", "tags_list": ["sales"]}]
    body = api.created(start_time="2024-02-10T06:00:00Z", end_time="2024-02-11T06:21:27+00:00",
                       call_types=[2, 1], record_types=[3], connections=["1684641123236054001", 1684641123236054002],
                       report_name="weekly", source="call-control", filters=filters)
    assert body["start_time"] == "2024-02-10T06:00:00+00:00"
    assert body["end_time"] == "2024-02-11T06:21:27+00:00"
    assert body["call_types"] == [2, 1] and body["record_types"] == [3]
    assert body["connections"] == ["1684641123236054001", "1684641123236054002"]
    assert body["report_name"] == "weekly" and body["filters"] == filters


def test_show_and_delete(api):
    job = api.created()
    shown = api.show(job["id"])
    assert shown.status_code == 200 and shown.get_json() == job
    resp = api.client.delete(f"{V1}/{job['id']}", headers=api.v1_headers())
    assert resp.status_code == 200
    assert resp.get_json()["success"] is True and isinstance(resp.get_json()["message"], str)
    assert api.show(job["id"]).status_code == 404
    assert api.client.delete(f"{V1}/{job['id']}", headers=api.v1_headers()).status_code == 404


def test_unknown_id_is_telnyx_404(api):
    resp = api.show("5b8b4d3c-0000-4000-8000-000000000000")
    assert resp.status_code == 404
    assert resp.get_json() == {"errors": [{
        "code": "10005", "title": "Resource not found",
        "detail": "The requested resource or URL could not be found.",
        "meta": {"url": "https://developers.telnyx.com/docs/overview/errors/10005"}}]}


def test_list_is_a_bare_array_newest_first(api):
    ids = []
    for _ in range(3):
        ids.append(api.created()["id"])
        api.rt.clock.advance(timedelta(seconds=1))
    resp = api.client.get(V1, headers=api.v1_headers())
    assert resp.status_code == 200
    assert [r["id"] for r in resp.get_json()] == ids[::-1]


@pytest.fixture
def seven(api):
    ids = [api.created()["id"] for _ in range(7)][::-1]
    return ids


@pytest.mark.parametrize("query, expected", [
    ("", slice(0, 7)),
    ("?per_page=3", slice(0, 3)),
    ("?page=2&per_page=3", slice(3, 6)),
    ("?page=3&per_page=3", slice(6, 7)),
    ("?page=4&per_page=3", slice(7, 7)),
    ("?page[number]=2&page[size]=2", slice(2, 4)),
    ("?page[size]=5&per_page=2", slice(0, 5)),          # the V2-style name wins
    ("?per_page=1000", slice(0, 7)),
])
def test_list_pages(api, seven, query, expected):
    resp = api.client.get(V1 + query, headers=api.v1_headers())
    assert resp.status_code == 200
    assert [r["id"] for r in resp.get_json()] == seven[expected]


def test_default_page_is_100(api):
    for _ in range(101):
        api.created()
    assert len(api.client.get(V1, headers=api.v1_headers()).get_json()) == 100
    assert len(api.client.get(V1 + "?page=2", headers=api.v1_headers()).get_json()) == 1


@pytest.mark.parametrize("query, name", [
    ("?per_page=1001", "per_page"), ("?per_page=0", "per_page"), ("?page=0", "page"),
    ("?page=x", "page"), ("?page[size]=1001", "page[size]"), ("?page[number]=-1", "page[number]"),
    ("?page[size]=5&per_page=0", "per_page"),
])
def test_bad_paging_is_400_naming_the_parameter(api, query, name):
    resp = api.client.get(V1 + query, headers=api.v1_headers())
    assert resp.status_code == 400
    error = resp.get_json()["errors"][0]
    assert error["code"] == "10015" and error["source"] == {"parameter": name}


def test_v2_create_retrieve_list_delete(api):
    body = {"start_time": "2024-02-11T00:00:00Z", "end_time": "2024-02-12T00:00:00Z", "call_types": [1, 2],
            "connections": [1684641123236054001], "timezone": "Europe/Berlin", "source": "webrtc",
            "filters": [{"filter_type": "and", "tags_list": "sales"}], "report_name": "r"}
    resp = api.create_v2(body)
    assert resp.status_code == 200
    data = resp.get_json()["data"]
    assert data["record_type"] == "cdr_detailed_report" and data["status"] == 1
    assert data["start_time"] == "2024-02-11T00:00:00Z" and data["end_time"] == "2024-02-12T00:00:00Z"
    assert data["connections"] == [1684641123236054001] and data["record_types"] == [1]
    assert data["timezone"] == "Europe/Berlin" and data["source"] == "webrtc" and data["retry"] == 0
    assert data["filters"] == [{"filter_type": "and", "tags_list": "sales"}]
    assert api.client.get(f"{V2}/{data['id']}", headers=api.bearer()).get_json() == {"data": data}
    listed = api.client.get(V2, headers=api.bearer()).get_json()
    assert listed == {"data": [data], "meta": {"page_number": 1, "page_size": 20, "total_pages": 1,
                                               "total_results": 1}}
    deleted = api.client.delete(f"{V2}/{data['id']}", headers=api.bearer())
    assert deleted.status_code == 200 and deleted.get_json() == {"data": data}
    assert api.client.get(f"{V2}/{data['id']}", headers=api.bearer()).status_code == 404


def test_v1_and_v2_are_one_resource(api):
    v1 = api.created(filters=[{"filter_type": "and", "tags_list": ["a", "b"]}], connections=["7"])
    v2 = api.client.get(f"{V2}/{v1['id']}", headers=api.bearer()).get_json()["data"]
    assert v2["start_time"] == v1["start_time"].replace("+00:00", "Z")
    assert v2["connections"] == [7] and v2["filters"] == [{"filter_type": "and", "tags_list": "a,b"}]
    made = api.create_v2({"start_time": "2024-02-11T00:00:00Z", "end_time": "2024-02-12T00:00:00Z",
                          "filters": [{"filter_type": "and", "tags_list": "x"}]}).get_json()["data"]
    seen = api.show(made["id"]).get_json()
    assert seen["filters"] == [{"filter_type": "and", "tags_list": ["x"]}]
    assert seen["end_time"] == "2024-02-12T00:00:00+00:00"


def test_v2_list_meta_pages(api):
    ids = [api.created()["id"] for _ in range(5)][::-1]
    resp = api.client.get(V2 + "?page[number]=2&page[size]=2", headers=api.bearer()).get_json()
    assert [d["id"] for d in resp["data"]] == ids[2:4]
    assert resp["meta"] == {"page_number": 2, "page_size": 2, "total_pages": 3, "total_results": 5}
    assert api.client.get(V2 + "?page[size]=251", headers=api.bearer()).status_code == 400


def test_v2_page_size_options(make_api):
    api = make_api(vendor_options={"telnyx": {"v2_default_page_size": 2, "v2_max_page_size": 3}})
    for _ in range(3):
        api.created()
    assert api.client.get(V2, headers=api.bearer()).get_json()["meta"]["page_size"] == 2
    assert api.client.get(V2 + "?page[size]=4", headers=api.bearer()).status_code == 400


def test_v2_fields_catalogue(api):
    resp = api.client.get(f"{V2}/fields", headers=api.bearer())
    assert resp.status_code == 200
    groups = resp.get_json()
    assert list(groups) == ["Billing", "Interaction Data", "Number Information", "Telephony Data"]
    assert "billable_time" in groups["Billing"] and "call_leg_id" in groups["Telephony Data"]


def test_v2_delete_fields_is_405(api):
    resp = api.client.delete(f"{V2}/fields", headers=api.bearer())
    assert resp.status_code == 405 and "GET" in resp.headers["Allow"]
    assert resp.get_json()["errors"][0]["title"] == "Method not allowed"


def test_v1_filters_as_string_option(make_api):
    import json
    api = make_api(vendor_options={"telnyx": {"v1_filters_format": "string"}})
    filters = [{"filter_type": "and", "cld": "44", "cld_filter": "contains"}]
    body = api.created(filters=filters)
    assert json.loads(body["filters"]) == filters
