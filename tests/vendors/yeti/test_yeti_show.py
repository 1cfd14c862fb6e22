"""GET one export, its account relationship and related account; 400/404 bodies; routes Rails lacks."""
from __future__ import annotations

import pytest

from yeti_helpers import ACME_PRIMARY, BASE, JSONAPI

UNKNOWN = "0b3c5a2e-6a0e-4a1e-9f0e-2d6b1c9f6c11"


def not_found(key):
    return {"errors": [{"title": "Record not found", "detail": f"The record identified by {key} could not be found.",
                        "code": "404", "status": "404"}]}


def test_show_returns_the_export_without_meta(yeti):
    created = yeti.create()
    r = yeti.get(f"/cdr-exports/{created['id']}")
    assert r.status_code == 200 and r.headers["Content-Type"] == JSONAPI
    assert r.get_json() == {"data": created}


def test_show_with_include_account(yeti):
    export_id = yeti.create()["id"]
    doc = yeti.get(f"/cdr-exports/{export_id}?include=account").get_json()
    assert doc["data"]["relationships"]["account"]["data"] == {"type": "accounts", "id": ACME_PRIMARY}
    assert doc["included"] == [{
        "id": ACME_PRIMARY, "type": "accounts", "links": {"self": f"http://localhost{BASE}/accounts/{ACME_PRIMARY}"},
        "attributes": {"name": "ACME USD primary", "balance": "1523.4", "min-balance": "0.0",
                       "max-balance": "50000.0", "destination-rate-limit": None, "origination-capacity": 30,
                       "termination-capacity": 30, "total-capacity": 60, "currency": "USD"}}]


@pytest.mark.parametrize("suffix", ["", "/relationships/account", "/account"])
def test_unknown_ids_are_jsonapi_404s(yeti, suffix):
    r = yeti.get(f"/cdr-exports/{UNKNOWN}{suffix}")
    assert r.status_code == 404 and r.get_json() == not_found(UNKNOWN)


def test_the_download_of_an_unknown_id_is_a_jsonapi_404(yeti):
    r = yeti.download(UNKNOWN)
    assert r.status_code == 404 and r.get_json() == not_found(UNKNOWN)


@pytest.mark.parametrize("suffix", ["", "/relationships/account", "/account", "/download"])
def test_ids_that_are_not_uuids_are_400(yeti, suffix):
    r = yeti.client.get(f"{BASE}/cdr-exports/42{suffix}", headers={"Authorization": yeti.jwt})
    assert r.status_code == 400
    assert r.get_json() == {"errors": [{"title": "Invalid field value", "detail": "42 is not a valid value for id.",
                                        "code": "103", "status": "400"}]}


def test_upper_case_uuids_find_the_export(yeti):
    export_id = yeti.create()["id"]
    assert yeti.get(f"/cdr-exports/{export_id.upper()}").get_json()["data"]["id"] == export_id


def test_relationship_linkage_and_related_account(yeti):
    export_id = yeti.create()["id"]
    url = f"http://localhost{BASE}/cdr-exports/{export_id}"
    r = yeti.get(f"/cdr-exports/{export_id}/relationships/account")
    assert r.status_code == 200
    assert r.get_json() == {"links": {"self": f"{url}/relationships/account", "related": f"{url}/account"},
                            "data": {"type": "accounts", "id": ACME_PRIMARY}}
    account = yeti.get(f"/cdr-exports/{export_id}/account?fields[accounts]=name").get_json()
    assert account == {"data": {"id": ACME_PRIMARY, "type": "accounts",
                                "links": {"self": f"http://localhost{BASE}/accounts/{ACME_PRIMARY}"},
                                "attributes": {"name": "ACME USD primary"}}}
    r = yeti.get(f"/cdr-exports/{export_id}/account?include=account")
    assert r.status_code == 400 and r.get_json()["errors"][0]["detail"] == (
        "account is not a valid relationship of accounts")


@pytest.mark.parametrize("suffix", ["/", "/relationships/account/", "/account/"])
def test_trailing_slashes_are_accepted(yeti, suffix):
    export_id = yeti.create()["id"]
    assert yeti.get(f"/cdr-exports/{export_id}{suffix}").status_code == 200
    assert yeti.get("/cdr-exports/").status_code == 200
    assert yeti.client.get(f"{BASE}/auth/", headers={"Authorization": yeti.jwt}).status_code == 200


@pytest.mark.parametrize("method", ["PATCH", "DELETE", "PUT", "OPTIONS"])
def test_methods_yeti_does_not_route_get_rails_404_page(yeti, method):
    export_id = yeti.create()["id"]
    r = yeti.client.open(f"{BASE}/cdr-exports/{export_id}", method=method, headers={"Authorization": yeti.jwt})
    assert r.status_code == 404
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"The page you were looking for doesn't exist" in r.data
    assert yeti.get(f"/cdr-exports/{export_id}").status_code == 200


def test_unknown_paths_answer_json_clients_in_rails_json(client):
    r = client.get(f"{BASE}/accounts", headers={"Accept": "application/json"})
    assert r.status_code == 404 and r.get_json() == {"status": 404, "error": "Not Found"}


def test_responses_carry_rails_default_headers_and_an_etag(yeti):
    r = yeti.get("/cdr-exports")
    assert r.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Cache-Control"] == "max-age=0, private, must-revalidate"
    assert r.headers["ETag"].startswith('W/"') and len(r.headers["ETag"]) == 36
    assert yeti.get(f"/cdr-exports/{UNKNOWN}").headers["Cache-Control"] == "no-cache"


def test_every_response_has_its_own_request_id_a_version_4_uuid_as_rails_gives(yeti):
    import uuid

    ids = [yeti.get("/cdr-exports").headers["X-Request-Id"] for _ in range(50)]
    assert len(set(ids)) == 50
    for text in ids:
        value = uuid.UUID(text)
        assert str(value) == text and value.version == 4 and value.variant == uuid.RFC_4122
    r = yeti.get("/cdr-exports")
    assert [name for name, _ in r.headers].count("X-Request-Id") == 1
    assert float(r.headers["X-Runtime"]) >= 0
