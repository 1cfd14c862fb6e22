"""Authentication (Basic login -> JWT + refresh token on the virtual clock), user types and ACLs."""
from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from mor_support import QUICK_START, Api, basic, make_app

ENDPOINTS = [
    ("GET", "/automatic_cdr_exports", "v2_automatic_cdr_exports_index"),
    ("POST", "/automatic_cdr_exports", "v2_automatic_cdr_exports_create"),
    ("GET", "/automatic_cdr_exports/1", "v2_automatic_cdr_exports_show"),
    ("PUT", "/automatic_cdr_exports/1", "v2_automatic_cdr_exports_update"),
    ("PATCH", "/automatic_cdr_exports/1", "v2_automatic_cdr_exports_update"),
    ("DELETE", "/automatic_cdr_exports/1", "v2_automatic_cdr_exports_destroy"),
    ("PATCH", "/automatic_cdr_exports/1/active", "v2_automatic_cdr_exports_update_active"),
    ("GET", "/cdr_export_templates", "v2_cdr_export_templates_index"),
    ("GET", "/cdr_export_templates/5", "v2_cdr_export_templates_show"),
]


def _claims(token: str) -> tuple[dict, dict]:
    head, body, _sig = token.split(".")
    pad = lambda s: s + "=" * (-len(s) % 4)  # noqa: E731
    return (json.loads(base64.urlsafe_b64decode(pad(head))),
            json.loads(base64.urlsafe_b64decode(pad(body))))


@pytest.mark.parametrize("prefix", ["/billing/api/v2", "/api/v2"])
def test_login_gives_a_hs256_jwt_for_15_minutes_and_a_refresh_token(client, rt, prefix):
    resp = client.post(f"{prefix}/authentication/login", headers=basic("acme_admin"))
    assert resp.status_code == 200
    body = resp.get_json()
    assert set(body) == {"token", "refresh_token", "expires_in"} and body["expires_in"] == 900
    head, claims = _claims(body["token"])
    assert head == {"alg": "HS256", "typ": "JWT"}
    assert claims["sub"] == "acme_admin" and claims["exp"] - claims["iat"] == 900
    assert claims["iat"] == int(rt.clock.now().timestamp())
    listed = client.get(f"{prefix}/automatic_cdr_exports",
                        headers={"Authorization": f"Bearer {body['token']}"})
    assert listed.status_code == 200 and listed.get_json() == {"automatic_cdr_exports": []}


@pytest.mark.parametrize("headers", [
    basic("acme_admin", "wrong"), basic("nobody", "x"), {},
    {"Authorization": "Bearer something"}, {"Authorization": "Basic !!!"},
])
def test_login_refuses_bad_credentials(client, headers):
    resp = client.post("/billing/api/v2/authentication/login", headers=headers)
    assert resp.status_code == 401
    assert resp.get_json() == {"errors": "Unauthorized"}


def test_token_expires_after_15_virtual_minutes(api, rt):
    rt.clock.advance(timedelta(minutes=14, seconds=59))
    assert api.get("/automatic_cdr_exports").status_code == 200
    rt.clock.advance(timedelta(seconds=1))
    resp = api.get("/automatic_cdr_exports")
    assert resp.status_code == 401 and resp.get_json() == {"errors": "Unauthorized"}


def test_refresh_gives_a_new_token_until_the_refresh_token_expires_after_7_days(api, client, rt):
    refresh = api.tokens["refresh_token"]
    rt.clock.advance(timedelta(days=6, hours=23))
    assert api.get("/automatic_cdr_exports").status_code == 401
    resp = client.post("/api/v2/authentication/refresh", json={"refresh_token": refresh})
    assert resp.status_code == 200
    fresh = resp.get_json()
    assert fresh["refresh_token"] == refresh and fresh["token"] != api.tokens["token"]
    ok = client.get("/api/v2/automatic_cdr_exports", headers={"Authorization": f"Bearer {fresh['token']}"})
    assert ok.status_code == 200
    rt.clock.advance(timedelta(hours=1))
    resp = client.post("/api/v2/authentication/refresh", json={"refresh_token": refresh})
    assert resp.status_code == 401 and resp.get_json() == {"errors": "Unauthorized"}


def test_refresh_token_may_come_as_the_bearer_token(api, client):
    resp = client.post("/billing/api/v2/authentication/refresh",
                       headers={"Authorization": f"Bearer {api.tokens['refresh_token']}"})
    assert resp.status_code == 200 and resp.get_json()["token"]


@pytest.mark.parametrize("body", [{}, {"refresh_token": "nope"}, {"refresh_token": 5}])
def test_refresh_refuses_unknown_tokens(client, body):
    resp = client.post("/api/v2/authentication/refresh", json=body)
    assert resp.status_code == 401 and resp.get_json() == {"errors": "Unauthorized"}


def test_access_token_is_not_a_refresh_token_and_vice_versa(api, client):
    resp = client.post("/api/v2/authentication/refresh", json={"refresh_token": api.tokens["token"]})
    assert resp.status_code == 401
    resp = client.get("/api/v2/automatic_cdr_exports",
                      headers={"Authorization": f"Bearer {api.tokens['refresh_token']}"})
    assert resp.status_code == 401


def test_tampered_or_foreign_tokens_are_refused(api, client):
    head, body, sig = api.tokens["token"].split(".")
    claims = _claims(api.tokens["token"])[1]
    claims["user_id"] = 20
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    for token in (f"{head}.{forged}.{sig}", f"{head}.{body}.{sig[:-2]}xx", "a.b", ""):
        resp = client.get("/api/v2/automatic_cdr_exports", headers={"Authorization": f"Bearer {token}"})
        assert resp.status_code == 401 and resp.get_json() == {"errors": "Unauthorized"}
    other = make_app(seed="another-seed").test_client()
    resp = other.get("/api/v2/automatic_cdr_exports", headers=api.headers)
    assert resp.status_code == 401


def test_reset_revokes_tokens(api, rt):
    rt.reset()
    assert api.get("/automatic_cdr_exports").status_code == 401


def test_basic_auth_is_not_accepted_on_the_resource_endpoints(client):
    resp = client.get("/api/v2/automatic_cdr_exports", headers=basic("acme_admin"))
    assert resp.status_code == 401 and resp.get_json() == {"errors": "Unauthorized"}


@pytest.mark.parametrize("method,path,_perm", ENDPOINTS)
@pytest.mark.parametrize("username", ["acme_accountant", "acme_wholesale"])
def test_only_admins_pass(client, rt, username, method, path, _perm):
    api = Api(client, rt, username)
    resp = api.call(method, path, json={"active": True})
    assert resp.status_code == 401
    assert resp.get_json() == {"errors": "Unauthorized"}


@pytest.mark.parametrize("method,path,perm", ENDPOINTS)
def test_each_endpoint_needs_its_method_in_the_permission_group(tmp_path, method, path, perm):
    import yaml

    from mockcdr.resources import default_fixtures

    section = yaml.safe_load((default_fixtures() / "mor.yaml").read_text())["mor"]
    full = section["permission_groups"]["cdr_export_full"]
    section["permission_groups"]["all_but_one"] = [m for m in full if m != perm]
    for user in section["users"]:
        if user["username"] == "acme_admin":
            user["permission_group"] = "all_but_one"
    path_file = tmp_path / "mor.yaml"
    path_file.write_text(yaml.safe_dump({"mor": section}))
    app = make_app(fixtures=str(path_file))
    api = Api(app.test_client(), app.extensions["mockcdr"])
    resp = api.call(method, path, json=dict(QUICK_START))
    assert resp.status_code == 401
    assert resp.get_json() == {"errors": f"API method not permitted: {perm}"}
    # every other endpoint still passes the ACL (it answers something other than 401)
    for m, p, other in ENDPOINTS:
        if other != perm:
            assert api.call(m, p, json=dict(QUICK_START)).status_code != 401, (m, p)


def test_read_only_group_may_list_but_not_create(client, rt):
    auditor = Api(client, rt, "acme_auditor")
    assert auditor.get("/automatic_cdr_exports").status_code == 200
    assert auditor.get("/cdr_export_templates").status_code == 200
    resp = auditor.post("/automatic_cdr_exports", json=QUICK_START)
    assert resp.status_code == 401
    assert resp.get_json() == {"errors": "API method not permitted: v2_automatic_cdr_exports_create"}


def test_rotating_refresh_tokens_are_single_use():
    app = make_app(options={"rotate_refresh_tokens": True})
    client = app.test_client()
    api = Api(client, app.extensions["mockcdr"])
    first = client.post("/api/v2/authentication/refresh", json={"refresh_token": api.tokens["refresh_token"]})
    assert first.status_code == 200 and first.get_json()["refresh_token"] != api.tokens["refresh_token"]
    again = client.post("/api/v2/authentication/refresh", json={"refresh_token": api.tokens["refresh_token"]})
    assert again.status_code == 401


def test_configured_token_field_names_and_lifetime():
    app = make_app(options={"login_token_field": "jwt", "login_refresh_field": "refresh",
                            "token_ttl_seconds": 60})
    client = app.test_client()
    body = client.post("/api/v2/authentication/login", headers=basic("acme_admin")).get_json()
    assert set(body) == {"jwt", "refresh", "expires_in"} and body["expires_in"] == 60
    resp = client.post("/api/v2/authentication/refresh", json={"refresh": body["refresh"]})
    assert resp.status_code == 200 and "jwt" in resp.get_json()
