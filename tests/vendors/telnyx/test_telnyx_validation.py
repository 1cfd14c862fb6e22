"""The seed's rules for a CDR request: every broken rule is a 400 whose error names the field."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

NOW = datetime(2024, 2, 12, 12, 0, tzinfo=timezone.utc)      # the frozen clock of these tests
V1 = "/reporting/cdr_requests"
DAY_AGO = (NOW - timedelta(days=1)).isoformat()


def errors(resp) -> dict[str, dict]:
    assert resp.status_code == 400, resp.get_json()
    return {e["source"]["pointer"]: e for e in resp.get_json()["errors"]}


@pytest.mark.parametrize("extra, pointer, code", [
    ({"start_time": None}, "/start_time", "10004"),
    ({"start_time": "yesterday"}, "/start_time", "10015"),
    ({"start_time": 1707696000}, "/start_time", "10015"),
    ({"start_time": "0001-01-01T00:00:00+05:00"}, "/start_time", "10015"),  # no UTC value
    ({"end_time": "9999-12-31T23:59:59-05:00"}, "/end_time", "10015"),
    ({"end_time": "2024-02-13T12:00:00+00:00"}, "/end_time", "10015"),      # exactly now + 24h
    ({"end_time": "2024-02-20T00:00:00+00:00"}, "/end_time", "10015"),
    ({"start_time": "2024-01-13T11:59:59+00:00"}, "/start_time", "10015"),  # more than 30 days back
    ({"end_time": "2024-02-10T00:00:00+00:00", "start_time": "2024-02-10T00:00:00+00:00"}, "/end_time", "10015"),
    ({"start_time": "2024-02-12T13:00:00+00:00"}, "/start_time", "10015"),  # after the default end (now)
    ({"call_types": [3]}, "/call_types", "10015"),
    ({"call_types": []}, "/call_types", "10015"),
    ({"call_types": ["1"]}, "/call_types", "10015"),
    ({"call_types": [True]}, "/call_types", "10015"),
    ({"call_types": 1}, "/call_types", "10015"),
    ({"record_types": [4]}, "/record_types", "10015"),
    ({"record_types": [0, 1]}, "/record_types", "10015"),
    ({"connections": "1684641123236054001"}, "/connections", "10015"),
    ({"connections": ["abc"]}, "/connections/0", "10015"),
    ({"connections": ["1", -2]}, "/connections/1", "10015"),
    ({"connections": ["99999999999999999999"]}, "/connections/0", "10015"),
    ({"report_name": 5}, "/report_name", "10015"),
    ({"source": "fax-api"}, "/source", "10015"),                            # V2 only
    ({"source": "CALLS"}, "/source", "10015"),
    ({"filters": "cli=1"}, "/filters", "10015"),
    ({"filters": ["cli"]}, "/filters/0", "10015"),
    ({"filters": [{"cli": "1", "cli_filter": "contains"}]}, "/filters/0/filter_type", "10004"),
    ({"filters": [{"filter_type": "or", "cli": "1", "cli_filter": "contains"}]}, "/filters/0/filter_type", "10015"),
    ({"filters": [{"filter_type": "xor", "cli": "1", "cli_filter": "contains"}]}, "/filters/0/filter_type", "10015"),
    ({"filters": [{"filter_type": "and", "cli": "1", "cli_filter": "contains"},
                  {"filter_type": "or", "cld": "2", "cld_filter": "contains"},
                  {"filter_type": "and", "cld": "3", "cld_filter": "contains"}]}, "/filters/2/filter_type", "10015"),
    ({"filters": [{"filter_type": "and", "cli": "1"}]}, "/filters/0/cli_filter", "10004"),
    ({"filters": [{"filter_type": "and", "cli_filter": "contains"}]}, "/filters/0/cli", "10004"),
    ({"filters": [{"filter_type": "and", "cld": "1", "cld_filter": "equals"}]}, "/filters/0/cld_filter", "10015"),
    ({"filters": [{"filter_type": "and", "cld": "", "cld_filter": "contains"}]}, "/filters/0/cld", "10015"),
    ({"filters": [{"filter_type": "and", "cli": 1202, "cli_filter": "contains"}]}, "/filters/0/cli", "10015"),
    ({"filters": [{"filter_type": "and"}]}, "/filters/0", "10015"),
    ({"filters": [{"filter_type": "and", "cli": "1", "cli_filter": "contains", "cld": "2",
                   "cld_filter": "contains"}]}, "/filters/0", "10015"),
    ({"filters": [{"filter_type": "and", "tags_list": []}]}, "/filters/0/tags_list", "10015"),
    ({"filters": [{"filter_type": "and", "tags_list": ["ok", ""]}]}, "/filters/0/tags_list", "10015"),
    ({"filters": [{"filter_type": "and", "billing_group": "not-a-uuid"}]}, "/filters/0/billing_group", "10015"),
])
def test_each_broken_rule_names_its_field(api, extra, pointer, code):
    body = dict({"start_time": DAY_AGO}, **extra)
    if body["start_time"] is None:
        del body["start_time"]
    found = errors(api.client.post(V1, json=body, headers=api.v1_headers()))
    assert list(found) == [pointer]
    error = found[pointer]
    assert error["code"] == code
    assert error["title"] == ("Missing required parameter" if code == "10004" else "Bad Request")
    assert error["meta"]["url"].endswith(code)
    assert api.client.get(V1, headers=api.v1_headers()).get_json() == []      # nothing was created


@pytest.mark.parametrize("extra", [
    {"end_time": "2024-02-13T11:59:59+00:00"},           # just under now + 24h
    {"start_time": "2024-01-13T12:00:00+00:00"},         # exactly 30 days back
    {"start_time": "2024-02-11T00:00:00", "end_time": "2024-02-11 06:00:00"},   # no offset: UTC
    {"source": "calls"}, {"source": "call-control"}, {"call_types": [1, 2], "record_types": [1, 2, 3]},
    {"connections": [1684641123236054001, "0"]},
    {"report_name": None, "filters": None, "call_types": None, "end_time": None},   # null = absent
    {"filters": [{"filter_type": "and", "cli": "+1202", "cli_filter": "starts_with"},
                 {"filter_type": "and", "tags_list": "sales"},
                 {"filter_type": "or", "cld": "99", "cld_filter": "ends_with"},
                 {"filter_type": "or", "billing_group": "6a09cdc3-8948-47f0-aa62-74ac943d6c58"}]},
    {"unknown_field": "ignored"},
])
def test_valid_bodies_are_accepted(api, extra):
    body = dict({"start_time": DAY_AGO}, **extra)
    resp = api.client.post(V1, json=body, headers=api.v1_headers())
    assert resp.status_code == 200, resp.get_json()


def test_all_broken_rules_are_reported_together(api):
    body = {"start_time": "2023-01-01T00:00:00Z", "end_time": "2030-01-01T00:00:00Z", "call_types": [9],
            "filters": [{"filter_type": "or", "cli": "1", "cli_filter": "contains"}]}
    found = errors(api.client.post(V1, json=body, headers=api.v1_headers()))
    assert set(found) == {"/start_time", "/end_time", "/call_types", "/filters/0/filter_type"}


@pytest.mark.parametrize("data, content_type", [
    (b"", "application/json"), (b"{not json", "application/json"), (b"[1, 2]", "application/json"),
    (b'"text"', "application/json"), (b"\xff\xfe", "application/json"),
])
def test_malformed_bodies_are_400(api, data, content_type):
    resp = api.client.post(V1, data=data, content_type=content_type, headers=api.v1_headers())
    assert resp.status_code == 400
    error = resp.get_json()["errors"][0]
    assert error["code"] == "10015" and error["title"] == "Bad Request" and error["detail"]


def test_lookback_is_an_option(make_api):
    api = make_api(vendor_options={"telnyx": {"max_lookback_days": 90}})
    assert api.create(start_time="2023-11-20T00:00:00Z").status_code == 200
    assert api.create(start_time="2023-11-10T00:00:00Z").status_code == 400


def test_v2_rules(api):
    ok = {"start_time": "2024-02-11T00:00:00Z", "end_time": "2024-02-12T00:00:00Z"}
    assert api.create_v2(ok).status_code == 200
    assert api.create_v2(dict(ok, source="fax-api")).status_code == 200
    cases = [
        ({"end_time": None}, "/end_time"),                                   # required in V2
        ({"start_time": "2024-02-11T00:00:00"}, "/start_time"),              # RFC 3339 wants an offset
        ({"start_time": "2024-02-11"}, "/start_time"),
        ({"connections": ["1684641123236054001"]}, "/connections/0"),        # integers in V2
        ({"fields": ["cost", "nope"]}, "/fields/1"),
        ({"fields": ["cost", "cost"]}, "/fields/1"),
        ({"fields": []}, "/fields"),
        ({"timezone": "Mars/Olympus"}, "/timezone"),
        ({"timezone": "x" * 300}, "/timezone"),
        ({"managed_accounts": ["x"]}, "/managed_accounts"),
        ({"include_all_metadata": "yes"}, "/include_all_metadata"),
        ({"select_all_managed_accounts": 1}, "/select_all_managed_accounts"),
        ({"source": "sms"}, "/source"),
    ]
    for extra, pointer in cases:
        body = dict(ok, **extra)
        if body["end_time"] is None:
            del body["end_time"]
        assert list(errors(api.create_v2(body))) == [pointer], extra
