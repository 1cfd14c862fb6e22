"""The export list: pagination with absolute links, total_records, filter[...] and sort."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

IN_2026 = {"export_type": "cdr_in", "filters": {"from": "2026-04-01 00:00:00", "to": "2026-04-03 00:00:00"}}


@pytest.fixture
def five(api, rt):
    """Five globex exports a second apart, references r5..r1 (so reference order is reversed)."""
    ids = []
    for i in range(5):
        ids.append(api.create_ok({**IN_2026, "external_reference_id": f"r{5 - i}"})["id"])
        rt.clock.advance(timedelta(seconds=1))
    return ids


def page_of(link: str) -> tuple[str, str]:
    q = parse_qs(urlsplit(link).query)
    return q["page[number]"][0], q["page[size]"][0]


def test_default_page_and_links(api, five):
    doc = api.get("/v3/exports").json
    assert [d["id"] for d in doc["data"]] == five          # oldest first
    assert doc["meta"] == {"total_records": 5, "api_version": "2026-04-16"}
    assert doc["links"] == {
        "first": "http://localhost/v3/exports?page%5Bnumber%5D=1&page%5Bsize%5D=50",
        "last": "http://localhost/v3/exports?page%5Bnumber%5D=1&page%5Bsize%5D=50"}


def test_pages_and_prev_next(api, five):
    doc = api.get("/v3/exports?page[number]=2&page[size]=2").json
    assert [d["id"] for d in doc["data"]] == five[2:4]
    assert doc["meta"]["total_records"] == 5
    assert {k: page_of(v) for k, v in doc["links"].items()} == {
        "first": ("1", "2"), "prev": ("1", "2"), "next": ("3", "2"), "last": ("3", "2")}
    last = api.get("/v3/exports?page[number]=3&page[size]=2").json
    assert [d["id"] for d in last["data"]] == five[4:]
    assert "next" not in last["links"] and "prev" in last["links"]
    beyond = api.get("/v3/exports?page[number]=9&page[size]=2").json
    assert beyond["data"] == [] and beyond["meta"]["total_records"] == 5


def test_links_use_the_requests_own_host_and_keep_filters(api, five):
    resp = api.client.get("/v3/exports?filter[external_reference_id]=r1,r2&sort=-created_at&page[size]=1",
                          headers=api.headers(), base_url="https://mock.example:8443")
    doc = resp.json
    assert doc["meta"]["total_records"] == 2
    assert [d["attributes"]["external_reference_id"] for d in doc["data"]] == ["r1"]
    assert doc["links"]["next"] == ("https://mock.example:8443/v3/exports?filter%5Bexternal_reference_id%5D="
                                    "r1%2Cr2&page%5Bnumber%5D=2&page%5Bsize%5D=1&sort=-created_at")


def test_filter_by_id_any_of_a_list(api, five):
    doc = api.get(f"/v3/exports?filter[id]={five[3]},{five[0]},nope").json
    assert [d["id"] for d in doc["data"]] == [five[0], five[3]]


@pytest.mark.parametrize("sort,expect", [
    ("-created_at", [4, 3, 2, 1, 0]),
    ("external_reference_id", [4, 3, 2, 1, 0]),
    ("-external_reference_id", [0, 1, 2, 3, 4]),
    ("status,-created_at", [4, 3, 2, 1, 0]),     # pending before completed (lifecycle order)
    ("-status,created_at", [0, 1, 2, 3, 4]),
])
def test_sort(api, rt, five, sort, expect):
    for i in (0, 1):
        rt.lifecycle.force(five[i], "completed")
    doc = api.get(f"/v3/exports?sort={sort}").json
    assert [d["id"] for d in doc["data"]] == [five[i] for i in expect]


def test_legacy_versions_sort_by_status_and_created_at_only(api):
    api.create_ok({"export_type": "cdr_in", "filters": {"year": 2026, "month": 4}}, customer="acme")
    assert api.get("/v3/exports?sort=-status", customer="acme").status_code == 200
    resp = api.get("/v3/exports?sort=external_reference_id", customer="acme")
    assert resp.status_code == 400
    assert resp.json["errors"][0] == {
        "title": "Invalid sort criteria", "code": "114", "status": "400",
        "detail": "external_reference_id is not a valid sort criteria for exports"}
    resp = api.get("/v3/exports?filter[external_reference_id]=a", customer="acme")
    assert resp.status_code == 400 and resp.json["errors"][0]["code"] == "102"


@pytest.mark.parametrize("query,code,detail", [
    ("filter[bogus]=1", "102", "bogus is not allowed."),
    ("filter[from]=2026-04-01", "102", "from is not allowed."),
    ("sort=url", "114", "url is not a valid sort criteria for exports"),
    ("page[size]=0", "118", "0 is not a valid value for size page parameter."),
    ("page[size]=abc", "118", "0 is not a valid value for size page parameter."),
    ("page[size]=1001", "118", "size exceeds maximum page size of 1000."),
    ("page[number]=-1", "118", "-1 is not a valid value for number page parameter."),
    ("page[offset]=1", "105", "offset is not an allowed page parameter."),
])
def test_bad_list_parameters(api, query, code, detail):
    resp = api.get(f"/v3/exports?{query}")
    assert resp.status_code == 400
    assert resp.json["errors"] == [{"title": resp.json["errors"][0]["title"], "detail": detail, "code": code,
                                    "status": "400"}]


def test_page_size_limits(api, rt):
    for _ in range(3):
        api.create_ok(IN_2026)
    assert len(api.get("/v3/exports?page[size]=1000").json["data"]) == 3
    assert len(api.get("/v3/exports?page[size]=2").json["data"]) == 2


def test_deleted_exports_leave_the_list(api, rt):
    first = api.create_ok(IN_2026)
    rt.lifecycle.force(first["id"], "completed")
    api.create_ok(IN_2026)
    rt.clock.advance(timedelta(days=30, seconds=1))
    doc = api.get("/v3/exports").json
    assert doc["meta"]["total_records"] == 1
    assert first["id"] not in [d["id"] for d in doc["data"]]
