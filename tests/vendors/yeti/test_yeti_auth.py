"""POST/GET/DELETE /auth, the JWT on the virtual clock, header and cookie tokens, allowed_ips."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

import pytest

from mockcdr.settings import Settings

from yeti_helpers import ACME, ACME_PRIMARY_ONLY, BASE, JSONAPI, START, Yeti

AUTH_FAILED = {"errors": [{"title": "Authentication failed", "detail": "Incorrect login or password.",
                           "code": "401", "status": "401"}]}
AUTHZ_FAILED = {"errors": [{"title": "Authorization failed", "detail": "Authorization token expired or incorrect.",
                            "code": "401", "status": "401"}]}
NOW = int(datetime(2026, 7, 18, 10, tzinfo=timezone.utc).timestamp())
SECRET = "a-secret-these-tests-sign-with"


@pytest.fixture
def settings() -> Settings:
    """Known to the tests, which make tokens themselves (without it each session draws a random key)."""
    return Settings(vendors=("yeti",), seed="yeti-tests", clock_start=START, clock_frozen=True,
                    vendor_options={"yeti": {"jwt_secret": SECRET}})


def b64d(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(header: dict, claims: dict, secret: str = SECRET) -> str:
    head = b64e(json.dumps(header, separators=(",", ":")).encode())
    body = b64e(json.dumps(claims, separators=(",", ":")).encode())
    sig = hmac.new(secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64e(sig)}"


def login(client, credentials=ACME, **kw):
    return client.post(f"{BASE}/auth", json={"auth": {"login": credentials[0], "password": credentials[1]}}, **kw)


def test_login_returns_an_hs256_jwt_for_the_api_access_expiring_after_600_virtual_seconds(client):
    r = login(client)
    assert r.status_code == 201
    assert r.headers["Content-Type"] == "application/json; charset=utf-8"
    token = r.get_json()["jwt"]
    head, body, sig = token.split(".")
    assert json.loads(b64d(head)) == {"alg": "HS256"}
    assert b64d(body) == json.dumps({"aud": ["customer-v1"], "sub": 15, "exp": NOW + 600},
                                    separators=(",", ":")).encode()
    assert b64d(sig) == hmac.new(SECRET.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()


@pytest.mark.parametrize("credentials", [("acme-api", "wrong"), ("nobody", "acme-fake-password"), ("", "")])
def test_bad_credentials_get_authentication_failed(client, credentials):
    r = login(client, credentials)
    assert r.status_code == 401
    assert r.get_json() == AUTH_FAILED
    assert r.headers["Content-Type"] == "application/json; charset=utf-8"


def test_a_form_encoded_login_works_as_rails_params(client):
    r = client.post(f"{BASE}/auth", data={"auth[login]": ACME[0], "auth[password]": ACME[1]})
    assert r.status_code == 201 and "jwt" in r.get_json()


@pytest.mark.parametrize("body", [{}, {"auth": {}}, {"login": "acme-api", "password": "x"}])
def test_login_without_an_auth_object_is_a_rails_400(client, body):
    r = client.post(f"{BASE}/auth", json=body, headers={"Accept": "application/json"})
    assert r.status_code == 400
    assert r.get_json() == {"status": 400, "error": "Bad Request"}


def test_cookie_auth_sets_the_session_cookie_and_returns_no_body(client):
    r = client.post(f"{BASE}/auth", json={"auth": {"login": ACME[0], "password": ACME[1], "cookie_auth": "true"}})
    assert r.status_code == 201 and r.data == b""
    cookie = r.headers["Set-Cookie"]
    name, _, rest = cookie.partition("=")
    token, *attrs = rest.split("; ")
    assert name == "_yeti_customer_v1_session"
    assert attrs[:2] == ["path=/", "max-age=600"] and attrs[3:] == ["httponly", "samesite=lax"]
    # the cookie's expiry is on the real clock (the virtual one says 2026-07-18 10:00)
    assert attrs[2].startswith("expires=")
    assert abs(parsedate_to_datetime(attrs[2][len("expires="):]) - datetime.now(timezone.utc)
               - timedelta(seconds=600)) < timedelta(seconds=30)
    claims = json.loads(b64d(token.split(".")[1]))
    assert claims["sub"] == 15 and claims["exp"] == NOW + 600          # the JWT's, virtual


def test_resources_accept_the_bare_token_and_bearer(yeti):
    assert yeti.client.get(f"{BASE}/cdr-exports", headers={"Authorization": yeti.jwt}).status_code == 200
    assert yeti.client.get(f"{BASE}/cdr-exports", headers={"Authorization": f"Bearer {yeti.jwt}"}).status_code == 200


@pytest.mark.parametrize("path", ["/cdr-exports", "/cdr-exports/0b3c5a2e-6a0e-4a1e-9f0e-2d6b1c9f6c11",
                                  "/cdr-exports/0b3c5a2e-6a0e-4a1e-9f0e-2d6b1c9f6c11/download",
                                  "/cdr-exports/0b3c5a2e-6a0e-4a1e-9f0e-2d6b1c9f6c11/relationships/account",
                                  "/cdr-exports/0b3c5a2e-6a0e-4a1e-9f0e-2d6b1c9f6c11/account"])
def test_every_resource_refuses_a_missing_token_with_authorization_failed(client, path):
    r = client.get(f"{BASE}{path}")
    assert r.status_code == 401
    assert r.get_json() == AUTHZ_FAILED
    assert r.headers["Content-Type"] == JSONAPI


def test_create_refuses_a_missing_token(client):
    r = client.post(f"{BASE}/cdr-exports", data="{}", headers={"Content-Type": JSONAPI})
    assert r.status_code == 401 and r.get_json() == AUTHZ_FAILED


def forged(kind: str) -> str:
    claims = {"aud": ["customer-v1"], "sub": 15, "exp": NOW + 600}
    if kind == "tampered":
        good = sign({"alg": "HS256"}, claims)
        head, _, sig = good.split(".")
        return f"{head}.{b64e(json.dumps(dict(claims, sub=21)).encode())}.{sig}"
    if kind == "other secret":
        return sign({"alg": "HS256"}, claims, secret="not-the-secret")
    if kind == "wrong audience":
        return sign({"alg": "HS256"}, dict(claims, aud=["admin"]))
    if kind == "alg none":
        return b64e(b'{"alg":"none"}') + "." + b64e(json.dumps(claims).encode()) + "."
    if kind == "unknown sub":
        return sign({"alg": "HS256"}, dict(claims, sub=999))
    if kind == "dynamic sub":
        return sign({"alg": "HS256"}, dict(claims, sub="D"))
    if kind == "expired":
        return sign({"alg": "HS256"}, dict(claims, exp=NOW))
    return "not-a-jwt"


@pytest.mark.parametrize("kind", ["tampered", "other secret", "wrong audience", "alg none", "unknown sub",
                                  "dynamic sub", "expired", "garbage"])
def test_invalid_tokens_are_refused(client, kind):
    r = client.get(f"{BASE}/cdr-exports", headers={"Authorization": forged(kind)})
    assert r.status_code == 401 and r.get_json() == AUTHZ_FAILED


def test_a_token_signed_with_the_secret_and_string_audience_is_accepted(client):
    token = sign({"alg": "HS256"}, {"aud": "customer-v1", "sub": 15, "exp": NOW + 60})
    assert client.get(f"{BASE}/cdr-exports", headers={"Authorization": token}).status_code == 200


def test_tokens_expire_on_the_virtual_clock(yeti, rt):
    yeti.rt.clock.advance(timedelta(seconds=599))
    assert yeti.get("/cdr-exports").status_code == 200
    rt.clock.advance(timedelta(seconds=1))
    r = yeti.get("/cdr-exports")
    assert r.status_code == 401 and r.get_json() == AUTHZ_FAILED


@pytest.mark.parametrize("settings", [Settings(vendors=("yeti",), clock_start=START, clock_frozen=True,
                                               vendor_options={"yeti": {"token_lifetime": 60,
                                                                        "jwt_secret": "s3cret"}})])
def test_lifetime_and_secret_are_options(client, rt):
    token = login(client).get_json()["jwt"]
    head, body, sig = token.split(".")
    assert json.loads(b64d(body))["exp"] == NOW + 60
    assert b64d(sig) == hmac.new(b"s3cret", f"{head}.{body}".encode(), hashlib.sha256).digest()
    rt.clock.advance(timedelta(seconds=60))
    assert client.get(f"{BASE}/cdr-exports", headers={"Authorization": token}).status_code == 401


@pytest.mark.parametrize("settings", [Settings(vendors=("yeti",), clock_start=START, clock_frozen=True,
                                               vendor_options={"yeti": {"token_lifetime": None}})])
def test_a_blank_lifetime_issues_tokens_without_exp(client, rt):
    token = login(client).get_json()["jwt"]
    assert "exp" not in json.loads(b64d(token.split(".")[1]))
    rt.clock.advance(timedelta(days=3650))
    assert client.get(f"{BASE}/cdr-exports", headers={"Authorization": token}).status_code == 200


def test_allowed_ips_use_x_real_ip_then_the_remote_address(client):
    assert login(client, ACME_PRIMARY_ONLY).status_code == 201            # 127.0.0.1 is allowed
    r = login(client, ACME_PRIMARY_ONLY, headers={"X-Real-IP": "203.0.113.9"})
    assert r.status_code == 401 and r.get_json() == AUTH_FAILED
    r = login(client, ACME_PRIMARY_ONLY, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert r.status_code == 401
    r = login(client, ACME_PRIMARY_ONLY, headers={"X-Real-IP": "127.0.0.1"},
              environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert r.status_code == 201
    assert login(client, ACME, headers={"X-Real-IP": "203.0.113.9"}).status_code == 201   # no allowlist


def test_get_auth_reports_allow_rec_with_a_bearer_token(yeti, client):
    r = client.get(f"{BASE}/auth", headers={"Authorization": f"Bearer {yeti.jwt}"})
    assert r.status_code == 200 and r.get_json() == {"allow-rec": True}
    assert r.headers["Content-Type"] == "application/json; charset=utf-8"
    r = client.get(f"{BASE}/auth")
    assert r.status_code == 401 and r.get_json() == AUTHZ_FAILED
    assert r.headers["Content-Type"] == "application/json; charset=utf-8"


def test_delete_auth_expires_the_cookie(client):
    r = client.delete(f"{BASE}/auth")
    assert r.status_code == 204 and r.data == b""
    assert r.headers["Set-Cookie"] == ("_yeti_customer_v1_session=logout; path=/; max-age=0; "
                                       "expires=Thu, 01 Jan 1970 00:00:00 GMT; httponly; samesite=lax")


def test_a_cookie_session_works_and_is_renewed_on_every_response(client, rt):
    client.post(f"{BASE}/auth", json={"auth": {"login": ACME[0], "password": ACME[1], "cookie_auth": True}})
    rt.clock.advance(timedelta(seconds=500))
    r = client.get(f"{BASE}/cdr-exports")
    assert r.status_code == 200
    renewed = r.headers["Set-Cookie"]
    assert "; max-age=600; " in renewed
    token = renewed.split(";", 1)[0].split("=", 1)[1]
    assert json.loads(b64d(token.split(".")[1]))["exp"] == NOW + 1100     # virtual: 10:18:20
    rt.clock.advance(timedelta(seconds=500))      # the first cookie would have expired by now
    assert client.get(f"{BASE}/cdr-exports").status_code == 200
    client.delete(f"{BASE}/auth")
    assert client.get(f"{BASE}/cdr-exports").status_code == 401


def test_an_authorization_header_wins_over_the_cookie(client):
    client.post(f"{BASE}/auth", json={"auth": {"login": ACME[0], "password": ACME[1], "cookie_auth": "1"}})
    r = client.get(f"{BASE}/cdr-exports", headers={"Authorization": "Bearer nonsense"})
    assert r.status_code == 401
    assert "Set-Cookie" not in r.headers


def test_header_authenticated_responses_set_no_cookie(yeti):
    assert "Set-Cookie" not in yeti.get("/cdr-exports").headers


def test_each_customer_sees_only_its_own_exports(client, rt):
    acme, globex = Yeti(client, rt), Yeti(client, rt)
    acme.login()
    globex.login(("globex-api", "globex-fake-password"))
    mine = acme.create()["id"]
    assert globex.get(f"/cdr-exports/{mine}").status_code == 404
    assert globex.get("/cdr-exports").get_json()["meta"] == {"total-count": 0}


def test_without_a_configured_secret_each_session_signs_with_a_random_key():
    from mockcdr.app import create_app

    app = create_app(Settings(vendors=("yeti",), seed="yeti-tests", clock_start=START, clock_frozen=True))
    client = app.test_client()
    token = login(client).get_json()["jwt"]
    assert client.get(f"{BASE}/cdr-exports", headers={"Authorization": token}).status_code == 200
    claims = json.loads(b64d(token.split(".")[1]))
    for secret in ("mockcdr-yeti-secret-key-base", "yeti-tests", SECRET):     # nothing anyone could guess
        assert client.get(f"{BASE}/cdr-exports", headers={"Authorization": sign({"alg": "HS256"}, claims, secret)}
                          ).status_code == 401
    assert client.put("/_mockcdr/sessions/other").status_code == 201            # another session, another key
    assert client.get(f"/_s/other{BASE}/cdr-exports", headers={"Authorization": token}).status_code == 401
    snapshot = client.get("/_mockcdr/snapshot").get_json()
    assert client.post("/_mockcdr/reset").status_code == 200                  # a reset draws a new key
    assert client.get(f"{BASE}/cdr-exports", headers={"Authorization": token}).status_code == 401
    assert client.post("/_mockcdr/snapshot", json=snapshot).status_code == 200  # a snapshot carries it
    assert client.get(f"{BASE}/cdr-exports", headers={"Authorization": token}).status_code == 200
