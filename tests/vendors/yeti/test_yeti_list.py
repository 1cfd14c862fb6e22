"""GET /cdr-exports: paging, meta, links, the filter set and its 400s, sort, include, sparse fields."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest

from yeti_helpers import ACME_BACKUP, ACME_PRIMARY, ACME_PRIMARY_ONLY, BASE, Yeti

URL = f"http://localhost{BASE}/cdr-exports"


@pytest.fixture
def five(yeti, rt):
    """Five exports a minute apart: [0] Completed, [1] Failed, [2] Deleted, [3] and [4] Pending."""
    rt.lifecycle.set_policy("yeti.cdr_export", {"mode": "manual"})
    ids = []
    for i in range(5):
        account = ACME_BACKUP if i == 4 else ACME_PRIMARY
        zone = "Europe/Kyiv" if i in (1, 3) else None
        fmt = "round_to_seconds" if i == 2 else "with_timezone"
        ids.append(yeti.create(account=account, time_zone_name=zone, time_format=fmt)["id"])
        rt.clock.advance(timedelta(minutes=1))
    rt.lifecycle.force(ids[0], "Completed")
    rt.lifecycle.force(ids[1], "Failed")
    rt.lifecycle.force(ids[2], "Completed")
    rt.lifecycle.force(ids[2], "Deleted")
    return ids


def listed(yeti, query=""):
    r = yeti.get(f"/cdr-exports{query}")
    assert r.status_code == 200, r.data
    return r.get_json()


def ids_of(doc):
    return [d["id"] for d in doc["data"]]


def test_default_order_is_newest_first_with_meta_and_links(yeti, five):
    doc = listed(yeti)
    assert ids_of(doc) == five[::-1]
    assert doc["meta"] == {"total-count": 5}
    assert doc["links"] == {"first": f"{URL}?page%5Bnumber%5D=1&page%5Bsize%5D=50",
                            "last": f"{URL}?page%5Bnumber%5D=1&page%5Bsize%5D=50"}
    assert list(doc) == ["data", "meta", "links"]


def test_links_escape_ampersands_as_rails_json_does(yeti, five):
    raw = yeti.get("/cdr-exports").data.decode()
    assert "page%5Bnumber%5D=1\\u0026page%5Bsize%5D=50" in raw


def test_paging_links_carry_filter_sort_include_and_fields(yeti, five):
    q = "?filter[status-in]=Pending,Completed&sort=-created_at&include=account&fields[accounts]=name&page[size]=1&page[number]=2"
    doc = listed(yeti, q)
    assert ids_of(doc) == [five[3]]
    assert doc["meta"] == {"total-count": 3}
    assert list(doc["links"]) == ["first", "prev", "next", "last"]
    carried = ("fields%5Baccounts%5D=name&filter%5Bstatus-in%5D=Pending%2CCompleted&include=account&"
               "page%5Bnumber%5D={n}&page%5Bsize%5D=1&sort=-created_at")
    assert doc["links"] == {name: f"{URL}?{carried.format(n=n)}"
                            for name, n in (("first", 1), ("prev", 1), ("next", 3), ("last", 3))}
    follow = listed(yeti, "?" + urlsplit(doc["links"]["next"]).query)
    assert ids_of(follow) == [five[0]]
    assert "next" not in follow["links"] and follow["links"]["prev"].endswith("page%5Bsize%5D=1&sort=-created_at")


def test_an_empty_page_still_links_first_and_last_page_one(yeti):
    doc = listed(yeti, "?page[number]=3")
    assert doc["data"] == [] and doc["meta"] == {"total-count": 0}
    assert set(doc["links"]) == {"first", "prev", "last"}
    assert dict(parse_qsl(urlsplit(doc["links"]["last"]).query)) == {"page[number]": "1", "page[size]": "50"}


def test_page_size_defaults_to_50_and_stops_at_1000(yeti, rt):
    for _ in range(51):
        yeti.create()
    assert len(listed(yeti)["data"]) == 50
    assert len(listed(yeti, "?page[number]=2")["data"]) == 1
    assert len(listed(yeti, "?page[size]=1000")["data"]) == 51


@pytest.mark.parametrize("query, detail", [
    ("?page[size]=0", "0 is not a valid value for size page parameter."),
    ("?page[size]=abc", "0 is not a valid value for size page parameter."),
    ("?page[size]=1001", "size exceeds maximum page size of 1000."),
    ("?page[number]=-1", "-1 is not a valid value for number page parameter."),
])
def test_bad_pages_are_400(yeti, query, detail):
    r = yeti.get(f"/cdr-exports{query}")
    assert r.status_code == 400
    assert r.get_json() == {"errors": [{"title": "Invalid page value", "detail": detail, "code": "118",
                                        "status": "400"}]}


@pytest.mark.parametrize("query, expected", [
    ("?filter[status_eq]=Pending", [4, 3]),
    ("?filter[status-not-eq]=Pending", [2, 1, 0]),
    ("?filter[status_in]=Failed,Deleted", [2, 1]),
    ("?filter[status_not_in]=Pending,Completed", [2, 1]),
    ("?filter[rows_count_gteq]=0", [2, 0]),
    ("?filter[rows_count_not_eq]=999999", [2, 0]),        # NULL rows-count matches no comparison
    ("?filter[created_at_gteq]=2026-07-18T10:02:00Z", [4, 3, 2]),
    ("?filter[created_at_lt]=2026-07-18 10:02:00", [1, 0]),
    ("?filter[created_at_gt]=not-a-time", [4, 3, 2, 1, 0]),   # ransack drops what it cannot cast
    ("?filter[updated_at_gt]=2026-07-18T10:04:00Z", [2, 1, 0]),
    ("?filter[time_zone_name_eq]=Europe/Kyiv", [3, 1]),
    ("?filter[time_zone_name_cont]=KYIV", [3, 1]),
    ("?filter[time_zone_name_start]=europe", [3, 1]),
    ("?filter[time_zone_name_not_eq]=Europe/Kyiv", []),     # NULL zones are not "not equal"
    ("?filter[time_zone_name_cont_any]=kyiv,paris", [3, 1]),
    (f"?filter[account_id_eq]={ACME_BACKUP}", [4]),
    (f"?filter[account_id_not_in]={ACME_BACKUP}", [3, 2, 1, 0]),
    (f"?filter[account_id_in]={ACME_BACKUP},{ACME_PRIMARY}", [4, 3, 2, 1, 0]),
    ("?filter[account_id_eq]=0b3c5a2e-6a0e-4a1e-9f0e-2d6b1c9f6c11", []),
    ("?filter[time_format]=round_to_seconds", [2]),
    ("?filter[time_format]=round_to_seconds,with_timezone", [4, 3, 2, 1, 0]),
    ("?filter[status_eq]=", [4, 3, 2, 1, 0]),
])
def test_filters_select_exports(yeti, five, query, expected):
    assert ids_of(listed(yeti, query)) == [five[i] for i in expected]


def test_the_id_filter_takes_uuids(yeti, five):
    assert ids_of(listed(yeti, f"?filter[id]={five[1]},{five[3].upper()}")) == [five[3], five[1]]


@pytest.mark.parametrize("query, title, detail, code", [
    ("?filter[status_eq]=test", "Invalid filter value", "test is not a valid value for status_eq.", "107"),
    ("?filter[status_in]=Pending,Nope", "Invalid filter value", "Nope is not a valid value for status_in.", "107"),
    ("?filter[status_eq]=Pending,Failed", "Invalid filter value", "Pending,Failed is not a valid value for status_eq.",
     "107"),
    ("?filter[rows_count_eq]=1,2", "Invalid filter value", "1,2 is not a valid value for rows_count_eq.", "107"),
    ("?filter[time_format]=bogus", "Invalid filter value", "bogus is not a valid value for with_timezone.", "107"),
    ("?filter[foo]=1", "Filter not allowed", "foo is not allowed.", "102"),
    ("?filter[rows_count_cont]=1", "Filter not allowed", "rows_count_cont is not allowed.", "102"),
    ("?filter=abc", "Invalid filters syntax", "abc is not a valid syntax for filtering.", "120"),
    ("?filter[id]=42", "Invalid field value", "42 is not a valid value for id.", "103"),
    ("?sort=filters", "Invalid sort criteria", "filters is not a valid sort criteria for cdr-exports", "114"),
    ("?sort=-foo-bar", "Invalid sort criteria", "foo_bar is not a valid sort criteria for cdr-exports", "114"),
    ("?include=customer", "Invalid field", "customer is not a valid relationship of cdr-exports", "112"),
    ("?include=account.contractor", "Invalid field", "contractor is not a valid relationship of accounts", "112"),
    ("?fields[cdr_exports]=status", "Invalid resource", "cdr_exports is not a valid resource.", "101"),
    ("?fields[cdr-exports]=status,foo", "Invalid field", "foo is not a valid field for cdr-exports.", "104"),
    ("?fields=status", "Invalid field format", "Fields must specify a type.", "119"),
])
def test_bad_parameters_are_400_with_jsonapi_resources_texts(yeti, five, query, title, detail, code):
    r = yeti.get(f"/cdr-exports{query}")
    assert r.status_code == 400
    assert r.get_json() == {"errors": [{"title": title, "detail": detail, "code": code, "status": "400"}]}


def test_parse_errors_come_before_filter_value_errors(yeti):
    r = yeti.get("/cdr-exports?filter[status_eq]=bad&page[size]=0")
    assert r.get_json()["errors"][0]["title"] == "Invalid page value"


@pytest.mark.parametrize("sort, expected", [
    ("created-at", [0, 1, 2, 3, 4]),
    ("-created_at", [4, 3, 2, 1, 0]),
    ("status,-created-at", [2, 0, 1, 4, 3]),
    ("rows-count,created-at", [0, 2, 1, 3, 4]),        # NULLs last ascending
    ("-rows-count,created-at", [1, 3, 4, 0, 2]),       # NULLs first descending
    ("-time-zone-name,created_at", [0, 2, 4, 1, 3]),
    ("time_format,created_at", [2, 0, 1, 3, 4]),
])
def test_sort(yeti, five, rt, sort, expected):
    rt.lifecycle.force(five[2], "Completed")           # give [2] a rows-count of its own order
    assert ids_of(listed(yeti, f"?sort={sort}")) == [five[i] for i in expected]


def test_include_account_adds_linkage_and_each_account_once(yeti, five):
    doc = listed(yeti, "?include=account")
    assert [d["relationships"]["account"]["data"] for d in doc["data"]] == (
        [{"type": "accounts", "id": ACME_BACKUP}] + [{"type": "accounts", "id": ACME_PRIMARY}] * 4)
    assert [a["id"] for a in doc["included"]] == [ACME_BACKUP, ACME_PRIMARY]
    assert list(doc) == ["data", "included", "meta", "links"]


def test_sparse_fieldsets(yeti, five):
    doc = listed(yeti, "?fields[cdr-exports]=status,rows-count&include=account&fields[accounts]=name,currency")
    first = doc["data"][0]
    assert first["attributes"] == {"status": "Pending", "rows-count": None}
    assert "relationships" not in first
    assert doc["included"][0]["attributes"] == {"name": "ACME USD backup", "currency": "USD"}
    doc = listed(yeti, "?fields[cdr-exports]=account")
    assert "attributes" not in doc["data"][0] and "account" in doc["data"][0]["relationships"]


def test_the_whitelist_narrows_what_a_login_sees(client, rt, five):
    y = Yeti(client, rt)
    y.login(ACME_PRIMARY_ONLY)
    assert ids_of(listed(y)) == five[3::-1]
    assert y.get(f"/cdr-exports/{five[4]}").status_code == 404


@pytest.mark.parametrize("query", ["?filter[status_eq]=", "?filter[status_eq]=&filter[status_in]=",
                                   "?filter[rows_count_gt]=&filter[account_id_eq]="])
def test_a_blank_ransack_filter_value_drops_the_condition(yeti, five, query):
    """Ransack ignores blank values (yeti's own time_format and id filters do not go through it)."""
    doc = listed(yeti, query)
    assert ids_of(doc) == five[::-1]
    assert doc["meta"] == {"total-count": 5}


def test_a_blank_time_format_filter_matches_no_export(yeti, five):
    doc = listed(yeti, "?filter[time_format]=")
    assert ids_of(doc) == [] and doc["meta"] == {"total-count": 0}
