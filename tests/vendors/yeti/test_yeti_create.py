"""POST /cdr-exports: the document, Location, JR's 400/415/406, the form's 422 texts and pointers."""
from __future__ import annotations

import json

import pytest

from mockcdr.settings import Settings

from yeti_helpers import ACME_BACKUP, ACME_PRIMARY, ACME_PRIMARY_ONLY, BASE, GLOBEX, JSONAPI, START, Yeti, export_body

# the seed's own request body (yeti's acceptance spec), pointed at a fixture account
SEED_BODY = {"data": {"type": "cdr-exports", "attributes": {"filters": {
    "time_start_gteq": "2019-01-01 00:00:00", "time_start_lt": "2019-01-02 00:00:00", "success_eq": True,
    "duration_eq": 60, "duration_gteq": 0, "duration_lteq": 100, "src_prefix_routing_eq": "123",
    "dst_prefix_routing_eq": "456"}}, "relationships": {"account": {"data": {"type": "accounts", "id": ACME_PRIMARY}}}}}


def error(title, detail, code, status, pointer=None):
    out = {"title": title, "detail": detail, "code": code}
    if pointer:
        out["source"] = {"pointer": pointer}
    out["status"] = status
    return out


def invalid(attribute, message, relationship=False):
    where = "relationships" if relationship else "attributes"
    return error(message, f"{attribute} - {message}", "100", "422", f"/data/{where}/{attribute}")


def test_create_answers_201_with_the_seed_document_shape_and_location(yeti):
    r = yeti.post("/cdr-exports", SEED_BODY)
    assert r.status_code == 201
    assert r.headers["Content-Type"] == JSONAPI
    doc = r.get_json()
    export_id = doc["data"]["id"]
    url = f"http://localhost{BASE}/cdr-exports/{export_id}"
    assert r.headers["Location"] == url
    assert doc == {"data": {
        "id": export_id, "type": "cdr-exports", "links": {"self": url},
        "attributes": {
            "filters": {"time_start_gteq": "2019-01-01T00:00:00.000Z", "time_start_lt": "2019-01-02T00:00:00.000Z",
                        "success_eq": True, "duration_eq": 60, "duration_gteq": 0, "duration_lteq": 100,
                        "src_prefix_routing_eq": "123", "dst_prefix_routing_eq": "456"},
            "status": "Pending", "rows-count": None, "created-at": "2026-07-18T10:00:00.000Z",
            "updated-at": "2026-07-18T10:00:00.000Z", "time-format": "with_timezone", "time-zone-name": None},
        "relationships": {"account": {"links": {"self": f"{url}/relationships/account",
                                                "related": f"{url}/account"}}}}}
    # keys in the order jsonapi-resources writes them
    assert list(doc["data"]) == ["id", "type", "links", "attributes", "relationships"]
    assert list(doc["data"]["attributes"]) == ["filters", "status", "rows-count", "created-at", "updated-at",
                                               "time-format", "time-zone-name"]


def test_the_jsonapi_client_path_with_a_trailing_slash_creates_too(yeti):
    assert yeti.post("/cdr-exports/", export_body()).status_code == 201


def test_filter_values_are_cast_as_activemodel_casts_them(yeti):
    data = yeti.create(filters={"time_start_gteq": "2026-07-15T02:00:00.123456+02:00", "time_start_lt": "2026-07-16",
                                "success_eq": "f", "duration_gteq": "12abc", "src_prefix_routing_eq": 1202,
                                "dst_prefix_routing_eq": "", "duration_lteq": None})
    assert data["attributes"]["filters"] == {"time_start_gteq": "2026-07-15T00:00:00.123Z",
                                             "time_start_lt": "2026-07-16T00:00:00.000Z", "success_eq": False,
                                             "duration_gteq": 12, "src_prefix_routing_eq": "1202"}


def test_time_format_and_zone_are_stored(yeti):
    attrs = yeti.create(time_format="round_to_seconds", time_zone_name="Europe/Kyiv")["attributes"]
    assert (attrs["time-format"], attrs["time-zone-name"]) == ("round_to_seconds", "Europe/Kyiv")
    attrs = yeti.create(time_format=None, time_zone_name="")["attributes"]
    assert (attrs["time-format"], attrs["time-zone-name"]) == ("with_timezone", "")


@pytest.mark.parametrize("body, errors", [
    (export_body(account=None), [invalid("account", "can't be blank", True)]),
    (export_body(account=GLOBEX), [invalid("account", "is invalid", True)]),
    (export_body(account="0b3c5a2e-6a0e-4a1e-9f0e-2d6b1c9f6c11"), [invalid("account", "is invalid", True)]),
    ({"data": {"type": "cdr-exports", "relationships": {"account": {"data": {"type": "accounts", "id": ACME_PRIMARY}}}}},
     [invalid("filters", "can't be blank")]),
    (export_body(filters={"time_start_lt": "2026-07-16"}), [invalid("filters", "requires time_start_gteq")]),
    (export_body(filters={"time_start_gteq": "2026-07-15"}), [invalid("filters", "requires time_start_lt")]),
    (export_body(filters={}), [invalid("filters", "requires time_start_gteq"),
                               invalid("filters", "requires time_start_lt")]),
    (export_body(filters={"time_start_gteq": "yesterday", "time_start_lt": "2026-02-30 00:00:00"}),
     [invalid("filters", "requires time_start_gteq"), invalid("filters", "requires time_start_lt")]),
    (export_body(filters={"time_start_gteq": "2026-07-15", "time_start_lt": "2026-07-16", "customer_id_eq": 5,
                          "customer_acc_id_eq": "7"}),
     [invalid("filters", "customer_id_eq, customer_acc_id_eq not allowed")]),
    (export_body(filters={"time_start_gteq": "2026-07-15", "time_start_lt": "2026-07-16", "foo": 1}),
     [invalid("filters", "foo not allowed")]),
    (export_body(filters={"time_start_gteq": "2026-07-15", "time_start_lteq": "2026-07-16"}),
     [invalid("filters", "time_start_lteq not allowed")]),
    (export_body(time_format="iso"),
     [invalid("time-format", "is not included in the list: with_timezone, without_timezone, round_to_seconds")]),
    (export_body(time_zone_name="Mars/Olympus"), [invalid("time-zone-name", "is not included in the list")]),
    (export_body(time_zone_name="europe/kyiv"), [invalid("time-zone-name", "is not included in the list")]),
    (export_body(account=None, filters={"bar": 1}, time_zone_name=3),
     [invalid("account", "can't be blank", True), invalid("filters", "bar not allowed"),
      invalid("filters", "requires time_start_gteq"), invalid("filters", "requires time_start_lt"),
      invalid("time-zone-name", "is not included in the list")]),
])
def test_validation_errors_have_yeti_texts_and_pointers(yeti, body, errors):
    r = yeti.post("/cdr-exports", body)
    assert r.status_code == 422
    assert r.headers["Content-Type"] == JSONAPI
    assert r.get_json() == {"errors": errors}


def test_the_api_access_whitelist_limits_the_accounts(client, rt):
    y = Yeti(client, rt)
    y.login(ACME_PRIMARY_ONLY)
    assert y.post("/cdr-exports", export_body(account=ACME_PRIMARY)).status_code == 201
    r = y.post("/cdr-exports", export_body(account=ACME_BACKUP))
    assert r.get_json() == {"errors": [invalid("account", "is invalid", True)]}


@pytest.mark.parametrize("settings", [Settings(vendors=("yeti",), clock_start=START, clock_frozen=True,
                                               vendor_options={"yeti": {"time_zone_case_insensitive": True}})])
def test_lower_case_zone_names_pass_when_the_option_says_so(yeti):
    assert yeti.create(time_zone_name="europe/kyiv")["attributes"]["time-zone-name"] == "europe/kyiv"


def bad(title, detail, code):
    return {"errors": [error(title, detail, code, "400")]}


@pytest.mark.parametrize("body, expected", [
    ({}, bad("Missing Parameter", "The required parameter, data, is missing.", "106")),
    ({"data": {}}, bad("Missing Parameter", "The required parameter, data, is missing.", "106")),
    ({"data": [export_body()["data"]]}, bad("Invalid data format", "Data must be a hash.", "122")),
    ({"data": {"attributes": {}}}, bad("Missing Parameter", "The required parameter, type, is missing.", "106")),
    ({"data": {"type": "exports"}}, bad("Invalid resource", "exports is not a valid resource.", "101")),
    ({"data": {"type": "cdr-exports", "attributes": "filters"}}, bad("Invalid data format", "Data must be a hash.",
                                                                     "122")),
])
def test_document_errors_are_jsonapi_resources_400s(yeti, body, expected):
    r = yeti.post("/cdr-exports", body)
    assert r.status_code == 400 and r.get_json() == expected


@pytest.mark.parametrize("key", ["time_zone_name", "time_format", "status", "rows-count", "callback-url"])
def test_attribute_keys_must_be_creatable_and_dasherized(yeti, key):
    body = export_body()
    body["data"]["attributes"][key] = "Europe/Kyiv"
    r = yeti.post("/cdr-exports", body)
    assert r.status_code == 400
    assert r.get_json() == bad("Param not allowed", f"{key} is not allowed.", "105")


@pytest.mark.parametrize("mutate, expected", [
    (lambda d: d.update(id="0b3c5a2e-6a0e-4a1e-9f0e-2d6b1c9f6c11"),
     bad("Param not allowed", "id is not allowed.", "105")),
    (lambda d: d.update(meta={}), bad("Param not allowed", "meta is not allowed.", "105")),
    (lambda d: d["relationships"].update(contractor={"data": None}),
     bad("Param not allowed", "contractor is not allowed.", "105")),
    (lambda d: d["relationships"]["account"]["data"].update(type="account"),
     bad("Type Mismatch", "account is not a valid type for this operation.", "116")),
    (lambda d: d["relationships"]["account"]["data"].update(id="42"),
     bad("Invalid field value", "42 is not a valid value for id.", "103")),
    (lambda d: d["relationships"]["account"].update(data={"id": ACME_PRIMARY}),
     bad("Invalid Links Object", "Data is not a valid Links Object.", "115")),
    (lambda d: d.update(type="cdr_exports"), None),
])
def test_relationship_and_data_keys_are_checked_like_jsonapi_resources(yeti, mutate, expected):
    body = export_body()
    mutate(body["data"])
    r = yeti.post("/cdr-exports", body)
    if expected is None:
        assert r.status_code == 201
    else:
        assert r.status_code == 400 and r.get_json() == expected


@pytest.mark.parametrize("content_type", ["application/json", "application/vnd.api+json; charset=utf-8", ""])
def test_create_needs_exactly_the_jsonapi_content_type(yeti, content_type):
    r = yeti.post("/cdr-exports", export_body(), content_type=content_type)
    assert r.status_code == 415
    assert r.get_json() == {"errors": [error(
        "Unsupported media type", "All requests that create or update must use the 'application/vnd.api+json' "
        f"Content-Type. This request specified '{content_type}'.", "415", "415")]}


@pytest.mark.parametrize("settings", [Settings(vendors=("yeti",), clock_start=START, clock_frozen=True,
                                               vendor_options={"yeti": {"strict_content_type": False}})])
def test_media_type_parameters_pass_when_not_strict(yeti):
    assert yeti.post("/cdr-exports", export_body(),
                     content_type="application/vnd.api+json; charset=utf-8").status_code == 201


@pytest.mark.parametrize("accept, status", [("application/json", 406), ("text/html,*/*", 406),
                                            ("application/vnd.api+json; ext=bulk", 406), ("*/*", 201),
                                            ("application/vnd.api+json, application/json", 201), (None, 201)])
def test_accept_must_allow_jsonapi(yeti, accept, status):
    headers = {"Authorization": yeti.jwt, "Content-Type": JSONAPI}
    if accept is not None:
        headers["Accept"] = accept
    r = yeti.client.post(f"{BASE}/cdr-exports", data=json.dumps(export_body()), headers=headers)
    assert r.status_code == status
    if status == 406:
        assert r.get_json() == {"errors": [error(
            "Not acceptable", "All requests must use the 'application/vnd.api+json' Accept without media type "
            f"parameters. This request specified '{accept}'.", "406", "406")]}


def test_unparseable_json_is_a_jsonapi_bad_request(yeti):
    r = yeti.post("/cdr-exports", "{not json")
    assert r.status_code == 400
    err = r.get_json()["errors"][0]
    assert (err["title"], err["code"], err["status"]) == ("Bad Request", "400", "400")


def test_each_create_makes_a_new_export(yeti):
    ids = {yeti.create()["id"] for _ in range(5)}
    assert len(ids) == 5
    assert yeti.get("/cdr-exports").get_json()["meta"]["total-count"] == 5
