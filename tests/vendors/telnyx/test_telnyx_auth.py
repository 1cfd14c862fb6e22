"""Authentication (V1 headers, Token, Bearer) and per-account isolation."""
from __future__ import annotations

import pytest

V1 = "/reporting/cdr_requests"
V2 = "/v2/legacy/reporting/batch_detail_records/voice"
# Telnyx's real 401 body, as its spec and a captured response show it.
AUTH_FAILED = (b'{"errors":[{"code":"10009","title":"Authentication failed","detail":"The required '
               b'authentication headers were either invalid or not included in the request.","meta":'
               b'{"url":"https://developers.telnyx.com/docs/overview/errors/10009"}}]}')


@pytest.mark.parametrize("scheme", ["v1_headers", "token", "bearer"])
def test_every_v1_scheme_reaches_the_account(api, scheme):
    headers = getattr(api, scheme)("globex")
    resp = api.client.get(V1, headers=headers)
    assert resp.status_code == 200
    created = api.created(account="globex")
    assert [r["id"] for r in api.client.get(V1, headers=headers).get_json()] == [created["id"]]


@pytest.mark.parametrize("headers", [
    {},
    {"x-api-user": "ops@acme.example"},
    {"x-api-token": "fake-v1-token-acme-0001"},
    {"x-api-user": "noc@globex.example", "x-api-token": "fake-v1-token-acme-0001"},
    {"x-api-user": "ops@acme.example", "x-api-token": "wrong"},
    {"Authorization": "Token wrong"},
    {"Authorization": "Bearer wrong"},
    {"Authorization": "Basic b3BzOnNlY3JldA=="},
    {"Authorization": "fake-v1-token-acme-0001"},
])
def test_bad_or_missing_credentials_get_telnyx_401(api, headers):
    for method, path in (("GET", V1), ("POST", V1), ("GET", f"{V1}/x"), ("DELETE", f"{V1}/x")):
        resp = api.client.open(path, method=method, headers=headers, json={})
        assert resp.status_code == 401
        assert resp.data == AUTH_FAILED
        assert resp.mimetype == "application/json"


def test_v1_headers_win_over_the_sdk_bearer(api):
    """The SDK always sends its Bearer key; x-api-user/x-api-token added by the client decide."""
    headers = dict(api.v1_headers("globex"), Authorization="Bearer not-a-key")
    assert api.client.get(V1, headers=headers).status_code == 200
    bad = dict(api.bearer("acme"), **{"x-api-user": "ops@acme.example", "x-api-token": "wrong"})
    assert api.client.get(V1, headers=bad).status_code == 401


def test_user_header_is_case_insensitive(api):
    headers = {"x-api-user": "OPS@Acme.Example", "x-api-token": "fake-v1-token-acme-0001"}
    assert api.client.get(V1, headers=headers).status_code == 200


def test_v2_takes_only_bearer(api):
    assert api.client.get(V2, headers=api.bearer()).status_code == 200
    for headers in (api.v1_headers(), api.token(), {}):
        resp = api.client.get(V2, headers=headers)
        assert resp.status_code == 401 and resp.data == AUTH_FAILED
    assert api.client.get(f"{V2}/fields", headers=api.token()).status_code == 401


def test_another_accounts_request_is_not_found(api):
    mine = api.created(account="acme")
    for headers in (api.v1_headers("globex"), api.bearer("globex")):
        resp = api.client.get(f"{V1}/{mine['id']}", headers=headers)
        assert resp.status_code == 404
        assert resp.get_json()["errors"][0]["code"] == "10005"
        assert api.client.delete(f"{V1}/{mine['id']}", headers=headers).status_code == 404
    assert api.client.get(f"{V2}/{mine['id']}", headers=api.bearer("globex")).status_code == 404
    assert api.client.delete(f"{V2}/{mine['id']}", headers=api.bearer("globex")).status_code == 404
    assert api.client.get(V1, headers=api.v1_headers("globex")).get_json() == []
    assert api.client.get(V2, headers=api.bearer("globex")).get_json()["meta"]["total_results"] == 0
    # still there for its owner
    assert api.show(mine["id"]).status_code == 200


def test_the_journal_names_the_tenant(api):
    api.created(account="initech")
    entry = api.rt.journal.query(limit=1)[-1]
    assert entry["tenant"] == "initech" and entry["operation"] == "addCdrRequest"
